//! `/api/v1/employers`: the employer register kept by the employer
//! coordinators (EfAS) — employers, workplaces, contacts, the interaction
//! log, partnership agreements with actual against target per year, and
//! social-procurement contracts with monthly fulfilment.
//!
//! Access (`EmployerAction`): employer coordinators do everything; caseworkers
//! and admins read; an employer's own users read only their employer (others
//! are 404); partners and analysts get 403. Every read and write is audited.

use crate::kernel::error::Problem;
use crate::kernel::json::Body;
use crate::kernel::params::{created, positive_id};
use crate::kernel::session::ApiCaller;
use crate::participants::api::parse_id;
use crate::AppState;
use axum::extract::rejection::PathRejection;
use axum::extract::{Path, Query, State};
use axum::response::IntoResponse;
use axum::routing::{get, post, put};
use axum::{Json, Router};
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use vagar_domain::employers::{
    month_text, ContactInput, EmployerInput, EmployerPatch, FulfilmentInput, InteractionInput,
    OutcomeInput, PartnershipInput, ProcurementInput, Requirement, WorkplaceInput,
};
use vagar_domain::{OrganisationNumber, ValidationErrors};
use vagar_store::employers::{
    Employer, EmployerContact, EmployerPage, EmployerQuery, Interaction, Partnership,
    ProcurementContract, Workplace,
};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/employers", get(list).post(create))
        .route("/employers/{id}", get(read).patch(update))
        .route(
            "/employers/{id}/workplaces",
            get(list_workplaces).post(add_workplace),
        )
        .route(
            "/employers/{id}/contacts",
            get(list_contacts).post(add_contact),
        )
        .route(
            "/employers/{id}/interactions",
            get(list_interactions).post(add_interaction),
        )
        .route(
            "/employers/{id}/partnerships",
            get(list_partnerships).post(add_partnership),
        )
        .route(
            "/employers/{id}/partnerships/{aid}/outcomes",
            post(add_outcome),
        )
        .route(
            "/employers/{id}/procurement-contracts",
            get(list_contracts).post(add_contract),
        )
        .route(
            "/employers/{id}/procurement-contracts/{cid}/fulfilment",
            put(put_fulfilment),
        )
        .route(
            "/employers/{id}/procurement-contracts/{cid}/fulfilment/{month}",
            put(put_fulfilment_month),
        )
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct EmployerOut {
    pub id: i64,
    /// Canonical 10 digits.
    pub organisation_number: String,
    /// NNNNNN-NNNN
    pub organisation_number_formatted: String,
    pub name: String,
    /// SNI 2007 division or section.
    pub sni_code: Option<String>,
    pub sni_label: Option<String>,
    /// micro, small, medium, large or unknown
    pub size_class: String,
    /// The organisation whose `employer` users act for this employer.
    pub organisation_id: Option<i64>,
    /// coordinator, public_form or job_ad
    pub source: String,
    pub version: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl From<Employer> for EmployerOut {
    fn from(e: Employer) -> EmployerOut {
        let formatted = OrganisationNumber::from_canonical(&e.organisation_number)
            .map(|o| o.formatted())
            .unwrap_or_else(|_| e.organisation_number.clone());
        EmployerOut {
            id: e.id,
            organisation_number: e.organisation_number,
            organisation_number_formatted: formatted,
            name: e.name,
            sni_code: e.sni_code,
            sni_label: e.sni_label,
            size_class: e.size_class.as_str().into(),
            organisation_id: e.organisation_id,
            source: e.source,
            version: e.version,
            created_at: e.created_at,
            updated_at: e.updated_at,
        }
    }
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct EmployerPageOut {
    pub items: Vec<EmployerOut>,
    pub page: i64,
    pub per_page: i64,
    pub total: i64,
}

impl From<EmployerPage> for EmployerPageOut {
    fn from(p: EmployerPage) -> Self {
        EmployerPageOut {
            items: p.items.into_iter().map(Into::into).collect(),
            page: p.page,
            per_page: p.per_page,
            total: p.total,
        }
    }
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct WorkplaceOut {
    pub id: i64,
    pub employer_id: i64,
    pub name: String,
    pub street_address: Option<String>,
    /// NNN NN
    pub postal_code: Option<String>,
    pub city: Option<String>,
    pub municipality_code: String,
    pub district: Option<String>,
    /// step_free_entrance, lift, accessible_toilet, hearing_loop, quiet_room, adjustable_workstation
    pub accessibility: Vec<String>,
    pub accessibility_note: Option<String>,
    pub created_at: DateTime<Utc>,
}

impl From<Workplace> for WorkplaceOut {
    fn from(w: Workplace) -> Self {
        WorkplaceOut {
            id: w.id,
            employer_id: w.employer_id,
            name: w.name,
            street_address: w.street_address,
            postal_code: w.postal_code,
            city: w.city,
            municipality_code: w.municipality_code,
            district: w.district,
            accessibility: w.accessibility.iter().map(|a| a.as_str().into()).collect(),
            accessibility_note: w.accessibility_note,
            created_at: w.created_at,
        }
    }
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct EmployerContactOut {
    pub id: i64,
    pub employer_id: i64,
    pub name: String,
    pub title: Option<String>,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub created_at: DateTime<Utc>,
}

impl From<EmployerContact> for EmployerContactOut {
    fn from(c: EmployerContact) -> Self {
        EmployerContactOut {
            id: c.id,
            employer_id: c.employer_id,
            name: c.name,
            title: c.title,
            email: c.email,
            phone: c.phone,
            created_at: c.created_at,
        }
    }
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct InteractionOut {
    pub id: i64,
    pub employer_id: i64,
    pub occurred_on: NaiveDate,
    /// call, visit, meeting, email or offer
    pub kind: String,
    pub note: String,
    pub created_by: Option<i64>,
    pub created_at: DateTime<Utc>,
}

impl From<Interaction> for InteractionOut {
    fn from(i: Interaction) -> Self {
        InteractionOut {
            id: i.id,
            employer_id: i.employer_id,
            occurred_on: i.occurred_on,
            kind: i.kind.as_str().into(),
            note: i.note,
            created_by: i.created_by,
            created_at: i.created_at,
        }
    }
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct OutcomeOut {
    pub id: i64,
    pub occurred_on: NaiveDate,
    /// placement or hire
    pub kind: String,
    pub note: Option<String>,
}

/// One calendar year: yearly targets against recorded outcomes.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct YearProgressOut {
    pub year: i32,
    pub target_placements: i64,
    pub actual_placements: i64,
    /// Whole percent, rounded down; null without a target.
    pub placements_percent: Option<i64>,
    pub target_hires: i64,
    pub actual_hires: i64,
    pub hires_percent: Option<i64>,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct PartnershipOut {
    pub id: i64,
    pub employer_id: i64,
    pub name: String,
    pub valid_from: NaiveDate,
    pub valid_to: Option<NaiveDate>,
    pub target_placements_per_year: i64,
    pub target_hires_per_year: i64,
    pub note: Option<String>,
    pub outcomes: Vec<OutcomeOut>,
    /// Actual against target per calendar year of the agreement.
    pub progress: Vec<YearProgressOut>,
}

impl From<Partnership> for PartnershipOut {
    fn from(p: Partnership) -> Self {
        PartnershipOut {
            id: p.id,
            employer_id: p.employer_id,
            name: p.name,
            valid_from: p.valid_from,
            valid_to: p.valid_to,
            target_placements_per_year: p.target_placements_per_year,
            target_hires_per_year: p.target_hires_per_year,
            note: p.note,
            outcomes: p
                .outcomes
                .into_iter()
                .map(|o| OutcomeOut {
                    id: o.id,
                    occurred_on: o.occurred_on,
                    kind: o.kind.as_str().into(),
                    note: o.note,
                })
                .collect(),
            progress: p
                .progress
                .into_iter()
                .map(|y| YearProgressOut {
                    year: y.year,
                    target_placements: y.target_placements,
                    actual_placements: y.actual_placements,
                    placements_percent: y.placements_percent,
                    target_hires: y.target_hires,
                    actual_hires: y.actual_hires,
                    hires_percent: y.hires_percent,
                })
                .collect(),
        }
    }
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct FulfilmentMonthOut {
    /// YYYY-MM
    pub month: String,
    pub placements: i64,
    pub contract_hours: i64,
    pub target_group_hours: i64,
}

/// How the contract stands at the request's date.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct FulfilmentOut {
    pub months_total: i64,
    /// Months of the period wholly before today.
    pub months_elapsed: i64,
    pub months_reported: i64,
    pub placements_so_far: i64,
    pub contract_hours: i64,
    pub target_group_hours: i64,
    /// Target-group hours per mille of contract hours (rounded down).
    pub hours_share_permille: Option<i64>,
    /// Placements requirement spread evenly over the months (rounded down).
    pub expected_placements_by_now: Option<i64>,
    /// Placements (or share) against the requirement, whole percent.
    pub percent_of_requirement: Option<i64>,
    pub behind: bool,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ProcurementContractOut {
    pub id: i64,
    pub employer_id: i64,
    pub contract_name: String,
    pub contract_reference: Option<String>,
    pub procuring_unit: String,
    pub period_from: NaiveDate,
    pub period_to: NaiveDate,
    /// placements or hours_share
    pub requirement_kind: String,
    pub required_placements: Option<i64>,
    pub required_hours_share_permille: Option<i64>,
    pub note: Option<String>,
    pub months: Vec<FulfilmentMonthOut>,
    pub fulfilment: FulfilmentOut,
}

impl From<ProcurementContract> for ProcurementContractOut {
    fn from(c: ProcurementContract) -> Self {
        let (rp, rs) = match c.requirement {
            Requirement::Placements(n) => (Some(n), None),
            Requirement::HoursShare(n) => (None, Some(n)),
        };
        let f = c.fulfilment;
        ProcurementContractOut {
            id: c.id,
            employer_id: c.employer_id,
            contract_name: c.contract_name,
            contract_reference: c.contract_reference,
            procuring_unit: c.procuring_unit,
            period_from: c.period_from,
            period_to: c.period_to,
            requirement_kind: c.requirement.kind().as_str().into(),
            required_placements: rp,
            required_hours_share_permille: rs,
            note: c.note,
            months: c
                .months
                .iter()
                .map(|m| FulfilmentMonthOut {
                    month: month_text(m.month),
                    placements: m.placements,
                    contract_hours: m.contract_hours,
                    target_group_hours: m.target_group_hours,
                })
                .collect(),
            fulfilment: FulfilmentOut {
                months_total: f.months_total,
                months_elapsed: f.months_elapsed,
                months_reported: f.months_reported,
                placements_so_far: f.placements_so_far,
                contract_hours: f.contract_hours,
                target_group_hours: f.target_group_hours,
                hours_share_permille: f.hours_share_permille,
                expected_placements_by_now: f.expected_placements_by_now,
                percent_of_requirement: f.percent_of_requirement,
                behind: f.behind,
            },
        }
    }
}

/// One month's fulfilment of a social-procurement contract.
#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
#[serde(default)]
pub struct FulfilmentIn {
    /// YYYY-MM inside the contract period (in the path for `/fulfilment/{month}`).
    #[schema(nullable = false)]
    month: Option<String>,
    placements: Option<i64>,
    contract_hours: Option<i64>,
    /// At most contract_hours.
    target_group_hours: Option<i64>,
}

fn ids2(ids: Result<Path<(String, String)>, PathRejection>) -> Result<(i64, i64), Problem> {
    ids.ok()
        .and_then(|Path((a, b))| Some((positive_id(&a)?, positive_id(&b)?)))
        .ok_or_else(Problem::not_found)
}

/// The employers the caller may read (an employer's user: only its own).
#[utoipa::path(get, path = "/api/v1/employers", tag = "employers",
    params(
        ("q" = Option<String>, Query, description = "Name prefix (of any word)"),
        ("sni" = Option<String>, Query, description = "SNI division, or section letter (its divisions too)"),
        ("district" = Option<String>, Query, description = "A workplace in this district"),
        ("page" = Option<u32>, Query, description = "1-based page, default 1"),
        ("per_page" = Option<u32>, Query, description = "1–100, default 20"),
    ),
    responses((status = 200, body = EmployerPageOut), (status = 401, body = Problem),
              (status = 403, body = Problem), (status = 422, body = Problem)))]
pub async fn list(
    State(state): State<AppState>,
    caller: ApiCaller,
    Query(mut params): Query<HashMap<String, String>>,
) -> Result<Json<EmployerPageOut>, Problem> {
    let mut e = ValidationErrors::new();
    let mut number = |name: &str, default: i64, max: i64| -> i64 {
        match params.get(name).map(|s| s.trim()) {
            None | Some("") => default,
            Some(s) => match s.parse::<i64>() {
                Ok(n) if (1..=max).contains(&n) => n,
                _ => {
                    e.add(
                        name,
                        "invalid",
                        format!("{name} must be an integer from 1 to {max}"),
                    );
                    default
                }
            },
        }
    };
    let page = number("page", 1, 100_000);
    let per_page = number("per_page", 20, 100);
    if !e.is_empty() {
        return Err(Problem::validation(e));
    }
    let query = EmployerQuery {
        q: params.remove("q"),
        sni: params.remove("sni"),
        district: params.remove("district"),
        page,
        per_page,
    };
    let p = state.store.list_employers(&caller.ctx, &query).await?;
    Ok(Json(p.into()))
}

/// Register an employer (employer coordinators).
#[utoipa::path(post, path = "/api/v1/employers", tag = "employers", request_body = EmployerInput,
    responses((status = 201, body = EmployerOut, headers(("Location" = String))), (status = 400, body = Problem),
              (status = 401, body = Problem), (status = 403, body = Problem), (status = 409, body = Problem),
              (status = 415, body = Problem), (status = 422, body = Problem)))]
pub async fn create(
    State(state): State<AppState>,
    caller: ApiCaller,
    body: Body<EmployerInput, EmployerOut>,
) -> Result<impl IntoResponse, Problem> {
    let input = body.into_result()?;
    let e = state.store.create_employer(&caller.ctx, &input).await?;
    Ok(created(
        format!("/api/v1/employers/{}", e.id),
        EmployerOut::from(e),
    ))
}

/// One employer.
#[utoipa::path(get, path = "/api/v1/employers/{id}", tag = "employers",
    params(("id" = i64, Path)),
    responses((status = 200, body = EmployerOut), (status = 401, body = Problem),
              (status = 403, body = Problem), (status = 404, body = Problem)))]
pub async fn read(
    State(state): State<AppState>,
    caller: ApiCaller,
    id: Result<Path<String>, PathRejection>,
) -> Result<Json<EmployerOut>, Problem> {
    let id = parse_id(id)?;
    Ok(Json(
        state.store.read_employer(&caller.ctx, id).await?.into(),
    ))
}

/// Change an employer (optimistic locking by `version`).
#[utoipa::path(patch, path = "/api/v1/employers/{id}", tag = "employers",
    params(("id" = i64, Path)), request_body = EmployerPatch,
    responses((status = 200, body = EmployerOut), (status = 401, body = Problem),
              (status = 403, body = Problem), (status = 404, body = Problem),
              (status = 409, body = Problem), (status = 422, body = Problem)))]
