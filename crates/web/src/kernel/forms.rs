//! What the HTML forms share: typed values read back from the form and the
//! error summary with inline errors in a page's context.

use crate::kernel::error::Problem;
use crate::kernel::session::{csrf_matches, UiUser};
use crate::AppState;
use axum::body::{Body, Bytes};
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::response::{IntoResponse, Response};
use axum_extra::extract::Form;
use serde::de::DeserializeOwned;
use serde::Deserialize;
use serde_json::{json, Map, Value};
use vagar_domain::ValidationErrors;
use vagar_store::StoreError;

/// A form posted by a logged-in user, its CSRF token checked: the only way a
/// page handler reads a form, so none can forget the check. Without a session
/// it sends to the login page (as [`UiUser`]); a body that is no such form is
/// refused as `axum_extra`'s `Form` refuses it; a missing or wrong `csrf` field gives
/// the 403 page. `T` need not (and should not) have a `csrf` field.
pub(crate) struct CsrfForm<T>(pub T);

/// A form with nothing in it but its token (a button).
#[derive(Deserialize)]
pub(crate) struct NoFields {}

#[derive(Deserialize)]
struct CsrfField {
    #[serde(default)]
    csrf: String,
}

impl<T: DeserializeOwned + Send> FromRequest<AppState> for CsrfForm<T> {
    type Rejection = Response;

    async fn from_request(req: Request, state: &AppState) -> Result<Self, Response> {
        let (mut parts, body) = req.into_parts();
        let user = UiUser::from_request_parts(&mut parts, state).await?;
        let bytes = Bytes::from_request(Request::from_parts(parts.clone(), body), state)
            .await
            .map_err(IntoResponse::into_response)?;
        let req = Request::from_parts(parts.clone(), Body::from(bytes.clone()));
        let Form(form) = Form::<T>::from_request(req, state)
            .await
            .map_err(IntoResponse::into_response)?;
        let req = Request::from_parts(parts, Body::from(bytes));
        let sent = Form::<CsrfField>::from_request(req, state)
            .await
            .map(|Form(f)| f.csrf)
            .unwrap_or_default();
        if !csrf_matches(&sent, &user.session.csrf_token) {
            return Err(crate::ui::user_error_page(&user, Problem::forbidden()));
        }
        Ok(CsrfForm(form))
    }
}

pub(crate) use crate::kernel::params::{merge_missing, with_rules};
pub(crate) use crate::participants::ui::parse_id;

/// A form value trimmed; empty is none.
pub(crate) fn blank(v: &Option<String>) -> Option<String> {
    v.as_ref()
        .map(|s| s.trim().to_string())
        .filter(|s| !s.is_empty())
}

/// A whole number typed into a form; empty is none, anything else is named
/// with `code`.
pub(crate) fn whole_number(
    e: &mut ValidationErrors,
    field: &str,
    v: &Option<String>,
    code: &str,
) -> Option<i64> {
    let v = blank(v)?;
    match v.parse::<i64>() {
        Ok(n) => Some(n),
        Err(_) => {
            e.add(field, code, format!("{field} must be a whole number"));
            None
        }
    }
}

/// A whole number typed into a form, named `out_of_range` when it is not one.
pub(crate) fn number(e: &mut ValidationErrors, field: &str, v: &Option<String>) -> Option<i64> {
    whole_number(e, field, v, "out_of_range")
}

/// `errors` (the first code per field, for inline messages) and
/// `error_list` (field and code in order, for the summary) in `ctx`.
pub(crate) fn errors_context(ctx: &mut Map<String, Value>, errors: &ValidationErrors) {
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

/// The form that failed, the values typed into it, whether the record had
/// changed under it (`stale`) and its errors, in `ctx`.
pub(crate) fn failed_context(
    ctx: &mut Map<String, Value>,
    form: Option<&str>,
    values: Value,
    stale: bool,
    errors: &ValidationErrors,
) {
    ctx.insert("failed_form".into(), json!(form));
    ctx.insert("values".into(), values);
    ctx.insert("stale".into(), json!(stale));
    errors_context(ctx, errors);
}

/// A form that failed: which one (`form`, a page may have several), the
/// values typed into it, its errors and whether the record had changed under
/// it (`stale`).
#[derive(Debug, Default)]
pub(crate) struct Failed {
    pub form: String,
    pub values: Value,
    pub errors: ValidationErrors,
    pub stale: bool,
}

impl Failed {
    pub(crate) fn new(form: impl Into<String>, values: Value, errors: ValidationErrors) -> Self {
        Failed {
            form: form.into(),
            values,
            errors,
            stale: false,
        }
    }
}

/// [`failed_context`] for a page that may show a failed form (none: no
/// errors, no values).
pub(crate) fn put_failed(ctx: &mut Map<String, Value>, failed: Option<Failed>) {
    match failed {
        Some(f) => failed_context(ctx, Some(&f.form), f.values, f.stale, &f.errors),
        None => failed_context(ctx, None, json!({}), false, &ValidationErrors::new()),
    }
}

/// The first error code per field, for inline messages.
pub(crate) fn errors_map(e: &ValidationErrors) -> Value {
    let mut m = Map::new();
    for fe in &e.0 {
        m.entry(fe.field.clone()).or_insert_with(|| json!(fe.code));
    }
    Value::Object(m)
}

/// A refused change as inline errors, or `true` for a stale version; any
/// other error stays an error.
pub(crate) fn refusal_errors(e: StoreError) -> Result<(ValidationErrors, bool), StoreError> {
    match e {
        StoreError::Validation(v) => Ok((v, false)),
        StoreError::Conflict { field, message } => {
            let mut v = ValidationErrors::new();
            v.add(&field, "conflict", message);
            Ok((v, false))
        }
        StoreError::StaleVersion => Ok((ValidationErrors::new(), true)),
        other => Err(other),
    }
}

/// [`refusal_errors`] for a form without a version: a stale record stays an
/// error.
pub(crate) fn unversioned_refusal(e: StoreError) -> Result<ValidationErrors, StoreError> {
    match refusal_errors(e)? {
        (v, false) => Ok(v),
        (_, true) => Err(StoreError::StaleVersion),
    }
}
