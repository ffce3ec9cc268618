//! The matching pages: `/matchning` (a batch run over the caller's
//! participants and the open needs she may read, its proposal with every
//! pair's ten factors and the placement rates, and a form to confirm chosen
//! pairs as proposed placements) and `/deltagare/{id}/matchning` (the best
//! needs for one participant). Both call the same functions as the API
//! (`run_batch`, `confirm_pairs`, `needs_for_participant`), so access and
//! audit are the same. Works without JavaScript.
//!
//! The factors' detail text is the scorer's (English); it is marked
//! `lang="en"` so that screen readers pronounce it right.

use crate::kernel::error::Problem;
use crate::kernel::forms::CsrfForm;
use crate::kernel::forms::PageId;
use crate::kernel::session::UiUser;
use crate::matching::api::{
    check_run, confirm_pairs, needs_for_participant, run_batch, RateOut, RunIn,
};
use crate::participants::ui::parse_id;
use crate::ui::{base_context, render, user_error_page};
use crate::AppState;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::Router;
use serde::{Deserialize, Serialize};
use serde_json::{json, Map, Value};
use std::collections::HashMap;
use vagar_domain::access::{need_role_may, role_may, NeedAction, ParticipantAction};
use vagar_domain::geo::STOCKHOLM_DISTRICTS;
use vagar_domain::matching::Factor;
use vagar_domain::ValidationErrors;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/matchning", get(form_page).post(run))
        .route("/matchning/{run_id}/bekrafta", post(confirm))
        .route("/deltagare/{id}/matchning", get(participant_page))
}

/// Who may run a batch: roles that read both participants and needs
/// (the rule `run_batch` applies).
pub(crate) fn may_run(role: vagar_domain::org::Role) -> bool {
    role_may(role, ParticipantAction::Read) && need_role_may(role, NeedAction::Read)
}

