//! `/api/v1/participants/{id}/plan` and `/contacts`: the shared action plan
//! (gemensam handlingsplan) — a long-term goal and steps owned by different
//! organisations — its history (every changed field: who, when, old, new),
//! and contacts (meetings, calls, messages).
//!
//! Step statuses: `planned ⇄ active`, either → `done` or `cancelled`, which
//! are final (only `result_note` may still change). Access: reading needs the
//! participant's `Read`, changing their `Update`; a partner named by a
//! consent in force that covers `action_plan` reads the plan and changes the
//! steps (and contacts) of their own organisation.

use crate::kernel::error::Problem;
use crate::kernel::json::{nullable, Body};
use crate::kernel::session::ApiCaller;
use crate::participants::api::parse_id;
use crate::AppState;
use axum::extract::rejection::PathRejection;
use axum::extract::{Path, State};
use axum::http::{header, StatusCode};
use axum::response::IntoResponse;
use axum::routing::{get, patch, post};
use axum::{Json, Router};
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use vagar_domain::plans::access::PlanAccess;
use vagar_domain::plans::{ContactInput, GoalInput, StepInput};
use vagar_store::plans::{Contact, HistoryEntry, PlanView, Step};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/participants/{id}/plan", get(read).put(save))
        .route("/participants/{id}/plan/steps", post(add_step))
        .route(
            "/participants/{id}/plan/steps/{step_id}",
            patch(update_step),
        )
        .route("/participants/{id}/plan/history", get(history))
        .route(
            "/participants/{id}/contacts",
            get(list_contacts).post(add_contact),
        )
}

/// A step of an action plan.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct StepOut {
    pub id: i64,
    pub plan_id: i64,
    /// work_practice, job_search, sfi, adult_education, vocational_training,
    /// health_rehabilitation, income_support_follow_up, meeting or other.
    pub activity_type: String,
    /// Free text beside the type (required for `other`).
    pub activity_text: Option<String>,
    /// The organisation responsible for the step.
    pub organisation_id: i64,
    /// The responsible person, a user of that organisation.
    pub responsible_user_id: Option<i64>,
    pub start_date: NaiveDate,
    pub due_date: NaiveDate,
    /// planned, active, done or cancelled
    pub status: String,
    pub result_note: Option<String>,
    pub version: i64,
    pub created_by: i64,
    pub created_at: DateTime<Utc>,
    pub updated_by: i64,
    pub updated_at: DateTime<Utc>,
    /// Whether the caller may change this step.
    pub editable: bool,
}

impl StepOut {
    fn new(s: &Step, access: PlanAccess) -> StepOut {
        let d = &s.data;
        StepOut {
            id: s.id,
            plan_id: s.plan_id,
            activity_type: d.activity_type.as_str().into(),
            activity_text: d.activity_text.clone(),
            organisation_id: d.organisation_id,
            responsible_user_id: d.responsible_user_id,
            start_date: d.start_date,
            due_date: d.due_date,
            status: d.status.as_str().into(),
            result_note: d.result_note.clone(),
            version: s.version,
            created_by: s.created_by,
            created_at: s.created_at,
            updated_by: s.updated_by,
            updated_at: s.updated_at,
            editable: access.may_edit_step(d.organisation_id),
        }
    }
}

/// A participant's active action plan.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct PlanOut {
    pub id: i64,
    pub participant_id: i64,
    /// occupation or education
    pub goal_kind: String,
    /// SSYK 2012 unit group (four digits) for an occupation goal.
    pub ssyk_code: Option<String>,
    /// The occupation's name or the education.
    pub goal_title: String,
    pub version: i64,
    pub created_by: i64,
    pub created_at: DateTime<Utc>,
    pub updated_by: i64,
    pub updated_at: DateTime<Utc>,
    /// Whether the caller may change the goal.
    pub goal_editable: bool,
    /// Ordered by start date.
    pub steps: Vec<StepOut>,
}

