//! Steering groups (`/styrgrupper`): the groups the reader may read with a
//! form to create one, and a group's page (`/styrgrupper/{id}`) with its
//! members, meetings, cases and decisions and forms to add a meeting, refer
//! a case, record a decision and change a decision's status — all through the
//! same store functions as the API, so access and audit are the same.
//! Participants the reader may not see appear without identity.
//!
//! The decision form may, in the same submit, create a step in the plan of
//! the chosen case's participant and change one of that plan's steps; the
//! store does it all in the decision's transaction, or nothing, and refuses
//! a participant the user may not update. Errors the store names by place
//! (`create_steps[0].due_date`) are shown beside the form field.
//!
//! On an error the page is shown again with that form's values kept, an
//! error summary and inline messages; field ids carry the form's name.

use crate::kernel::error::Problem;
use crate::kernel::forms::{self as forms, PageId};
use crate::kernel::forms::{put_failed, CsrfForm, Failed};
use crate::kernel::session::UiUser;
use crate::participants::ui::parse_id;
use crate::ui::{base_context, render, user_error_page};
use crate::AppState;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::Router;
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};
use std::collections::HashMap;
use vagar_domain::access::{steering_role_may, SteeringAction};
use vagar_domain::plans::{ActivityType, StepInput, StepStatus};
use vagar_domain::steering::{CaseInput, DecisionInput, DecisionPatch, GroupInput, MeetingInput};
use vagar_domain::ValidationErrors;
use vagar_store::steering::{StepCreate, StepUpdate};
use vagar_store::StoreError;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/styrgrupper", get(list).post(create))
        .route("/styrgrupper/{id}", get(show))
        .route("/styrgrupper/{id}/moten", post(add_meeting))
        .route("/styrgrupper/{id}/arenden", post(add_case))
        .route("/styrgrupper/{id}/beslut", post(add_decision))
        .route(
            "/styrgrupper/{id}/beslut/{decision_id}",
            post(update_decision),
        )
}

const STATUSES: [&str; 4] = ["open", "in_progress", "done", "cancelled"];

fn blank_to_none(v: &Option<String>) -> Option<String> {
    v.as_ref()
        .map(|s| s.trim().to_string())
        .filter(|s| !s.is_empty())
}

fn id_field(e: &mut ValidationErrors, field: &str, v: &Option<String>) -> Option<i64> {
    let v = blank_to_none(v)?;
    match v.parse::<i64>() {
        Ok(id) if id > 0 => Some(id),
        _ => {
            e.add(
                field,
                "invalid_choice",
                format!("{field}: choose an option"),
            );
            None
        }
    }
}

#[derive(Debug, Default, Deserialize, Serialize, Clone)]
struct GroupForm {
    name: Option<String>,
    #[serde(default)]
    organisation_ids: Vec<String>,
}

#[derive(Debug, Default, Deserialize, Serialize, Clone)]
struct MeetingForm {
    meeting_date: Option<String>,
    notes: Option<String>,
}

#[derive(Debug, Default, Deserialize, Serialize, Clone)]
struct CaseForm {
    participant_id: Option<String>,
    question: Option<String>,
}

#[derive(Debug, Default, Deserialize, Serialize, Clone)]
struct DecisionForm {
    text: Option<String>,
    case_id: Option<String>,
    meeting_id: Option<String>,
    #[serde(default)]
    organisation_ids: Vec<String>,
    follow_up_date: Option<String>,
    status: Option<String>,
    // A step the decision creates in the case participant's plan.
    new_step_activity_type: Option<String>,
    new_step_activity_text: Option<String>,
    new_step_organisation_id: Option<String>,
    new_step_start_date: Option<String>,
    new_step_due_date: Option<String>,
    // A step of that plan the decision changes.
    change_step_id: Option<String>,
    change_step_status: Option<String>,
    change_step_due_date: Option<String>,
}

impl DecisionForm {
    fn wants_new_step(&self) -> bool {
        [
            &self.new_step_activity_type,
            &self.new_step_activity_text,
            &self.new_step_organisation_id,
            &self.new_step_start_date,
            &self.new_step_due_date,
        ]
        .iter()
        .any(|v| blank_to_none(v).is_some())
    }

    fn wants_step_change(&self) -> bool {
        [
            &self.change_step_id,
            &self.change_step_status,
            &self.change_step_due_date,
        ]
        .iter()
        .any(|v| blank_to_none(v).is_some())
    }
}

