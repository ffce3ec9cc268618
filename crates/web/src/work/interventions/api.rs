//! `/api/v1/interventions`, `/api/v1/placements` and
//! `/api/v1/employers/{id}/staff-reductions`: interventions (insatser) with
//! planned indicators, placements (deltagande) with their displacement
//! assessment, and the hosts' notices and dismissals.
//!
//! Access (docs/work-models/interventions.md): interventions are read by
//! every staff role and made by caseworkers and employer coordinators;
//! placements follow the participant policy for caseworkers, coordinators
//! act anywhere, admins read, an employer user reads only placements at its
//! own employer with minimal fields (others 404); partners and analysts 403.

use crate::kernel::error::Problem;
use crate::kernel::json::{Fields, JsonObject};
use crate::kernel::session::ApiCaller;
use crate::participants::api::parse_id;
use crate::AppState;
use axum::extract::rejection::PathRejection;
use axum::extract::{Path, Query, State};
use axum::http::{header, StatusCode};
use axum::response::IntoResponse;
use axum::routing::{get, post};
use axum::{Json, Router};
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use vagar_domain::work::interventions::{
    Indicator, IndicatorInput, InterventionData, InterventionInput, InterventionStatus,
};
use vagar_domain::ValidationErrors;
use vagar_store::work::interventions::Intervention;

pub fn router() -> Router<AppState> {
    Router::new()
        .route(
            "/interventions",
            get(list_interventions).post(create_intervention),
        )
        .route(
            "/interventions/{id}",
            get(read_intervention).patch(update_intervention),
        )
        .route("/interventions/{id}/indicators", post(add_indicator))
        .route("/interventions/{id}/open", post(open_intervention))
        .route("/interventions/{id}/close", post(close_intervention))
}

#[derive(utoipa::OpenApi)]
#[openapi(
    paths(
        list_interventions, create_intervention, read_intervention, update_intervention, add_indicator,
        open_intervention, close_intervention
    ),
    components(schemas(InterventionOut, IndicatorOut, OrganisationRef, InterventionIn, IndicatorIn, VersionIn)),
    tags((name = "interventions", description = "Interventions (insatser) with planned indicators, placements (deltagande) and their displacement assessment, hosts' staff reductions"))
)]
pub struct Doc;

