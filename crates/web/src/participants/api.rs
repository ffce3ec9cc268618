//! `/api/v1/participants`: the participant registry.

use crate::kernel::error::Problem;
use crate::kernel::json::{null_as_empty, nullable, Body};
use crate::kernel::session::ApiCaller;
use crate::AppState;
use axum::extract::rejection::PathRejection;
use axum::extract::{Path, Query, State};
use axum::http::{header, StatusCode};
use axum::response::IntoResponse;
use axum::routing::{get, post};
use axum::{Json, Router};
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use vagar_domain::participants::{ParticipantInput, TargetGroup};
use vagar_domain::ValidationErrors;
use vagar_store::participants::{
    parse_search_term, Page, Participant, ParticipantQuery, SearchTerm, MAX_PER_PAGE,
};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/participants", get(list).post(create))
        .route("/participants/search", post(search))
        .route("/participants/{id}", get(read).patch(update))
}

/// A participant as the API returns it.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ParticipantOut {
    pub id: i64,
    /// Canonical 12 digits, YYYYMMDDNNNC.
    pub identity_number: String,
    pub first_name: String,
    pub last_name: String,
    /// woman, man, other, unknown
    pub gender: String,
    /// sweden, nordic, europe, outside_europe, unknown
    pub birth_region: String,
    /// primary, secondary, post_secondary_short, post_secondary_long, unknown
    pub education_level: String,
    /// SUN 2020 levels of the education level.
    pub education_sun_levels: Vec<String>,
    /// Disability affecting work capacity; null when not known.
    pub disability: Option<bool>,
    /// Any of youth, long_term_unemployed, income_support, sfi, weak_attachment, newly_arrived.
    pub target_groups: Vec<String>,
    pub municipality_code: String,
    pub district: Option<String>,
    /// sfi_a…sfi_d, a1…c2 or native.
    pub swedish_level: Option<String>,
    pub languages: Vec<String>,
    pub driving_licences: Vec<String>,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub registered_on: NaiveDate,
    pub responsible_caseworker_id: Option<i64>,
    pub organisation_id: i64,
    pub birth_date: NaiveDate,
    pub age: u32,
    /// Increases with every change; send it back in PATCH to detect lost updates.
    pub version: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    /// True when `email` and `phone` are withheld: the caller reads this
    /// record under a consent that does not cover `contact_details`.
    pub contact_details_withheld: bool,
}

impl ParticipantOut {
    pub fn new(p: &Participant, today: NaiveDate) -> ParticipantOut {
        let d = &p.data;
        ParticipantOut {
            id: p.id,
            identity_number: d.identity_number.as_str().to_string(),
            first_name: d.first_name.clone(),
            last_name: d.last_name.clone(),
            gender: d.gender.as_str().into(),
            birth_region: d.birth_region.as_str().into(),
            education_level: d.education_level.as_str().into(),
            education_sun_levels: d
                .education_level
                .sun_levels()
                .iter()
                .map(|s| s.to_string())
                .collect(),
            disability: d.disability,
            target_groups: d.target_groups.iter().map(|g| g.as_str().into()).collect(),
            municipality_code: d.municipality_code.clone(),
            district: d.district.clone(),
            swedish_level: d.swedish_level.map(|s| s.as_str().into()),
            languages: d.languages.clone(),
            driving_licences: d.driving_licences.clone(),
            email: d.email.clone(),
            phone: d.phone.clone(),
            registered_on: d.registered_on,
            responsible_caseworker_id: d.responsible_caseworker_id,
            organisation_id: p.organisation_id,
            birth_date: d.birth_date(),
            age: d.age_on(today),
            version: p.version,
            created_at: p.created_at,
            updated_at: p.updated_at,
            contact_details_withheld: p.contact_details_withheld,
        }
    }
}

