//! Learning employments (the employer model, issue 6.5): creation with the
//! generated week plan, week-by-week changes to the plan, the hours done,
//! completion and the hire outcome, and the summary per intervention. Every
//! call is decided and audited by `authorize_learning` in its transaction;
//! a refused rule rolls everything back.

use crate::access::learning::{check_learning, LearningTarget};
use crate::audit::Tx;
use crate::{get, micros, Ctx, Result, Store, StoreError};
use chrono::{DateTime, NaiveDate, Utc};
use sqlx::any::AnyRow;
use vagar_domain::access::work::learning::LearningAction;
use vagar_domain::work::learning::{
    check_completion, check_hire, check_minutes, check_not_future, check_week, follow_up,
    monday_of, plan_weeks, summarise, Completion, FollowUp, HireOutcome, LearningData,
    LearningInput, Summary, SummaryItem, WeekMinutes,
};
use vagar_domain::ValidationErrors;

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

fn date(s: &str) -> Result<NaiveDate> {
    crate::kernel::parse_date(s)
}

fn opt_date(s: Option<String>) -> Result<Option<NaiveDate>> {
    s.as_deref().map(date).transpose()
}

fn one_error(field: &str, code: &str, message: impl Into<String>) -> StoreError {
    let mut e = ValidationErrors::new();
    e.add(field, code, message);
    StoreError::Validation(e)
}

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
        start_date: date(&get::<String>(row, "start_date")?)?,
        end_date: date(&get::<String>(row, "end_date")?)?,
        hours_per_week_minutes: get(row, "hours_per_week_minutes")?,
        school_organisation_id: get(row, "school_organisation_id")?,
        school_name: get(row, "school_name")?,
        programme: get(row, "programme")?,
        work_percent: get(row, "work_percent")?,
        study_percent: get(row, "study_percent")?,
        deviation_threshold_pp: get(row, "deviation_threshold_pp")?,
        completion: get(row, "completion")?,
        completed_on: opt_date(get(row, "completed_on")?)?,
        hired_after: get(row, "hired_after")?,
        hired_on: opt_date(get(row, "hired_on")?)?,
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

