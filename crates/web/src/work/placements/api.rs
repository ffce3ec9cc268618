//! `/api/v1/placements`: placements (deltagande) of participants at a host,
//! with their displacement assessment and their work and study shares.
//!
//! Access (docs/work-models/interventions.md): placements follow the
//! participant policy for caseworkers, coordinators act anywhere, admins
//! read, an employer user reads only placements at its own employer with
//! minimal fields (others 404); partners and analysts 403.

use crate::kernel::error::Problem;
use crate::kernel::json::Body;
use crate::kernel::session::ApiCaller;
use crate::participants::api::parse_id;
use crate::work::interventions::api::query_id;
use crate::AppState;
use axum::extract::rejection::PathRejection;
use axum::extract::{Path, Query, State};
use axum::http::{header, StatusCode};
use axum::response::IntoResponse;
use axum::routing::{get, post};
use axum::{Json, Router};
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use vagar_domain::access::{placement_role_may, PlacementAction};
use vagar_domain::work::displacement::{Assessment, Factor, RiskLevel};
use vagar_domain::work::learning::Shares;
use vagar_domain::work::placements::shares::ShareSummary;
use vagar_domain::work::placements::{ExitInput, PlacementInput, PlacementStatus};
use vagar_domain::ValidationErrors;
use vagar_store::work::displacement::RiskQuery;
use vagar_store::work::placements::{NewPlacement, Placement, PlacementFilter};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/placements", get(list_placements).post(create_placement))
        .route("/placements/risk", post(assess_risk))
        .route(
            "/placements/{id}",
            get(read_placement).patch(update_placement),
        )
        .route("/placements/{id}/exit", post(exit_placement))
        .route("/placements/{id}/override", post(override_placement))
        .route("/placements/{id}/displacement", get(read_displacement))
        .route(
            "/placements/{id}/weeks/{week_start}",
            axum::routing::put(record_week),
        )
}

#[derive(utoipa::OpenApi)]
#[openapi(
    paths(
        list_placements,
        create_placement,
        assess_risk,
        read_placement,
        update_placement,
        exit_placement,
        override_placement,
        read_displacement,
        record_week
    ),
    components(schemas(
        PlacementOut,
        PlacementMinimalOut,
        PlacementAnswer,
        NewPlacement,
        PlacementChange,
        ExitInput,
        OverrideIn,
        RiskQuery,
        Assessment,
        Factor,
        RiskLevel,
        SharesOut,
        SharesPlanned,
        ShareFigures,
        ShareWeekOut,
        WeekIn
    ))
)]
pub struct Doc;

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct PlacementOut {
    pub id: i64,
    pub participant_id: i64,
    pub first_name: String,
    pub last_name: String,
    pub intervention_id: i64,
    pub intervention_name: String,
    pub employer_id: Option<i64>,
    pub employer_name: Option<String>,
    pub workplace_id: Option<i64>,
    pub workplace_name: Option<String>,
    pub host_organisation_id: Option<i64>,
    pub host_organisation_name: Option<String>,
    pub need_id: Option<i64>,
    pub occupation_ssyk: Option<String>,
    pub role_title: Option<String>,
    pub start_date: NaiveDate,
    pub end_date: NaiveDate,
    /// municipality, host, work_practice
    pub employment_form: String,
    pub hours_per_week_minutes: i64,
    pub planned_work_percent: i64,
    pub planned_study_percent: i64,
    pub monthly_wage_ore: Option<i64>,
    pub monthly_subsidy_ore: Option<i64>,
    pub subsidy_kind: Option<String>,
    pub supervisor_name: Option<String>,
    pub supervisor_phone: Option<String>,
    pub supervisor_email: Option<String>,
    pub extra_task: bool,
    /// low, medium, high, blocked
    pub risk_level: RiskLevel,
    pub risk_factors: Vec<Factor>,
    pub override_reason: Option<String>,
    pub override_by: Option<i64>,
    pub override_at: Option<DateTime<Utc>>,
    /// planned, active, ended, cancelled
    pub status: String,
    pub exit_date: Option<NaiveDate>,
    pub exit_outcome: Option<String>,
    pub plan_step_id: Option<i64>,
    pub version: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    /// Work and study shares, planned and recorded (one placement read only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub shares: Option<SharesOut>,
}