impl PlanOut {
    fn new(v: &PlanView) -> PlanOut {
        let p = &v.plan;
        PlanOut {
            id: p.id,
            participant_id: p.participant_id,
            goal_kind: p.goal.kind.as_str().into(),
            ssyk_code: p.goal.ssyk_code.clone(),
            goal_title: p.goal.title.clone(),
            version: p.version,
            created_by: p.created_by,
            created_at: p.created_at,
            updated_by: p.updated_by,
            updated_at: p.updated_at,
            goal_editable: v.access.may_edit_goal(),
            steps: v.steps.iter().map(|s| StepOut::new(s, v.access)).collect(),
        }
    }
}

/// One changed field of the plan or a step.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct HistoryOut {
    pub id: i64,
    pub plan_id: i64,
    /// The step changed; null for the goal.
    pub step_id: Option<i64>,
    /// created or updated
    pub change: String,
    pub field: String,
    pub old_value: Option<String>,
    pub new_value: Option<String>,
    pub user_id: i64,
    pub username: String,
    pub organisation_id: i64,
    pub at: DateTime<Utc>,
    /// The steering decision that made the change (null for direct edits).
    pub decision_id: Option<i64>,
}

impl From<HistoryEntry> for HistoryOut {
    fn from(h: HistoryEntry) -> HistoryOut {
        HistoryOut {
            id: h.id,
            plan_id: h.plan_id,
            step_id: h.step_id,
            change: h.change,
            field: h.field,
            old_value: h.old_value,
            new_value: h.new_value,
            user_id: h.user_id,
            username: h.username,
            organisation_id: h.organisation_id,
            at: h.at,
            decision_id: h.decision_id,
        }
    }
}

/// A contact with the participant.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ContactOut {
    pub id: i64,
    pub participant_id: i64,
    pub contact_date: NaiveDate,
    pub organisation_id: i64,
    /// meeting, call, message, home_visit or other
    pub kind: String,
    pub note: Option<String>,
    pub recorded_by: i64,
    pub recorded_at: DateTime<Utc>,
}

impl From<Contact> for ContactOut {
    fn from(c: Contact) -> ContactOut {
        ContactOut {
            id: c.id,
            participant_id: c.participant_id,
            contact_date: c.data.contact_date,
            organisation_id: c.data.organisation_id,
            kind: c.data.kind.as_str().into(),
            note: c.data.note,
            recorded_by: c.recorded_by,
            recorded_at: c.recorded_at,
        }
    }
}

/// The long-term goal: PUT creates the plan or replaces the goal whole.
#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
#[serde(default)]
pub struct PlanIn {
    /// occupation or education
    #[schema(nullable = false)]
    goal_kind: Option<String>,
    /// SSYK 2012 unit group, four digits: required for an occupation, absent for an education.
    #[serde(deserialize_with = "nullable")]
    #[schema(value_type = Option<String>)]
    ssyk_code: Option<Option<String>>,
    /// The occupation's name or the education (at most 200 characters).
    #[schema(nullable = false)]
    goal_title: Option<String>,
    /// The version you read, when changing; a mismatch gives 409.
    #[schema(nullable = false, minimum = 1)]
    version: Option<i64>,
}

impl PlanIn {
    fn into_input(self) -> (GoalInput, Option<i64>) {
        let input = GoalInput {
            goal_kind: self.goal_kind,
            ssyk_code: self.ssyk_code,
            goal_title: self.goal_title,
        };
        (input, self.version)
    }
}

