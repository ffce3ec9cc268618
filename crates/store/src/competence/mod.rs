//! The competence database (kompetensdatabas): participants' competence
//! profiles and the search coordinators use to match people to employers.
//! Rules live in `vagar_domain::competence`.
//!
//! A profile is the participant's personal data, so it is behind the
//! participant policy like the assessment: reading needs
//! `ParticipantAction::Read` (and, for a reader holding the participant by
//! consent, a consent covering `assessment`), saving needs `Update`. Events:
//! `competence.read`, `competence.update`.
//!
//! The search is `GlobalAction::CompetenceSearch` over every profile. Hits
//! are pseudonymous (profile code); the name and participant id are added
//! only where a consent in force names the organisation of the employer the
//! search is made for. The event names every participant returned and which
//! were identified under which consent.

mod search;
mod seed;

use crate::access::{record_system, Permit, SYSTEM};
use crate::audit::Tx;
use crate::kernel::sql::{Arg, Sql};
use crate::{from_micros, get, micros, Ctx, Result, Store, StoreError};
use chrono::{DateTime, Utc};
use std::collections::{HashMap, HashSet};
use vagar_domain::access::{GlobalAction, ParticipantAction};
use vagar_domain::competence::{
    best_fit, profile_code, skill_coverage, swedish_rank, Concept, Experience, Fit, LanguageLevel,
    LanguageSkill, Occupation, ProfileData, ProfileInput, Resolved, Target, ValidationStatus,
};
use vagar_domain::consent::DataCategory;
use vagar_domain::participants::SwedishLevel;
use vagar_domain::ValidationErrors;

/// A stored profile.
#[derive(Debug, Clone)]
pub struct Profile {
    pub participant_id: i64,
    pub profile_code: String,
    pub data: ProfileData,
    pub version: i64,
    pub updated_at: DateTime<Utc>,
    pub updated_by: i64,
    pub updated_by_username: String,
    /// Labels of the person's experiences that are short of people in the
    /// participant's county (newest Yrkesbarometer round).
    pub shortage_occupations: Vec<String>,
}

/// A profile as one reader sees it.
#[derive(Debug, Clone)]
pub struct ProfileView {
    /// `None` when no profile is registered yet.
    pub profile: Option<Profile>,
    pub may_update: bool,
}

/// All or any of the sought skills.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum SkillMode {
    #[default]
    All,
    Any,
}

/// What a competence search asks for (also the API body's shape; every
/// criterion optional); texts are resolved like the profile's.
#[derive(Debug, Clone, Default, serde::Serialize, serde::Deserialize, utoipa::ToSchema)]
#[serde(default)]
pub struct SearchInput {
    /// Occupation name or SSYK level-4 group (concept id, code or label).
    /// Matches the same occupation, the same SSYK 3 group, occupations the
    /// taxonomy calls substitutable, and the same SSYK 2 group, in that order.
    pub occupation: Option<String>,
    /// Skill concept ids or labels, at most 20.
    #[serde(deserialize_with = "vagar_domain::input::null_as_default")]
    #[schema(value_type = Option<Vec<String>>, max_items = 50)]
    pub skills: Vec<String>,
    /// all (default) or any
    pub skill_mode: Option<String>,
    /// At least this Swedish level: sfi_a … sfi_d, a1 … c2 or native.
    pub min_swedish_level: Option<String>,
    /// Stockholm district (stadsdelsområde).
    pub district: Option<String>,
    /// A licence class the person must hold, e.g. B.
    pub driving_licence: Option<String>,
    /// Search on behalf of this employer: hits whose participant has a
    /// consent in force naming the employer's organisation carry the name.
    pub employer_id: Option<i64>,
    /// 1–200, default 50.
    pub limit: Option<i64>,
}

#[derive(Debug, Clone)]
pub struct HitExperience {
    pub label: String,
    pub ssyk_code: String,
    pub years: i64,
}

