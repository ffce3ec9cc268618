//! (issue 6: learning — being written)

use crate::AppState;
use axum::Router;

pub fn router() -> Router<AppState> {
    Router::new()
}

#[derive(utoipa::OpenApi)]
#[openapi()]
pub struct Doc;
