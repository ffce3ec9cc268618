//! The coordinators' pages for competence needs: `/behov` (the list with
//! filters, and the "Kö" tab of needs from the public form nobody has taken
//! yet, newest first), `/behov/{id}` (details, skills, status change, "Ta
//! hand om" with a workplace to attach, and a small form to add a workplace
//! to the employer) and `/behov/ny` (a coordinator states a need). All
//! through the same store functions as the API, so access and audit are
//! the same.

use crate::kernel::error::Problem;
use crate::kernel::forms::{self as forms, PageId};
use crate::kernel::forms::{blank, errors_context, number, parse_id};
use crate::kernel::forms::{put_failed, CsrfForm, Failed};
use crate::kernel::session::UiUser;
use crate::ui::{base_context, render, user_error_page};
use crate::AppState;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::Router;
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};
use std::collections::HashMap;
use vagar_domain::access::{need_role_may, NeedAction};
use vagar_domain::needs::{NeedForm, NeedInput, NeedStatus, SkillInput, WorkingTime};
use vagar_domain::participants::{EducationLevel, SwedishLevel};
use vagar_domain::{OrganisationNumber, ValidationErrors};
use vagar_store::needs::{Need, NeedFilter, WorkplaceInput};
use vagar_store::StoreError;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/behov", get(list))
        .route("/behov/ny", get(new_page).post(create))
        .route("/behov/{id}", get(show))
        .route("/behov/{id}/status", post(change_status))
        .route("/behov/{id}/ta-hand-om", post(triage))
        .route("/behov/{id}/arbetsplatser", post(add_workplace))
}

fn may(user: &UiUser, a: NeedAction) -> bool {
    need_role_may(user.session.user.role, a)
}

fn need_json(n: &Need) -> Value {
    json!({
        "id": n.id,
        "reference": n.reference,
        "employer_id": n.employer_id,
        "employer_name": n.employer_name,
        "organisation_number": format!("{}-{}", &n.organisation_number[..6.min(n.organisation_number.len())], &n.organisation_number[6.min(n.organisation_number.len())..]),
        "workplace_id": n.workplace_id,
        "workplace_name": n.workplace_name,
        "title": n.title,
        "ssyk_code": n.ssyk_code,
        "occupation_label": n.occupation_label,
        "positions": n.positions,
        "filled": n.filled,
        "skills": n.skills.iter().map(|s| json!({"id": s.skill_id, "label": s.label, "required": s.required})).collect::<Vec<_>>(),
        "swedish_level": n.swedish_level,
        "driving_licences": n.driving_licences,
        "education_level": n.education_level,
        "start_date": n.start_date.map(|d| d.to_string()),
        "duration_months": n.duration_months,
        "working_time": n.working_time,
        "hours_per_week": n.hours_per_week,
        "accessibility": n.accessibility,
        "forms": n.forms,
        "description": n.description,
        "status": n.status,
        "source": n.source,
        "contact_name": n.contact_name,
        "contact_email": n.contact_email,
        "contact_phone": n.contact_phone,
        "triaged": n.triaged_at.is_some(),
        "triaged_at": n.triaged_at.map(|t| vagar_domain::time::swedish_date(t).to_string()),
        "version": n.version,
        "created_at": vagar_domain::time::swedish_date(n.created_at).to_string(),
    })
}

#[derive(Debug, Default, Deserialize)]
struct ListQuery {
    status: Option<String>,
    ssyk: Option<String>,
    employer_id: Option<String>,
    ko: Option<String>,
}