// ------------------------------------------------------------ shapes

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct IndicatorOut {
    pub id: i64,
    /// work_unsubsidised, work_subsidised, studies, other_programme, work_or_studies, any_work
    pub outcome: String,
    /// Days after exit when the outcome is measured.
    pub measured_after_days: i64,
    pub target_percent: i64,
    pub description: Option<String>,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct OrganisationRef {
    pub organisation_id: i64,
    pub name: String,
    /// lead or partner
    pub role: String,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct InterventionOut {
    pub id: i64,
    pub name: String,
    /// rental, collaboration, staffing, employer (or null when a programme type is set)
    pub model: Option<String>,
    /// fixed_term_job, trainee_job, education_contract, extra_job, work_practice, tryout_studies, youth_employment
    pub programme_type: Option<String>,
    pub description: Option<String>,
    pub target_groups: Vec<String>,
    pub capacity: i64,
    pub period_from: NaiveDate,
    pub period_to: Option<NaiveDate>,
    pub funding: Option<String>,
    /// municipality or municipal_company
    pub operator_kind: String,
    pub follow_up_plan: Option<String>,
    /// draft, open, closed
    pub status: String,
    pub organisations: Vec<OrganisationRef>,
    pub indicators: Vec<IndicatorOut>,
    /// Planned and active placements now.
    pub open_placements: i64,
    pub version: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl From<Intervention> for InterventionOut {
    fn from(i: Intervention) -> InterventionOut {
        InterventionOut {
            id: i.id,
            name: i.name,
            model: i.model,
            programme_type: i.programme_type,
            description: i.description,
            target_groups: i.target_groups,
            capacity: i.capacity,
            period_from: i.period_from,
            period_to: i.period_to,
            funding: i.funding,
            operator_kind: i.operator_kind,
            follow_up_plan: i.follow_up_plan,
            status: i.status,
            organisations: i
                .organisations
                .into_iter()
                .map(|o| OrganisationRef {
                    organisation_id: o.organisation_id,
                    name: o.name,
                    role: o.role,
                })
                .collect(),
            indicators: i
                .indicators
                .into_iter()
                .map(|x| IndicatorOut {
                    id: x.id,
                    outcome: x.outcome,
                    measured_after_days: x.measured_after_days,
                    target_percent: x.target_percent,
                    description: x.description,
                })
                .collect(),
            open_placements: i.open_placements,
            version: i.version,
            created_at: i.created_at,
            updated_at: i.updated_at,
        }
    }
}

// Request bodies, for the document (read with `Fields`).

#[allow(dead_code)]
#[derive(utoipa::ToSchema)]
pub struct InterventionIn {
    name: String,
    /// Exactly one of model and programme_type.
    model: Option<String>,
    programme_type: Option<String>,
    description: Option<String>,
    /// youth, long_term_unemployed, income_support, sfi, weak_attachment, newly_arrived
    target_groups: Option<Vec<String>>,
    /// 1–10000 places at a time.
    capacity: i64,
    /// YYYY-MM-DD
    period_from: String,
    period_to: Option<String>,
    funding: Option<String>,
    /// municipality (default) or municipal_company
    operator_kind: Option<String>,
    follow_up_plan: Option<String>,
    /// The organisations that run it; the first is the lead (default: yours).
    organisation_ids: Option<Vec<i64>>,
    /// PATCH only: the version you read.
    version: Option<i64>,
}

/// An optional body: the version you read (a mismatch gives 409).
#[allow(dead_code)]
#[derive(utoipa::ToSchema)]
pub struct VersionIn {
    version: Option<i64>,
}

#[allow(dead_code)]
#[derive(utoipa::ToSchema)]
pub struct IndicatorIn {
    outcome: String,
    measured_after_days: i64,
    target_percent: i64,
    description: Option<String>,
}

// ------------------------------------------------------------ helpers

pub(crate) fn text(f: &mut Fields<'_>, key: &str, current: Option<String>) -> Option<String> {
    match f.nullable_string(key) {
        Some(v) => v,
        None if f.map.contains_key(key) => None,
        None => current,
    }
}

pub(crate) fn int(f: &mut Fields<'_>, key: &str, current: Option<i64>) -> Option<i64> {
    match f.nullable_i64(key) {
        Some(v) => v,
        None => current,
    }
}

pub(crate) fn done(f: Fields<'_>) -> Result<(), Problem> {
    if f.errors.is_empty() {
        Ok(())
    } else {
        Err(Problem::validation(f.errors))
    }
}

/// Shape errors first, then the rules' errors for the other fields.
pub(crate) fn merged(mut shape: ValidationErrors, rules: ValidationErrors) -> Problem {
    for e in rules.0 {
        if shape.for_field(&e.field).is_none() {
            shape.0.push(e);
        }
    }
    Problem::validation(shape)
}

const INTERVENTION_FIELDS: &[&str] = &[
    "name",
    "model",
    "programme_type",
    "description",
    "target_groups",
    "capacity",
    "period_from",
    "period_to",
    "funding",
    "operator_kind",
    "follow_up_plan",
    "organisation_ids",
];

const INTERVENTION_READ_ONLY: &[&str] = &[
    "id",
    "status",
    "indicators",
    "organisations",
    "open_placements",
    "created_at",
    "updated_at",
];

fn ids(f: &mut Fields<'_>, key: &str) -> Option<Vec<i64>> {
    match f.map.get(key)? {
        serde_json::Value::Null => Some(vec![]),
        serde_json::Value::Array(items) if items.len() <= 20 => {
            let v: Vec<i64> = items.iter().filter_map(|i| i.as_i64()).collect();
            if v.len() != items.len() {
                f.errors
                    .add(key, "type", format!("{key} must be an array of ids"));
                return None;
            }
            Some(v)
        }
        _ => {
            f.errors.add(
                key,
                "type",
                format!("{key} must be an array of at most 20 ids"),
            );
            None
        }
    }
}

fn intervention_overlay(f: &mut Fields<'_>, base: InterventionInput) -> InterventionInput {
    InterventionInput {
        name: text(f, "name", base.name),
        model: text(f, "model", base.model),
        programme_type: text(f, "programme_type", base.programme_type),
        description: text(f, "description", base.description),
        target_groups: if f.map.contains_key("target_groups") {
            f.strings("target_groups").unwrap_or_default()
        } else {
            base.target_groups
        },
        capacity: int(f, "capacity", base.capacity),
        period_from: text(f, "period_from", base.period_from),
        period_to: text(f, "period_to", base.period_to),
        funding: text(f, "funding", base.funding),
        operator_kind: text(f, "operator_kind", base.operator_kind),
        follow_up_plan: text(f, "follow_up_plan", base.follow_up_plan),
        organisation_ids: ids(f, "organisation_ids").unwrap_or(base.organisation_ids),
    }
}

pub(crate) fn positive(f: &mut Fields<'_>, key: &str) -> Option<i64> {
    match f.nullable_i64(key) {
        Some(Some(v)) if v > 0 => Some(v),
        Some(Some(_)) => {
            f.errors
                .add(key, "invalid", format!("{key} must be a positive id"));
            None
        }
        _ => None,
    }
}

pub(crate) fn query_id(e: &mut ValidationErrors, key: &str, v: Option<&str>) -> Option<i64> {
    let v = v.filter(|s| !s.is_empty())?;
    let id = v.parse::<i64>().ok().filter(|v| *v > 0);
    if id.is_none() {
        e.add(key, "invalid", format!("{key} must be a positive id"));
    }
    id
}

// ------------------------------------------------------------ interventions

#[derive(Debug, Deserialize, utoipa::IntoParams)]
pub struct InterventionQuery {
    /// draft, open or closed
    pub status: Option<String>,
}

/// Every intervention (no personal data), newest period first.
#[utoipa::path(get, path = "/api/v1/interventions", tag = "interventions", params(InterventionQuery),
    responses((status = 200, body = Vec<InterventionOut>), (status = 401, body = Problem),
              (status = 403, body = Problem), (status = 422, body = Problem)))]
pub async fn list_interventions(
    State(state): State<AppState>,
    caller: ApiCaller,
    Query(q): Query<InterventionQuery>,
) -> Result<Json<Vec<InterventionOut>>, Problem> {
    let status = match q.status.as_deref().filter(|s| !s.is_empty()) {
        None => None,
        Some(s) => Some(InterventionStatus::parse(s).ok_or_else(|| {
            Problem::field(
                StatusCode::UNPROCESSABLE_ENTITY,
                "validation-error",
                "Invalid input",
                "status",
                "invalid_choice",
                "status must be draft, open or closed",
            )
        })?),
    };
    let list = state.store.list_interventions(&caller.ctx, status).await?;
    Ok(Json(list.into_iter().map(Into::into).collect()))
}

/// Create an intervention as a draft.
#[utoipa::path(post, path = "/api/v1/interventions", tag = "interventions", request_body = InterventionIn,
    responses((status = 201, body = InterventionOut, headers(("Location" = String))), (status = 400, body = Problem),
              (status = 401, body = Problem), (status = 403, body = Problem), (status = 415, body = Problem),
              (status = 422, body = Problem)))]
