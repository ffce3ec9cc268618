//! The pages for placements: placing a participant from an intervention's
//! page (`/insatser/{id}/placera`, with a dry run that shows the
//! displacement assessment factor by factor before anything is written),
//! `/placeringar/{id}` (the placement, its assessment, its weeks, exit and,
//! for coordinators, the override) and `/mina-placeringar` (the host
//! employer's own placed participants, minimal). All through the same store
//! functions as the API.

use crate::kernel::forms::PageId;
use crate::kernel::forms::{CsrfForm, Failed};
use crate::kernel::session::UiUser;
use crate::ui::{base_context, render, user_error_page};
use crate::work::interventions::ui::{
    blank, decimal, detail_page, errors_context, form_options, hours, number, placement_json,
};
use crate::AppState;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::Router;
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};
use vagar_domain::access::{placement_role_may, PlacementAction};
use vagar_domain::work::placements::{ExitInput, PlacementInput};
use vagar_domain::ValidationErrors;
use vagar_store::work::displacement::RiskQuery;
use vagar_store::work::placements::{Host, NewPlacement, Placement, PlacementFilter};
use vagar_store::StoreError;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/insatser/{id}/placera", post(place))
        .route("/placeringar/{id}", get(placement_page))
        .route("/placeringar/{id}/avsluta", post(exit))
        .route("/placeringar/{id}/undanta", post(override_block))
        .route("/placeringar/{id}/vecka", post(record_week))
        .route("/mina-placeringar", get(my_placements))
}

#[derive(Debug, Default, Deserialize, Serialize, Clone)]
struct PlaceForm {
    /// `assess` (the dry run) or `place`.
    action: Option<String>,
    participant_id: Option<String>,
    /// `employer:workplace`
    host: Option<String>,
    need_id: Option<String>,
    start_date: Option<String>,
    end_date: Option<String>,
    employment_form: Option<String>,
    hours_per_week: Option<String>,
    planned_work_percent: Option<String>,
    planned_study_percent: Option<String>,
    monthly_wage: Option<String>,
    monthly_subsidy: Option<String>,
    subsidy_kind: Option<String>,
    supervisor_name: Option<String>,
    supervisor_phone: Option<String>,
    supervisor_email: Option<String>,
    role_title: Option<String>,
    occupation_ssyk: Option<String>,
    extra_task: Option<String>,
    override_reason: Option<String>,
}

fn parse_host(e: &mut ValidationErrors, v: &Option<String>) -> Host {
    let Some(v) = blank(v) else {
        e.add("host", "required", "choose a host");
        return Host::default();
    };
    let (emp, wp) = v.split_once(':').unwrap_or((v.as_str(), ""));
    match emp.parse::<i64>() {
        Ok(emp) => Host {
            employer_id: Some(emp),
            workplace_id: wp.parse::<i64>().ok(),
            host_organisation_id: None,
        },
        Err(_) => {
            e.add("host", "required", "choose a host");
            Host::default()
        }
    }
}