pub async fn update(
    State(state): State<AppState>,
    caller: ApiCaller,
    id: Result<Path<String>, PathRejection>,
    body: Body<EmployerPatch, EmployerOut>,
) -> Result<Json<EmployerOut>, Problem> {
    let id = parse_id(id)?;
    let input = body.into_result()?;
    Ok(Json(
        state
            .store
            .update_employer(&caller.ctx, id, &input)
            .await?
            .into(),
    ))
}

#[utoipa::path(get, path = "/api/v1/employers/{id}/workplaces", tag = "employers",
    params(("id" = i64, Path)),
    responses((status = 200, body = Vec<WorkplaceOut>), (status = 401, body = Problem),
              (status = 403, body = Problem), (status = 404, body = Problem)))]
pub async fn list_workplaces(
    State(state): State<AppState>,
    caller: ApiCaller,
    id: Result<Path<String>, PathRejection>,
) -> Result<Json<Vec<WorkplaceOut>>, Problem> {
    let id = parse_id(id)?;
    let w = state
        .store
        .list_employer_workplaces(&caller.ctx, id)
        .await?;
    Ok(Json(w.into_iter().map(Into::into).collect()))
}

#[utoipa::path(post, path = "/api/v1/employers/{id}/workplaces", tag = "employers",
    params(("id" = i64, Path)), request_body = WorkplaceInput,
    responses((status = 201, body = WorkplaceOut), (status = 401, body = Problem),
              (status = 403, body = Problem), (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn add_workplace(
    State(state): State<AppState>,
    caller: ApiCaller,
    id: Result<Path<String>, PathRejection>,
    body: Body<WorkplaceInput, WorkplaceOut>,
) -> Result<impl IntoResponse, Problem> {
    let id = parse_id(id)?;
    let input = body.into_result()?;
    let w = state
        .store
        .add_employer_workplace(&caller.ctx, id, &input)
        .await?;
    Ok(created(
        format!("/api/v1/employers/{id}/workplaces"),
        WorkplaceOut::from(w),
    ))
}

#[utoipa::path(get, path = "/api/v1/employers/{id}/contacts", tag = "employers",
    params(("id" = i64, Path)),
    responses((status = 200, body = Vec<EmployerContactOut>), (status = 401, body = Problem),
              (status = 403, body = Problem), (status = 404, body = Problem)))]
