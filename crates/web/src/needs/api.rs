//! `/api/v1/competence-needs`: employers' competence needs (kompetensbehov)
//! and the coordinators' queue of needs from the public form.
//!
//! Access: employer coordinators create, change and take needs anywhere;
//! caseworkers and admins read; an employer user reads the needs of its own
//! employer (others answer 404); partners and analysts get 403. Every read
//! is audited (a need from the public form names its contact person).

use crate::kernel::error::Problem;
use crate::kernel::json::{Fields, JsonObject};
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
use serde_json::Value;
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

/// A skill of a need.
#[allow(dead_code)]
#[derive(utoipa::ToSchema)]
pub struct NeedSkillIn {
    /// Taxonomy skill concept id (unknown: 422 naming `skills`).
    id: String,
    /// Required (default) or meritorious.
    required: Option<bool>,
}

#[allow(dead_code)]
#[derive(utoipa::ToSchema)]
pub struct NeedIn {
    /// The employer (POST only).
    employer_id: i64,
    /// A workplace of that employer.
    workplace_id: Option<i64>,
    /// At most 200 characters.
    title: String,
    /// Occupation name or SSYK level-4 group: concept id, code or exact label.
    occupation: String,
    /// 1–500
    positions: i64,
    /// At most 30.
    skills: Option<Vec<NeedSkillIn>>,
    /// sfi_a … sfi_d, a1 … c2, native
    swedish_level: Option<String>,
    driving_licences: Option<Vec<String>>,
    /// primary, secondary, post_secondary_short, post_secondary_long, unknown
    education_level: Option<String>,
    /// YYYY-MM-DD
    start_date: Option<String>,
    /// 1–60
    duration_months: Option<i64>,
    /// full_time (default) or part_time
    working_time: Option<String>,
    /// 1–40 (below 40 for part_time)
    hours_per_week: Option<i64>,
    /// step_free_entrance, lift, accessible_toilet, hearing_loop, quiet_room, adjustable_workstation
    accessibility: Option<Vec<String>>,
    /// At least one of work_practice, fixed_term_job, learning_employment, rental, staffing.
    forms: Vec<String>,
    /// At most 4000 characters.
    description: Option<String>,
    /// open (new needs), filled, closed. Open ↔ filled; open/filled → closed; closed is final.
    status: Option<String>,
    contact_name: Option<String>,
    contact_email: Option<String>,
    contact_phone: Option<String>,
    /// PATCH only: the version you read (required; a mismatch gives 409).
    version: Option<i64>,
}

#[allow(dead_code)]
#[derive(utoipa::ToSchema)]
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

const FIELDS: &[&str] = &[
    "workplace_id",
    "title",
    "occupation",
    "positions",
    "skills",
    "swedish_level",
    "driving_licences",
    "education_level",
    "start_date",
    "duration_months",
    "working_time",
    "hours_per_week",
    "accessibility",
    "forms",
    "description",
    "status",
    "contact_name",
    "contact_email",
    "contact_phone",
];

const READ_ONLY: &[&str] = &[
    "id",
    "reference",
    "employer_name",
    "organisation_number",
    "workplace_name",
    "ssyk_code",
    "occupation_id",
    "occupation_label",
    "filled",
    "source",
    "triaged_at",
    "triaged_by",
    "created_by",
    "created_at",
    "updated_at",
];

/// `skills`: an array of `{id, required}` objects (or plain ids: required).
fn skills(f: &mut Fields<'_>) -> Option<Vec<SkillInput>> {
    match f.map.get("skills")? {
        Value::Null => Some(vec![]),
        Value::Array(items) if items.len() <= 100 => {
            let mut out = vec![];
            for item in items {
                let s = match item {
                    Value::String(id) => Some(SkillInput {
                        id: id.clone(),
                        required: true,
                    }),
                    Value::Object(o) => match (o.get("id"), o.get("required")) {
                        (Some(Value::String(id)), None | Some(Value::Null)) => Some(SkillInput {
                            id: id.clone(),
                            required: true,
                        }),
                        (Some(Value::String(id)), Some(Value::Bool(r))) => Some(SkillInput {
                            id: id.clone(),
                            required: *r,
                        }),
                        _ => None,
                    },
                    _ => None,
                };
                match s {
                    Some(s) => out.push(s),
                    None => {
                        f.errors.add(
                            "skills",
                            "type",
                            "skills must be an array of {id, required} objects",
                        );
                        return None;
                    }
                }
            }
            Some(out)
        }
        _ => {
            f.errors.add(
                "skills",
                "type",
                "skills must be an array of at most 100 objects",
            );
            None
        }
    }
}

