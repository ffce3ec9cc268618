//! The competence pages: `/deltagare/{id}/kompetens` (the participant's
//! competence profile, and a form that saves it whole) and `/kompetenssok`
//! (the pseudonymous competence search). Both go through the same store
//! functions as the API, so access and audit are the same. Works without
//! JavaScript: occupation, skill and language inputs take text that the
//! server resolves; `data-autocomplete` marks them for the script.
//!
//! Repeatable rows are numbered fields (`exp_occupation_{i}`, `skill_{i}`,
//! `lang_{i}` …); every row is handed to the domain, which skips blank ones,
//! so an error at `experiences[i]` belongs to row `i`.

use crate::kernel::error::Problem;
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
use vagar_domain::competence::{
    ExperienceInput, LanguageInput, LanguageLevel, ProfileInput, ValidationStatus, MAX_EXPERIENCES,
    MAX_LANGUAGES, MAX_SKILLS, MAX_WISHES,
};
use vagar_domain::participants::{SwedishLevel, LICENCE_CLASSES};
use vagar_domain::ValidationErrors;
use vagar_store::competence::SearchInput;
use vagar_store::StoreError;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/deltagare/{id}/kompetens", get(show).post(save))
        .route("/kompetenssok", get(search_page).post(search_submit))
}

/// Empty rows offered below the stored ones.
const EXTRA_ROWS: usize = 3;

fn field(form: &HashMap<String, String>, key: &str) -> Option<String> {
    form.get(key)
        .map(|s| s.trim().to_string())
        .filter(|s| !s.is_empty())
}

