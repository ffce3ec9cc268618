//! The pages of the employer model (learning employments):
//! `/laranstallningar` (the list, an intervention's summary, and a form to
//! make a placement a learning employment) and
//! `/laranstallningar/{placement_id}` (the week plan as a table of planned
//! vs done work and study, editable for the current and past weeks with
//! inline errors, the shares, a small server-rendered SVG chart of planned
//! vs done study share, and the completion and hire forms). Everything goes
//! through the same store functions as the API, so access and audit are
//! the same.

use crate::kernel::error::Problem;
use crate::kernel::forms::{self as forms, PageId};
use crate::kernel::forms::{
    blank, errors_context, failed_context, merge_missing, parse_id, whole_number,
};
use crate::kernel::forms::{refusal_errors, CsrfForm, Failed};
use crate::kernel::i18n::Lang;
use crate::kernel::session::UiUser;
use crate::ui::{base_context, render, user_error_page};
use crate::AppState;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::Router;
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};
use std::collections::HashMap;
use vagar_domain::work::learning::access::{learning_role_may, LearningAction};
use vagar_domain::work::learning::{format_hours, monday_of, parse_hours, LearningInput};
use vagar_domain::ValidationErrors;
use vagar_store::work::learning::{DoneInput, LearningEmployment, LearningFilter};
use vagar_store::StoreError;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/laranstallningar", get(list).post(create))
        .route("/laranstallningar/{id}", get(show))
        .route("/laranstallningar/{id}/utfort", post(record_done))
        .route("/laranstallningar/{id}/plan", post(plan_week))
        .route("/laranstallningar/{id}/avslut", post(complete))
        .route("/laranstallningar/{id}/anstallning", post(hire))
}

fn may(user: &UiUser, a: LearningAction) -> bool {
    learning_role_may(user.session.user.role, a)
}

/// A share with one decimal, with a decimal comma in Swedish.
fn share_in(lang: Lang, v: Option<f64>) -> Value {
    json!(v.map(|v| {
        let s = format!("{v:.1}");
        match lang {
            Lang::Sv => s.replace('.', ","),
            Lang::En => s,
        }
    }))
}

fn learning_json(lang: Lang, l: &LearningEmployment) -> Value {
    let share = |v| share_in(lang, v);
    let f = &l.follow_up;
    json!({
        "placement_id": l.placement_id,
        "participant_id": l.participant_id,
        "participant_name": l.participant_name,
        "intervention_id": l.intervention_id,
        "intervention_name": l.intervention_name,
        "municipality_name": l.municipality_name,
        "employer_name": l.employer_name,
        "workplace_name": l.workplace_name,
        "role_title": l.role_title,
        "start_date": l.start_date.to_string(),
        "end_date": l.end_date.to_string(),
        "hours_per_week": format_hours(l.hours_per_week_minutes),
        "school_name": l.school_name,
        "programme": l.programme,
        "work_percent": l.work_percent,
        "study_percent": l.study_percent,
        "threshold": l.deviation_threshold_pp,
        "completion": l.completion,
        "completed_on": l.completed_on.map(|d| d.to_string()),
        "hired_after": l.hired_after,
        "hired_on": l.hired_on.map(|d| d.to_string()),
        "version": l.version,
        "planned_work": format_hours(f.planned.work_minutes),
        "planned_study": format_hours(f.planned.study_minutes),
        "planned_study_share": share(f.planned.study_share),
        "planned_work_share": share(f.planned.work_share),
        "done_work": format_hours(f.done.work_minutes),
        "done_study": format_hours(f.done.study_minutes),
        "done_study_share": share(f.done.study_share),
        "done_work_share": share(f.done.work_share),
        "planned_recorded_study_share": share(f.planned_recorded.study_share),
        "recorded_weeks": f.recorded_weeks,
        "week_count": f.weeks.len(),
        "recent_planned": share(f.recent_planned_study_share),
        "recent_done": share(f.recent_done_study_share),
        "deviation": f.deviation,
    })
}

#[derive(Debug, Default, Deserialize)]
struct ListQuery {
    insats: Option<String>,
    sparad: Option<String>,
}

#[derive(Debug, Default, Deserialize, Serialize, Clone)]
struct CreateFormIn {
    placement_id: Option<String>,
    school_organisation_id: Option<String>,
    school_name: Option<String>,
    programme: Option<String>,
    work_percent: Option<String>,
    study_percent: Option<String>,
    deviation_threshold_pp: Option<String>,
}

