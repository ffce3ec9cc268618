//! The competence database (kompetensdatabas):
//! `GET/PUT /api/v1/participants/{id}/competence` — the participant's
//! competence profile (experience, education, skills, languages, Swedish,
//! licences, certificates, wished occupations), saved whole with a version
//! check — and `POST /api/v1/competence-search`, the coordinators' search.
//!
//! Access: the profile is personal data behind the participant policy
//! (readers as for the assessment; caseworkers who may update save it). The
//! search (employer coordinators, caseworkers, admins) answers pseudonymous
//! hits; a hit carries a name and participant id only where a consent in
//! force names the organisation of the employer given as `employer_id`.
//! POST keeps the criteria out of URLs and logs.

use crate::kernel::error::Problem;
use crate::kernel::json::{Fields, JsonObject};
use crate::kernel::session::ApiCaller;
use crate::participants::api::parse_id;
use crate::AppState;
use axum::extract::rejection::PathRejection;
use axum::extract::{Path, State};
use axum::routing::{get, post};
use axum::{Json, Router};
use chrono::{DateTime, Utc};
use serde::Serialize;
use serde_json::{Map, Value};
use vagar_domain::competence::{ExperienceInput, LanguageInput, Occupation, ProfileInput};
use vagar_domain::ValidationErrors;
use vagar_store::competence::{Hit, Profile, ProfileView, SearchInput, SearchResult};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/participants/{id}/competence", get(read).put(save))
        .route("/competence-search", post(search))
}

/// An occupation: an occupation name (concept id) or a whole SSYK group.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct OccupationOut {
    /// SSYK 2012 level-4 code.
    pub ssyk_code: String,
    /// The occupation name's concept id; null for a whole SSYK group.
    pub concept_id: Option<String>,
    pub label: String,
}