pub async fn create_intervention(
    State(state): State<AppState>,
    caller: ApiCaller,
    JsonObject(map): JsonObject,
) -> Result<impl IntoResponse, Problem> {
    let mut read_only = INTERVENTION_READ_ONLY.to_vec();
    read_only.push("version");
    let mut f = Fields::new(&map, INTERVENTION_FIELDS, &read_only);
    let input = intervention_overlay(&mut f, InterventionInput::default());
    let data = match InterventionData::from_input(&input) {
        Ok(d) if f.errors.is_empty() => d,
        Ok(_) => return Err(Problem::validation(f.errors)),
        Err(e) => return Err(merged(f.errors, e)),
    };
    let i = state.store.create_intervention(&caller.ctx, &data).await?;
    Ok((
        StatusCode::CREATED,
        [(header::LOCATION, format!("/api/v1/interventions/{}", i.id))],
        Json(InterventionOut::from(i)),
    ))
}

/// One intervention with its organisations and indicators.
#[utoipa::path(get, path = "/api/v1/interventions/{id}", tag = "interventions", params(("id" = i64, Path)),
    responses((status = 200, body = InterventionOut), (status = 401, body = Problem),
              (status = 403, body = Problem), (status = 404, body = Problem)))]
pub async fn read_intervention(
    State(state): State<AppState>,
    caller: ApiCaller,
    id: Result<Path<String>, PathRejection>,
) -> Result<Json<InterventionOut>, Problem> {
    let id = parse_id(id)?;
    Ok(Json(
        state.store.read_intervention(&caller.ctx, id).await?.into(),
    ))
}

/// Change an intervention: the fields sent replace the stored ones; `version` is required.
#[utoipa::path(patch, path = "/api/v1/interventions/{id}", tag = "interventions", params(("id" = i64, Path)),
    request_body = InterventionIn,
    responses((status = 200, body = InterventionOut), (status = 400, body = Problem), (status = 401, body = Problem),
              (status = 403, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem),
              (status = 415, body = Problem), (status = 422, body = Problem)))]
