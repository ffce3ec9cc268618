//! Steering groups (`/styrgrupper`): the groups the reader may read with a
//! form to create one, and a group's page (`/styrgrupper/{id}`) with its
//! members, meetings, cases and decisions and forms to add a meeting, refer
//! a case, record a decision and change a decision's status — all through the
//! same store functions as the API, so access and audit are the same.
//! Participants the reader may not see appear without identity.
//!
//! On an error the page is shown again with that form's values kept, an
//! error summary and inline messages; field ids carry the form's name.

use crate::auth::UiUser;
use crate::error::Problem;
use crate::ui::participants::parse_id;
use crate::ui::{base_context, render, user_error_page};
use crate::AppState;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::Router;
use axum_extra::extract::Form;
use serde::{Deserialize, Serialize};
use serde_json::{json, Map, Value};
use std::collections::HashMap;
use vagar_domain::access::{steering_role_may, SteeringAction};
use vagar_domain::steering::{CaseInput, DecisionInput, DecisionPatch, GroupInput, MeetingInput};
use vagar_domain::ValidationErrors;
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
    #[serde(default)]
    csrf: String,
    name: Option<String>,
    #[serde(default)]
    organisation_ids: Vec<String>,
}

#[derive(Debug, Default, Deserialize, Serialize, Clone)]
struct MeetingForm {
    #[serde(default)]
    csrf: String,
    meeting_date: Option<String>,
    notes: Option<String>,
}

#[derive(Debug, Default, Deserialize, Serialize, Clone)]
struct CaseForm {
    #[serde(default)]
    csrf: String,
    participant_id: Option<String>,
    question: Option<String>,
}

#[derive(Debug, Default, Deserialize, Serialize, Clone)]
struct DecisionForm {
    #[serde(default)]
    csrf: String,
    text: Option<String>,
    case_id: Option<String>,
    meeting_id: Option<String>,
    #[serde(default)]
    organisation_ids: Vec<String>,
    follow_up_date: Option<String>,
    status: Option<String>,
}

#[derive(Debug, Default, Deserialize, Serialize, Clone)]
struct StatusForm {
    #[serde(default)]
    csrf: String,
    version: Option<String>,
    status: Option<String>,
    follow_up_date: Option<String>,
}

struct Failed {
    form: String,
    values: Value,
    errors: ValidationErrors,
    stale: bool,
}

fn form_errors(e: StoreError) -> Result<(ValidationErrors, bool), StoreError> {
    match e {
        StoreError::Validation(v) => Ok((v, false)),
        StoreError::Conflict { field, message } => {
            let mut v = ValidationErrors::new();
            v.add(&field, "conflict", message);
            Ok((v, false))
        }
        StoreError::StaleVersion => Ok((ValidationErrors::new(), true)),
        other => Err(other),
    }
}

fn failed_context(ctx: &mut Map<String, Value>, failed: Option<Failed>) {
    let (form, values, errors, stale) = match failed {
        Some(f) => (Some(f.form), f.values, f.errors, f.stale),
        None => (None, json!({}), ValidationErrors::new(), false),
    };
    let mut m = Map::new();
    let mut list = vec![];
    for fe in &errors.0 {
        if !m.contains_key(&fe.field) {
            m.insert(fe.field.clone(), json!(fe.code));
            list.push(json!({"field": fe.field, "code": fe.code}));
        }
    }
    ctx.insert("failed_form".into(), json!(form));
    ctx.insert("values".into(), values);
    ctx.insert("errors".into(), Value::Object(m));
    ctx.insert("error_list".into(), json!(list));
    ctx.insert("stale".into(), json!(stale));
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
    failed_context(&mut ctx, failed);
    render(&state.templates, "steering.html", ctx, status)
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
    Form(form): Form<GroupForm>,
) -> Response {
    if !user.csrf_ok(&form.csrf) {
        return user_error_page(&user, Problem::forbidden());
    }
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
        Err(e) => match form_errors(e) {
            Ok((errors, stale)) => {
                let failed = Failed {
                    form: "group".into(),
                    values: json!(form),
                    errors,
                    stale,
                };
                list_page(
                    &state,
                    &user,
                    Some(failed),
                    StatusCode::UNPROCESSABLE_ENTITY,
                )
                .await
            }
            Err(e) => user_error_page(&user, e.into()),
        },
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
    let _ = orgs;
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
    ctx.insert(
        "may_manage".into(),
        json!(may(user, SteeringAction::Manage)),
    );
    ctx.insert("flash".into(), json!(flash));
    failed_context(&mut ctx, failed);
    render(&state.templates, "steering_group.html", ctx, status)
}

async fn show(
    State(state): State<AppState>,
    user: UiUser,
    Path(id): Path<String>,
    Query(q): Query<HashMap<String, String>>,
) -> Response {
    let Some(id) = parse_id(&id) else {
        return user_error_page(&user, Problem::not_found());
    };
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
    match form_errors(e) {
        Ok((errors, stale)) => {
            let status = if stale {
                StatusCode::CONFLICT
            } else {
                StatusCode::UNPROCESSABLE_ENTITY
            };
            let failed = Failed {
                form: form.into(),
                values,
                errors,
                stale,
            };
            group_page(state, user, id, Some(failed), None, status).await
        }
        Err(e) => user_error_page(user, e.into()),
    }
}

fn done(id: i64, what: &str) -> Response {
    Redirect::to(&format!("/styrgrupper/{id}?sparad={what}")).into_response()
}

async fn add_meeting(
    State(state): State<AppState>,
    user: UiUser,
    Path(id): Path<String>,
    Form(form): Form<MeetingForm>,
) -> Response {
    let Some(id) = parse_id(&id) else {
        return user_error_page(&user, Problem::not_found());
    };
    if !user.csrf_ok(&form.csrf) {
        return user_error_page(&user, Problem::forbidden());
    }
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
    Path(id): Path<String>,
    Form(form): Form<CaseForm>,
) -> Response {
    let Some(id) = parse_id(&id) else {
        return user_error_page(&user, Problem::not_found());
    };
    if !user.csrf_ok(&form.csrf) {
        return user_error_page(&user, Problem::forbidden());
    }
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

async fn add_decision(
    State(state): State<AppState>,
    user: UiUser,
    Path(id): Path<String>,
    Form(form): Form<DecisionForm>,
) -> Response {
    let Some(id) = parse_id(&id) else {
        return user_error_page(&user, Problem::not_found());
    };
    if !user.csrf_ok(&form.csrf) {
        return user_error_page(&user, Problem::forbidden());
    }
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
    if !e.is_empty() {
        return again(
            &state,
            &user,
            id,
            "decision",
            json!(form),
            StoreError::Validation(e),
        )
        .await;
    }
    // A decision on a case concerns the case's participant.
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
        .create_steering_decision(&user.ctx, id, &input, &[], &[])
        .await
    {
        Ok(_) => done(id, "beslut"),
        Err(err) => again(&state, &user, id, "decision", json!(form), err).await,
    }
}

async fn update_decision(
    State(state): State<AppState>,
    user: UiUser,
    Path((id, decision_id)): Path<(String, String)>,
    Form(form): Form<StatusForm>,
) -> Response {
    let (Some(id), Some(decision_id)) = (parse_id(&id), parse_id(&decision_id)) else {
        return user_error_page(&user, Problem::not_found());
    };
    if !user.csrf_ok(&form.csrf) {
        return user_error_page(&user, Problem::forbidden());
    }
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