/// Minutes of work and study and their shares of the sum.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ShareFigures {
    pub work_minutes: i64,
    pub study_minutes: i64,
    /// 100 × work / (work + study), one decimal; null when both are 0.
    pub work_percent: Option<f64>,
    pub study_percent: Option<f64>,
}

impl From<Shares> for ShareFigures {
    fn from(s: Shares) -> Self {
        ShareFigures {
            work_minutes: s.work_minutes,
            study_minutes: s.study_minutes,
            work_percent: s.work_share,
            study_percent: s.study_share,
        }
    }
}

/// The planned shares of the placement (whole percent) and what was recorded.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct SharesPlanned {
    pub work_percent: i64,
    pub study_percent: i64,
}

/// One stored week: planned minutes and, once recorded, the minutes done.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ShareWeekOut {
    pub week_start: NaiveDate,
    pub planned_work_minutes: i64,
    pub planned_study_minutes: i64,
    pub work_minutes: Option<i64>,
    pub study_minutes: Option<i64>,
}

/// Work and study shares: planned on the placement, recorded week by week.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct SharesOut {
    pub planned: SharesPlanned,
    /// The recorded weeks' done minutes summed, with their shares.
    pub recorded: ShareFigures,
    /// The planned minutes of the same recorded weeks.
    pub planned_for_recorded_weeks: ShareFigures,
    pub recorded_weeks: i64,
    pub weeks: Vec<ShareWeekOut>,
}

impl From<ShareSummary> for SharesOut {
    fn from(s: ShareSummary) -> Self {
        SharesOut {
            planned: SharesPlanned {
                work_percent: s.planned_work_percent,
                study_percent: s.planned_study_percent,
            },
            recorded: s.recorded.into(),
            planned_for_recorded_weeks: s.planned_recorded.into(),
            recorded_weeks: s.recorded_weeks as i64,
            weeks: s
                .weeks
                .into_iter()
                .map(|w| ShareWeekOut {
                    week_start: w.week_start,
                    planned_work_minutes: w.planned_work,
                    planned_study_minutes: w.planned_study,
                    work_minutes: w.done_work,
                    study_minutes: w.done_study,
                })
                .collect(),
        }
    }
}

/// The hours done in one week, in minutes.
#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
#[serde(default)]
pub struct WeekIn {
    pub work_minutes: Option<i64>,
    pub study_minutes: Option<i64>,
}

/// The host's view of its placed participant: no identity number and no
/// other personal data than the first name.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct PlacementMinimalOut {
    pub id: i64,
    pub first_name: String,
    pub employer_id: Option<i64>,
    pub workplace_name: Option<String>,
    pub role_title: Option<String>,
    pub start_date: NaiveDate,
    pub end_date: NaiveDate,
    pub hours_per_week_minutes: i64,
    pub supervisor_name: Option<String>,
    pub supervisor_phone: Option<String>,
    pub supervisor_email: Option<String>,
    pub status: String,
}

/// A placement as the caller may see it: full, or the host's minimal view.
#[derive(Debug, Serialize, utoipa::ToSchema)]
#[serde(untagged)]
pub enum PlacementAnswer {
    Full(Box<PlacementOut>),
    Minimal(PlacementMinimalOut),
}

