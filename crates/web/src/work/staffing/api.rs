//! `/api/v1/staffing/...`: the staffing model — pools and their staff,
//! municipal units' requests (bemanningsbeställningar), assignments with
//! conflict checks (all or nothing), worked minutes, units' reported monthly
//! hours, fill rate, the hourly-share series and training progress.
//!
//! Access (`StaffingAction`): employer coordinators and caseworkers manage
//! everything; a unit's staff (partner role, organisation = the unit) order
//! and read their own unit's requests and report its hours; admins read;
//! analysts read the aggregates only; employer users get 403. Participants
//! among the staff are named only to those who may read them (others see a
//! staff code).

use crate::kernel::error::Problem;
use crate::kernel::json::Body;
use crate::kernel::params::{created, query_date, query_id};
use crate::kernel::session::ApiCaller;
use crate::participants::api::parse_id;
use crate::AppState;
use axum::extract::rejection::PathRejection;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::IntoResponse;
use axum::routing::{delete, get, post, put};
use axum::{Json, Router};
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use vagar_domain::work::staffing::{
    format_time, Fill, PoolData, PoolInput, Refusal, RequestData, RequestInput, StaffData,
    StaffInput, TrainingData, TrainingInput, UnitHoursData, UnitHoursInput,
};
use vagar_domain::{FieldError, ValidationErrors};
use vagar_store::work::staffing::{
    Assignment, FillRow, Pool, Request, RequestFilter, Staff, Training, UnitHours,
};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/staffing/pools", get(list_pools).post(create_pool))
        .route("/staffing/pools/{id}", get(read_pool))
        .route(
            "/staffing/pools/{id}/staff",
            get(list_staff).post(add_staff),
        )
        .route(
            "/staffing/pools/{id}/requests",
            get(list_requests).post(create_request),
        )
        .route("/staffing/pools/{id}/training", get(list_training))
        .route("/staffing/requests/{id}", get(read_request))
        .route("/staffing/requests/{id}/cancel", post(cancel_request))
        .route("/staffing/requests/{id}/assignments", post(assign))
        .route("/staffing/assignments/{id}", delete(unassign))
        .route("/staffing/assignments/{id}/worked", put(report_worked))
        .route(
            "/staffing/unit-hours",
            get(list_unit_hours).put(report_unit_hours),
        )
        .route("/staffing/fill-rate", get(fill_rate))
        .route("/staffing/hourly-share", get(hourly_share))
        .route("/staffing/staff/{id}", axum::routing::patch(update_staff))
        .route("/staffing/staff/{id}/training", post(add_training))
        .route(
            "/staffing/training/{id}",
            axum::routing::patch(update_training),
        )
}

#[derive(utoipa::OpenApi)]
#[openapi(
    paths(
        list_pools,
        create_pool,
        read_pool,
        list_staff,
        add_staff,
        update_staff,
        list_requests,
        create_request,
        list_training,
        read_request,
        cancel_request,
        assign,
        unassign,
        report_worked,
        list_unit_hours,
        report_unit_hours,
        fill_rate,
        hourly_share,
        add_training,
        update_training
    ),
    components(schemas(
        PoolOut,
        PoolInput,
        StaffOut,
        StaffIn,
        RequestOut,
        RequestInput,
        AssignmentOut,
        AssignIn,
        WorkedIn,
        UnitHoursOut,
        UnitHoursInput,
        FillOut,
        FillRateOut,
        SharePointOut,
        TrainingOut,
        TrainingIn
    ))
)]
pub struct Doc;

// ---------------------------------------------------------------- shapes

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct PoolOut {
    pub id: i64,
    pub name: String,
    /// The organisation that runs the pool.
    pub organisation_id: i64,
    pub organisation_name: String,
    /// A staffing-model intervention the pool belongs to.
    pub intervention_id: Option<i64>,
    /// What a unit is charged per hour worked, in öre.
    pub hourly_price_ore: i64,
    /// Weekly cap on hourly staff's booked minutes.
    pub hourly_week_cap_minutes: i64,
    pub staff_count: i64,
}