/// The decision form's name for a field the store names by its place in the
/// step lists (`create_steps[0].due_date` → `new_step_due_date`), so the
/// message stands beside the field it is about.
fn decision_field(field: &str, code: &str) -> (String, String) {
    const NEW: [&str; 5] = [
        "activity_type",
        "activity_text",
        "organisation_id",
        "start_date",
        "due_date",
    ];
    if let Some(f) = field.strip_prefix("create_steps[0].") {
        return match f {
            // The participant has no plan to put the step in.
            "plan" => ("case_id".into(), "no_plan".into()),
            f if NEW.contains(&f) => (format!("new_step_{f}"), code.into()),
            _ => ("new_step_activity_type".into(), code.into()),
        };
    }
    if let Some(f) = field.strip_prefix("update_steps[0].") {
        return match f {
            "status" | "due_date" => (format!("change_step_{f}"), code.into()),
            _ => ("change_step_id".into(), code.into()),
        };
    }
    if field.starts_with("update_steps") {
        return ("change_step_id".into(), code.into());
    }
    (field.into(), code.into())
}

#[derive(Debug, Default, Deserialize, Serialize, Clone)]
struct StatusForm {
    version: Option<String>,
    status: Option<String>,
    follow_up_date: Option<String>,
}

fn may(user: &UiUser, a: SteeringAction) -> bool {
    steering_role_may(user.session.user.role, a)
}

async fn org_names(state: &AppState) -> (Vec<Value>, HashMap<i64, String>) {
    let orgs = state.store.list_organisations().await.unwrap_or_default();
    let names = orgs.iter().map(|o| (o.id, o.name.clone())).collect();
    let list = orgs
        .iter()
        .map(|o| json!({"id": o.id, "name": o.name}))
        .collect();
    (list, names)
}

async fn list_page(
    state: &AppState,
    user: &UiUser,
    failed: Option<Failed>,
    status: StatusCode,
) -> Response {
    let groups = match state.store.list_steering_groups(&user.ctx).await {
        Ok(g) => g,
        Err(e) => return user_error_page(user, e.into()),
    };
    let (orgs, names) = org_names(state).await;
    let mut ctx = base_context(user.lang, Some(user), "/styrgrupper", "steering");
    ctx.insert(
        "groups".into(),
        json!(groups
            .iter()
            .map(|g| json!({
                "id": g.id,
                "name": g.name,
                "members": g.organisation_ids.iter().map(|o| names.get(o).cloned().unwrap_or_else(|| format!("#{o}"))).collect::<Vec<_>>(),
            }))
            .collect::<Vec<_>>()),
    );
    ctx.insert("orgs".into(), json!(orgs));
    ctx.insert(
        "may_create".into(),
        json!(may(user, SteeringAction::Create)),
    );
    put_failed(&mut ctx, failed);
    render(&state.templates, "steering/groups.html", ctx, status)
}

async fn list(State(state): State<AppState>, user: UiUser) -> Response {
    list_page(&state, &user, None, StatusCode::OK).await
}

fn ids_of(v: &[String]) -> Result<Vec<i64>, ()> {
    v.iter()
        .filter(|s| !s.trim().is_empty())
        .map(|s| s.trim().parse::<i64>().map_err(|_| ()))
        .collect()
}

async fn create(
    State(state): State<AppState>,
    user: UiUser,
    CsrfForm(form): CsrfForm<GroupForm>,
) -> Response {
    if !may(&user, SteeringAction::Create) {
        return user_error_page(&user, Problem::forbidden());
    }
    let orgs = ids_of(&form.organisation_ids).unwrap_or_else(|_| vec![0]);
    let input = GroupInput {
        name: Some(form.name.clone().unwrap_or_default()),
        organisation_ids: orgs,
    };
    match state.store.create_steering_group(&user.ctx, &input).await {
        Ok(g) => Redirect::to(&format!("/styrgrupper/{}?sparad=grupp", g.id)).into_response(),
        Err(e) => {
            forms::again(&user, "group", json!(form), e, |f, s| {
                list_page(&state, &user, f, s)
            })
            .await
        }
    }
}

fn person(p: &vagar_store::steering::ParticipantRef) -> Value {
    json!({"id": p.id, "name": format!("{} {}", p.first_name, p.last_name)})
}

