//! The competence search over every profile (`GlobalAction::CompetenceSearch`):
//! pseudonymous hits, named only where a consent in force names the
//! organisation of the employer the search is made for.

use super::*;
use crate::access::participants::push_consents_in_force;

impl Store {
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
            Some(l) if vagar_domain::participants::LICENCE_CLASSES.contains(&l.as_str()) => Some(l),
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
    let mut sql = Sql::new("SELECT c.id, c.participant_id");
    push_consents_in_force(&mut sql, ctx, organisation_id, None);
    sql.push(" AND c.participant_id IN (")
        .bind_ids(participant_ids)
        .push(") ORDER BY c.id");
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