pub async fn list_contacts(
    State(state): State<AppState>,
    caller: ApiCaller,
    id: Result<Path<String>, PathRejection>,
) -> Result<Json<Vec<EmployerContactOut>>, Problem> {
    let id = parse_id(id)?;
    let c = state.store.list_employer_contacts(&caller.ctx, id).await?;
    Ok(Json(c.into_iter().map(Into::into).collect()))
}

#[utoipa::path(post, path = "/api/v1/employers/{id}/contacts", tag = "employers",
    params(("id" = i64, Path)), request_body = ContactInput,
    responses((status = 201, body = EmployerContactOut), (status = 401, body = Problem),
              (status = 403, body = Problem), (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn add_contact(
    State(state): State<AppState>,
    caller: ApiCaller,
    id: Result<Path<String>, PathRejection>,
    body: Body<ContactInput, EmployerContactOut>,
) -> Result<impl IntoResponse, Problem> {
    let id = parse_id(id)?;
    let input = body.into_result()?;
    let c = state
        .store
        .add_employer_contact(&caller.ctx, id, &input)
        .await?;
    Ok(created(
        format!("/api/v1/employers/{id}/contacts"),
        EmployerContactOut::from(c),
    ))
}

/// The interaction log, newest first.
#[utoipa::path(get, path = "/api/v1/employers/{id}/interactions", tag = "employers",
    params(("id" = i64, Path)),
    responses((status = 200, body = Vec<InteractionOut>), (status = 401, body = Problem),
              (status = 403, body = Problem), (status = 404, body = Problem)))]
