//! `/api/v1/learning-employments`: the employer model (learning employment,
//! like REVIT). A placement employed by the host in an employer-model
//! intervention gets a school partner and a planned work/study split; the
//! week-by-week plan is generated, adjusted week by week, and followed by
//! the hours actually done; then completion and whether the employer hired.
//! `/api/v1/learning-summaries/{intervention_id}` sums an intervention up.
//!
//! Access (`vagar_domain::work::learning::access`): employer coordinators do
//! everything; caseworkers read where they may read the participant and
//! change where they may change the participant; admins read; the host
//! (`employer`) reads its own with minimal fields and records hours done;
//! the school (a partner named by a consent in force) reads minimal fields
//! and records study hours only; analysts read summaries only. 404 for what
//! the caller may not see, 403 for roles that never may.

use crate::kernel::error::Problem;
use crate::kernel::json::Body;
use crate::kernel::params::{created, merge_missing, positive_id, query_id};
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
use vagar_domain::work::learning::{LearningInput, Shares};
use vagar_domain::ValidationErrors;
use vagar_store::work::learning::{
    DoneInput, InterventionLearningSummary, LearningEmployment, LearningFilter,
};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/learning-employments", get(list).post(create))
        .route("/learning-employments/{placement_id}", get(read))
        .route(
            "/learning-employments/{placement_id}/weeks/{week_start}",
            put(plan_week),
        )
        .route(
            "/learning-employments/{placement_id}/weeks/{week_start}/done",
            put(record_done),
        )
        .route(
            "/learning-employments/{placement_id}/completion",
            post(complete),
        )
        .route(
            "/learning-employments/{placement_id}/hire-outcome",
            post(hire_outcome),
        )
        .route("/learning-summaries/{intervention_id}", get(summary))
}

/// One week of the plan and what was done.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct LearningWeekOut {
    /// The Monday that starts the week.
    pub week_start: NaiveDate,
    pub planned_work_minutes: i64,
    pub planned_study_minutes: i64,
    /// 100 × study / (work + study) of the week's plan, one decimal.
    pub planned_study_share: Option<f64>,
    /// Null until recorded.
    pub done_work_minutes: Option<i64>,
    pub done_study_minutes: Option<i64>,
    /// The week's done study share (when both work and study are recorded).
    pub done_study_share: Option<f64>,
    /// Planned study share of every week up to and including this one.
    pub running_planned_study_share: Option<f64>,
    /// Done study share of the recorded weeks up to and including this one.
    pub running_done_study_share: Option<f64>,
}

/// A learning employment with its plan and follow-up.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct LearningOut {
    /// The placement it is (its id).
    pub placement_id: i64,
    /// Null in the host's and the school's minimal view.
    pub participant_id: Option<i64>,
    pub participant_name: String,
    pub intervention_id: i64,
    pub intervention_name: String,
    /// The municipality: the intervention's lead organisation (null if none).
    pub municipality_organisation_id: Option<i64>,
    pub municipality_name: Option<String>,
    pub employer_id: Option<i64>,
    pub employer_name: Option<String>,
    pub workplace_name: Option<String>,
    pub role_title: Option<String>,
    pub start_date: NaiveDate,
    pub end_date: NaiveDate,
    pub hours_per_week_minutes: i64,
    pub school_organisation_id: Option<i64>,
    pub school_name: String,
    pub programme: Option<String>,
    pub work_percent: i64,
    pub study_percent: i64,
    /// Percentage points below plan that flag a deviation.
    pub deviation_threshold_pp: i64,
    /// completed or discontinued (null while running)
    pub completion: Option<String>,
    pub completed_on: Option<NaiveDate>,
    /// hired or not_hired (null: not known)
    pub hired_after: Option<String>,
    pub hired_on: Option<NaiveDate>,
    pub version: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    /// The whole plan's totals and shares.
    pub planned_work_minutes: i64,
    pub planned_study_minutes: i64,
    pub planned_work_share: Option<f64>,
    pub planned_study_share: Option<f64>,
    /// The recorded weeks' done totals and shares.
    pub recorded_weeks: i64,
    pub done_work_minutes: i64,
    pub done_study_minutes: i64,
    pub done_work_share: Option<f64>,
    pub done_study_share: Option<f64>,
    /// The planned study share of the recorded weeks (what done is held to).
    pub planned_study_share_recorded: Option<f64>,
    /// The last four recorded weeks: planned and done study share.
    pub recent_planned_study_share: Option<f64>,
    pub recent_done_study_share: Option<f64>,
    /// The recent done study share is more than `deviation_threshold_pp`
    /// points below plan.
    pub deviation: bool,
    pub weeks: Vec<LearningWeekOut>,
}

