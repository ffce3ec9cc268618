//! Learning employments (the employer model, issue 6.5): creation with the
//! generated week plan, week-by-week changes to the plan, the hours done,
//! completion and the hire outcome (`change.rs`), and the lists and the
//! summary per intervention (here). Every call is decided and audited by
//! `authorize_learning` in its transaction; a refused rule rolls everything
//! back.

mod change;
pub mod seed;

use crate::access::learning::{check_learning, LearningTarget};
use crate::audit::Tx;
use crate::kernel::sql::{Arg, Sql};
use crate::kernel::{commit, date_at, opt_date_at};
use crate::work::placements::load_weeks;
use crate::{get, Ctx, Result, Store, StoreError};
use chrono::{DateTime, NaiveDate, Utc};
use sqlx::any::AnyRow;
use vagar_domain::work::learning::access::LearningAction;
use vagar_domain::work::learning::{
    follow_up, summarise, Completion, FollowUp, HireOutcome, Summary, SummaryItem, WeekMinutes,
};

/// Which part of a week's hours a caller records.
#[derive(Debug, Clone, Copy, Default)]
pub struct DoneInput {
    pub done_work_minutes: Option<i64>,
    pub done_study_minutes: Option<i64>,
}

/// A learning employment as read, with its plan and follow-up.
#[derive(Debug, Clone)]
pub struct LearningEmployment {
    pub placement_id: i64,
    /// `None` in the host's and the school's minimal view.
    pub participant_id: Option<i64>,
    pub participant_name: String,
    pub intervention_id: i64,
    pub intervention_name: String,
    /// The municipality: the intervention's lead organisation.
    pub municipality_organisation_id: Option<i64>,
    pub municipality_name: Option<String>,
    pub employer_id: Option<i64>,
    pub employer_name: Option<String>,
    pub workplace_name: Option<String>,
    pub role_title: Option<String>,
    pub start_date: NaiveDate,
    pub end_date: NaiveDate,
    pub hours_per_week_minutes: i64,
    pub school_organisation_id: Option<i64>,
    pub school_name: String,
    pub programme: Option<String>,
    pub work_percent: i64,
    pub study_percent: i64,
    pub deviation_threshold_pp: i64,
    pub completion: Option<String>,
    pub completed_on: Option<NaiveDate>,
    pub hired_after: Option<String>,
    pub hired_on: Option<NaiveDate>,
    pub version: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub minimal: bool,
    pub weeks: Vec<WeekMinutes>,
    pub follow_up: FollowUp,
}

/// What a list is narrowed to.
#[derive(Debug, Clone, Default)]
pub struct LearningFilter {
    pub intervention_id: Option<i64>,
}

/// The summary of an intervention's learning employments.
#[derive(Debug, Clone)]
pub struct InterventionLearningSummary {
    pub intervention_id: i64,
    pub intervention_name: String,
    pub summary: Summary,
}

const COLUMNS: &str = "le.placement_id, le.school_organisation_id, le.school_name, le.programme, \
    le.work_percent, le.study_percent, le.deviation_threshold_pp, le.completed_on, le.completion, \
    le.hired_after, le.hired_on, le.version, le.created_at, le.updated_at, \
    p.participant_id, p.intervention_id, p.employer_id, p.role_title, p.start_date, p.end_date, \
    p.hours_per_week_minutes, pa.first_name, pa.last_name, i.name AS intervention_name, \
    e.name AS employer_name, e.organisation_id AS employer_org, w.name AS workplace_name, \
    (SELECT io.organisation_id FROM intervention_organisations io WHERE io.intervention_id = p.intervention_id \
     AND io.role = 'lead' ORDER BY io.organisation_id LIMIT 1) AS municipality_id, \
    (SELECT o.name FROM intervention_organisations io JOIN organisations o ON o.id = io.organisation_id \
     WHERE io.intervention_id = p.intervention_id AND io.role = 'lead' ORDER BY io.organisation_id LIMIT 1) AS municipality_name \
    FROM learning_employments le JOIN placements p ON p.id = le.placement_id \
    JOIN participants pa ON pa.id = p.participant_id JOIN interventions i ON i.id = p.intervention_id \
    LEFT JOIN employers e ON e.id = p.employer_id LEFT JOIN employer_workplaces w ON w.id = p.workplace_id";