pub async fn list_interactions(
    State(state): State<AppState>,
    caller: ApiCaller,
    id: Result<Path<String>, PathRejection>,
) -> Result<Json<Vec<InteractionOut>>, Problem> {
    let id = parse_id(id)?;
    let i = state
        .store
        .list_employer_interactions(&caller.ctx, id)
        .await?;
    Ok(Json(i.into_iter().map(Into::into).collect()))
}

/// Append to the interaction log (append-only: no change or removal).
#[utoipa::path(post, path = "/api/v1/employers/{id}/interactions", tag = "employers",
    params(("id" = i64, Path)), request_body = InteractionInput,
    responses((status = 201, body = InteractionOut), (status = 401, body = Problem),
              (status = 403, body = Problem), (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn add_interaction(
    State(state): State<AppState>,
    caller: ApiCaller,
    id: Result<Path<String>, PathRejection>,
    body: Body<InteractionInput, InteractionOut>,
) -> Result<impl IntoResponse, Problem> {
    let id = parse_id(id)?;
    let input = body.into_result()?;
    let i = state
        .store
        .add_employer_interaction(&caller.ctx, id, &input)
        .await?;
    Ok(created(
        format!("/api/v1/employers/{id}/interactions"),
        InteractionOut::from(i),
    ))
}

/// Partnership agreements with actual against target per calendar year.
#[utoipa::path(get, path = "/api/v1/employers/{id}/partnerships", tag = "employers",
    params(("id" = i64, Path)),
    responses((status = 200, body = Vec<PartnershipOut>), (status = 401, body = Problem),
              (status = 403, body = Problem), (status = 404, body = Problem)))]
