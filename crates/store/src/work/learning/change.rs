//! Changing a learning employment: its creation with the generated week
//! plan, a week of the plan, the hours done, its completion and the hire
//! afterwards. A change refused by a rule rolls its work back and is then
//! audited on its own, naming the fields.

use super::{load, DoneInput, LearningEmployment};
use crate::access::learning::LearningPermit;
use crate::audit::Tx;
use crate::kernel::{commit, date_at, date_text, one_error};
use crate::{get, micros, Ctx, Result, Store, StoreError};
use chrono::NaiveDate;
use vagar_domain::work::learning::access::LearningAction;
use vagar_domain::work::learning::{
    check_completion, check_hire, check_minutes, check_not_future, check_week, monday_of,
    plan_weeks, Completion, HireOutcome, LearningData, LearningInput,
};
use vagar_domain::ValidationErrors;

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

impl Store {
    /// The start of every change but the creation: the decision on the
    /// placement, and its learning employment as stored when `version` is
    /// still the stored one (else 409 stale).
    async fn current(
        &self,
        ctx: &Ctx,
        action: LearningAction,
        placement_id: i64,
        version: i64,
    ) -> Result<(Tx, LearningPermit, LearningEmployment)> {
        let (mut tx, permit) = self
            .authorize_learning(ctx, action, Some(placement_id))
            .await?;
        let current = load(&mut tx, placement_id, false).await?;
        if current.version != version {
            return Err(StoreError::StaleVersion);
        }
        Ok((tx, permit, current))
    }

    /// Make an existing placement a learning employment and generate its
    /// week plan. The placement must be employed by the host in an
    /// employer-model intervention; the school partner an organisation of
    /// kind school or adult_education, or a named school.
    async fn create_learning_work(
        &self,
        ctx: &Ctx,
        input: &LearningInput,
    ) -> Result<LearningEmployment> {
        if !vagar_domain::work::learning::access::learning_role_may(
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
        let start = date_at(&p, "start_date")?;
        let end = date_at(&p, "end_date")?;
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
            .bind(date_text(w.week_start))
            .bind(w.work_minutes)
            .bind(w.study_minutes)
            .execute(&mut *tx)
            .await?;
        }
        let l = load(&mut tx, data.placement_id, permit.minimal()).await?;
        commit(tx, l).await
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
        let (mut tx, permit, current) = self
            .current(ctx, LearningAction::Plan, placement_id, version)
            .await?;
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
        .bind(date_text(week_start))
        .execute(&mut *tx)
        .await?;
        let detail = format!("placement {placement_id} week {week_start}");
        changed(
            tx,
            ctx,
            &permit,
            placement_id,
            version,
            "learning.plan.changed",
            &detail,
        )
        .await
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
        let (mut tx, permit, current) = self
            .current(ctx, LearningAction::RecordDone, placement_id, version)
            .await?;
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
        .bind(date_text(week_start))
        .execute(&mut *tx)
        .await?;
        let detail = format!("placement {placement_id} week {week_start}");
        changed(
            tx,
            ctx,
            &permit,
            placement_id,
            version,
            "learning.done.recorded",
            &detail,
        )
        .await
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
        let (mut tx, permit, current) = self
            .current(ctx, LearningAction::Complete, placement_id, version)
            .await?;
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
        .bind(date_text(d))
        .bind(placement_id)
        .execute(&mut *tx)
        .await?;
        let detail = format!("placement {placement_id} {}", c.as_str());
        changed(
            tx,
            ctx,
            &permit,
            placement_id,
            version,
            "learning.completed",
            &detail,
        )
        .await
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
        let (mut tx, permit, current) = self
            .current(ctx, LearningAction::RecordHire, placement_id, version)
            .await?;
        let (h, d): (HireOutcome, NaiveDate) =
            check_hire(hired_after, hired_on, current.completed_on, ctx.today())
                .map_err(StoreError::Validation)?;
        sqlx::query(
            "UPDATE learning_employments SET hired_after = $1, hired_on = $2 WHERE placement_id = $3",
        )
        .bind(h.as_str())
        .bind(date_text(d))
        .bind(placement_id)
        .execute(&mut *tx)
        .await?;
        let detail = format!("placement {placement_id} {}", h.as_str());
        changed(
            tx,
            ctx,
            &permit,
            placement_id,
            version,
            "learning.hire.recorded",
            &detail,
        )
        .await
    }
}

/// The end of every change: the version moves on (409 if it moved
/// meanwhile), the change's event names the participant, and the learning
/// employment is read back as the permit shows it.
async fn changed(
    mut tx: Tx,
    ctx: &Ctx,
    permit: &LearningPermit,
    placement_id: i64,
    version: i64,
    event: &str,
    detail: &str,
) -> Result<LearningEmployment> {
    bump(&mut tx, ctx, placement_id, version).await?;
    let ids: Vec<i64> = permit.participant_id().into_iter().collect();
    permit.record(&mut tx, ctx, event, detail, &ids).await?;
    let l = load(&mut tx, placement_id, permit.minimal()).await?;
    commit(tx, l).await
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
