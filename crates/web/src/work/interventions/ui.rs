//! The pages for interventions: `/insatser` (list and a form to create
//! one) and `/insatser/{id}` (details, planned indicators, the follow-up
//! plan, open/close and its placements; the form to place a participant is
//! `work::placements::ui`). The small form helpers here serve the
//! placement and staff-reduction pages too. All through the same store
//! functions as the API.

use crate::kernel::forms::{self as forms, PageId};
use crate::kernel::forms::{CsrfForm, Failed};
use crate::kernel::session::UiUser;
use crate::participants::ui::parse_id;
use crate::ui::{base_context, render, user_error_page};
use crate::AppState;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::Router;
use serde::{Deserialize, Serialize};
use serde_json::{json, Map, Value};
use vagar_domain::access::{
    intervention_role_may, placement_role_may, InterventionAction, PlacementAction,
};
use vagar_domain::participants::TargetGroup;
use vagar_domain::work::displacement::Assessment;
use vagar_domain::work::displacement::ReductionKind;
use vagar_domain::work::interventions::{
    Indicator, IndicatorInput, IndicatorOutcome, InterventionData, InterventionInput,
    InterventionModel, InterventionStatus, OperatorKind, ProgrammeType,
};
use vagar_domain::work::placements::{EmploymentForm, ExitOutcome};
use vagar_domain::ValidationErrors;
use vagar_store::work::interventions::Intervention;
use vagar_store::work::placements::{Placement, PlacementFilter};
use vagar_store::StoreError;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/insatser", get(list).post(create))
        .route("/insatser/{id}", get(show))
        .route("/insatser/{id}/indikatorer", post(add_indicator))
        .route("/insatser/{id}/uppfoljningsplan", post(save_plan))
        .route("/insatser/{id}/oppna", post(open))
        .route("/insatser/{id}/stang", post(close))
}

pub(crate) fn blank(v: &Option<String>) -> Option<String> {
    v.as_ref()
        .map(|s| s.trim().to_string())
        .filter(|s| !s.is_empty())
}

pub(crate) fn codes<T: Copy>(all: &[T], f: fn(T) -> &'static str) -> Value {
    json!(all.iter().map(|v| f(*v)).collect::<Vec<_>>())
}

/// Store field names as the forms name them.
pub(crate) fn form_field(field: &str) -> &str {
    match field {
        "hours_per_week_minutes" => "hours_per_week",
        "monthly_wage_ore" => "monthly_wage",
        "monthly_subsidy_ore" => "monthly_subsidy",
        "employer_id" | "workplace_id" | "host_organisation_id" => "host",
        "intervention_id" => "participant_id",
        "work_minutes" => "work_hours",
        "study_minutes" => "study_hours",
        other => other,
    }
}

pub(crate) fn errors_context(ctx: &mut Map<String, Value>, errors: &ValidationErrors) {
    let mut m = Map::new();
    let mut list = vec![];
    for fe in &errors.0 {
        let field = form_field(&fe.field).to_string();
        if !m.contains_key(&field) {
            m.insert(field.clone(), json!(fe.code));
        }
        list.push(json!({"field": field, "code": fe.code}));
    }
    ctx.insert("errors".into(), Value::Object(m));
    ctx.insert("error_list".into(), json!(list));
}

/// A whole number typed into a form; anything else is named.
pub(crate) fn number(e: &mut ValidationErrors, field: &str, v: &Option<String>) -> Option<i64> {
    let v = blank(v)?;
    match v.parse::<i64>() {
        Ok(n) => Some(n),
        Err(_) => {
            e.add(
                field,
                "not_a_number",
                format!("{field} must be a whole number"),
            );
            None
        }
    }
}

/// Hours or kronor with an optional decimal comma, in hundredths or sixtieths.
pub(crate) fn decimal(
    e: &mut ValidationErrors,
    field: &str,
    v: &Option<String>,
    scale: f64,
) -> Option<i64> {
    let v = blank(v)?.replace(',', ".").replace(' ', "");
    match v.parse::<f64>() {
        Ok(n) if n.is_finite() && n >= 0.0 => Some((n * scale).round() as i64),
        _ => {
            e.add(field, "not_a_number", format!("{field} must be a number"));
            None
        }
    }
}

