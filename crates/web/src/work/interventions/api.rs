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
use crate::kernel::json::{read_body, Body, NoOutput};
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
    components(schemas(InterventionOut, IndicatorOut, OrganisationRef, InterventionInput, InterventionChange, IndicatorInput, VersionIn)),
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

/// A change of an intervention (`version` required): the fields sent
/// replace the stored ones, `null` clears.
#[derive(Debug, Clone, Default, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(default)]
pub struct InterventionChange {
    /// The version you read (a mismatch gives 409).
    #[schema(nullable = false, minimum = 1)]
    version: Option<i64>,
    #[serde(flatten)]
    #[schema(inline)]
    fields: InterventionInput,
}

/// An optional body: the version you read (a mismatch gives 409).
#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
#[serde(default)]
pub struct VersionIn {
    version: Option<i64>,
}

// ------------------------------------------------------------ helpers

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
#[utoipa::path(post, path = "/api/v1/interventions", tag = "interventions", request_body = InterventionInput,
    responses((status = 201, body = InterventionOut, headers(("Location" = String))), (status = 400, body = Problem),
              (status = 401, body = Problem), (status = 403, body = Problem), (status = 415, body = Problem),
              (status = 422, body = Problem)))]
pub async fn create_intervention(
    State(state): State<AppState>,
    caller: ApiCaller,
    body: Body<InterventionInput, InterventionOut>,
) -> Result<impl IntoResponse, Problem> {
    let data = body.into_rules(InterventionData::from_input)?;
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
    request_body = InterventionChange,
    responses((status = 200, body = InterventionOut), (status = 400, body = Problem), (status = 401, body = Problem),
              (status = 403, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem),
              (status = 415, body = Problem), (status = 422, body = Problem)))]
pub async fn update_intervention(
    State(state): State<AppState>,
    caller: ApiCaller,
    id: Result<Path<String>, PathRejection>,
    body: Body<InterventionChange, InterventionOut>,
) -> Result<Json<InterventionOut>, Problem> {
    let id = parse_id(id)?;
    let body = body.require("version", |b| b.version.is_some());
    let version = body.value.version;
    let current = InterventionChange {
        version,
        fields: state
            .store
            .read_intervention(&caller.ctx, id)
            .await?
            .to_input(),
    };
    let data = body
        .over(&current)
        .into_rules(|c| InterventionData::from_input(&c.fields))?;
    let i = state
        .store
        .update_intervention(&caller.ctx, id, &data, version.unwrap_or(0))
        .await?;
    Ok(Json(i.into()))
}

/// Plan an indicator: which outcome, measured how many days after exit, the target level.
#[utoipa::path(post, path = "/api/v1/interventions/{id}/indicators", tag = "interventions",
    params(("id" = i64, Path)), request_body = IndicatorInput,
    responses((status = 201, body = InterventionOut), (status = 400, body = Problem), (status = 401, body = Problem),
              (status = 403, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem),
              (status = 415, body = Problem), (status = 422, body = Problem)))]
pub async fn add_indicator(
    State(state): State<AppState>,
    caller: ApiCaller,
    id: Result<Path<String>, PathRejection>,
    body: Body<IndicatorInput>,
) -> Result<impl IntoResponse, Problem> {
    let id = parse_id(id)?;
    let ind = body.into_rules(Indicator::from_input)?;
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
    let (v, errors) = read_body::<VersionIn>(map, &[])?;
    Body::<_, NoOutput>::new(v, errors)
        .into_result()
        .map(|v| v.version)
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
