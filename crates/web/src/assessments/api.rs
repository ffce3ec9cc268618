//! `/api/v1/participants/{id}/assessment`: the joint assessment
//! (kartläggning) — work experience (SSYK 2012 occupations and years),
//! education, Swedish level, barriers and resources (childcare, housing,
//! economy, health), the person's own goals and free text. Versioned: every
//! `POST` creates a new version; nothing is overwritten.
//!
//! Access: reading needs the participant's `Read`, and a reader holding the
//! participant by consent needs a consent in force that covers `assessment`
//! (else 404); `health` is shown to such a reader only when the consent also
//! covers `health` (else the field is absent and `health_visible` is false).
//! Saving needs the participant's `Update` (their caseworkers).

use crate::kernel::error::Problem;
use crate::kernel::json::{null_as_empty, Body};
use crate::kernel::session::ApiCaller;
use crate::participants::api::parse_id;
use crate::AppState;
use axum::extract::rejection::PathRejection;
use axum::extract::{Path, State};
use axum::http::{header, StatusCode};
use axum::response::IntoResponse;
use axum::routing::get;
use axum::{Json, Router};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use vagar_domain::assessments::{AssessmentInput, Barrier, BarrierInput, WorkInput};
use vagar_store::assessments::{AssessmentView, VersionInfo};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/participants/{id}/assessment", get(read).post(create))
        .route("/participants/{id}/assessment/versions", get(versions))
        .route(
            "/participants/{id}/assessment/versions/{n}",
            get(read_version),
        )
}

/// One occupation the person has worked in.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct WorkOut {
    /// SSYK 2012 unit group, four digits.
    pub ssyk_code: String,
    pub occupation: String,
    /// 0–60.
    pub years: i64,
}

/// A barrier or resource: how much it stands in the way, and a note.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct BarrierOut {
    /// none, some or major
    pub level: String,
    pub note: Option<String>,
}

impl BarrierOut {
    fn new(b: &Option<Barrier>) -> Option<BarrierOut> {
        b.as_ref().map(|b| BarrierOut {
            level: b.level.as_str().into(),
            note: b.note.clone(),
        })
    }
}

/// One version of the joint assessment.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct AssessmentOut {
    pub participant_id: i64,
    /// 1, 2, … — every save is a new version.
    pub version: i64,
    pub work_experience: Vec<WorkOut>,
    /// primary, secondary, post_secondary_short, post_secondary_long or unknown
    pub education_level: String,
    pub education_text: Option<String>,
    /// sfi_a … sfi_d, a1 … c2 or native
    pub swedish_level: Option<String>,
    pub childcare: Option<BarrierOut>,
    pub housing: Option<BarrierOut>,
    pub economy: Option<BarrierOut>,
    /// Absent when not assessed or when withheld (see `health_visible`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub health: Option<BarrierOut>,
    /// False when the caller's consent does not cover health: `health` is withheld.
    pub health_visible: bool,
    pub own_goals: Option<String>,
    pub free_text: Option<String>,
    pub created_by: i64,
    pub created_by_username: String,
    pub created_at: DateTime<Utc>,
    /// Whether the caller may save a new version.
    pub may_update: bool,
}

impl AssessmentOut {
    fn new(v: &AssessmentView) -> AssessmentOut {
        let a = &v.assessment;
        let d = &a.data;
        AssessmentOut {
            participant_id: a.participant_id,
            version: a.version,
            work_experience: d
                .work_experience
                .iter()
                .map(|w| WorkOut {
                    ssyk_code: w.ssyk_code.clone(),
                    occupation: w.occupation.clone(),
                    years: w.years,
                })
                .collect(),
            education_level: d.education_level.as_str().into(),
            education_text: d.education_text.clone(),
            swedish_level: d.swedish_level.map(|s| s.as_str().into()),
            childcare: BarrierOut::new(&d.childcare),
            housing: BarrierOut::new(&d.housing),
            economy: BarrierOut::new(&d.economy),
            health: if v.health_visible {
                BarrierOut::new(&a.health)
            } else {
                None
            },
            health_visible: v.health_visible,
            own_goals: d.own_goals.clone(),
            free_text: d.free_text.clone(),
            created_by: a.created_by,
            created_by_username: a.created_by_username.clone(),
            created_at: a.created_at,
            may_update: v.may_update,
        }
    }
}

/// Who saved a version, and when.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct VersionOut {
    pub version: i64,
    pub created_by: i64,
    pub created_by_username: String,
    pub created_at: DateTime<Utc>,
}

impl From<VersionInfo> for VersionOut {
    fn from(v: VersionInfo) -> VersionOut {
        VersionOut {
            version: v.version,
            created_by: v.created_by,
            created_by_username: v.created_by_username,
            created_at: v.created_at,
        }
    }
}

/// A job the person has had.
#[derive(Debug, Default, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(default, deny_unknown_fields)]
pub struct WorkIn {
    /// SSYK 2012 unit group: four digits.
    ssyk_code: Option<String>,
    /// At most 200 characters.
    occupation: Option<String>,
    /// 0–60.
    years: Option<i64>,
}