impl From<Pool> for PoolOut {
    fn from(p: Pool) -> PoolOut {
        PoolOut {
            id: p.id,
            name: p.name,
            organisation_id: p.organisation_id,
            organisation_name: p.organisation_name,
            intervention_id: p.intervention_id,
            hourly_price_ore: p.hourly_price_ore,
            hourly_week_cap_minutes: p.hourly_week_cap_minutes,
            staff_count: p.staff_count,
        }
    }
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct StaffOut {
    pub id: i64,
    pub pool_id: i64,
    /// Staff code (B-0012), shown instead of the name of a participant the caller may not read.
    pub code: String,
    /// The name, or the staff code.
    pub label: String,
    pub is_participant: bool,
    /// Only when the caller may read the participant.
    pub participant_id: Option<i64>,
    /// full_time or hourly
    pub employment_form: String,
    /// SSYK 2012 level-4 code.
    pub occupation_ssyk: String,
    pub hourly_wage_ore: i64,
    pub active_from: NaiveDate,
    pub active_to: Option<NaiveDate>,
    pub version: i64,
}

impl From<Staff> for StaffOut {
    fn from(s: Staff) -> StaffOut {
        StaffOut {
            id: s.id,
            pool_id: s.pool_id,
            code: s.code,
            label: s.label,
            is_participant: s.is_participant,
            participant_id: s.participant_id,
            employment_form: s.employment_form,
            occupation_ssyk: s.occupation_ssyk,
            hourly_wage_ore: s.hourly_wage_ore,
            active_from: s.active_from,
            active_to: s.active_to,
            version: s.version,
        }
    }
}

/// A member of staff: who (participant or name, POST only) and the terms.
#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
#[serde(default)]
pub struct StaffIn {
    /// A participant the caller may read (or give `name`).
    participant_id: Option<i64>,
    /// A regular employee's name (or give `participant_id`).
    name: Option<String>,
    /// full_time or hourly
    employment_form: Option<String>,
    /// SSYK level-4 code of the taxonomy.
    occupation: Option<String>,
    hourly_wage_ore: Option<i64>,
    /// YYYY-MM-DD
    active_from: Option<String>,
    /// YYYY-MM-DD, on or after active_from.
    active_to: Option<String>,
    /// PATCH only: the version you read (a mismatch gives 409).
    #[schema(nullable = false, minimum = 1)]
    version: Option<i64>,
}

impl StaffIn {
    fn into_input(self) -> StaffInput {
        StaffInput {
            participant_id: self.participant_id,
            name: self.name,
            employment_form: self.employment_form,
            occupation: self.occupation,
            hourly_wage_ore: self.hourly_wage_ore,
            active_from: self.active_from,
            active_to: self.active_to,
        }
    }
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct AssignmentOut {
    pub id: i64,
    pub request_id: i64,
    pub staff_id: i64,
    /// The name or staff code.
    pub label: String,
    pub work_date: NaiveDate,
    pub start_minute: i64,
    /// Past 1440 when the shift passes midnight.
    pub end_minute: i64,
    /// Reported minutes (null: as booked).
    pub worked_minutes: Option<i64>,
}

impl From<Assignment> for AssignmentOut {
    fn from(a: Assignment) -> AssignmentOut {
        AssignmentOut {
            id: a.id,
            request_id: a.request_id,
            staff_id: a.staff_id,
            label: a.label,
            work_date: a.work_date,
            start_minute: a.start_minute,
            end_minute: a.end_minute,
            worked_minutes: a.worked_minutes,
        }
    }
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct RequestOut {
    pub id: i64,
    pub pool_id: i64,
    pub unit_id: i64,
    pub unit_name: String,
    pub work_date: NaiveDate,
    /// HH:MM
    pub start_time: String,
    /// HH:MM (the next day when `passes_midnight`)
    pub end_time: String,
    pub start_minute: i64,
    pub end_minute: i64,
    pub passes_midnight: bool,
    pub occupation_ssyk: String,
    pub staff_count: i64,
    pub assigned: i64,
    /// open or cancelled
    pub status: String,
    /// open, partly_filled, filled or cancelled
    pub fill_state: String,
    pub note: Option<String>,
    /// Who is assigned (empty for a unit's staff, who see counts).
    pub assignments: Vec<AssignmentOut>,
}

impl From<Request> for RequestOut {
    fn from(r: Request) -> RequestOut {
        RequestOut {
            fill_state: r.fill_state().into(),
            id: r.id,
            pool_id: r.pool_id,
            unit_id: r.unit_id,
            unit_name: r.unit_name,
            work_date: r.work_date,
            start_time: format_time(r.start_minute),
            end_time: format_time(r.end_minute),
            start_minute: r.start_minute,
            end_minute: r.end_minute,
            passes_midnight: r.end_minute > 1440,
            occupation_ssyk: r.occupation_ssyk,
            staff_count: r.staff_count,
            assigned: r.assigned,
            status: r.status,
            note: r.note,
            assignments: r.assignments.into_iter().map(Into::into).collect(),
        }
    }
}

/// The staff to assign to a request.
#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
#[serde(default)]
pub struct AssignIn {
    /// 1–50 staff of the request's pool; all are assigned or none.
    #[schema(nullable = false)]
    staff_ids: Option<Vec<i64>>,
}

/// The minutes actually worked on an assignment.
#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
#[serde(default)]
pub struct WorkedIn {
    /// 0 to the booked length + 240.
    worked_minutes: Option<i64>,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct UnitHoursOut {
    pub unit_id: i64,
    pub unit_name: String,
    /// YYYY-MM
    pub month: String,
    /// All hours worked by the unit's own staff, in minutes.
    pub total_minutes: i64,
    /// Of which by its hourly employees.
    pub hourly_minutes: i64,
}

impl From<UnitHours> for UnitHoursOut {
    fn from(u: UnitHours) -> UnitHoursOut {
        UnitHoursOut {
            unit_id: u.unit_id,
            unit_name: u.unit_name,
            month: u.data.month,
            total_minutes: u.data.total_minutes,
            hourly_minutes: u.data.hourly_minutes,
        }
    }
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct FillOut {
    pub pool_id: Option<i64>,
    pub unit_id: Option<i64>,
    pub unit_name: Option<String>,
    /// YYYY-MM
    pub month: String,
    pub requested: i64,
    pub filled: i64,
    /// filled / requested (null when nothing was requested).
    pub fill_rate: Option<f64>,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct FillRateOut {
    /// Per pool, unit and month.
    pub rows: Vec<FillOut>,
    /// Per pool and month.
    pub by_pool: Vec<FillOut>,
    /// Per unit and month.
    pub by_unit: Vec<FillOut>,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct SharePointOut {
    pub unit_id: i64,
    pub unit_name: String,
    /// YYYY-MM
    pub month: String,
    /// The unit's reported minutes plus the pool's shifts there.
    pub total_minutes: i64,
    /// The unit's hourly minutes plus the pool's hourly staff's shifts there.
    pub hourly_minutes: i64,
    /// hourly_minutes / total_minutes (null when the total is 0).
    pub share: Option<f64>,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct TrainingOut {
    pub id: i64,
    pub staff_id: i64,
    /// The name or staff code.
    pub staff_label: String,
    pub course: String,
    /// The occupation trained toward (SSYK 4).
    pub occupation_ssyk: Option<String>,
    /// The occupation is short of people (newest Yrkesbarometer round).
    pub shortage: bool,
    pub credits_total: i64,
    pub credits_done: i64,
    pub started_on: NaiveDate,
    pub completed_on: Option<NaiveDate>,
    pub version: i64,
}

impl From<Training> for TrainingOut {
    fn from(t: Training) -> TrainingOut {
        TrainingOut {
            id: t.id,
            staff_id: t.staff_id,
            staff_label: t.staff_label,
            course: t.course,
            occupation_ssyk: t.occupation_ssyk,
            shortage: t.shortage,
            credits_total: t.credits_total,
            credits_done: t.credits_done,
            started_on: t.started_on,
            completed_on: t.completed_on,
            version: t.version,
        }
    }
}

/// Training of a member of staff toward an occupation.
#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
#[serde(default)]
pub struct TrainingIn {
    course: Option<String>,
    /// SSYK level-4 code of the shortage occupation trained toward.
    occupation: Option<String>,
    /// 1–5000
    credits_total: Option<i64>,
    /// 0 to credits_total.
    credits_done: Option<i64>,
    /// YYYY-MM-DD
    started_on: Option<String>,
    /// YYYY-MM-DD (all credits done).
    completed_on: Option<String>,
    /// PATCH only: the version you read (a mismatch gives 409).
    #[schema(nullable = false, minimum = 1)]
    version: Option<i64>,
}

impl TrainingIn {
    fn into_input(self) -> TrainingInput {
        TrainingInput {
            course: self.course,
            occupation: self.occupation,
            credits_total: self.credits_total,
            credits_done: self.credits_done,
            started_on: self.started_on,
            completed_on: self.completed_on,
        }
    }
}

// ---------------------------------------------------------------- helpers

/// 409 naming every refused person and every conflict.
pub fn refusal_problem(refusals: &[Refusal]) -> Problem {
    let detail: Vec<String> = refusals.iter().map(Refusal::message).collect();
    let mut p = Problem::new(
        StatusCode::CONFLICT,
        "staffing-conflict",
        "Staffing conflict",
        format!("nothing was assigned: {}", detail.join(" | ")),
    );
    for r in refusals {
        for c in &r.conflicts {
            p.errors.push(FieldError {
                field: "staff_ids".into(),
                code: c.code().into(),
                message: format!("{} (staff {}): {}", r.label, r.staff_id, c.message()),
            });
        }
    }
    p
}

// ---------------------------------------------------------------- pools

/// Every staffing pool.
#[utoipa::path(get, path = "/api/v1/staffing/pools", tag = "staffing",
    responses((status = 200, body = Vec<PoolOut>), (status = 401, body = Problem), (status = 403, body = Problem)))]
pub async fn list_pools(
    State(state): State<AppState>,
    caller: ApiCaller,
) -> Result<Json<Vec<PoolOut>>, Problem> {
    let pools = state.store.list_staffing_pools(&caller.ctx).await?;
    Ok(Json(pools.into_iter().map(Into::into).collect()))
}

/// Start a staffing pool.
#[utoipa::path(post, path = "/api/v1/staffing/pools", tag = "staffing", request_body = PoolInput,
    responses((status = 201, body = PoolOut), (status = 400, body = Problem), (status = 401, body = Problem),
              (status = 403, body = Problem), (status = 415, body = Problem), (status = 422, body = Problem)))]
pub async fn create_pool(
    State(state): State<AppState>,
    caller: ApiCaller,
    body: Body<PoolInput, PoolOut>,
) -> Result<impl IntoResponse, Problem> {
    let data = body.into_rules(PoolData::from_input)?;
    let p = state.store.create_staffing_pool(&caller.ctx, &data).await?;
    Ok(created(
        format!("/api/v1/staffing/pools/{}", p.id),
        PoolOut::from(p),
    ))
}

/// One pool.
#[utoipa::path(get, path = "/api/v1/staffing/pools/{id}", tag = "staffing", params(("id" = i64, Path)),
    responses((status = 200, body = PoolOut), (status = 401, body = Problem), (status = 403, body = Problem),
              (status = 404, body = Problem)))]
pub async fn read_pool(
    State(state): State<AppState>,
    caller: ApiCaller,
    id: Result<Path<String>, PathRejection>,
) -> Result<Json<PoolOut>, Problem> {
    let id = parse_id(id)?;
    Ok(Json(
        state
            .store
            .read_staffing_pool(&caller.ctx, id)
            .await?
            .into(),
    ))
}

/// A pool's staff; participants are named only to those who may read them.
#[utoipa::path(get, path = "/api/v1/staffing/pools/{id}/staff", tag = "staffing", params(("id" = i64, Path)),
    responses((status = 200, body = Vec<StaffOut>), (status = 401, body = Problem), (status = 403, body = Problem),
              (status = 404, body = Problem)))]