impl From<Placement> for PlacementAnswer {
    fn from(p: Placement) -> PlacementAnswer {
        if p.minimal {
            return PlacementAnswer::Minimal(PlacementMinimalOut {
                id: p.id,
                first_name: p.first_name,
                employer_id: p.employer_id,
                workplace_name: p.workplace_name,
                role_title: p.role_title,
                start_date: p.start_date,
                end_date: p.end_date,
                hours_per_week_minutes: p.hours_per_week_minutes,
                supervisor_name: p.supervisor_name,
                supervisor_phone: p.supervisor_phone,
                supervisor_email: p.supervisor_email,
                status: p.status,
            });
        }
        PlacementAnswer::Full(Box::new(PlacementOut {
            id: p.id,
            participant_id: p.participant_id,
            first_name: p.first_name,
            last_name: p.last_name,
            intervention_id: p.intervention_id,
            intervention_name: p.intervention_name,
            employer_id: p.employer_id,
            employer_name: p.employer_name,
            workplace_id: p.workplace_id,
            workplace_name: p.workplace_name,
            host_organisation_id: p.host_organisation_id,
            host_organisation_name: p.host_organisation_name,
            need_id: p.need_id,
            occupation_ssyk: p.occupation_ssyk,
            role_title: p.role_title,
            start_date: p.start_date,
            end_date: p.end_date,
            employment_form: p.employment_form,
            hours_per_week_minutes: p.hours_per_week_minutes,
            planned_work_percent: p.planned_work_percent,
            planned_study_percent: p.planned_study_percent,
            monthly_wage_ore: p.monthly_wage_ore,
            monthly_subsidy_ore: p.monthly_subsidy_ore,
            subsidy_kind: p.subsidy_kind,
            supervisor_name: p.supervisor_name,
            supervisor_phone: p.supervisor_phone,
            supervisor_email: p.supervisor_email,
            extra_task: p.extra_task,
            risk_level: p.risk.level,
            risk_factors: p.risk.factors,
            override_reason: p.override_reason,
            override_by: p.override_by,
            override_at: p.override_at,
            status: p.status,
            exit_date: p.exit_date,
            exit_outcome: p.exit_outcome,
            plan_step_id: p.plan_step_id,
            version: p.version,
            created_at: p.created_at,
            updated_at: p.updated_at,
            shares: p.shares.map(Into::into),
        }))
    }
}

/// A change of a placement's terms (`version` required): the fields sent
/// replace the stored ones, `null` clears; a share sent alone makes the
/// other follow from it.
#[derive(Debug, Clone, Default, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(default)]
pub struct PlacementChange {
    /// The version you read (a mismatch gives 409).
    #[schema(nullable = false, minimum = 1)]
    version: Option<i64>,
    #[serde(flatten)]
    #[schema(inline)]
    terms: PlacementInput,
}

/// Let a blocked placement stand.
#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
#[serde(default)]
pub struct OverrideIn {
    /// At least 10 characters.
    #[schema(nullable = false)]
    override_reason: Option<String>,
    version: Option<i64>,
}

// ------------------------------------------------------------ placements

#[derive(Debug, Deserialize, utoipa::IntoParams)]
pub struct PlacementQuery {
    pub intervention_id: Option<String>,
    pub employer_id: Option<String>,
    pub participant_id: Option<String>,
    /// planned, active, ended, cancelled
    pub status: Option<String>,
}

/// The placements the caller may read; an employer user gets its own hosts' placements, minimal.
#[utoipa::path(get, path = "/api/v1/placements", tag = "interventions", params(PlacementQuery),
    responses((status = 200, body = Vec<PlacementAnswer>), (status = 401, body = Problem),
              (status = 403, body = Problem), (status = 422, body = Problem)))]
pub async fn list_placements(
    State(state): State<AppState>,
    caller: ApiCaller,
    Query(q): Query<PlacementQuery>,
) -> Result<Json<Vec<PlacementAnswer>>, Problem> {
    let mut e = ValidationErrors::new();
    let filter = PlacementFilter {
        intervention_id: query_id(&mut e, "intervention_id", q.intervention_id.as_deref()),
        employer_id: query_id(&mut e, "employer_id", q.employer_id.as_deref()),
        participant_id: query_id(&mut e, "participant_id", q.participant_id.as_deref()),
        status: q.status.as_deref().filter(|s| !s.is_empty()).and_then(|s| {
            let p = PlacementStatus::parse(s);
            if p.is_none() {
                e.add(
                    "status",
                    "invalid_choice",
                    "status must be planned, active, ended or cancelled",
                );
            }
            p
        }),
    };
    if !e.is_empty() {
        return Err(Problem::validation(e));
    }
    let list = state.store.list_placements(&caller.ctx, &filter).await?;
    Ok(Json(list.into_iter().map(Into::into).collect()))
}

/// Place a participant. Breaking a programme rule: 422 naming the rule; a
/// blocked displacement assessment: 422 `displacement_blocked` naming the
/// factor, unless an employer coordinator sends `override_reason`. Fills a
/// slot of the need and writes a step into the participant's action plan.
#[utoipa::path(post, path = "/api/v1/placements", tag = "interventions", request_body = NewPlacement,
    responses((status = 201, body = PlacementOut, headers(("Location" = String))), (status = 400, body = Problem),
              (status = 401, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem),
              (status = 415, body = Problem), (status = 422, body = Problem)))]