/// The writable fields. On POST `identity_number`, `first_name` and
/// `last_name` are required; on PATCH every field is optional and `null`
/// clears a nullable one.
#[derive(Debug, Default, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(default)]
pub struct ParticipantIn {
    /// Personnummer or samordningsnummer: 10 or 12 digits, with or without '-' or '+'.
    #[schema(nullable = false)]
    pub identity_number: Option<String>,
    #[schema(nullable = false)]
    pub first_name: Option<String>,
    #[schema(nullable = false)]
    pub last_name: Option<String>,
    #[schema(nullable = false)]
    pub gender: Option<String>,
    #[schema(nullable = false)]
    pub birth_region: Option<String>,
    #[schema(nullable = false)]
    pub education_level: Option<String>,
    #[serde(deserialize_with = "nullable")]
    #[schema(value_type = Option<bool>)]
    pub disability: Option<Option<bool>>,
    #[serde(deserialize_with = "null_as_empty")]
    #[schema(max_items = 50)]
    pub target_groups: Option<Vec<String>>,
    /// Four-digit kommunkod; default 0180 (Stockholm).
    #[schema(nullable = false)]
    pub municipality_code: Option<String>,
    #[serde(deserialize_with = "nullable")]
    #[schema(value_type = Option<String>)]
    pub district: Option<Option<String>>,
    #[serde(deserialize_with = "nullable")]
    #[schema(value_type = Option<String>)]
    pub swedish_level: Option<Option<String>>,
    #[serde(deserialize_with = "null_as_empty")]
    #[schema(max_items = 50)]
    pub languages: Option<Vec<String>>,
    #[serde(deserialize_with = "null_as_empty")]
    #[schema(max_items = 50)]
    pub driving_licences: Option<Vec<String>>,
    #[serde(deserialize_with = "nullable")]
    #[schema(value_type = Option<String>)]
    pub email: Option<Option<String>>,
    #[serde(deserialize_with = "nullable")]
    #[schema(value_type = Option<String>)]
    pub phone: Option<Option<String>>,
    /// YYYY-MM-DD; default today.
    #[schema(nullable = false)]
    pub registered_on: Option<String>,
    #[serde(deserialize_with = "nullable")]
    #[schema(value_type = Option<i64>)]
    pub responsible_caseworker_id: Option<Option<i64>>,
    /// PATCH only: the version you read; a mismatch gives 409.
    #[schema(nullable = false, minimum = 1)]
    pub version: Option<i64>,
}

/// A participant body: what the answer has and the body does not take is read-only.
pub type ParticipantBody = Body<ParticipantIn, ParticipantOut>;

impl ParticipantIn {
    /// The domain's input and the version sent.
    pub(crate) fn into_input(self) -> (ParticipantInput, Option<i64>) {
        let input = ParticipantInput {
            identity_number: self.identity_number,
            first_name: self.first_name,
            last_name: self.last_name,
            gender: self.gender,
            birth_region: self.birth_region,
            education_level: self.education_level,
            disability: self.disability,
            target_groups: self.target_groups,
            municipality_code: self.municipality_code,
            district: self.district,
            swedish_level: self.swedish_level,
            languages: self.languages,
            driving_licences: self.driving_licences,
            email: self.email,
            phone: self.phone,
            registered_on: self.registered_on,
            responsible_caseworker_id: self.responsible_caseworker_id,
        };
        (input, self.version)
    }
}