pub async fn list_staff(
    State(state): State<AppState>,
    caller: ApiCaller,
    id: Result<Path<String>, PathRejection>,
) -> Result<Json<Vec<StaffOut>>, Problem> {
    let id = parse_id(id)?;
    let staff = state.store.list_staffing_staff(&caller.ctx, id).await?;
    Ok(Json(staff.into_iter().map(Into::into).collect()))
}

/// Add a participant or a regular employee to a pool's staff.
#[utoipa::path(post, path = "/api/v1/staffing/pools/{id}/staff", tag = "staffing", params(("id" = i64, Path)),
    request_body = StaffIn,
    responses((status = 201, body = StaffOut), (status = 400, body = Problem), (status = 401, body = Problem),
              (status = 403, body = Problem), (status = 404, body = Problem), (status = 415, body = Problem),
              (status = 422, body = Problem)))]
pub async fn add_staff(
    State(state): State<AppState>,
    caller: ApiCaller,
    id: Result<Path<String>, PathRejection>,
    body: Body<StaffIn, StaffOut>,
) -> Result<impl IntoResponse, Problem> {
    let id = parse_id(id)?;
    let data = body
        .read_only("version", |b| b.version.is_some())
        .map(StaffIn::into_input)
        .into_rules(StaffData::from_input)?;
    let s = state
        .store
        .add_staffing_staff(&caller.ctx, id, &data)
        .await?;
    Ok((StatusCode::CREATED, Json(StaffOut::from(s))))
}