async fn list_page(
    state: &AppState,
    user: &UiUser,
    intervention: Option<i64>,
    failed: Option<(Value, ValidationErrors)>,
    status: StatusCode,
) -> Response {
    // Analysts read the summaries only.
    let items = if may(user, LearningAction::Read) {
        match state
            .store
            .list_learning(
                &user.ctx,
                &LearningFilter {
                    intervention_id: intervention,
                },
            )
            .await
        {
            Ok(i) => i,
            Err(e) => return user_error_page(user, e.into()),
        }
    } else if may(user, LearningAction::Summary) {
        vec![]
    } else {
        return user_error_page(user, Problem::forbidden());
    };
    let mut ctx = base_context(user.lang, Some(user), "/laranstallningar", "learning");
    ctx.insert(
        "items".into(),
        json!(items
            .iter()
            .map(|l| learning_json(user.lang, l))
            .collect::<Vec<_>>()),
    );
    // The interventions seen in the list, for the filter and summaries.
    let mut interventions: Vec<(i64, String)> = items
        .iter()
        .map(|l| (l.intervention_id, l.intervention_name.clone()))
        .collect();
    interventions.sort();
    interventions.dedup();
    ctx.insert(
        "interventions".into(),
        json!(interventions
            .iter()
            .map(|(id, name)| json!({"id": id, "name": name}))
            .collect::<Vec<_>>()),
    );
    ctx.insert("intervention".into(), json!(intervention));
    let share = |v| share_in(user.lang, v);
    ctx.insert("may_read".into(), json!(may(user, LearningAction::Read)));
    if may(user, LearningAction::Summary) {
        match state.store.learning_summaries(&user.ctx).await {
            Ok(list) => {
                let rows: Vec<Value> = list
                    .into_iter()
                    .filter(|s| intervention.is_none_or(|i| i == s.intervention_id))
                    .map(|s| {
                        let m = s.summary;
                        json!({
                            "id": s.intervention_id, "name": s.intervention_name, "count": m.count,
                            "completed": m.completed, "discontinued": m.discontinued,
                            "completion_rate": share(m.completion_rate), "hired": m.hired,
                            "known": m.hired + m.not_hired, "hired_rate": share(m.hired_rate),
                            "work": share(m.mean_done_work_share), "study": share(m.mean_done_study_share),
                        })
                    })
                    .collect();
                ctx.insert("summaries".into(), json!(rows));
            }
            Err(e) => return user_error_page(user, e.into()),
        }
    }
    let may_create = may(user, LearningAction::Create);
    ctx.insert("may_create".into(), json!(may_create));
    if may_create {
        let candidates = match state.store.learning_candidates(&user.ctx).await {
            Ok(c) => c,
            Err(e) => return user_error_page(user, e.into()),
        };
        ctx.insert(
            "candidates".into(),
            json!(candidates
                .iter()
                .map(|c| json!({"id": c.placement_id, "name": c.participant_name,
                    "employer": c.employer_name, "intervention": c.intervention_name,
                    "start": c.start_date, "end": c.end_date}))
                .collect::<Vec<_>>()),
        );
        let schools = state.store.school_organisations().await.unwrap_or_default();
        ctx.insert(
            "schools".into(),
            json!(schools
                .iter()
                .map(|s| json!({"id": s.id, "name": s.name}))
                .collect::<Vec<_>>()),
        );
    }
    let (values, errors) = failed.unwrap_or_else(|| {
        (
            json!({"work_percent": "75", "study_percent": "25", "deviation_threshold_pp": "5"}),
            ValidationErrors::new(),
        )
    });
    ctx.insert("values".into(), values);
    errors_context(&mut ctx, &errors);
    render(&state.templates, "work/learning/list.html", ctx, status)
}

async fn list(State(state): State<AppState>, user: UiUser, Query(q): Query<ListQuery>) -> Response {
    let intervention = blank(&q.insats).and_then(|s| parse_id(&s));
    let _ = q.sparad;
    list_page(&state, &user, intervention, None, StatusCode::OK).await
}

/// A whole number typed into a form; anything else is named.
fn number(e: &mut ValidationErrors, field: &str, v: &Option<String>) -> Option<i64> {
    whole_number(e, field, v, "not_a_number")
}

