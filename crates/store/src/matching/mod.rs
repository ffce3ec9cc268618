//! What matching reads from the database: open competence needs and every
//! participant with an occupation to match on, as the pure scoring rules'
//! `Need` and `Candidate`, plus the substitutability relations. The web
//! layer builds its in-memory suggestion index from these.

use chrono::NaiveDate;
use std::collections::HashMap;
use vagar_domain::matching::{Candidate, Need, OccupationSource, ParticipantOccupation};
use vagar_domain::participants::{EducationLevel, SwedishLevel, TargetGroup};

use crate::access::matching::{record_confirm, record_run};
use crate::audit::Tx;
use crate::kernel::split_list;
use crate::kernel::sql::{Arg, Sql};
use crate::{get, Ctx, Result, Store};

fn candidate(by_id: &mut HashMap<i64, Candidate>, id: i64) -> &mut Candidate {
    by_id.entry(id).or_insert_with(|| Candidate {
        participant_id: id,
        ..Candidate::default()
    })
}

fn age_on(birth: &str, today: NaiveDate) -> Option<u32> {
    let b = NaiveDate::parse_from_str(birth, "%Y-%m-%d").ok()?;
    today.years_since(b)
}

impl Store {
    /// Open needs with open positions, with their workplace, skills and
    /// whether the occupation is short of people in the workplace's county
    /// (Stockholm's when no workplace is given).
    pub async fn load_match_needs(&self) -> Result<Vec<Need>> {
        let rows = sqlx::query(
            "SELECT n.id, n.ssyk_code, n.occupation_id, n.occupation_label, n.positions, n.filled, \
             n.swedish_level, n.driving_licences, n.education_level, n.forms, n.accessibility, \
             w.municipality_code, w.district, w.accessibility AS premises \
             FROM competence_needs n LEFT JOIN employer_workplaces w ON w.id = n.workplace_id \
             WHERE n.status = 'open' AND n.positions > n.filled ORDER BY n.id",
        )
        .fetch_all(&self.pool)
        .await?;
        let mut needs: Vec<Need> = Vec::with_capacity(rows.len());
        let mut pos: HashMap<i64, usize> = HashMap::new();
        for r in &rows {
            let id: i64 = get(r, "id")?;
            let premises: Option<String> = get(r, "premises")?;
            let mut accessibility = split_list(&premises.unwrap_or_default());
            accessibility.extend(split_list(&get::<String>(r, "accessibility")?));
            pos.insert(id, needs.len());
            needs.push(Need {
                need_id: id,
                ssyk_code: get(r, "ssyk_code")?,
                occupation_id: get(r, "occupation_id")?,
                occupation_label: get(r, "occupation_label")?,
                swedish_level: get::<Option<String>>(r, "swedish_level")?
                    .and_then(|s| SwedishLevel::parse(&s)),
                driving_licences: split_list(&get::<String>(r, "driving_licences")?),
                education_level: get::<Option<String>>(r, "education_level")?
                    .and_then(|s| EducationLevel::parse(&s)),
                municipality_code: get::<Option<String>>(r, "municipality_code")?
                    .unwrap_or_else(|| vagar_domain::geo::STOCKHOLM.to_string()),
                district: get(r, "district")?,
                accessibility,
                forms: split_list(&get::<String>(r, "forms")?),
                capacity: (get::<i64>(r, "positions")? - get::<i64>(r, "filled")?).max(0) as u32,
                ..Need::default()
            });
        }
        let skills = sqlx::query(
            "SELECT s.need_id, s.skill_id, s.label, s.required FROM competence_need_skills s \
             JOIN competence_needs n ON n.id = s.need_id WHERE n.status = 'open' ORDER BY s.need_id, s.skill_id",
        )
        .fetch_all(&self.pool)
        .await?;
        for r in &skills {
            let Some(&i) = pos.get(&get::<i64>(r, "need_id")?) else {
                continue;
            };
            let pair = (get::<String>(r, "skill_id")?, get::<String>(r, "label")?);
            if get::<i64>(r, "required")? != 0 {
                needs[i].required_skills.push(pair);
            } else {
                needs[i].meritorious_skills.push(pair);
            }
        }
        let mut cache = HashMap::new();
        for n in &mut needs {
            n.shortage = self
                .shortage_at(&mut cache, &n.ssyk_code, Some(&n.municipality_code))
                .await?;
        }
        Ok(needs)
    }