async fn place(
    State(state): State<AppState>,
    user: UiUser,
    PageId(id): PageId,
    CsrfForm(form): CsrfForm<PlaceForm>,
) -> Response {
    let mut e = ValidationErrors::new();
    let host = parse_host(&mut e, &form.host);
    let need_id = number(&mut e, "need_id", &form.need_id);
    let extra_task = form.extra_task.is_some();
    let values = json!(form);
    let failed = |errors| Some(Failed::new("place", values.clone(), errors));
    let page = |f, a, s| detail_page(&state, &user, id, f, a, s);
    let risk_query = RiskQuery {
        host,
        occupation_ssyk: blank(&form.occupation_ssyk),
        need_id,
        start_date: blank(&form.start_date),
        end_date: blank(&form.end_date),
        extra_task,
    };
    if form.action.as_deref() == Some("assess") {
        if !e.is_empty() {
            return page(failed(e), None, StatusCode::UNPROCESSABLE_ENTITY).await;
        }
        return match state
            .store
            .assess_displacement(&user.ctx, &risk_query)
            .await
        {
            Ok(a) => page(failed(ValidationErrors::new()), Some(a), StatusCode::OK).await,
            Err(StoreError::Validation(errs)) => {
                page(failed(errs), None, StatusCode::UNPROCESSABLE_ENTITY).await
            }
            Err(err) => user_error_page(&user, err.into()),
        };
    }
    let participant_id = number(&mut e, "participant_id", &form.participant_id);
    if participant_id.is_none() && e.for_field("participant_id").is_none() {
        e.add("participant_id", "required", "participant_id is required");
    }
    let terms = PlacementInput {
        start_date: form.start_date.clone(),
        end_date: form.end_date.clone(),
        employment_form: form.employment_form.clone(),
        hours_per_week_minutes: decimal(&mut e, "hours_per_week", &form.hours_per_week, 60.0),
        planned_work_percent: number(&mut e, "planned_work_percent", &form.planned_work_percent),
        planned_study_percent: number(&mut e, "planned_study_percent", &form.planned_study_percent),
        monthly_wage_ore: decimal(&mut e, "monthly_wage", &form.monthly_wage, 100.0),
        monthly_subsidy_ore: decimal(&mut e, "monthly_subsidy", &form.monthly_subsidy, 100.0),
        subsidy_kind: form.subsidy_kind.clone(),
        supervisor_name: form.supervisor_name.clone(),
        supervisor_phone: form.supervisor_phone.clone(),
        supervisor_email: form.supervisor_email.clone(),
        role_title: form.role_title.clone(),
        occupation_ssyk: blank(&form.occupation_ssyk),
        extra_task: Some(extra_task),
    };
    let new = NewPlacement {
        participant_id: participant_id.unwrap_or(0),
        intervention_id: id,
        host,
        need_id,
        terms,
        override_reason: blank(&form.override_reason),
    };
    // The store decides the role first (audited, as for the API), then
    // names the form's errors with the rules' for the other fields.
    match state
        .store
        .create_placement_shaped(&user.ctx, &new, e)
        .await
    {
        Ok(p) => Redirect::to(&format!("/placeringar/{}", p.id)).into_response(),
        Err(StoreError::Validation(errs)) => {
            // A block is explained factor by factor beside the form.
            let assessment = if errs.for_field("displacement").is_some() {
                state
                    .store
                    .assess_displacement(&user.ctx, &risk_query)
                    .await
                    .ok()
            } else {
                None
            };
            let mut values = values.clone();
            if errs.0.iter().any(|e| e.code == "hours_exceed_full_time") {
                values["clashes"] = clashes(&state, &user, participant_id, &form).await;
            }
            let failed = Some(Failed::new("place", values, errs));
            page(failed, assessment, StatusCode::UNPROCESSABLE_ENTITY).await
        }
        // The participant is not one the user may place: as for any unknown id.
        Err(StoreError::NotFound) => {
            let f = Failed::one(
                "place",
                values.clone(),
                "participant_id",
                "unknown_participant",
            );
            page(Some(f), None, StatusCode::UNPROCESSABLE_ENTITY).await
        }
        Err(err) => user_error_page(&user, err.into()),
    }
}

/// The person's planned and active placements over the form's days, named
/// beside a refusal for more than one full time.
async fn clashes(
    state: &AppState,
    user: &UiUser,
    participant: Option<i64>,
    form: &PlaceForm,
) -> Value {
    let day = |v: &Option<String>| blank(v).and_then(|s| s.parse::<chrono::NaiveDate>().ok());
    let (Some(participant_id), Some(from), Some(to)) =
        (participant, day(&form.start_date), day(&form.end_date))
    else {
        return json!([]);
    };
    let filter = PlacementFilter {
        participant_id: Some(participant_id),
        ..Default::default()
    };
    let list = state
        .store
        .list_placements(&user.ctx, &filter)
        .await
        .unwrap_or_default();
    json!(list
        .iter()
        .filter(|p| matches!(p.status.as_str(), "planned" | "active"))
        .filter(|p| p.start_date <= to && p.end_date >= from)
        .map(
            |p| json!({"id": p.id, "intervention": p.intervention_name, "start_date": p.start_date,
                        "end_date": p.end_date, "hours": hours(p.hours_per_week_minutes)})
        )
        .collect::<Vec<_>>())
}

