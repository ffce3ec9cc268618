//! Small helpers the API handlers share for ids in paths and queries,
//! merging shape and rule errors and answering 201 Created.

use axum::http::{header, StatusCode};
use axum::response::IntoResponse;
use axum::Json;
use chrono::NaiveDate;
use serde::Serialize;
use vagar_domain::ValidationErrors;

/// A positive id as typed in a path or a query; anything else is `None`.
pub fn positive_id(s: &str) -> Option<i64> {
    s.parse::<i64>().ok().filter(|v| *v > 0)
}

/// A positive id, or the field named as `invalid`.
pub fn checked_id(e: &mut ValidationErrors, field: &str, s: &str) -> Option<i64> {
    let id = positive_id(s);
    if id.is_none() {
        e.add(field, "invalid", format!("{field} must be a positive id"));
    }
    id
}

/// An optional id in a query: empty is absent, anything but a positive id
/// is named.
pub fn query_id(e: &mut ValidationErrors, field: &str, v: &Option<String>) -> Option<i64> {
    let s = v.as_deref().filter(|s| !s.is_empty())?;
    checked_id(e, field, s)
}

/// An optional date (YYYY-MM-DD) in a query: empty is absent, anything
/// else that is not a date is named.
pub fn query_date(e: &mut ValidationErrors, field: &str, v: &Option<String>) -> Option<NaiveDate> {
    let s = v.as_deref().filter(|s| !s.is_empty())?;
    let d = NaiveDate::parse_from_str(s, "%Y-%m-%d").ok();
    if d.is_none() {
        e.add(
            field,
            "invalid_date",
            format!("{field} must be a date YYYY-MM-DD"),
        );
    }
    d
}

/// Add the rules' errors for the fields `e` does not name yet, so that the
/// shape errors found first are kept and each field is named once.
pub fn merge_missing(e: &mut ValidationErrors, more: ValidationErrors) {
    for fe in more.0 {
        if e.for_field(&fe.field).is_none() {
            e.0.push(fe);
        }
    }
}

/// The rules' result with the shape errors found before them: the value
/// only when neither named a field, else both errors, shape errors first.
pub fn with_rules<T>(
    mut shape: ValidationErrors,
    rules: Result<T, ValidationErrors>,
) -> Result<T, ValidationErrors> {
    match rules {
        Ok(v) if shape.is_empty() => Ok(v),
        Ok(_) => Err(shape),
        Err(e) => {
            merge_missing(&mut shape, e);
            Err(shape)
        }
    }
}

/// 201 Created with the new resource's address and its body.
pub fn created<T: Serialize>(location: String, body: T) -> impl IntoResponse {
    (
        StatusCode::CREATED,
        [(header::LOCATION, location)],
        Json(body),
    )
}