    /// Every participant with an occupation to match on — the action plan's
    /// long-term goal (SSYK), and the competence profile's experience and
    /// wished occupations where one exists — with what scoring reads.
    pub async fn load_match_candidates(&self, today: NaiveDate) -> Result<Vec<Candidate>> {
        let mut by_id: HashMap<i64, Candidate> = HashMap::new();
        let goals = sqlx::query(
            "SELECT a.participant_id, a.ssyk_code, a.goal_title FROM action_plans a \
             WHERE a.status = 'active' AND a.ssyk_code IS NOT NULL",
        )
        .fetch_all(&self.pool)
        .await?;
        for r in &goals {
            let id: i64 = get(r, "participant_id")?;
            candidate(&mut by_id, id)
                .occupations
                .push(ParticipantOccupation {
                    ssyk_code: get(r, "ssyk_code")?,
                    occupation_id: None,
                    label: get(r, "goal_title")?,
                    source: OccupationSource::PlanGoal,
                    years: 0,
                });
        }
        self.add_profile_occupations(&mut by_id).await?;
        if by_id.is_empty() {
            return Ok(Vec::new());
        }
        // The person's own facts, for those with something to match on.
        let mut ids: Vec<i64> = by_id.keys().copied().collect();
        ids.sort_unstable();
        for chunk in ids.chunks(500) {
            let mut sql = Sql::new(
                "SELECT p.id, p.birth_date, p.education_level, p.target_mask, p.municipality_code, p.district, \
                 p.swedish_level, p.driving_licences, \
                 (SELECT COUNT(*) FROM proposed_placements pp WHERE pp.participant_id = p.id \
                  AND pp.status IN ('proposed', 'accepted')) AS placed \
                 FROM participants p WHERE p.id IN (",
            );
            for (i, id) in chunk.iter().enumerate() {
                if i > 0 {
                    sql.push(", ");
                }
                sql.bind(Arg::I64(*id));
            }
            sql.push(")");
            for r in sql.query().fetch_all(&self.pool).await? {
                let id: i64 = get(&r, "id")?;
                let Some(c) = by_id.get_mut(&id) else {
                    continue;
                };
                c.age = age_on(&get::<String>(&r, "birth_date")?, today);
                c.education_level = EducationLevel::parse(&get::<String>(&r, "education_level")?);
                c.target_groups = TargetGroup::from_mask(get(&r, "target_mask")?);
                c.municipality_code = get(&r, "municipality_code")?;
                c.district = get(&r, "district")?;
                // A profile's level, when recorded, is newer than the register's.
                if c.swedish_level.is_none() {
                    c.swedish_level = get::<Option<String>>(&r, "swedish_level")?
                        .and_then(|s| SwedishLevel::parse(&s));
                }
                for l in split_list(&get::<String>(&r, "driving_licences")?) {
                    if !c.driving_licences.contains(&l) {
                        c.driving_licences.push(l);
                    }
                }
                c.placed = get::<i64>(&r, "placed")? > 0;
            }
        }
        let mut out: Vec<Candidate> = by_id.into_values().collect();
        out.sort_by_key(|c| c.participant_id);
        Ok(out)
    }