async fn load_weeks(tx: &mut Tx, placement_id: i64) -> Result<Vec<WeekMinutes>> {
    let rows = sqlx::query(
        "SELECT week_start, planned_work_minutes, planned_study_minutes, done_work_minutes, \
         done_study_minutes FROM placement_weeks WHERE placement_id = $1 ORDER BY week_start",
    )
    .bind(placement_id)
    .fetch_all(&mut **tx)
    .await?;
    rows.iter()
        .map(|r| {
            Ok(WeekMinutes {
                week_start: date(&get::<String>(r, "week_start")?)?,
                planned_work: get(r, "planned_work_minutes")?,
                planned_study: get(r, "planned_study_minutes")?,
                done_work: get(r, "done_work_minutes")?,
                done_study: get(r, "done_study_minutes")?,
            })
        })
        .collect()
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

async fn bump(tx: &mut Tx, ctx: &Ctx, placement_id: i64, version: i64) -> Result<()> {
    let done = sqlx::query(
        "UPDATE learning_employments SET version = version + 1, updated_at = $1 \
         WHERE placement_id = $2 AND version = $3",
    )
    .bind(micros(ctx.now))
    .bind(placement_id)
    .bind(version)
    .execute(&mut **tx)
    .await?;
    if done.rows_affected() != 1 {
        return Err(StoreError::StaleVersion);
    }
    Ok(())
}

fn ymd(d: NaiveDate) -> String {
    d.format("%Y-%m-%d").to_string()
}

/// Which part of a week's hours a caller records.
#[derive(Debug, Clone, Copy, Default)]
pub struct DoneInput {
    pub done_work_minutes: Option<i64>,
    pub done_study_minutes: Option<i64>,
}

impl Store {
    /// Make an existing placement a learning employment and generate its
    /// week plan. The placement must be employed by the host in an
    /// employer-model intervention; the school partner an organisation of
    /// kind school or adult_education, or a named school.
    async fn create_learning_work(
        &self,
        ctx: &Ctx,
        input: &LearningInput,
    ) -> Result<LearningEmployment> {
        if !vagar_domain::access::work::learning::learning_role_may(
            ctx.actor.role,
            LearningAction::Create,
        ) {
            let (_tx, _p) = self
                .authorize_learning(ctx, LearningAction::Create, None)
                .await?;
        }
        let data = LearningData::from_input(input).map_err(StoreError::Validation)?;
        let (mut tx, permit) = self
            .authorize_learning(ctx, LearningAction::Create, Some(data.placement_id))
            .await?;
        let p = sqlx::query(
            "SELECT p.start_date, p.end_date, p.hours_per_week_minutes, p.employment_form, p.status, \
             i.model FROM placements p JOIN interventions i ON i.id = p.intervention_id WHERE p.id = $1",
        )
        .bind(data.placement_id)
        .fetch_one(&mut *tx)
        .await?;
        let mut e = ValidationErrors::new();
        if get::<Option<String>>(&p, "model")?.as_deref() != Some("employer") {
            e.add(
                "placement_id",
                "not_employer_model",
                "the placement's intervention is not of the employer model",
            );
        } else if get::<String>(&p, "employment_form")? != "host" {
            e.add(
                "placement_id",
                "not_host_employed",
                "a learning employment needs a placement employed by the host",
            );
        } else if get::<String>(&p, "status")? == "cancelled" {
            e.add("placement_id", "cancelled", "the placement is cancelled");
        }
        let mut school_name = data.school_name.clone();
        if let Some(org) = data.school_organisation_id {
            let row = sqlx::query("SELECT name, kind FROM organisations WHERE id = $1")
                .bind(org)
                .fetch_optional(&mut *tx)
                .await?;
            match row {
                Some(r) if ["school", "adult_education"].contains(&get::<String>(&r, "kind")?.as_str()) => {
                    if school_name.is_none() {
                        school_name = Some(get(&r, "name")?);
                    }
                }
                _ => e.add(
                    "school_organisation_id",
                    "not_a_school",
                    "school_organisation_id must name an organisation of kind school or adult_education",
                ),
            }
        }
        let start = date(&get::<String>(&p, "start_date")?)?;
        let end = date(&get::<String>(&p, "end_date")?)?;
        let hpw: i64 = get(&p, "hours_per_week_minutes")?;
        let weeks = plan_weeks(start, end, hpw, data.split);
        if weeks.is_empty() && e.for_field("placement_id").is_none() {
            e.add(
                "placement_id",
                "no_working_days",
                "the placement has no working day to plan",
            );
        }
        if !e.is_empty() {
            return Err(StoreError::Validation(e));
        }
        let exists =
            sqlx::query("SELECT COUNT(*) AS n FROM learning_employments WHERE placement_id = $1")
                .bind(data.placement_id)
                .fetch_one(&mut *tx)
                .await?;
        if get::<i64>(&exists, "n")? > 0 {
            return Err(StoreError::Conflict {
                field: "placement_id".into(),
                message: "the placement is a learning employment already".into(),
            });
        }
        let now = micros(ctx.now);
        sqlx::query(
            "INSERT INTO learning_employments (placement_id, school_organisation_id, school_name, programme, \
             work_percent, study_percent, deviation_threshold_pp, version, created_by, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, 1, $8, $9, $10)",
        )
        .bind(data.placement_id)
        .bind(data.school_organisation_id)
        .bind(school_name.unwrap_or_default())
        .bind(data.programme.as_deref())
        .bind(data.split.work_percent())
        .bind(data.split.study_percent())
        .bind(data.deviation_threshold_pp)
        .bind(ctx.actor.user_id)
        .bind(now)
        .bind(now)
        .execute(&mut *tx)
        .await?;
        // A plan of the placement written before (by another model) is
        // replaced: the learning employment's split decides.
        sqlx::query("DELETE FROM placement_weeks WHERE placement_id = $1")
            .bind(data.placement_id)
            .execute(&mut *tx)
            .await?;
        for w in &weeks {
            sqlx::query(
                "INSERT INTO placement_weeks (placement_id, week_start, planned_work_minutes, \
                 planned_study_minutes) VALUES ($1, $2, $3, $4)",
            )
            .bind(data.placement_id)
            .bind(ymd(w.week_start))
            .bind(w.work_minutes)
            .bind(w.study_minutes)
            .execute(&mut *tx)
            .await?;
        }
        let l = load(&mut tx, data.placement_id, permit.minimal()).await?;
        tx.commit().await?;
        Ok(l)
    }

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
        let mut sql = crate::kernel::sql::Sql::new(&format!("SELECT {COLUMNS} WHERE 1 = 1"));
        if let Some(i) = filter.intervention_id {
            sql.push(" AND p.intervention_id = ")
                .bind(crate::kernel::sql::Arg::I64(i));
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
        tx.commit().await?;
        Ok(out)
    }

    /// One learning employment with its plan and follow-up.
    pub async fn read_learning(&self, ctx: &Ctx, placement_id: i64) -> Result<LearningEmployment> {
        let (mut tx, permit) = self
            .authorize_learning(ctx, LearningAction::Read, Some(placement_id))
            .await?;
        let l = load(&mut tx, placement_id, permit.minimal()).await?;
        tx.commit().await?;
        Ok(l)
    }

    /// Change the planned minutes of one week of the plan (an exam week with
    /// more study, a holiday week with none). Closed once it has ended.
    async fn plan_learning_week_work(
        &self,
        ctx: &Ctx,
        placement_id: i64,
        week_start: NaiveDate,
        planned_work_minutes: Option<i64>,
        planned_study_minutes: Option<i64>,
        version: i64,
    ) -> Result<LearningEmployment> {
        let (mut tx, permit) = self
            .authorize_learning(ctx, LearningAction::Plan, Some(placement_id))
            .await?;
        let current = load(&mut tx, placement_id, false).await?;
        if current.version != version {
            return Err(StoreError::StaleVersion);
        }
        if current.completion.is_some() {
            return Err(StoreError::Conflict {
                field: "completion".into(),
                message: "the learning employment has ended: its plan is closed".into(),
            });
        }
        let mut e = ValidationErrors::new();
        for (f, v) in [
            ("planned_work_minutes", planned_work_minutes),
            ("planned_study_minutes", planned_study_minutes),
        ] {
            if v.is_none() {
                e.add(f, "required", format!("{f} is required"));
            }
        }
        check_minutes(
            &mut e,
            ("planned_work_minutes", planned_work_minutes),
            ("planned_study_minutes", planned_study_minutes),
        );
        if check_week(&mut e, week_start, current.start_date, current.end_date)
            && !current.weeks.iter().any(|w| w.week_start == week_start)
        {
            e.add(
                "week_start",
                "outside_placement",
                "the week is not in the plan",
            );
        }
        if !e.is_empty() {
            return Err(StoreError::Validation(e));
        }
        sqlx::query(
            "UPDATE placement_weeks SET planned_work_minutes = $1, planned_study_minutes = $2 \
             WHERE placement_id = $3 AND week_start = $4",
        )
        .bind(planned_work_minutes.unwrap_or_default())
        .bind(planned_study_minutes.unwrap_or_default())
        .bind(placement_id)
        .bind(ymd(week_start))
        .execute(&mut *tx)
        .await?;
        bump(&mut tx, ctx, placement_id, version).await?;
        permit
            .record(
                &mut tx,
                ctx,
                "learning.plan.changed",
                &format!("placement {placement_id} week {week_start}"),
                &permit.participant_id().into_iter().collect::<Vec<_>>(),
            )
            .await?;
        let l = load(&mut tx, placement_id, permit.minimal()).await?;
        tx.commit().await?;
        Ok(l)
    }

    /// Record the hours done in one week: a week of the plan (up to the end,
    /// or the completion date when it ended early) that has begun. The
    /// school (a partner) records study only; the others both.
    async fn record_learning_done_work(
        &self,
        ctx: &Ctx,
        placement_id: i64,
        week_start: NaiveDate,
        input: DoneInput,
        version: i64,
    ) -> Result<LearningEmployment> {
        let (mut tx, permit) = self
            .authorize_learning(ctx, LearningAction::RecordDone, Some(placement_id))
            .await?;
        let current = load(&mut tx, placement_id, false).await?;
        if current.version != version {
            return Err(StoreError::StaleVersion);
        }
        let school = ctx.actor.role == vagar_domain::Role::Partner;
        let mut e = ValidationErrors::new();
        if school {
            if input.done_work_minutes.is_some() {
                e.add(
                    "done_work_minutes",
                    "study_only",
                    "the school records study hours only; the employer records work",
                );
            }
            if input.done_study_minutes.is_none() {
                e.add(
                    "done_study_minutes",
                    "required",
                    "done_study_minutes is required",
                );
            }
        } else {
            for (f, v) in [
                ("done_work_minutes", input.done_work_minutes),
                ("done_study_minutes", input.done_study_minutes),
            ] {
                if v.is_none() {
                    e.add(f, "required", format!("{f} is required"));
                }
            }
        }
        check_minutes(
            &mut e,
            ("done_work_minutes", input.done_work_minutes),
            ("done_study_minutes", input.done_study_minutes),
        );
        let last_day = current.completed_on.unwrap_or(current.end_date);
        let in_plan = check_week(&mut e, week_start, current.start_date, current.end_date);
        let stored = current.weeks.iter().find(|w| w.week_start == week_start);
        if in_plan {
            if stored.is_none() || week_start > monday_of(last_day) {
                e.add(
                    "week_start",
                    "outside_placement",
                    format!("the week is outside the learning employment (ended {last_day})"),
                );
            } else {
                check_not_future(&mut e, week_start, ctx.today());
            }
        }
        // With the school's study, the week's total is still at most 7 × 24 h.
        if let (true, Some(w), Some(study)) = (school, stored, input.done_study_minutes) {
            if e.is_empty()
                && w.done_work.unwrap_or(0) + study > vagar_domain::work::learning::WEEK_MINUTES
            {
                e.add(
                    "done_study_minutes",
                    "over_week",
                    "work and study together may be at most 7 × 24 hours (10080 minutes) a week",
                );
            }
        }
        if !e.is_empty() {
            return Err(StoreError::Validation(e));
        }
        let work = if school {
            stored.and_then(|w| w.done_work)
        } else {
            input.done_work_minutes
        };
        sqlx::query(
            "UPDATE placement_weeks SET done_work_minutes = $1, done_study_minutes = $2, \
             recorded_by = $3, recorded_at = $4 WHERE placement_id = $5 AND week_start = $6",
        )
        .bind(work)
        .bind(input.done_study_minutes)
        .bind(ctx.actor.user_id)
        .bind(micros(ctx.now))
        .bind(placement_id)
        .bind(ymd(week_start))
        .execute(&mut *tx)
        .await?;
        bump(&mut tx, ctx, placement_id, version).await?;
        permit
            .record(
                &mut tx,
                ctx,
                "learning.done.recorded",
                &format!("placement {placement_id} week {week_start}"),
                &permit.participant_id().into_iter().collect::<Vec<_>>(),
            )
            .await?;
        let l = load(&mut tx, placement_id, permit.minimal()).await?;
        tx.commit().await?;
        Ok(l)
    }

    /// Record how it ended (completed or discontinued) and when. Once.
    async fn complete_learning_work(
        &self,
        ctx: &Ctx,
        placement_id: i64,
        completion: Option<&str>,
        completed_on: Option<&str>,
        version: i64,
    ) -> Result<LearningEmployment> {
        let (mut tx, permit) = self
            .authorize_learning(ctx, LearningAction::Complete, Some(placement_id))
            .await?;
        let current = load(&mut tx, placement_id, false).await?;
        if current.version != version {
            return Err(StoreError::StaleVersion);
        }
        if current.completion.is_some() {
            return Err(StoreError::Conflict {
                field: "completion".into(),
                message: "the completion is recorded already".into(),
            });
        }
        let (c, d): (Completion, NaiveDate) =
            check_completion(completion, completed_on, current.start_date, ctx.today())
                .map_err(StoreError::Validation)?;
        if d > current.end_date && c == Completion::Discontinued {
            return Err(one_error(
                "completed_on",
                "after_end",
                format!(
                    "a discontinuation is dated on or before the planned end ({})",
                    current.end_date
                ),
            ));
        }
        sqlx::query(
            "UPDATE learning_employments SET completion = $1, completed_on = $2 WHERE placement_id = $3",
        )
        .bind(c.as_str())
        .bind(ymd(d))
        .bind(placement_id)
        .execute(&mut *tx)
        .await?;
        bump(&mut tx, ctx, placement_id, version).await?;
        permit
            .record(
                &mut tx,
                ctx,
                "learning.completed",
                &format!("placement {placement_id} {}", c.as_str()),
                &permit.participant_id().into_iter().collect::<Vec<_>>(),
            )
            .await?;
        let l = load(&mut tx, placement_id, permit.minimal()).await?;
        tx.commit().await?;
        Ok(l)
    }

    /// Record whether the employer hired the participant afterwards (may be
    /// corrected later, with the version read).
    async fn record_learning_hire_work(
        &self,
        ctx: &Ctx,
        placement_id: i64,
        hired_after: Option<&str>,
        hired_on: Option<&str>,
        version: i64,
    ) -> Result<LearningEmployment> {
        let (mut tx, permit) = self
            .authorize_learning(ctx, LearningAction::RecordHire, Some(placement_id))
            .await?;
        let current = load(&mut tx, placement_id, false).await?;
        if current.version != version {
            return Err(StoreError::StaleVersion);
        }
        let (h, d): (HireOutcome, NaiveDate) =
            check_hire(hired_after, hired_on, current.completed_on, ctx.today())
                .map_err(StoreError::Validation)?;
        sqlx::query(
            "UPDATE learning_employments SET hired_after = $1, hired_on = $2 WHERE placement_id = $3",
        )
        .bind(h.as_str())
        .bind(ymd(d))
        .bind(placement_id)
        .execute(&mut *tx)
        .await?;
        bump(&mut tx, ctx, placement_id, version).await?;
        permit
            .record(
                &mut tx,
                ctx,
                "learning.hire.recorded",
                &format!("placement {placement_id} {}", h.as_str()),
                &permit.participant_id().into_iter().collect::<Vec<_>>(),
            )
            .await?;
        let l = load(&mut tx, placement_id, permit.minimal()).await?;
        tx.commit().await?;
        Ok(l)
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
        tx.commit().await?;
        Ok(out)
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

/// A refused change: the fields and codes named, never the values.
fn refusal_detail(e: &StoreError) -> Option<String> {
    match e {
        StoreError::Validation(v) => Some(
            v.0.iter()
                .map(|f| format!("{}:{}", f.field, f.code))
                .collect::<Vec<_>>()
                .join(","),
        ),
        StoreError::Conflict { field, .. } => Some(format!("{field}:conflict")),
        StoreError::StaleVersion => Some("version:stale".into()),
        _ => None,
    }
}

impl Store {
    /// A change refused by a rule rolls its work (and the allowed decision)
    /// back; the refusal is then recorded on its own, naming the
    /// participant, the placement and the fields, so the trail shows every
    /// attempt.
    async fn audited<T>(
        &self,
        ctx: &Ctx,
        action: LearningAction,
        placement_id: i64,
        result: Result<T>,
    ) -> Result<T> {
        if let Err(e) = &result {
            if let Some(fields) = refusal_detail(e) {
                let participant: Option<i64> =
                    sqlx::query("SELECT participant_id FROM placements WHERE id = $1")
                        .bind(placement_id)
                        .fetch_optional(&self.pool)
                        .await?
                        .map(|r| get(&r, "participant_id"))
                        .transpose()?;
                self.audit_refusal(
                    ctx,
                    &format!("{}.refused", action.as_str()),
                    &format!("placement {placement_id}: {fields}"),
                    &participant.into_iter().collect::<Vec<_>>(),
                )
                .await?;
            }
        }
        result
    }

    /// Make an existing placement a learning employment and generate its
    /// week plan. The placement must be employed by the host in an
    /// employer-model intervention; the school partner an organisation of
    /// kind school or adult_education, or a named school.
    pub async fn create_learning(
        &self,
        ctx: &Ctx,
        input: &LearningInput,
    ) -> Result<LearningEmployment> {
        let r = self.create_learning_work(ctx, input).await;
        match input.placement_id {
            Some(p) if p > 0 => self.audited(ctx, LearningAction::Create, p, r).await,
            _ => r,
        }
    }

    /// Change the planned minutes of one week of the plan (an exam week with
    /// more study, a holiday week with none). Closed once it has ended.
    pub async fn plan_learning_week(
        &self,
        ctx: &Ctx,
        placement_id: i64,
        week_start: NaiveDate,
        planned_work_minutes: Option<i64>,
        planned_study_minutes: Option<i64>,
        version: i64,
    ) -> Result<LearningEmployment> {
        let r = self
            .plan_learning_week_work(
                ctx,
                placement_id,
                week_start,
                planned_work_minutes,
                planned_study_minutes,
                version,
            )
            .await;
        self.audited(ctx, LearningAction::Plan, placement_id, r)
            .await
    }

    /// Record the hours done in one week: a week of the plan (up to the end,
    /// or the completion date when it ended early) that has begun. The
    /// school (a partner) records study only; the others both.
    pub async fn record_learning_done(
        &self,
        ctx: &Ctx,
        placement_id: i64,
        week_start: NaiveDate,
        input: DoneInput,
        version: i64,
    ) -> Result<LearningEmployment> {
        let r = self
            .record_learning_done_work(ctx, placement_id, week_start, input, version)
            .await;
        self.audited(ctx, LearningAction::RecordDone, placement_id, r)
            .await
    }

    /// Record how it ended (completed or discontinued) and when. Once.
    pub async fn complete_learning(
        &self,
        ctx: &Ctx,
        placement_id: i64,
        completion: Option<&str>,
        completed_on: Option<&str>,
        version: i64,
    ) -> Result<LearningEmployment> {
        let r = self
            .complete_learning_work(ctx, placement_id, completion, completed_on, version)
            .await;
        self.audited(ctx, LearningAction::Complete, placement_id, r)
            .await
    }

    /// Record whether the employer hired the participant afterwards (may be
    /// corrected later, with the version read).
    pub async fn record_learning_hire(
        &self,
        ctx: &Ctx,
        placement_id: i64,
        hired_after: Option<&str>,
        hired_on: Option<&str>,
        version: i64,
    ) -> Result<LearningEmployment> {
        let r = self
            .record_learning_hire_work(ctx, placement_id, hired_after, hired_on, version)
            .await;
        self.audited(ctx, LearningAction::RecordHire, placement_id, r)
            .await
    }
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
        tx.commit().await?;
        Ok(out)
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

/// What `seed_learning` wrote.
#[derive(Debug, Clone, Copy, Default)]
pub struct LearningSeedCounts {
    pub interventions: usize,
    pub learning_employments: usize,
    pub weeks: usize,
    pub weeks_recorded: usize,
}

impl Store {
    /// Write the synthetic learning employments of `vagar seed`: the
    /// employer-model interventions `(name, description)` (led by the first
    /// municipal unit, the school partners as partners), a host-employed
    /// placement per row at a seeded employer for a participant without a
    /// placement, the learning employment, its plan and the weeks done up
    /// to `as_of`. One transaction; nothing when the first intervention
    /// exists already (the seed may run again) or there are no employers.
    pub async fn seed_learning(
        &self,
        interventions: &[(&str, &str)],
        rows: &[vagar_domain::work::learning::LearningSeed],
        as_of: NaiveDate,
    ) -> Result<LearningSeedCounts> {
        use vagar_domain::work::learning::{seed_done_minutes, Split};
        let mut counts = LearningSeedCounts::default();
        let Some((first, _)) = interventions.first() else {
            return Ok(counts);
        };
        let mut tx = self.pool.begin().await?;
        let exists = sqlx::query("SELECT COUNT(*) AS n FROM interventions WHERE name = $1")
            .bind(*first)
            .fetch_one(&mut *tx)
            .await?;
        if get::<i64>(&exists, "n")? > 0 {
            return Ok(counts);
        }
        let lead: Option<i64> = sqlx::query(
            "SELECT id FROM organisations WHERE kind = 'municipal_unit' ORDER BY id LIMIT 1",
        )
        .fetch_optional(&mut *tx)
        .await?
        .map(|r| get(&r, "id"))
        .transpose()?;
        let schools: Vec<(i64, String)> = sqlx::query(
            "SELECT id, name FROM organisations WHERE kind IN ('school', 'adult_education') ORDER BY id",
        )
        .fetch_all(&mut *tx)
        .await?
        .iter()
        .map(|r| Ok((get(r, "id")?, get(r, "name")?)))
        .collect::<Result<_>>()?;
        // Employers linked to an organisation first (the demo employer user
        // then sees its own learning employments), each with a workplace.
        let employers: Vec<(i64, String, Option<i64>)> = sqlx::query(
            "SELECT e.id, COALESCE(e.sni_code, '') AS sni, (SELECT MIN(w.id) FROM employer_workplaces w WHERE w.employer_id = e.id) AS wp \
             FROM employers e ORDER BY CASE WHEN e.organisation_id IS NULL THEN 1 ELSE 0 END, e.id LIMIT 500",
        )
        .fetch_all(&mut *tx)
        .await?
        .iter()
        .map(|r| Ok((get(r, "id")?, get(r, "sni")?, get(r, "wp")?)))
        .collect::<Result<_>>()?;
        let participants: Vec<i64> = sqlx::query(
            "SELECT p.id FROM participants p WHERE NOT EXISTS \
             (SELECT 1 FROM placements pl WHERE pl.participant_id = p.id) ORDER BY p.id LIMIT 200",
        )
        .fetch_all(&mut *tx)
        .await?
        .iter()
        .map(|r| get(r, "id"))
        .collect::<Result<_>>()?;
        if employers.is_empty() || participants.len() < rows.len() {
            return Ok(counts);
        }
        let at = micros(as_of.and_hms_opt(8, 0, 0).unwrap_or_default().and_utc());
        let ymd = |d: NaiveDate| d.format("%Y-%m-%d").to_string();
        let mut ids = vec![];
        for (name, description) in interventions {
            let r = sqlx::query(
                "INSERT INTO interventions (name, model, description, target_groups, capacity, period_from, \
                 period_to, funding, operator_kind, follow_up_plan, status, created_at, updated_at) \
                 VALUES ($1, 'employer', $2, 'long_term_unemployed,newcomer', 15, $3, $4, $5, 'municipality', $6, 'open', $7, $8) \
                 RETURNING id",
            )
            .bind(*name)
            .bind(*description)
            .bind(ymd(as_of - chrono::Duration::days(400)))
            .bind(ymd(as_of + chrono::Duration::days(365)))
            .bind("Kommunens arbetsmarknadsmedel och lönestöd")
            .bind("Andel i arbete eller studier 90 dagar efter avslut; följs upp av arbetsmarknadsenheten och redovisas i styrgruppen varje kvartal.")
            .bind(at)
            .bind(at)
            .fetch_one(&mut *tx)
            .await?;
            let id: i64 = get(&r, "id")?;
            sqlx::query(
                "INSERT INTO intervention_indicators (intervention_id, outcome, measured_after_days, target_percent, description) \
                 VALUES ($1, 'work_or_studies', 90, 60, 'I arbete eller studier 90 dagar efter avslut')",
            )
            .bind(id)
            .execute(&mut *tx)
            .await?;
            if let Some(lead) = lead {
                sqlx::query(
                    "INSERT INTO intervention_organisations (intervention_id, organisation_id, role) VALUES ($1, $2, 'lead')",
                )
                .bind(id)
                .bind(lead)
                .execute(&mut *tx)
                .await?;
            }
            for (school, _) in &schools {
                sqlx::query(
                    "INSERT INTO intervention_organisations (intervention_id, organisation_id, role) VALUES ($1, $2, 'partner')",
                )
                .bind(id)
                .bind(*school)
                .execute(&mut *tx)
                .await?;
            }
            ids.push(id);
        }
        counts.interventions = ids.len();
        // Care (SNI 86–88) and construction (41–43) employers where there are.
        let by_sni = |prefixes: &[&str]| -> Vec<&(i64, String, Option<i64>)> {
            employers
                .iter()
                .filter(|e| prefixes.iter().any(|p| e.1.starts_with(p)))
                .collect()
        };
        let sectors = [by_sni(&["86", "87", "88"]), by_sni(&["41", "42", "43"])];
        for (i, s) in rows.iter().enumerate() {
            let Some(&intervention) = ids.get(s.intervention) else {
                continue;
            };
            let employer = match sectors.get(s.intervention).filter(|v| !v.is_empty()) {
                Some(v) => v[i % v.len()],
                None => &employers[i % employers.len()],
            };
            // Spread over the list rather than the first few people.
            let participant = participants[(i * 7) % participants.len()];
            let (status, exit_outcome) = match (s.completion, s.hire) {
                (None, _) => ("active", None),
                (Some(_), Some((HireOutcome::Hired, _))) => ("ended", Some("work_unsubsidised")),
                (Some((Completion::Discontinued, _)), _) => ("ended", Some("unemployed")),
                (Some(_), _) => ("ended", Some("unknown")),
            };
            let r = sqlx::query(
                "INSERT INTO placements (participant_id, intervention_id, employer_id, workplace_id, occupation_ssyk, \
                 role_title, start_date, end_date, employment_form, hours_per_week_minutes, planned_work_percent, \
                 planned_study_percent, monthly_wage_ore, supervisor_name, risk_level, risk_explanation, status, \
                 exit_date, exit_outcome, created_at, updated_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 'host', $9, $10, $11, $12, $13, 'low', '[]', $14, $15, $16, $17, $18) \
                 RETURNING id",
            )
            .bind(participant)
            .bind(intervention)
            .bind(employer.0)
            .bind(employer.2)
            .bind(s.ssyk.as_str())
            .bind(s.role_title.as_str())
            .bind(ymd(s.start))
            .bind(ymd(s.end))
            .bind(s.hours_per_week_minutes)
            .bind(s.work_percent)
            .bind(s.study_percent)
            .bind(2_450_000_i64)
            .bind("Handledare på arbetsplatsen")
            .bind(status)
            .bind(s.completion.map(|c| ymd(c.1)))
            .bind(exit_outcome)
            .bind(at)
            .bind(at)
            .fetch_one(&mut *tx)
            .await?;
            let placement: i64 = get(&r, "id")?;
            let school = schools.get(s.school % schools.len().max(1));
            sqlx::query(
                "INSERT INTO learning_employments (placement_id, school_organisation_id, school_name, programme, \
                 work_percent, study_percent, deviation_threshold_pp, completed_on, completion, hired_after, hired_on, \
                 version, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, 5, $7, $8, $9, $10, 1, $11, $12)",
            )
            .bind(placement)
            .bind(school.map(|s| s.0))
            .bind(school.map(|s| s.1.clone()).unwrap_or_else(|| "Vård- och omsorgscollege".into()))
            .bind(s.programme.as_str())
            .bind(s.work_percent)
            .bind(s.study_percent)
            .bind(s.completion.map(|c| ymd(c.1)))
            .bind(s.completion.map(|c| c.0.as_str()))
            .bind(s.hire.map(|h| h.0.as_str()))
            .bind(s.hire.map(|h| ymd(h.1)))
            .bind(at)
            .bind(at)
            .execute(&mut *tx)
            .await?;
            let mut e = ValidationErrors::new();
            let Some(split) = Split::parse(&mut e, Some(s.work_percent), Some(s.study_percent))
            else {
                continue;
            };
            let last = s.completion.map(|c| c.1).unwrap_or(s.end).min(as_of);
            for (wi, w) in plan_weeks(s.start, s.end, s.hours_per_week_minutes, split)
                .iter()
                .enumerate()
            {
                let (pw, ps) = if s.exam_week == Some(wi) {
                    let total = w.work_minutes + w.study_minutes;
                    (total / 2, total - total / 2)
                } else {
                    (w.work_minutes, w.study_minutes)
                };
                let done =
                    (w.week_start <= monday_of(last)).then(|| seed_done_minutes(s, wi, (pw, ps)));
                sqlx::query(
                    "INSERT INTO placement_weeks (placement_id, week_start, planned_work_minutes, planned_study_minutes, \
                     done_work_minutes, done_study_minutes, recorded_at) VALUES ($1, $2, $3, $4, $5, $6, $7)",
                )
                .bind(placement)
                .bind(ymd(w.week_start))
                .bind(pw)
                .bind(ps)
                .bind(done.map(|d| d.0))
                .bind(done.map(|d| d.1))
                .bind(done.map(|_| at))
                .execute(&mut *tx)
                .await?;
                counts.weeks += 1;
                counts.weeks_recorded += usize::from(done.is_some());
            }
            counts.learning_employments += 1;
        }
        tx.commit().await?;
        self.audit_system(
            "learning.seed",
            &format!(
                "synthetic learning employments {}, weeks {} ({} recorded) in {} interventions as of {as_of}",
                counts.learning_employments, counts.weeks, counts.weeks_recorded, counts.interventions
            ),
        )
        .await?;
        Ok(counts)
    }
}