pub(crate) fn factors_json(a: &Assessment) -> Value {
    json!({
        "level": a.level.as_str(),
        "factors": a.factors.iter().map(|f| json!({
            "code": f.code, "effect": f.effect, "key": f.key, "numbers": f.numbers,
        })).collect::<Vec<_>>(),
    })
}

pub(crate) fn intervention_json(i: &Intervention) -> Value {
    let rules = i
        .programme_type
        .as_deref()
        .and_then(ProgrammeType::parse)
        .map(|p| {
            let mut rules = serde_json::to_value(p.rules()).unwrap_or(Value::Null);
            // A programme closed to new decisions: its last start date.
            if let Some(last) = p.latest().last_start {
                rules["last_start"] = json!(last.to_string());
            }
            rules
        });
    json!({
        "id": i.id, "name": i.name, "model": i.model, "programme_type": i.programme_type,
        "description": i.description, "target_groups": i.target_groups, "capacity": i.capacity,
        "period_from": i.period_from.to_string(), "period_to": i.period_to.map(|d| d.to_string()),
        "funding": i.funding, "operator_kind": i.operator_kind, "follow_up_plan": i.follow_up_plan,
        "status": i.status, "version": i.version, "open_placements": i.open_placements,
        "organisations": i.organisations.iter().map(|o| json!({"name": o.name, "role": o.role})).collect::<Vec<_>>(),
        "indicators": i.indicators.iter().map(|x| json!({
            "outcome": x.outcome, "measured_after_days": x.measured_after_days,
            "target_percent": x.target_percent, "description": x.description,
        })).collect::<Vec<_>>(),
        "rules": rules,
    })
}

pub(crate) fn kr(ore: Option<i64>) -> Option<String> {
    ore.map(|o| format!("{} kr", o / 100))
}

pub(crate) fn hours(minutes: i64) -> String {
    if minutes % 60 == 0 {
        format!("{}", minutes / 60)
    } else {
        format!("{},{:02}", minutes / 60, (minutes % 60) * 100 / 60)
    }
}

pub(crate) fn placement_json(p: &Placement) -> Value {
    json!({
        "id": p.id, "participant_id": p.participant_id, "first_name": p.first_name, "last_name": p.last_name,
        "intervention_id": p.intervention_id, "intervention_name": p.intervention_name,
        "employer_id": p.employer_id, "host": p.employer_name.clone().or(p.host_organisation_name.clone()),
        "workplace_name": p.workplace_name, "need_id": p.need_id, "occupation_ssyk": p.occupation_ssyk,
        "role_title": p.role_title, "start_date": p.start_date.to_string(), "end_date": p.end_date.to_string(),
        "employment_form": p.employment_form, "hours": hours(p.hours_per_week_minutes),
        "planned_work_percent": p.planned_work_percent, "planned_study_percent": p.planned_study_percent,
        "wage": kr(p.monthly_wage_ore), "subsidy": kr(p.monthly_subsidy_ore), "subsidy_kind": p.subsidy_kind,
        "supervisor_name": p.supervisor_name, "supervisor_phone": p.supervisor_phone,
        "supervisor_email": p.supervisor_email, "extra_task": p.extra_task, "risk": factors_json(&p.risk),
        "override_reason": p.override_reason, "override_at": p.override_at.map(|t| vagar_domain::time::swedish_date(t).to_string()),
        "status": p.status, "exit_date": p.exit_date.map(|d| d.to_string()), "exit_outcome": p.exit_outcome,
        "version": p.version, "minimal": p.minimal,
    })
}