    /// The substitutability relations: (experience, target, percentage).
    pub async fn load_substitutions(&self) -> Result<Vec<(String, String, u8)>> {
        let rows =
            sqlx::query("SELECT experience_id, target_id, percentage FROM occupation_substitutes")
                .fetch_all(&self.pool)
                .await?;
        rows.iter()
            .map(|r| {
                Ok((
                    get(r, "experience_id")?,
                    get(r, "target_id")?,
                    get::<i64>(r, "percentage")?.clamp(0, 100) as u8,
                ))
            })
            .collect()
    }

    /// Profile experience, wished occupations, skills, Swedish level and
    /// licences from the competence database.
    async fn add_profile_occupations(&self, by_id: &mut HashMap<i64, Candidate>) -> Result<()> {
        let rows = sqlx::query(
            "SELECT p.participant_id, e.ssyk_code, e.concept_id, e.label, e.years \
             FROM competence_experiences e JOIN competence_profiles p ON p.id = e.profile_id \
             ORDER BY p.participant_id, e.position",
        )
        .fetch_all(&self.pool)
        .await?;
        for r in &rows {
            let id: i64 = get(r, "participant_id")?;
            candidate(by_id, id)
                .occupations
                .push(ParticipantOccupation {
                    ssyk_code: get(r, "ssyk_code")?,
                    occupation_id: get(r, "concept_id")?,
                    label: get(r, "label")?,
                    source: OccupationSource::Experience,
                    years: get::<i64>(r, "years")?.clamp(0, 80) as u32,
                });
        }
        let rows = sqlx::query(
            "SELECT p.participant_id, w.ssyk_code, w.concept_id, w.label \
             FROM competence_wishes w JOIN competence_profiles p ON p.id = w.profile_id \
             ORDER BY p.participant_id, w.position",
        )
        .fetch_all(&self.pool)
        .await?;
        for r in &rows {
            let id: i64 = get(r, "participant_id")?;
            candidate(by_id, id)
                .occupations
                .push(ParticipantOccupation {
                    ssyk_code: get(r, "ssyk_code")?,
                    occupation_id: get(r, "concept_id")?,
                    label: get(r, "label")?,
                    source: OccupationSource::Wish,
                    years: 0,
                });
        }
        let rows = sqlx::query(
            "SELECT p.participant_id, s.skill_id FROM competence_skills s \
             JOIN competence_profiles p ON p.id = s.profile_id",
        )
        .fetch_all(&self.pool)
        .await?;
        for r in &rows {
            let id: i64 = get(r, "participant_id")?;
            if let Some(c) = by_id.get_mut(&id) {
                c.skills.insert(get(r, "skill_id")?);
            }
        }
        let rows = sqlx::query(
            "SELECT participant_id, swedish_level, driving_licences FROM competence_profiles",
        )
        .fetch_all(&self.pool)
        .await?;
        for r in &rows {
            let id: i64 = get(r, "participant_id")?;
            if let Some(c) = by_id.get_mut(&id) {
                c.swedish_level = get::<Option<String>>(r, "swedish_level")?
                    .and_then(|s| SwedishLevel::parse(&s));
                c.driving_licences = get::<String>(r, "driving_licences")?
                    .split_whitespace()
                    .map(str::to_string)
                    .collect();
            }
        }
        Ok(())
    }
}

/// Gender, birth region and disability of a participant, for the placement
/// rates a batch proposal is reviewed with.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Demographics {
    pub participant_id: i64,
    pub gender: String,
    pub birth_region: String,
    /// `yes`, `no` or `unknown`
    pub disability: String,
}

/// A stored run: what was chosen, the solver's answer and the pairs.
#[derive(Debug, Clone, PartialEq)]
pub struct RunRecord {
    pub selection: String,
    pub participants: i64,
    pub needs: i64,
    pub edges: i64,
    pub matched: i64,
    pub cost: i64,
    pub seconds_solving_micros: i64,
    /// (participant, need, cost, explanation JSON)
    pub pairs: Vec<(i64, i64, i64, String)>,
}

