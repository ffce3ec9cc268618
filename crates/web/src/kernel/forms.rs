//! What the HTML forms share: typed values read back from the form and the
//! error summary with inline errors in a page's context.

use crate::kernel::error::Problem;
use crate::kernel::session::{csrf_matches, UiUser};
use crate::AppState;
use axum::body::{Body, Bytes};
use axum::extract::{FromRequest, FromRequestParts, Path, Request};
use axum::http::request::Parts;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum_extra::extract::Form;
use serde::de::DeserializeOwned;
use serde::Deserialize;
use serde_json::{json, Map, Value};
use std::future::Future;
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

    /// The form `form` again with one error on `field`.
    pub(crate) fn one(form: &str, values: Value, field: &str, code: &str) -> Self {
        let mut e = ValidationErrors::new();
        e.add(field, code, "");
        Failed::new(form, values, e)
    }

    /// A refused change as the form again, with the status the page answers
    /// with: 409 when the record changed under the form, else 422. Any other
    /// error stays an error.
    pub(crate) fn refused(
        form: &str,
        values: Value,
        e: StoreError,
    ) -> Result<(Failed, StatusCode), StoreError> {
        let (errors, stale) = refusal_errors(e)?;
        let status = if stale {
            StatusCode::CONFLICT
        } else {
            StatusCode::UNPROCESSABLE_ENTITY
        };
        Ok((
            Failed {
                stale,
                ..Failed::new(form, values, errors)
            },
            status,
        ))
    }
}

/// What a refused form post answers: `page` again with the typed values and
/// the errors (see [`Failed::refused`]), or the error page for any other
/// error. `page` is the page's own renderer with the failed form and status.
pub(crate) async fn again<F, Fut>(
    user: &UiUser,
    form: &str,
    values: Value,
    e: StoreError,
    page: F,
) -> Response
where
    F: FnOnce(Option<Failed>, StatusCode) -> Fut,
    Fut: Future<Output = Response>,
{
    match Failed::refused(form, values, e) {
        Ok((failed, status)) => page(Some(failed), status).await,
        Err(e) => crate::ui::user_error_page(user, e.into()),
    }
}

/// `page` again with `errors` on the form `form` (422): the form's own checks
/// failed before the store was asked.
pub(crate) async fn invalid<F, Fut>(
    form: &str,
    values: Value,
    errors: ValidationErrors,
    page: F,
) -> Response
where
    F: FnOnce(Option<Failed>, StatusCode) -> Fut,
    Fut: Future<Output = Response>,
{
    page(
        Some(Failed::new(form, values, errors)),
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await
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

/// The `{id}` of a page's path, a positive whole number; anything else gives
/// the 404 page (after the session check, so a stranger still meets the login
/// page first). For a route with one path parameter.
pub(crate) struct PageId(pub i64);

impl FromRequestParts<AppState> for PageId {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Response> {
        let raw = Path::<String>::from_request_parts(parts, state).await;
        match raw.ok().and_then(|Path(s)| parse_id(&s)) {
            Some(id) => Ok(PageId(id)),
            None => {
                let user = UiUser::from_request_parts(parts, state).await?;
                Err(crate::ui::user_error_page(&user, Problem::not_found()))
            }
        }
    }
}