/// A new version: the whole assessment (absent fields are empty).
#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
#[serde(default)]
pub struct AssessmentIn {
    /// At most 20 entries.
    #[serde(deserialize_with = "null_as_empty")]
    work_experience: Option<Vec<WorkIn>>,
    /// primary, secondary, post_secondary_short, post_secondary_long or unknown (default)
    education_level: Option<String>,
    /// At most 1 000 characters.
    education_text: Option<String>,
    /// sfi_a … sfi_d, a1 … c2 or native
    swedish_level: Option<String>,
    childcare: Option<BarrierInput>,
    housing: Option<BarrierInput>,
    economy: Option<BarrierInput>,
    health: Option<BarrierInput>,
    /// The person's own goals, at most 4 000 characters.
    own_goals: Option<String>,
    /// At most 4 000 characters.
    free_text: Option<String>,
}

impl From<AssessmentIn> for AssessmentInput {
    fn from(a: AssessmentIn) -> AssessmentInput {
        AssessmentInput {
            work_experience: a
                .work_experience
                .unwrap_or_default()
                .into_iter()
                .map(|w| WorkInput {
                    ssyk_code: w.ssyk_code,
                    occupation: w.occupation,
                    years: w.years.map(|y| y.to_string()),
                })
                .collect(),
            education_level: a.education_level,
            education_text: a.education_text,
            swedish_level: a.swedish_level,
            childcare: a.childcare.unwrap_or_default(),
            housing: a.housing.unwrap_or_default(),
            economy: a.economy.unwrap_or_default(),
            health: a.health.unwrap_or_default(),
            own_goals: a.own_goals,
            free_text: a.free_text,
        }
    }
}

/// The latest version of the participant's joint assessment.
#[utoipa::path(get, path = "/api/v1/participants/{id}/assessment", tag = "assessment",
    params(("id" = i64, Path)),
    responses((status = 200, body = AssessmentOut), (status = 401, body = Problem),
              (status = 403, body = Problem),
              (status = 404, body = Problem, description = "No such participant for you, no consent covering assessment, or no assessment yet")))]
pub async fn read(
    State(state): State<AppState>,
    caller: ApiCaller,
    id: Result<Path<String>, PathRejection>,
) -> Result<Json<AssessmentOut>, Problem> {
    let id = parse_id(id)?;
    let v = state.store.read_assessment(&caller.ctx, id).await?;
    Ok(Json(AssessmentOut::new(&v)))
}

/// Every version, newest first: who saved it and when.
#[utoipa::path(get, path = "/api/v1/participants/{id}/assessment/versions", tag = "assessment",
    params(("id" = i64, Path)),
    responses((status = 200, body = [VersionOut]), (status = 401, body = Problem),
              (status = 403, body = Problem), (status = 404, body = Problem)))]
pub async fn versions(
    State(state): State<AppState>,
    caller: ApiCaller,
    id: Result<Path<String>, PathRejection>,
) -> Result<Json<Vec<VersionOut>>, Problem> {
    let id = parse_id(id)?;
    let list = state
        .store
        .list_assessment_versions(&caller.ctx, id)
        .await?;
    Ok(Json(list.into_iter().map(VersionOut::from).collect()))
}

/// One version of the assessment.
#[utoipa::path(get, path = "/api/v1/participants/{id}/assessment/versions/{n}", tag = "assessment",
    params(("id" = i64, Path), ("n" = i64, Path)),
    responses((status = 200, body = AssessmentOut), (status = 401, body = Problem),
              (status = 403, body = Problem), (status = 404, body = Problem)))]
pub async fn read_version(
    State(state): State<AppState>,
    caller: ApiCaller,
    Path((id, n)): Path<(String, String)>,
) -> Result<Json<AssessmentOut>, Problem> {
    let id = parse_id(Ok(Path(id)))?;
    let n = n
        .parse::<i64>()
        .ok()
        .filter(|v| *v > 0)
        .ok_or_else(Problem::not_found)?;
    let v = state
        .store
        .read_assessment_version(&caller.ctx, id, Some(n))
        .await?;
    Ok(Json(AssessmentOut::new(&v)))
}

/// Save a new version of the assessment (201).
#[utoipa::path(post, path = "/api/v1/participants/{id}/assessment", tag = "assessment",
    params(("id" = i64, Path)), request_body = AssessmentIn,
    responses((status = 201, body = AssessmentOut, headers(("Location" = String))),
              (status = 400, body = Problem), (status = 401, body = Problem), (status = 403, body = Problem),
              (status = 404, body = Problem), (status = 413, body = Problem),
              (status = 415, body = Problem), (status = 422, body = Problem)))]
pub async fn create(
    State(state): State<AppState>,
    caller: ApiCaller,
    id: Result<Path<String>, PathRejection>,
    body: Body<AssessmentIn, AssessmentOut>,
) -> Result<impl IntoResponse, Problem> {
    let id = parse_id(id)?;
    let input = AssessmentInput::from(body.into_result()?);
    let v = state
        .store
        .create_assessment(&caller.ctx, id, &input)
        .await?;
    let location = format!(
        "/api/v1/participants/{id}/assessment/versions/{}",
        v.assessment.version
    );
    Ok((
        StatusCode::CREATED,
        [(header::LOCATION, location)],
        Json(AssessmentOut::new(&v)),
    ))
}