/// New terms for a member of staff: employment form, occupation, wage and
/// active period (all given; `active_to` null = open-ended); who they are
/// stays. `version` required.
#[utoipa::path(patch, path = "/api/v1/staffing/staff/{id}", tag = "staffing", params(("id" = i64, Path)),
    request_body = StaffIn,
    responses((status = 200, body = StaffOut), (status = 400, body = Problem), (status = 401, body = Problem),
              (status = 403, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem),
              (status = 415, body = Problem), (status = 422, body = Problem)))]
pub async fn update_staff(
    State(state): State<AppState>,
    caller: ApiCaller,
    id: Result<Path<String>, PathRejection>,
    body: Body<StaffIn, StaffOut>,
) -> Result<Json<StaffOut>, Problem> {
    let id = parse_id(id)?;
    let body = body
        .require("version", |b| b.version.is_some())
        .read_only("participant_id", |b| b.participant_id.is_some())
        .read_only("name", |b| b.name.is_some());
    let version = body.value.version;
    let data = body.map(StaffIn::into_input).into_rules(|input| {
        StaffData::from_terms(
            input,
            vagar_domain::work::staffing::StaffPerson::Regular(String::new()),
        )
    })?;
    let s = state
        .store
        .update_staffing_staff(&caller.ctx, id, &data, version.unwrap_or(0))
        .await?;
    Ok(Json(s.into()))
}

