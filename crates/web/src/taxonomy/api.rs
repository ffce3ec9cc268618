//! `/api/v1/taxonomy/…`: the classification data behind every autocomplete
//! field. Open public data (JobTech Taxonomy, SCB), so these endpoints need
//! no login; they hold nothing about people and are not audited.

use crate::kernel::error::Problem;
use crate::AppState;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::routing::get;
use axum::{Json, Router};
use serde::Deserialize;
use vagar_store::taxonomy::{CodeHit, ConceptHit, OccupationHit, TaxonomyInfo};

pub const MAX_LIMIT: usize = 50;
const DEFAULT_LIMIT: usize = 20;
/// The classifications `/taxonomy/classifications/{name}` lists.
pub const CLASSIFICATIONS: [&str; 5] = ["sun_level", "sun_field", "sni", "county", "municipality"];

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/taxonomy", get(info))
        .route("/taxonomy/occupations", get(occupations))
        .route("/taxonomy/skills", get(skills))
        .route("/taxonomy/languages", get(languages))
        .route("/taxonomy/classifications/{name}", get(classification))
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
pub struct SearchQuery {
    /// The start of the label or of any word in it; case, accents and å/ä/ö
    /// are ignored ("underskoterska" finds "Undersköterska"). Digits also
    /// search SSYK codes (occupations).
    pub q: Option<String>,
    /// At most this many hits, 1–50 (default 20).
    pub limit: Option<usize>,
}

impl SearchQuery {
    fn parts(&self) -> Result<(&str, usize), Problem> {
        let q = self.q.as_deref().unwrap_or("");
        if q.chars().count() > 100 {
            return Err(Problem::field(
                StatusCode::UNPROCESSABLE_ENTITY,
                "validation-error",
                "Invalid input",
                "q",
                "too_long",
                "at most 100 characters",
            ));
        }
        let limit = self.limit.unwrap_or(DEFAULT_LIMIT);
        if !(1..=MAX_LIMIT).contains(&limit) {
            return Err(Problem::field(
                StatusCode::UNPROCESSABLE_ENTITY,
                "validation-error",
                "Invalid input",
                "limit",
                "out_of_range",
                "between 1 and 50",
            ));
        }
        Ok((q, limit))
    }
}

/// The stored taxonomy's version, where it came from and its size.
#[utoipa::path(get, path = "/api/v1/taxonomy", tag = "taxonomy", security(()),
    responses((status = 200, body = TaxonomyInfo), (status = 404, body = Problem, description = "No taxonomy loaded")))]
pub async fn info(State(state): State<AppState>) -> Result<Json<TaxonomyInfo>, Problem> {
    state
        .store
        .taxonomy_info()
        .await?
        .map(Json)
        .ok_or_else(Problem::not_found)
}

/// Occupation names and SSYK 2012 level-4 groups by prefix, best first.
#[utoipa::path(get, path = "/api/v1/taxonomy/occupations", tag = "taxonomy", security(()),
    params(SearchQuery),
    responses((status = 200, body = Vec<OccupationHit>), (status = 422, body = Problem)))]
pub async fn occupations(
    State(state): State<AppState>,
    Query(query): Query<SearchQuery>,
) -> Result<Json<Vec<OccupationHit>>, Problem> {
    let (q, limit) = query.parts()?;
    Ok(Json(state.store.search_occupations(q, limit).await?))
}

/// Skills (JobTech) by prefix, best first.
#[utoipa::path(get, path = "/api/v1/taxonomy/skills", tag = "taxonomy", security(()),
    params(SearchQuery),
    responses((status = 200, body = Vec<ConceptHit>), (status = 422, body = Problem)))]
pub async fn skills(
    State(state): State<AppState>,
    Query(query): Query<SearchQuery>,
) -> Result<Json<Vec<ConceptHit>>, Problem> {
    let (q, limit) = query.parts()?;
    Ok(Json(state.store.search_skills(q, limit).await?))
}

/// Languages (ISO 639, Swedish names) by prefix, best first.
#[utoipa::path(get, path = "/api/v1/taxonomy/languages", tag = "taxonomy", security(()),
    params(SearchQuery),
    responses((status = 200, body = Vec<ConceptHit>), (status = 422, body = Problem)))]
pub async fn languages(
    State(state): State<AppState>,
    Query(query): Query<SearchQuery>,
) -> Result<Json<Vec<ConceptHit>>, Problem> {
    let (q, limit) = query.parts()?;
    Ok(Json(state.store.search_languages(q, limit).await?))
}

/// Every code of a classification: `sun_level` (SUN 2020 levels),
/// `sun_field` (SUN 2020 fields), `sni` (SNI 2007 sections and divisions),
/// `county`, `municipality`.
#[utoipa::path(get, path = "/api/v1/taxonomy/classifications/{name}", tag = "taxonomy", security(()),
    params(("name" = String, Path, description = "sun_level, sun_field, sni, county or municipality")),
    responses((status = 200, body = Vec<CodeHit>), (status = 404, body = Problem)))]
pub async fn classification(
    State(state): State<AppState>,
    Path(name): Path<String>,
) -> Result<Json<Vec<CodeHit>>, Problem> {
    if !CLASSIFICATIONS.contains(&name.as_str()) {
        return Err(Problem::not_found());
    }
    Ok(Json(state.store.classification(&name).await?))
}