/// One search hit. `participant_id` and `name` are `Some` only under a consent.
#[derive(Debug, Clone)]
pub struct Hit {
    pub profile_code: String,
    pub participant_id: Option<i64>,
    pub name: Option<String>,
    pub consent_id: Option<i64>,
    pub district: Option<String>,
    pub county_code: Option<String>,
    pub swedish_level: Option<SwedishLevel>,
    pub experiences: Vec<HitExperience>,
    pub skills: Vec<String>,
    pub languages: Vec<(String, LanguageLevel)>,
    pub driving_licences: Vec<String>,
    /// exact, same_ssyk3, substitutable or same_ssyk2 (`None`: no occupation sought).
    pub fit: Option<String>,
    pub fit_score: i64,
    pub skill_coverage: i64,
    pub reasons: Vec<String>,
    pub shortage: bool,
}

#[derive(Debug, Clone)]
pub struct SearchResult {
    pub hits: Vec<Hit>,
    /// Profiles matching the criteria (the hits are the best `limit` of them).
    pub total: i64,
    /// The sought occupation as resolved.
    pub occupation: Option<Occupation>,
}

pub const SEARCH_LIMIT_DEFAULT: i64 = 50;
pub const SEARCH_LIMIT_MAX: i64 = 200;

fn licences_column(l: &[String]) -> String {
    if l.is_empty() {
        String::new()
    } else {
        format!(" {} ", l.join(" "))
    }
}

fn bad(what: &str) -> StoreError {
    StoreError::Other(format!("stored competence profile has an invalid {what}"))
}

fn county_of(municipality: &str) -> Option<String> {
    vagar_domain::geo::municipality(municipality).map(|m| m.county_code.to_string())
}

/// Occupations short of people, newest round per occupation and county.
#[derive(Debug, Default)]
struct Shortage {
    concepts: HashSet<(String, String)>,
    ssyk: HashSet<(String, String)>,
}

impl Shortage {
    fn is_short(&self, o_concept: Option<&str>, o_ssyk: &str, county: &str) -> bool {
        o_concept.is_some_and(|c| self.concepts.contains(&(c.to_string(), county.to_string())))
            || self
                .ssyk
                .contains(&(o_ssyk.to_string(), county.to_string()))
    }
}

async fn load_shortage<'e, E>(exec: E, counties: &[String]) -> Result<Shortage>
where
    E: sqlx::Executor<'e, Database = sqlx::Any>,
{
    let mut s = Shortage::default();
    if counties.is_empty() {
        return Ok(s);
    }
    let mut sql = Sql::new(
        "SELECT s.concept_id, s.ssyk_code, s.county_code FROM shortage_occupations s \
         WHERE s.recruitment_situation = 'shortage' AND s.county_code IN (",
    );
    sql.bind_texts(counties);
    sql.push(
        ") AND s.round = (SELECT MAX(s2.round) FROM shortage_occupations s2 \
         WHERE s2.concept_id = s.concept_id AND s2.county_code = s.county_code)",
    );
    for row in sql.query().fetch_all(exec).await? {
        let county: String = get(&row, "county_code")?;
        s.concepts
            .insert((get(&row, "concept_id")?, county.clone()));
        s.ssyk.insert((get(&row, "ssyk_code")?, county));
    }
    Ok(s)
}

impl Store {
    /// Look up every occupation, skill and language text of `input` in the
    /// taxonomy (open data: not audited), for `ProfileData::from_input`.
    pub async fn resolve_profile_input(&self, input: &ProfileInput) -> Result<Resolved> {
        let mut r = Resolved::default();
        let occupations = input
            .experiences
            .iter()
            .filter_map(|x| x.occupation.clone())
            .chain(input.wished_occupations.iter().cloned());
        for text in occupations {
            let t = text.trim().to_string();
            if t.is_empty() || r.occupations.contains_key(&t) {
                continue;
            }
            if let Some(hit) = self.resolve_occupation(&t).await? {
                r.occupations.insert(t, occupation_of(&hit));
            }
        }
        for text in &input.skills {
            let t = text.trim().to_string();
            if t.is_empty() || r.skills.contains_key(&t) {
                continue;
            }
            if let Some(hit) = self.resolve_skill(&t).await? {
                r.skills.insert(
                    t,
                    Concept {
                        concept_id: hit.concept_id,
                        label: hit.label,
                    },
                );
            }
        }
        for l in &input.languages {
            let Some(t) = l
                .language
                .as_deref()
                .map(str::trim)
                .filter(|t| !t.is_empty())
            else {
                continue;
            };
            if r.languages.contains_key(t) {
                continue;
            }
            if let Some(c) = self.resolve_language(t).await? {
                r.languages.insert(t.to_string(), c);
            }
        }
        for c in self.classification("sun_level").await? {
            r.sun_levels.insert(c.code);
        }
        for c in self.classification("sun_field").await? {
            r.sun_fields.insert(c.code);
        }
        Ok(r)
    }

