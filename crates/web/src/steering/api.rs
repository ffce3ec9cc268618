//! `/api/v1/steering-groups`: the steering group (styrgrupp) — member
//! organisations, meetings, cases referred to it and its decisions, which
//! can create and change steps in participants' action plans.
//!
//! Access: members of member organisations (caseworkers and partners) read
//! their group; caseworkers of member organisations record meetings, cases
//! and decisions; caseworkers create groups; admins do all of it anywhere.
//! Other roles: 403; a group the caller is not a member of: 404. A
//! participant named in a case or decision is shown only to a reader who may
//! read that participant (a partner: under a consent naming their
//! organisation); otherwise the case shows no participant and no question,
//! and the decision counts them in `hidden_participants`. A decision's step
//! changes need the right to change each participant's plan (404 for a
//! participant the caller may not work with, and nothing is written).

use crate::kernel::error::Problem;
use crate::kernel::json::{null_as_default, nullable, Body};
use crate::kernel::session::ApiCaller;
use crate::participants::api::parse_id;
use crate::AppState;
use axum::extract::rejection::PathRejection;
use axum::extract::{Path, State};
use axum::http::{header, StatusCode};
use axum::response::IntoResponse;
use axum::routing::{get, patch};
use axum::{Json, Router};
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use vagar_domain::plans::{StepData, StepInput};
use vagar_domain::steering::{
    CaseInput, DecisionData, DecisionInput, DecisionPatch, GroupInput, MeetingInput,
};
use vagar_domain::ValidationErrors;
use vagar_store::steering::{
    Case, Decision, Group, Meeting, ParticipantRef, StepCreate, StepUpdate,
};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/steering-groups", get(list_groups).post(create_group))
        .route("/steering-groups/{id}", get(read_group))
        .route(
            "/steering-groups/{id}/meetings",
            get(list_meetings).post(add_meeting),
        )
        .route(
            "/steering-groups/{id}/cases",
            get(list_cases).post(add_case),
        )
        .route(
            "/steering-groups/{id}/decisions",
            get(list_decisions).post(add_decision),
        )
        .route(
            "/steering-groups/{id}/decisions/{decision_id}",
            patch(update_decision),
        )
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct GroupOut {
    pub id: i64,
    pub name: String,
    /// The member organisations.
    pub organisation_ids: Vec<i64>,
    pub created_by: i64,
    pub created_at: DateTime<Utc>,
}

impl From<Group> for GroupOut {
    fn from(g: Group) -> GroupOut {
        GroupOut {
            id: g.id,
            name: g.name,
            organisation_ids: g.organisation_ids,
            created_by: g.created_by,
            created_at: g.created_at,
        }
    }
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct MeetingOut {
    pub id: i64,
    pub group_id: i64,
    pub meeting_date: NaiveDate,
    pub notes: Option<String>,
    pub recorded_by: i64,
    pub recorded_at: DateTime<Utc>,
}

impl From<Meeting> for MeetingOut {
    fn from(m: Meeting) -> MeetingOut {
        MeetingOut {
            id: m.id,
            group_id: m.group_id,
            meeting_date: m.meeting_date,
            notes: m.notes,
            recorded_by: m.recorded_by,
            recorded_at: m.recorded_at,
        }
    }
}

/// A participant the caller may read.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ParticipantRefOut {
    pub id: i64,
    pub first_name: String,
    pub last_name: String,
}

impl From<ParticipantRef> for ParticipantRefOut {
    fn from(p: ParticipantRef) -> ParticipantRefOut {
        ParticipantRefOut {
            id: p.id,
            first_name: p.first_name,
            last_name: p.last_name,
        }
    }
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct CaseOut {
    pub id: i64,
    pub group_id: i64,
    /// Null when the caller may not read the participant.
    pub participant: Option<ParticipantRefOut>,
    /// Null with the participant.
    pub question: Option<String>,
    /// open, decided or closed
    pub status: String,
    pub referred_by: i64,
    pub referred_by_organisation_id: i64,
    pub referred_at: DateTime<Utc>,
}

impl From<Case> for CaseOut {
    fn from(c: Case) -> CaseOut {
        CaseOut {
            id: c.id,
            group_id: c.group_id,
            participant: c.participant.map(Into::into),
            question: c.question,
            status: c.status.as_str().into(),
            referred_by: c.referred_by,
            referred_by_organisation_id: c.referred_by_organisation_id,
            referred_at: c.referred_at,
        }
    }
}

/// A plan step the decision created or changed.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct DecisionStepOut {
    pub participant_id: i64,
    pub step_id: i64,
    /// created or updated
    pub change: String,
}

