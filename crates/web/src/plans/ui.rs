//! The shared action plan page (`/deltagare/{id}/plan`): the long-term goal,
//! the steps of every organisation in one table with a form to add a step for
//! any organisation and a small form per step (status, result note), the
//! contacts and the history of every change — all through the same store
//! functions as the API, so access and audit are the same.
//!
//! Every form posts to its own address and, on an error, the whole page is
//! shown again with that form's values kept, an error summary and inline
//! messages. Field ids carry the form's name (`goal-`, `step-`, `s{id}-`,
//! `contact-`) so the forms on one page never share an id.

use crate::kernel::error::Problem;
use crate::kernel::forms::{self as forms, PageId};
use crate::kernel::forms::{errors_map, CsrfForm, Failed};
use crate::kernel::i18n::t;
use crate::kernel::session::UiUser;
use crate::participants::ui::{may_update, parse_id};
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
use vagar_domain::consent::DataCategory;
use vagar_domain::plans::access::PlanAccess;
use vagar_domain::plans::{
    ActivityType, ContactInput, ContactKind, GoalInput, GoalKind, StepInput, StepStatus,
};
use vagar_domain::ValidationErrors;
use vagar_store::plans::PlanView;
use vagar_store::StoreError;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/deltagare/{id}/plan", get(show))
        .route("/deltagare/{id}/plan/mal", post(save_goal))
        .route("/deltagare/{id}/plan/steg", post(add_step))
        .route("/deltagare/{id}/plan/steg/{step_id}", post(update_step))
        .route("/deltagare/{id}/kontakter", post(add_contact))
}