// ---------------------------------------------------------------- requests

#[derive(Debug, Deserialize, utoipa::IntoParams)]
pub struct RequestQuery {
    /// YYYY-MM-DD, first date
    pub from: Option<String>,
    /// YYYY-MM-DD, last date
    pub to: Option<String>,
    pub unit_id: Option<String>,
}

/// A pool's requests with their fill state (a unit's staff: their own unit's).
#[utoipa::path(get, path = "/api/v1/staffing/pools/{id}/requests", tag = "staffing",
    params(("id" = i64, Path), RequestQuery),
    responses((status = 200, body = Vec<RequestOut>), (status = 401, body = Problem), (status = 403, body = Problem),
              (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn list_requests(
    State(state): State<AppState>,
    caller: ApiCaller,
    id: Result<Path<String>, PathRejection>,
    Query(q): Query<RequestQuery>,
) -> Result<Json<Vec<RequestOut>>, Problem> {
    let id = parse_id(id)?;
    let mut e = ValidationErrors::new();
    let filter = RequestFilter {
        from: query_date(&mut e, "from", &q.from),
        to: query_date(&mut e, "to", &q.to),
        unit_id: query_id(&mut e, "unit_id", &q.unit_id),
    };
    if !e.is_empty() {
        return Err(Problem::validation(e));
    }
    let reqs = state
        .store
        .list_staffing_requests(&caller.ctx, id, &filter)
        .await?;
    Ok(Json(reqs.into_iter().map(Into::into).collect()))
}

/// Place a request (bemanningsbeställning) for a unit.
#[utoipa::path(post, path = "/api/v1/staffing/pools/{id}/requests", tag = "staffing",
    params(("id" = i64, Path)), request_body = RequestInput,
    responses((status = 201, body = RequestOut), (status = 400, body = Problem), (status = 401, body = Problem),
              (status = 403, body = Problem), (status = 404, body = Problem), (status = 415, body = Problem),
              (status = 422, body = Problem)))]
pub async fn create_request(
    State(state): State<AppState>,
    caller: ApiCaller,
    id: Result<Path<String>, PathRejection>,
    body: Body<RequestInput, RequestOut>,
) -> Result<impl IntoResponse, Problem> {
    let id = parse_id(id)?;
    let data = body.into_rules(RequestData::from_input)?;
    let r = state
        .store
        .create_staffing_request(&caller.ctx, id, &data)
        .await?;
    Ok(created(
        format!("/api/v1/staffing/requests/{}", r.id),
        RequestOut::from(r),
    ))
}

/// One request with its assignments.
#[utoipa::path(get, path = "/api/v1/staffing/requests/{id}", tag = "staffing", params(("id" = i64, Path)),
    responses((status = 200, body = RequestOut), (status = 401, body = Problem), (status = 403, body = Problem),
              (status = 404, body = Problem)))]