/// Any id that is not a positive integer (or not even UTF-8) names nothing.
pub(crate) fn parse_id(raw: Result<Path<String>, PathRejection>) -> Result<i64, Problem> {
    raw.ok()
        .and_then(|Path(id)| id.parse::<i64>().ok())
        .filter(|v| *v > 0)
        .ok_or_else(Problem::not_found)
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ParticipantPage {
    pub items: Vec<ParticipantOut>,
    pub page: u32,
    pub per_page: u32,
    /// Matches, counted up to 1 000.
    pub total: u64,
    /// True when there are more matches than `total`.
    pub total_is_capped: bool,
}

fn page_out(page: Page<Participant>, today: NaiveDate) -> ParticipantPage {
    ParticipantPage {
        items: page
            .items
            .iter()
            .map(|p| ParticipantOut::new(p, today))
            .collect(),
        page: page.page,
        per_page: page.per_page,
        total: page.total,
        total_is_capped: page.total_is_capped,
    }
}

/// Read paging and filters from strings, naming each bad parameter.
fn query_from(
    q: Option<String>,
    district: Option<String>,
    target_group: Option<String>,
    page: Option<String>,
    per_page: Option<String>,
) -> Result<ParticipantQuery, Problem> {
    let mut e = ValidationErrors::new();
    let mut number = |name: &str, v: Option<String>, default: u32, max: u32| -> u32 {
        match v.as_deref().map(str::trim) {
            None | Some("") => default,
            Some(s) => match s.parse::<u32>() {
                Ok(n) if (1..=max).contains(&n) => n,
                _ => {
                    e.add(
                        name,
                        "invalid",
                        format!("{name} must be an integer from 1 to {max}"),
                    );
                    default
                }
            },
        }
    };
    let page = number("page", page, 1, 100_000);
    let per_page = number("per_page", per_page, 20, MAX_PER_PAGE);
    let target_group = match target_group.as_deref().map(str::trim) {
        None | Some("") => None,
        Some(s) => {
            let g = TargetGroup::parse(s);
            if g.is_none() {
                e.add("target_group", "invalid_choice", "target_group must be one of: youth, long_term_unemployed, income_support, sfi, weak_attachment, newly_arrived");
            }
            g
        }
    };
    if let Some(d) = &district {
        if d.chars().count() > 80 {
            e.add(
                "district",
                "too_long",
                "district must be at most 80 characters",
            );
        }
    }
    if let Some(q) = &q {
        if q.chars().count() > 100 {
            e.add("q", "too_long", "q must be at most 100 characters");
        }
    }
    e.into_result(ParticipantQuery {
        q,
        district,
        target_group,
        page,
        per_page,
    })
    .map_err(Problem::validation)
}

/// List and search participants by name or birth date (YYYYMMDD), district and target group.
///
/// Identity numbers are refused here so they never appear in URLs or proxy
/// logs; search for them with `POST /api/v1/participants/search`.
#[utoipa::path(get, path = "/api/v1/participants", tag = "participants",
    params(
        ("q" = Option<String>, Query, description = "Name prefix (\"Anna And\", \"Andersson\") or birth date YYYYMMDD"),
        ("district" = Option<String>, Query, description = "Exact district (stadsdelsområde)"),
        ("target_group" = Option<String>, Query, description = "One target group code"),
        ("page" = Option<u32>, Query, description = "1-based page, default 1"),
        ("per_page" = Option<u32>, Query, description = "1–100, default 20"),
    ),
    responses((status = 200, body = ParticipantPage), (status = 401, body = Problem),
              (status = 403, body = Problem), (status = 422, body = Problem)))]
pub async fn list(
    State(state): State<AppState>,
    caller: ApiCaller,
    Query(params): Query<HashMap<String, String>>,
) -> Result<Json<ParticipantPage>, Problem> {
    let mut params = params;
    let query = query_from(
        params.remove("q"),
        params.remove("district"),
        params.remove("target_group"),
        params.remove("page"),
        params.remove("per_page"),
    )?;
    if let Some(q) = &query.q {
        let today = caller.ctx.today();
        if matches!(
            parse_search_term(q, today),
            Ok(Some(SearchTerm::Identity(_)))
        ) || q.chars().filter(char::is_ascii_digit).count() >= 10
        {
            return Err(Problem::field(
                StatusCode::UNPROCESSABLE_ENTITY,
                "validation-error",
                "Invalid input",
                "q",
                "identity_in_url",
                "identity numbers may not be sent in URLs; use POST /api/v1/participants/search",
            ));
        }
    }
    let page = state.store.search_participants(&caller.ctx, &query).await?;
    Ok(Json(page_out(page, caller.ctx.today())))
}