impl Store {
    pub async fn demographics(&self, ids: &[i64]) -> Result<Vec<Demographics>> {
        let mut out = Vec::with_capacity(ids.len());
        for chunk in ids.chunks(500) {
            let mut sql = Sql::new(
                "SELECT id, gender, birth_region, disability FROM participants WHERE id IN (",
            );
            for (i, id) in chunk.iter().enumerate() {
                if i > 0 {
                    sql.push(", ");
                }
                sql.bind(Arg::I64(*id));
            }
            sql.push(") ORDER BY id");
            for r in sql.query().fetch_all(&self.pool).await? {
                out.push(Demographics {
                    participant_id: get(&r, "id")?,
                    gender: get(&r, "gender")?,
                    birth_region: get(&r, "birth_region")?,
                    disability: match get::<Option<i64>>(&r, "disability")? {
                        Some(0) => "no".into(),
                        Some(_) => "yes".into(),
                        None => "unknown".into(),
                    },
                });
            }
        }
        Ok(out)
    }

    /// Store a batch run and its proposed pairs, with an audit event naming
    /// every participant in the proposal (`by` is None for the CLI's runs).
    pub async fn record_match_run(&self, by: Option<&crate::Ctx>, run: &RunRecord) -> Result<i64> {
        let mut tx = self.begin_audited().await?;
        let now = by.map(|c| c.now).unwrap_or_else(chrono::Utc::now);
        let row = Sql::new(
            "INSERT INTO match_runs (created_by, created_at, selection, participants, needs, edges, \
             matched, cost, seconds_solving) VALUES (",
        )
        .bind(Arg::OptI64(by.map(|c| c.actor.user_id)))
        .push(", ")
        .bind(Arg::I64(crate::micros(now)))
        .push(", ")
        .bind(Arg::Text(run.selection.clone()))
        .push(", ")
        .bind(Arg::I64(run.participants))
        .push(", ")
        .bind(Arg::I64(run.needs))
        .push(", ")
        .bind(Arg::I64(run.edges))
        .push(", ")
        .bind(Arg::I64(run.matched))
        .push(", ")
        .bind(Arg::I64(run.cost))
        .push(", ")
        .bind(Arg::I64(run.seconds_solving_micros))
        .push(") RETURNING id")
        .query()
        .fetch_one(&mut *tx)
        .await?;
        let run_id: i64 = get(&row, "id")?;
        for chunk in run.pairs.chunks(100) {
            let mut sql = Sql::new(
                "INSERT INTO match_run_pairs (run_id, participant_id, need_id, cost, explanation) VALUES ",
            );
            for (i, (p, n, cost, why)) in chunk.iter().enumerate() {
                sql.push(if i == 0 { "(" } else { ", (" })
                    .bind(Arg::I64(run_id))
                    .push(", ")
                    .bind(Arg::I64(*p))
                    .push(", ")
                    .bind(Arg::I64(*n))
                    .push(", ")
                    .bind(Arg::I64(*cost))
                    .push(", ")
                    .bind(Arg::Text(why.clone()))
                    .push(")");
            }
            sql.query().execute(&mut *tx).await?;
        }
        let ids: Vec<i64> = run.pairs.iter().map(|p| p.0).collect();
        let detail = format!(
            "run {run_id}: {} participants, {} needs, {} placed",
            run.participants, run.needs, run.matched
        );
        record_run(&mut tx, by, now, &detail, &ids).await?;
        tx.commit().await?;
        Ok(run_id)
    }
}

/// What a suggestion or a proposal shows of a need beside its score.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NeedSummary {
    pub need_id: i64,
    pub title: String,
    pub employer_name: String,
    pub ssyk_code: String,
    pub occupation_label: String,
    /// The organisation the need's employer is, when it has users.
    pub employer_organisation_id: Option<i64>,
}

/// Why a confirmation was refused; nothing was written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ConfirmRefusal {
    /// Not a pair of this run (or no such run).
    NotInRun(Vec<i64>),
    /// The caller may not update these participants.
    NotPermitted(Vec<i64>),
    /// These participants already have an open proposed placement.
    AlreadyProposed(Vec<i64>),
}

