//! Reading JSON bodies so every problem names its field: malformed JSON (400),
//! wrong content type (415), oversized (413), wrong types and unknown fields (422).

use crate::kernel::error::Problem;
use crate::AppState;
use axum::extract::{FromRequest, Request};
use axum::http::{header, StatusCode};
use serde_json::{Map, Value};
use vagar_domain::ValidationErrors;

pub struct JsonObject(pub Map<String, Value>);

impl FromRequest<AppState> for JsonObject {
    type Rejection = Problem;

    async fn from_request(req: Request, state: &AppState) -> Result<Self, Problem> {
        let is_json = req
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.split(';').next())
            .map(|m| {
                // Media types are case-insensitive (RFC 9110, 8.3.1).
                let m = m.trim().to_ascii_lowercase();
                m == "application/json" || (m.starts_with("application/") && m.ends_with("+json"))
            })
            .unwrap_or(false);
        if !is_json {
            return Err(Problem::new(
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "unsupported-media-type",
                "Unsupported media type",
                "send the body as application/json",
            ));
        }
        let bytes = bytes::Bytes::from_request(req, state).await.map_err(|e| {
            if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
                Problem::new(
                    StatusCode::PAYLOAD_TOO_LARGE,
                    "payload-too-large",
                    "Payload too large",
                    format!("the body may be at most {} bytes", crate::BODY_LIMIT),
                )
            } else {
                Problem::new(
                    StatusCode::BAD_REQUEST,
                    "bad-request",
                    "Bad request",
                    "the body could not be read",
                )
            }
        })?;
        let value: Value = serde_json::from_slice(&bytes).map_err(|e| {
            Problem::new(
                StatusCode::BAD_REQUEST,
                "malformed-json",
                "Malformed JSON",
                format!(
                    "the body is not valid JSON (line {}, column {})",
                    e.line(),
                    e.column()
                ),
            )
        })?;
        match value {
            Value::Object(map) => Ok(JsonObject(map)),
            _ => Err(Problem::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                "validation-error",
                "Invalid input",
                "the body must be a JSON object",
            )),
        }
    }
}

/// Letters, digits, `_` and `-`, starting with a letter or `_`, at most 64
/// characters and with fewer than six digits.
fn looks_like_field_name(key: &str) -> bool {
    key.len() <= 64
        && key
            .chars()
            .next()
            .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && key
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
        && key.chars().filter(char::is_ascii_digit).count() < 6
}

/// Typed access to a JSON object's fields, collecting one error per field.
pub struct Fields<'a> {
    pub map: &'a Map<String, Value>,
    pub errors: ValidationErrors,
}

impl<'a> Fields<'a> {
    pub fn new(map: &'a Map<String, Value>, known: &[&str], read_only: &[&str]) -> Fields<'a> {
        let mut errors = ValidationErrors::new();
        for key in map.keys() {
            if read_only.contains(&key.as_str()) {
                errors.add(key, "read_only", format!("{key} is read-only"));
            } else if !known.contains(&key.as_str()) {
                // A key is whatever the client sent, an identity number too:
                // only something shaped like a field name is repeated.
                let shown = if looks_like_field_name(key) {
                    key.as_str()
                } else {
                    "(not shown)"
                };
                errors.add(
                    shown,
                    "unknown_field",
                    format!("{shown} is not a known field"),
                );
            }
        }
        Fields { map, errors }
    }

    fn type_error(&mut self, key: &str, expected: &str) {
        self.errors
            .add(key, "type", format!("{key} must be {expected}"));
    }

    /// A string field; `null` is refused.
    pub fn string(&mut self, key: &str) -> Option<String> {
        match self.map.get(key)? {
            Value::String(s) => Some(s.clone()),
            _ => {
                self.type_error(key, "a string");
                None
            }
        }
    }

    /// A string or `null` (which clears it).
    pub fn nullable_string(&mut self, key: &str) -> Option<Option<String>> {
        match self.map.get(key)? {
            Value::String(s) => Some(Some(s.clone())),
            Value::Null => Some(None),
            _ => {
                self.type_error(key, "a string or null");
                None
            }
        }
    }

    pub fn nullable_bool(&mut self, key: &str) -> Option<Option<bool>> {
        match self.map.get(key)? {
            Value::Bool(b) => Some(Some(*b)),
            Value::Null => Some(None),
            _ => {
                self.type_error(key, "true, false or null");
                None
            }
        }
    }

    pub fn nullable_i64(&mut self, key: &str) -> Option<Option<i64>> {
        match self.map.get(key)? {
            Value::Number(n) if n.as_i64().is_some() => Some(n.as_i64()),
            Value::Null => Some(None),
            _ => {
                self.type_error(key, "an integer or null");
                None
            }
        }
    }

    /// A string where absent and `null` both mean none.
    pub fn optional_string(&mut self, key: &str) -> Option<String> {
        self.nullable_string(key).flatten()
    }

    /// An integer where absent and `null` both mean none.
    pub fn optional_i64(&mut self, key: &str) -> Option<i64> {
        self.nullable_i64(key).flatten()
    }

    pub fn integer(&mut self, key: &str, min: i64, max: i64) -> Option<i64> {
        match self.map.get(key)? {
            Value::Number(n) if n.as_i64().is_some_and(|v| (min..=max).contains(&v)) => n.as_i64(),
            _ => {
                self.type_error(key, &format!("an integer from {min} to {max}"));
                None
            }
        }
    }

    /// An array of strings; `null` means empty.
    pub fn strings(&mut self, key: &str) -> Option<Vec<String>> {
        match self.map.get(key)? {
            Value::Null => Some(vec![]),
            Value::Array(items) if items.len() <= 50 => {
                let mut out = Vec::with_capacity(items.len());
                for item in items {
                    match item {
                        Value::String(s) => out.push(s.clone()),
                        _ => {
                            self.type_error(key, "an array of strings");
                            return None;
                        }
                    }
                }
                Some(out)
            }
            _ => {
                self.type_error(key, "an array of at most 50 strings");
                None
            }
        }
    }
}