    /// A language by concept id or by its label (accents and case ignored).
    pub async fn resolve_language(&self, input: &str) -> Result<Option<Concept>> {
        let row = sqlx::query("SELECT concept_id, label FROM languages WHERE concept_id = $1")
            .bind(input)
            .fetch_optional(&self.pool)
            .await?;
        if let Some(r) = row {
            return Ok(Some(Concept {
                concept_id: get(&r, "concept_id")?,
                label: get(&r, "label")?,
            }));
        }
        let key = vagar_domain::taxonomy::search_key(input);
        Ok(self
            .search_languages(input, 200)
            .await?
            .into_iter()
            .find(|h| vagar_domain::taxonomy::search_key(&h.label) == key)
            .map(|h| Concept {
                concept_id: h.concept_id,
                label: h.label,
            }))
    }

    /// Decide reading the profile and audit it as `competence.read`: `Read`
    /// on the participant, and for a consent-based reader a consent covering
    /// `assessment` (else 404, audited as denied).
    async fn authorize_competence_read(&self, ctx: &Ctx, participant_id: i64) -> Result<Tx> {
        let (tx, _permit) = self
            .authorize_category_read(
                ctx,
                participant_id,
                "competence.read",
                DataCategory::Assessment,
                None,
            )
            .await?;
        Ok(tx)
    }

    /// The participant's profile (audited); `profile: None` when none yet.
    pub async fn read_competence(&self, ctx: &Ctx, participant_id: i64) -> Result<ProfileView> {
        let mut tx = self.authorize_competence_read(ctx, participant_id).await?;
        let profile = load_profile(&mut tx, participant_id).await?;
        let may_update = crate::access::participants::check_participants(
            &mut tx,
            ctx,
            ParticipantAction::Update,
            &[participant_id],
        )
        .await?[0]
            .is_some();
        tx.commit().await?;
        Ok(ProfileView {
            profile,
            may_update,
        })
    }

    /// Save the whole profile, replacing the previous one, when `version` is
    /// the stored version (0: none yet). Needs `Update` on the participant;
    /// invalid input or a stale version leaves nothing behind.
    pub async fn save_competence(
        &self,
        ctx: &Ctx,
        participant_id: i64,
        version: i64,
        input: &ProfileInput,
    ) -> Result<Profile> {
        let (mut tx, permit) = self
            .authorize_participant(ctx, ParticipantAction::Update, participant_id)
            .await?;
        // Taxonomy lookups read open data on other connections; the
        // transaction holds only the audit head so far.
        let resolved = self.resolve_profile_input(input).await?;
        let data = ProfileData::from_input(input, &resolved).map_err(StoreError::Validation)?;
        permit
            .record(&mut tx, ctx, "competence.update", "", &[participant_id])
            .await?;
        let code = random_unused_code(&mut tx).await?;
        write_profile(
            &mut tx,
            participant_id,
            Some(version),
            &data,
            &code,
            ctx.actor.user_id,
            micros(ctx.now),
        )
        .await?;
        let profile = load_profile(&mut tx, participant_id)
            .await?
            .ok_or(StoreError::NotFound)?;
        tx.commit().await?;
        Ok(profile)
    }