impl From<LearningEmployment> for LearningOut {
    fn from(l: LearningEmployment) -> LearningOut {
        let f = &l.follow_up;
        let weeks = l
            .weeks
            .iter()
            .zip(&f.weeks)
            .map(|(w, fw)| LearningWeekOut {
                week_start: w.week_start,
                planned_work_minutes: w.planned_work,
                planned_study_minutes: w.planned_study,
                planned_study_share: fw.planned.study_share,
                done_work_minutes: w.done_work,
                done_study_minutes: w.done_study,
                done_study_share: fw.done.and_then(|d: Shares| d.study_share),
                running_planned_study_share: fw.running_planned.study_share,
                running_done_study_share: fw.running_done.study_share,
            })
            .collect();
        LearningOut {
            placement_id: l.placement_id,
            participant_id: l.participant_id,
            participant_name: l.participant_name,
            intervention_id: l.intervention_id,
            intervention_name: l.intervention_name,
            municipality_organisation_id: l.municipality_organisation_id,
            municipality_name: l.municipality_name,
            employer_id: l.employer_id,
            employer_name: l.employer_name,
            workplace_name: l.workplace_name,
            role_title: l.role_title,
            start_date: l.start_date,
            end_date: l.end_date,
            hours_per_week_minutes: l.hours_per_week_minutes,
            school_organisation_id: l.school_organisation_id,
            school_name: l.school_name,
            programme: l.programme,
            work_percent: l.work_percent,
            study_percent: l.study_percent,
            deviation_threshold_pp: l.deviation_threshold_pp,
            completion: l.completion,
            completed_on: l.completed_on,
            hired_after: l.hired_after,
            hired_on: l.hired_on,
            version: l.version,
            created_at: l.created_at,
            updated_at: l.updated_at,
            planned_work_minutes: f.planned.work_minutes,
            planned_study_minutes: f.planned.study_minutes,
            planned_work_share: f.planned.work_share,
            planned_study_share: f.planned.study_share,
            recorded_weeks: f.recorded_weeks as i64,
            done_work_minutes: f.done.work_minutes,
            done_study_minutes: f.done.study_minutes,
            done_work_share: f.done.work_share,
            done_study_share: f.done.study_share,
            planned_study_share_recorded: f.planned_recorded.study_share,
            recent_planned_study_share: f.recent_planned_study_share,
            recent_done_study_share: f.recent_done_study_share,
            deviation: f.deviation,
            weeks,
        }
    }
}

/// Create: a placement becomes a learning employment.
/// Change one week of the plan.
#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
#[serde(default)]
pub struct LearningPlanWeekIn {
    /// 0–10080 each; together at most 10080 (7 × 24 h).
    planned_work_minutes: Option<i64>,
    planned_study_minutes: Option<i64>,
    /// The version you read (a mismatch gives 409).
    #[schema(nullable = false, minimum = 1)]
    version: Option<i64>,
}

/// Record the hours done in one week (the current or a past week of the plan).
#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
#[serde(default)]
pub struct LearningDoneIn {
    /// Work minutes done (not sent by the school, which records study only).
    done_work_minutes: Option<i64>,
    /// Study minutes done; together at most 10080 (7 × 24 h).
    done_study_minutes: Option<i64>,
    #[schema(nullable = false, minimum = 1)]
    version: Option<i64>,
}

/// How the learning employment ended.
#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
#[serde(default)]
pub struct LearningCompletionIn {
    /// completed or discontinued
    #[schema(nullable = false)]
    completion: Option<String>,
    /// YYYY-MM-DD, from the placement's start, not in the future (a
    /// discontinuation not after the planned end).
    #[schema(nullable = false)]
    completed_on: Option<String>,
    #[schema(nullable = false, minimum = 1)]
    version: Option<i64>,
}