async fn list(State(state): State<AppState>, user: UiUser, Query(q): Query<ListQuery>) -> Response {
    let queue = q.ko.as_deref() == Some("1");
    let status = blank(&q.status).and_then(|s| NeedStatus::parse(&s));
    let ssyk = blank(&q.ssyk).filter(|s| s.len() == 4 && s.bytes().all(|b| b.is_ascii_digit()));
    let employer_id = blank(&q.employer_id).and_then(|s| parse_id(&s));
    let filter = NeedFilter {
        status,
        ssyk: ssyk.clone(),
        employer_id,
        queue,
    };
    let needs = match state.store.list_needs(&user.ctx, &filter).await {
        Ok(n) => n,
        Err(e) => return user_error_page(&user, e.into()),
    };
    let mut ctx = base_context(user.lang, Some(&user), "/behov", "needs");
    ctx.insert(
        "needs".into(),
        json!(needs.iter().map(need_json).collect::<Vec<_>>()),
    );
    ctx.insert("queue".into(), json!(queue));
    ctx.insert(
        "filter".into(),
        json!({"status": status.map(|s| s.as_str()), "ssyk": ssyk, "employer_id": employer_id}),
    );
    ctx.insert(
        "statuses".into(),
        json!(NeedStatus::ALL
            .iter()
            .map(|s| s.as_str())
            .collect::<Vec<_>>()),
    );
    ctx.insert("may_create".into(), json!(may(&user, NeedAction::Create)));
    render(&state.templates, "needs/list.html", ctx, StatusCode::OK)
}

#[derive(Debug, Default, Deserialize, Serialize, Clone)]
struct NeedFormIn {
    organisation_number: Option<String>,
    employer_name: Option<String>,
    title: Option<String>,
    occupation: Option<String>,
    positions: Option<String>,
    #[serde(default)]
    forms: Vec<String>,
    swedish_level: Option<String>,
    education_level: Option<String>,
    driving_licences: Option<String>,
    start_date: Option<String>,
    duration_months: Option<String>,
    working_time: Option<String>,
    hours_per_week: Option<String>,
    required_skills: Option<String>,
    meritorious_skills: Option<String>,
    description: Option<String>,
}

fn new_form(
    state: &AppState,
    user: &UiUser,
    values: Value,
    errors: &ValidationErrors,
    status: StatusCode,
) -> Response {
    let mut ctx = base_context(user.lang, Some(user), "/behov/ny", "needs");
    ctx.insert("values".into(), values);
    errors_context(&mut ctx, errors);
    ctx.insert(
        "form_options".into(),
        json!(NeedForm::ALL.iter().map(|f| f.as_str()).collect::<Vec<_>>()),
    );
    ctx.insert(
        "swedish_levels".into(),
        json!(SwedishLevel::ALL
            .iter()
            .map(|f| f.as_str())
            .collect::<Vec<_>>()),
    );
    ctx.insert(
        "education_levels".into(),
        json!(EducationLevel::ALL
            .iter()
            .map(|f| f.as_str())
            .collect::<Vec<_>>()),
    );
    ctx.insert(
        "working_times".into(),
        json!(WorkingTime::ALL
            .iter()
            .map(|f| f.as_str())
            .collect::<Vec<_>>()),
    );
    render(&state.templates, "needs/form.html", ctx, status)
}

async fn new_page(State(state): State<AppState>, user: UiUser) -> Response {
    if !may(&user, NeedAction::Create) {
        return user_error_page(&user, Problem::forbidden());
    }
    new_form(
        &state,
        &user,
        json!({"positions": "1", "working_time": "full_time"}),
        &ValidationErrors::new(),
        StatusCode::OK,
    )
}

/// Skills typed one per line or comma-separated, as ids or labels.
async fn skill_lines(
    state: &AppState,
    e: &mut ValidationErrors,
    field: &str,
    v: &Option<String>,
    required: bool,
    out: &mut Vec<SkillInput>,
) {
    let text = v.clone().unwrap_or_default();
    let items: Vec<&str> = text
        .split(['\n', ','])
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .collect();
    if items.len() > 30 {
        e.add(field, "too_many", format!("{field}: at most 30 skills"));
        return;
    }
    for item in items {
        match state.store.resolve_skill(item).await {
            Ok(Some(hit)) => out.push(SkillInput {
                id: hit.concept_id,
                required,
            }),
            _ => {
                e.add(field, "unknown_skill", format!("{field}: unknown skill"));
                return;
            }
        }
    }
}