async fn group_page(
    state: &AppState,
    user: &UiUser,
    id: i64,
    failed: Option<Failed>,
    flash: Option<&str>,
    status: StatusCode,
) -> Response {
    let store = &state.store;
    let g = match store.read_steering_group(&user.ctx, id).await {
        Ok(g) => g,
        Err(e) => return user_error_page(user, e.into()),
    };
    let meetings = match store.list_steering_meetings(&user.ctx, id).await {
        Ok(m) => m,
        Err(e) => return user_error_page(user, e.into()),
    };
    let cases = match store.list_steering_cases(&user.ctx, id).await {
        Ok(c) => c,
        Err(e) => return user_error_page(user, e.into()),
    };
    let decisions = match store.list_steering_decisions(&user.ctx, id).await {
        Ok(d) => d,
        Err(e) => return user_error_page(user, e.into()),
    };
    let (orgs, names) = org_names(state).await;
    let name_of = |o: &i64| names.get(o).cloned().unwrap_or_else(|| format!("#{o}"));
    let mut ctx = base_context(
        user.lang,
        Some(user),
        &format!("/styrgrupper/{id}"),
        "steering",
    );
    ctx.insert(
        "g".into(),
        json!({"id": g.id, "name": g.name, "members": g.organisation_ids.iter().map(name_of).collect::<Vec<_>>()}),
    );
    ctx.insert(
        "member_orgs".into(),
        json!(g
            .organisation_ids
            .iter()
            .map(|o| json!({"id": o, "name": name_of(o)}))
            .collect::<Vec<_>>()),
    );
    // A decision may create a step for any organisation.
    ctx.insert("step_orgs".into(), json!(orgs));
    ctx.insert(
        "meetings".into(),
        json!(meetings
            .iter()
            .rev()
            .map(|m| json!({"id": m.id, "date": m.meeting_date.to_string(), "notes": m.notes}))
            .collect::<Vec<_>>()),
    );
    ctx.insert(
        "cases".into(),
        json!(cases
            .iter()
            .map(|c| json!({
                "id": c.id,
                "participant": c.participant.as_ref().map(person),
                "question": c.question,
                "status": c.status.as_str(),
                "referred_by_org": name_of(&c.referred_by_organisation_id),
                "referred_on": vagar_domain::time::swedish_date(c.referred_at).to_string(),
            }))
            .collect::<Vec<_>>()),
    );
    ctx.insert(
        "decisions".into(),
        json!(decisions
            .iter()
            .rev()
            .map(|d| json!({
                "id": d.id,
                "text": d.text,
                "status": d.status.as_str(),
                "version": d.version,
                "follow_up_date": d.follow_up_date.map(|f| f.to_string()),
                "case_id": d.case_id,
                "meeting_date": d.meeting_id.and_then(|m| meetings.iter().find(|x| x.id == m)).map(|m| m.meeting_date.to_string()),
                "orgs": d.organisation_ids.iter().map(name_of).collect::<Vec<_>>(),
                "participants": d.participants.iter().map(person).collect::<Vec<_>>(),
                "hidden": d.hidden_participants,
                "steps": d.steps.len(),
            }))
            .collect::<Vec<_>>()),
    );
    ctx.insert("statuses".into(), json!(STATUSES));
    let may_manage = may(user, SteeringAction::Manage);
    ctx.insert("may_manage".into(), json!(may_manage));
    ctx.insert(
        "activity_types".into(),
        json!(ActivityType::ALL
            .iter()
            .map(|a| a.as_str())
            .collect::<Vec<_>>()),
    );
    ctx.insert(
        "step_statuses".into(),
        json!(StepStatus::ALL
            .iter()
            .map(|a| a.as_str())
            .collect::<Vec<_>>()),
    );
    if may_manage {
        ctx.insert(
            "case_steps".into(),
            json!(case_steps(state, user, &cases, &names).await),
        );
    }
    ctx.insert("flash".into(), json!(flash));
    put_failed(&mut ctx, failed);
    render(&state.templates, "steering/group.html", ctx, status)
}

/// The steps a decision may change, per case participant: the steps of
/// their plan as the plan page shows them to the user (read through the
/// same store function, so access and audit are the same). A participant
/// without a plan the user may read has none.
async fn case_steps(
    state: &AppState,
    user: &UiUser,
    cases: &[vagar_store::steering::Case],
    names: &HashMap<i64, String>,
) -> Vec<Value> {
    let mut seen = std::collections::HashSet::new();
    let mut out = vec![];
    for c in cases {
        let Some(p) = &c.participant else { continue };
        if !seen.insert(p.id) {
            continue;
        }
        let Ok(view) = state.store.read_plan(&user.ctx, p.id).await else {
            continue;
        };
        if view.steps.is_empty() {
            continue;
        }
        let steps: Vec<Value> = view
            .steps
            .iter()
            .enumerate()
            .map(|(n, s)| {
                let d = &s.data;
                json!({
                    "id": s.id,
                    "n": n + 1,
                    "activity_type": d.activity_type.as_str(),
                    "activity_text": d.activity_text,
                    "organisation": names.get(&d.organisation_id).cloned().unwrap_or_default(),
                    "status": d.status.as_str(),
                    "due_date": d.due_date.to_string(),
                })
            })
            .collect();
        out.push(json!({"name": format!("{} {}", p.first_name, p.last_name), "steps": steps}));
    }
    out
}