impl From<&Occupation> for OccupationOut {
    fn from(o: &Occupation) -> Self {
        OccupationOut {
            ssyk_code: o.ssyk_code.clone(),
            concept_id: o.concept_id.clone(),
            label: o.label.clone(),
        }
    }
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ExperienceOut {
    pub occupation: OccupationOut,
    pub years: i64,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ConceptOut {
    pub concept_id: String,
    pub label: String,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct LanguageOut {
    pub concept_id: String,
    pub label: String,
    /// basic, good, fluent or native
    pub level: String,
}

/// A participant's competence profile.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ProfileOut {
    pub participant_id: i64,
    /// The pseudonym shown in searches ('K-' and 8 characters).
    pub profile_code: String,
    /// Send it back with PUT; 0 when no profile is registered yet.
    pub version: i64,
    /// False when no profile is registered yet (everything else is empty).
    pub exists: bool,
    pub experiences: Vec<ExperienceOut>,
    /// SUN 2020 level code.
    pub education_level: Option<String>,
    /// SUN 2020 field code.
    pub education_field: Option<String>,
    pub foreign_education: bool,
    /// not_applicable, not_started, in_progress, validated or not_validated
    pub foreign_validation: String,
    pub skills: Vec<ConceptOut>,
    pub languages: Vec<LanguageOut>,
    /// sfi_a … sfi_d, a1 … c2 or native
    pub swedish_level: Option<String>,
    pub driving_licences: Vec<String>,
    pub certificates: Vec<String>,
    pub wished_occupations: Vec<OccupationOut>,
    /// Experiences short of people in the participant's county.
    pub shortage_occupations: Vec<String>,
    pub shortage: bool,
    pub updated_at: Option<DateTime<Utc>>,
    pub updated_by_username: Option<String>,
    /// Whether the caller may save the profile.
    pub may_update: bool,
}

impl ProfileOut {
    pub fn new(participant_id: i64, p: Option<&Profile>, may_update: bool) -> ProfileOut {
        let Some(p) = p else {
            return ProfileOut {
                participant_id,
                profile_code: String::new(),
                version: 0,
                exists: false,
                experiences: vec![],
                education_level: None,
                education_field: None,
                foreign_education: false,
                foreign_validation: "not_applicable".into(),
                skills: vec![],
                languages: vec![],
                swedish_level: None,
                driving_licences: vec![],
                certificates: vec![],
                wished_occupations: vec![],
                shortage_occupations: vec![],
                shortage: false,
                updated_at: None,
                updated_by_username: None,
                may_update,
            };
        };
        let d = &p.data;
        ProfileOut {
            participant_id,
            profile_code: p.profile_code.clone(),
            version: p.version,
            exists: true,
            experiences: d
                .experiences
                .iter()
                .map(|x| ExperienceOut {
                    occupation: (&x.occupation).into(),
                    years: x.years,
                })
                .collect(),
            education_level: d.education_level.clone(),
            education_field: d.education_field.clone(),
            foreign_education: d.foreign_education,
            foreign_validation: d
                .foreign_validation
                .map(|v| v.as_str())
                .unwrap_or("not_applicable")
                .into(),
            skills: d
                .skills
                .iter()
                .map(|c| ConceptOut {
                    concept_id: c.concept_id.clone(),
                    label: c.label.clone(),
                })
                .collect(),
            languages: d
                .languages
                .iter()
                .map(|l| LanguageOut {
                    concept_id: l.language.concept_id.clone(),
                    label: l.language.label.clone(),
                    level: l.level.as_str().into(),
                })
                .collect(),
            swedish_level: d.swedish_level.map(|s| s.as_str().into()),
            driving_licences: d.driving_licences.clone(),
            certificates: d.certificates.clone(),
            wished_occupations: d.wished_occupations.iter().map(Into::into).collect(),
            shortage: !p.shortage_occupations.is_empty(),
            shortage_occupations: p.shortage_occupations.clone(),
            updated_at: Some(p.updated_at),
            updated_by_username: Some(p.updated_by_username.clone()),
            may_update,
        }
    }

    fn from_view(participant_id: i64, v: &ProfileView) -> ProfileOut {
        ProfileOut::new(participant_id, v.profile.as_ref(), v.may_update)
    }
}

#[allow(dead_code)]
#[derive(utoipa::ToSchema)]
pub struct ExperienceIn {
    /// An occupation name or SSYK level-4 group: concept id, code or label.
    occupation: String,
    /// 0–60.
    years: Option<i64>,
}

#[allow(dead_code)]
#[derive(utoipa::ToSchema)]
pub struct LanguageIn {
    /// Concept id or label.
    language: String,
    /// basic, good, fluent or native
    level: String,
}

/// The whole profile (absent fields are empty) and the version it replaces.
#[allow(dead_code)]
#[derive(utoipa::ToSchema)]
pub struct ProfileIn {
    /// The stored version; 0 to create the profile.
    version: i64,
    /// At most 20.
    experiences: Option<Vec<ExperienceIn>>,
    /// SUN 2020 level code.
    education_level: Option<String>,
    /// SUN 2020 field code.
    education_field: Option<String>,
    foreign_education: Option<bool>,
    /// not_applicable, not_started, in_progress, validated or not_validated
    foreign_validation: Option<String>,
    /// Skill concept ids or labels, at most 50.
    skills: Option<Vec<String>>,
    /// At most 20.
    languages: Option<Vec<LanguageIn>>,
    /// sfi_a … sfi_d, a1 … c2 or native
    swedish_level: Option<String>,
    /// Licence classes, e.g. B, C, CE, TAXI.
    driving_licences: Option<Vec<String>>,
    /// Free text, at most 20 of at most 200 characters.
    certificates: Option<Vec<String>>,
    /// Occupation names or SSYK groups, at most 10.
    wished_occupations: Option<Vec<String>>,
}

const FIELDS: &[&str] = &[
    "version",
    "experiences",
    "education_level",
    "education_field",
    "foreign_education",
    "foreign_validation",
    "skills",
    "languages",
    "swedish_level",
    "driving_licences",
    "certificates",
    "wished_occupations",
];

const READ_ONLY: &[&str] = &[
    "participant_id",
    "profile_code",
    "exists",
    "shortage",
    "shortage_occupations",
    "updated_at",
    "updated_by_username",
    "may_update",
];

fn text(f: &mut Fields<'_>, key: &str) -> Option<String> {
    f.nullable_string(key).flatten()
}

/// An array of objects, each read by `one` with its errors renamed `key[i].field`.
fn objects<T>(
    f: &mut Fields<'_>,
    key: &str,
    known: &[&str],
    one: impl Fn(&mut Fields<'_>) -> T,
) -> Vec<T> {
    let items = match f.map.get(key) {
        None | Some(Value::Null) => return vec![],
        Some(Value::Array(items)) if items.len() <= 50 => items,
        Some(_) => {
            f.errors.add(
                key,
                "type",
                format!("{key} must be an array of at most 50 objects"),
            );
            return vec![];
        }
    };
    let mut out = Vec::new();
    for (i, item) in items.iter().enumerate() {
        let name = format!("{key}[{i}]");
        let Value::Object(m) = item else {
            f.errors
                .add(&name, "type", format!("{name} must be an object"));
            continue;
        };
        let mut inner = Fields::new(m, known, &[]);
        let v = one(&mut inner);
        for mut e in inner.errors.0 {
            e.field = format!("{name}.{}", e.field);
            e.message = format!("{name}.{}", e.message);
            f.errors.0.push(e);
        }
        out.push(v);
    }
    out
}

fn parse_profile(map: &Map<String, Value>) -> Result<(i64, ProfileInput), Problem> {
    let mut f = Fields::new(map, FIELDS, READ_ONLY);
    let version = f.integer("version", 0, i64::MAX);
    if !f.map.contains_key("version") {
        f.errors.add(
            "version",
            "required",
            "version is required (0 to create the profile)",
        );
    }
    let input = ProfileInput {
        experiences: objects(&mut f, "experiences", &["occupation", "years"], |g| {
            ExperienceInput {
                occupation: text(g, "occupation"),
                years: g.nullable_i64("years").flatten(),
            }
        }),
        education_level: text(&mut f, "education_level"),
        education_field: text(&mut f, "education_field"),
        foreign_education: f.nullable_bool("foreign_education").flatten(),
        foreign_validation: text(&mut f, "foreign_validation"),
        skills: f.strings("skills").unwrap_or_default(),
        languages: objects(&mut f, "languages", &["language", "level"], |g| {
            LanguageInput {
                language: text(g, "language"),
                level: text(g, "level"),
            }
        }),
        swedish_level: text(&mut f, "swedish_level"),
        driving_licences: f.strings("driving_licences").unwrap_or_default(),
        certificates: f.strings("certificates").unwrap_or_default(),
        wished_occupations: f.strings("wished_occupations").unwrap_or_default(),
    };
    match (f.errors.is_empty(), version) {
        (true, Some(v)) => Ok((v, input)),
        _ => Err(Problem::validation(f.errors)),
    }
}

/// The participant's competence profile (`exists: false` when none yet).
#[utoipa::path(get, path = "/api/v1/participants/{id}/competence", tag = "competence",
    params(("id" = i64, Path)),
    responses((status = 200, body = ProfileOut), (status = 401, body = Problem),
              (status = 403, body = Problem),
              (status = 404, body = Problem, description = "No such participant for you, or no consent covering assessment")))]
pub async fn read(
    State(state): State<AppState>,
    caller: ApiCaller,
    id: Result<Path<String>, PathRejection>,
) -> Result<Json<ProfileOut>, Problem> {
    let id = parse_id(id)?;
    let v = state.store.read_competence(&caller.ctx, id).await?;
    Ok(Json(ProfileOut::from_view(id, &v)))
}

/// Save the whole profile (replaces the previous one) when `version` is current.
#[utoipa::path(put, path = "/api/v1/participants/{id}/competence", tag = "competence",
    params(("id" = i64, Path)), request_body = ProfileIn,
    responses((status = 200, body = ProfileOut), (status = 400, body = Problem),
              (status = 401, body = Problem), (status = 403, body = Problem),
              (status = 404, body = Problem),
              (status = 409, body = Problem, description = "version is not the stored version"),
              (status = 413, body = Problem), (status = 415, body = Problem),
              (status = 422, body = Problem)))]