async fn create(
    State(state): State<AppState>,
    user: UiUser,
    CsrfForm(form): CsrfForm<NeedFormIn>,
) -> Response {
    if !may(&user, NeedAction::Create) {
        return user_error_page(&user, Problem::forbidden());
    }
    let mut e = ValidationErrors::new();
    let org = match OrganisationNumber::parse(form.organisation_number.as_deref().unwrap_or("")) {
        Ok(o) => Some(o),
        Err(err) => {
            let code = if err.code() == "empty" {
                "required"
            } else {
                err.code()
            };
            e.add(
                "organisation_number",
                code,
                "organisation_number is not valid",
            );
            None
        }
    };
    let employer_name = vagar_domain::validation::required_text(
        &mut e,
        "employer_name",
        form.employer_name.as_deref(),
        200,
    );
    let mut skills = vec![];
    skill_lines(
        &state,
        &mut e,
        "required_skills",
        &form.required_skills,
        true,
        &mut skills,
    )
    .await;
    skill_lines(
        &state,
        &mut e,
        "meritorious_skills",
        &form.meritorious_skills,
        false,
        &mut skills,
    )
    .await;
    let input = NeedInput {
        title: form.title.clone(),
        occupation: form.occupation.clone(),
        positions: number(&mut e, "positions", &form.positions),
        skills,
        swedish_level: blank(&form.swedish_level),
        driving_licences: form
            .driving_licences
            .clone()
            .unwrap_or_default()
            .split([',', ' '])
            .map(str::to_string)
            .collect(),
        education_level: blank(&form.education_level),
        start_date: blank(&form.start_date),
        duration_months: number(&mut e, "duration_months", &form.duration_months),
        working_time: blank(&form.working_time),
        hours_per_week: number(&mut e, "hours_per_week", &form.hours_per_week),
        forms: form.forms.clone(),
        description: form.description.clone(),
        ..NeedInput::default()
    };
    if let Err(errs) = vagar_domain::needs::NeedData::from_input(&input) {
        for fe in errs.0 {
            if e.for_field(&fe.field).is_none() {
                e.0.push(fe);
            }
        }
    }
    let values = json!(form);
    if !e.is_empty() {
        return new_form(&state, &user, values, &e, StatusCode::UNPROCESSABLE_ENTITY);
    }
    let Some(org) = org else {
        return new_form(&state, &user, values, &e, StatusCode::UNPROCESSABLE_ENTITY);
    };
    match state
        .store
        .create_need_for_organisation(&user.ctx, &org, &employer_name, &input)
        .await
    {
        Ok(n) => Redirect::to(&format!("/behov/{}?sparad=1", n.id)).into_response(),
        Err(StoreError::Validation(errs)) => {
            let mut values = values;
            super::offer_choices(&state, &mut values, &errs).await;
            new_form(
                &state,
                &user,
                values,
                &errs,
                StatusCode::UNPROCESSABLE_ENTITY,
            )
        }
        Err(e) => user_error_page(&user, e.into()),
    }
}

async fn detail_page(
    state: &AppState,
    user: &UiUser,
    id: i64,
    failed: Option<Failed>,
    flash: Option<&str>,
    status: StatusCode,
) -> Response {
    let need = match state.store.read_need(&user.ctx, id).await {
        Ok(n) => n,
        Err(e) => return user_error_page(user, e.into()),
    };
    let workplaces = match state.store.need_workplaces(&user.ctx, id).await {
        Ok(w) => w,
        Err(e) => return user_error_page(user, e.into()),
    };
    let mut ctx = base_context(user.lang, Some(user), &format!("/behov/{id}"), "needs");
    ctx.insert("need".into(), need_json(&need));
    ctx.insert(
        "workplaces".into(),
        json!(workplaces
            .iter()
            .map(|w| json!({"id": w.id, "name": w.name, "city": w.city}))
            .collect::<Vec<_>>()),
    );
    let current = NeedStatus::parse(&need.status).unwrap_or(NeedStatus::Open);
    ctx.insert(
        "next_statuses".into(),
        json!(NeedStatus::ALL
            .iter()
            .filter(|s| current.may_become(**s))
            .map(|s| s.as_str())
            .collect::<Vec<_>>()),
    );
    ctx.insert("may_manage".into(), json!(may(user, NeedAction::Manage)));
    ctx.insert("may_triage".into(), json!(may(user, NeedAction::Triage)));
    put_failed(&mut ctx, failed);
    if let Some(f) = flash {
        ctx.insert("flash".into(), json!(f));
    }
    render(&state.templates, "needs/detail.html", ctx, status)
}