/// One changed field of a decision.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct DecisionHistoryOut {
    /// created or updated
    pub change: String,
    pub field: String,
    pub old_value: Option<String>,
    pub new_value: Option<String>,
    pub user_id: i64,
    pub at: DateTime<Utc>,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct DecisionOut {
    pub id: i64,
    pub group_id: i64,
    pub case_id: Option<i64>,
    pub meeting_id: Option<i64>,
    pub text: String,
    pub follow_up_date: Option<NaiveDate>,
    /// open, in_progress, done or cancelled
    pub status: String,
    pub version: i64,
    pub recorded_by: i64,
    pub recorded_at: DateTime<Utc>,
    pub updated_by: i64,
    pub updated_at: DateTime<Utc>,
    /// The organisations affected.
    pub organisation_ids: Vec<i64>,
    /// The participants concerned that the caller may read.
    pub participants: Vec<ParticipantRefOut>,
    /// How many participants concerned the caller may not read.
    pub hidden_participants: i64,
    /// Steps created or changed, of participants the caller may read.
    pub steps: Vec<DecisionStepOut>,
    /// Every change, oldest first.
    pub history: Vec<DecisionHistoryOut>,
}

impl From<Decision> for DecisionOut {
    fn from(d: Decision) -> DecisionOut {
        DecisionOut {
            id: d.id,
            group_id: d.group_id,
            case_id: d.case_id,
            meeting_id: d.meeting_id,
            text: d.text,
            follow_up_date: d.follow_up_date,
            status: d.status.as_str().into(),
            version: d.version,
            recorded_by: d.recorded_by,
            recorded_at: d.recorded_at,
            updated_by: d.updated_by,
            updated_at: d.updated_at,
            organisation_ids: d.organisation_ids,
            participants: d.participants.into_iter().map(Into::into).collect(),
            hidden_participants: d.hidden_participants,
            steps: d
                .steps
                .into_iter()
                .map(|s| DecisionStepOut {
                    participant_id: s.participant_id,
                    step_id: s.step_id,
                    change: s.change,
                })
                .collect(),
            history: d
                .history
                .into_iter()
                .map(|h| DecisionHistoryOut {
                    change: h.change,
                    field: h.field,
                    old_value: h.old_value,
                    new_value: h.new_value,
                    user_id: h.user_id,
                    at: h.at,
                })
                .collect(),
        }
    }
}

/// A step a decision creates or changes: the fields of the plan's step.
#[derive(Debug, Default, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(default, deny_unknown_fields)]
pub struct DecisionStepIn {
    /// A participant whose plan the caller may change (otherwise 404).
    #[schema(nullable = false, minimum = 1)]
    participant_id: Option<i64>,
    /// update_steps only: the step to change.
    #[schema(nullable = false, minimum = 1)]
    step_id: Option<i64>,
    #[schema(nullable = false)]
    activity_type: Option<String>,
    #[serde(deserialize_with = "nullable")]
    #[schema(value_type = Option<String>)]
    activity_text: Option<Option<String>>,
    #[schema(nullable = false, minimum = 1)]
    organisation_id: Option<i64>,
    #[serde(deserialize_with = "nullable")]
    #[schema(value_type = Option<i64>)]
    responsible_user_id: Option<Option<i64>>,
    #[schema(nullable = false)]
    start_date: Option<String>,
    #[schema(nullable = false)]
    due_date: Option<String>,
    #[schema(nullable = false)]
    status: Option<String>,
    #[serde(deserialize_with = "nullable")]
    #[schema(value_type = Option<String>)]
    result_note: Option<Option<String>>,
}

impl DecisionStepIn {
    /// The participant, the step and the plan's input; what is missing or
    /// not taken here is named by `place` (`create_steps[1]`).
    fn read(
        self,
        place: &str,
        update: bool,
        errors: &mut ValidationErrors,
    ) -> (i64, i64, StepInput) {
        if self.participant_id.is_none() {
            let f = format!("{place}.participant_id");
            errors.add(&f, "required", format!("{f} is required"));
        }
        match (update, self.step_id) {
            (true, None) => {
                let f = format!("{place}.step_id");
                errors.add(&f, "required", format!("{f} is required"));
            }
            (false, Some(_)) => {
                let f = format!("{place}.step_id");
                errors.add(&f, "unknown_field", format!("{f} is not a known field"));
            }
            _ => {}
        }
        let step = StepInput {
            activity_type: self.activity_type,
            activity_text: self.activity_text,
            organisation_id: self.organisation_id,
            responsible_user_id: self.responsible_user_id,
            start_date: self.start_date,
            due_date: self.due_date,
            status: self.status,
            result_note: self.result_note,
        };
        (
            self.participant_id.unwrap_or(0),
            self.step_id.unwrap_or(0),
            step,
        )
    }
}

