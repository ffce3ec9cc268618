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
use vagar_domain::participant::SwedishLevel;
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

/// What a competence search asks for; texts are resolved like the profile's.
#[derive(Debug, Clone, Default)]
pub struct SearchInput {
    pub occupation: Option<String>,
    pub skills: Vec<String>,
    pub skill_mode: Option<String>,
    pub min_swedish_level: Option<String>,
    pub district: Option<String>,
    pub driving_licence: Option<String>,
    /// Search on behalf of this employer: identifies hits under consents
    /// naming its organisation.
    pub employer_id: Option<i64>,
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

    /// Ids of these identity numbers' participants that have no profile
    /// yet (so seeding again adds none twice).
    pub async fn seed_competence_candidates(
        &self,
        identity_numbers: &[String],
    ) -> Result<HashMap<String, i64>> {
        let mut out = HashMap::new();
        for chunk in identity_numbers.chunks(500) {
            let mut sql = Sql::new(
                "SELECT p.id, p.identity_number FROM participants p WHERE p.identity_number IN (",
            );
            sql.bind_texts(chunk);
            sql.push(
                ") AND NOT EXISTS (SELECT 1 FROM competence_profiles cp WHERE cp.participant_id = p.id)",
            );
            for row in sql.query().fetch_all(&self.pool).await? {
                out.insert(get(&row, "identity_number")?, get(&row, "id")?);
            }
        }
        Ok(out)
    }

    /// Insert synthetic profiles (participant id, code, data) recorded by
    /// `user_id`, in one transaction, with one system audit event.
    pub async fn seed_competence(
        &self,
        rows: &[(i64, String, ProfileData)],
        user_id: i64,
        now: DateTime<Utc>,
    ) -> Result<u64> {
        let mut tx = self.begin_audited().await?;
        for (pid, code, data) in rows {
            write_profile(&mut tx, *pid, None, data, code, user_id, micros(now)).await?;
        }
        record_system(
            &mut tx,
            now,
            "seed.competence",
            SYSTEM,
            &format!("{} synthetic competence profiles", rows.len()),
        )
        .await?;
        tx.commit().await?;
        Ok(rows.len() as u64)
    }

