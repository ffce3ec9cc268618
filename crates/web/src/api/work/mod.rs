//! `/api/v1` for the work models: one router and one OpenAPI document per
//! model, merged here.

pub mod interventions;
pub mod learning;
pub mod rental;
pub mod staffing;

use crate::AppState;
use axum::Router;
use utoipa::OpenApi;

pub fn router() -> Router<AppState> {
    Router::new()
        .merge(interventions::router())
        .merge(rental::router())
        .merge(staffing::router())
        .merge(learning::router())
}

/// The work models' operations and schemas, merged into the API document.
pub fn openapi() -> utoipa::openapi::OpenApi {
    let mut doc = interventions::Doc::openapi();
    doc.merge(rental::Doc::openapi());
    doc.merge(staffing::Doc::openapi());
    doc.merge(learning::Doc::openapi());
    doc
}