    /// The sought occupation with the names it stands for and the
    /// occupations that can substitute for it.
    async fn target_of(&self, hit: &crate::taxonomy::OccupationHit) -> Result<Target> {
        let mut t = Target {
            ssyk_code: hit.ssyk_code.clone(),
            ..Default::default()
        };
        let mut sql = Sql::new(
            "SELECT os.experience_id, os.percentage, n.label FROM occupation_substitutes os \
             JOIN occupation_names n ON n.concept_id = os.target_id WHERE ",
        );
        if hit.kind == "occupation_name" {
            t.concept_ids.insert(hit.concept_id.clone());
            sql.push("os.target_id = ")
                .bind(Arg::Text(hit.concept_id.clone()));
        } else {
            let rows = sqlx::query("SELECT concept_id FROM occupation_names WHERE ssyk_code = $1")
                .bind(&hit.ssyk_code)
                .fetch_all(&self.pool)
                .await?;
            for r in rows {
                t.concept_ids.insert(get(&r, "concept_id")?);
            }
            sql.push("n.ssyk_code = ")
                .bind(Arg::Text(hit.ssyk_code.clone()));
        }
        for row in sql.query().fetch_all(&self.pool).await? {
            let exp: String = get(&row, "experience_id")?;
            let pct: i64 = get(&row, "percentage")?;
            let pct = pct.clamp(0, 100) as u8;
            let label: String = get(&row, "label")?;
            let keep = t.substitutes.get(&exp).is_none_or(|(_, p)| *p < pct);
            if keep && !t.concept_ids.contains(&exp) {
                t.substitutes.insert(exp, (label, pct));
            }
        }
        Ok(t)
    }
}

fn occupation_of(hit: &crate::taxonomy::OccupationHit) -> Occupation {
    Occupation {
        ssyk_code: hit.ssyk_code.clone(),
        concept_id: (hit.kind == "occupation_name").then(|| hit.concept_id.clone()),
        label: hit.label.clone(),
    }
}

async fn random_unused_code(tx: &mut Tx) -> Result<String> {
    for _ in 0..5 {
        let code = profile_code(rand::random::<[u8; 8]>());
        let row =
            sqlx::query("SELECT COUNT(*) AS n FROM competence_profiles WHERE profile_code = $1")
                .bind(&code)
                .fetch_one(&mut **tx)
                .await?;
        if get::<i64>(&row, "n")? == 0 {
            return Ok(code);
        }
    }
    Err(StoreError::Other("no unused profile code found".into()))
}

