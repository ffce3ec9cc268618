//! The consent section and the handover form of the participant page: the
//! consents (organisations, categories, period, method, who recorded, revoked
//! or not) with a form to record one and a revoke button with a reason, and
//! handing the participant over to another caseworker. The store decides and
//! audits; the page shows the section only to those the rules let read the
//! consent register (the participant's own unit and caseload, admins), so a
//! partner sees what the participant rules give them and no more.

use crate::kernel::error::Problem;
use crate::kernel::forms::CsrfForm;
use crate::kernel::forms::PageId;
use crate::kernel::forms::{self, Failed};
use crate::kernel::session::UiUser;
use crate::participants::ui::{parse_id, participant_page};
use crate::AppState;
use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::post;
use axum::Router;
use serde::{Deserialize, Serialize};
use serde_json::{json, Map, Value};
use std::collections::HashMap;
use vagar_domain::access::{decide, ParticipantAction, ParticipantFacts};
use vagar_domain::consent::{ConsentInput, ConsentMethod, DataCategory};
use vagar_domain::ValidationErrors;
use vagar_store::participants::Participant;
use vagar_store::StoreError;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/deltagare/{id}/samtycken", post(record))
        .route("/deltagare/{id}/samtycken/{cid}/aterkalla", post(revoke))
        .route("/deltagare/{id}/overlamna", post(handover))
}

