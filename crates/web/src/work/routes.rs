//! The work models' routes: one router and one OpenAPI document per model
//! for `/api/v1`, one page router per model, merged here.

use super::{displacement, interventions, learning, placements, rental, staffing};
use crate::AppState;
use axum::Router;
use utoipa::OpenApi;

/// The models' `/api/v1` routes.
pub fn api_router() -> Router<AppState> {
    Router::new()
        .merge(interventions::api::router())
        .merge(placements::api::router())
        .merge(displacement::api::router())
        .merge(rental::api::router())
        .merge(staffing::api::router())
        .merge(learning::api::router())
}

/// The work models' operations and schemas, merged into the API document.
pub fn openapi() -> utoipa::openapi::OpenApi {
    let mut doc = interventions::api::Doc::openapi();
    doc.merge(placements::api::Doc::openapi());
    doc.merge(displacement::api::Doc::openapi());
    doc.merge(rental::api::Doc::openapi());
    doc.merge(staffing::api::Doc::openapi());
    doc.merge(learning::api::Doc::openapi());
    doc
}

/// The models' pages.
pub fn ui_router() -> Router<AppState> {
    Router::new()
        .merge(interventions::ui::router())
        .merge(placements::ui::router())
        .merge(displacement::ui::router())
        .merge(rental::ui::router())
        .merge(staffing::ui::router())
        .merge(learning::ui::router())
}