fn row_to_learning(row: &AnyRow) -> Result<(LearningEmployment, LearningTarget)> {
    let first: String = get(row, "first_name")?;
    let last: String = get(row, "last_name")?;
    let placement_id: i64 = get(row, "placement_id")?;
    let participant_id: i64 = get(row, "participant_id")?;
    let l = LearningEmployment {
        placement_id,
        participant_id: Some(participant_id),
        participant_name: format!("{first} {last}"),
        intervention_id: get(row, "intervention_id")?,
        intervention_name: get(row, "intervention_name")?,
        municipality_organisation_id: get(row, "municipality_id")?,
        municipality_name: get(row, "municipality_name")?,
        employer_id: get(row, "employer_id")?,
        employer_name: get(row, "employer_name")?,
        workplace_name: get(row, "workplace_name")?,
        role_title: get(row, "role_title")?,
        start_date: date_at(row, "start_date")?,
        end_date: date_at(row, "end_date")?,
        hours_per_week_minutes: get(row, "hours_per_week_minutes")?,
        school_organisation_id: get(row, "school_organisation_id")?,
        school_name: get(row, "school_name")?,
        programme: get(row, "programme")?,
        work_percent: get(row, "work_percent")?,
        study_percent: get(row, "study_percent")?,
        deviation_threshold_pp: get(row, "deviation_threshold_pp")?,
        completion: get(row, "completion")?,
        completed_on: opt_date_at(row, "completed_on")?,
        hired_after: get(row, "hired_after")?,
        hired_on: opt_date_at(row, "hired_on")?,
        version: get(row, "version")?,
        created_at: crate::from_micros(get(row, "created_at")?),
        updated_at: crate::from_micros(get(row, "updated_at")?),
        minimal: false,
        weeks: vec![],
        follow_up: follow_up(&[], 5),
    };
    let target = LearningTarget {
        placement_id,
        participant_id,
        employer_organisation_id: get(row, "employer_org")?,
        school_organisation_id: l.school_organisation_id,
    };
    Ok((l, target))
}

fn finish(l: &mut LearningEmployment, weeks: Vec<WeekMinutes>, minimal: bool) {
    l.follow_up = follow_up(&weeks, l.deviation_threshold_pp);
    l.weeks = weeks;
    l.minimal = minimal;
    if minimal {
        l.participant_id = None;
    }
}

async fn load(tx: &mut Tx, placement_id: i64, minimal: bool) -> Result<LearningEmployment> {
    let row = sqlx::query(&format!("SELECT {COLUMNS} WHERE le.placement_id = $1"))
        .bind(placement_id)
        .fetch_optional(&mut **tx)
        .await?
        .ok_or(StoreError::NotFound)?;
    let (mut l, _) = row_to_learning(&row)?;
    let weeks = load_weeks(tx, placement_id).await?;
    finish(&mut l, weeks, minimal);
    Ok(l)
}

impl Store {
    /// The learning employments the actor may read, newest first (at most
    /// 500), each decided by the same rules as a single read; the list's
    /// event names every participant returned.
    pub async fn list_learning(
        &self,
        ctx: &Ctx,
        filter: &LearningFilter,
    ) -> Result<Vec<LearningEmployment>> {
        let (mut tx, permit) = self
            .authorize_learning(ctx, LearningAction::Read, None)
            .await?;
        let mut sql = Sql::new(&format!("SELECT {COLUMNS} WHERE 1 = 1"));
        if let Some(i) = filter.intervention_id {
            sql.push(" AND p.intervention_id = ").bind(Arg::I64(i));
        }
        sql.push(" ORDER BY p.start_date DESC, le.placement_id DESC");
        let rows = sql.query().fetch_all(&mut *tx).await?;
        let mut items = rows
            .iter()
            .map(row_to_learning)
            .collect::<Result<Vec<_>>>()?;
        let targets: Vec<LearningTarget> = items.iter().map(|(_, t)| *t).collect();
        let decisions = check_learning(&mut tx, ctx, LearningAction::Read, &targets).await?;
        let mut out = vec![];
        for ((mut l, _), d) in items.drain(..).zip(decisions) {
            let Some(rule) = d else { continue };
            if out.len() >= 500 {
                break;
            }
            let weeks = load_weeks(&mut tx, l.placement_id).await?;
            finish(&mut l, weeks, rule.minimal());
            out.push(l);
        }
        let ids: Vec<i64> = targets
            .iter()
            .filter(|t| out.iter().any(|l| l.placement_id == t.placement_id))
            .map(|t| t.participant_id)
            .collect();
        let placements: Vec<String> = out.iter().map(|l| l.placement_id.to_string()).collect();
        permit
            .record(
                &mut tx,
                ctx,
                "learning.list.returned",
                &format!("placements {}", placements.join(",")),
                &ids,
            )
            .await?;
        commit(tx, out).await
    }