fn nullable_int(f: &mut Fields<'_>, key: &str, current: Option<i64>) -> Option<i64> {
    match f.nullable_i64(key) {
        Some(v) => v,
        None => current,
    }
}

fn text(f: &mut Fields<'_>, key: &str, current: Option<String>) -> Option<String> {
    match f.nullable_string(key) {
        Some(v) => v,
        None if f.map.contains_key(key) => None,
        None => current,
    }
}

fn strings(f: &mut Fields<'_>, key: &str, current: Vec<String>) -> Vec<String> {
    if f.map.contains_key(key) {
        f.strings(key).unwrap_or_default()
    } else {
        current
    }
}

/// Overlay the JSON fields present in `map` on `base` (absent: kept;
/// `null`: cleared).
fn overlay(f: &mut Fields<'_>, base: NeedInput) -> NeedInput {
    let positions = if f.map.contains_key("positions") {
        match f.map.get("positions") {
            Some(Value::Number(n)) if n.as_i64().is_some() => n.as_i64(),
            _ => {
                f.errors.add(
                    "positions",
                    "type",
                    "positions must be an integer from 1 to 500",
                );
                None
            }
        }
    } else {
        base.positions
    };
    NeedInput {
        workplace_id: nullable_int(f, "workplace_id", base.workplace_id),
        title: text(f, "title", base.title),
        occupation: text(f, "occupation", base.occupation),
        positions,
        skills: if f.map.contains_key("skills") {
            skills(f).unwrap_or_default()
        } else {
            base.skills
        },
        swedish_level: text(f, "swedish_level", base.swedish_level),
        driving_licences: strings(f, "driving_licences", base.driving_licences),
        education_level: text(f, "education_level", base.education_level),
        start_date: text(f, "start_date", base.start_date),
        duration_months: nullable_int(f, "duration_months", base.duration_months),
        working_time: text(f, "working_time", base.working_time),
        hours_per_week: nullable_int(f, "hours_per_week", base.hours_per_week),
        accessibility: strings(f, "accessibility", base.accessibility),
        forms: strings(f, "forms", base.forms),
        description: text(f, "description", base.description),
        status: text(f, "status", base.status),
        contact_name: text(f, "contact_name", base.contact_name),
        contact_email: text(f, "contact_email", base.contact_email),
        contact_phone: text(f, "contact_phone", base.contact_phone),
    }
}

/// Shape errors first, then the rules' errors for the other fields, so
/// every invalid field is named at once.
fn checked(mut f: Fields<'_>, input: NeedInput) -> Result<NeedInput, Problem> {
    if let Err(e) = NeedData::from_input(&input) {
        for e in e.0 {
            if f.errors.for_field(&e.field).is_none() {
                f.errors.0.push(e);
            }
        }
    }
    if f.errors.is_empty() {
        Ok(input)
    } else {
        Err(Problem::validation(f.errors))
    }
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
    JsonObject(map): JsonObject,
) -> Result<impl IntoResponse, Problem> {
    let mut known = FIELDS.to_vec();
    known.push("employer_id");
    let mut read_only = READ_ONLY.to_vec();
    read_only.push("version");
    let mut f = Fields::new(&map, &known, &read_only);
    let employer_id = f.integer("employer_id", 1, i64::MAX);
    if !map.contains_key("employer_id") {
        f.errors
            .add("employer_id", "required", "employer_id is required");
    }
    let input = overlay(&mut f, NeedInput::default());
    let input = checked(f, input)?;
    let n = state
        .store
        .create_need(&caller.ctx, employer_id.unwrap_or(0), &input)
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
    JsonObject(map): JsonObject,
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
    let mut known = FIELDS.to_vec();
    known.push("version");
    let mut read_only = READ_ONLY.to_vec();
    read_only.push("employer_id");
    let mut f = Fields::new(&map, &known, &read_only);
    let version = f.integer("version", 1, i64::MAX);
    if !map.contains_key("version") {
        f.errors.add("version", "required", "version is required");
    }
    let current = state.store.read_need(&caller.ctx, id).await?;
    let input = overlay(&mut f, current.to_input());
    let input = checked(f, input)?;
    let n = state
        .store
        .update_need(&caller.ctx, id, &input, version.unwrap_or(0))
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
    JsonObject(map): JsonObject,
) -> Result<Json<NeedOut>, Problem> {
    let id = parse_id(id)?;
    let mut f = Fields::new(&map, &["workplace_id", "version"], &[]);
    let workplace_id = f.nullable_i64("workplace_id").flatten();
    let version = f.nullable_i64("version").flatten();
    if !f.errors.is_empty() {
        return Err(Problem::validation(f.errors));
    }
    let n = state
        .store
        .triage_need(&caller.ctx, id, workplace_id, version)
        .await?;
    Ok(Json(n.into()))
}
