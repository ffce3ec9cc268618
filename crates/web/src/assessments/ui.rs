//! The joint assessment page (`/deltagare/{id}/kartlaggning`): the latest
//! version (work experience, education, Swedish level, barriers and
//! resources, own goals, free text), who saved it and when, the list of
//! earlier versions, and a form that saves a new version — through the same
//! store functions as the API, so access and audit are the same. Health is
//! shown only where the reader may see it (see `vagar_store::assessments`).
//!
//! On an error the page is shown again with the typed values, an error
//! summary and inline messages. Work experience is a fixed set of rows
//! (`work_ssyk_{i}`, `work_occupation_{i}`, `work_years_{i}`); blank rows
//! are ignored.

use crate::kernel::forms::CsrfForm;
use crate::kernel::forms::PageId;
use crate::kernel::i18n::t;
use crate::kernel::session::UiUser;
use crate::ui::{base_context, render, user_error_page};
use crate::AppState;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::get;
use axum::Router;
use serde_json::{json, Map, Value};
use std::collections::HashMap;
use vagar_domain::assessments::{
    AssessmentInput, Barrier, BarrierInput, BarrierLevel, WorkInput, AREAS, MAX_WORK_ENTRIES,
};
use vagar_domain::participants::{EducationLevel, SwedishLevel};
use vagar_domain::ValidationErrors;
use vagar_store::StoreError;

pub fn router() -> Router<AppState> {
    Router::new().route("/deltagare/{id}/kartlaggning", get(show).post(save))
}

/// Empty rows offered below the stored ones.
const EXTRA_ROWS: usize = 2;

