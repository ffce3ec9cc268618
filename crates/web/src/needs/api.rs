//! `/api/v1/competence-needs`: employers' competence needs (kompetensbehov)
//! and the coordinators' queue of needs from the public form.
//!
//! Access: employer coordinators create, change and take needs anywhere;
//! caseworkers and admins read; an employer user reads the needs of its own
//! employer (others answer 404); partners and analysts get 403. Every read
//! is audited (a need from the public form names its contact person).

use crate::kernel::error::Problem;
use crate::kernel::json::{null_as_empty, nullable, Body};
use crate::kernel::session::ApiCaller;
use crate::participants::api::parse_id;
use crate::AppState;
use axum::extract::rejection::PathRejection;
use axum::extract::{Path, Query, State};
use axum::http::{header, StatusCode};
use axum::response::IntoResponse;
use axum::routing::{get, post};
use axum::{Json, Router};
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use vagar_domain::needs::{NeedData, NeedInput, NeedStatus, SkillInput};
use vagar_store::needs::{Need, NeedFilter};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/competence-needs", get(list).post(create))
        .route("/competence-needs/{id}", get(read).patch(update))
        .route("/competence-needs/{id}/triage", post(triage))
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct NeedSkillOut {
    /// Taxonomy skill concept id.
    pub id: String,
    pub label: String,
    /// Required (true) or meritorious (false).
    pub required: bool,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct NeedOut {
    pub id: i64,
    /// The occupation is short of people in the workplace's county (newest
    /// Yrkesbarometer round imported).
    pub shortage: bool,
    /// Short reference given to the employer (K-XXXXXXXX).
    pub reference: String,
    pub employer_id: i64,
    pub employer_name: String,
    /// Canonical 10 digits.
    pub organisation_number: String,
    pub workplace_id: Option<i64>,
    pub workplace_name: Option<String>,
    pub title: String,
    /// SSYK 2012 level-4 code.
    pub ssyk_code: String,
    /// The occupation name's concept id, when one was chosen.
    pub occupation_id: Option<String>,
    pub occupation_label: String,
    pub positions: i64,
    pub filled: i64,
    pub skills: Vec<NeedSkillOut>,
    pub swedish_level: Option<String>,
    pub driving_licences: Vec<String>,
    pub education_level: Option<String>,
    pub start_date: Option<NaiveDate>,
    pub duration_months: Option<i64>,
    /// full_time or part_time
    pub working_time: String,
    pub hours_per_week: Option<i64>,
    pub accessibility: Vec<String>,
    /// work_practice, fixed_term_job, learning_employment, rental, staffing
    pub forms: Vec<String>,
    pub description: String,
    /// open, filled or closed
    pub status: String,
    /// coordinator, public_form or job_ad
    pub source: String,
    pub contact_name: Option<String>,
    pub contact_email: Option<String>,
    pub contact_phone: Option<String>,
    /// When a coordinator took it from the queue (null: in the queue).
    pub triaged_at: Option<DateTime<Utc>>,
    pub triaged_by: Option<i64>,
    pub version: i64,
    pub created_by: Option<i64>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl From<Need> for NeedOut {
    fn from(n: Need) -> NeedOut {
        NeedOut {
            shortage: n.shortage,
            id: n.id,
            reference: n.reference,
            employer_id: n.employer_id,
            employer_name: n.employer_name,
            organisation_number: n.organisation_number,
            workplace_id: n.workplace_id,
            workplace_name: n.workplace_name,
            title: n.title,
            ssyk_code: n.ssyk_code,
            occupation_id: n.occupation_id,
            occupation_label: n.occupation_label,
            positions: n.positions,
            filled: n.filled,
            skills: n
                .skills
                .into_iter()
                .map(|s| NeedSkillOut {
                    id: s.skill_id,
                    label: s.label,
                    required: s.required,
                })
                .collect(),
            swedish_level: n.swedish_level,
            driving_licences: n.driving_licences,
            education_level: n.education_level,
            start_date: n.start_date,
            duration_months: n.duration_months,
            working_time: n.working_time,
            hours_per_week: n.hours_per_week,
            accessibility: n.accessibility,
            forms: n.forms,
            description: n.description,
            status: n.status,
            source: n.source,
            contact_name: n.contact_name,
            contact_email: n.contact_email,
            contact_phone: n.contact_phone,
            triaged_at: n.triaged_at,
            triaged_by: n.triaged_by,
            version: n.version,
            created_by: n.created_by,
            created_at: n.created_at,
            updated_at: n.updated_at,
        }
    }
}

/// A skill of a need: `{id, required}` or a plain id (required).
#[derive(Debug, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(untagged)]
pub enum NeedSkillIn {
    Id(String),
    Skill {
        /// Taxonomy skill concept id (unknown: 422 naming `skills`).
        id: String,
        /// Required (default) or meritorious.
        required: Option<bool>,
    },
}

impl From<NeedSkillIn> for SkillInput {
    fn from(s: NeedSkillIn) -> SkillInput {
        match s {
            NeedSkillIn::Id(id) => SkillInput { id, required: true },
            NeedSkillIn::Skill { id, required } => SkillInput {
                id,
                required: required.unwrap_or(true),
            },
        }
    }
}

/// A need's body: on POST the fields of a new need, on PATCH the fields to
/// change (absent: kept; `null`: cleared).
#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
#[serde(default)]
pub struct NeedIn {
    /// The employer (POST only).
    #[schema(nullable = false, minimum = 1)]
    employer_id: Option<i64>,
    /// A workplace of that employer.
    #[serde(deserialize_with = "nullable")]
    #[schema(value_type = Option<i64>)]
    workplace_id: Option<Option<i64>>,
    /// At most 200 characters.
    #[serde(deserialize_with = "nullable")]
    #[schema(value_type = Option<String>)]
    title: Option<Option<String>>,
    /// Occupation name or SSYK level-4 group: concept id, code or exact label.
    #[serde(deserialize_with = "nullable")]
    #[schema(value_type = Option<String>)]
    occupation: Option<Option<String>>,
    /// 1–500
    #[schema(nullable = false)]
    positions: Option<i64>,
    /// At most 30.
    #[serde(deserialize_with = "null_as_empty")]
    #[schema(max_items = 100)]
    skills: Option<Vec<NeedSkillIn>>,
    /// sfi_a … sfi_d, a1 … c2, native
    #[serde(deserialize_with = "nullable")]
    #[schema(value_type = Option<String>)]
    swedish_level: Option<Option<String>>,
    #[serde(deserialize_with = "null_as_empty")]
    #[schema(max_items = 50)]
    driving_licences: Option<Vec<String>>,
    /// primary, secondary, post_secondary_short, post_secondary_long, unknown
    #[serde(deserialize_with = "nullable")]
    #[schema(value_type = Option<String>)]
    education_level: Option<Option<String>>,
    /// YYYY-MM-DD
    #[serde(deserialize_with = "nullable")]
    #[schema(value_type = Option<String>)]
    start_date: Option<Option<String>>,
    /// 1–60
    #[serde(deserialize_with = "nullable")]
    #[schema(value_type = Option<i64>)]
    duration_months: Option<Option<i64>>,
    /// full_time (default) or part_time
    #[serde(deserialize_with = "nullable")]
    #[schema(value_type = Option<String>)]
    working_time: Option<Option<String>>,
    /// 1–40 (below 40 for part_time)
    #[serde(deserialize_with = "nullable")]
    #[schema(value_type = Option<i64>)]
    hours_per_week: Option<Option<i64>>,
    /// step_free_entrance, lift, accessible_toilet, hearing_loop, quiet_room, adjustable_workstation
    #[serde(deserialize_with = "null_as_empty")]
    #[schema(max_items = 50)]
    accessibility: Option<Vec<String>>,
    /// At least one of work_practice, fixed_term_job, learning_employment, rental, staffing.
    #[serde(deserialize_with = "null_as_empty")]
    #[schema(max_items = 50)]
    forms: Option<Vec<String>>,
    /// At most 4000 characters.
    #[serde(deserialize_with = "nullable")]
    #[schema(value_type = Option<String>)]
    description: Option<Option<String>>,
    /// open (new needs), filled, closed. Open ↔ filled; open/filled → closed; closed is final.
    #[serde(deserialize_with = "nullable")]
    #[schema(value_type = Option<String>)]
    status: Option<Option<String>>,
    #[serde(deserialize_with = "nullable")]
    #[schema(value_type = Option<String>)]
    contact_name: Option<Option<String>>,
    #[serde(deserialize_with = "nullable")]
    #[schema(value_type = Option<String>)]
    contact_email: Option<Option<String>>,
    #[serde(deserialize_with = "nullable")]
    #[schema(value_type = Option<String>)]
    contact_phone: Option<Option<String>>,
    /// PATCH only: the version you read (required; a mismatch gives 409).
    #[schema(nullable = false, minimum = 1)]
    version: Option<i64>,
}

impl NeedIn {
    /// The fields sent laid over `base` (absent: kept; `null`: cleared).
    fn over(self, base: NeedInput) -> NeedInput {
        NeedInput {
            workplace_id: self.workplace_id.unwrap_or(base.workplace_id),
            title: self.title.unwrap_or(base.title),
            occupation: self.occupation.unwrap_or(base.occupation),
            positions: self.positions.or(base.positions),
            skills: self
                .skills
                .map(|s| s.into_iter().map(Into::into).collect())
                .unwrap_or(base.skills),
            swedish_level: self.swedish_level.unwrap_or(base.swedish_level),
            driving_licences: self.driving_licences.unwrap_or(base.driving_licences),
            education_level: self.education_level.unwrap_or(base.education_level),
            start_date: self.start_date.unwrap_or(base.start_date),
            duration_months: self.duration_months.unwrap_or(base.duration_months),
            working_time: self.working_time.unwrap_or(base.working_time),
            hours_per_week: self.hours_per_week.unwrap_or(base.hours_per_week),
            accessibility: self.accessibility.unwrap_or(base.accessibility),
            forms: self.forms.unwrap_or(base.forms),
            description: self.description.unwrap_or(base.description),
            status: self.status.unwrap_or(base.status),
            contact_name: self.contact_name.unwrap_or(base.contact_name),
            contact_email: self.contact_email.unwrap_or(base.contact_email),
            contact_phone: self.contact_phone.unwrap_or(base.contact_phone),
        }
    }
}

/// Take a need from the queue.
#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
#[serde(default)]
pub struct TriageIn {
    /// A workplace of the need's employer to attach.
    workplace_id: Option<i64>,
    /// The version you read (a mismatch gives 409).
    version: Option<i64>,
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
pub struct ListQuery {
    /// open, filled or closed
    pub status: Option<String>,
    /// SSYK 2012 level-4 code
    pub ssyk: Option<String>,
    pub employer_id: Option<String>,
    /// true: only needs nobody has taken yet (the queue), newest first
    pub queue: Option<String>,
}

/// The needs the caller may read (an employer user: its own employer's).
#[utoipa::path(get, path = "/api/v1/competence-needs", tag = "competence-needs", params(ListQuery),
    responses((status = 200, body = Vec<NeedOut>), (status = 401, body = Problem),
              (status = 403, body = Problem), (status = 422, body = Problem)))]
pub async fn list(
    State(state): State<AppState>,
    caller: ApiCaller,
    Query(q): Query<ListQuery>,
) -> Result<Json<Vec<NeedOut>>, Problem> {
    let mut e = vagar_domain::ValidationErrors::new();
    let status = q.status.as_deref().filter(|s| !s.is_empty()).and_then(|s| {
        let p = NeedStatus::parse(s);
        if p.is_none() {
            e.add(
                "status",
                "invalid_choice",
                "status must be open, filled or closed",
            );
        }
        p
    });
    let ssyk = q.ssyk.as_deref().filter(|s| !s.is_empty()).and_then(|s| {
        let ok = s.len() == 4 && s.bytes().all(|b| b.is_ascii_digit());
        if !ok {
            e.add(
                "ssyk",
                "invalid",
                "ssyk must be an SSYK level-4 code (4 digits)",
            );
        }
        ok.then(|| s.to_string())
    });
    let employer_id = q
        .employer_id
        .as_deref()
        .filter(|s| !s.is_empty())
        .and_then(|s| {
            let v = s.parse::<i64>().ok().filter(|v| *v > 0);
            if v.is_none() {
                e.add(
                    "employer_id",
                    "invalid",
                    "employer_id must be a positive id",
                );
            }
            v
        });
    let queue = match q.queue.as_deref() {
        None | Some("") | Some("false") => false,
        Some("true") => true,
        Some(_) => {
            e.add("queue", "invalid", "queue must be true or false");
            false
        }
    };
    if !e.is_empty() {
        return Err(Problem::validation(e));
    }
    let needs = state
        .store
        .list_needs(
            &caller.ctx,
            &NeedFilter {
                status,
                ssyk,
                employer_id,
                queue,
            },
        )
        .await?;
    Ok(Json(needs.into_iter().map(Into::into).collect()))
}

/// State a need for an employer of the register.
#[utoipa::path(post, path = "/api/v1/competence-needs", tag = "competence-needs", request_body = NeedIn,
    responses((status = 201, body = NeedOut, headers(("Location" = String))), (status = 400, body = Problem),
              (status = 401, body = Problem), (status = 403, body = Problem), (status = 413, body = Problem),
              (status = 415, body = Problem), (status = 422, body = Problem)))]