async fn create(
    State(state): State<AppState>,
    user: UiUser,
    CsrfForm(form): CsrfForm<CreateFormIn>,
) -> Response {
    if !may(&user, LearningAction::Create) {
        return user_error_page(&user, Problem::forbidden());
    }
    let mut e = ValidationErrors::new();
    let input = LearningInput {
        placement_id: number(&mut e, "placement_id", &form.placement_id),
        school_organisation_id: number(
            &mut e,
            "school_organisation_id",
            &form.school_organisation_id,
        ),
        school_name: blank(&form.school_name),
        programme: blank(&form.programme),
        work_percent: number(&mut e, "work_percent", &form.work_percent),
        study_percent: number(&mut e, "study_percent", &form.study_percent),
        deviation_threshold_pp: number(
            &mut e,
            "deviation_threshold_pp",
            &form.deviation_threshold_pp,
        ),
    };
    if let Err(more) = vagar_domain::work::learning::LearningData::from_input(&input) {
        merge_missing(&mut e, more);
    }
    let values = json!(form);
    if !e.is_empty() {
        return list_page(
            &state,
            &user,
            None,
            Some((values, e)),
            StatusCode::UNPROCESSABLE_ENTITY,
        )
        .await;
    }
    match state.store.create_learning(&user.ctx, &input).await {
        Ok(l) => Redirect::to(&format!(
            "/laranstallningar/{}?sparad=skapad",
            l.placement_id
        ))
        .into_response(),
        Err(err) => match refusal_errors(err) {
            Ok((errs, _)) => {
                list_page(
                    &state,
                    &user,
                    None,
                    Some((values, errs)),
                    StatusCode::UNPROCESSABLE_ENTITY,
                )
                .await
            }
            Err(err) => user_error_page(&user, err.into()),
        },
    }
}

/// Points of a polyline: x by week index, y by share (0–100 %).
fn polyline(points: &[(usize, f64)], n: usize) -> String {
    let (w, h, left, top) = (560.0, 160.0, 40.0, 10.0);
    let step = if n > 1 { w / (n - 1) as f64 } else { 0.0 };
    points
        .iter()
        .map(|(i, v)| {
            format!(
                "{:.1},{:.1}",
                left + step * *i as f64,
                top + h - h * v.clamp(0.0, 100.0) / 100.0
            )
        })
        .collect::<Vec<_>>()
        .join(" ")
}

async fn detail_page(
    state: &AppState,
    user: &UiUser,
    id: i64,
    failed: Option<Failed>,
    flash: Option<&str>,
    status: StatusCode,
) -> Response {
    let l = match state.store.read_learning(&user.ctx, id).await {
        Ok(l) => l,
        Err(e) => return user_error_page(user, e.into()),
    };
    let today = user.ctx.today();
    let last_day = l.completed_on.unwrap_or(l.end_date);
    let may_done = may(user, LearningAction::RecordDone);
    let school_only = user.session.user.role == vagar_domain::Role::Partner;
    let (failed_form, values, errors, stale) = match failed {
        Some(f) => (Some(f.form), f.values, f.errors, f.stale),
        None => (None, json!({}), ValidationErrors::new(), false),
    };
    let share = |v| share_in(user.lang, v);
    let weeks: Vec<Value> = l
        .weeks
        .iter()
        .zip(&l.follow_up.weeks)
        .map(|(w, fw)| {
            let ws = w.week_start.to_string();
            let editable = may_done && w.week_start <= today && w.week_start <= monday_of(last_day);
            let failed_here = failed_form.as_deref() == Some(&format!("done-{ws}"));
            json!({
                "week_start": ws,
                "iso_week": w.week_start.format("%V").to_string(),
                "current": w.week_start == monday_of(today),
                "planned_work": format_hours(w.planned_work),
                "planned_study": format_hours(w.planned_study),
                "planned_share": share(fw.planned.study_share),
                "done_work": w.done_work.map(format_hours),
                "done_study": w.done_study.map(format_hours),
                "done_share": share(fw.done.and_then(|d| d.study_share)),
                "running_planned": share(fw.running_planned.study_share),
                "running_done": if fw.running_done.work_minutes + fw.running_done.study_minutes > 0 { share(fw.running_done.study_share) } else { json!(null) },
                "editable": editable,
                "failed": failed_here,
                "value_work": if failed_here { values["done_work"].clone() } else { json!(w.done_work.map(format_hours)) },
                "value_study": if failed_here { values["done_study"].clone() } else { json!(w.done_study.map(format_hours)) },
            })
        })
        .collect();
    // The chart: planned study share of each week, and done where recorded.
    let n = l.follow_up.weeks.len();
    let planned: Vec<(usize, f64)> = l
        .follow_up
        .weeks
        .iter()
        .enumerate()
        .filter_map(|(i, w)| w.planned.study_share.map(|s| (i, s)))
        .collect();
    let done: Vec<(usize, f64)> = l
        .follow_up
        .weeks
        .iter()
        .enumerate()
        .filter_map(|(i, w)| w.done.and_then(|d| d.study_share).map(|s| (i, s)))
        .collect();
    let done_dots: Vec<Value> = polyline(&done, n)
        .split(' ')
        .filter(|p| !p.is_empty())
        .map(|p| {
            let (x, y) = p.split_once(',').unwrap_or(("0", "0"));
            json!({"x": x, "y": y})
        })
        .collect();
    let mut ctx = base_context(
        user.lang,
        Some(user),
        &format!("/laranstallningar/{id}"),
        "learning",
    );
    ctx.insert("l".into(), learning_json(user.lang, &l));
    ctx.insert("weeks".into(), json!(weeks));
    ctx.insert(
        "chart".into(),
        json!({"planned": polyline(&planned, n), "done": polyline(&done, n), "dots": done_dots,
               "has_done": !done.is_empty()}),
    );
    ctx.insert("may_done".into(), json!(may_done));
    ctx.insert("school_only".into(), json!(school_only));
    ctx.insert(
        "may_plan".into(),
        json!(may(user, LearningAction::Plan) && l.completion.is_none()),
    );
    ctx.insert(
        "may_complete".into(),
        json!(may(user, LearningAction::Complete) && l.completion.is_none()),
    );
    ctx.insert(
        "may_hire".into(),
        json!(may(user, LearningAction::RecordHire) && l.completion.is_some()),
    );
    ctx.insert("today".into(), json!(today.to_string()));
    failed_context(&mut ctx, failed_form.as_deref(), values, stale, &errors);
    if let Some(f) = flash {
        ctx.insert("flash".into(), json!(f));
    }
    render(&state.templates, "work/learning/detail.html", ctx, status)
}

