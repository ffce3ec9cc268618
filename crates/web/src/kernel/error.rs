//! Errors of the JSON API as RFC 9457 problem details. Messages name fields
//! and never repeat rejected values (they may be identity numbers).

use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use vagar_domain::{FieldError, ValidationErrors};
use vagar_store::StoreError;

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Problem {
    #[serde(rename = "type")]
    pub kind: String,
    pub title: String,
    pub status: u16,
    pub detail: String,
    /// One entry per invalid field.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<FieldError>,
}

impl Problem {
    pub fn new(status: StatusCode, kind: &str, title: &str, detail: impl Into<String>) -> Problem {
        Problem {
            kind: format!("https://vagar.se/problems/{kind}"),
            title: title.into(),
            status: status.as_u16(),
            detail: detail.into(),
            errors: vec![],
        }
    }
    pub fn validation(errors: ValidationErrors) -> Problem {
        let mut p = Problem::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "validation-error",
            "Invalid input",
            errors.to_string(),
        );
        p.errors = errors.0;
        p
    }
    pub fn field(
        status: StatusCode,
        kind: &str,
        title: &str,
        field: &str,
        code: &str,
        message: &str,
    ) -> Problem {
        let mut p = Problem::new(status, kind, title, format!("{field}: {message}"));
        p.errors.push(FieldError {
            field: field.into(),
            code: code.into(),
            message: message.into(),
        });
        p
    }
    pub fn unauthorized() -> Problem {
        Problem::new(
            StatusCode::UNAUTHORIZED,
            "unauthorized",
            "Authentication required",
            "send a bearer token (Authorization: Bearer …) or log in",
        )
    }
    pub fn forbidden() -> Problem {
        Problem::new(
            StatusCode::FORBIDDEN,
            "forbidden",
            "Forbidden",
            "your role may not do this",
        )
    }
    pub fn not_found() -> Problem {
        Problem::new(
            StatusCode::NOT_FOUND,
            "not-found",
            "Not found",
            "no such resource",
        )
    }
    pub fn internal() -> Problem {
        Problem::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "internal",
            "Internal error",
            "an unexpected error occurred; it has been logged",
        )
    }
}

impl IntoResponse for Problem {
    fn into_response(self) -> Response {
        let status = StatusCode::from_u16(self.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        let mut res = (status, axum::Json(&self)).into_response();
        res.headers_mut().insert(
            header::CONTENT_TYPE,
            header::HeaderValue::from_static("application/problem+json"),
        );
        if status == StatusCode::UNAUTHORIZED {
            res.headers_mut().insert(
                header::WWW_AUTHENTICATE,
                header::HeaderValue::from_static("Bearer"),
            );
        }
        res
    }
}

impl From<StoreError> for Problem {
    fn from(e: StoreError) -> Problem {
        match e {
            StoreError::NotFound => Problem::not_found(),
            StoreError::Forbidden => Problem::forbidden(),
            StoreError::Validation(errors) => Problem::validation(errors),
            StoreError::Conflict { field, message } => Problem::field(
                StatusCode::CONFLICT,
                "conflict",
                "Conflict",
                &field,
                "conflict",
                &message,
            ),
            StoreError::StaleVersion => Problem::field(
                StatusCode::CONFLICT,
                "stale-version",
                "Conflict",
                "version",
                "stale",
                "the record was changed by someone else; fetch it again",
            ),
            other => {
                // Store errors carry SQL state, never values: safe to log.
                tracing::error!(error = %other, "request failed");
                Problem::internal()
            }
        }
    }
}