/// A step: every field for a new one, any for a change (`null` clears).
#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
#[serde(default)]
pub struct StepIn {
    /// From the reference list (see StepOut); required on create.
    #[schema(nullable = false)]
    activity_type: Option<String>,
    #[serde(deserialize_with = "nullable")]
    #[schema(value_type = Option<String>)]
    activity_text: Option<Option<String>>,
    /// Required on create; must exist.
    #[schema(nullable = false, minimum = 1)]
    organisation_id: Option<i64>,
    /// An active user of the step's organisation.
    #[serde(deserialize_with = "nullable")]
    #[schema(value_type = Option<i64>)]
    responsible_user_id: Option<Option<i64>>,
    /// YYYY-MM-DD; required on create.
    #[schema(nullable = false)]
    start_date: Option<String>,
    /// YYYY-MM-DD, not before start_date; required on create.
    #[schema(nullable = false)]
    due_date: Option<String>,
    /// planned (default) or active on create; then planned ⇄ active → done | cancelled.
    #[schema(nullable = false)]
    status: Option<String>,
    #[serde(deserialize_with = "nullable")]
    #[schema(value_type = Option<String>)]
    result_note: Option<Option<String>>,
    /// PATCH only: the version you read; a mismatch gives 409.
    #[schema(nullable = false, minimum = 1)]
    version: Option<i64>,
}

impl StepIn {
    fn into_input(self) -> (StepInput, Option<i64>) {
        let input = StepInput {
            activity_type: self.activity_type,
            activity_text: self.activity_text,
            organisation_id: self.organisation_id,
            responsible_user_id: self.responsible_user_id,
            start_date: self.start_date,
            due_date: self.due_date,
            status: self.status,
            result_note: self.result_note,
        };
        (input, self.version)
    }
}

/// The participant's active action plan with its steps.
#[utoipa::path(get, path = "/api/v1/participants/{id}/plan", tag = "plans",
    params(("id" = i64, Path)),
    responses((status = 200, body = PlanOut), (status = 401, body = Problem),
              (status = 403, body = Problem),
              (status = 404, body = Problem, description = "No such participant for you, or no plan yet")))]
pub async fn read(
    State(state): State<AppState>,
    caller: ApiCaller,
    id: Result<Path<String>, PathRejection>,
) -> Result<Json<PlanOut>, Problem> {
    let id = parse_id(id)?;
    let v = state.store.read_plan(&caller.ctx, id).await?;
    Ok(Json(PlanOut::new(&v)))
}

/// Create the plan with its long-term goal (201), or change the goal (200).
#[utoipa::path(put, path = "/api/v1/participants/{id}/plan", tag = "plans",
    params(("id" = i64, Path)), request_body = PlanIn,
    responses((status = 200, body = PlanOut), (status = 201, body = PlanOut, headers(("Location" = String))),
              (status = 400, body = Problem), (status = 401, body = Problem), (status = 403, body = Problem),
              (status = 404, body = Problem), (status = 409, body = Problem), (status = 413, body = Problem),
              (status = 415, body = Problem), (status = 422, body = Problem)))]
pub async fn save(
    State(state): State<AppState>,
    caller: ApiCaller,
    id: Result<Path<String>, PathRejection>,
    body: Body<PlanIn, PlanOut>,
) -> Result<impl IntoResponse, Problem> {
    let id = parse_id(id)?;
    let (input, version) = body.into_result()?.into_input();
    let (v, created) = state
        .store
        .save_plan(&caller.ctx, id, &input, version)
        .await?;
    let status = if created {
        StatusCode::CREATED
    } else {
        StatusCode::OK
    };
    Ok((
        status,
        [(header::LOCATION, format!("/api/v1/participants/{id}/plan"))],
        Json(PlanOut::new(&v)),
    ))
}

/// Add a step to the plan (the plan must exist: 409 naming `plan`).
#[utoipa::path(post, path = "/api/v1/participants/{id}/plan/steps", tag = "plans",
    params(("id" = i64, Path)), request_body = StepIn,
    responses((status = 201, body = StepOut), (status = 400, body = Problem),
              (status = 401, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem),
              (status = 409, body = Problem), (status = 413, body = Problem), (status = 415, body = Problem),
              (status = 422, body = Problem)))]
pub async fn add_step(
    State(state): State<AppState>,
    caller: ApiCaller,
    id: Result<Path<String>, PathRejection>,
    body: Body<StepIn, StepOut>,
) -> Result<impl IntoResponse, Problem> {
    let id = parse_id(id)?;
    let (input, _) = body
        .read_only("version", |b| b.version.is_some())
        .into_result()?
        .into_input();
    let s = state.store.add_step(&caller.ctx, id, &input).await?;
    Ok((
        StatusCode::CREATED,
        Json(StepOut::new(&s, PlanAccess::Full)),
    ))
}

