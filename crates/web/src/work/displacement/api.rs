//! `/api/v1/employers/{id}/staff-reductions` and the workplaces' staff
//! counts: the hosts' notices and dismissals that the displacement
//! assessment of a placement reads.

use crate::kernel::error::Problem;
use crate::kernel::json::{nullable, Body};
use crate::kernel::session::ApiCaller;
use crate::participants::api::parse_id;
use crate::AppState;
use axum::extract::rejection::PathRejection;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::IntoResponse;
use axum::routing::get;
use axum::{Json, Router};
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use vagar_domain::work::displacement::{Reduction, ReductionInput};
use vagar_store::work::displacement::StaffReduction;

pub fn router() -> Router<AppState> {
    Router::new()
        .route(
            "/employers/{id}/staff-reductions",
            get(list_reductions).post(create_reduction),
        )
        .route(
            "/employers/{id}/workplaces/{workplace_id}/staff-count",
            axum::routing::put(set_staff_count),
        )
}

#[derive(utoipa::OpenApi)]
#[openapi(
    paths(list_reductions, create_reduction, set_staff_count),
    components(schemas(StaffReductionOut, ReductionInput, StaffCountIn, WorkplaceStaffOut))
)]
pub struct Doc;

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct StaffReductionOut {
    pub id: i64,
    pub employer_id: i64,
    pub workplace_id: Option<i64>,
    pub occupation_ssyk: String,
    /// notice (varsel) or dismissal (uppsägning)
    pub kind: String,
    pub occurred_on: NaiveDate,
    pub persons: i64,
    pub note: Option<String>,
    pub created_at: DateTime<Utc>,
}

impl From<StaffReduction> for StaffReductionOut {
    fn from(r: StaffReduction) -> Self {
        StaffReductionOut {
            id: r.id,
            employer_id: r.employer_id,
            workplace_id: r.workplace_id,
            occupation_ssyk: r.occupation_ssyk,
            kind: r.kind,
            occurred_on: r.occurred_on,
            persons: r.persons,
            note: r.note,
            created_at: r.created_at,
        }
    }
}

// ------------------------------------------------------------ staff reductions

/// The employer's recorded notices and dismissals (as the register's read).
#[utoipa::path(get, path = "/api/v1/employers/{id}/staff-reductions", tag = "interventions",
    params(("id" = i64, Path)),
    responses((status = 200, body = Vec<StaffReductionOut>), (status = 401, body = Problem),
              (status = 403, body = Problem), (status = 404, body = Problem)))]
pub async fn list_reductions(
    State(state): State<AppState>,
    caller: ApiCaller,
    id: Result<Path<String>, PathRejection>,
) -> Result<Json<Vec<StaffReductionOut>>, Problem> {
    let id = parse_id(id)?;
    let list = state.store.list_staff_reductions(&caller.ctx, id).await?;
    Ok(Json(list.into_iter().map(Into::into).collect()))
}

/// Record a notice or dismissal (employer coordinators). Open placements
/// at the employer in that occupation are assessed again (and so blocked).
#[utoipa::path(post, path = "/api/v1/employers/{id}/staff-reductions", tag = "interventions",
    params(("id" = i64, Path)), request_body = ReductionInput,
    responses((status = 201, body = StaffReductionOut), (status = 400, body = Problem), (status = 401, body = Problem),
              (status = 403, body = Problem), (status = 404, body = Problem), (status = 415, body = Problem),
              (status = 422, body = Problem)))]
pub async fn create_reduction(
    State(state): State<AppState>,
    caller: ApiCaller,
    id: Result<Path<String>, PathRejection>,
    body: Body<ReductionInput, StaffReductionOut>,
) -> Result<impl IntoResponse, Problem> {
    let id = parse_id(id)?;
    let input = if body.errors.is_empty() {
        body.value
    } else {
        let today = vagar_domain::time::swedish_date(caller.ctx.now);
        return Err(body
            .into_rules(|i| Reduction::from_input(i, today))
            .err()
            .unwrap_or_else(Problem::not_found));
    };
    let r = state
        .store
        .record_staff_reduction(&caller.ctx, id, &input)
        .await?;
    Ok((StatusCode::CREATED, Json(StaffReductionOut::from(r))))
}

/// A workplace's head count.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct WorkplaceStaffOut {
    pub id: i64,
    pub name: String,
    pub staff_count: Option<i64>,
}

/// A workplace's head count.
#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
#[serde(default)]
pub struct StaffCountIn {
    /// 1–1000000, or null when not known (required).
    #[serde(deserialize_with = "nullable")]
    #[schema(value_type = Option<i64>)]
    staff_count: Option<Option<i64>>,
}

/// Record a workplace's head count (employer coordinators): the base of the
/// share of subsidised and programme workers in the displacement assessment.
#[utoipa::path(put, path = "/api/v1/employers/{id}/workplaces/{workplace_id}/staff-count", tag = "interventions",
    params(("id" = i64, Path), ("workplace_id" = i64, Path)), request_body = StaffCountIn,
    responses((status = 200, body = WorkplaceStaffOut), (status = 400, body = Problem), (status = 401, body = Problem),
              (status = 403, body = Problem), (status = 404, body = Problem), (status = 415, body = Problem),
              (status = 422, body = Problem)))]
pub async fn set_staff_count(
    State(state): State<AppState>,
    caller: ApiCaller,
    ids: Result<Path<(String, String)>, PathRejection>,
    body: Body<StaffCountIn, WorkplaceStaffOut>,
) -> Result<Json<WorkplaceStaffOut>, Problem> {
    let (id, workplace_id) = ids
        .ok()
        .and_then(|Path((a, b))| Some((a.parse::<i64>().ok()?, b.parse::<i64>().ok()?)))
        .filter(|(a, b)| *a > 0 && *b > 0)
        .ok_or_else(Problem::not_found)?;
    let body = body.require("staff_count", |b| b.staff_count.is_some());
    if !vagar_domain::access::employer_role_may(
        caller.ctx.actor.role,
        vagar_domain::access::EmployerAction::Manage,
    ) {
        // Decided (and audited) by the store first.
        state
            .store
            .set_staff_count(&caller.ctx, id, workplace_id, None)
            .await?;
    }
    let count = body.into_result()?.staff_count.flatten();
    let w = state
        .store
        .set_staff_count(&caller.ctx, id, workplace_id, count)
        .await?;
    Ok(Json(WorkplaceStaffOut {
        id: w.id,
        name: w.name,
        staff_count: w.staff_count,
    }))
}
