//! Field-level validation errors shared by the API (problem+json) and the forms
//! (inline messages). `code` is stable and translated by the UI; `message` is
//! English for the API and never contains the rejected value, since that value
//! may be an identity number.

use chrono::{Datelike, NaiveDate};
use serde::Serialize;
use std::ops::RangeInclusive;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct FieldError {
    /// The JSON field name, e.g. `identity_number`.
    pub field: String,
    /// Stable machine code, e.g. `checksum`, `required`, `too_long`.
    pub code: String,
    pub message: String,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ValidationErrors(pub Vec<FieldError>);

impl ValidationErrors {
    pub fn new() -> Self {
        Self::default()
    }
    pub fn add(&mut self, field: &str, code: &str, message: impl Into<String>) {
        self.0.push(FieldError {
            field: field.to_string(),
            code: code.to_string(),
            message: message.into(),
        });
    }
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
    pub fn for_field(&self, field: &str) -> Option<&FieldError> {
        self.0.iter().find(|e| e.field == field)
    }
    /// `Ok(value)` when no error was collected.
    pub fn into_result<T>(self, value: T) -> Result<T, ValidationErrors> {
        if self.0.is_empty() {
            Ok(value)
        } else {
            Err(self)
        }
    }
}

impl std::fmt::Display for ValidationErrors {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let parts: Vec<String> = self
            .0
            .iter()
            .map(|e| format!("{}: {}", e.field, e.message))
            .collect();
        f.write_str(&parts.join("; "))
    }
}

impl std::error::Error for ValidationErrors {}

/// Trimmed text with a length limit; `None` when blank.
pub fn optional_text(
    errors: &mut ValidationErrors,
    field: &str,
    value: Option<&str>,
    max_chars: usize,
) -> Option<String> {
    let v = value.map(str::trim).filter(|v| !v.is_empty())?;
    if v.chars().count() > max_chars {
        errors.add(
            field,
            "too_long",
            format!("{field} must be at most {max_chars} characters"),
        );
        return None;
    }
    if v.chars().any(|c| c.is_control()) {
        errors.add(
            field,
            "invalid",
            format!("{field} contains control characters"),
        );
        return None;
    }
    Some(v.to_string())
}

/// Trimmed, non-blank text with a length limit.
pub fn required_text(
    errors: &mut ValidationErrors,
    field: &str,
    value: Option<&str>,
    max_chars: usize,
) -> String {
    match value.map(str::trim) {
        None | Some("") => {
            errors.add(field, "required", format!("{field} is required"));
            String::new()
        }
        Some(_) => optional_text(errors, field, value, max_chars).unwrap_or_default(),
    }
}

/// A closed list of codes (every `code_enum!`), so a field can be read as
/// one of them by [`choice`].
pub trait Code: Copy + 'static {
    /// Every code, in the list's order.
    const CODES: &'static [&'static str];
    fn from_code(code: &str) -> Option<Self>;
}

/// A code from a closed list, trimmed. Blank is `None`, and when `required`
/// a `required` error naming the list; an unknown code is `invalid_choice`
/// naming the list.
pub fn choice<T: Code>(
    errors: &mut ValidationErrors,
    field: &str,
    value: Option<&str>,
    required: bool,
) -> Option<T> {
    let all = T::CODES.join(", ");
    let Some(v) = value.map(str::trim).filter(|v| !v.is_empty()) else {
        if required {
            errors.add(field, "required", format!("{field} is required: {all}"));
        }
        return None;
    };
    let parsed = T::from_code(v);
    if parsed.is_none() {
        errors.add(
            field,
            "invalid_choice",
            format!("{field} must be one of: {all}"),
        );
    }
    parsed
}

/// Codes from a closed list, sorted, each once. An unknown code is
/// `invalid_choice` (`{field} {among}: a, b, c`, naming the list) and ends
/// the list there: the codes before it are kept.
pub fn code_list<'a, T: Code + Ord>(
    errors: &mut ValidationErrors,
    field: &str,
    values: impl IntoIterator<Item = &'a str>,
    among: &str,
) -> Vec<T> {
    let mut out = Vec::new();
    for v in values {
        match T::from_code(v.trim()) {
            Some(c) => out.push(c),
            None => {
                errors.add(
                    field,
                    "invalid_choice",
                    format!("{field} {among}: {}", T::CODES.join(", ")),
                );
                break;
            }
        }
    }
    out.sort();
    out.dedup();
    out
}