/// Whether the employer hired the participant afterwards.
#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
#[serde(default)]
pub struct LearningHireIn {
    /// hired or not_hired (after the completion is recorded)
    #[schema(nullable = false)]
    hired_after: Option<String>,
    /// YYYY-MM-DD, on or after the completion, not in the future.
    #[schema(nullable = false)]
    hired_on: Option<String>,
    #[schema(nullable = false, minimum = 1)]
    version: Option<i64>,
}

/// An intervention's learning employments summed up.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct LearningSummaryOut {
    pub intervention_id: i64,
    pub intervention_name: String,
    pub count: i64,
    pub completed: i64,
    pub discontinued: i64,
    /// 100 × completed / (completed + discontinued), one decimal.
    pub completion_rate: Option<f64>,
    pub hired: i64,
    pub not_hired: i64,
    /// 100 × hired / (hired + not_hired), one decimal.
    pub hired_rate: Option<f64>,
    /// Mean of each learning employment's done shares over its recorded weeks.
    pub mean_done_work_share: Option<f64>,
    pub mean_done_study_share: Option<f64>,
}

impl From<InterventionLearningSummary> for LearningSummaryOut {
    fn from(s: InterventionLearningSummary) -> Self {
        let m = s.summary;
        LearningSummaryOut {
            intervention_id: s.intervention_id,
            intervention_name: s.intervention_name,
            count: m.count,
            completed: m.completed,
            discontinued: m.discontinued,
            completion_rate: m.completion_rate,
            hired: m.hired,
            not_hired: m.not_hired,
            hired_rate: m.hired_rate,
            mean_done_work_share: m.mean_done_work_share,
            mean_done_study_share: m.mean_done_study_share,
        }
    }
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
pub struct ListQuery {
    /// Only this intervention's.
    pub intervention_id: Option<String>,
}

/// A role that may never do `action` gets its audited 403 before the body
/// is looked at.
async fn refuse_role(
    state: &AppState,
    caller: &ApiCaller,
    action: vagar_domain::work::learning::access::LearningAction,
) -> Result<(), Problem> {
    if vagar_domain::work::learning::access::learning_role_may(caller.ctx.actor.role, action) {
        return Ok(());
    }
    let (_tx, _permit) = state
        .store
        .authorize_learning(&caller.ctx, action, None)
        .await?;
    Err(Problem::forbidden())
}

fn validation(e: ValidationErrors) -> Problem {
    Problem::validation(e)
}

fn week_and_id(
    raw: Result<Path<(String, String)>, PathRejection>,
) -> Result<(i64, NaiveDate), Problem> {
    let Ok(Path((id, week))) = raw else {
        return Err(Problem::not_found());
    };
    let id = positive_id(&id).ok_or_else(Problem::not_found)?;
    let week = NaiveDate::parse_from_str(&week, "%Y-%m-%d").map_err(|_| {
        let mut e = ValidationErrors::new();
        e.add(
            "week_start",
            "invalid_date",
            "week_start must be a date (YYYY-MM-DD)",
        );
        validation(e)
    })?;
    Ok((id, week))
}

/// The learning employments the caller may read.
#[utoipa::path(get, path = "/api/v1/learning-employments", tag = "learning-employments",
    params(ListQuery),
    responses((status = 200, body = Vec<LearningOut>), (status = 401, body = Problem),
              (status = 403, body = Problem), (status = 422, body = Problem)))]
pub async fn list(
    State(state): State<AppState>,
    caller: ApiCaller,
    Query(q): Query<ListQuery>,
) -> Result<Json<Vec<LearningOut>>, Problem> {
    let mut e = ValidationErrors::new();
    let intervention_id = query_id(&mut e, "intervention_id", &q.intervention_id);
    if !e.is_empty() {
        return Err(validation(e));
    }
    let items = state
        .store
        .list_learning(&caller.ctx, &LearningFilter { intervention_id })
        .await?;
    Ok(Json(items.into_iter().map(Into::into).collect()))
}

/// Make a placement a learning employment; the week plan is generated from
/// the placement's dates, hours per week and the split.
#[utoipa::path(post, path = "/api/v1/learning-employments", tag = "learning-employments",
    request_body = LearningInput,
    responses((status = 201, body = LearningOut, headers(("Location" = String))),
              (status = 400, body = Problem), (status = 401, body = Problem), (status = 403, body = Problem),
              (status = 404, body = Problem), (status = 409, body = Problem), (status = 415, body = Problem),
              (status = 422, body = Problem)))]
