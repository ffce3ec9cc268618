//! The common entry (gemensam ingång, `/inskrivning`): one intake form for
//! every organisation. The store finds an existing record by identity number
//! and attaches the intake to it instead of registering the person twice;
//! the page then links to the person only when the store returns them (the
//! reader may see them), and otherwise says no more than that the person is
//! registered — what a duplicate registration already tells.

use crate::kernel::error::Problem;
use crate::kernel::forms::CsrfForm;
use crate::kernel::session::UiUser;
use crate::ui::{base_context, render, user_error_page};
use crate::AppState;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use axum::Router;
use serde::{Deserialize, Serialize};
use serde_json::{json, Map, Value};
use vagar_domain::access::{global_allowed, GlobalAction};
use vagar_domain::participants::{ParticipantInput, TargetGroup};
use vagar_domain::ValidationErrors;
use vagar_store::StoreError;

pub fn router() -> Router<AppState> {
    Router::new().route("/inskrivning", get(form).post(submit))
}

#[derive(Debug, Default, Deserialize, Serialize, Clone)]
struct IntakeForm {
    identity_number: Option<String>,
    first_name: Option<String>,
    last_name: Option<String>,
    #[serde(default)]
    target_groups: Vec<String>,
    email: Option<String>,
    phone: Option<String>,
    referred_by_organisation_id: Option<String>,
    note: Option<String>,
}

fn blank_to_none(v: &Option<String>) -> Option<String> {
    v.as_ref()
        .map(|s| s.trim().to_string())
        .filter(|s| !s.is_empty())
}

fn errors_map(e: &ValidationErrors) -> Value {
    let mut m = Map::new();
    for fe in &e.0 {
        m.entry(fe.field.clone()).or_insert(json!(fe.code));
    }
    Value::Object(m)
}

async fn page(
    state: &AppState,
    user: &UiUser,
    f: &IntakeForm,
    errors: Option<&ValidationErrors>,
    outcome: Option<&str>,
    status: StatusCode,
) -> Response {
    let mut ctx = base_context(user.lang, Some(user), "/inskrivning", "intake");
    let orgs = match state.store.list_organisations().await {
        Ok(o) => o,
        Err(e) => return user_error_page(user, e.into()),
    };
    ctx.insert(
        "orgs".into(),
        json!(orgs
            .iter()
            .map(|o| json!({"id": o.id.to_string(), "name": o.name}))
            .collect::<Vec<_>>()),
    );
    ctx.insert(
        "target_groups".into(),
        json!(TargetGroup::ALL
            .iter()
            .map(|g| g.as_str())
            .collect::<Vec<_>>()),
    );
    ctx.insert("f".into(), json!(f));
    ctx.insert("errors".into(), errors.map(errors_map).unwrap_or(json!({})));
    ctx.insert(
        "error_list".into(),
        json!(errors.map(|e| e.0.clone()).unwrap_or_default()),
    );
    ctx.insert("outcome".into(), json!(outcome));
    render(&state.templates, "intake/intake.html", ctx, status)
}

fn may_intake(user: &UiUser) -> bool {
    global_allowed(&user.ctx.actor, GlobalAction::Intake)
}

async fn form(State(state): State<AppState>, user: UiUser) -> Response {
    if !may_intake(&user) {
        return user_error_page(&user, Problem::forbidden());
    }
    let f = IntakeForm::default();
    page(&state, &user, &f, None, None, StatusCode::OK).await
}

async fn submit(
    State(state): State<AppState>,
    user: UiUser,
    CsrfForm(f): CsrfForm<IntakeForm>,
) -> Response {
    if !may_intake(&user) {
        return user_error_page(&user, Problem::forbidden());
    }
    let mut e = ValidationErrors::new();
    let referred_by = match blank_to_none(&f.referred_by_organisation_id) {
        None => None,
        Some(v) => match v.parse::<i64>() {
            Ok(id) if id > 0 => Some(id),
            _ => {
                e.add(
                    "referred_by_organisation_id",
                    "unknown_organisation",
                    "choose an organisation",
                );
                None
            }
        },
    };
    if !e.is_empty() {
        return page(
            &state,
            &user,
            &f,
            Some(&e),
            None,
            StatusCode::UNPROCESSABLE_ENTITY,
        )
        .await;
    }
    let input = ParticipantInput {
        identity_number: Some(f.identity_number.clone().unwrap_or_default()),
        first_name: Some(f.first_name.clone().unwrap_or_default()),
        last_name: Some(f.last_name.clone().unwrap_or_default()),
        target_groups: Some(f.target_groups.clone()),
        email: Some(blank_to_none(&f.email)),
        phone: Some(blank_to_none(&f.phone)),
        responsible_caseworker_id: Some(Some(user.ctx.actor.user_id)),
        ..Default::default()
    };
    match state
        .store
        .intake(&user.ctx, &input, referred_by, blank_to_none(&f.note))
        .await
    {
        Ok(out) => match (out.participant, out.existing) {
            (Some(p), false) => {
                Redirect::to(&format!("/deltagare/{}?inskriven=ny", p.id)).into_response()
            }
            (Some(p), true) => {
                Redirect::to(&format!("/deltagare/{}?inskriven=befintlig", p.id)).into_response()
            }
            // Registered, but not for this reader to see: say only that.
            (None, _) => {
                page(
                    &state,
                    &user,
                    &IntakeForm::default(),
                    None,
                    Some("intake-attached-hidden"),
                    StatusCode::OK,
                )
                .await
            }
        },
        Err(StoreError::Validation(v)) => {
            page(
                &state,
                &user,
                &f,
                Some(&v),
                None,
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await
        }
        Err(e) => user_error_page(&user, e.into()),
    }
}