pub async fn read_request(
    State(state): State<AppState>,
    caller: ApiCaller,
    id: Result<Path<String>, PathRejection>,
) -> Result<Json<RequestOut>, Problem> {
    let id = parse_id(id)?;
    Ok(Json(
        state
            .store
            .read_staffing_request(&caller.ctx, id)
            .await?
            .into(),
    ))
}

/// Cancel a request (its assignments no longer count anywhere).
#[utoipa::path(post, path = "/api/v1/staffing/requests/{id}/cancel", tag = "staffing", params(("id" = i64, Path)),
    responses((status = 200, body = RequestOut), (status = 401, body = Problem), (status = 403, body = Problem),
              (status = 404, body = Problem), (status = 409, body = Problem)))]
pub async fn cancel_request(
    State(state): State<AppState>,
    caller: ApiCaller,
    id: Result<Path<String>, PathRejection>,
) -> Result<Json<RequestOut>, Problem> {
    let id = parse_id(id)?;
    Ok(Json(
        state
            .store
            .cancel_staffing_request(&caller.ctx, id)
            .await?
            .into(),
    ))
}

/// Assign staff to a request, all or nothing: any conflict (double booking,
/// not active, occupation, 11 h rest, 48 h week, hourly cap, request full)
/// refuses them all with 409, naming every refused person and conflict.
#[utoipa::path(post, path = "/api/v1/staffing/requests/{id}/assignments", tag = "staffing",
    params(("id" = i64, Path)), request_body = AssignIn,
    responses((status = 201, body = RequestOut), (status = 400, body = Problem), (status = 401, body = Problem),
              (status = 403, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem),
              (status = 415, body = Problem), (status = 422, body = Problem)))]
pub async fn assign(
    State(state): State<AppState>,
    caller: ApiCaller,
    id: Result<Path<String>, PathRejection>,
    body: Body<AssignIn>,
) -> Result<impl IntoResponse, Problem> {
    let id = parse_id(id)?;
    let ids = match body
        .require("staff_ids", |b| b.staff_ids.is_some())
        .into_result()
    {
        Ok(AssignIn {
            staff_ids: Some(ids),
        }) if ids.iter().all(|i| *i > 0) => ids,
        Ok(_) => {
            let mut e = ValidationErrors::new();
            e.add(
                "staff_ids",
                "type",
                "staff_ids must be an array of positive ids",
            );
            return Err(Problem::validation(e));
        }
        Err(p) => return Err(p),
    };
    match state.store.assign_staffing(&caller.ctx, id, &ids).await? {
        Ok(r) => Ok((StatusCode::CREATED, Json(RequestOut::from(r)))),
        Err(refusals) => Err(refusal_problem(&refusals)),
    }
}

/// Take a person off a request.
#[utoipa::path(delete, path = "/api/v1/staffing/assignments/{id}", tag = "staffing", params(("id" = i64, Path)),
    responses((status = 204), (status = 401, body = Problem), (status = 403, body = Problem),
              (status = 404, body = Problem)))]
pub async fn unassign(
    State(state): State<AppState>,
    caller: ApiCaller,
    id: Result<Path<String>, PathRejection>,
) -> Result<StatusCode, Problem> {
    let id = parse_id(id)?;
    state
        .store
        .remove_staffing_assignment(&caller.ctx, id)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Report the minutes actually worked on an assignment.
#[utoipa::path(put, path = "/api/v1/staffing/assignments/{id}/worked", tag = "staffing",
    params(("id" = i64, Path)), request_body = WorkedIn,
    responses((status = 200, body = AssignmentOut), (status = 400, body = Problem), (status = 401, body = Problem),
              (status = 403, body = Problem), (status = 404, body = Problem), (status = 415, body = Problem),
              (status = 422, body = Problem)))]
pub async fn report_worked(
    State(state): State<AppState>,
    caller: ApiCaller,
    id: Result<Path<String>, PathRejection>,
    body: Body<WorkedIn>,
) -> Result<Json<AssignmentOut>, Problem> {
    let id = parse_id(id)?;
    let worked = body
        .require("worked_minutes", |b| b.worked_minutes.is_some())
        .into_result()?
        .worked_minutes;
    let a = state
        .store
        .report_staffing_worked(&caller.ctx, id, worked)
        .await?;
    Ok(Json(a.into()))
}

