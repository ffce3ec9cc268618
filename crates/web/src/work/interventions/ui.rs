//! The pages for interventions and placements: `/insatser` (list and a
//! form to create one), `/insatser/{id}` (details, planned indicators, the
//! follow-up plan, open/close, its placements and a form to place a
//! participant — with a dry run that shows the displacement assessment
//! factor by factor before anything is written), `/placeringar/{id}` (the
//! placement, its assessment, exit and, for coordinators, the override),
//! `/mina-placeringar` (the host employer's own placed participants,
//! minimal) and `/arbetsgivarregister/{id}/varsel` (a host's notices and
//! dismissals). All through the same store functions as the API.

use crate::kernel::error::Problem;
use crate::kernel::forms::{CsrfForm, Failed};
use crate::kernel::session::UiUser;
use crate::participants::ui::parse_id;
use crate::ui::{base_context, render, user_error_page};
use crate::AppState;
use axum::extract::{Path, State};
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
use vagar_domain::work::interventions::{
    EmploymentForm, ExitInput, ExitOutcome, Indicator, IndicatorInput, IndicatorOutcome,
    InterventionData, InterventionInput, InterventionModel, InterventionStatus, OperatorKind,
    PlacementInput, ProgrammeType, ReductionInput, ReductionKind,
};
use vagar_domain::ValidationErrors;
use vagar_store::work::interventions::{
    Host, Intervention, NewPlacement, Placement, PlacementFilter, RiskQuery,
};
use vagar_store::StoreError;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/insatser", get(list).post(create))
        .route("/insatser/{id}", get(show))
        .route("/insatser/{id}/indikatorer", post(add_indicator))
        .route("/insatser/{id}/uppfoljningsplan", post(save_plan))
        .route("/insatser/{id}/oppna", post(open))
        .route("/insatser/{id}/stang", post(close))
        .route("/insatser/{id}/placera", post(place))
        .route("/placeringar/{id}", get(placement_page))
        .route("/placeringar/{id}/avsluta", post(exit))
        .route("/placeringar/{id}/undanta", post(override_block))
        .route("/placeringar/{id}/vecka", post(record_week))
        .route("/mina-placeringar", get(my_placements))
        .route(
            "/arbetsgivarregister/{id}/varsel",
            get(reductions).post(add_reduction),
        )
        .route(
            "/arbetsgivarregister/{id}/varsel/arbetsplatser/{workplace}",
            post(set_staff),
        )
}

fn blank(v: &Option<String>) -> Option<String> {
    v.as_ref()
        .map(|s| s.trim().to_string())
        .filter(|s| !s.is_empty())
}

fn codes<T: Copy>(all: &[T], f: fn(T) -> &'static str) -> Value {
    json!(all.iter().map(|v| f(*v)).collect::<Vec<_>>())
}