pub async fn create(
    State(state): State<AppState>,
    caller: ApiCaller,
    body: Body<LearningInput, LearningOut>,
) -> Result<impl IntoResponse, Problem> {
    // Malformed fields stop here, naming the rules' errors for the other
    // fields too; well-formed input goes to the store, which checks the
    // rules and audits a refusal.
    let Body {
        value: input,
        mut errors,
        ..
    } = body;
    if !errors.is_empty() {
        if let Err(errs) = vagar_domain::work::learning::LearningData::from_input(&input) {
            merge_missing(&mut errors, errs);
        }
    }
    if !errors.is_empty()
        && vagar_domain::work::learning::access::learning_role_may(
            caller.ctx.actor.role,
            vagar_domain::work::learning::access::LearningAction::Create,
        )
    {
        return Err(validation(errors));
    }
    let l = state.store.create_learning(&caller.ctx, &input).await?;
    Ok(created(
        format!("/api/v1/learning-employments/{}", l.placement_id),
        LearningOut::from(l),
    ))
}

/// One learning employment: the week plan, what was done, the shares
/// (whole period, running and the last four recorded weeks) and completion.
#[utoipa::path(get, path = "/api/v1/learning-employments/{placement_id}", tag = "learning-employments",
    params(("placement_id" = i64, Path)),
    responses((status = 200, body = LearningOut), (status = 401, body = Problem),
              (status = 403, body = Problem), (status = 404, body = Problem)))]
pub async fn read(
    State(state): State<AppState>,
    caller: ApiCaller,
    id: Result<Path<String>, PathRejection>,
) -> Result<Json<LearningOut>, Problem> {
    let id = parse_id(id)?;
    Ok(Json(
        state.store.read_learning(&caller.ctx, id).await?.into(),
    ))
}

/// Change the planned work and study minutes of one week of the plan.
#[utoipa::path(put, path = "/api/v1/learning-employments/{placement_id}/weeks/{week_start}",
    tag = "learning-employments",
    params(("placement_id" = i64, Path), ("week_start" = String, Path, description = "The week's Monday, YYYY-MM-DD")),
    request_body = LearningPlanWeekIn,
    responses((status = 200, body = LearningOut), (status = 400, body = Problem),
              (status = 401, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem),
              (status = 409, body = Problem), (status = 415, body = Problem), (status = 422, body = Problem)))]
pub async fn plan_week(
    State(state): State<AppState>,
    caller: ApiCaller,
    path: Result<Path<(String, String)>, PathRejection>,
    body: Body<LearningPlanWeekIn>,
) -> Result<Json<LearningOut>, Problem> {
    refuse_role(
        &state,
        &caller,
        vagar_domain::work::learning::access::LearningAction::Plan,
    )
    .await?;
    let (id, week) = week_and_id(path)?;
    let LearningPlanWeekIn {
        planned_work_minutes: work,
        planned_study_minutes: study,
        version,
    } = body
        .require("version", |b| b.version.is_some())
        .into_result()?;
    let l = state
        .store
        .plan_learning_week(&caller.ctx, id, week, work, study, version.unwrap_or(0))
        .await?;
    Ok(Json(l.into()))
}

/// Record the hours done in one week (work and study; the school study only).
#[utoipa::path(put, path = "/api/v1/learning-employments/{placement_id}/weeks/{week_start}/done",
    tag = "learning-employments",
    params(("placement_id" = i64, Path), ("week_start" = String, Path, description = "The week's Monday, YYYY-MM-DD")),
    request_body = LearningDoneIn,
    responses((status = 200, body = LearningOut), (status = 400, body = Problem),
              (status = 401, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem),
              (status = 409, body = Problem), (status = 415, body = Problem), (status = 422, body = Problem)))]