// ---------------------------------------------------------------- unit hours and statistics

#[derive(Debug, Deserialize, utoipa::IntoParams)]
pub struct UnitQuery {
    pub unit_id: Option<String>,
}

/// Units' reported monthly hours (a unit's staff: their own unit's).
#[utoipa::path(get, path = "/api/v1/staffing/unit-hours", tag = "staffing", params(UnitQuery),
    responses((status = 200, body = Vec<UnitHoursOut>), (status = 401, body = Problem), (status = 403, body = Problem),
              (status = 422, body = Problem)))]
pub async fn list_unit_hours(
    State(state): State<AppState>,
    caller: ApiCaller,
    Query(q): Query<UnitQuery>,
) -> Result<Json<Vec<UnitHoursOut>>, Problem> {
    let mut e = ValidationErrors::new();
    let unit = query_id(&mut e, "unit_id", &q.unit_id);
    if !e.is_empty() {
        return Err(Problem::validation(e));
    }
    let rows = state.store.list_unit_hours(&caller.ctx, unit).await?;
    Ok(Json(rows.into_iter().map(Into::into).collect()))
}

/// Report a unit's monthly hours: total and by hourly employees (its own staff).
#[utoipa::path(put, path = "/api/v1/staffing/unit-hours", tag = "staffing", request_body = UnitHoursInput,
    responses((status = 200, body = UnitHoursOut), (status = 400, body = Problem), (status = 401, body = Problem),
              (status = 403, body = Problem), (status = 404, body = Problem), (status = 415, body = Problem),
              (status = 422, body = Problem)))]
pub async fn report_unit_hours(
    State(state): State<AppState>,
    caller: ApiCaller,
    body: Body<UnitHoursInput, UnitHoursOut>,
) -> Result<Json<UnitHoursOut>, Problem> {
    let data = body.into_rules(UnitHoursData::from_input)?;
    Ok(Json(
        state
            .store
            .report_unit_hours(&caller.ctx, &data)
            .await?
            .into(),
    ))
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
pub struct PoolQuery {
    pub pool_id: Option<String>,
}

/// Aggregate fill rows by a key.
pub fn fill_by<K: Ord + Clone>(
    rows: &[FillRow],
    key: impl Fn(&FillRow) -> K,
) -> BTreeMap<K, (Option<String>, Fill)> {
    let mut out: BTreeMap<K, (Option<String>, Fill)> = BTreeMap::new();
    for r in rows {
        let e = out.entry(key(r)).or_default();
        e.0 = Some(r.unit_name.clone());
        e.1.requested += r.fill.requested;
        e.1.filled += r.fill.filled;
    }
    out
}

/// Fill rate (filled / requested positions) per pool, per unit and per month.
#[utoipa::path(get, path = "/api/v1/staffing/fill-rate", tag = "staffing", params(PoolQuery),
    responses((status = 200, body = FillRateOut), (status = 401, body = Problem), (status = 403, body = Problem),
              (status = 422, body = Problem)))]
pub async fn fill_rate(
    State(state): State<AppState>,
    caller: ApiCaller,
    Query(q): Query<PoolQuery>,
) -> Result<Json<FillRateOut>, Problem> {
    let mut e = ValidationErrors::new();
    let pool = query_id(&mut e, "pool_id", &q.pool_id);
    if !e.is_empty() {
        return Err(Problem::validation(e));
    }
    let rows = state.store.staffing_fill_rate(&caller.ctx, pool).await?;
    let out = |pool_id, unit_id, unit_name, month: String, f: Fill| FillOut {
        pool_id,
        unit_id,
        unit_name,
        month,
        requested: f.requested,
        filled: f.filled,
        fill_rate: f.rate(),
    };
    let by_pool = fill_by(&rows, |r| (r.pool_id, r.month.clone()))
        .into_iter()
        .map(|((p, m), (_, f))| out(Some(p), None, None, m, f))
        .collect();
    let by_unit = fill_by(&rows, |r| (r.unit_id, r.month.clone()))
        .into_iter()
        .map(|((u, m), (n, f))| out(None, Some(u), n, m, f))
        .collect();
    Ok(Json(FillRateOut {
        rows: rows
            .into_iter()
            .map(|r| {
                out(
                    Some(r.pool_id),
                    Some(r.unit_id),
                    Some(r.unit_name),
                    r.month,
                    r.fill,
                )
            })
            .collect(),
        by_pool,
        by_unit,
    }))
}