/// A decision, with the plan steps it creates or changes.
#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
#[serde(default)]
pub struct DecisionIn {
    /// The decision (at most 4000 characters).
    #[schema(nullable = false)]
    text: Option<String>,
    /// The case it decides (of this group); the case becomes `decided`.
    #[serde(deserialize_with = "nullable")]
    #[schema(value_type = Option<i64>)]
    case_id: Option<Option<i64>>,
    /// The meeting where it was taken (of this group).
    #[serde(deserialize_with = "nullable")]
    #[schema(value_type = Option<i64>)]
    meeting_id: Option<Option<i64>>,
    /// The organisations affected.
    #[serde(deserialize_with = "null_as_default")]
    #[schema(value_type = Option<Vec<i64>>, max_items = 200)]
    organisation_ids: Vec<i64>,
    /// Participants concerned (each readable by the caller).
    #[serde(deserialize_with = "null_as_default")]
    #[schema(value_type = Option<Vec<i64>>, max_items = 200)]
    participant_ids: Vec<i64>,
    /// YYYY-MM-DD
    #[serde(deserialize_with = "nullable")]
    #[schema(value_type = Option<String>)]
    follow_up_date: Option<Option<String>>,
    /// open (default), in_progress, done or cancelled
    #[schema(nullable = false)]
    status: Option<String>,
    /// Steps to create, in the same transaction.
    #[serde(deserialize_with = "null_as_default")]
    #[schema(value_type = Option<Vec<DecisionStepIn>>, max_items = 50)]
    create_steps: Vec<DecisionStepIn>,
    /// Steps to change, in the same transaction.
    #[serde(deserialize_with = "null_as_default")]
    #[schema(value_type = Option<Vec<DecisionStepIn>>, max_items = 50)]
    update_steps: Vec<DecisionStepIn>,
}

/// A change of a decision's follow-up.
#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
#[serde(default)]
pub struct DecisionPatchIn {
    /// open, in_progress, done or cancelled
    #[schema(nullable = false)]
    status: Option<String>,
    /// YYYY-MM-DD, or null to clear
    #[serde(deserialize_with = "nullable")]
    #[schema(value_type = Option<String>)]
    follow_up_date: Option<Option<String>>,
    /// The version you read; a mismatch gives 409.
    #[schema(nullable = false, minimum = 1)]
    version: Option<i64>,
}

fn ids2(ids: Result<Path<(String, String)>, PathRejection>) -> Result<(i64, i64), Problem> {
    ids.ok()
        .and_then(|Path((a, b))| Some((a.parse::<i64>().ok()?, b.parse::<i64>().ok()?)))
        .filter(|(a, b)| *a > 0 && *b > 0)
        .ok_or_else(Problem::not_found)
}

/// The steering groups the caller may read (members: their groups).
#[utoipa::path(get, path = "/api/v1/steering-groups", tag = "steering",
    responses((status = 200, body = Vec<GroupOut>), (status = 401, body = Problem),
              (status = 403, body = Problem)))]
pub async fn list_groups(
    State(state): State<AppState>,
    caller: ApiCaller,
) -> Result<Json<Vec<GroupOut>>, Problem> {
    let g = state.store.list_steering_groups(&caller.ctx).await?;
    Ok(Json(g.into_iter().map(Into::into).collect()))
}

/// Create a steering group with its member organisations.
#[utoipa::path(post, path = "/api/v1/steering-groups", tag = "steering", request_body = GroupInput,
    responses((status = 201, body = GroupOut, headers(("Location" = String))), (status = 400, body = Problem),
              (status = 401, body = Problem), (status = 403, body = Problem), (status = 413, body = Problem),
              (status = 415, body = Problem), (status = 422, body = Problem)))]
pub async fn create_group(
    State(state): State<AppState>,
    caller: ApiCaller,
    body: Body<GroupInput, GroupOut>,
) -> Result<impl IntoResponse, Problem> {
    let input = body.into_result()?;
    let g = state
        .store
        .create_steering_group(&caller.ctx, &input)
        .await?;
    Ok((
        StatusCode::CREATED,
        [(
            header::LOCATION,
            format!("/api/v1/steering-groups/{}", g.id),
        )],
        Json(GroupOut::from(g)),
    ))
}