fn codes<T: Copy>(all: &[T], f: fn(T) -> &'static str) -> Vec<&'static str> {
    all.iter().map(|v| f(*v)).collect()
}

fn date_time(at: chrono::DateTime<chrono::Utc>) -> String {
    let local = at.naive_utc() + vagar_domain::time::sweden_offset(at);
    local.format("%Y-%m-%d %H:%M").to_string()
}

fn field(form: &HashMap<String, String>, key: &str) -> Option<String> {
    form.get(key)
        .map(|s| s.trim().to_string())
        .filter(|s| !s.is_empty())
}

/// The form's rows in use (index on the form) and the input they make.
fn input_from(form: &HashMap<String, String>) -> (AssessmentInput, Vec<usize>) {
    let mut rows = Vec::new();
    let mut work = Vec::new();
    for i in 0..MAX_WORK_ENTRIES + EXTRA_ROWS {
        let w = WorkInput {
            ssyk_code: field(form, &format!("work_ssyk_{i}")),
            occupation: field(form, &format!("work_occupation_{i}")),
            years: field(form, &format!("work_years_{i}")),
        };
        if w.ssyk_code.is_some() || w.occupation.is_some() || w.years.is_some() {
            rows.push(i);
            work.push(w);
        }
    }
    let barrier = |area: &str| BarrierInput {
        level: field(form, &format!("{area}_level")),
        note: field(form, &format!("{area}_note")),
    };
    let input = AssessmentInput {
        work_experience: work,
        education_level: field(form, "education_level"),
        education_text: field(form, "education_text"),
        swedish_level: field(form, "swedish_level"),
        childcare: barrier("childcare"),
        housing: barrier("housing"),
        economy: barrier("economy"),
        health: barrier("health"),
        own_goals: field(form, "own_goals"),
        free_text: field(form, "free_text"),
    };
    (input, rows)
}

/// Store error fields as the form's field names (`work_experience[1].years`
/// → `work_years_{row}`, `health.level` → `health_level`); codes the form
/// words differently get their own (`years_range`).
fn form_errors(e: &ValidationErrors, rows: &[usize]) -> ValidationErrors {
    let mut out = ValidationErrors::new();
    for fe in &e.0 {
        let mut code = fe.code.clone();
        let name = if let Some(rest) = fe.field.strip_prefix("work_experience[") {
            let (n, part) = rest.split_once("].").unwrap_or((rest, ""));
            let row = n
                .parse::<usize>()
                .ok()
                .and_then(|k| rows.get(k).copied())
                .unwrap_or(0);
            let part = match part {
                "ssyk_code" => "ssyk",
                "years" => {
                    if code == "out_of_range" {
                        code = "years_range".into();
                    }
                    "years"
                }
                _ => "occupation",
            };
            format!("work_{part}_{row}")
        } else if fe.field == "work_experience" {
            "work_ssyk_0".into()
        } else {
            fe.field.replace('.', "_")
        };
        out.add(&name, &code, fe.message.clone());
    }
    out
}

/// A form field's name as the page labels it (`work_years_1` → "Years (row 2)").
fn label(lang: crate::kernel::i18n::Lang, field: &str) -> String {
    for (prefix, key) in [
        ("work_ssyk_", "assessment-ssyk"),
        ("work_occupation_", "assessment-occupation"),
        ("work_years_", "assessment-years"),
    ] {
        if let Some(n) = field
            .strip_prefix(prefix)
            .and_then(|n| n.parse::<usize>().ok())
        {
            return format!("{} ({})", t(lang, key, &[]), n + 1);
        }
    }
    for area in AREAS {
        if field == format!("{area}_level") || field == format!("{area}_note") {
            let part = if field.ends_with("_level") {
                "assessment-level"
            } else {
                "assessment-note"
            };
            return format!(
                "{}: {}",
                t(lang, &format!("assessment-area-{area}"), &[]),
                t(lang, part, &[])
            );
        }
    }
    match field {
        "education_level" => t(lang, "field-education_level", &[]),
        "swedish_level" => t(lang, "field-swedish_level", &[]),
        "education_text" | "own_goals" | "free_text" => {
            t(lang, &format!("assessment-{field}"), &[])
        }
        other => other.to_string(),
    }
}

fn barrier_json(b: &Option<Barrier>) -> Value {
    match b {
        None => json!(null),
        Some(b) => json!({"level": b.level.as_str(), "note": b.note}),
    }
}

async fn page(
    state: &AppState,
    user: &UiUser,
    id: i64,
    failed: Option<(HashMap<String, String>, ValidationErrors)>,
    flash: Option<&str>,
    status: StatusCode,
) -> Response {
    let p = match state.store.read_participant(&user.ctx, id).await {
        Ok(p) => p,
        Err(e) => return user_error_page(user, e.into()),
    };
    let (latest, health_visible, may_update) =
        match state.store.read_assessment_opt(&user.ctx, id).await {
            Ok(v) => v,
            Err(e) => return user_error_page(user, e.into()),
        };
    let versions = if latest.is_some() {
        match state.store.list_assessment_versions(&user.ctx, id).await {
            Ok(v) => v,
            Err(e) => return user_error_page(user, e.into()),
        }
    } else {
        vec![]
    };
    let mut ctx = base_context(
        user.lang,
        Some(user),
        &format!("/deltagare/{id}/kartlaggning"),
        "participants",
    );
    let name = format!("{} {}", p.data.first_name, p.data.last_name);
    ctx.insert("p".into(), json!({"id": id, "name": name}));
    ctx.insert("health_visible".into(), json!(health_visible));
    ctx.insert("may_update".into(), json!(may_update));
    ctx.insert("flash".into(), json!(flash));
    ctx.insert(
        "education_levels".into(),
        json!(codes(EducationLevel::ALL, EducationLevel::as_str)),
    );
    ctx.insert(
        "swedish_levels".into(),
        json!(codes(SwedishLevel::ALL, SwedishLevel::as_str)),
    );
    ctx.insert(
        "barrier_levels".into(),
        json!(codes(BarrierLevel::ALL, BarrierLevel::as_str)),
    );
    let areas: Vec<&str> = AREAS
        .iter()
        .copied()
        .filter(|a| *a != "health" || health_visible)
        .collect();
    ctx.insert("areas".into(), json!(areas));

    // The form: as stored (the latest version), or as typed when it failed.
    let mut f: Map<String, Value> = Map::new();
    let mut stored_rows = 0;
    if let Some(a) = &latest {
        let d = &a.data;
        ctx.insert(
            "a".into(),
            json!({
                "version": a.version, "by": a.created_by_username, "at": date_time(a.created_at),
                "work": d.work_experience.iter().map(|w| json!({"ssyk_code": w.ssyk_code,
                          "occupation": w.occupation, "years": w.years})).collect::<Vec<_>>(),
                "education_level": d.education_level.as_str(), "education_text": d.education_text,
                "swedish_level": d.swedish_level.map(|s| s.as_str()),
                "childcare": barrier_json(&d.childcare), "housing": barrier_json(&d.housing),
                "economy": barrier_json(&d.economy), "health": barrier_json(&a.health),
                "own_goals": d.own_goals, "free_text": d.free_text,
            }),
        );
        for (i, w) in d.work_experience.iter().enumerate() {
            f.insert(format!("work_ssyk_{i}"), json!(w.ssyk_code));
            f.insert(format!("work_occupation_{i}"), json!(w.occupation));
            f.insert(format!("work_years_{i}"), json!(w.years.to_string()));
        }
        stored_rows = d.work_experience.len();
        f.insert("education_level".into(), json!(d.education_level.as_str()));
        f.insert("education_text".into(), json!(d.education_text));
        f.insert(
            "swedish_level".into(),
            json!(d.swedish_level.map(|s| s.as_str())),
        );
        for (area, b) in [
            ("childcare", &d.childcare),
            ("housing", &d.housing),
            ("economy", &d.economy),
            ("health", &a.health),
        ] {
            if let Some(b) = b {
                f.insert(format!("{area}_level"), json!(b.level.as_str()));
                f.insert(format!("{area}_note"), json!(b.note));
            }
        }
        f.insert("own_goals".into(), json!(d.own_goals));
        f.insert("free_text".into(), json!(d.free_text));
    }
    let mut errors = Map::new();
    let mut error_list: Vec<Value> = Vec::new();
    if let Some((values, e)) = failed {
        f = values
            .into_iter()
            .filter(|(k, _)| k != "csrf")
            .map(|(k, v)| (k, json!(v)))
            .collect();
        stored_rows = (0..MAX_WORK_ENTRIES + EXTRA_ROWS)
            .filter(|i| {
                ["ssyk", "occupation", "years"]
                    .iter()
                    .any(|p| f.get(&format!("work_{p}_{i}")).is_some())
            })
            .map(|i| i + 1)
            .max()
            .unwrap_or(0);
        for fe in &e.0 {
            errors
                .entry(fe.field.clone())
                .or_insert(json!(fe.code.clone()));
        }
        error_list = e
            .0
            .iter()
            .map(|fe| json!({"field": fe.field, "code": fe.code, "label": label(user.lang, &fe.field)}))
            .collect();
    }
    let rows: Vec<usize> = (0..(stored_rows + EXTRA_ROWS).min(MAX_WORK_ENTRIES)).collect();
    ctx.insert("rows".into(), json!(rows));
    ctx.insert("f".into(), Value::Object(f));
    ctx.insert("errors".into(), Value::Object(errors));
    ctx.insert("error_list".into(), json!(error_list));
    ctx.insert(
        "versions".into(),
        json!(versions
            .iter()
            .map(|v| json!({"version": v.version, "by": v.created_by_username, "at": date_time(v.created_at)}))
            .collect::<Vec<_>>()),
    );
    render(&state.templates, "assessments/assessment.html", ctx, status)
}

async fn show(
    State(state): State<AppState>,
    user: UiUser,
    PageId(id): PageId,
    Query(q): Query<HashMap<String, String>>,
) -> Response {
    let flash = q.contains_key("sparad").then_some("assessment-saved");
    page(&state, &user, id, None, flash, StatusCode::OK).await
}

async fn save(
    State(state): State<AppState>,
    user: UiUser,
    PageId(id): PageId,
    CsrfForm(form): CsrfForm<HashMap<String, String>>,
) -> Response {
    let (input, rows) = input_from(&form);
    match state.store.create_assessment(&user.ctx, id, &input).await {
        Ok(_) => Redirect::to(&format!("/deltagare/{id}/kartlaggning?sparad=1")).into_response(),
        Err(StoreError::Validation(e)) => {
            let e = form_errors(&e, &rows);
            page(
                &state,
                &user,
                id,
                Some((form, e)),
                None,
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await
        }
        Err(e) => user_error_page(&user, e.into()),
    }
}