    /// Search the competence database (see the module comment for access).
    pub async fn search_competence(&self, ctx: &Ctx, input: &SearchInput) -> Result<SearchResult> {
        let permit = self
            .authorize_global(ctx, GlobalAction::CompetenceSearch)
            .await?;
        let mut errors = ValidationErrors::new();
        let target = match input
            .occupation
            .as_deref()
            .map(str::trim)
            .filter(|t| !t.is_empty())
        {
            None => None,
            Some(t) => match self.resolve_occupation(t).await? {
                Some(hit) => Some((self.target_of(&hit).await?, occupation_of(&hit))),
                None => {
                    errors.add(
                        "occupation",
                        "unknown_occupation",
                        "occupation names no occupation in the taxonomy",
                    );
                    None
                }
            },
        };
        let mut skills: Vec<String> = Vec::new();
        if input.skills.len() > 20 {
            errors.add("skills", "too_many", "skills may have at most 20 entries");
        } else {
            for (i, s) in input.skills.iter().enumerate() {
                let t = s.trim();
                if t.is_empty() {
                    continue;
                }
                match self.resolve_skill(t).await? {
                    Some(c) if !skills.contains(&c.concept_id) => skills.push(c.concept_id),
                    Some(_) => {}
                    None => errors.add(
                        &format!("skills[{i}]"),
                        "unknown_skill",
                        format!("skills[{i}] names no skill in the taxonomy"),
                    ),
                }
            }
        }
        let mode = match input.skill_mode.as_deref().map(str::trim) {
            None | Some("") | Some("all") => SkillMode::All,
            Some("any") => SkillMode::Any,
            Some(_) => {
                errors.add(
                    "skill_mode",
                    "invalid_choice",
                    "skill_mode must be all or any",
                );
                SkillMode::All
            }
        };
        let min_rank = match input
            .min_swedish_level
            .as_deref()
            .map(str::trim)
            .filter(|t| !t.is_empty())
        {
            None => 0,
            Some(v) => match SwedishLevel::parse(v) {
                Some(l) => swedish_rank(Some(l)),
                None => {
                    errors.add(
                        "min_swedish_level",
                        "invalid_choice",
                        "min_swedish_level must be one of: sfi_a, sfi_b, sfi_c, sfi_d, a1, a2, b1, b2, c1, c2, native",
                    );
                    0
                }
            },
        };
        let licence = match input
            .driving_licence
            .as_deref()
            .map(|t| t.trim().to_ascii_uppercase())
            .filter(|t| !t.is_empty())
        {
            None => None,
            Some(l) if vagar_domain::participant::LICENCE_CLASSES.contains(&l.as_str()) => Some(l),
            Some(_) => {
                errors.add(
                    "driving_licence",
                    "invalid_choice",
                    "driving_licence must be a licence class such as B",
                );
                None
            }
        };
        let district = input
            .district
            .as_deref()
            .map(str::trim)
            .filter(|t| !t.is_empty())
            .map(str::to_string);
        let limit = input.limit.unwrap_or(SEARCH_LIMIT_DEFAULT);
        if !(1..=SEARCH_LIMIT_MAX).contains(&limit) {
            errors.add(
                "limit",
                "out_of_range",
                format!("limit must be from 1 to {SEARCH_LIMIT_MAX}"),
            );
        }
        let employer_org = match input.employer_id {
            None => None,
            Some(id) => {
                let row = sqlx::query("SELECT organisation_id FROM employers WHERE id = $1")
                    .bind(id)
                    .fetch_optional(&self.pool)
                    .await?;
                match row {
                    None => {
                        errors.add("employer_id", "not_found", "employer_id names no employer");
                        None
                    }
                    // An employer without an organisation can be named by no
                    // consent: nobody is identified.
                    Some(r) => Some((id, get::<Option<i64>>(&r, "organisation_id")?)),
                }
            }
        };
        if !errors.is_empty() {
            return Err(StoreError::Validation(errors));
        }
        let (target, sought) = match target {
            Some((t, o)) => (Some(t), Some(o)),
            None => (None, None),
        };

        let mut tx = self.begin_audited().await?;

        // 1. Fit per profile from the experiences that can match at all:
        // the same SSYK level-2 group, or a substitute occupation name.
        let mut fits: HashMap<i64, (Fit, String)> = HashMap::new();
        if let Some(t) = &target {
            let ssyk2 = t.ssyk_code.get(..2).unwrap_or("").to_string();
            let subs: Vec<String> = t.substitutes.keys().cloned().collect();
            let mut per_profile: HashMap<i64, Vec<Occupation>> = HashMap::new();
            let mut collect = |rows: Vec<sqlx::any::AnyRow>| -> Result<()> {
                for row in rows {
                    per_profile
                        .entry(get(&row, "profile_id")?)
                        .or_default()
                        .push(Occupation {
                            ssyk_code: get(&row, "ssyk_code")?,
                            concept_id: get(&row, "concept_id")?,
                            label: get(&row, "label")?,
                        });
                }
                Ok(())
            };
            let mut sql = Sql::new(
                "SELECT e.profile_id, e.ssyk_code, e.concept_id, e.label \
                 FROM competence_experiences e WHERE e.ssyk2 = ",
            );
            sql.bind(Arg::Text(ssyk2.clone()));
            collect(sql.query().fetch_all(&mut *tx).await?)?;
            for chunk in subs.chunks(500) {
                let mut sql = Sql::new(
                    "SELECT e.profile_id, e.ssyk_code, e.concept_id, e.label \
                     FROM competence_experiences e WHERE e.ssyk2 <> ",
                );
                sql.bind(Arg::Text(ssyk2.clone()))
                    .push(" AND e.concept_id IN (");
                sql.bind_texts(chunk);
                sql.push(")");
                collect(sql.query().fetch_all(&mut *tx).await?)?;
            }
            for (pid, exps) in per_profile {
                if let Some(f) = best_fit(t, &exps) {
                    fits.insert(pid, f);
                }
            }
        }

        // 2. Candidates under the other criteria.
        let mut sql = Sql::new("SELECT cp.id, cp.profile_code, cp.updated_at");
        if skills.is_empty() {
            sql.push(", 0 AS skill_hits");
        } else {
            sql.push(", sk.hits AS skill_hits");
        }
        sql.push(" FROM competence_profiles cp JOIN participants p ON p.id = cp.participant_id");
        if !skills.is_empty() {
            sql.push(
                " JOIN (SELECT s.profile_id, COUNT(*) AS hits FROM competence_skills s \
                 WHERE s.skill_id IN (",
            );
            sql.bind_texts(&skills);
            sql.push(") GROUP BY s.profile_id HAVING COUNT(*) >= ");
            let need = if mode == SkillMode::All {
                skills.len() as i64
            } else {
                1
            };
            sql.bind(Arg::I64(need))
                .push(") sk ON sk.profile_id = cp.id");
        }
        sql.push(" WHERE 1 = 1");
        if min_rank > 0 {
            sql.push(" AND cp.swedish_rank >= ")
                .bind(Arg::I64(min_rank));
        }
        if let Some(d) = &district {
            sql.push(" AND p.district = ").bind(Arg::Text(d.clone()));
        }
        if let Some(l) = &licence {
            sql.push(" AND cp.driving_licences LIKE ")
                .bind(Arg::Text(format!("% {l} %")));
        }
        if let Some(t) = &target {
            // Only profiles with an experience that can fit.
            sql.push(
                " AND cp.id IN (SELECT e.profile_id FROM competence_experiences e WHERE e.ssyk2 = ",
            )
            .bind(Arg::Text(t.ssyk_code.get(..2).unwrap_or("").to_string()));
            if !t.substitutes.is_empty() {
                let subs: Vec<String> = t.substitutes.keys().cloned().collect();
                sql.push(" OR e.concept_id IN (");
                sql.bind_texts(&subs);
                sql.push(")");
            }
            sql.push(")");
        }
        let rows = sql.query().fetch_all(&mut *tx).await?;
        let mut ranked: Vec<(i64, i64, i64, String)> = Vec::with_capacity(rows.len());
        for row in &rows {
            let id: i64 = get(row, "id")?;
            let fit = match &target {
                Some(_) => match fits.get(&id) {
                    Some((f, _)) => f.score(),
                    None => continue,
                },
                None => 0,
            };
            let hits: i64 = get(row, "skill_hits")?;
            ranked.push((
                id,
                fit,
                skill_coverage(skills.len(), hits as usize),
                get(row, "profile_code")?,
            ));
        }
        let total = ranked.len() as i64;
        // Fit, then skill coverage; the random code breaks ties fairly.
        ranked.sort_by(|a, b| b.1.cmp(&a.1).then(b.2.cmp(&a.2)).then(a.3.cmp(&b.3)));
        ranked.truncate(limit as usize);

        // 3. Details of the hits only.
        let ids: Vec<i64> = ranked.iter().map(|r| r.0).collect();
        let mut details = load_summaries(&mut tx, &ids).await?;
        let counties: Vec<String> = {
            let mut c: Vec<String> = details
                .values()
                .filter_map(|d| d.county_code.clone())
                .collect();
            c.sort();
            c.dedup();
            c
        };
        let shortage = load_shortage(&mut *tx, &counties).await?;

        // 4. Identification under consent, for the employer's organisation.
        let participant_ids: Vec<i64> = details.values().map(|d| d.participant_id).collect();
        let mut identified: HashMap<i64, i64> = HashMap::new();
        if let Some((_, Some(org))) = employer_org {
            identified = consents_naming(&mut tx, ctx, org, &participant_ids).await?;
        }
        let names = load_names(&mut tx, &identified.keys().copied().collect::<Vec<_>>()).await?;

        let mut hits = Vec::with_capacity(ranked.len());
        for (id, score, coverage, _) in &ranked {
            let Some(d) = details.remove(id) else {
                continue;
            };
            let mut reasons = Vec::new();
            let fit = fits.get(id).map(|(f, reason)| {
                reasons.push(reason.clone());
                f.kind().to_string()
            });
            if !skills.is_empty() {
                reasons.push(format!("skills: {coverage} %"));
            }
            let is_short = d.county_code.as_deref().is_some_and(|county| {
                d.occupations
                    .iter()
                    .any(|o| shortage.is_short(o.concept_id.as_deref(), &o.ssyk_code, county))
            });
            if is_short {
                reasons.push("shortage occupation in the county".into());
            }
            let consent = identified.get(&d.participant_id).copied();
            hits.push(Hit {
                profile_code: d.profile_code,
                participant_id: consent.map(|_| d.participant_id),
                name: consent.and_then(|_| names.get(&d.participant_id).cloned()),
                consent_id: consent,
                district: d.district,
                county_code: d.county_code,
                swedish_level: d.swedish_level,
                experiences: d.experiences,
                skills: d.skills,
                languages: d.languages,
                driving_licences: d.driving_licences,
                fit,
                fit_score: *score,
                skill_coverage: *coverage,
                reasons,
                shortage: is_short,
            });
        }

        let mut audit_ids: Vec<i64> = participant_ids.clone();
        audit_ids.sort_unstable();
        let mut identified_list: Vec<(i64, i64)> = identified.into_iter().collect();
        identified_list.sort_unstable();
        let mut detail = format!("{} hits of {total}", hits.len());
        if let Some((employer, _)) = employer_org {
            detail.push_str(&format!("; for employer {employer}"));
            if identified_list.is_empty() {
                detail.push_str("; nobody identified");
            } else {
                let parts: Vec<String> = identified_list
                    .iter()
                    .map(|(p, c)| format!("{p} under consent {c}"))
                    .collect();
                detail.push_str(&format!("; identified {}", parts.join(", ")));
            }
        }
        permit.record(&mut tx, ctx, &detail, &audit_ids).await?;
        tx.commit().await?;
        Ok(SearchResult {
            hits,
            total,
            occupation: sought,
        })
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

/// What a hit shows, before identification.
struct Summary {
    participant_id: i64,
    profile_code: String,
    district: Option<String>,
    county_code: Option<String>,
    swedish_level: Option<SwedishLevel>,
    driving_licences: Vec<String>,
    experiences: Vec<HitExperience>,
    occupations: Vec<Occupation>,
    skills: Vec<String>,
    languages: Vec<(String, LanguageLevel)>,
}

async fn load_summaries(tx: &mut Tx, ids: &[i64]) -> Result<HashMap<i64, Summary>> {
    let mut out: HashMap<i64, Summary> = HashMap::new();
    if ids.is_empty() {
        return Ok(out);
    }
    // Only pseudonymous columns are selected here: never name, identity
    // number, birth date or contact details.
    let mut sql = Sql::new(
        "SELECT cp.id, cp.participant_id, cp.profile_code, cp.swedish_level, cp.driving_licences, \
         p.district, p.municipality_code FROM competence_profiles cp \
         JOIN participants p ON p.id = cp.participant_id WHERE cp.id IN (",
    );
    sql.bind_ids(ids);
    sql.push(")");
    for row in sql.query().fetch_all(&mut **tx).await? {
        let municipality: String = get(&row, "municipality_code")?;
        out.insert(
            get(&row, "id")?,
            Summary {
                participant_id: get(&row, "participant_id")?,
                profile_code: get(&row, "profile_code")?,
                district: get(&row, "district")?,
                county_code: county_of(&municipality),
                swedish_level: get::<Option<String>>(&row, "swedish_level")?
                    .as_deref()
                    .and_then(SwedishLevel::parse),
                driving_licences: get::<String>(&row, "driving_licences")?
                    .split_whitespace()
                    .map(str::to_string)
                    .collect(),
                experiences: vec![],
                occupations: vec![],
                skills: vec![],
                languages: vec![],
            },
        );
    }
    let mut sql = Sql::new(
        "SELECT profile_id, ssyk_code, concept_id, label, years FROM competence_experiences \
         WHERE profile_id IN (",
    );
    sql.bind_ids(ids);
    sql.push(") ORDER BY profile_id, position");
    for row in sql.query().fetch_all(&mut **tx).await? {
        if let Some(s) = out.get_mut(&get::<i64>(&row, "profile_id")?) {
            let o = Occupation {
                ssyk_code: get(&row, "ssyk_code")?,
                concept_id: get(&row, "concept_id")?,
                label: get(&row, "label")?,
            };
            s.experiences.push(HitExperience {
                label: o.label.clone(),
                ssyk_code: o.ssyk_code.clone(),
                years: get(&row, "years")?,
            });
            s.occupations.push(o);
        }
    }
    let mut sql = Sql::new("SELECT profile_id, label FROM competence_skills WHERE profile_id IN (");
    sql.bind_ids(ids);
    sql.push(") ORDER BY profile_id, label");
    for row in sql.query().fetch_all(&mut **tx).await? {
        if let Some(s) = out.get_mut(&get::<i64>(&row, "profile_id")?) {
            s.skills.push(get(&row, "label")?);
        }
    }
    let mut sql =
        Sql::new("SELECT profile_id, label, level FROM competence_languages WHERE profile_id IN (");
    sql.bind_ids(ids);
    sql.push(") ORDER BY profile_id, label");
    for row in sql.query().fetch_all(&mut **tx).await? {
        if let Some(s) = out.get_mut(&get::<i64>(&row, "profile_id")?) {
            let level: String = get(&row, "level")?;
            if let Some(l) = LanguageLevel::parse(&level) {
                s.languages.push((get(&row, "label")?, l));
            }
        }
    }
    Ok(out)
}

/// Participant id → the newest consent in force at the request's time that
/// names `organisation_id` (any category: the name is the basic record).
async fn consents_naming(
    tx: &mut Tx,
    ctx: &Ctx,
    organisation_id: i64,
    participant_ids: &[i64],
) -> Result<HashMap<i64, i64>> {
    let mut out = HashMap::new();
    if participant_ids.is_empty() {
        return Ok(out);
    }
    let today = ctx.today().format("%Y-%m-%d").to_string();
    let mut sql = Sql::new(
        "SELECT c.id, c.participant_id FROM consents c \
         JOIN consent_organisations co ON co.consent_id = c.id WHERE co.organisation_id = ",
    );
    sql.bind(Arg::I64(organisation_id))
        .push(" AND c.valid_from <= ")
        .bind(Arg::Text(today.clone()))
        .push(" AND (c.valid_to IS NULL OR c.valid_to >= ")
        .bind(Arg::Text(today))
        .push(") AND (c.revoked_at IS NULL OR c.revoked_at > ")
        .bind(Arg::I64(micros(ctx.now)))
        .push(") AND c.participant_id IN (");
    sql.bind_ids(participant_ids);
    sql.push(") ORDER BY c.id");
    for row in sql.query().fetch_all(&mut **tx).await? {
        out.insert(get(&row, "participant_id")?, get(&row, "id")?);
    }
    Ok(out)
}

async fn load_names(tx: &mut Tx, ids: &[i64]) -> Result<HashMap<i64, String>> {
    let mut out = HashMap::new();
    if ids.is_empty() {
        return Ok(out);
    }
    let mut sql = Sql::new("SELECT id, first_name, last_name FROM participants WHERE id IN (");
    sql.bind_ids(ids);
    sql.push(")");
    for row in sql.query().fetch_all(&mut **tx).await? {
        let first: String = get(&row, "first_name")?;
        let last: String = get(&row, "last_name")?;
        out.insert(get(&row, "id")?, format!("{first} {last}"));
    }
    Ok(out)
}

impl Store {
    /// Employers to search on behalf of (id, name), by name: organisations,
    /// not personal data.
    pub async fn competence_employers(&self) -> Result<Vec<(i64, String)>> {
        let rows =
            sqlx::query("SELECT id, name FROM employers ORDER BY name_folded, id LIMIT 1000")
                .fetch_all(&self.pool)
                .await?;
        rows.iter()
            .map(|r| Ok((get(r, "id")?, get(r, "name")?)))
            .collect()
    }
}