/// The units' share of hours worked by hourly employees, month by month:
/// (unit's hourly + pool's hourly staff's shifts there) / (unit's total +
/// all the pool's shifts there), for the months the unit has reported.
#[utoipa::path(get, path = "/api/v1/staffing/hourly-share", tag = "staffing", params(UnitQuery),
    responses((status = 200, body = Vec<SharePointOut>), (status = 401, body = Problem), (status = 403, body = Problem),
              (status = 422, body = Problem)))]
pub async fn hourly_share(
    State(state): State<AppState>,
    caller: ApiCaller,
    Query(q): Query<UnitQuery>,
) -> Result<Json<Vec<SharePointOut>>, Problem> {
    let mut e = ValidationErrors::new();
    let unit = query_id(&mut e, "unit_id", &q.unit_id);
    if !e.is_empty() {
        return Err(Problem::validation(e));
    }
    let series = state.store.staffing_hourly_share(&caller.ctx, unit).await?;
    Ok(Json(
        series
            .into_iter()
            .map(|(unit_name, p)| SharePointOut {
                unit_id: p.unit_id,
                unit_name,
                month: p.month,
                total_minutes: p.total_minutes,
                hourly_minutes: p.hourly_minutes,
                share: p.share,
            })
            .collect(),
    ))
}

// ---------------------------------------------------------------- training

/// Training progress of a pool's staff, with the shortage mark.
#[utoipa::path(get, path = "/api/v1/staffing/pools/{id}/training", tag = "staffing", params(("id" = i64, Path)),
    responses((status = 200, body = Vec<TrainingOut>), (status = 401, body = Problem), (status = 403, body = Problem),
              (status = 404, body = Problem)))]
pub async fn list_training(
    State(state): State<AppState>,
    caller: ApiCaller,
    id: Result<Path<String>, PathRejection>,
) -> Result<Json<Vec<TrainingOut>>, Problem> {
    let id = parse_id(id)?;
    let list = state.store.list_staffing_training(&caller.ctx, id).await?;
    Ok(Json(list.into_iter().map(Into::into).collect()))
}

/// Start recording a member of staff's training toward an occupation.
#[utoipa::path(post, path = "/api/v1/staffing/staff/{id}/training", tag = "staffing", params(("id" = i64, Path)),
    request_body = TrainingIn,
    responses((status = 201, body = TrainingOut), (status = 400, body = Problem), (status = 401, body = Problem),
              (status = 403, body = Problem), (status = 404, body = Problem), (status = 415, body = Problem),
              (status = 422, body = Problem)))]
pub async fn add_training(
    State(state): State<AppState>,
    caller: ApiCaller,
    id: Result<Path<String>, PathRejection>,
    body: Body<TrainingIn, TrainingOut>,
) -> Result<impl IntoResponse, Problem> {
    let id = parse_id(id)?;
    let data = body
        .read_only("version", |b| b.version.is_some())
        .map(TrainingIn::into_input)
        .into_rules(TrainingData::from_input)?;
    let t = state
        .store
        .add_staffing_training(&caller.ctx, id, &data)
        .await?;
    Ok((StatusCode::CREATED, Json(TrainingOut::from(t))))
}

/// Update training progress (the whole record; `version` required).
#[utoipa::path(patch, path = "/api/v1/staffing/training/{id}", tag = "staffing", params(("id" = i64, Path)),
    request_body = TrainingIn,
    responses((status = 200, body = TrainingOut), (status = 400, body = Problem), (status = 401, body = Problem),
              (status = 403, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem),
              (status = 415, body = Problem), (status = 422, body = Problem)))]
pub async fn update_training(
    State(state): State<AppState>,
    caller: ApiCaller,
    id: Result<Path<String>, PathRejection>,
    body: Body<TrainingIn, TrainingOut>,
) -> Result<Json<TrainingOut>, Problem> {
    let id = parse_id(id)?;
    let body = body.require("version", |b| b.version.is_some());
    let version = body.value.version;
    let data = body
        .map(TrainingIn::into_input)
        .into_rules(TrainingData::from_input)?;
    let t = state
        .store
        .update_staffing_training(&caller.ctx, id, &data, version.unwrap_or(0))
        .await?;
    Ok(Json(t.into()))
}