pub(crate) fn form_options(ctx: &mut Map<String, Value>) {
    ctx.insert(
        "models".into(),
        codes(InterventionModel::ALL, InterventionModel::as_str),
    );
    ctx.insert(
        "programme_types".into(),
        // Closed programmes take no new intervention: not offered.
        json!(ProgrammeType::ALL
            .iter()
            .filter(|p| !p.is_closed())
            .map(|p| p.as_str())
            .collect::<Vec<_>>()),
    );
    ctx.insert(
        "target_groups".into(),
        codes(TargetGroup::ALL, TargetGroup::as_str),
    );
    ctx.insert(
        "operator_kinds".into(),
        codes(OperatorKind::ALL, OperatorKind::as_str),
    );
    ctx.insert(
        "indicator_outcomes".into(),
        codes(IndicatorOutcome::ALL, IndicatorOutcome::as_str),
    );
    ctx.insert(
        "employment_forms".into(),
        codes(EmploymentForm::ALL, EmploymentForm::as_str),
    );
    ctx.insert(
        "exit_outcomes".into(),
        codes(ExitOutcome::ALL, ExitOutcome::as_str),
    );
    ctx.insert(
        "reduction_kinds".into(),
        codes(ReductionKind::ALL, ReductionKind::as_str),
    );
}

// ------------------------------------------------------------ the list

async fn list(State(state): State<AppState>, user: UiUser) -> Response {
    list_page(
        &state,
        &user,
        json!({"operator_kind": "municipality", "capacity": "10"}),
        &ValidationErrors::new(),
        StatusCode::OK,
    )
    .await
}

async fn list_page(
    state: &AppState,
    user: &UiUser,
    values: Value,
    errors: &ValidationErrors,
    status: StatusCode,
) -> Response {
    let list = match state.store.list_interventions(&user.ctx, None).await {
        Ok(l) => l,
        Err(e) => return user_error_page(user, e.into()),
    };
    let mut ctx = base_context(user.lang, Some(user), "/insatser", "interventions");
    ctx.insert(
        "interventions".into(),
        json!(list.iter().map(intervention_json).collect::<Vec<_>>()),
    );
    ctx.insert(
        "may_create".into(),
        json!(intervention_role_may(
            user.session.user.role,
            InterventionAction::Create
        )),
    );
    ctx.insert("values".into(), values);
    errors_context(&mut ctx, errors);
    form_options(&mut ctx);
    render(
        &state.templates,
        "work/interventions/list.html",
        ctx,
        status,
    )
}

#[derive(Debug, Default, Deserialize, Serialize, Clone)]
struct InterventionForm {
    name: Option<String>,
    /// `model:rental` or `programme:youth_employment`
    kind: Option<String>,
    #[serde(default)]
    target_groups: Vec<String>,
    capacity: Option<String>,
    period_from: Option<String>,
    period_to: Option<String>,
    funding: Option<String>,
    operator_kind: Option<String>,
    description: Option<String>,
    follow_up_plan: Option<String>,
}