fn codes<T: Copy>(all: &[T], f: fn(T) -> &'static str) -> Vec<&'static str> {
    all.iter().map(|v| f(*v)).collect()
}

fn allowed(user: &UiUser, p: &Participant, action: ParticipantAction) -> bool {
    let facts = ParticipantFacts {
        organisation_id: p.organisation_id,
        responsible_caseworker_id: p.data.responsible_caseworker_id,
        actor_has_grant: false,
    };
    decide(&user.ctx.actor, action, &facts).is_some()
}

fn date_time(at: chrono::DateTime<chrono::Utc>) -> String {
    let local = at.naive_utc() + vagar_domain::time::sweden_offset(at);
    local.format("%Y-%m-%d %H:%M").to_string()
}

#[derive(Debug, Default, Deserialize, Serialize, Clone)]
pub(crate) struct ConsentForm {
    #[serde(default)]
    organisation_ids: Vec<String>,
    #[serde(default)]
    categories: Vec<String>,
    valid_from: Option<String>,
    valid_to: Option<String>,
    method: Option<String>,
    note: Option<String>,
}

#[derive(Debug, Default, Deserialize, Serialize, Clone)]
pub(crate) struct RevokeForm {
    reason: Option<String>,
}

#[derive(Debug, Default, Deserialize, Serialize, Clone)]
pub(crate) struct HandoverForm {
    to_user_id: Option<String>,
}

/// The consent section's and the handover form's context for the page.
pub(crate) async fn section(
    state: &AppState,
    user: &UiUser,
    p: &Participant,
    failed: Option<&Failed>,
    ctx: &mut Map<String, Value>,
) -> Result<(), StoreError> {
    let orgs_list = state.store.list_organisations().await?;
    let orgs: HashMap<i64, String> = orgs_list.iter().map(|o| (o.id, o.name.clone())).collect();
    let failed_form = failed.map(|f| f.form.as_str()).unwrap_or("");
    let today = user.ctx.today().to_string();

    if allowed(user, p, ParticipantAction::ReadConsents) {
        let h = state.store.consent_history(&user.ctx, p.id).await?;
        let may_revoke = allowed(user, p, ParticipantAction::RevokeConsent);
        let now = user.ctx.now;
        let rows: Vec<Value> = h
            .consents
            .iter()
            .map(|c| {
                let terms = &c.state.terms;
                let created = h
                    .events
                    .iter()
                    .find(|e| e.consent_id == c.id && e.kind == "created");
                let revoked = h
                    .events
                    .iter()
                    .find(|e| e.consent_id == c.id && e.kind == "revoked");
                let state_key = if c.state.revoked_at.is_some() {
                    "revoked"
                } else if c.state.in_force(now) {
                    "in_force"
                } else if terms.valid_from > user.ctx.today() {
                    "future"
                } else {
                    "expired"
                };
                let fid = format!("r{}", c.id);
                json!({
                    "id": c.id,
                    "organisations": terms.organisation_ids.iter()
                        .map(|o| orgs.get(o).cloned().unwrap_or_else(|| format!("#{o}")))
                        .collect::<Vec<_>>(),
                    "categories": terms.categories.iter().map(|c| c.as_str()).collect::<Vec<_>>(),
                    "valid_from": terms.valid_from.to_string(),
                    "valid_to": terms.valid_to.map(|d| d.to_string()),
                    "method": terms.method.as_str(),
                    "note": terms.note,
                    "recorded_by": created.map(|e| e.who.clone()),
                    "recorded_at": date_time(c.recorded_at),
                    "state": state_key,
                    "revoked_by": revoked.map(|e| e.who.clone()),
                    "revoked_at": c.state.revoked_at.map(date_time),
                    "revoke_reason": c.revoke_reason,
                    "may_revoke": may_revoke && c.state.revoked_at.is_none(),
                    "fid": fid,
                    "f_reason": failed.filter(|f| f.form == fid)
                        .and_then(|f| f.values["reason"].as_str().map(str::to_string)),
                })
            })
            .collect();
        ctx.insert("consents".into(), json!(rows));
        ctx.insert("show_consents".into(), json!(true));
    }
    if allowed(user, p, ParticipantAction::RecordConsent) {
        let values = match failed {
            Some(f) if f.form == "consent" => f.values.clone(),
            _ => json!({"organisation_ids": [], "categories": [], "valid_from": today,
                        "method": "written"}),
        };
        ctx.insert("may_record_consent".into(), json!(true));
        ctx.insert("consent_f".into(), values);
        ctx.insert(
            "consent_orgs".into(),
            json!(orgs_list
                .iter()
                .filter(|o| o.id != p.organisation_id)
                .map(|o| json!({"id": o.id.to_string(), "name": o.name}))
                .collect::<Vec<_>>()),
        );
        ctx.insert(
            "consent_categories".into(),
            json!(codes(DataCategory::ALL, DataCategory::as_str)),
        );
        ctx.insert(
            "consent_methods".into(),
            json!(codes(ConsentMethod::ALL, ConsentMethod::as_str)),
        );
    }
    if allowed(user, p, ParticipantAction::Handover) {
        let mut groups = Vec::new();
        for o in &orgs_list {
            let people: Vec<Value> = state
                .store
                .list_caseworkers(o.id)
                .await?
                .into_iter()
                .filter(|u| Some(u.id) != p.data.responsible_caseworker_id)
                .map(|u| json!({"id": u.id.to_string(), "name": u.display_name}))
                .collect();
            if !people.is_empty() {
                groups.push(json!({"name": o.name, "people": people}));
            }
        }
        ctx.insert("may_handover".into(), json!(true));
        ctx.insert("handover_groups".into(), json!(groups));
        ctx.insert(
            "handover_f".into(),
            match failed {
                Some(f) if f.form == "handover" => f.values.clone(),
                _ => json!({}),
            },
        );
    }
    ctx.insert("failed_form".into(), json!(failed_form));
    Ok(())
}

/// After a store error: the participant page with the form's values, or an error page.
async fn again(
    state: &AppState,
    user: &UiUser,
    id: i64,
    form: &str,
    values: Value,
    e: StoreError,
) -> Response {
    // Consents have no version: a stale record cannot come back here.
    forms::again(user, form, values, e, |f, s| {
        participant_page(state, user, id, None, f, s)
    })
    .await
}

async fn record(
    State(state): State<AppState>,
    user: UiUser,
    PageId(id): PageId,
    CsrfForm(form): CsrfForm<ConsentForm>,
) -> Response {
    let mut ids = Vec::new();
    let mut e = ValidationErrors::new();
    for raw in &form.organisation_ids {
        match raw.trim().parse::<i64>() {
            Ok(v) if v > 0 => ids.push(v),
            _ => {
                e.add(
                    "organisation_ids",
                    "unknown_organisation",
                    "choose organisations",
                );
                break;
            }
        }
    }
    if !e.is_empty() {
        return again(
            &state,
            &user,
            id,
            "consent",
            json!(form),
            StoreError::Validation(e),
        )
        .await;
    }
    let input = ConsentInput {
        organisation_ids: Some(ids),
        categories: Some(form.categories.clone()),
        valid_from: form.valid_from.clone(),
        valid_to: Some(form.valid_to.clone()),
        method: form.method.clone(),
        note: Some(form.note.clone()),
    };
    match state.store.record_consent(&user.ctx, id, &input).await {
        Ok(_) => {
            Redirect::to(&format!("/deltagare/{id}?sparad=samtycke#samtycken")).into_response()
        }
        Err(e) => again(&state, &user, id, "consent", json!(form), e).await,
    }
}

async fn revoke(
    State(state): State<AppState>,
    user: UiUser,
    Path((id, cid)): Path<(String, String)>,
    CsrfForm(form): CsrfForm<RevokeForm>,
) -> Response {
    let (Some(id), Some(cid)) = (parse_id(&id), parse_id(&cid)) else {
        return crate::ui::user_error_page(&user, Problem::not_found());
    };
    let reason = form.reason.clone().unwrap_or_default();
    match state
        .store
        .revoke_consent(&user.ctx, id, cid, &reason)
        .await
    {
        Ok(_) => {
            Redirect::to(&format!("/deltagare/{id}?sparad=aterkallat#samtycken")).into_response()
        }
        Err(e) => again(&state, &user, id, &format!("r{cid}"), json!(form), e).await,
    }
}

async fn handover(
    State(state): State<AppState>,
    user: UiUser,
    PageId(id): PageId,
    CsrfForm(form): CsrfForm<HandoverForm>,
) -> Response {
    let to = form
        .to_user_id
        .as_deref()
        .and_then(|v| v.trim().parse::<i64>().ok());
    let Some(to) = to else {
        let mut e = ValidationErrors::new();
        e.add("to_user_id", "required", "choose a caseworker");
        return again(
            &state,
            &user,
            id,
            "handover",
            json!(form),
            StoreError::Validation(e),
        )
        .await;
    };
    match state.store.handover(&user.ctx, id, to).await {
        // The former caseworker may now only read: back to the page, which
        // still shows (the 30-day grant), or to the list if it does not.
        Ok(_) => Redirect::to(&format!("/deltagare/{id}?sparad=overlamnad")).into_response(),
        Err(e) => again(&state, &user, id, "handover", json!(form), e).await,
    }
}