fn codes<T: Copy>(all: &[T], f: fn(T) -> &'static str) -> Vec<&'static str> {
    all.iter().map(|v| f(*v)).collect()
}

fn rows_in(form: &HashMap<String, String>, prefixes: &[&str], max: usize) -> usize {
    (0..max)
        .filter(|i| {
            prefixes
                .iter()
                .any(|p| form.contains_key(&format!("{p}{i}")))
        })
        .map(|i| i + 1)
        .max()
        .unwrap_or(0)
}

fn input_from(form: &HashMap<String, String>) -> Result<(i64, ProfileInput), ValidationErrors> {
    let mut e = ValidationErrors::new();
    let version = field(form, "version")
        .and_then(|v| v.parse::<i64>().ok())
        .unwrap_or(0);
    let mut experiences = Vec::new();
    for i in 0..rows_in(form, &["exp_occupation_", "exp_years_"], MAX_EXPERIENCES) {
        let years = match field(form, &format!("exp_years_{i}")) {
            None => None,
            Some(y) => match y.parse::<i64>() {
                Ok(v) => Some(v),
                Err(_) => {
                    e.add(&format!("exp_years_{i}"), "years_range", "years");
                    None
                }
            },
        };
        experiences.push(ExperienceInput {
            occupation: field(form, &format!("exp_occupation_{i}")),
            years,
        });
    }
    let list = |prefix: &str, max: usize| -> Vec<String> {
        (0..rows_in(form, &[prefix], max))
            .map(|i| field(form, &format!("{prefix}{i}")).unwrap_or_default())
            .collect()
    };
    let languages = (0..rows_in(form, &["lang_", "lang_level_"], MAX_LANGUAGES))
        .map(|i| LanguageInput {
            language: field(form, &format!("lang_{i}")),
            level: field(form, &format!("lang_level_{i}"))
                .filter(|_| field(form, &format!("lang_{i}")).is_some()),
        })
        .collect();
    let input = ProfileInput {
        experiences,
        education_level: field(form, "education_level"),
        education_field: field(form, "education_field"),
        foreign_education: Some(form.get("foreign_education").is_some_and(|v| v == "yes")),
        foreign_validation: field(form, "foreign_validation"),
        skills: list("skill_", MAX_SKILLS),
        languages,
        swedish_level: field(form, "swedish_level"),
        driving_licences: LICENCE_CLASSES
            .iter()
            .filter(|c| form.contains_key(&format!("licence_{c}")))
            .map(|c| c.to_string())
            .collect(),
        certificates: form
            .get("certificates")
            .map(|s| s.lines().map(str::to_string).collect())
            .unwrap_or_default(),
        wished_occupations: list("wish_", MAX_WISHES),
    };
    e.into_result((version, input))
}

/// Store field names as the form's (`experiences[1].years` → `exp_years_1`).
fn form_field(field: &str) -> String {
    let indexed = |prefix: &str| -> Option<(String, String)> {
        let rest = field.strip_prefix(prefix)?;
        let (n, part) = rest.split_once(']')?;
        Some((n.to_string(), part.trim_start_matches('.').to_string()))
    };
    if let Some((n, part)) = indexed("experiences[") {
        return format!(
            "exp_{}_{n}",
            if part == "years" {
                "years"
            } else {
                "occupation"
            }
        );
    }
    if let Some((n, part)) = indexed("languages[") {
        return if part == "level" {
            format!("lang_level_{n}")
        } else {
            format!("lang_{n}")
        };
    }
    if let Some((n, _)) = indexed("skills[") {
        return format!("skill_{n}");
    }
    if let Some((n, _)) = indexed("wished_occupations[") {
        return format!("wish_{n}");
    }
    match field {
        "experiences" => "exp_occupation_0".into(),
        "skills" => "skill_0".into(),
        "languages" => "lang_0".into(),
        "wished_occupations" => "wish_0".into(),
        f if f.starts_with("certificates") => "certificates".into(),
        "driving_licences" => "licence_B".into(),
        other => other.to_string(),
    }
}

/// A form field's label for the error summary (`exp_years_1` → "År (2)").
fn label(lang: crate::kernel::i18n::Lang, field: &str) -> String {
    for (prefix, key) in [
        ("exp_occupation_", "competence-occupation"),
        ("exp_years_", "competence-years"),
        ("skill_", "competence-skill"),
        ("lang_level_", "competence-language-level"),
        ("lang_", "competence-language"),
        ("wish_", "competence-wish"),
    ] {
        if let Some(n) = field
            .strip_prefix(prefix)
            .and_then(|n| n.parse::<usize>().ok())
        {
            return format!("{} ({})", t(lang, key, &[]), n + 1);
        }
    }
    match field {
        "licence_B" => t(lang, "competence-licences", &[]),
        "swedish_level" => t(lang, "field-swedish_level", &[]),
        other => t(
            lang,
            &format!("competence-{}", other.replace('_', "-")),
            &[],
        ),
    }
}

fn errors_context(
    lang: crate::kernel::i18n::Lang,
    e: &ValidationErrors,
    ctx: &mut Map<String, Value>,
) {
    let mut errors = Map::new();
    for fe in &e.0 {
        errors
            .entry(fe.field.clone())
            .or_insert(json!(fe.code.clone()));
    }
    let list: Vec<Value> =
        e.0.iter()
            .map(|fe| json!({"field": fe.field, "code": fe.code, "label": label(lang, &fe.field)}))
            .collect();
    ctx.insert("errors".into(), Value::Object(errors));
    ctx.insert("error_list".into(), json!(list));
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
    let view = match state.store.read_competence(&user.ctx, id).await {
        Ok(v) => v,
        Err(e) => return user_error_page(user, e.into()),
    };
    let mut ctx = base_context(
        user.lang,
        Some(user),
        &format!("/deltagare/{id}/kompetens"),
        "participants",
    );
    let name = format!("{} {}", p.data.first_name, p.data.last_name);
    ctx.insert("p".into(), json!({"id": id, "name": name}));
    ctx.insert("may_update".into(), json!(view.may_update));
    ctx.insert("flash".into(), json!(flash));
    ctx.insert(
        "swedish_levels".into(),
        json!(codes(SwedishLevel::ALL, SwedishLevel::as_str)),
    );
    ctx.insert(
        "language_levels".into(),
        json!(codes(LanguageLevel::ALL, LanguageLevel::as_str)),
    );
    ctx.insert(
        "validation_statuses".into(),
        json!(codes(ValidationStatus::ALL, ValidationStatus::as_str)),
    );
    ctx.insert("licence_classes".into(), json!(LICENCE_CLASSES));
    let sun_levels = state
        .store
        .classification("sun_level")
        .await
        .unwrap_or_default();
    ctx.insert(
        "sun_levels".into(),
        json!(sun_levels
            .iter()
            .map(|c| json!({"code": c.code, "label": c.label}))
            .collect::<Vec<_>>()),
    );

    let mut f: Map<String, Value> = Map::new();
    let (mut n_exp, mut n_skill, mut n_lang, mut n_wish) = (0, 0, 0, 0);
    if let Some(pr) = &view.profile {
        let d = &pr.data;
        ctx.insert(
            "profile".into(),
            json!({
                "code": pr.profile_code, "version": pr.version, "by": pr.updated_by_username,
                "at": pr.updated_at.format("%Y-%m-%d %H:%M").to_string(),
                "shortage": pr.shortage_occupations,
                "experiences": d.experiences.iter().map(|x| json!({"label": x.occupation.label,
                    "ssyk": x.occupation.ssyk_code, "years": x.years})).collect::<Vec<_>>(),
                "skills": d.skills.iter().map(|s| s.label.clone()).collect::<Vec<_>>(),
                "languages": d.languages.iter().map(|l| json!({"label": l.language.label, "level": l.level.as_str()})).collect::<Vec<_>>(),
                "swedish_level": d.swedish_level.map(|s| s.as_str()),
                "licences": d.driving_licences.join(", "),
                "certificates": d.certificates.join(", "),
                "wishes": d.wished_occupations.iter().map(|o| o.label.clone()).collect::<Vec<_>>(),
                "education_level": d.education_level,
                "foreign_education": d.foreign_education,
                "foreign_validation": d.foreign_validation.map(|v| v.as_str()),
            }),
        );
        f.insert("version".into(), json!(pr.version.to_string()));
        for (i, x) in d.experiences.iter().enumerate() {
            f.insert(format!("exp_occupation_{i}"), json!(x.occupation.label));
            f.insert(format!("exp_years_{i}"), json!(x.years.to_string()));
        }
        for (i, s) in d.skills.iter().enumerate() {
            f.insert(format!("skill_{i}"), json!(s.label));
        }
        for (i, l) in d.languages.iter().enumerate() {
            f.insert(format!("lang_{i}"), json!(l.language.label));
            f.insert(format!("lang_level_{i}"), json!(l.level.as_str()));
        }
        for (i, o) in d.wished_occupations.iter().enumerate() {
            f.insert(format!("wish_{i}"), json!(o.label));
        }
        for c in &d.driving_licences {
            f.insert(format!("licence_{c}"), json!("on"));
        }
        f.insert("certificates".into(), json!(d.certificates.join("\n")));
        f.insert("education_level".into(), json!(d.education_level));
        f.insert("education_field".into(), json!(d.education_field));
        f.insert(
            "foreign_education".into(),
            json!(if d.foreign_education { "yes" } else { "no" }),
        );
        f.insert(
            "foreign_validation".into(),
            json!(d.foreign_validation.map(|v| v.as_str())),
        );
        f.insert(
            "swedish_level".into(),
            json!(d.swedish_level.map(|s| s.as_str())),
        );
        (n_exp, n_skill, n_lang, n_wish) = (
            d.experiences.len(),
            d.skills.len(),
            d.languages.len(),
            d.wished_occupations.len(),
        );
    } else {
        f.insert("version".into(), json!("0"));
    }
    ctx.insert("errors".into(), json!({}));
    ctx.insert("error_list".into(), json!([]));
    if let Some((values, e)) = failed {
        n_exp = rows_in(&values, &["exp_occupation_", "exp_years_"], MAX_EXPERIENCES);
        n_skill = rows_in(&values, &["skill_"], MAX_SKILLS);
        n_lang = rows_in(&values, &["lang_", "lang_level_"], MAX_LANGUAGES);
        n_wish = rows_in(&values, &["wish_"], MAX_WISHES);
        f = values
            .into_iter()
            .filter(|(k, _)| k != "csrf")
            .map(|(k, v)| (k, json!(v)))
            .collect();
        errors_context(user.lang, &e, &mut ctx);
    }
    let rows = |n: usize, max: usize| -> Vec<usize> { (0..(n + EXTRA_ROWS).min(max)).collect() };
    ctx.insert("exp_rows".into(), json!(rows(n_exp, MAX_EXPERIENCES)));
    ctx.insert("skill_rows".into(), json!(rows(n_skill, MAX_SKILLS)));
    ctx.insert("lang_rows".into(), json!(rows(n_lang, MAX_LANGUAGES)));
    ctx.insert("wish_rows".into(), json!(rows(n_wish, MAX_WISHES)));
    ctx.insert("f".into(), Value::Object(f));
    render(&state.templates, "competence/profile.html", ctx, status)
}

async fn show(
    State(state): State<AppState>,
    user: UiUser,
    PageId(id): PageId,
    Query(q): Query<HashMap<String, String>>,
) -> Response {
    let flash = q.contains_key("sparad").then_some("competence-saved");
    page(&state, &user, id, None, flash, StatusCode::OK).await
}

async fn save(
    State(state): State<AppState>,
    user: UiUser,
    PageId(id): PageId,
    CsrfForm(form): CsrfForm<HashMap<String, String>>,
) -> Response {
    let failed = |e: ValidationErrors| {
        let mut out = ValidationErrors::new();
        for fe in e.0 {
            out.add(&form_field(&fe.field), &fe.code, fe.message);
        }
        out
    };
    let result = match input_from(&form) {
        Err(e) => Err(StoreError::Validation(e)),
        Ok((version, input)) => {
            state
                .store
                .save_competence(&user.ctx, id, version, &input)
                .await
        }
    };
    match result {
        Ok(_) => Redirect::to(&format!("/deltagare/{id}/kompetens?sparad=1")).into_response(),
        Err(StoreError::Validation(e)) => {
            let e = failed(e);
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
        Err(StoreError::StaleVersion) => {
            let mut e = ValidationErrors::new();
            e.add("version", "stale", "version");
            page(
                &state,
                &user,
                id,
                Some((form, e)),
                None,
                StatusCode::CONFLICT,
            )
            .await
        }
        Err(e) => user_error_page(&user, e.into()),
    }
}

async fn search_view(
    state: &AppState,
    user: &UiUser,
    form: Option<HashMap<String, String>>,
) -> Response {
    let mut ctx = base_context(user.lang, Some(user), "/kompetenssok", "competence");
    let employers = state.store.competence_employers().await.unwrap_or_default();
    ctx.insert(
        "employers".into(),
        json!(employers
            .iter()
            .map(|(id, name)| json!({"id": id.to_string(), "name": name}))
            .collect::<Vec<_>>()),
    );
    ctx.insert(
        "swedish_levels".into(),
        json!(codes(SwedishLevel::ALL, SwedishLevel::as_str)),
    );
    ctx.insert(
        "districts".into(),
        json!(vagar_domain::geo::STOCKHOLM_DISTRICTS),
    );
    ctx.insert("licence_classes".into(), json!(LICENCE_CLASSES));
    ctx.insert("errors".into(), json!({}));
    ctx.insert("error_list".into(), json!([]));
    let mut status = StatusCode::OK;
    let mut f = Map::new();
    if let Some(form) = form {
        let input = SearchInput {
            occupation: field(&form, "occupation"),
            skills: field(&form, "skills")
                .map(|s| s.split(',').map(|x| x.trim().to_string()).collect())
                .unwrap_or_default(),
            skill_mode: field(&form, "skill_mode"),
            min_swedish_level: field(&form, "min_swedish_level"),
            district: field(&form, "district"),
            driving_licence: field(&form, "driving_licence"),
            employer_id: field(&form, "employer_id").and_then(|v| v.parse().ok()),
            limit: None,
        };
        match state.store.search_competence(&user.ctx, &input).await {
            Ok(r) => {
                ctx.insert("total".into(), json!(r.total));
                ctx.insert(
                    "hits".into(),
                    json!(r
                        .hits
                        .iter()
                        .map(|h| json!({
                            "code": h.profile_code, "name": h.name, "participant_id": h.participant_id,
                            "district": h.district, "swedish_level": h.swedish_level.map(|s| s.as_str()),
                            "experiences": h.experiences.iter().map(|x| format!("{} ({} år)", x.label, x.years)).collect::<Vec<_>>().join(", "),
                            "skills": h.skills.join(", "),
                            "languages": h.languages.iter().map(|(l, _)| l.clone()).collect::<Vec<_>>().join(", "),
                            "reasons": h.reasons, "shortage": h.shortage,
                        }))
                        .collect::<Vec<_>>()),
                );
            }
            Err(StoreError::Validation(e)) => {
                let mut out = ValidationErrors::new();
                for fe in e.0 {
                    let name = if fe.field.starts_with("skills") {
                        "skills".to_string()
                    } else {
                        fe.field.clone()
                    };
                    out.add(&name, &fe.code, fe.message);
                }
                errors_context(user.lang, &out, &mut ctx);
                status = StatusCode::UNPROCESSABLE_ENTITY;
            }
            Err(e) => return user_error_page(user, e.into()),
        }
        f = form
            .into_iter()
            .filter(|(k, _)| k != "csrf")
            .map(|(k, v)| (k, json!(v)))
            .collect();
    }
    ctx.insert("f".into(), Value::Object(f));
    render(&state.templates, "competence/search.html", ctx, status)
}

async fn search_page(State(state): State<AppState>, user: UiUser) -> Response {
    if !vagar_domain::access::global_allowed(
        &user.ctx.actor,
        vagar_domain::access::GlobalAction::CompetenceSearch,
    ) {
        return user_error_page(&user, Problem::forbidden());
    }
    search_view(&state, &user, None).await
}

async fn search_submit(
    State(state): State<AppState>,
    user: UiUser,
    CsrfForm(form): CsrfForm<HashMap<String, String>>,
) -> Response {
    search_view(&state, &user, Some(form)).await
}
