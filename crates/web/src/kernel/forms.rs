//! What the HTML forms share: typed values read back from the form and the
//! error summary with inline errors in a page's context.

use serde_json::{json, Map, Value};
use vagar_domain::ValidationErrors;
use vagar_store::StoreError;

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