pub async fn create_placement(
    State(state): State<AppState>,
    caller: ApiCaller,
    body: Body<NewPlacement, PlacementOut>,
) -> Result<impl IntoResponse, Problem> {
    let Body { value, errors, .. } = body
        .require("participant_id", |b| b.participant_id > 0)
        .require("intervention_id", |b| b.intervention_id > 0);
    // The store decides the role first (audited), then names these errors
    // with the rules' for the other fields, or places.
    let p = state
        .store
        .create_placement_shaped(&caller.ctx, &value, errors)
        .await?;
    Ok((
        StatusCode::CREATED,
        [(header::LOCATION, format!("/api/v1/placements/{}", p.id))],
        Json(PlacementAnswer::from(p)),
    ))
}

/// The displacement dry run: the assessment a placement at this host in
/// this occupation would get, factor by factor, before anyone is placed.
#[utoipa::path(post, path = "/api/v1/placements/risk", tag = "interventions", request_body = RiskQuery,
    responses((status = 200, body = Assessment), (status = 400, body = Problem), (status = 401, body = Problem),
              (status = 403, body = Problem), (status = 415, body = Problem), (status = 422, body = Problem)))]
pub async fn assess_risk(
    State(state): State<AppState>,
    caller: ApiCaller,
    body: Body<RiskQuery>,
) -> Result<Json<Assessment>, Problem> {
    // The store decides (and audits) the role first.
    let q = body.into_result()?;
    Ok(Json(
        state.store.assess_displacement(&caller.ctx, &q).await?,
    ))
}

/// One placement: full, or for the host's employer user the minimal view.
#[utoipa::path(get, path = "/api/v1/placements/{id}", tag = "interventions", params(("id" = i64, Path)),
    responses((status = 200, body = PlacementAnswer), (status = 401, body = Problem),
              (status = 403, body = Problem), (status = 404, body = Problem)))]
pub async fn read_placement(
    State(state): State<AppState>,
    caller: ApiCaller,
    id: Result<Path<String>, PathRejection>,
) -> Result<Json<PlacementAnswer>, Problem> {
    let id = parse_id(id)?;
    Ok(Json(
        state.store.read_placement(&caller.ctx, id).await?.into(),
    ))
}

/// The stored displacement assessment, factor by factor (with any override).
#[utoipa::path(get, path = "/api/v1/placements/{id}/displacement", tag = "interventions",
    params(("id" = i64, Path)),
    responses((status = 200, body = Assessment), (status = 401, body = Problem),
              (status = 403, body = Problem), (status = 404, body = Problem)))]
pub async fn read_displacement(
    State(state): State<AppState>,
    caller: ApiCaller,
    id: Result<Path<String>, PathRejection>,
) -> Result<Json<Assessment>, Problem> {
    let id = parse_id(id)?;
    // The host's minimal view carries no assessment: 403 for its role.
    let p = state.store.read_placement_full(&caller.ctx, id).await?;
    Ok(Json(p.risk))
}

/// Change a placement's terms; validated again against the programme's
/// rules and re-assessed. `version` is required.
#[utoipa::path(patch, path = "/api/v1/placements/{id}", tag = "interventions", params(("id" = i64, Path)),
    request_body = PlacementChange,
    responses((status = 200, body = PlacementOut), (status = 400, body = Problem), (status = 401, body = Problem),
              (status = 403, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem),
              (status = 415, body = Problem), (status = 422, body = Problem)))]