/// One steering group.
#[utoipa::path(get, path = "/api/v1/steering-groups/{id}", tag = "steering",
    params(("id" = i64, Path)),
    responses((status = 200, body = GroupOut), (status = 401, body = Problem),
              (status = 403, body = Problem), (status = 404, body = Problem)))]
pub async fn read_group(
    State(state): State<AppState>,
    caller: ApiCaller,
    id: Result<Path<String>, PathRejection>,
) -> Result<Json<GroupOut>, Problem> {
    let id = parse_id(id)?;
    let g = state.store.read_steering_group(&caller.ctx, id).await?;
    Ok(Json(g.into()))
}

/// The group's meetings, by date.
#[utoipa::path(get, path = "/api/v1/steering-groups/{id}/meetings", tag = "steering",
    params(("id" = i64, Path)),
    responses((status = 200, body = Vec<MeetingOut>), (status = 401, body = Problem),
              (status = 403, body = Problem), (status = 404, body = Problem)))]
pub async fn list_meetings(
    State(state): State<AppState>,
    caller: ApiCaller,
    id: Result<Path<String>, PathRejection>,
) -> Result<Json<Vec<MeetingOut>>, Problem> {
    let id = parse_id(id)?;
    let m = state.store.list_steering_meetings(&caller.ctx, id).await?;
    Ok(Json(m.into_iter().map(Into::into).collect()))
}

/// Record a meeting of the group.
#[utoipa::path(post, path = "/api/v1/steering-groups/{id}/meetings", tag = "steering",
    params(("id" = i64, Path)), request_body = MeetingInput,
    responses((status = 201, body = MeetingOut), (status = 400, body = Problem),
              (status = 401, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem),
              (status = 413, body = Problem), (status = 415, body = Problem), (status = 422, body = Problem)))]
pub async fn add_meeting(
    State(state): State<AppState>,
    caller: ApiCaller,
    id: Result<Path<String>, PathRejection>,
    body: Body<MeetingInput, MeetingOut>,
) -> Result<impl IntoResponse, Problem> {
    let id = parse_id(id)?;
    let input = body.into_result()?;
    let m = state
        .store
        .add_steering_meeting(&caller.ctx, id, &input)
        .await?;
    Ok((StatusCode::CREATED, Json(MeetingOut::from(m))))
}

/// The cases referred to the group; a participant the caller may not read
/// is shown as null, with the question.
#[utoipa::path(get, path = "/api/v1/steering-groups/{id}/cases", tag = "steering",
    params(("id" = i64, Path)),
    responses((status = 200, body = Vec<CaseOut>), (status = 401, body = Problem),
              (status = 403, body = Problem), (status = 404, body = Problem)))]
pub async fn list_cases(
    State(state): State<AppState>,
    caller: ApiCaller,
    id: Result<Path<String>, PathRejection>,
) -> Result<Json<Vec<CaseOut>>, Problem> {
    let id = parse_id(id)?;
    let c = state.store.list_steering_cases(&caller.ctx, id).await?;
    Ok(Json(c.into_iter().map(Into::into).collect()))
}

/// Refer a participant's case to the group.
#[utoipa::path(post, path = "/api/v1/steering-groups/{id}/cases", tag = "steering",
    params(("id" = i64, Path)), request_body = CaseInput,
    responses((status = 201, body = CaseOut), (status = 400, body = Problem),
              (status = 401, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem),
              (status = 413, body = Problem), (status = 415, body = Problem), (status = 422, body = Problem)))]
pub async fn add_case(
    State(state): State<AppState>,
    caller: ApiCaller,
    id: Result<Path<String>, PathRejection>,
    body: Body<CaseInput, CaseOut>,
) -> Result<impl IntoResponse, Problem> {
    let id = parse_id(id)?;
    let input = body.into_result()?;
    let c = state
        .store
        .add_steering_case(&caller.ctx, id, &input)
        .await?;
    Ok((StatusCode::CREATED, Json(CaseOut::from(c))))
}

/// The group's decisions with their history, oldest first.
#[utoipa::path(get, path = "/api/v1/steering-groups/{id}/decisions", tag = "steering",
    params(("id" = i64, Path)),
    responses((status = 200, body = Vec<DecisionOut>), (status = 401, body = Problem),
              (status = 403, body = Problem), (status = 404, body = Problem)))]