#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct SearchIn {
    /// Name prefix, identity number (10 or 12 digits) or birth date YYYYMMDD.
    q: Option<String>,
    district: Option<String>,
    target_group: Option<String>,
    #[schema(nullable = false, minimum = 1, maximum = 100_000)]
    page: Option<u32>,
    #[schema(nullable = false, minimum = 1, maximum = 100)]
    per_page: Option<u32>,
}

/// Search participants, including by identity number (kept out of the URL).
#[utoipa::path(post, path = "/api/v1/participants/search", tag = "participants",
    request_body = SearchIn,
    responses((status = 200, body = ParticipantPage), (status = 401, body = Problem),
              (status = 403, body = Problem), (status = 422, body = Problem)))]
pub async fn search(
    State(state): State<AppState>,
    caller: ApiCaller,
    body: Body<SearchIn>,
) -> Result<Json<ParticipantPage>, Problem> {
    let SearchIn {
        q,
        district,
        target_group,
        page,
        per_page,
    } = body.into_result()?;
    let (page, per_page) = (page.map(|v| v.to_string()), per_page.map(|v| v.to_string()));
    let query = query_from(q, district, target_group, page, per_page)?;
    let page = state.store.search_participants(&caller.ctx, &query).await?;
    Ok(Json(page_out(page, caller.ctx.today())))
}

/// Register a participant in the caller's organisation.
#[utoipa::path(post, path = "/api/v1/participants", tag = "participants",
    request_body = ParticipantIn,
    responses((status = 201, body = ParticipantOut, headers(("Location" = String))),
              (status = 400, body = Problem), (status = 401, body = Problem), (status = 403, body = Problem),
              (status = 409, body = Problem), (status = 413, body = Problem), (status = 415, body = Problem),
              (status = 422, body = Problem)))]
pub async fn create(
    State(state): State<AppState>,
    caller: ApiCaller,
    body: ParticipantBody,
) -> Result<impl IntoResponse, Problem> {
    let (input, version) = body.into_result()?.into_input();
    if version.is_some() {
        return Err(Problem::field(
            StatusCode::UNPROCESSABLE_ENTITY,
            "validation-error",
            "Invalid input",
            "version",
            "read_only",
            "version is set by the server on create",
        ));
    }
    let p = state.store.create_participant(&caller.ctx, &input).await?;
    let location = format!("/api/v1/participants/{}", p.id);
    Ok((
        StatusCode::CREATED,
        [(header::LOCATION, location)],
        Json(ParticipantOut::new(&p, caller.ctx.today())),
    ))
}

/// One participant. 404 both for an unknown id and for one the caller may not see.
#[utoipa::path(get, path = "/api/v1/participants/{id}", tag = "participants",
    params(("id" = i64, Path)),
    responses((status = 200, body = ParticipantOut), (status = 401, body = Problem),
              (status = 403, body = Problem), (status = 404, body = Problem)))]
pub async fn read(
    State(state): State<AppState>,
    caller: ApiCaller,
    id: Result<Path<String>, PathRejection>,
) -> Result<Json<ParticipantOut>, Problem> {
    let id = parse_id(id)?;
    let p = state.store.read_participant(&caller.ctx, id).await?;
    Ok(Json(ParticipantOut::new(&p, caller.ctx.today())))
}

/// Change some fields of a participant; the whole record is validated again.
#[utoipa::path(patch, path = "/api/v1/participants/{id}", tag = "participants",
    params(("id" = i64, Path)), request_body = ParticipantIn,
    responses((status = 200, body = ParticipantOut), (status = 400, body = Problem),
              (status = 401, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem),
              (status = 409, body = Problem), (status = 413, body = Problem), (status = 422, body = Problem)))]
pub async fn update(
    State(state): State<AppState>,
    caller: ApiCaller,
    id: Result<Path<String>, PathRejection>,
    body: ParticipantBody,
) -> Result<Json<ParticipantOut>, Problem> {
    let id = parse_id(id)?;
    let (input, version) = body.into_result()?.into_input();
    let p = state
        .store
        .update_participant(&caller.ctx, id, &input, version)
        .await?;
    Ok(Json(ParticipantOut::new(&p, caller.ctx.today())))
}