async fn create(
    State(state): State<AppState>,
    user: UiUser,
    CsrfForm(form): CsrfForm<InterventionForm>,
) -> Response {
    let mut e = ValidationErrors::new();
    let kind = blank(&form.kind).unwrap_or_default();
    let (model, programme_type) = match kind.split_once(':') {
        Some(("model", m)) => (Some(m.to_string()), None),
        Some(("programme", p)) => (None, Some(p.to_string())),
        _ => {
            e.add("kind", "required", "choose a model or a programme type");
            (None, None)
        }
    };
    let input = InterventionInput {
        name: form.name.clone(),
        model,
        programme_type,
        description: form.description.clone(),
        target_groups: form.target_groups.clone(),
        capacity: number(&mut e, "capacity", &form.capacity),
        period_from: form.period_from.clone(),
        period_to: blank(&form.period_to),
        funding: form.funding.clone(),
        operator_kind: form.operator_kind.clone(),
        follow_up_plan: form.follow_up_plan.clone(),
        organisation_ids: vec![],
    };
    let values = json!(form);
    let data = match InterventionData::from_input(&input) {
        Ok(d) if e.is_empty() => d,
        Ok(_) => {
            return list_page(&state, &user, values, &e, StatusCode::UNPROCESSABLE_ENTITY).await
        }
        Err(rules) => {
            for fe in rules.0 {
                // `model`/`programme_type` are one choice on the form.
                let field = if fe.field == "model" || fe.field == "programme_type" {
                    "kind"
                } else {
                    &fe.field
                };
                if e.for_field(field).is_none() {
                    e.add(field, &fe.code, fe.message);
                }
            }
            return list_page(&state, &user, values, &e, StatusCode::UNPROCESSABLE_ENTITY).await;
        }
    };
    match state.store.create_intervention(&user.ctx, &data).await {
        Ok(i) => Redirect::to(&format!("/insatser/{}", i.id)).into_response(),
        Err(StoreError::Validation(errs)) => {
            list_page(
                &state,
                &user,
                values,
                &errs,
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await
        }
        Err(err) => user_error_page(&user, err.into()),
    }
}

// ------------------------------------------------------------ one intervention

pub(crate) async fn detail_page(
    state: &AppState,
    user: &UiUser,
    id: i64,
    failed: Option<Failed>,
    assessment: Option<Assessment>,
    status: StatusCode,
) -> Response {
    let i = match state.store.read_intervention(&user.ctx, id).await {
        Ok(i) => i,
        Err(e) => return user_error_page(user, e.into()),
    };
    let role = user.session.user.role;
    let placements = if placement_role_may(role, PlacementAction::Read) {
        let f = PlacementFilter {
            intervention_id: Some(id),
            ..Default::default()
        };
        match state.store.list_placements(&user.ctx, &f).await {
            Ok(p) => p,
            Err(e) => return user_error_page(user, e.into()),
        }
    } else {
        vec![]
    };
    let may_place = placement_role_may(role, PlacementAction::Create);
    let hosts = if may_place {
        match state.store.placement_hosts(&user.ctx).await {
            Ok(h) => h,
            Err(e) => return user_error_page(user, e.into()),
        }
    } else {
        vec![]
    };
    let mut ctx = base_context(
        user.lang,
        Some(user),
        &format!("/insatser/{id}"),
        "interventions",
    );
    ctx.insert("intervention".into(), intervention_json(&i));
    ctx.insert(
        "placements".into(),
        json!(placements.iter().map(placement_json).collect::<Vec<_>>()),
    );
    ctx.insert(
        "hosts".into(),
        json!(hosts
            .iter()
            .map(|h| json!({
                "value": format!("{}:{}", h.employer_id, h.workplace_id.map(|w| w.to_string()).unwrap_or_default()),
                "label": match &h.workplace_name { Some(w) => format!("{} – {w}", h.employer_name), None => h.employer_name.clone() },
            }))
            .collect::<Vec<_>>()),
    );
    ctx.insert(
        "may_manage".into(),
        json!(intervention_role_may(role, InterventionAction::Manage)),
    );
    ctx.insert("may_place".into(), json!(may_place));
    ctx.insert(
        "may_override".into(),
        json!(placement_role_may(role, PlacementAction::Override)),
    );
    let (form, values, errors) = match failed {
        Some(f) => (Some(f.form), f.values, f.errors),
        None => (
            None,
            json!({"employment_form": "municipality", "planned_work_percent": "100", "planned_study_percent": "0", "hours_per_week": "40"}),
            ValidationErrors::new(),
        ),
    };
    ctx.insert("failed_form".into(), json!(form));
    ctx.insert("values".into(), values);
    errors_context(&mut ctx, &errors);
    ctx.insert(
        "assessment".into(),
        assessment.as_ref().map(factors_json).unwrap_or(Value::Null),
    );
    form_options(&mut ctx);
    render(
        &state.templates,
        "work/interventions/detail.html",
        ctx,
        status,
    )
}

pub(crate) fn id_of(raw: &str) -> Option<i64> {
    parse_id(raw)
}

async fn show(State(state): State<AppState>, user: UiUser, PageId(id): PageId) -> Response {
    detail_page(&state, &user, id, None, None, StatusCode::OK).await
}

#[derive(Debug, Default, Deserialize, Serialize, Clone)]
struct IndicatorForm {
    outcome: Option<String>,
    measured_after_days: Option<String>,
    target_percent: Option<String>,
    description: Option<String>,
}

async fn add_indicator(
    State(state): State<AppState>,
    user: UiUser,
    PageId(id): PageId,
    CsrfForm(form): CsrfForm<IndicatorForm>,
) -> Response {
    let mut e = ValidationErrors::new();
    let input = IndicatorInput {
        outcome: form.outcome.clone(),
        measured_after_days: number(&mut e, "measured_after_days", &form.measured_after_days),
        target_percent: number(&mut e, "target_percent", &form.target_percent),
        description: form.description.clone(),
    };
    let page = |f, s| detail_page(&state, &user, id, f, None, s);
    let ind = match Indicator::from_input(&input) {
        Ok(i) if e.is_empty() => i,
        Ok(_) => return forms::invalid("indicator", json!(form), e, page).await,
        Err(mut rules) => {
            rules.0.retain(|f| e.for_field(&f.field).is_none());
            e.0.extend(rules.0);
            return forms::invalid("indicator", json!(form), e, page).await;
        }
    };
    match state.store.add_indicator(&user.ctx, id, &ind).await {
        Ok(_) => Redirect::to(&format!("/insatser/{id}#indicators")).into_response(),
        Err(e) => forms::again(&user, "indicator", json!(form), e, page).await,
    }
}

#[derive(Debug, Default, Deserialize, Serialize, Clone)]
struct PlanForm {
    follow_up_plan: Option<String>,
    version: Option<String>,
}

async fn save_plan(
    State(state): State<AppState>,
    user: UiUser,
    PageId(id): PageId,
    CsrfForm(form): CsrfForm<PlanForm>,
) -> Response {
    let current = match state.store.read_intervention(&user.ctx, id).await {
        Ok(i) => i,
        Err(e) => return user_error_page(&user, e.into()),
    };
    let mut input = current.to_input();
    input.follow_up_plan = form.follow_up_plan.clone();
    let values = json!({"follow_up_plan": form.follow_up_plan});
    let page = |f, s| detail_page(&state, &user, id, f, None, s);
    let data = match InterventionData::from_input(&input) {
        Ok(d) => d,
        Err(e) => return forms::invalid("plan", values, e, page).await,
    };
    let version = form
        .version
        .as_deref()
        .and_then(|v| v.parse().ok())
        .unwrap_or(0);
    match state
        .store
        .update_intervention(&user.ctx, id, &data, version)
        .await
    {
        Ok(_) => Redirect::to(&format!("/insatser/{id}#follow-up")).into_response(),
        // The plan field itself says it was changed by someone else.
        Err(StoreError::StaleVersion) => {
            let failed = Failed::one("plan", values, "follow_up_plan", "stale");
            page(Some(failed), StatusCode::CONFLICT).await
        }
        Err(e) => forms::again(&user, "plan", values, e, page).await,
    }
}

#[derive(Debug, Default, Deserialize)]
struct VersionForm {
    version: Option<String>,
}

async fn set_status(
    state: AppState,
    user: UiUser,
    id: i64,
    form: VersionForm,
    to: InterventionStatus,
) -> Response {
    let version = form.version.as_deref().and_then(|v| v.parse().ok());
    let page = |f, s| detail_page(&state, &user, id, f, None, s);
    // A transition the status does not allow, or a stale version, is an
    // error on the status itself (409).
    let code = match state
        .store
        .set_intervention_status(&user.ctx, id, to, version)
        .await
    {
        Ok(_) => return Redirect::to(&format!("/insatser/{id}")).into_response(),
        Err(StoreError::Conflict { .. }) => "invalid_transition",
        Err(StoreError::StaleVersion) => "stale",
        Err(e) => return forms::again(&user, "status", json!({}), e, page).await,
    };
    page(
        Some(Failed::one("status", json!({}), "status", code)),
        StatusCode::CONFLICT,
    )
    .await
}

async fn open(
    State(state): State<AppState>,
    user: UiUser,
    PageId(id): PageId,
    CsrfForm(form): CsrfForm<VersionForm>,
) -> Response {
    set_status(state, user, id, form, InterventionStatus::Open).await
}

async fn close(
    State(state): State<AppState>,
    user: UiUser,
    PageId(id): PageId,
    CsrfForm(form): CsrfForm<VersionForm>,
) -> Response {
    set_status(state, user, id, form, InterventionStatus::Closed).await
}