// ------------------------------------------------------------ one placement

async fn placement_view(
    state: &AppState,
    user: &UiUser,
    id: i64,
    failed: Option<Failed>,
    status: StatusCode,
) -> Response {
    let p = match state.store.read_placement(&user.ctx, id).await {
        Ok(p) => p,
        Err(e) => return user_error_page(user, e.into()),
    };
    let role = user.session.user.role;
    let mut ctx = base_context(
        user.lang,
        Some(user),
        &format!("/placeringar/{id}"),
        if p.minimal {
            "my_placements"
        } else {
            "interventions"
        },
    );
    ctx.insert("p".into(), placement_json(&p));
    ctx.insert("shares".into(), shares_json(&p));
    ctx.insert(
        "may_update".into(),
        json!(placement_role_may(role, PlacementAction::Update)),
    );
    ctx.insert(
        "may_override".into(),
        json!(placement_role_may(role, PlacementAction::Override)),
    );
    let today = vagar_domain::time::swedish_date(user.ctx.now);
    // This week's Monday, unless the week form itself came back.
    ctx.insert(
        "default_week".into(),
        json!(vagar_domain::work::learning::monday_of(today).to_string()),
    );
    let (form, values, errors) = match failed {
        Some(f) => (Some(f.form), f.values, f.errors),
        None => (
            None,
            json!({"exit_date": today.to_string()}),
            ValidationErrors::new(),
        ),
    };
    ctx.insert("failed_form".into(), json!(form));
    ctx.insert("values".into(), values);
    errors_context(&mut ctx, &errors);
    form_options(&mut ctx);
    render(&state.templates, "work/placements/detail.html", ctx, status)
}

async fn placement_page(
    State(state): State<AppState>,
    user: UiUser,
    PageId(id): PageId,
) -> Response {
    placement_view(&state, &user, id, None, StatusCode::OK).await
}

#[derive(Debug, Default, Deserialize, Serialize, Clone)]
struct ExitForm {
    exit_date: Option<String>,
    exit_outcome: Option<String>,
    override_reason: Option<String>,
    version: Option<String>,
}

async fn exit(
    State(state): State<AppState>,
    user: UiUser,
    PageId(id): PageId,
    CsrfForm(form): CsrfForm<ExitForm>,
) -> Response {
    let version = form.version.as_deref().and_then(|v| v.parse().ok());
    let input = ExitInput {
        exit_date: form.exit_date.clone(),
        exit_outcome: form.exit_outcome.clone(),
        version,
    };
    let values = json!(form);
    let result = state
        .store
        .exit_placement(&user.ctx, id, &input, version)
        .await
        .map(|_| ());
    let stale = matches!(
        result,
        Err(StoreError::StaleVersion | StoreError::Conflict { .. })
    );
    answer_form(
        &state,
        &user,
        id,
        "exit",
        values,
        result,
        stale.then_some(("exit_date", "stale")),
        "",
    )
    .await
}

/// The shares table: planned percent beside the recorded percent and hours,
/// and the recorded weeks.
fn shares_json(p: &Placement) -> Value {
    let Some(s) = &p.shares else {
        return Value::Null;
    };
    let pct = |v: Option<f64>| v.map(|x| format!("{x:.1}").replace('.', ","));
    json!({
        "planned_work": p.planned_work_percent, "planned_study": p.planned_study_percent,
        "work_percent": pct(s.recorded.work_share), "study_percent": pct(s.recorded.study_share),
        "work_hours": hours(s.recorded.work_minutes), "study_hours": hours(s.recorded.study_minutes),
        "planned_work_hours": hours(s.planned_recorded.work_minutes),
        "planned_study_hours": hours(s.planned_recorded.study_minutes),
        "recorded_weeks": s.recorded_weeks,
        "weeks": s.weeks.iter().filter_map(|w| {
            let (dw, ds) = w.recorded()?;
            Some(json!({"week_start": w.week_start.to_string(),
                "planned_work": hours(w.planned_work), "planned_study": hours(w.planned_study),
                "work": hours(dw), "study": hours(ds)}))
        }).collect::<Vec<_>>(),
    })
}