async fn show(
    State(state): State<AppState>,
    user: UiUser,
    PageId(id): PageId,
    Query(q): Query<HashMap<String, String>>,
) -> Response {
    let flash = match q.get("sparad").map(String::as_str) {
        Some("1") => Some("need-saved"),
        Some("tagen") => Some("need-triaged"),
        Some("arbetsplats") => Some("need-workplace-added"),
        Some("status") => Some("need-status-saved"),
        _ => None,
    };
    detail_page(&state, &user, id, None, flash, StatusCode::OK).await
}

#[derive(Debug, Default, Deserialize, Serialize, Clone)]
struct StatusFormIn {
    version: Option<String>,
    status: Option<String>,
}

async fn change_status(
    State(state): State<AppState>,
    user: UiUser,
    PageId(id): PageId,
    CsrfForm(form): CsrfForm<StatusFormIn>,
) -> Response {
    let version = blank(&form.version)
        .and_then(|v| v.parse::<i64>().ok())
        .unwrap_or(0);
    let result = match state.store.read_need(&user.ctx, id).await {
        Ok(current) => {
            let mut input = current.to_input();
            input.status = blank(&form.status);
            state
                .store
                .update_need(&user.ctx, id, &input, version)
                .await
        }
        Err(e) => Err(e),
    };
    match result {
        Ok(_) => Redirect::to(&format!("/behov/{id}?sparad=status")).into_response(),
        Err(e) => {
            forms::again(&user, "status", json!(form), e, |f, s| {
                detail_page(&state, &user, id, f, None, s)
            })
            .await
        }
    }
}

#[derive(Debug, Default, Deserialize, Serialize, Clone)]
struct TriageFormIn {
    version: Option<String>,
    workplace_id: Option<String>,
}

async fn triage(
    State(state): State<AppState>,
    user: UiUser,
    PageId(id): PageId,
    CsrfForm(form): CsrfForm<TriageFormIn>,
) -> Response {
    let version = blank(&form.version).and_then(|v| v.parse::<i64>().ok());
    // A value that is no id is refused by the store (not silently dropped).
    let workplace_id = blank(&form.workplace_id).map(|w| parse_id(&w).unwrap_or(-1));
    match state
        .store
        .triage_need(&user.ctx, id, workplace_id, version)
        .await
    {
        Ok(_) => Redirect::to(&format!("/behov/{id}?sparad=tagen")).into_response(),
        Err(e) => {
            forms::again(&user, "triage", json!(form), e, |f, s| {
                detail_page(&state, &user, id, f, None, s)
            })
            .await
        }
    }
}

#[derive(Debug, Default, Deserialize, Serialize, Clone)]
struct WorkplaceFormIn {
    name: Option<String>,
    street_address: Option<String>,
    postal_code: Option<String>,
    city: Option<String>,
}

async fn add_workplace(
    State(state): State<AppState>,
    user: UiUser,
    PageId(id): PageId,
    CsrfForm(form): CsrfForm<WorkplaceFormIn>,
) -> Response {
    let input = WorkplaceInput {
        name: form.name.clone(),
        street_address: form.street_address.clone(),
        postal_code: form.postal_code.clone(),
        city: form.city.clone(),
        municipality_code: None,
    };
    match state.store.add_need_workplace(&user.ctx, id, &input).await {
        Ok(_) => Redirect::to(&format!("/behov/{id}?sparad=arbetsplats#triage")).into_response(),
        Err(e) => {
            forms::again(&user, "workplace", json!(form), e, |f, s| {
                detail_page(&state, &user, id, f, None, s)
            })
            .await
        }
    }
}