pub async fn record_done(
    State(state): State<AppState>,
    caller: ApiCaller,
    path: Result<Path<(String, String)>, PathRejection>,
    body: Body<LearningDoneIn>,
) -> Result<Json<LearningOut>, Problem> {
    refuse_role(
        &state,
        &caller,
        vagar_domain::work::learning::access::LearningAction::RecordDone,
    )
    .await?;
    let (id, week) = week_and_id(path)?;
    let done = body
        .require("version", |b| b.version.is_some())
        .into_result()?;
    let input = DoneInput {
        done_work_minutes: done.done_work_minutes,
        done_study_minutes: done.done_study_minutes,
    };
    let version = done.version;
    let l = state
        .store
        .record_learning_done(&caller.ctx, id, week, input, version.unwrap_or(0))
        .await?;
    Ok(Json(l.into()))
}

/// Record how the learning employment ended (once).
#[utoipa::path(post, path = "/api/v1/learning-employments/{placement_id}/completion",
    tag = "learning-employments", params(("placement_id" = i64, Path)),
    request_body = LearningCompletionIn,
    responses((status = 200, body = LearningOut), (status = 400, body = Problem),
              (status = 401, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem),
              (status = 409, body = Problem), (status = 415, body = Problem), (status = 422, body = Problem)))]
pub async fn complete(
    State(state): State<AppState>,
    caller: ApiCaller,
    id: Result<Path<String>, PathRejection>,
    body: Body<LearningCompletionIn>,
) -> Result<Json<LearningOut>, Problem> {
    refuse_role(
        &state,
        &caller,
        vagar_domain::work::learning::access::LearningAction::Complete,
    )
    .await?;
    let id = parse_id(id)?;
    let LearningCompletionIn {
        completion,
        completed_on,
        version,
    } = body
        .require("version", |b| b.version.is_some())
        .into_result()?;
    let version = version.unwrap_or(0);
    let l = state
        .store
        .complete_learning(
            &caller.ctx,
            id,
            completion.as_deref(),
            completed_on.as_deref(),
            version,
        )
        .await?;
    Ok(Json(l.into()))
}

/// Record whether the employer hired the participant afterwards.
#[utoipa::path(post, path = "/api/v1/learning-employments/{placement_id}/hire-outcome",
    tag = "learning-employments", params(("placement_id" = i64, Path)),
    request_body = LearningHireIn,
    responses((status = 200, body = LearningOut), (status = 400, body = Problem),
              (status = 401, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem),
              (status = 409, body = Problem), (status = 415, body = Problem), (status = 422, body = Problem)))]
pub async fn hire_outcome(
    State(state): State<AppState>,
    caller: ApiCaller,
    id: Result<Path<String>, PathRejection>,
    body: Body<LearningHireIn>,
) -> Result<Json<LearningOut>, Problem> {
    refuse_role(
        &state,
        &caller,
        vagar_domain::work::learning::access::LearningAction::RecordHire,
    )
    .await?;
    let id = parse_id(id)?;
    let LearningHireIn {
        hired_after,
        hired_on,
        version,
    } = body
        .require("version", |b| b.version.is_some())
        .into_result()?;
    let version = version.unwrap_or(0);
    let l = state
        .store
        .record_learning_hire(
            &caller.ctx,
            id,
            hired_after.as_deref(),
            hired_on.as_deref(),
            version,
        )
        .await?;
    Ok(Json(l.into()))
}

/// An intervention's learning employments summed up: count, completion
/// rate, hired-afterwards rate and the mean done work and study shares.
#[utoipa::path(get, path = "/api/v1/learning-summaries/{intervention_id}", tag = "learning-employments",
    params(("intervention_id" = i64, Path)),
    responses((status = 200, body = LearningSummaryOut), (status = 401, body = Problem),
              (status = 403, body = Problem), (status = 404, body = Problem)))]
pub async fn summary(
    State(state): State<AppState>,
    caller: ApiCaller,
    id: Result<Path<String>, PathRejection>,
) -> Result<Json<LearningSummaryOut>, Problem> {
    let id = parse_id(id)?;
    Ok(Json(
        state.store.learning_summary(&caller.ctx, id).await?.into(),
    ))
}

#[derive(utoipa::OpenApi)]
#[openapi(
    paths(
        list,
        create,
        read,
        plan_week,
        record_done,
        complete,
        hire_outcome,
        summary
    ),
    components(schemas(
        LearningOut,
        LearningWeekOut,
        LearningInput,
        LearningPlanWeekIn,
        LearningDoneIn,
        LearningCompletionIn,
        LearningHireIn,
        LearningSummaryOut
    ))
)]
pub struct Doc;