pub async fn save(
    State(state): State<AppState>,
    caller: ApiCaller,
    id: Result<Path<String>, PathRejection>,
    JsonObject(map): JsonObject,
) -> Result<Json<ProfileOut>, Problem> {
    let id = parse_id(id)?;
    let (version, input) = parse_profile(&map)?;
    let p = state
        .store
        .save_competence(&caller.ctx, id, version, &input)
        .await?;
    Ok(Json(ProfileOut::new(id, Some(&p), true)))
}

/// Competence search criteria; every one optional.
#[allow(dead_code)]
#[derive(utoipa::ToSchema)]
pub struct SearchIn {
    /// Occupation name or SSYK level-4 group (concept id, code or label).
    /// Matches the same occupation, the same SSYK 3 group, occupations the
    /// taxonomy calls substitutable, and the same SSYK 2 group, in that order.
    occupation: Option<String>,
    /// Skill concept ids or labels, at most 20.
    skills: Option<Vec<String>>,
    /// all (default) or any
    skill_mode: Option<String>,
    /// At least this Swedish level: sfi_a … sfi_d, a1 … c2 or native.
    min_swedish_level: Option<String>,
    /// Stockholm district (stadsdelsområde).
    district: Option<String>,
    /// A licence class the person must hold, e.g. B.
    driving_licence: Option<String>,
    /// Search on behalf of this employer: hits whose participant has a
    /// consent in force naming the employer's organisation carry the name.
    employer_id: Option<i64>,
    /// 1–200, default 50.
    limit: Option<i64>,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct HitExperienceOut {
    pub label: String,
    pub ssyk_code: String,
    pub years: i64,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct HitLanguageOut {
    pub label: String,
    pub level: String,
}

/// One hit: pseudonymous unless identified under a consent.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct HitOut {
    pub profile_code: String,
    /// Only under a consent naming the employer's organisation.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub participant_id: Option<i64>,
    /// First and last name, only under such a consent.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    pub identified: bool,
    pub district: Option<String>,
    pub county_code: Option<String>,
    pub swedish_level: Option<String>,
    pub experiences: Vec<HitExperienceOut>,
    pub skills: Vec<String>,
    pub languages: Vec<HitLanguageOut>,
    pub driving_licences: Vec<String>,
    /// exact, same_ssyk3, substitutable or same_ssyk2; null when no occupation was sought.
    pub fit: Option<String>,
    pub fit_score: i64,
    /// Share of the sought skills held, in per cent.
    pub skill_coverage: i64,
    /// Why it matched, e.g. "substitutable: Barnskötare → Elevassistent 75 %".
    pub reasons: Vec<String>,
    /// An experience is short of people in the participant's county.
    pub shortage: bool,
}

impl From<Hit> for HitOut {
    fn from(h: Hit) -> HitOut {
        HitOut {
            profile_code: h.profile_code,
            identified: h.name.is_some(),
            participant_id: h.participant_id,
            name: h.name,
            district: h.district,
            county_code: h.county_code,
            swedish_level: h.swedish_level.map(|s| s.as_str().into()),
            experiences: h
                .experiences
                .into_iter()
                .map(|x| HitExperienceOut {
                    label: x.label,
                    ssyk_code: x.ssyk_code,
                    years: x.years,
                })
                .collect(),
            skills: h.skills,
            languages: h
                .languages
                .into_iter()
                .map(|(label, level)| HitLanguageOut {
                    label,
                    level: level.as_str().into(),
                })
                .collect(),
            driving_licences: h.driving_licences,
            fit: h.fit,
            fit_score: h.fit_score,
            skill_coverage: h.skill_coverage,
            reasons: h.reasons,
            shortage: h.shortage,
        }
    }
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct SearchOut {
    pub items: Vec<HitOut>,
    /// Profiles matching the criteria; `items` are the best of them.
    pub total: i64,
    /// The sought occupation as understood.
    pub occupation: Option<OccupationOut>,
}

impl From<SearchResult> for SearchOut {
    fn from(r: SearchResult) -> SearchOut {
        SearchOut {
            occupation: r.occupation.as_ref().map(Into::into),
            total: r.total,
            items: r.hits.into_iter().map(Into::into).collect(),
        }
    }
}

const SEARCH_FIELDS: &[&str] = &[
    "occupation",
    "skills",
    "skill_mode",
    "min_swedish_level",
    "district",
    "driving_licence",
    "employer_id",
    "limit",
];

fn parse_search(map: &Map<String, Value>) -> Result<SearchInput, ValidationErrors> {
    let mut f = Fields::new(map, SEARCH_FIELDS, &[]);
    let input = SearchInput {
        occupation: text(&mut f, "occupation"),
        skills: f.strings("skills").unwrap_or_default(),
        skill_mode: text(&mut f, "skill_mode"),
        min_swedish_level: text(&mut f, "min_swedish_level"),
        district: text(&mut f, "district"),
        driving_licence: text(&mut f, "driving_licence"),
        employer_id: f.nullable_i64("employer_id").flatten(),
        limit: f.nullable_i64("limit").flatten(),
    };
    f.errors.into_result(input)
}

/// Search the competence database: ranked by occupation fit, then skill coverage.
#[utoipa::path(post, path = "/api/v1/competence-search", tag = "competence",
    request_body = SearchIn,
    responses((status = 200, body = SearchOut), (status = 400, body = Problem),
              (status = 401, body = Problem), (status = 403, body = Problem),
              (status = 415, body = Problem), (status = 422, body = Problem)))]
pub async fn search(
    State(state): State<AppState>,
    caller: ApiCaller,
    JsonObject(map): JsonObject,
) -> Result<Json<SearchOut>, Problem> {
    let input = parse_search(&map).map_err(Problem::validation)?;
    let r = state.store.search_competence(&caller.ctx, &input).await?;
    Ok(Json(r.into()))
}