#[derive(Debug, Default, Deserialize, Serialize, Clone)]
struct RunForm {
    district: Option<String>,
    ssyk: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
struct ConfirmForm {
    #[serde(default)]
    participant_ids: Vec<String>,
}

fn percent(score: f64) -> i64 {
    (score * 100.0).round() as i64
}

fn factors(list: &[Factor]) -> Value {
    json!(list
        .iter()
        .map(|f| json!({"code": f.code, "percent": percent(f.score), "detail": f.detail}))
        .collect::<Vec<_>>())
}

fn rates(list: &[RateOut]) -> Value {
    json!(list
        .iter()
        .map(|r| json!({"group": r.group, "total": r.total, "placed": r.placed, "percent": percent(r.rate)}))
        .collect::<Vec<_>>())
}

fn errors_context(ctx: &mut Map<String, Value>, errors: &ValidationErrors) {
    let mut m = Map::new();
    let mut list = vec![];
    for fe in &errors.0 {
        if !m.contains_key(&fe.field) {
            m.insert(fe.field.clone(), json!(fe.code));
            list.push(json!({"field": fe.field, "code": fe.code}));
        }
    }
    ctx.insert("errors".into(), Value::Object(m));
    ctx.insert("error_list".into(), json!(list));
}

fn page_context(user: &UiUser, values: &RunForm) -> Map<String, Value> {
    let mut ctx = base_context(user.lang, Some(user), "/matchning", "matching");
    ctx.insert("districts".into(), json!(STOCKHOLM_DISTRICTS));
    ctx.insert("values".into(), json!(values));
    ctx.insert(
        "may_confirm".into(),
        json!(role_may(user.session.user.role, ParticipantAction::Update)),
    );
    errors_context(&mut ctx, &ValidationErrors::new());
    ctx
}

async fn form_page(
    State(state): State<AppState>,
    user: UiUser,
    Query(q): Query<HashMap<String, String>>,
) -> Response {
    if !may_run(user.session.user.role) {
        return user_error_page(&user, Problem::forbidden());
    }
    let mut ctx = page_context(&user, &RunForm::default());
    if let Some(n) = q.get("skapade").and_then(|n| n.parse::<u64>().ok()) {
        ctx.insert("created".into(), json!(n));
    }
    render(&state.templates, "matching/runs.html", ctx, StatusCode::OK)
}

/// The form's fields checked the way the API checks them, plus the
/// district being one of the city's.
fn parse_form(form: &RunForm) -> Result<RunIn, ValidationErrors> {
    let trimmed = |v: &Option<String>| v.as_ref().map(|s| s.trim().to_string());
    let mut errors = ValidationErrors::new();
    let parsed = match check_run(RunIn {
        district: trimmed(&form.district),
        ssyk: trimmed(&form.ssyk),
    }) {
        Ok(input) => Some(input),
        Err(e) => {
            errors = e;
            None
        }
    };
    if let Some(d) = trimmed(&form.district).filter(|d| !d.is_empty()) {
        if !STOCKHOLM_DISTRICTS.contains(&d.as_str())
            && errors.0.iter().all(|e| e.field != "district")
        {
            errors.add("district", "invalid_choice", "district: choose a district");
        }
    }
    match parsed {
        Some(input) if errors.is_empty() => Ok(input),
        _ => Err(errors),
    }
}

async fn run(
    State(state): State<AppState>,
    user: UiUser,
    CsrfForm(form): CsrfForm<RunForm>,
) -> Response {
    if !may_run(user.session.user.role) {
        return user_error_page(&user, Problem::forbidden());
    }
    let mut ctx = page_context(&user, &form);
    let input = match parse_form(&form) {
        Ok(i) => i,
        Err(errors) => {
            errors_context(&mut ctx, &errors);
            return render(
                &state.templates,
                "matching/runs.html",
                ctx,
                StatusCode::UNPROCESSABLE_ENTITY,
            );
        }
    };
    let out = match run_batch(&state, &user.ctx, &input).await {
        Ok(o) => o,
        Err(p) => return user_error_page(&user, p),
    };
    ctx.insert(
        "run".into(),
        json!({
            "id": out.run_id,
            "participants": out.participants,
            "needs": out.needs,
            "edges": out.edges,
            "matched": out.matched,
            "cost": out.cost,
            "without_any_pair": out.without_any_pair,
            "pairs": out.pairs.iter().map(|p| json!({
                "participant_id": p.participant_id,
                "participant_name": p.participant_name,
                "need_id": p.need_id,
                "need_title": p.need_title,
                "employer_name": p.employer_name,
                "percent": percent(p.score),
                "factors": factors(&p.factors),
            })).collect::<Vec<_>>(),
            "rates": {
                "gender": rates(&out.rates.gender),
                "birth_region": rates(&out.rates.birth_region),
                "disability": rates(&out.rates.disability),
            },
        }),
    );
    render(&state.templates, "matching/runs.html", ctx, StatusCode::OK)
}

async fn confirm(
    State(state): State<AppState>,
    user: UiUser,
    Path(run_id): Path<String>,
    CsrfForm(form): CsrfForm<ConfirmForm>,
) -> Response {
    let Some(run_id) = parse_id(&run_id) else {
        return user_error_page(&user, Problem::not_found());
    };
    let ids: Option<Vec<i64>> = form
        .participant_ids
        .iter()
        .map(|s| parse_id(s.trim()))
        .collect();
    let Some(ids) = ids else {
        return user_error_page(&user, Problem::not_found());
    };
    match confirm_pairs(&state, &user.ctx, run_id, &ids).await {
        Ok(created) => {
            Redirect::to(&format!("/matchning?skapade={}", created.len())).into_response()
        }
        // A refusal the user can act on: the page again with the message,
        // nothing written.
        Err(p) if !p.errors.is_empty() => {
            let status = StatusCode::from_u16(p.status).unwrap_or(StatusCode::UNPROCESSABLE_ENTITY);
            let mut errors = ValidationErrors::new();
            for fe in p.errors {
                errors.add(&fe.field, &fe.code, fe.message);
            }
            let mut ctx = page_context(&user, &RunForm::default());
            errors_context(&mut ctx, &errors);
            ctx.insert("confirm_failed".into(), json!(true));
            render(&state.templates, "matching/runs.html", ctx, status)
        }
        Err(p) => user_error_page(&user, p),
    }
}

async fn participant_page(
    State(state): State<AppState>,
    user: UiUser,
    PageId(id): PageId,
) -> Response {
    // Authorises (404 for an invisible participant) and audits the read.
    let needs = match needs_for_participant(&state, &user.ctx, id, 10).await {
        Ok(n) => n,
        Err(p) => return user_error_page(&user, p),
    };
    let name = match state.store.participant_names(&[id]).await {
        Ok(names) => names.get(&id).cloned().unwrap_or_default(),
        Err(e) => return user_error_page(&user, e.into()),
    };
    let here = format!("/deltagare/{id}/matchning");
    let mut ctx = base_context(user.lang, Some(&user), &here, "participants");
    ctx.insert("participant".into(), json!({"id": id, "name": name}));
    ctx.insert(
        "needs".into(),
        json!(needs
            .iter()
            .map(|n| json!({
                "need_id": n.need_id,
                "title": n.title,
                "employer_name": n.employer_name,
                "ssyk_code": n.ssyk_code,
                "occupation_label": n.occupation_label,
                "percent": percent(n.score),
                "factors": factors(&n.factors),
            }))
            .collect::<Vec<_>>()),
    );
    render(
        &state.templates,
        "matching/participant.html",
        ctx,
        StatusCode::OK,
    )
}
