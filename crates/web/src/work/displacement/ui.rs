//! The pages for staff reductions: `/arbetsgivarregister/{id}/varsel` (a
//! host's notices and dismissals, and its workplaces' head counts), the
//! facts the displacement assessment weighs. All through the same store
//! functions as the API.

use crate::kernel::error::Problem;
use crate::kernel::forms::{self, put_failed, CsrfForm, Failed, PageId};
use crate::kernel::session::UiUser;
use crate::ui::{base_context, render, user_error_page};
use crate::work::interventions::ui::{form_options, id_of, number};
use crate::AppState;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::Router;
use serde::{Deserialize, Serialize};
use serde_json::json;
use vagar_domain::work::displacement::ReductionInput;
use vagar_domain::ValidationErrors;

pub fn router() -> Router<AppState> {
    Router::new()
        .route(
            "/arbetsgivarregister/{id}/varsel",
            get(reductions).post(add_reduction),
        )
        .route(
            "/arbetsgivarregister/{id}/varsel/arbetsplatser/{workplace}",
            post(set_staff),
        )
}

// ------------------------------------------------------------ staff reductions

#[derive(Debug, Default, Deserialize, Serialize, Clone)]
struct ReductionForm {
    occupation_ssyk: Option<String>,
    kind: Option<String>,
    occurred_on: Option<String>,
    persons: Option<String>,
    note: Option<String>,
}

async fn reductions_page(
    state: &AppState,
    user: &UiUser,
    id: i64,
    failed: Option<Failed>,
    status: StatusCode,
) -> Response {
    let list = match state.store.list_staff_reductions(&user.ctx, id).await {
        Ok(l) => l,
        Err(e) => return user_error_page(user, e.into()),
    };
    let workplaces = match state.store.workplace_staff(&user.ctx, id).await {
        Ok(w) => w,
        Err(e) => return user_error_page(user, e.into()),
    };
    let mut ctx = base_context(
        user.lang,
        Some(user),
        &format!("/arbetsgivarregister/{id}/varsel"),
        "employers",
    );
    ctx.insert(
        "workplaces".into(),
        json!(workplaces
            .iter()
            .map(|w| json!({"id": w.id, "name": w.name, "staff_count": w.staff_count}))
            .collect::<Vec<_>>()),
    );
    ctx.insert("employer_id".into(), json!(id));
    ctx.insert(
        "reductions".into(),
        json!(list
            .iter()
            .map(|r| json!({"occupation_ssyk": r.occupation_ssyk, "kind": r.kind, "occurred_on": r.occurred_on.to_string(), "persons": r.persons, "note": r.note}))
            .collect::<Vec<_>>()),
    );
    ctx.insert(
        "may_record".into(),
        json!(vagar_domain::access::employer_role_may(
            user.session.user.role,
            vagar_domain::access::EmployerAction::Manage
        )),
    );
    let failed = failed.unwrap_or_else(|| {
        let today = vagar_domain::time::swedish_date(user.ctx.now).to_string();
        let values = json!({"occurred_on": today, "kind": "notice", "persons": "1"});
        Failed::new("reduction", values, ValidationErrors::new())
    });
    put_failed(&mut ctx, Some(failed));
    form_options(&mut ctx);
    render(
        &state.templates,
        "work/displacement/reductions.html",
        ctx,
        status,
    )
}

async fn reductions(State(state): State<AppState>, user: UiUser, PageId(id): PageId) -> Response {
    reductions_page(&state, &user, id, None, StatusCode::OK).await
}

async fn add_reduction(
    State(state): State<AppState>,
    user: UiUser,
    PageId(id): PageId,
    CsrfForm(form): CsrfForm<ReductionForm>,
) -> Response {
    let mut e = ValidationErrors::new();
    let input = ReductionInput {
        workplace_id: None,
        occupation_ssyk: form.occupation_ssyk.clone(),
        kind: form.kind.clone(),
        occurred_on: form.occurred_on.clone(),
        persons: number(&mut e, "persons", &form.persons),
        note: form.note.clone(),
    };
    let page = |f, s| reductions_page(&state, &user, id, f, s);
    if !e.is_empty() {
        return forms::invalid("reduction", json!(form), e, page).await;
    }
    match state
        .store
        .record_staff_reduction(&user.ctx, id, &input)
        .await
    {
        Ok(_) => Redirect::to(&format!("/arbetsgivarregister/{id}/varsel")).into_response(),
        Err(e) => forms::again(&user, "reduction", json!(form), e, page).await,
    }
}

#[derive(Debug, Default, Deserialize)]
struct StaffForm {
    staff_count: Option<String>,
}

async fn set_staff(
    State(state): State<AppState>,
    user: UiUser,
    Path((raw, wraw)): Path<(String, String)>,
    CsrfForm(form): CsrfForm<StaffForm>,
) -> Response {
    let (Some(id), Some(workplace)) = (id_of(&raw), id_of(&wraw)) else {
        return user_error_page(&user, Problem::not_found());
    };
    let mut e = ValidationErrors::new();
    let count = number(&mut e, "staff_count", &form.staff_count);
    let values = json!({"staff_count": form.staff_count, "workplace": workplace});
    let page = |f, s| reductions_page(&state, &user, id, f, s);
    if !e.is_empty() {
        return forms::invalid("staff", values, e, page).await;
    }
    match state
        .store
        .set_staff_count(&user.ctx, id, workplace, count)
        .await
    {
        Ok(_) => {
            Redirect::to(&format!("/arbetsgivarregister/{id}/varsel#workplaces")).into_response()
        }
        Err(e) => forms::again(&user, "staff", values, e, page).await,
    }
}
