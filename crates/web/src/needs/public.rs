//! `/arbetsgivare`: the public page where an employer states a competence
//! need without logging in. The need lands untriaged in the coordinators'
//! queue; the employer is found or registered by organisation number.
//!
//! Defences, since anyone can post here: a double-submit CSRF token (there
//! is no session), size limits on every field (and the global body limit),
//! at most `PUBLIC_FORM_LIMIT` submissions per client address and hour (429
//! with a clear page), and a honeypot field people never see: a bot that
//! fills it gets the same thank-you page, and nothing is stored.

use crate::auth::ui::{ClientAddr, Secure};
use crate::kernel::i18n::Lang;
use crate::kernel::session::{cookie, csrf_matches, PageLang};
use crate::ui::{base_context, error_page, render};
use crate::AppState;
use axum::extract::State;
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use axum_extra::extract::cookie::CookieJar;
use axum_extra::extract::Form;
use serde::{Deserialize, Serialize};
use serde_json::{json, Map, Value};
use vagar_domain::needs::{NeedForm, PublicNeedData, PublicNeedInput};
use vagar_domain::participants::SwedishLevel;
use vagar_domain::ValidationErrors;
use vagar_store::auth::{random_token, sha256_hex};
use vagar_store::StoreError;

/// The double-submit CSRF cookie of the public form.
pub const PUBLIC_CSRF_COOKIE: &str = "vagar_public_csrf";

pub fn router() -> Router<AppState> {
    Router::new().route("/arbetsgivare", get(page).post(submit))
}

#[derive(Debug, Default, Deserialize, Serialize, Clone)]
struct PublicForm {
    #[serde(default)]
    csrf: String,
    organisation_number: Option<String>,
    employer_name: Option<String>,
    contact_name: Option<String>,
    contact_email: Option<String>,
    contact_phone: Option<String>,
    occupation: Option<String>,
    positions: Option<String>,
    start_date: Option<String>,
    description: Option<String>,
    #[serde(default)]
    forms: Vec<String>,
    swedish_level: Option<String>,
    /// The honeypot: hidden from people, filled by bots.
    #[serde(default)]
    website: String,
}

fn form_page(
    state: &AppState,
    lang: Lang,
    csrf: &str,
    values: Value,
    errors: &ValidationErrors,
    message: Option<&str>,
    status: StatusCode,
) -> Response {
    let mut ctx = base_context(lang, None, "/arbetsgivare", "employer-form");
    ctx.insert("csrf".into(), json!(csrf));
    ctx.insert("values".into(), values);
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
    ctx.insert("message".into(), json!(message));
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
    render(&state.templates, "needs/public.html", ctx, status)
}

fn fresh_token(jar: &CookieJar) -> String {
    jar.get(PUBLIC_CSRF_COOKIE)
        .map(|c| c.value().to_string())
        .filter(|v| v.len() >= 32)
        .unwrap_or_else(|| random_token(32))
}

async fn page(
    State(state): State<AppState>,
    PageLang(lang): PageLang,
    Secure(secure): Secure,
    jar: CookieJar,
) -> Response {
    let token = fresh_token(&jar);
    let jar = jar.add(cookie(PUBLIC_CSRF_COOKIE, token.clone(), secure));
    let values = json!({"positions": "1"});
    (
        jar,
        form_page(
            &state,
            lang,
            &token,
            values,
            &ValidationErrors::new(),
            None,
            StatusCode::OK,
        ),
    )
        .into_response()
}

fn thanks(state: &AppState, lang: Lang, reference: &str) -> Response {
    let mut ctx = base_context(lang, None, "/arbetsgivare", "employer-form");
    ctx.insert("reference".into(), json!(reference));
    render(
        &state.templates,
        "needs/public_thanks.html",
        ctx,
        StatusCode::OK,
    )
}

async fn submit(
    State(state): State<AppState>,
    PageLang(lang): PageLang,
    Secure(secure): Secure,
    ClientAddr(client): ClientAddr,
    jar: CookieJar,
    Form(form): Form<PublicForm>,
) -> Response {
    let expected = jar
        .get(PUBLIC_CSRF_COOKIE)
        .map(|c| c.value().to_string())
        .unwrap_or_default();
    let token = fresh_token(&jar);
    let jar = jar.add(cookie(PUBLIC_CSRF_COOKIE, token.clone(), secure));
    let mut values = json!(form);
    values["csrf"] = json!(null);
    values["website"] = json!(null);
    if !csrf_matches(&form.csrf, &expected) {
        return (
            jar,
            form_page(
                &state,
                lang,
                &token,
                values,
                &ValidationErrors::new(),
                Some("public-need-csrf"),
                StatusCode::FORBIDDEN,
            ),
        )
            .into_response();
    }
    let now = state.clock.now();
    // The address is hashed: the counter need not hold who posted.
    let client_key = sha256_hex(&format!("public-need:{client}"));
    match state.store.public_form_blocked(&client_key, now).await {
        Ok(Some(retry)) => {
            let mut res = form_page(
                &state,
                lang,
                &token,
                values,
                &ValidationErrors::new(),
                Some("public-need-throttled"),
                StatusCode::TOO_MANY_REQUESTS,
            );
            if let Ok(v) = retry.to_string().parse() {
                res.headers_mut().insert(header::RETRY_AFTER, v);
            }
            return (jar, res).into_response();
        }
        Ok(None) => {}
        Err(e) => return error_page(lang, e.into()),
    }
    if !form.website.is_empty() {
        tracing::info!("public need form: honeypot filled; nothing stored");
        if let Err(e) = state.store.record_public_submission(&client_key, now).await {
            return error_page(lang, e.into());
        }
        // The same page a person gets, with a reference that names nothing.
        let fake = vagar_domain::needs::reference(random_token(8).as_bytes());
        return (jar, thanks(&state, lang, &fake)).into_response();
    }
    let input = PublicNeedInput {
        organisation_number: form.organisation_number.clone(),
        employer_name: form.employer_name.clone(),
        contact_name: form.contact_name.clone(),
        contact_email: form.contact_email.clone(),
        contact_phone: form.contact_phone.clone(),
        occupation: form.occupation.clone(),
        positions: form.positions.clone(),
        start_date: form.start_date.clone(),
        description: form.description.clone(),
        forms: form.forms.clone(),
        swedish_level: form.swedish_level.clone(),
    };
    let result = match PublicNeedData::from_input(&input) {
        Ok(data) => state.store.submit_public_need(now, &data).await,
        Err(e) => Err(StoreError::Validation(e)),
    };
    match result {
        Ok(reference) => {
            if let Err(e) = state.store.record_public_submission(&client_key, now).await {
                return error_page(lang, e.into());
            }
            (jar, thanks(&state, lang, &reference)).into_response()
        }
        Err(StoreError::Validation(errors)) => {
            let mut values = values;
            super::offer_choices(&state, &mut values, &errors).await;
            let status = StatusCode::UNPROCESSABLE_ENTITY;
            (
                jar,
                form_page(&state, lang, &token, values, &errors, None, status),
            )
                .into_response()
        }
        Err(e) => error_page(lang, e.into()),
    }
}