async fn show(
    State(state): State<AppState>,
    user: UiUser,
    PageId(id): PageId,
    Query(q): Query<HashMap<String, String>>,
) -> Response {
    let flash = match q.get("sparad").map(String::as_str) {
        Some("grupp") => Some("steering-group-created"),
        Some("mote") => Some("steering-meeting-added"),
        Some("arende") => Some("steering-case-added"),
        Some("beslut") => Some("steering-decision-added"),
        Some("status") => Some("steering-decision-updated"),
        _ => None,
    };
    group_page(&state, &user, id, None, flash, StatusCode::OK).await
}

async fn again(
    state: &AppState,
    user: &UiUser,
    id: i64,
    form: &str,
    values: Value,
    e: StoreError,
) -> Response {
    forms::again(user, form, values, e, |f, s| {
        group_page(state, user, id, f, None, s)
    })
    .await
}

fn done(id: i64, what: &str) -> Response {
    Redirect::to(&format!("/styrgrupper/{id}?sparad={what}")).into_response()
}

async fn add_meeting(
    State(state): State<AppState>,
    user: UiUser,
    PageId(id): PageId,
    CsrfForm(form): CsrfForm<MeetingForm>,
) -> Response {
    let input = MeetingInput {
        meeting_date: Some(form.meeting_date.clone().unwrap_or_default()),
        notes: Some(blank_to_none(&form.notes)),
    };
    match state
        .store
        .add_steering_meeting(&user.ctx, id, &input)
        .await
    {
        Ok(_) => done(id, "mote"),
        Err(e) => again(&state, &user, id, "meeting", json!(form), e).await,
    }
}

async fn add_case(
    State(state): State<AppState>,
    user: UiUser,
    PageId(id): PageId,
    CsrfForm(form): CsrfForm<CaseForm>,
) -> Response {
    let mut e = ValidationErrors::new();
    let participant_id = id_field(&mut e, "participant_id", &form.participant_id);
    if !e.is_empty() {
        return again(
            &state,
            &user,
            id,
            "case",
            json!(form),
            StoreError::Validation(e),
        )
        .await;
    }
    let input = CaseInput {
        participant_id,
        question: Some(form.question.clone().unwrap_or_default()),
    };
    match state.store.add_steering_case(&user.ctx, id, &input).await {
        Ok(_) => done(id, "arende"),
        // A participant the reader may not see is, for the form, unknown.
        Err(StoreError::NotFound) if participant_id.is_some() => {
            let mut e = ValidationErrors::new();
            e.add(
                "participant_id",
                "unknown_participant",
                "unknown participant",
            );
            again(
                &state,
                &user,
                id,
                "case",
                json!(form),
                StoreError::Validation(e),
            )
            .await
        }
        Err(err) => again(&state, &user, id, "case", json!(form), err).await,
    }
}

/// The decision form again after a store error, each message beside the
/// form field it is about.
async fn decision_again(
    state: &AppState,
    user: &UiUser,
    id: i64,
    form: &DecisionForm,
    err: StoreError,
) -> Response {
    let err = match err {
        StoreError::Validation(v) => {
            let mut out = ValidationErrors::new();
            for fe in v.0 {
                let (field, code) = decision_field(&fe.field, &fe.code);
                out.add(&field, &code, fe.message);
            }
            StoreError::Validation(out)
        }
        StoreError::Conflict { field, message } => {
            let (field, code) = decision_field(&field, "conflict");
            let mut out = ValidationErrors::new();
            out.add(&field, &code, message);
            StoreError::Validation(out)
        }
        other => other,
    };
    again(state, user, id, "decision", json!(form), err).await
}