async fn show(
    State(state): State<AppState>,
    user: UiUser,
    PageId(id): PageId,
    Query(q): Query<HashMap<String, String>>,
) -> Response {
    let flash = match q.get("sparad").map(String::as_str) {
        Some("skapad") => Some("learn-flash-created"),
        Some("utfort") => Some("learn-flash-done"),
        Some("plan") => Some("learn-flash-plan"),
        Some("avslut") => Some("learn-flash-completed"),
        Some("anstallning") => Some("learn-flash-hire"),
        _ => None,
    };
    detail_page(&state, &user, id, None, flash, StatusCode::OK).await
}

/// Show the page again with the form's values and its errors.
async fn refused(
    state: &AppState,
    user: &UiUser,
    id: i64,
    form: String,
    values: Value,
    err: StoreError,
) -> Response {
    forms::again(user, &form, values, err, |f, s| {
        detail_page(state, user, id, f, None, s)
    })
    .await
}

fn version(v: &Option<String>) -> i64 {
    blank(v).and_then(|v| v.parse().ok()).unwrap_or(0)
}

/// Hours typed in a form field as minutes; a value that is not hours is named.
fn hours(e: &mut ValidationErrors, field: &str, v: &Option<String>) -> Option<i64> {
    let v = blank(v)?;
    let m = parse_hours(&v);
    if m.is_none() {
        e.add(
            field,
            "not_hours",
            format!("{field} must be hours, e.g. 30, 7,5 or 7:30"),
        );
    }
    m
}

#[derive(Debug, Default, Deserialize, Serialize, Clone)]
struct DoneFormIn {
    version: Option<String>,
    week_start: Option<String>,
    done_work: Option<String>,
    done_study: Option<String>,
}

