//! The work models' pages, one module per model.

mod interventions;
mod learning;
mod rental;
mod staffing;

use crate::AppState;
use axum::Router;

pub fn router() -> Router<AppState> {
    Router::new()
        .merge(interventions::router())
        .merge(rental::router())
        .merge(staffing::router())
        .merge(learning::router())
}
