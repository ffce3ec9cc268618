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
use crate::kernel::json::{null_as_default, Body};
use crate::kernel::session::ApiCaller;
use crate::participants::api::parse_id;
use crate::AppState;
use axum::extract::rejection::PathRejection;
use axum::extract::{Path, State};
use axum::routing::{get, post};
use axum::{Json, Router};
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use vagar_domain::competence::{ExperienceInput, LanguageInput, Occupation, ProfileInput};
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

/// The whole profile (absent fields are empty) and the version it replaces.
#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
#[serde(default)]
pub struct ProfileIn {
    /// The stored version; 0 to create the profile.
    #[schema(nullable = false, minimum = 0)]
    version: Option<i64>,
    /// At most 20.
    #[serde(deserialize_with = "null_as_default")]
    #[schema(value_type = Option<Vec<ExperienceInput>>, max_items = 50)]
    experiences: Vec<ExperienceInput>,
    /// SUN 2020 level code.
    education_level: Option<String>,
    /// SUN 2020 field code.
    education_field: Option<String>,
    foreign_education: Option<bool>,
    /// not_applicable, not_started, in_progress, validated or not_validated
    foreign_validation: Option<String>,
    /// Skill concept ids or labels, at most 50.
    #[serde(deserialize_with = "null_as_default")]
    #[schema(value_type = Option<Vec<String>>, max_items = 50)]
    skills: Vec<String>,
    /// At most 20.
    #[serde(deserialize_with = "null_as_default")]
    #[schema(value_type = Option<Vec<LanguageInput>>, max_items = 50)]
    languages: Vec<LanguageInput>,
    /// sfi_a … sfi_d, a1 … c2 or native
    swedish_level: Option<String>,
    /// Licence classes, e.g. B, C, CE, TAXI.
    #[serde(deserialize_with = "null_as_default")]
    #[schema(value_type = Option<Vec<String>>, max_items = 50)]
    driving_licences: Vec<String>,
    /// Free text, at most 20 of at most 200 characters.
    #[serde(deserialize_with = "null_as_default")]
    #[schema(value_type = Option<Vec<String>>, max_items = 50)]
    certificates: Vec<String>,
    /// Occupation names or SSYK groups, at most 10.
    #[serde(deserialize_with = "null_as_default")]
    #[schema(value_type = Option<Vec<String>>, max_items = 50)]
    wished_occupations: Vec<String>,
}

impl ProfileIn {
    fn into_input(self) -> (i64, ProfileInput) {
        let input = ProfileInput {
            experiences: self.experiences,
            education_level: self.education_level,
            education_field: self.education_field,
            foreign_education: self.foreign_education,
            foreign_validation: self.foreign_validation,
            skills: self.skills,
            languages: self.languages,
            swedish_level: self.swedish_level,
            driving_licences: self.driving_licences,
            certificates: self.certificates,
            wished_occupations: self.wished_occupations,
        };
        (self.version.unwrap_or_default(), input)
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
    body: Body<ProfileIn, ProfileOut>,
) -> Result<Json<ProfileOut>, Problem> {
    let id = parse_id(id)?;
    let (version, input) = body
        .require("version", |b| b.version.is_some())
        .into_result()?
        .into_input();
    let p = state
        .store
        .save_competence(&caller.ctx, id, version, &input)
        .await?;
    Ok(Json(ProfileOut::new(id, Some(&p), true)))
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

/// Search the competence database: ranked by occupation fit, then skill coverage.
#[utoipa::path(post, path = "/api/v1/competence-search", tag = "competence",
    request_body = SearchInput,
    responses((status = 200, body = SearchOut), (status = 400, body = Problem),
              (status = 401, body = Problem), (status = 403, body = Problem),
              (status = 415, body = Problem), (status = 422, body = Problem)))]
pub async fn search(
    State(state): State<AppState>,
    caller: ApiCaller,
    body: Body<SearchInput>,
) -> Result<Json<SearchOut>, Problem> {
    let input = body.into_result()?;
    let r = state.store.search_competence(&caller.ctx, &input).await?;
    Ok(Json(r.into()))
}
