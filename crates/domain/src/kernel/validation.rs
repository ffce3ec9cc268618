//! Field-level validation errors shared by the API (problem+json) and the forms
//! (inline messages). `code` is stable and translated by the UI; `message` is
//! English for the API and never contains the rejected value, since that value
//! may be an identity number.

use serde::Serialize;

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