/// Change some fields of a step; the step is validated again and its status
/// must follow the allowed transitions (422 naming `status`).
#[utoipa::path(patch, path = "/api/v1/participants/{id}/plan/steps/{step_id}", tag = "plans",
    params(("id" = i64, Path), ("step_id" = i64, Path)), request_body = StepIn,
    responses((status = 200, body = StepOut), (status = 400, body = Problem),
              (status = 401, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem),
              (status = 409, body = Problem), (status = 413, body = Problem), (status = 415, body = Problem),
              (status = 422, body = Problem)))]
pub async fn update_step(
    State(state): State<AppState>,
    caller: ApiCaller,
    ids: Result<Path<(String, String)>, PathRejection>,
    body: Body<StepIn, StepOut>,
) -> Result<Json<StepOut>, Problem> {
    let (id, step_id) = ids
        .ok()
        .and_then(|Path((a, b))| Some((a.parse::<i64>().ok()?, b.parse::<i64>().ok()?)))
        .filter(|(a, b)| *a > 0 && *b > 0)
        .ok_or_else(Problem::not_found)?;
    let (input, version) = body.into_result()?.into_input();
    let s = state
        .store
        .update_step(&caller.ctx, id, step_id, &input, version)
        .await?;
    Ok(Json(StepOut::new(&s, PlanAccess::Full)))
}

/// Every change of the plan and its steps, oldest first: who, when, which
/// field, the old and the new value.
#[utoipa::path(get, path = "/api/v1/participants/{id}/plan/history", tag = "plans",
    params(("id" = i64, Path)),
    responses((status = 200, body = Vec<HistoryOut>), (status = 401, body = Problem),
              (status = 403, body = Problem), (status = 404, body = Problem)))]
pub async fn history(
    State(state): State<AppState>,
    caller: ApiCaller,
    id: Result<Path<String>, PathRejection>,
) -> Result<Json<Vec<HistoryOut>>, Problem> {
    let id = parse_id(id)?;
    let h = state.store.plan_history(&caller.ctx, id).await?;
    Ok(Json(h.into_iter().map(Into::into).collect()))
}

/// The participant's contacts, newest first.
#[utoipa::path(get, path = "/api/v1/participants/{id}/contacts", tag = "plans",
    params(("id" = i64, Path)),
    responses((status = 200, body = Vec<ContactOut>), (status = 401, body = Problem),
              (status = 403, body = Problem), (status = 404, body = Problem)))]
pub async fn list_contacts(
    State(state): State<AppState>,
    caller: ApiCaller,
    id: Result<Path<String>, PathRejection>,
) -> Result<Json<Vec<ContactOut>>, Problem> {
    let id = parse_id(id)?;
    let c = state.store.list_contacts(&caller.ctx, id).await?;
    Ok(Json(c.into_iter().map(Into::into).collect()))
}

/// Record a meeting, call, message or home visit that took place.
#[utoipa::path(post, path = "/api/v1/participants/{id}/contacts", tag = "plans",
    params(("id" = i64, Path)), request_body = ContactInput,
    responses((status = 201, body = ContactOut), (status = 400, body = Problem),
              (status = 401, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem),
              (status = 413, body = Problem), (status = 415, body = Problem), (status = 422, body = Problem)))]
pub async fn add_contact(
    State(state): State<AppState>,
    caller: ApiCaller,
    id: Result<Path<String>, PathRejection>,
    body: Body<ContactInput, ContactOut>,
) -> Result<impl IntoResponse, Problem> {
    let id = parse_id(id)?;
    let input = body.into_result()?;
    let c = state.store.add_contact(&caller.ctx, id, &input).await?;
    Ok((StatusCode::CREATED, Json(ContactOut::from(c))))
}