/// The codes of some values of a list, e.g. to name the groups a rule allows.
pub fn codes<T: Copy>(values: &[T], as_str: fn(T) -> &'static str) -> Vec<&'static str> {
    values.iter().map(|v| as_str(*v)).collect()
}

/// A whole number from `min` to `max`; `None` when not given. Out of range
/// is `out_of_range` (and `None`).
pub fn optional_int(
    errors: &mut ValidationErrors,
    field: &str,
    value: Option<i64>,
    min: i64,
    max: i64,
) -> Option<i64> {
    let v = value?;
    if !(min..=max).contains(&v) {
        errors.add(
            field,
            "out_of_range",
            format!("{field} must be from {min} to {max}"),
        );
        return None;
    }
    Some(v)
}

/// A required whole number from `min` to `max`; 0 (with the error) when it
/// is missing or out of range.
pub fn required_int(
    errors: &mut ValidationErrors,
    field: &str,
    value: Option<i64>,
    min: i64,
    max: i64,
) -> i64 {
    if value.is_none() {
        errors.add(field, "required", format!("{field} is required"));
    }
    optional_int(errors, field, value, min, max).unwrap_or(0)
}

/// How a feature reads its date fields (`YYYY-MM-DD`): the years it accepts
/// (an earlier or later year is a typing mistake) and the wording of the
/// `invalid_date` message, `{field} {wording}`, as each feature has always
/// answered it.
#[derive(Debug, Clone)]
pub struct Dates {
    pub years: RangeInclusive<i32>,
    pub wording: &'static str,
}

/// Any year a date can have.
pub const ANY_YEAR: RangeInclusive<i32> = i32::MIN..=i32::MAX;

/// Dates of the registers (employers, needs, steering groups): 2000–2100.
pub const REGISTER_DATES: Dates = Dates {
    years: 2000..=2100,
    wording: "must be a date YYYY-MM-DD between 2000 and 2100",
};

/// Plain dates of the work models' records (any year).
pub const ISO_DATES: Dates = Dates {
    years: ANY_YEAR,
    wording: "must be a date YYYY-MM-DD",
};

impl Dates {
    /// A date given as text, trimmed (blank is not a date): `invalid_date`
    /// when it is not one, or not in the accepted years.
    pub fn parse(
        &self,
        errors: &mut ValidationErrors,
        field: &str,
        text: &str,
    ) -> Option<NaiveDate> {
        match NaiveDate::parse_from_str(text.trim(), "%Y-%m-%d") {
            Ok(d) if self.years.contains(&d.year()) => Some(d),
            _ => {
                errors.add(field, "invalid_date", format!("{field} {}", self.wording));
                None
            }
        }
    }

    /// An optional date: blank is `None`.
    pub fn optional(
        &self,
        errors: &mut ValidationErrors,
        field: &str,
        value: Option<&str>,
    ) -> Option<NaiveDate> {
        let v = value.map(str::trim).filter(|v| !v.is_empty())?;
        self.parse(errors, field, v)
    }

    /// A required date: blank is `required`.
    pub fn required(
        &self,
        errors: &mut ValidationErrors,
        field: &str,
        value: Option<&str>,
    ) -> Option<NaiveDate> {
        if value.is_none_or(|v| v.trim().is_empty()) {
            errors.add(field, "required", format!("{field} is required"));
            return None;
        }
        self.optional(errors, field, value)
    }

    /// Required or optional as `required` says.
    pub fn read(
        &self,
        errors: &mut ValidationErrors,
        field: &str,
        value: Option<&str>,
        required: bool,
    ) -> Option<NaiveDate> {
        if required {
            self.required(errors, field, value)
        } else {
            self.optional(errors, field, value)
        }
    }
}