pub async fn update_placement(
    State(state): State<AppState>,
    caller: ApiCaller,
    id: Result<Path<String>, PathRejection>,
    body: Body<PlacementChange, PlacementOut>,
) -> Result<Json<PlacementAnswer>, Problem> {
    let id = parse_id(id)?;
    let body = body.require("version", |b| b.version.is_some());
    let version = body.value.version.unwrap_or(0);
    // Shares: when only one is sent, the other follows from it.
    let (work, study) = (
        body.sent("planned_work_percent"),
        body.sent("planned_study_percent"),
    );
    // The store decides the role first (audited), then lays the body over
    // the stored terms (JSON Merge Patch) and checks them again.
    let p = state
        .store
        .update_placement_with(&caller.ctx, id, version, |current| {
            let base = PlacementChange {
                version: None,
                terms: current,
            };
            let merged = body.over(&base);
            if !merged.errors.is_empty() {
                return Err(merged.errors);
            }
            let mut input = merged.value.terms;
            if work && !study {
                input.planned_study_percent = None;
            }
            if study && !work {
                input.planned_work_percent = None;
            }
            Ok(input)
        })
        .await?;
    Ok(Json(p.into()))
}

/// End a placement with its outcome: the need's slot frees and the plan step closes.
#[utoipa::path(post, path = "/api/v1/placements/{id}/exit", tag = "interventions", params(("id" = i64, Path)),
    request_body = ExitInput,
    responses((status = 200, body = PlacementOut), (status = 400, body = Problem), (status = 401, body = Problem),
              (status = 403, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem),
              (status = 415, body = Problem), (status = 422, body = Problem)))]
pub async fn exit_placement(
    State(state): State<AppState>,
    caller: ApiCaller,
    id: Result<Path<String>, PathRejection>,
    body: Body<ExitInput>,
) -> Result<Json<PlacementAnswer>, Problem> {
    let id = parse_id(id)?;
    let input = body.into_result()?;
    let version = input.version;
    let p = state
        .store
        .exit_placement(&caller.ctx, id, &input, version)
        .await?;
    Ok(Json(p.into()))
}

/// Let a blocked placement stand (employer coordinators), with a recorded reason.
#[utoipa::path(post, path = "/api/v1/placements/{id}/override", tag = "interventions", params(("id" = i64, Path)),
    request_body = OverrideIn,
    responses((status = 200, body = PlacementOut), (status = 400, body = Problem), (status = 401, body = Problem),
              (status = 403, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem),
              (status = 415, body = Problem), (status = 422, body = Problem)))]
pub async fn override_placement(
    State(state): State<AppState>,
    caller: ApiCaller,
    id: Result<Path<String>, PathRejection>,
    body: Body<OverrideIn>,
) -> Result<Json<PlacementAnswer>, Problem> {
    let id = parse_id(id)?;
    let OverrideIn {
        override_reason: reason,
        version,
    } = body.into_result()?;
    let p = state
        .store
        .override_placement(&caller.ctx, id, reason.as_deref(), version)
        .await?;
    Ok(Json(p.into()))
}

/// Record the hours actually worked and studied in one Monday week of the
/// placement (minutes). Refused with 422 naming the field for a week outside
/// the placement, not a Monday or ahead of today, and for minutes negative
/// or over 7 × 24 h together; nothing is written then.
#[utoipa::path(put, path = "/api/v1/placements/{id}/weeks/{week_start}", tag = "interventions",
    params(("id" = i64, Path), ("week_start" = String, Path, description = "The week's Monday, YYYY-MM-DD")),
    request_body = WeekIn,
    responses((status = 200, body = SharesOut), (status = 400, body = Problem), (status = 401, body = Problem),
              (status = 403, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem),
              (status = 415, body = Problem), (status = 422, body = Problem)))]
pub async fn record_week(
    State(state): State<AppState>,
    caller: ApiCaller,
    path: Result<Path<(String, String)>, PathRejection>,
    body: Body<WeekIn>,
) -> Result<Json<SharesOut>, Problem> {
    let Ok(Path((id, week))) = path else {
        return Err(Problem::not_found());
    };
    let id = id
        .parse::<i64>()
        .ok()
        .filter(|v| *v > 0)
        .ok_or_else(Problem::not_found)?;
    if !placement_role_may(caller.ctx.actor.role, PlacementAction::Update) {
        // Decided and audited by the store before the body is looked at.
        state
            .store
            .record_placement_week(&caller.ctx, id, &week, None, None)
            .await?;
    }
    let WeekIn {
        work_minutes: work,
        study_minutes: study,
    } = body.into_result()?;
    let s = state
        .store
        .record_placement_week(&caller.ctx, id, &week, work, study)
        .await?;
    Ok(Json(s.into()))
}