/// Store field names as the forms name them.
fn form_field(field: &str) -> &str {
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

fn errors_context(ctx: &mut Map<String, Value>, errors: &ValidationErrors) {
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
fn number(e: &mut ValidationErrors, field: &str, v: &Option<String>) -> Option<i64> {
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
fn decimal(e: &mut ValidationErrors, field: &str, v: &Option<String>, scale: f64) -> Option<i64> {
    let v = blank(v)?.replace(',', ".").replace(' ', "");
    match v.parse::<f64>() {
        Ok(n) if n.is_finite() && n >= 0.0 => Some((n * scale).round() as i64),
        _ => {
            e.add(field, "not_a_number", format!("{field} must be a number"));
            None
        }
    }
}

fn factors_json(a: &Assessment) -> Value {
    json!({
        "level": a.level.as_str(),
        "factors": a.factors.iter().map(|f| json!({
            "code": f.code, "effect": f.effect, "key": f.key, "numbers": f.numbers,
        })).collect::<Vec<_>>(),
    })
}

fn intervention_json(i: &Intervention) -> Value {
    let rules = i
        .programme_type
        .as_deref()
        .and_then(ProgrammeType::parse)
        .map(|p| serde_json::to_value(p.rules()).unwrap_or(Value::Null));
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

fn kr(ore: Option<i64>) -> Option<String> {
    ore.map(|o| format!("{} kr", o / 100))
}

fn hours(minutes: i64) -> String {
    if minutes % 60 == 0 {
        format!("{}", minutes / 60)
    } else {
        format!("{},{:02}", minutes / 60, (minutes % 60) * 100 / 60)
    }
}

fn placement_json(p: &Placement) -> Value {
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

fn form_options(ctx: &mut Map<String, Value>) {
    ctx.insert(
        "models".into(),
        codes(InterventionModel::ALL, InterventionModel::as_str),
    );
    ctx.insert(
        "programme_types".into(),
        codes(ProgrammeType::ALL, ProgrammeType::as_str),
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

async fn detail_page(
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

fn id_of(raw: &str) -> Option<i64> {
    parse_id(raw)
}

async fn show(State(state): State<AppState>, user: UiUser, Path(raw): Path<String>) -> Response {
    let Some(id) = id_of(&raw) else {
        return user_error_page(&user, Problem::not_found());
    };
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
    Path(raw): Path<String>,
    CsrfForm(form): CsrfForm<IndicatorForm>,
) -> Response {
    let Some(id) = id_of(&raw) else {
        return user_error_page(&user, Problem::not_found());
    };
    let mut e = ValidationErrors::new();
    let input = IndicatorInput {
        outcome: form.outcome.clone(),
        measured_after_days: number(&mut e, "measured_after_days", &form.measured_after_days),
        target_percent: number(&mut e, "target_percent", &form.target_percent),
        description: form.description.clone(),
    };
    let values = json!(form);
    let failed = |errors| Failed {
        form: "indicator".into(),
        values: values.clone(),
        errors,
        stale: false,
    };
    let ind = match Indicator::from_input(&input) {
        Ok(i) if e.is_empty() => i,
        Ok(_) => {
            return detail_page(
                &state,
                &user,
                id,
                Some(failed(e)),
                None,
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await
        }
        Err(mut rules) => {
            rules.0.retain(|f| e.for_field(&f.field).is_none());
            e.0.extend(rules.0);
            return detail_page(
                &state,
                &user,
                id,
                Some(failed(e)),
                None,
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await;
        }
    };
    match state.store.add_indicator(&user.ctx, id, &ind).await {
        Ok(_) => Redirect::to(&format!("/insatser/{id}#indicators")).into_response(),
        Err(StoreError::Validation(errs)) => {
            detail_page(
                &state,
                &user,
                id,
                Some(failed(errs)),
                None,
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await
        }
        Err(err) => user_error_page(&user, err.into()),
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
    Path(raw): Path<String>,
    CsrfForm(form): CsrfForm<PlanForm>,
) -> Response {
    let Some(id) = id_of(&raw) else {
        return user_error_page(&user, Problem::not_found());
    };
    let current = match state.store.read_intervention(&user.ctx, id).await {
        Ok(i) => i,
        Err(e) => return user_error_page(&user, e.into()),
    };
    let mut input = current.to_input();
    input.follow_up_plan = form.follow_up_plan.clone();
    let values = json!({"follow_up_plan": form.follow_up_plan});
    let failed = |errors| Failed {
        form: "plan".into(),
        values: values.clone(),
        errors,
        stale: false,
    };
    let data = match InterventionData::from_input(&input) {
        Ok(d) => d,
        Err(e) => {
            return detail_page(
                &state,
                &user,
                id,
                Some(failed(e)),
                None,
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await
        }
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
        Err(StoreError::Validation(errs)) => {
            detail_page(
                &state,
                &user,
                id,
                Some(failed(errs)),
                None,
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await
        }
        Err(StoreError::StaleVersion) => {
            let mut e = ValidationErrors::new();
            e.add("follow_up_plan", "stale", "changed by someone else");
            detail_page(
                &state,
                &user,
                id,
                Some(failed(e)),
                None,
                StatusCode::CONFLICT,
            )
            .await
        }
        Err(err) => user_error_page(&user, err.into()),
    }
}

#[derive(Debug, Default, Deserialize)]
struct VersionForm {
    version: Option<String>,
}

async fn set_status(
    state: AppState,
    user: UiUser,
    raw: String,
    form: VersionForm,
    to: InterventionStatus,
) -> Response {
    let Some(id) = id_of(&raw) else {
        return user_error_page(&user, Problem::not_found());
    };
    let version = form.version.as_deref().and_then(|v| v.parse().ok());
    match state
        .store
        .set_intervention_status(&user.ctx, id, to, version)
        .await
    {
        Ok(_) => Redirect::to(&format!("/insatser/{id}")).into_response(),
        Err(StoreError::Validation(errs)) => {
            let f = Failed {
                form: "status".into(),
                values: json!({}),
                errors: errs,
                stale: false,
            };
            detail_page(
                &state,
                &user,
                id,
                Some(f),
                None,
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await
        }
        Err(StoreError::Conflict { .. }) => {
            let mut e = ValidationErrors::new();
            e.add("status", "invalid_transition", "");
            detail_page(
                &state,
                &user,
                id,
                Some(Failed {
                    form: "status".into(),
                    values: json!({}),
                    errors: e,
                    stale: false,
                }),
                None,
                StatusCode::CONFLICT,
            )
            .await
        }
        Err(StoreError::StaleVersion) => {
            let mut e = ValidationErrors::new();
            e.add("status", "stale", "");
            detail_page(
                &state,
                &user,
                id,
                Some(Failed {
                    form: "status".into(),
                    values: json!({}),
                    errors: e,
                    stale: false,
                }),
                None,
                StatusCode::CONFLICT,
            )
            .await
        }
        Err(err) => user_error_page(&user, err.into()),
    }
}

async fn open(
    State(state): State<AppState>,
    user: UiUser,
    Path(raw): Path<String>,
    CsrfForm(form): CsrfForm<VersionForm>,
) -> Response {
    set_status(state, user, raw, form, InterventionStatus::Open).await
}

async fn close(
    State(state): State<AppState>,
    user: UiUser,
    Path(raw): Path<String>,
    CsrfForm(form): CsrfForm<VersionForm>,
) -> Response {
    set_status(state, user, raw, form, InterventionStatus::Closed).await
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
    Path(raw): Path<String>,
    CsrfForm(form): CsrfForm<PlaceForm>,
) -> Response {
    let Some(id) = id_of(&raw) else {
        return user_error_page(&user, Problem::not_found());
    };
    if !placement_role_may(user.session.user.role, PlacementAction::Create) {
        return user_error_page(&user, Problem::forbidden());
    }
    let mut e = ValidationErrors::new();
    let host = parse_host(&mut e, &form.host);
    let need_id = number(&mut e, "need_id", &form.need_id);
    let extra_task = form.extra_task.is_some();
    let values = json!(form);
    let failed = |errors| Failed {
        form: "place".into(),
        values: values.clone(),
        errors,
        stale: false,
    };
    if form.action.as_deref() == Some("assess") {
        let q = RiskQuery {
            host,
            occupation_ssyk: blank(&form.occupation_ssyk),
            need_id,
            start_date: blank(&form.start_date),
            end_date: blank(&form.end_date),
            extra_task,
        };
        if !e.is_empty() {
            return detail_page(
                &state,
                &user,
                id,
                Some(failed(e)),
                None,
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await;
        }
        return match state.store.assess_displacement(&user.ctx, &q).await {
            Ok(a) => {
                detail_page(
                    &state,
                    &user,
                    id,
                    Some(failed(ValidationErrors::new())),
                    Some(a),
                    StatusCode::OK,
                )
                .await
            }
            Err(StoreError::Validation(errs)) => {
                detail_page(
                    &state,
                    &user,
                    id,
                    Some(failed(errs)),
                    None,
                    StatusCode::UNPROCESSABLE_ENTITY,
                )
                .await
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
    if !e.is_empty() {
        return detail_page(
            &state,
            &user,
            id,
            Some(failed(e)),
            None,
            StatusCode::UNPROCESSABLE_ENTITY,
        )
        .await;
    }
    let new = NewPlacement {
        participant_id: participant_id.unwrap_or(0),
        intervention_id: id,
        host,
        need_id,
        terms,
        override_reason: blank(&form.override_reason),
    };
    match state.store.create_placement(&user.ctx, &new).await {
        Ok(p) => Redirect::to(&format!("/placeringar/{}", p.id)).into_response(),
        Err(StoreError::Validation(errs)) => {
            // A block is explained factor by factor beside the form.
            let assessment = if errs.for_field("displacement").is_some() {
                state
                    .store
                    .assess_displacement(
                        &user.ctx,
                        &RiskQuery {
                            host,
                            occupation_ssyk: blank(&form.occupation_ssyk),
                            need_id,
                            start_date: blank(&form.start_date),
                            end_date: blank(&form.end_date),
                            extra_task,
                        },
                    )
                    .await
                    .ok()
            } else {
                None
            };
            detail_page(
                &state,
                &user,
                id,
                Some(failed(errs)),
                assessment,
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await
        }
        // The participant is not one the user may place: as for any unknown id.
        Err(StoreError::NotFound) => {
            let mut errs = ValidationErrors::new();
            errs.add("participant_id", "unknown_participant", "");
            detail_page(
                &state,
                &user,
                id,
                Some(failed(errs)),
                None,
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await
        }
        Err(err) => user_error_page(&user, err.into()),
    }
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
    Path(raw): Path<String>,
) -> Response {
    let Some(id) = id_of(&raw) else {
        return user_error_page(&user, Problem::not_found());
    };
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
    Path(raw): Path<String>,
    CsrfForm(form): CsrfForm<ExitForm>,
) -> Response {
    let Some(id) = id_of(&raw) else {
        return user_error_page(&user, Problem::not_found());
    };
    let input = ExitInput {
        exit_date: form.exit_date.clone(),
        exit_outcome: form.exit_outcome.clone(),
    };
    let version = form.version.as_deref().and_then(|v| v.parse().ok());
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
    Path(raw): Path<String>,
    CsrfForm(form): CsrfForm<WeekForm>,
) -> Response {
    let Some(id) = id_of(&raw) else {
        return user_error_page(&user, Problem::not_found());
    };
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
    let failed = Failed {
        form: form.into(),
        values,
        errors,
        stale: false,
    };
    placement_view(state, user, id, Some(failed), status).await
}

async fn override_block(
    State(state): State<AppState>,
    user: UiUser,
    Path(raw): Path<String>,
    CsrfForm(form): CsrfForm<ExitForm>,
) -> Response {
    let Some(id) = id_of(&raw) else {
        return user_error_page(&user, Problem::not_found());
    };
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
    values: Value,
    errors: &ValidationErrors,
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
    ctx.insert("values".into(), values);
    errors_context(&mut ctx, errors);
    form_options(&mut ctx);
    render(
        &state.templates,
        "work/displacement/reductions.html",
        ctx,
        status,
    )
}

async fn reductions(
    State(state): State<AppState>,
    user: UiUser,
    Path(raw): Path<String>,
) -> Response {
    let Some(id) = id_of(&raw) else {
        return user_error_page(&user, Problem::not_found());
    };
    let today = vagar_domain::time::swedish_date(user.ctx.now).to_string();
    reductions_page(
        &state,
        &user,
        id,
        json!({"occurred_on": today, "kind": "notice", "persons": "1"}),
        &ValidationErrors::new(),
        StatusCode::OK,
    )
    .await
}

async fn add_reduction(
    State(state): State<AppState>,
    user: UiUser,
    Path(raw): Path<String>,
    CsrfForm(form): CsrfForm<ReductionForm>,
) -> Response {
    let Some(id) = id_of(&raw) else {
        return user_error_page(&user, Problem::not_found());
    };
    let mut e = ValidationErrors::new();
    let input = ReductionInput {
        workplace_id: None,
        occupation_ssyk: form.occupation_ssyk.clone(),
        kind: form.kind.clone(),
        occurred_on: form.occurred_on.clone(),
        persons: number(&mut e, "persons", &form.persons),
        note: form.note.clone(),
    };
    let values = json!(form);
    if !e.is_empty() {
        return reductions_page(
            &state,
            &user,
            id,
            values,
            &e,
            StatusCode::UNPROCESSABLE_ENTITY,
        )
        .await;
    }
    match state
        .store
        .record_staff_reduction(&user.ctx, id, &input)
        .await
    {
        Ok(_) => Redirect::to(&format!("/arbetsgivarregister/{id}/varsel")).into_response(),
        Err(StoreError::Validation(errs)) => {
            reductions_page(
                &state,
                &user,
                id,
                values,
                &errs,
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await
        }
        Err(err) => user_error_page(&user, err.into()),
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
    if !e.is_empty() {
        return reductions_page(
            &state,
            &user,
            id,
            values,
            &e,
            StatusCode::UNPROCESSABLE_ENTITY,
        )
        .await;
    }
    match state
        .store
        .set_staff_count(&user.ctx, id, workplace, count)
        .await
    {
        Ok(_) => {
            Redirect::to(&format!("/arbetsgivarregister/{id}/varsel#workplaces")).into_response()
        }
        Err(StoreError::Validation(errs)) => {
            reductions_page(
                &state,
                &user,
                id,
                values,
                &errs,
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await
        }
        Err(err) => user_error_page(&user, err.into()),
    }
}