pub async fn create(
    State(state): State<AppState>,
    caller: ApiCaller,
    body: Body<NeedIn, NeedOut>,
) -> Result<impl IntoResponse, Problem> {
    let body = body
        .require("employer_id", |b| b.employer_id.is_some())
        .read_only("version", |b| b.version.is_some());
    let employer_id = body.value.employer_id.unwrap_or(0);
    // The shape's errors first, then the rules' for the other fields.
    let input = body
        .map(|b| b.over(NeedInput::default()))
        .checked(NeedData::from_input)?;
    let n = state
        .store
        .create_need(&caller.ctx, employer_id, &input)
        .await?;
    Ok((
        StatusCode::CREATED,
        [(
            header::LOCATION,
            format!("/api/v1/competence-needs/{}", n.id),
        )],
        Json(NeedOut::from(n)),
    ))
}

/// One need with its skills and contact person.
#[utoipa::path(get, path = "/api/v1/competence-needs/{id}", tag = "competence-needs",
    params(("id" = i64, Path)),
    responses((status = 200, body = NeedOut), (status = 401, body = Problem),
              (status = 403, body = Problem), (status = 404, body = Problem)))]
pub async fn read(
    State(state): State<AppState>,
    caller: ApiCaller,
    id: Result<Path<String>, PathRejection>,
) -> Result<Json<NeedOut>, Problem> {
    let id = parse_id(id)?;
    Ok(Json(state.store.read_need(&caller.ctx, id).await?.into()))
}