/// Insert or replace a profile. `expected`: `Some(v)` checks the stored
/// version (0: none yet); `None` (the seed) inserts only. `code` is used
/// only for a new profile: an existing one keeps its code.
async fn write_profile(
    tx: &mut Tx,
    participant_id: i64,
    expected: Option<i64>,
    d: &ProfileData,
    code: &str,
    user_id: i64,
    now: i64,
) -> Result<()> {
    let existing =
        sqlx::query("SELECT id, version FROM competence_profiles WHERE participant_id = $1")
            .bind(participant_id)
            .fetch_optional(&mut **tx)
            .await?;
    let certificates =
        serde_json::to_string(&d.certificates).map_err(|e| StoreError::Other(e.to_string()))?;
    let profile_id: i64 = match existing {
        None => {
            if expected.is_some_and(|v| v != 0) {
                return Err(StoreError::StaleVersion);
            }
            let row = sqlx::query(
                "INSERT INTO competence_profiles (participant_id, profile_code, education_level, \
                 education_field, foreign_education, foreign_validation, swedish_level, swedish_rank, \
                 driving_licences, certificates, version, created_at, updated_at, updated_by) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, 1, $11, $12, $13) RETURNING id",
            )
            .bind(participant_id)
            .bind(code)
            .bind(d.education_level.as_deref())
            .bind(d.education_field.as_deref())
            .bind(i64::from(d.foreign_education))
            .bind(
                d.foreign_validation
                    .unwrap_or(ValidationStatus::NotApplicable)
                    .as_str(),
            )
            .bind(d.swedish_level.map(|l| l.as_str()))
            .bind(swedish_rank(d.swedish_level))
            .bind(licences_column(&d.driving_licences))
            .bind(certificates)
            .bind(now)
            .bind(now)
            .bind(user_id)
            .fetch_one(&mut **tx)
            .await
            .map_err(|e| crate::conflict_on(e, "participant_id", "the participant has a profile"))?;
            get(&row, "id")?
        }
        Some(row) => {
            let id: i64 = get(&row, "id")?;
            let version: i64 = get(&row, "version")?;
            if expected != Some(version) {
                return Err(StoreError::StaleVersion);
            }
            let done = sqlx::query(
                "UPDATE competence_profiles SET education_level = $1, education_field = $2, \
                 foreign_education = $3, foreign_validation = $4, swedish_level = $5, \
                 swedish_rank = $6, driving_licences = $7, certificates = $8, \
                 version = version + 1, updated_at = $9, updated_by = $10 \
                 WHERE id = $11 AND version = $12",
            )
            .bind(d.education_level.as_deref())
            .bind(d.education_field.as_deref())
            .bind(i64::from(d.foreign_education))
            .bind(
                d.foreign_validation
                    .unwrap_or(ValidationStatus::NotApplicable)
                    .as_str(),
            )
            .bind(d.swedish_level.map(|l| l.as_str()))
            .bind(swedish_rank(d.swedish_level))
            .bind(licences_column(&d.driving_licences))
            .bind(certificates)
            .bind(now)
            .bind(user_id)
            .bind(id)
            .bind(version)
            .execute(&mut **tx)
            .await?;
            if done.rows_affected() != 1 {
                return Err(StoreError::StaleVersion);
            }
            for table in [
                "competence_experiences",
                "competence_skills",
                "competence_languages",
                "competence_wishes",
            ] {
                sqlx::query(&format!("DELETE FROM {table} WHERE profile_id = $1"))
                    .bind(id)
                    .execute(&mut **tx)
                    .await?;
            }
            id
        }
    };
    for (i, x) in d.experiences.iter().enumerate() {
        let o = &x.occupation;
        sqlx::query(
            "INSERT INTO competence_experiences (profile_id, position, ssyk_code, ssyk3, ssyk2, \
             concept_id, label, years) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        )
        .bind(profile_id)
        .bind(i as i64)
        .bind(&o.ssyk_code)
        .bind(o.ssyk_code.get(..3).unwrap_or(""))
        .bind(o.ssyk_code.get(..2).unwrap_or(""))
        .bind(o.concept_id.as_deref())
        .bind(&o.label)
        .bind(x.years)
        .execute(&mut **tx)
        .await?;
    }
    for s in &d.skills {
        sqlx::query(
            "INSERT INTO competence_skills (profile_id, skill_id, label) VALUES ($1, $2, $3)",
        )
        .bind(profile_id)
        .bind(&s.concept_id)
        .bind(&s.label)
        .execute(&mut **tx)
        .await?;
    }
    for l in &d.languages {
        sqlx::query(
            "INSERT INTO competence_languages (profile_id, language_id, label, level) \
             VALUES ($1, $2, $3, $4)",
        )
        .bind(profile_id)
        .bind(&l.language.concept_id)
        .bind(&l.language.label)
        .bind(l.level.as_str())
        .execute(&mut **tx)
        .await?;
    }
    for (i, o) in d.wished_occupations.iter().enumerate() {
        sqlx::query(
            "INSERT INTO competence_wishes (profile_id, position, ssyk_code, concept_id, label) \
             VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(profile_id)
        .bind(i as i64)
        .bind(&o.ssyk_code)
        .bind(o.concept_id.as_deref())
        .bind(&o.label)
        .execute(&mut **tx)
        .await?;
    }
    Ok(())
}

async fn load_profile(tx: &mut Tx, participant_id: i64) -> Result<Option<Profile>> {
    let Some(row) = sqlx::query(
        "SELECT cp.id, cp.profile_code, cp.education_level, cp.education_field, \
         cp.foreign_education, cp.foreign_validation, cp.swedish_level, cp.driving_licences, \
         cp.certificates, cp.version, cp.updated_at, cp.updated_by, u.username, p.municipality_code \
         FROM competence_profiles cp JOIN users u ON u.id = cp.updated_by \
         JOIN participants p ON p.id = cp.participant_id WHERE cp.participant_id = $1",
    )
    .bind(participant_id)
    .fetch_optional(&mut **tx)
    .await?
    else {
        return Ok(None);
    };
    let id: i64 = get(&row, "id")?;
    let validation: String = get(&row, "foreign_validation")?;
    let validation = ValidationStatus::parse(&validation).ok_or_else(|| bad("validation"))?;
    let certificates: String = get(&row, "certificates")?;
    let mut data = ProfileData {
        education_level: get(&row, "education_level")?,
        education_field: get(&row, "education_field")?,
        foreign_education: get::<i64>(&row, "foreign_education")? != 0,
        foreign_validation: (validation != ValidationStatus::NotApplicable).then_some(validation),
        swedish_level: get::<Option<String>>(&row, "swedish_level")?
            .map(|s| SwedishLevel::parse(&s).ok_or_else(|| bad("swedish level")))
            .transpose()?,
        driving_licences: get::<String>(&row, "driving_licences")?
            .split_whitespace()
            .map(str::to_string)
            .collect(),
        certificates: serde_json::from_str(&certificates).map_err(|_| bad("certificates"))?,
        ..Default::default()
    };
    for r in sqlx::query(
        "SELECT ssyk_code, concept_id, label, years FROM competence_experiences \
         WHERE profile_id = $1 ORDER BY position",
    )
    .bind(id)
    .fetch_all(&mut **tx)
    .await?
    {
        data.experiences.push(Experience {
            occupation: Occupation {
                ssyk_code: get(&r, "ssyk_code")?,
                concept_id: get(&r, "concept_id")?,
                label: get(&r, "label")?,
            },
            years: get(&r, "years")?,
        });
    }
    for r in sqlx::query(
        "SELECT skill_id, label FROM competence_skills WHERE profile_id = $1 ORDER BY label",
    )
    .bind(id)
    .fetch_all(&mut **tx)
    .await?
    {
        data.skills.push(Concept {
            concept_id: get(&r, "skill_id")?,
            label: get(&r, "label")?,
        });
    }
    for r in sqlx::query(
        "SELECT language_id, label, level FROM competence_languages WHERE profile_id = $1 ORDER BY label",
    )
    .bind(id)
    .fetch_all(&mut **tx)
    .await?
    {
        let level: String = get(&r, "level")?;
        data.languages.push(LanguageSkill {
            language: Concept {
                concept_id: get(&r, "language_id")?,
                label: get(&r, "label")?,
            },
            level: LanguageLevel::parse(&level).ok_or_else(|| bad("language level"))?,
        });
    }
    for r in sqlx::query(
        "SELECT ssyk_code, concept_id, label FROM competence_wishes WHERE profile_id = $1 ORDER BY position",
    )
    .bind(id)
    .fetch_all(&mut **tx)
    .await?
    {
        data.wished_occupations.push(Occupation {
            ssyk_code: get(&r, "ssyk_code")?,
            concept_id: get(&r, "concept_id")?,
            label: get(&r, "label")?,
        });
    }
    let municipality: String = get(&row, "municipality_code")?;
    let mut shortage_occupations = Vec::new();
    if let Some(county) = county_of(&municipality) {
        let s = load_shortage(&mut **tx, std::slice::from_ref(&county)).await?;
        for x in &data.experiences {
            let o = &x.occupation;
            if s.is_short(o.concept_id.as_deref(), &o.ssyk_code, &county)
                && !shortage_occupations.contains(&o.label)
            {
                shortage_occupations.push(o.label.clone());
            }
        }
    }
    Ok(Some(Profile {
        participant_id,
        profile_code: get(&row, "profile_code")?,
        data,
        version: get(&row, "version")?,
        updated_at: from_micros(get(&row, "updated_at")?),
        updated_by: get(&row, "updated_by")?,
        updated_by_username: get(&row, "username")?,
        shortage_occupations,
    }))
}