pub async fn list_partnerships(
    State(state): State<AppState>,
    caller: ApiCaller,
    id: Result<Path<String>, PathRejection>,
) -> Result<Json<Vec<PartnershipOut>>, Problem> {
    let id = parse_id(id)?;
    let p = state.store.list_partnerships(&caller.ctx, id).await?;
    Ok(Json(p.into_iter().map(Into::into).collect()))
}

#[utoipa::path(post, path = "/api/v1/employers/{id}/partnerships", tag = "employers",
    params(("id" = i64, Path)), request_body = PartnershipInput,
    responses((status = 201, body = PartnershipOut), (status = 401, body = Problem),
              (status = 403, body = Problem), (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn add_partnership(
    State(state): State<AppState>,
    caller: ApiCaller,
    id: Result<Path<String>, PathRejection>,
    body: Body<PartnershipInput, PartnershipOut>,
) -> Result<impl IntoResponse, Problem> {
    let id = parse_id(id)?;
    let input = body.into_result()?;
    let p = state.store.add_partnership(&caller.ctx, id, &input).await?;
    Ok(created(
        format!("/api/v1/employers/{id}/partnerships"),
        PartnershipOut::from(p),
    ))
}

/// Record a placement or hire under the agreement; returns the agreement.
#[utoipa::path(post, path = "/api/v1/employers/{id}/partnerships/{aid}/outcomes", tag = "employers",
    params(("id" = i64, Path), ("aid" = i64, Path)), request_body = OutcomeInput,
    responses((status = 201, body = PartnershipOut), (status = 401, body = Problem),
              (status = 403, body = Problem), (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn add_outcome(
    State(state): State<AppState>,
    caller: ApiCaller,
    ids: Result<Path<(String, String)>, PathRejection>,
    body: Body<OutcomeInput>,
) -> Result<impl IntoResponse, Problem> {
    let (id, aid) = ids2(ids)?;
    let input = body.into_result()?;
    let p = state
        .store
        .add_partnership_outcome(&caller.ctx, id, aid, &input)
        .await?;
    Ok(created(
        format!("/api/v1/employers/{id}/partnerships"),
        PartnershipOut::from(p),
    ))
}

/// Social-procurement contracts with their fulfilment.
#[utoipa::path(get, path = "/api/v1/employers/{id}/procurement-contracts", tag = "employers",
    params(("id" = i64, Path)),
    responses((status = 200, body = Vec<ProcurementContractOut>), (status = 401, body = Problem),
              (status = 403, body = Problem), (status = 404, body = Problem)))]
pub async fn list_contracts(
    State(state): State<AppState>,
    caller: ApiCaller,
    id: Result<Path<String>, PathRejection>,
) -> Result<Json<Vec<ProcurementContractOut>>, Problem> {
    let id = parse_id(id)?;
    let c = state
        .store
        .list_procurement_contracts(&caller.ctx, id)
        .await?;
    Ok(Json(c.into_iter().map(Into::into).collect()))
}

#[utoipa::path(post, path = "/api/v1/employers/{id}/procurement-contracts", tag = "employers",
    params(("id" = i64, Path)), request_body = ProcurementInput,
    responses((status = 201, body = ProcurementContractOut), (status = 401, body = Problem),
              (status = 403, body = Problem), (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn add_contract(
    State(state): State<AppState>,
    caller: ApiCaller,
    id: Result<Path<String>, PathRejection>,
    body: Body<ProcurementInput, ProcurementContractOut>,
) -> Result<impl IntoResponse, Problem> {
    let id = parse_id(id)?;
    let input = body.into_result()?;
    let c = state
        .store
        .add_procurement_contract(&caller.ctx, id, &input)
        .await?;
    Ok(created(
        format!("/api/v1/employers/{id}/procurement-contracts"),
        ProcurementContractOut::from(c),
    ))
}

async fn fulfilment_common(
    state: AppState,
    caller: ApiCaller,
    id: i64,
    cid: i64,
    path_month: Option<String>,
    body: Body<FulfilmentIn>,
) -> Result<Json<ProcurementContractOut>, Problem> {
    let in_path = path_month.is_some();
    let body = body
        .read_only("month", |b| in_path && b.month.is_some())
        .require("month", |b| in_path || b.month.is_some());
    let f = body.into_result()?;
    let month = path_month.or(f.month);
    let input = FulfilmentInput {
        placements: f.placements,
        contract_hours: f.contract_hours,
        target_group_hours: f.target_group_hours,
    };
    let c = state
        .store
        .put_procurement_fulfilment(&caller.ctx, id, cid, &month.unwrap_or_default(), &input)
        .await?;
    Ok(Json(c.into()))
}

/// Report (or correct) one month's fulfilment; the month is in the body.
/// Returns the contract with recomputed fulfilment.
#[utoipa::path(put, path = "/api/v1/employers/{id}/procurement-contracts/{cid}/fulfilment", tag = "employers",
    params(("id" = i64, Path), ("cid" = i64, Path)), request_body = FulfilmentIn,
    responses((status = 200, body = ProcurementContractOut), (status = 401, body = Problem),
              (status = 403, body = Problem), (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn put_fulfilment(
    State(state): State<AppState>,
    caller: ApiCaller,
    ids: Result<Path<(String, String)>, PathRejection>,
    body: Body<FulfilmentIn>,
) -> Result<Json<ProcurementContractOut>, Problem> {
    let (id, cid) = ids2(ids)?;
    fulfilment_common(state, caller, id, cid, None, body).await
}

/// The same, with the month (YYYY-MM) in the path.
#[utoipa::path(put, path = "/api/v1/employers/{id}/procurement-contracts/{cid}/fulfilment/{month}", tag = "employers",
    params(("id" = i64, Path), ("cid" = i64, Path), ("month" = String, Path)), request_body = FulfilmentIn,
    responses((status = 200, body = ProcurementContractOut), (status = 401, body = Problem),
              (status = 403, body = Problem), (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn put_fulfilment_month(
    State(state): State<AppState>,
    caller: ApiCaller,
    ids: Result<Path<(String, String, String)>, PathRejection>,
    body: Body<FulfilmentIn>,
) -> Result<Json<ProcurementContractOut>, Problem> {
    let Ok(Path((a, b, month))) = ids else {
        return Err(Problem::not_found());
    };
    let (id, cid) = match (a.parse::<i64>(), b.parse::<i64>()) {
        (Ok(a), Ok(b)) if a > 0 && b > 0 => (a, b),
        _ => return Err(Problem::not_found()),
    };
    fulfilment_common(state, caller, id, cid, Some(month), body).await
}