impl Store {
    /// Title, employer and occupation of the given needs.
    pub async fn need_summaries(&self, ids: &[i64]) -> Result<HashMap<i64, NeedSummary>> {
        let mut out = HashMap::new();
        for chunk in ids.chunks(500) {
            let mut sql = Sql::new(
                "SELECT n.id, n.title, n.ssyk_code, n.occupation_label, e.name AS employer_name, \
                 e.organisation_id FROM competence_needs n JOIN employers e ON e.id = n.employer_id \
                 WHERE n.id IN (",
            );
            sql.bind_ids(chunk);
            sql.push(")");
            for r in sql.query().fetch_all(&self.pool).await? {
                let id: i64 = get(&r, "id")?;
                out.insert(
                    id,
                    NeedSummary {
                        need_id: id,
                        title: get(&r, "title")?,
                        employer_name: get(&r, "employer_name")?,
                        ssyk_code: get(&r, "ssyk_code")?,
                        occupation_label: get(&r, "occupation_label")?,
                        employer_organisation_id: get(&r, "organisation_id")?,
                    },
                );
            }
        }
        Ok(out)
    }

    /// The policy's `action` on needs, decided in memory per need (no
    /// audit: the caller audits what it shows). Unknown ids are refused.
    /// Until the needs module's own bulk filter lands this is the one place
    /// matching asks the need policy.
    pub async fn decide_needs(
        &self,
        ctx: &Ctx,
        action: vagar_domain::access::NeedAction,
        ids: &[i64],
    ) -> Result<Vec<bool>> {
        if !vagar_domain::access::need_role_may(ctx.actor.role, action) {
            return Ok(vec![false; ids.len()]);
        }
        let found = self.need_summaries(ids).await?;
        Ok(ids
            .iter()
            .map(|id| {
                found.get(id).is_some_and(|n| {
                    let own = n.employer_organisation_id == Some(ctx.actor.organisation_id);
                    vagar_domain::access::decide_need(&ctx.actor, action, own).is_some()
                })
            })
            .collect())
    }

    /// First and last names of participants, for the caseworker's views.
    pub async fn participant_names(&self, ids: &[i64]) -> Result<HashMap<i64, String>> {
        let mut out = HashMap::new();
        for chunk in ids.chunks(500) {
            let mut sql =
                Sql::new("SELECT id, first_name, last_name FROM participants WHERE id IN (");
            sql.bind_ids(chunk);
            sql.push(")");
            for r in sql.query().fetch_all(&self.pool).await? {
                out.insert(
                    get::<i64>(&r, "id")?,
                    format!(
                        "{} {}",
                        get::<String>(&r, "first_name")?,
                        get::<String>(&r, "last_name")?
                    ),
                );
            }
        }
        Ok(out)
    }