fn codes<T: Copy>(all: &[T], f: fn(T) -> &'static str) -> Vec<&'static str> {
    all.iter().map(|v| f(*v)).collect()
}

fn blank_to_none(v: &Option<String>) -> Option<String> {
    v.as_ref()
        .map(|s| s.trim().to_string())
        .filter(|s| !s.is_empty())
}

#[derive(Debug, Default, Deserialize, Serialize, Clone)]
struct GoalForm {
    version: Option<String>,
    goal_kind: Option<String>,
    ssyk_code: Option<String>,
    goal_title: Option<String>,
}

#[derive(Debug, Default, Deserialize, Serialize, Clone)]
struct StepForm {
    activity_type: Option<String>,
    activity_text: Option<String>,
    organisation_id: Option<String>,
    responsible_user_id: Option<String>,
    start_date: Option<String>,
    due_date: Option<String>,
    status: Option<String>,
    /// Ticked after the warning that the organisation has no consent.
    without_consent: Option<String>,
}

#[derive(Debug, Default, Deserialize, Serialize, Clone)]
struct StepEditForm {
    version: Option<String>,
    status: Option<String>,
    result_note: Option<String>,
}

#[derive(Debug, Default, Deserialize, Serialize, Clone)]
struct ContactForm {
    contact_date: Option<String>,
    organisation_id: Option<String>,
    kind: Option<String>,
    note: Option<String>,
}

/// A number field of a form: blank is `None`, anything else must parse.
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

fn date_time(at: chrono::DateTime<chrono::Utc>) -> String {
    let local = at.naive_utc() + vagar_domain::time::sweden_offset(at);
    local.format("%Y-%m-%d %H:%M").to_string()
}

/// A history value as a reader understands it: names for organisations and
/// users, words for codes.
fn history_value(
    lang: crate::kernel::i18n::Lang,
    field: &str,
    v: &Option<String>,
    orgs: &HashMap<i64, String>,
    people: &HashMap<i64, String>,
) -> String {
    let Some(v) = v else {
        return t(lang, "none", &[]);
    };
    let by_id = |m: &HashMap<i64, String>| {
        v.parse::<i64>()
            .ok()
            .and_then(|id| m.get(&id).cloned())
            .unwrap_or_else(|| format!("#{v}"))
    };
    match field {
        "organisation_id" => by_id(orgs),
        "responsible_user_id" => by_id(people),
        "status" => t(lang, &format!("step-status-{v}"), &[]),
        "activity_type" => t(lang, &format!("activity-{v}"), &[]),
        "goal_kind" => t(lang, &format!("goal-kind-{v}"), &[]),
        _ => v.clone(),
    }
}

async fn plan_page(
    state: &AppState,
    user: &UiUser,
    id: i64,
    failed: Option<Failed>,
    flash: Option<&str>,
    status: StatusCode,
) -> Response {
    let lang = user.lang;
    let p = match state.store.read_participant(&user.ctx, id).await {
        Ok(p) => p,
        Err(e) => return user_error_page(user, e.into()),
    };
    let full = may_update(user, &p);
    let view: Option<PlanView> = match state.store.read_plan(&user.ctx, id).await {
        Ok(v) => Some(v),
        Err(StoreError::NotFound) => None,
        Err(e) => return user_error_page(user, e.into()),
    };
    let access = view.as_ref().map(|v| v.access);
    let orgs_list = state.store.list_organisations().await.unwrap_or_default();
    let orgs: HashMap<i64, String> = orgs_list.iter().map(|o| (o.id, o.name.clone())).collect();
    // The people who can be responsible for a step: each organisation's
    // caseworkers, and the reader themself.
    let mut people: HashMap<i64, String> = HashMap::new();
    people.insert(
        user.ctx.actor.user_id,
        user.session.user.display_name.clone(),
    );
    let mut groups = Vec::new();
    for o in &orgs_list {
        let mut members: Vec<Value> = Vec::new();
        let mut seen_self = false;
        for u in state.store.list_caseworkers(o.id).await.unwrap_or_default() {
            seen_self |= u.id == user.ctx.actor.user_id;
            people.insert(u.id, u.display_name.clone());
            members.push(json!({"id": u.id.to_string(), "name": u.display_name}));
        }
        if o.id == user.ctx.actor.organisation_id && !seen_self {
            members.push(json!({"id": user.ctx.actor.user_id.to_string(),
                                "name": user.session.user.display_name}));
        }
        if !members.is_empty() {
            groups.push(json!({"name": o.name, "people": members}));
        }
    }
    // Which organisations a new step or contact may belong to.
    let step_orgs: Vec<Value> = orgs_list
        .iter()
        .filter(|o| match access {
            Some(a) => a.may_edit_step(o.id),
            None => full,
        })
        .map(|o| json!({"id": o.id.to_string(), "name": o.name}))
        .collect();
    let may_add_steps = view.is_some() && !step_orgs.is_empty();
    let goal_editable = match access {
        Some(a) => a.may_edit_goal(),
        None => full,
    };

    let mut ctx = base_context(
        lang,
        Some(user),
        &format!("/deltagare/{id}/plan"),
        "participants",
    );
    let name = format!("{} {}", p.data.first_name, p.data.last_name);
    ctx.insert("p".into(), json!({"id": id, "name": name}));
    ctx.insert("has_plan".into(), json!(view.is_some()));
    ctx.insert("goal_editable".into(), json!(goal_editable));
    ctx.insert("may_add_steps".into(), json!(may_add_steps));
    ctx.insert(
        "read_only".into(),
        json!(matches!(access, Some(PlanAccess::ReadOnly))),
    );
    ctx.insert("step_orgs".into(), json!(step_orgs));
    ctx.insert("people_groups".into(), json!(groups));
    ctx.insert(
        "goal_kinds".into(),
        json!(codes(GoalKind::ALL, GoalKind::as_str)),
    );
    ctx.insert(
        "activity_types".into(),
        json!(codes(ActivityType::ALL, ActivityType::as_str)),
    );
    ctx.insert(
        "contact_kinds".into(),
        json!(codes(ContactKind::ALL, ContactKind::as_str)),
    );
    ctx.insert("new_statuses".into(), json!(["planned", "active"]));
    let today = user.ctx.today().to_string();
    let own_org = user.ctx.actor.organisation_id.to_string();

    // Form values: as stored, or as typed on the form that failed.
    let mut goal_f = json!({});
    if let Some(v) = &view {
        let g = &v.plan.goal;
        goal_f = json!({"version": v.plan.version.to_string(), "goal_kind": g.kind.as_str(),
                        "ssyk_code": g.ssyk_code, "goal_title": g.title});
        ctx.insert(
            "goal".into(),
            json!({"kind": g.kind.as_str(), "ssyk_code": g.ssyk_code, "title": g.title}),
        );
    }
    let default_org = if step_orgs.iter().any(|o| o["id"] == json!(own_org)) {
        own_org.clone()
    } else {
        String::new()
    };
    let mut step_f =
        json!({"status": "planned", "start_date": today, "organisation_id": default_org});
    let mut contact_f =
        json!({"contact_date": today, "organisation_id": default_org, "kind": "meeting"});
    let mut edit_f: Option<(i64, Value)> = None;
    let mut errors = json!({});
    let mut error_list = Vec::new();
    let mut failed_form = String::new();
    let mut stale = false;
    if let Some(f) = failed {
        errors = errors_map(&f.errors);
        error_list = f.errors.0.clone();
        stale = f.stale;
        failed_form = f.form.clone();
        match f.form.as_str() {
            // A stale goal form shows the goal as it is now.
            "goal" if !f.stale => goal_f = f.values,
            "step" => step_f = f.values,
            "contact" => contact_f = f.values,
            s if s.starts_with('s') && !f.stale => {
                if let Ok(sid) = s[1..].parse::<i64>() {
                    edit_f = Some((sid, f.values));
                }
            }
            _ => {}
        }
    }
    ctx.insert("goal_f".into(), goal_f);
    ctx.insert("step_f".into(), step_f);
    ctx.insert("contact_f".into(), contact_f);
    ctx.insert("errors".into(), errors);
    ctx.insert("error_list".into(), json!(error_list));
    ctx.insert("failed_form".into(), json!(failed_form));
    ctx.insert("stale".into(), json!(stale));
    ctx.insert("flash".into(), json!(flash));

    let mut steps = Vec::new();
    if let Some(v) = &view {
        for (n, s) in v.steps.iter().enumerate() {
            let d = &s.data;
            let (status_v, note_v) = match &edit_f {
                Some((sid, vals)) if *sid == s.id => (
                    vals["status"].as_str().unwrap_or("").to_string(),
                    vals["result_note"].as_str().unwrap_or("").to_string(),
                ),
                _ => (
                    d.status.as_str().to_string(),
                    d.result_note.clone().unwrap_or_default(),
                ),
            };
            let next: Vec<&str> = StepStatus::ALL
                .iter()
                .filter(|to| d.status.may_become(**to))
                .map(|to| to.as_str())
                .collect();
            steps.push(json!({
                "id": s.id, "n": n + 1, "version": s.version,
                "activity_type": d.activity_type.as_str(), "activity_text": d.activity_text,
                "organisation": orgs.get(&d.organisation_id).cloned().unwrap_or_default(),
                "responsible": d.responsible_user_id.map(|u| people.get(&u).cloned().unwrap_or_else(|| format!("#{u}"))),
                "start_date": d.start_date.to_string(), "due_date": d.due_date.to_string(),
                "status": d.status.as_str(), "result_note": d.result_note,
                "editable": v.access.may_edit_step(d.organisation_id),
                "next_statuses": next, "f_status": status_v, "f_note": note_v,
            }));
        }
    }
    let step_numbers: HashMap<i64, usize> = view
        .as_ref()
        .map(|v| {
            v.steps
                .iter()
                .enumerate()
                .map(|(n, s)| (s.id, n + 1))
                .collect()
        })
        .unwrap_or_default();
    ctx.insert("steps".into(), json!(steps));

    if view.is_some() {
        let history = match state.store.plan_history(&user.ctx, id).await {
            Ok(h) => h,
            Err(e) => return user_error_page(user, e.into()),
        };
        let rows: Vec<Value> = history
            .iter()
            .rev()
            .map(|h| {
                let what = match h.step_id {
                    None => t(lang, "history-goal", &[]),
                    Some(sid) => t(
                        lang,
                        "history-step",
                        &[(
                            "n",
                            step_numbers
                                .get(&sid)
                                .map(|n| n.to_string())
                                .unwrap_or_else(|| sid.to_string()),
                        )],
                    ),
                };
                json!({
                    "at": date_time(h.at), "who": h.user_name,
                    "org": orgs.get(&h.organisation_id).cloned().unwrap_or_default(),
                    "what": what, "change": h.change, "decision": h.decision_id,
                    "field": t(lang, &format!("plan-field-{}", h.field), &[]),
                    "old": h.old_value.as_ref().map(|_| history_value(lang, &h.field, &h.old_value, &orgs, &people)),
                    "new": history_value(lang, &h.field, &h.new_value, &orgs, &people),
                })
            })
            .collect();
        ctx.insert("history".into(), json!(rows));
        let contacts = match state.store.list_contacts(&user.ctx, id).await {
            Ok(c) => c,
            Err(e) => return user_error_page(user, e.into()),
        };
        let rows: Vec<Value> = contacts
            .iter()
            .map(|c| {
                json!({
                    "date": c.data.contact_date.to_string(),
                    "org": orgs.get(&c.data.organisation_id).cloned().unwrap_or_default(),
                    "kind": c.data.kind.as_str(), "note": c.data.note,
                    "by": people.get(&c.recorded_by).cloned(),
                })
            })
            .collect();
        ctx.insert("contacts".into(), json!(rows));
    }
    render(&state.templates, "plans/plan.html", ctx, status)
}

async fn show(
    State(state): State<AppState>,
    user: UiUser,
    PageId(id): PageId,
    Query(q): Query<HashMap<String, String>>,
) -> Response {
    let flash = match q.get("sparad").map(String::as_str) {
        Some("mal") => Some("plan-goal-saved"),
        Some("steg") => Some("plan-step-added"),
        Some("andrat") => Some("plan-step-updated"),
        Some("kontakt") => Some("contact-added"),
        _ => None,
    };
    plan_page(&state, &user, id, None, flash, StatusCode::OK).await
}

/// After a store error: the page again with the form's values, or an error page.
async fn again(
    state: &AppState,
    user: &UiUser,
    id: i64,
    form: &str,
    values: Value,
    e: StoreError,
) -> Response {
    forms::again(user, form, values, e, |f, s| {
        plan_page(state, user, id, f, None, s)
    })
    .await
}

fn done(id: i64, what: &str) -> Response {
    Redirect::to(&format!("/deltagare/{id}/plan?sparad={what}")).into_response()
}

async fn save_goal(
    State(state): State<AppState>,
    user: UiUser,
    PageId(id): PageId,
    CsrfForm(form): CsrfForm<GoalForm>,
) -> Response {
    let input = GoalInput {
        goal_kind: blank_to_none(&form.goal_kind),
        ssyk_code: Some(blank_to_none(&form.ssyk_code)),
        goal_title: Some(form.goal_title.clone().unwrap_or_default()),
    };
    let version = form.version.as_deref().and_then(|v| v.parse().ok());
    match state.store.save_plan(&user.ctx, id, &input, version).await {
        Ok(_) => done(id, "mal"),
        Err(e) => again(&state, &user, id, "goal", json!(form), e).await,
    }
}

async fn add_step(
    State(state): State<AppState>,
    user: UiUser,
    PageId(id): PageId,
    CsrfForm(form): CsrfForm<StepForm>,
) -> Response {
    let mut e = ValidationErrors::new();
    let organisation_id = id_field(&mut e, "organisation_id", &form.organisation_id);
    let responsible = id_field(&mut e, "responsible_user_id", &form.responsible_user_id);
    if !e.is_empty() {
        return again(
            &state,
            &user,
            id,
            "step",
            json!(form),
            StoreError::Validation(e),
        )
        .await;
    }
    // Another organisation sees the plan only under a consent naming it:
    // without one, warn first (the caseworker may still go on, or record it).
    if let Some(org) = organisation_id {
        if form.without_consent.is_none() && !consented(&state, &user, id, org).await {
            let failed = Failed::one("step", json!(form), "organisation_id", "no_consent");
            return plan_page(
                &state,
                &user,
                id,
                Some(failed),
                None,
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await;
        }
    }
    let input = StepInput {
        activity_type: blank_to_none(&form.activity_type),
        activity_text: Some(blank_to_none(&form.activity_text)),
        organisation_id,
        responsible_user_id: Some(responsible),
        start_date: blank_to_none(&form.start_date),
        due_date: blank_to_none(&form.due_date),
        status: blank_to_none(&form.status),
        result_note: None,
    };
    match state.store.add_step(&user.ctx, id, &input).await {
        Ok(_) => done(id, "steg"),
        Err(e) => again(&state, &user, id, "step", json!(form), e).await,
    }
}

/// Whether `org` may see the participant's plan: the user's own
/// organisation, or one a consent in force names for the action plan. A
/// register the user may not read counts as consented (no warning to give).
async fn consented(state: &AppState, user: &UiUser, participant: i64, org: i64) -> bool {
    if org == user.ctx.actor.organisation_id {
        return true;
    }
    match state.store.consent_history(&user.ctx, participant).await {
        Ok(h) => h
            .consents
            .iter()
            .any(|c| c.state.covers(org, DataCategory::ActionPlan, user.ctx.now)),
        Err(_) => true,
    }
}

async fn update_step(
    State(state): State<AppState>,
    user: UiUser,
    Path((id, step_id)): Path<(String, String)>,
    CsrfForm(form): CsrfForm<StepEditForm>,
) -> Response {
    let (Some(id), Some(step_id)) = (parse_id(&id), parse_id(&step_id)) else {
        return user_error_page(&user, Problem::not_found());
    };
    let input = StepInput {
        status: blank_to_none(&form.status),
        result_note: Some(blank_to_none(&form.result_note)),
        ..Default::default()
    };
    let version = form.version.as_deref().and_then(|v| v.parse().ok());
    match state
        .store
        .update_step(&user.ctx, id, step_id, &input, version)
        .await
    {
        Ok(_) => done(id, "andrat"),
        Err(e) => again(&state, &user, id, &format!("s{step_id}"), json!(form), e).await,
    }
}

async fn add_contact(
    State(state): State<AppState>,
    user: UiUser,
    PageId(id): PageId,
    CsrfForm(form): CsrfForm<ContactForm>,
) -> Response {
    let mut e = ValidationErrors::new();
    let organisation_id = id_field(&mut e, "organisation_id", &form.organisation_id);
    if !e.is_empty() {
        return again(
            &state,
            &user,
            id,
            "contact",
            json!(form),
            StoreError::Validation(e),
        )
        .await;
    }
    let input = ContactInput {
        contact_date: blank_to_none(&form.contact_date),
        organisation_id,
        kind: blank_to_none(&form.kind),
        note: Some(blank_to_none(&form.note)),
    };
    match state.store.add_contact(&user.ctx, id, &input).await {
        Ok(_) => done(id, "kontakt"),
        Err(e) => again(&state, &user, id, "contact", json!(form), e).await,
    }
}