/// Change a need: the fields sent replace the stored ones (null clears),
/// the whole record is validated again; `version` is required.
#[utoipa::path(patch, path = "/api/v1/competence-needs/{id}", tag = "competence-needs",
    params(("id" = i64, Path)), request_body = NeedIn,
    responses((status = 200, body = NeedOut), (status = 400, body = Problem),
              (status = 401, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem),
              (status = 409, body = Problem), (status = 413, body = Problem), (status = 415, body = Problem),
              (status = 422, body = Problem)))]
pub async fn update(
    State(state): State<AppState>,
    caller: ApiCaller,
    id: Result<Path<String>, PathRejection>,
    body: Body<NeedIn, NeedOut>,
) -> Result<Json<NeedOut>, Problem> {
    let id = parse_id(id)?;
    if !vagar_domain::access::need_role_may(
        caller.ctx.actor.role,
        vagar_domain::access::NeedAction::Manage,
    ) {
        // Decided (and audited) by the store before anything is read.
        state
            .store
            .update_need(&caller.ctx, id, &NeedInput::default(), 0)
            .await?;
    }
    let body = body
        .require("version", |b| b.version.is_some())
        .read_only("employer_id", |b| b.employer_id.is_some());
    let current = state.store.read_need(&caller.ctx, id).await?;
    let version = body.value.version.unwrap_or(0);
    let input = body
        .map(|b| b.over(current.to_input()))
        .checked(NeedData::from_input)?;
    let n = state
        .store
        .update_need(&caller.ctx, id, &input, version)
        .await?;
    Ok(Json(n.into()))
}

/// Take a need from the queue, optionally attaching a workplace of its
/// employer. Already taken: 409 naming `triaged_at`.
#[utoipa::path(post, path = "/api/v1/competence-needs/{id}/triage", tag = "competence-needs",
    params(("id" = i64, Path)), request_body = TriageIn,
    responses((status = 200, body = NeedOut), (status = 400, body = Problem),
              (status = 401, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem),
              (status = 409, body = Problem), (status = 415, body = Problem), (status = 422, body = Problem)))]
pub async fn triage(
    State(state): State<AppState>,
    caller: ApiCaller,
    id: Result<Path<String>, PathRejection>,
    body: Body<TriageIn>,
) -> Result<Json<NeedOut>, Problem> {
    let id = parse_id(id)?;
    let TriageIn {
        workplace_id,
        version,
    } = body.into_result()?;
    let n = state
        .store
        .triage_need(&caller.ctx, id, workplace_id, version)
        .await?;
    Ok(Json(n.into()))
}
