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
use crate::kernel::json::{Fields, JsonObject};
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
use serde::Serialize;
use serde_json::{Map, Value};
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

#[allow(dead_code)]
#[derive(utoipa::ToSchema)]
pub struct WorkIn {
    /// SSYK 2012 unit group: four digits.
    ssyk_code: String,
    /// At most 200 characters.
    occupation: String,
    /// 0–60.
    years: i64,
}

#[allow(dead_code)]
#[derive(utoipa::ToSchema)]
pub struct BarrierIn {
    /// none, some or major (required when a note is given)
    level: Option<String>,
    /// At most 1 000 characters.
    note: Option<String>,
}

/// A new version: the whole assessment (absent fields are empty).
#[allow(dead_code)]
#[derive(utoipa::ToSchema)]
pub struct AssessmentIn {
    /// At most 20 entries.
    work_experience: Option<Vec<WorkIn>>,
    /// primary, secondary, post_secondary_short, post_secondary_long or unknown (default)
    education_level: Option<String>,
    /// At most 1 000 characters.
    education_text: Option<String>,
    /// sfi_a … sfi_d, a1 … c2 or native
    swedish_level: Option<String>,
    childcare: Option<BarrierIn>,
    housing: Option<BarrierIn>,
    economy: Option<BarrierIn>,
    health: Option<BarrierIn>,
    /// The person's own goals, at most 4 000 characters.
    own_goals: Option<String>,
    /// At most 4 000 characters.
    free_text: Option<String>,
}

const FIELDS: &[&str] = &[
    "work_experience",
    "education_level",
    "education_text",
    "swedish_level",
    "childcare",
    "housing",
    "economy",
    "health",
    "own_goals",
    "free_text",
];

const READ_ONLY: &[&str] = &[
    "participant_id",
    "version",
    "health_visible",
    "created_by",
    "created_by_username",
    "created_at",
    "may_update",
];

fn text(f: &mut Fields<'_>, key: &str) -> Option<String> {
    f.nullable_string(key).flatten()
}

fn barrier_in(f: &mut Fields<'_>, key: &str) -> BarrierInput {
    match f.map.get(key) {
        None | Some(Value::Null) => BarrierInput::default(),
        Some(Value::Object(m)) => {
            let mut inner = Fields::new(m, &["level", "note"], &[]);
            let b = BarrierInput {
                level: text(&mut inner, "level"),
                note: text(&mut inner, "note"),
            };
            for mut e in inner.errors.0 {
                e.field = format!("{key}.{}", e.field);
                e.message = format!("{key}.{}", e.message);
                f.errors.0.push(e);
            }
            b
        }
        Some(_) => {
            f.errors.add(
                key,
                "type",
                format!("{key} must be an object with level and note"),
            );
            BarrierInput::default()
        }
    }
}

fn work_in(f: &mut Fields<'_>) -> Vec<WorkInput> {
    let items = match f.map.get("work_experience") {
        None | Some(Value::Null) => return vec![],
        Some(Value::Array(items)) => items,
        Some(_) => {
            f.errors.add(
                "work_experience",
                "type",
                "work_experience must be an array of objects",
            );
            return vec![];
        }
    };
    let mut out = Vec::new();
    for (i, item) in items.iter().enumerate() {
        let name = format!("work_experience[{i}]");
        let Value::Object(m) = item else {
            f.errors
                .add(&name, "type", format!("{name} must be an object"));
            continue;
        };
        let mut inner = Fields::new(m, &["ssyk_code", "occupation", "years"], &[]);
        let years = match inner.map.get("years") {
            None | Some(Value::Null) => None,
            Some(Value::Number(n)) if n.as_i64().is_some() => n.as_i64().map(|v| v.to_string()),
            Some(Value::Number(_)) => Some("-1".into()),
            Some(_) => {
                inner
                    .errors
                    .add("years", "type", "years must be an integer");
                None
            }
        };
        let w = WorkInput {
            ssyk_code: text(&mut inner, "ssyk_code"),
            occupation: text(&mut inner, "occupation"),
            years,
        };
        let had_errors = !inner.errors.is_empty();
        for mut e in inner.errors.0 {
            e.field = format!("{name}.{}", e.field);
            e.message = format!("{name}.{}", e.message);
            f.errors.0.push(e);
        }
        if !had_errors {
            out.push(w);
        }
    }
    out
}

fn parse(map: &Map<String, Value>) -> Result<AssessmentInput, Problem> {
    let mut f = Fields::new(map, FIELDS, READ_ONLY);
    let input = AssessmentInput {
        work_experience: work_in(&mut f),
        education_level: text(&mut f, "education_level"),
        education_text: text(&mut f, "education_text"),
        swedish_level: text(&mut f, "swedish_level"),
        childcare: barrier_in(&mut f, "childcare"),
        housing: barrier_in(&mut f, "housing"),
        economy: barrier_in(&mut f, "economy"),
        health: barrier_in(&mut f, "health"),
        own_goals: text(&mut f, "own_goals"),
        free_text: text(&mut f, "free_text"),
    };
    if f.errors.is_empty() {
        Ok(input)
    } else {
        Err(Problem::validation(f.errors))
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
    JsonObject(map): JsonObject,
) -> Result<impl IntoResponse, Problem> {
    let id = parse_id(id)?;
    let input = parse(&map)?;
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