async fn add_decision(
    State(state): State<AppState>,
    user: UiUser,
    PageId(id): PageId,
    CsrfForm(form): CsrfForm<DecisionForm>,
) -> Response {
    let mut e = ValidationErrors::new();
    let case_id = id_field(&mut e, "case_id", &form.case_id);
    let meeting_id = id_field(&mut e, "meeting_id", &form.meeting_id);
    let orgs = match ids_of(&form.organisation_ids) {
        Ok(o) => o,
        Err(()) => {
            e.add("organisation_ids", "invalid_choice", "choose organisations");
            vec![]
        }
    };
    let new_step = form.wants_new_step();
    let step_change = form.wants_step_change();
    let new_step_org = id_field(
        &mut e,
        "new_step_organisation_id",
        &form.new_step_organisation_id,
    );
    let change_step_id = id_field(&mut e, "change_step_id", &form.change_step_id);
    if step_change && change_step_id.is_none() && !e.0.iter().any(|x| x.field == "change_step_id") {
        e.add("change_step_id", "required", "choose the step to change");
    }
    if change_step_id.is_some()
        && blank_to_none(&form.change_step_status).is_none()
        && blank_to_none(&form.change_step_due_date).is_none()
    {
        e.add(
            "change_step_status",
            "nothing_to_change",
            "give a new status or due date",
        );
    }
    if !e.is_empty() {
        return decision_again(&state, &user, id, &form, StoreError::Validation(e)).await;
    }
    // A decision on a case concerns the case's participant; the steps it
    // creates or changes are in that participant's plan.
    let mut participant_ids = vec![];
    if let Some(c) = case_id {
        match state.store.list_steering_cases(&user.ctx, id).await {
            Ok(cases) => {
                if let Some(p) = cases
                    .iter()
                    .find(|x| x.id == c)
                    .and_then(|x| x.participant.as_ref())
                {
                    participant_ids.push(p.id);
                }
            }
            Err(err) => return user_error_page(&user, err.into()),
        }
    }
    let participant = participant_ids.first().copied();
    if (new_step || step_change) && participant.is_none() {
        e.add(
            "case_id",
            "case_for_steps",
            "choose the case whose participant's plan the steps are in",
        );
        return decision_again(&state, &user, id, &form, StoreError::Validation(e)).await;
    }
    let mut creates = vec![];
    let mut updates = vec![];
    if let Some(participant_id) = participant {
        if new_step {
            creates.push(StepCreate {
                participant_id,
                step: StepInput {
                    activity_type: blank_to_none(&form.new_step_activity_type),
                    activity_text: Some(blank_to_none(&form.new_step_activity_text)),
                    organisation_id: new_step_org,
                    responsible_user_id: Some(None),
                    // A step starts today unless the decision says otherwise.
                    start_date: Some(
                        blank_to_none(&form.new_step_start_date)
                            .unwrap_or_else(|| user.ctx.today().to_string()),
                    ),
                    due_date: blank_to_none(&form.new_step_due_date),
                    status: None,
                    result_note: None,
                },
            });
        }
        if let Some(step_id) = change_step_id {
            updates.push(StepUpdate {
                participant_id,
                step_id,
                step: StepInput {
                    status: blank_to_none(&form.change_step_status),
                    due_date: blank_to_none(&form.change_step_due_date),
                    ..Default::default()
                },
            });
        }
    }
    let input = DecisionInput {
        text: Some(form.text.clone().unwrap_or_default()),
        case_id: Some(case_id),
        meeting_id: Some(meeting_id),
        organisation_ids: orgs,
        participant_ids,
        follow_up_date: Some(blank_to_none(&form.follow_up_date)),
        status: blank_to_none(&form.status),
    };
    match state
        .store
        .create_steering_decision(&user.ctx, id, &input, &creates, &updates)
        .await
    {
        Ok(_) => done(id, "beslut"),
        // The store refuses plan changes for a participant the user may not
        // update as it refuses an unknown one: for the form, not allowed.
        Err(StoreError::NotFound) if !creates.is_empty() || !updates.is_empty() => {
            let mut e = ValidationErrors::new();
            e.add(
                "case_id",
                "plan_not_allowed",
                "you may not change this participant's plan",
            );
            decision_again(&state, &user, id, &form, StoreError::Validation(e)).await
        }
        Err(err) => decision_again(&state, &user, id, &form, err).await,
    }
}

async fn update_decision(
    State(state): State<AppState>,
    user: UiUser,
    Path((id, decision_id)): Path<(String, String)>,
    CsrfForm(form): CsrfForm<StatusForm>,
) -> Response {
    let (Some(id), Some(decision_id)) = (parse_id(&id), parse_id(&decision_id)) else {
        return user_error_page(&user, Problem::not_found());
    };
    let patch = DecisionPatch {
        status: blank_to_none(&form.status),
        follow_up_date: Some(blank_to_none(&form.follow_up_date)),
    };
    let version = form.version.as_deref().and_then(|v| v.parse().ok());
    match state
        .store
        .update_steering_decision(&user.ctx, id, decision_id, &patch, version)
        .await
    {
        Ok(_) => done(id, "status"),
        Err(err) => {
            again(
                &state,
                &user,
                id,
                &format!("d{decision_id}"),
                json!(form),
                err,
            )
            .await
        }
    }
}