    /// One learning employment with its plan and follow-up.
    pub async fn read_learning(&self, ctx: &Ctx, placement_id: i64) -> Result<LearningEmployment> {
        let (mut tx, permit) = self
            .authorize_learning(ctx, LearningAction::Read, Some(placement_id))
            .await?;
        let l = load(&mut tx, placement_id, permit.minimal()).await?;
        commit(tx, l).await
    }

    /// Counts, completion and hired-afterwards rates and mean done shares
    /// over every learning employment of the intervention (no person named;
    /// the event names the intervention).
    pub async fn learning_summary(
        &self,
        ctx: &Ctx,
        intervention_id: i64,
    ) -> Result<InterventionLearningSummary> {
        let (mut tx, permit) = self
            .authorize_learning(ctx, LearningAction::Summary, None)
            .await?;
        let row = sqlx::query("SELECT name FROM interventions WHERE id = $1")
            .bind(intervention_id)
            .fetch_optional(&mut *tx)
            .await?;
        let Some(row) = row else {
            drop(tx);
            return Err(StoreError::NotFound);
        };
        let name: String = get(&row, "name")?;
        let items = summary_items(&mut tx, intervention_id).await?;
        permit
            .record(
                &mut tx,
                ctx,
                "learning.summary.returned",
                &format!("intervention {intervention_id}"),
                &[],
            )
            .await?;
        tx.commit().await?;
        Ok(InterventionLearningSummary {
            intervention_id,
            intervention_name: name,
            summary: summarise(&items),
        })
    }

    /// The summary of every employer-model intervention, by name.
    pub async fn learning_summaries(&self, ctx: &Ctx) -> Result<Vec<InterventionLearningSummary>> {
        let (mut tx, permit) = self
            .authorize_learning(ctx, LearningAction::Summary, None)
            .await?;
        let rows = sqlx::query(
            "SELECT id, name FROM interventions WHERE model = 'employer' ORDER BY name, id",
        )
        .fetch_all(&mut *tx)
        .await?;
        let mut out = vec![];
        for r in &rows {
            let id: i64 = get(r, "id")?;
            let items = summary_items(&mut tx, id).await?;
            out.push(InterventionLearningSummary {
                intervention_id: id,
                intervention_name: get(r, "name")?,
                summary: summarise(&items),
            });
        }
        let ids: Vec<String> = out.iter().map(|s| s.intervention_id.to_string()).collect();
        permit
            .record(
                &mut tx,
                ctx,
                "learning.summary.returned",
                &format!("interventions {}", ids.join(",")),
                &[],
            )
            .await?;
        commit(tx, out).await
    }
}

/// Each learning employment of an intervention reduced to what the summary
/// counts (done minutes over its recorded weeks).
async fn summary_items(tx: &mut Tx, intervention_id: i64) -> Result<Vec<SummaryItem>> {
    let rows = sqlx::query(
            "SELECT le.completion, le.hired_after, \
             (SELECT CAST(COALESCE(SUM(pw.done_work_minutes), 0) AS BIGINT) FROM placement_weeks pw WHERE pw.placement_id = le.placement_id \
              AND pw.done_work_minutes IS NOT NULL AND pw.done_study_minutes IS NOT NULL) AS done_work, \
             (SELECT CAST(COALESCE(SUM(pw.done_study_minutes), 0) AS BIGINT) FROM placement_weeks pw WHERE pw.placement_id = le.placement_id \
              AND pw.done_work_minutes IS NOT NULL AND pw.done_study_minutes IS NOT NULL) AS done_study \
             FROM learning_employments le JOIN placements p ON p.id = le.placement_id \
             WHERE p.intervention_id = $1 ORDER BY le.placement_id",
        )
        .bind(intervention_id)
        .fetch_all(&mut **tx)
        .await?;
    let items = rows
        .iter()
        .map(|r| {
            Ok(SummaryItem {
                completion: get::<Option<String>>(r, "completion")?
                    .as_deref()
                    .and_then(Completion::parse),
                hire: get::<Option<String>>(r, "hired_after")?
                    .as_deref()
                    .and_then(HireOutcome::parse),
                done_work: get(r, "done_work")?,
                done_study: get(r, "done_study")?,
            })
        })
        .collect::<Result<Vec<_>>>()?;
    Ok(items)
}