#[derive(Debug, Default, Deserialize, Serialize, Clone)]
struct WeekForm {
    week_start: Option<String>,
    work_hours: Option<String>,
    study_hours: Option<String>,
}

/// Record a week's hours worked and studied (typed as hours: "30", "7,5"
/// or "7:30"); refused with the fields named inline and the values kept.
async fn record_week(
    State(state): State<AppState>,
    user: UiUser,
    PageId(id): PageId,
    CsrfForm(form): CsrfForm<WeekForm>,
) -> Response {
    let values = json!(form);
    let mut shape = ValidationErrors::new();
    let mut minutes = |field: &str, v: &Option<String>| -> Option<i64> {
        let v = blank(v)?;
        let m = vagar_domain::work::learning::parse_hours(&v);
        if m.is_none() {
            shape.add(field, "not_a_number", "");
        }
        m
    };
    let work = minutes("work_hours", &form.work_hours);
    let study = minutes("study_hours", &form.study_hours);
    let week = form.week_start.clone().unwrap_or_default();
    let result = if shape.is_empty() {
        state
            .store
            .record_placement_week(&user.ctx, id, week.trim(), work, study)
            .await
            .map(|_| ())
    } else {
        Err(StoreError::Validation(shape))
    };
    let cancelled = matches!(result, Err(StoreError::Conflict { .. }));
    answer_form(
        &state,
        &user,
        id,
        "week",
        values,
        result,
        cancelled.then_some(("week_start", "cancelled")),
        "#shares-heading",
    )
    .await
}

/// A placement form's answer: back to the placement (at `anchor`) when it
/// was saved; else its page again with the form's errors (422), or with
/// `conflict`'s field and code when the placement changed meanwhile (409).
#[allow(clippy::too_many_arguments)]
async fn answer_form(
    state: &AppState,
    user: &UiUser,
    id: i64,
    form: &'static str,
    values: Value,
    result: Result<(), StoreError>,
    conflict: Option<(&str, &str)>,
    anchor: &str,
) -> Response {
    let (errors, status) = match (result, conflict) {
        (Ok(()), _) => return Redirect::to(&format!("/placeringar/{id}{anchor}")).into_response(),
        (Err(StoreError::Validation(errors)), _) => (errors, StatusCode::UNPROCESSABLE_ENTITY),
        (Err(_), Some((field, code))) => {
            let mut errors = ValidationErrors::new();
            errors.add(field, code, "");
            (errors, StatusCode::CONFLICT)
        }
        (Err(err), None) => return user_error_page(user, err.into()),
    };
    placement_view(
        state,
        user,
        id,
        Some(Failed::new(form, values, errors)),
        status,
    )
    .await
}

async fn override_block(
    State(state): State<AppState>,
    user: UiUser,
    PageId(id): PageId,
    CsrfForm(form): CsrfForm<ExitForm>,
) -> Response {
    let version = form.version.as_deref().and_then(|v| v.parse().ok());
    let values = json!({"override_reason": form.override_reason});
    let result = state
        .store
        .override_placement(&user.ctx, id, form.override_reason.as_deref(), version)
        .await
        .map(|_| ());
    let stale = matches!(
        result,
        Err(StoreError::StaleVersion | StoreError::Conflict { .. })
    );
    answer_form(
        &state,
        &user,
        id,
        "override",
        values,
        result,
        stale.then_some(("override_reason", "stale")),
        "",
    )
    .await
}

async fn my_placements(State(state): State<AppState>, user: UiUser) -> Response {
    let list = match state
        .store
        .list_placements(&user.ctx, &PlacementFilter::default())
        .await
    {
        Ok(l) => l,
        Err(e) => return user_error_page(&user, e.into()),
    };
    let mut ctx = base_context(user.lang, Some(&user), "/mina-placeringar", "my_placements");
    ctx.insert(
        "placements".into(),
        json!(list.iter().map(placement_json).collect::<Vec<_>>()),
    );
    render(
        &state.templates,
        "work/placements/mine.html",
        ctx,
        StatusCode::OK,
    )
}