pub async fn update_intervention(
    State(state): State<AppState>,
    caller: ApiCaller,
    id: Result<Path<String>, PathRejection>,
    JsonObject(map): JsonObject,
) -> Result<Json<InterventionOut>, Problem> {
    let id = parse_id(id)?;
    let mut known = INTERVENTION_FIELDS.to_vec();
    known.push("version");
    let mut f = Fields::new(&map, &known, INTERVENTION_READ_ONLY);
    let version = f.integer("version", 1, i64::MAX);
    if !map.contains_key("version") {
        f.errors.add("version", "required", "version is required");
    }
    let current = state.store.read_intervention(&caller.ctx, id).await?;
    let input = intervention_overlay(&mut f, current.to_input());
    let data = match InterventionData::from_input(&input) {
        Ok(d) if f.errors.is_empty() => d,
        Ok(_) => return Err(Problem::validation(f.errors)),
        Err(e) => return Err(merged(f.errors, e)),
    };
    let i = state
        .store
        .update_intervention(&caller.ctx, id, &data, version.unwrap_or(0))
        .await?;
    Ok(Json(i.into()))
}

/// Plan an indicator: which outcome, measured how many days after exit, the target level.
#[utoipa::path(post, path = "/api/v1/interventions/{id}/indicators", tag = "interventions",
    params(("id" = i64, Path)), request_body = IndicatorIn,
    responses((status = 201, body = InterventionOut), (status = 400, body = Problem), (status = 401, body = Problem),
              (status = 403, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem),
              (status = 415, body = Problem), (status = 422, body = Problem)))]
pub async fn add_indicator(
    State(state): State<AppState>,
    caller: ApiCaller,
    id: Result<Path<String>, PathRejection>,
    JsonObject(map): JsonObject,
) -> Result<impl IntoResponse, Problem> {
    let id = parse_id(id)?;
    let mut f = Fields::new(
        &map,
        &[
            "outcome",
            "measured_after_days",
            "target_percent",
            "description",
        ],
        &["id"],
    );
    let input = IndicatorInput {
        outcome: text(&mut f, "outcome", None),
        measured_after_days: int(&mut f, "measured_after_days", None),
        target_percent: int(&mut f, "target_percent", None),
        description: text(&mut f, "description", None),
    };
    let ind = match Indicator::from_input(&input) {
        Ok(i) if f.errors.is_empty() => i,
        Ok(_) => return Err(Problem::validation(f.errors)),
        Err(e) => return Err(merged(f.errors, e)),
    };
    let i = state.store.add_indicator(&caller.ctx, id, &ind).await?;
    Ok((StatusCode::CREATED, Json(InterventionOut::from(i))))
}

/// An optional body `{"version": n}` (empty: no check).
fn version_only(body: &[u8]) -> Result<Option<i64>, Problem> {
    if body.iter().all(u8::is_ascii_whitespace) {
        return Ok(None);
    }
    let map = match serde_json::from_slice::<serde_json::Value>(body) {
        Ok(serde_json::Value::Object(m)) => m,
        _ => {
            return Err(Problem::new(
                StatusCode::BAD_REQUEST,
                "malformed-json",
                "Malformed JSON",
                "the body must be empty or a JSON object",
            ))
        }
    };
    let mut f = Fields::new(&map, &["version"], &[]);
    let v = f.nullable_i64("version").flatten();
    done(f)?;
    Ok(v)
}

/// Open for enrolment: 422 naming `indicators` and/or `follow_up_plan` when they are not set.
#[utoipa::path(post, path = "/api/v1/interventions/{id}/open", tag = "interventions", params(("id" = i64, Path)), request_body = VersionIn,
    responses((status = 200, body = InterventionOut), (status = 401, body = Problem), (status = 403, body = Problem),
              (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
pub async fn open_intervention(
    State(state): State<AppState>,
    caller: ApiCaller,
    id: Result<Path<String>, PathRejection>,
    body: bytes::Bytes,
) -> Result<Json<InterventionOut>, Problem> {
    let id = parse_id(id)?;
    let version = version_only(&body)?;
    let i = state
        .store
        .set_intervention_status(&caller.ctx, id, InterventionStatus::Open, version)
        .await?;
    Ok(Json(i.into()))
}

/// Close: no more enrolment.
#[utoipa::path(post, path = "/api/v1/interventions/{id}/close", tag = "interventions", params(("id" = i64, Path)), request_body = VersionIn,
    responses((status = 200, body = InterventionOut), (status = 401, body = Problem), (status = 403, body = Problem),
              (status = 404, body = Problem), (status = 409, body = Problem)))]
pub async fn close_intervention(
    State(state): State<AppState>,
    caller: ApiCaller,
    id: Result<Path<String>, PathRejection>,
    body: bytes::Bytes,
) -> Result<Json<InterventionOut>, Problem> {
    let id = parse_id(id)?;
    let version = version_only(&body)?;
    let i = state
        .store
        .set_intervention_status(&caller.ctx, id, InterventionStatus::Closed, version)
        .await?;
    Ok(Json(i.into()))
}