    /// Confirm pairs of a run: each becomes a proposed placement, all in one
    /// audited transaction, decided by the participant policy (`Update` on
    /// every participant). Any refusal writes nothing but the denial.
    pub async fn confirm_match_pairs(
        &self,
        ctx: &Ctx,
        run_id: i64,
        participant_ids: &[i64],
    ) -> Result<std::result::Result<Vec<i64>, ConfirmRefusal>> {
        use vagar_domain::access::ParticipantAction;
        let mut ids: Vec<i64> = participant_ids.to_vec();
        ids.sort_unstable();
        ids.dedup();
        let mut tx = self.begin_audited().await?;
        let decisions = crate::access::participants::check_participants(
            &mut tx,
            ctx,
            ParticipantAction::Update,
            &ids,
        )
        .await?;
        let refused: Vec<i64> = ids
            .iter()
            .zip(&decisions)
            .filter(|(_, d)| d.is_none())
            .map(|(id, _)| *id)
            .collect();
        if !refused.is_empty() {
            let detail = format!("run {run_id}: may not update");
            return deny_confirm(
                tx,
                ctx,
                ConfirmRefusal::NotPermitted(refused.clone()),
                detail,
                refused,
            )
            .await;
        }
        let mut sql =
            Sql::new("SELECT participant_id, need_id, cost FROM match_run_pairs WHERE run_id = ");
        sql.bind(Arg::I64(run_id)).push(" AND participant_id IN (");
        sql.bind_ids(&ids);
        sql.push(")");
        let mut pairs: HashMap<i64, (i64, i64)> = HashMap::new();
        for r in sql.query().fetch_all(&mut *tx).await? {
            pairs.insert(
                get(&r, "participant_id")?,
                (get(&r, "need_id")?, get(&r, "cost")?),
            );
        }
        let missing: Vec<i64> = ids
            .iter()
            .copied()
            .filter(|i| !pairs.contains_key(i))
            .collect();
        if !missing.is_empty() {
            let detail = format!("run {run_id}: not in the run");
            return deny_confirm(
                tx,
                ctx,
                ConfirmRefusal::NotInRun(missing.clone()),
                detail,
                missing,
            )
            .await;
        }
        let mut sql = Sql::new(
            "SELECT participant_id FROM proposed_placements WHERE status = 'proposed' AND participant_id IN (",
        );
        sql.bind_ids(&ids);
        sql.push(")");
        let mut taken: Vec<i64> = Vec::new();
        for r in sql.query().fetch_all(&mut *tx).await? {
            taken.push(get(&r, "participant_id")?);
        }
        if !taken.is_empty() {
            taken.sort_unstable();
            let detail = format!("run {run_id}: already proposed");
            return deny_confirm(
                tx,
                ctx,
                ConfirmRefusal::AlreadyProposed(taken.clone()),
                detail,
                taken,
            )
            .await;
        }
        let mut created = Vec::with_capacity(ids.len());
        for id in &ids {
            let (need, cost) = pairs[id];
            let row = Sql::new(
                "INSERT INTO proposed_placements (participant_id, need_id, run_id, cost, status, \
                 created_by, created_at) VALUES (",
            )
            .bind(Arg::I64(*id))
            .push(", ")
            .bind(Arg::I64(need))
            .push(", ")
            .bind(Arg::I64(run_id))
            .push(", ")
            .bind(Arg::I64(cost))
            .push(", 'proposed', ")
            .bind(Arg::I64(ctx.actor.user_id))
            .push(", ")
            .bind(Arg::I64(crate::micros(ctx.now)))
            .push(") RETURNING id")
            .query()
            .fetch_one(&mut *tx)
            .await?;
            created.push(get::<i64>(&row, "id")?);
        }
        let rules: Vec<String> = decisions
            .iter()
            .flatten()
            .map(|r| r.name())
            .collect::<std::collections::BTreeSet<_>>()
            .into_iter()
            .collect();
        let detail = format!("run {run_id}: {} proposed placements", ids.len());
        record_confirm(&mut tx, ctx, Some(rules.join(",")), &detail, &ids).await?;
        tx.commit().await?;
        Ok(Ok(created))
    }

    /// The caller's run, for the confirm form: does it exist?
    pub async fn match_run_exists(&self, run_id: i64) -> Result<bool> {
        let row = Sql::new("SELECT COUNT(*) AS n FROM match_runs WHERE id = ")
            .bind(Arg::I64(run_id))
            .query()
            .fetch_one(&self.pool)
            .await?;
        Ok(get::<i64>(&row, "n")? > 0)
    }
}

async fn deny_confirm(
    mut tx: Tx,
    ctx: &Ctx,
    refusal: ConfirmRefusal,
    detail: String,
    who: Vec<i64>,
) -> Result<std::result::Result<Vec<i64>, ConfirmRefusal>> {
    record_confirm(&mut tx, ctx, None, &detail, &who).await?;
    tx.commit().await?;
    Ok(Err(refusal))
}