async fn record_done(
    State(state): State<AppState>,
    user: UiUser,
    PageId(id): PageId,
    CsrfForm(form): CsrfForm<DoneFormIn>,
) -> Response {
    if !may(&user, LearningAction::RecordDone) {
        return user_error_page(&user, Problem::forbidden());
    }
    let week_text = blank(&form.week_start).unwrap_or_default();
    let values = json!(form);
    let failed_form = format!("done-{week_text}");
    let Ok(week) = NaiveDate::parse_from_str(&week_text, "%Y-%m-%d") else {
        return user_error_page(&user, Problem::not_found());
    };
    let mut e = ValidationErrors::new();
    // Form fields are named by what the user typed (hours); the store names
    // the minutes fields, which map back to the same inputs.
    let work = hours(&mut e, "done_work_minutes", &form.done_work);
    let study = hours(&mut e, "done_study_minutes", &form.done_study);
    let school = user.session.user.role == vagar_domain::Role::Partner;
    if !e.is_empty() {
        return refused(
            &state,
            &user,
            id,
            failed_form,
            values,
            StoreError::Validation(e),
        )
        .await;
    }
    let input = DoneInput {
        done_work_minutes: if school { None } else { work },
        done_study_minutes: study,
    };
    match state
        .store
        .record_learning_done(&user.ctx, id, week, input, version(&form.version))
        .await
    {
        Ok(_) => Redirect::to(&format!(
            "/laranstallningar/{id}?sparad=utfort#vecka-{week}"
        ))
        .into_response(),
        Err(err) => refused(&state, &user, id, failed_form, values, err).await,
    }
}

#[derive(Debug, Default, Deserialize, Serialize, Clone)]
struct PlanFormIn {
    version: Option<String>,
    week_start: Option<String>,
    planned_work: Option<String>,
    planned_study: Option<String>,
}

async fn plan_week(
    State(state): State<AppState>,
    user: UiUser,
    PageId(id): PageId,
    CsrfForm(form): CsrfForm<PlanFormIn>,
) -> Response {
    if !may(&user, LearningAction::Plan) {
        return user_error_page(&user, Problem::forbidden());
    }
    let values = json!(form);
    let mut e = ValidationErrors::new();
    let week = match blank(&form.week_start)
        .and_then(|w| NaiveDate::parse_from_str(&w, "%Y-%m-%d").ok())
    {
        Some(w) => Some(w),
        None => {
            e.add("week_start", "required", "choose a week");
            None
        }
    };
    let work = hours(&mut e, "planned_work_minutes", &form.planned_work);
    let study = hours(&mut e, "planned_study_minutes", &form.planned_study);
    let (Some(week), true) = (week, e.is_empty()) else {
        return refused(
            &state,
            &user,
            id,
            "plan".into(),
            values,
            StoreError::Validation(e),
        )
        .await;
    };
    match state
        .store
        .plan_learning_week(&user.ctx, id, week, work, study, version(&form.version))
        .await
    {
        Ok(_) => Redirect::to(&format!("/laranstallningar/{id}?sparad=plan")).into_response(),
        Err(err) => refused(&state, &user, id, "plan".into(), values, err).await,
    }
}

#[derive(Debug, Default, Deserialize, Serialize, Clone)]
struct CompleteFormIn {
    version: Option<String>,
    completion: Option<String>,
    completed_on: Option<String>,
}

async fn complete(
    State(state): State<AppState>,
    user: UiUser,
    PageId(id): PageId,
    CsrfForm(form): CsrfForm<CompleteFormIn>,
) -> Response {
    if !may(&user, LearningAction::Complete) {
        return user_error_page(&user, Problem::forbidden());
    }
    let values = json!(form);
    match state
        .store
        .complete_learning(
            &user.ctx,
            id,
            blank(&form.completion).as_deref(),
            blank(&form.completed_on).as_deref(),
            version(&form.version),
        )
        .await
    {
        Ok(_) => Redirect::to(&format!("/laranstallningar/{id}?sparad=avslut")).into_response(),
        Err(err) => refused(&state, &user, id, "complete".into(), values, err).await,
    }
}

#[derive(Debug, Default, Deserialize, Serialize, Clone)]
struct HireFormIn {
    version: Option<String>,
    hired_after: Option<String>,
    hired_on: Option<String>,
}

async fn hire(
    State(state): State<AppState>,
    user: UiUser,
    PageId(id): PageId,
    CsrfForm(form): CsrfForm<HireFormIn>,
) -> Response {
    if !may(&user, LearningAction::RecordHire) {
        return user_error_page(&user, Problem::forbidden());
    }
    let values = json!(form);
    match state
        .store
        .record_learning_hire(
            &user.ctx,
            id,
            blank(&form.hired_after).as_deref(),
            blank(&form.hired_on).as_deref(),
            version(&form.version),
        )
        .await
    {
        Ok(_) => {
            Redirect::to(&format!("/laranstallningar/{id}?sparad=anstallning")).into_response()
        }
        Err(err) => refused(&state, &user, id, "hire".into(), values, err).await,
    }
}