pub async fn list_decisions(
    State(state): State<AppState>,
    caller: ApiCaller,
    id: Result<Path<String>, PathRejection>,
) -> Result<Json<Vec<DecisionOut>>, Problem> {
    let id = parse_id(id)?;
    let d = state.store.list_steering_decisions(&caller.ctx, id).await?;
    Ok(Json(d.into_iter().map(Into::into).collect()))
}

/// Record a decision; its `create_steps` and `update_steps` are applied to
/// the participants' plans in the same transaction, under the plan rules,
/// with history rows naming the decision. An invalid step is named by its
/// place (`create_steps[1].due_date`) and nothing is written.
#[utoipa::path(post, path = "/api/v1/steering-groups/{id}/decisions", tag = "steering",
    params(("id" = i64, Path)), request_body = DecisionIn,
    responses((status = 201, body = DecisionOut), (status = 400, body = Problem),
              (status = 401, body = Problem), (status = 403, body = Problem),
              (status = 404, body = Problem, description = "No such group, or a participant you may not work with"),
              (status = 409, body = Problem), (status = 413, body = Problem), (status = 415, body = Problem),
              (status = 422, body = Problem)))]
pub async fn add_decision(
    State(state): State<AppState>,
    caller: ApiCaller,
    id: Result<Path<String>, PathRejection>,
    body: Body<DecisionIn, DecisionOut>,
) -> Result<impl IntoResponse, Problem> {
    let id = parse_id(id)?;
    let Body {
        value: d,
        mut errors,
        ..
    } = body;
    let input = DecisionInput {
        text: d.text,
        case_id: d.case_id,
        meeting_id: d.meeting_id,
        organisation_ids: d.organisation_ids,
        participant_ids: d.participant_ids,
        follow_up_date: d.follow_up_date,
        status: d.status,
    };
    let creates: Vec<StepCreate> = d
        .create_steps
        .into_iter()
        .enumerate()
        .map(|(i, s)| {
            let (participant_id, _, step) =
                s.read(&format!("create_steps[{i}]"), false, &mut errors);
            StepCreate {
                participant_id,
                step,
            }
        })
        .collect();
    let updates: Vec<StepUpdate> = d
        .update_steps
        .into_iter()
        .enumerate()
        .map(|(i, s)| {
            let (participant_id, step_id, step) =
                s.read(&format!("update_steps[{i}]"), true, &mut errors);
            StepUpdate {
                participant_id,
                step_id,
                step,
            }
        })
        .collect();
    if !errors.is_empty() {
        // Name every invalid field at once: the rules' errors beside the
        // shape errors (the store repeats these checks).
        let mut rules = DecisionData::from_input(&input).err().unwrap_or_default();
        for (i, c) in creates.iter().enumerate() {
            if let Err(e) = StepData::new_from(&c.step) {
                rules.0.extend(e.0.into_iter().map(|mut x| {
                    x.field = format!("create_steps[{i}].{}", x.field);
                    x
                }));
            }
        }
        for e in rules.0 {
            if errors.for_field(&e.field).is_none() {
                errors.0.push(e);
            }
        }
        return Err(Problem::validation(errors));
    }
    let d = state
        .store
        .create_steering_decision(&caller.ctx, id, &input, &creates, &updates)
        .await?;
    Ok((StatusCode::CREATED, Json(DecisionOut::from(d))))
}

/// Change a decision's status and/or follow-up date (kept as history).
#[utoipa::path(patch, path = "/api/v1/steering-groups/{id}/decisions/{decision_id}", tag = "steering",
    params(("id" = i64, Path), ("decision_id" = i64, Path)), request_body = DecisionPatchIn,
    responses((status = 200, body = DecisionOut), (status = 400, body = Problem),
              (status = 401, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem),
              (status = 409, body = Problem), (status = 413, body = Problem), (status = 415, body = Problem),
              (status = 422, body = Problem)))]
pub async fn update_decision(
    State(state): State<AppState>,
    caller: ApiCaller,
    ids: Result<Path<(String, String)>, PathRejection>,
    body: Body<DecisionPatchIn, DecisionOut>,
) -> Result<Json<DecisionOut>, Problem> {
    let (id, decision_id) = ids2(ids)?;
    let version = body.value.version;
    let body = body.map(|b| DecisionPatch {
        status: b.status,
        follow_up_date: b.follow_up_date,
    });
    let patch = if body.errors.is_empty() {
        body.value
    } else {
        // Name every invalid field at once (the store checks them again).
        body.checked(|p| p.apply(vagar_domain::steering::DecisionStatus::Open, None))?
    };
    let d = state
        .store
        .update_steering_decision(&caller.ctx, id, decision_id, &patch, version)
        .await?;
    Ok(Json(d.into()))
}