/// A placement that may become a learning employment (for the create form).
#[derive(Debug, Clone)]
pub struct LearningCandidate {
    pub placement_id: i64,
    pub participant_name: String,
    pub employer_name: Option<String>,
    pub intervention_name: String,
    pub start_date: String,
    pub end_date: String,
}

/// A school partner to choose (organisations of kind school or adult_education).
#[derive(Debug, Clone)]
pub struct SchoolOption {
    pub id: i64,
    pub name: String,
}

impl Store {
    /// Host-employed placements of employer-model interventions without a
    /// learning employment, that the actor may make one of (the same
    /// decision as `create_learning`); the event names those returned.
    pub async fn learning_candidates(&self, ctx: &Ctx) -> Result<Vec<LearningCandidate>> {
        let (mut tx, permit) = self
            .authorize_learning(ctx, LearningAction::Create, None)
            .await?;
        let rows = sqlx::query(
            "SELECT p.id, p.participant_id, p.start_date, p.end_date, pa.first_name, pa.last_name, \
             e.name AS employer_name, e.organisation_id AS employer_org, i.name AS intervention_name \
             FROM placements p JOIN interventions i ON i.id = p.intervention_id \
             JOIN participants pa ON pa.id = p.participant_id LEFT JOIN employers e ON e.id = p.employer_id \
             WHERE i.model = 'employer' AND p.employment_form = 'host' AND p.status <> 'cancelled' \
             AND NOT EXISTS (SELECT 1 FROM learning_employments le WHERE le.placement_id = p.id) \
             ORDER BY p.start_date DESC, p.id DESC LIMIT 500",
        )
        .fetch_all(&mut *tx)
        .await?;
        let mut targets = vec![];
        let mut items = vec![];
        for r in &rows {
            let first: String = get(r, "first_name")?;
            let last: String = get(r, "last_name")?;
            let t = LearningTarget {
                placement_id: get(r, "id")?,
                participant_id: get(r, "participant_id")?,
                employer_organisation_id: get(r, "employer_org")?,
                school_organisation_id: None,
            };
            targets.push(t);
            items.push(LearningCandidate {
                placement_id: t.placement_id,
                participant_name: format!("{first} {last}"),
                employer_name: get(r, "employer_name")?,
                intervention_name: get(r, "intervention_name")?,
                start_date: get(r, "start_date")?,
                end_date: get(r, "end_date")?,
            });
        }
        let decisions = check_learning(&mut tx, ctx, LearningAction::Create, &targets).await?;
        let mut out = vec![];
        let mut ids = vec![];
        for ((c, t), d) in items.into_iter().zip(targets).zip(decisions) {
            if d.is_some() {
                ids.push(t.participant_id);
                out.push(c);
            }
        }
        let placements: Vec<String> = out.iter().map(|c| c.placement_id.to_string()).collect();
        permit
            .record(
                &mut tx,
                ctx,
                "learning.candidates.returned",
                &format!("placements {}", placements.join(",")),
                &ids,
            )
            .await?;
        commit(tx, out).await
    }

    /// The organisations that may be a school partner.
    pub async fn school_organisations(&self) -> Result<Vec<SchoolOption>> {
        let rows = sqlx::query(
            "SELECT id, name FROM organisations WHERE kind IN ('school', 'adult_education') ORDER BY name",
        )
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| {
                Ok(SchoolOption {
                    id: get(r, "id")?,
                    name: get(r, "name")?,
                })
            })
            .collect()
    }
}
