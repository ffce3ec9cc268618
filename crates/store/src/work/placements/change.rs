//! Changing a placement: its weeks recorded, its terms changed (validated
//! and assessed again), its end with the outcome, and a coordinator's
//! override of a block.

use super::create::{enrolment_facts, refresh_need};
use super::{load_placement, load_shares, terms_args, Host, Placement, TERMS_COLUMNS};
use crate::kernel::sql::{Arg, Sql};
use crate::kernel::{one_error, opt_date_at};
use crate::plans::linked::close_plan_step;
use crate::work::displacement::{assess_in, blocked_error};
use crate::{micros, Ctx, Result, Store, StoreError};
use chrono::NaiveDate;
use vagar_domain::access::PlacementAction;
use vagar_domain::work::displacement::RiskLevel;
use vagar_domain::work::interventions::InterventionStatus;
use vagar_domain::work::learning::monday_of;
use vagar_domain::work::placements::shares::{check_record, planned_week, ShareSummary};
use vagar_domain::work::placements::{
    check_enrolment, check_exit, check_override_reason, ExitInput, PlacementInput, PlacementTerms,
};
use vagar_domain::ValidationErrors;

impl Store {
    /// Record the hours actually worked and studied in one Monday week of a
    /// placement (any placement; for a learning employment the week must be
    /// one of its plan and its version moves on, as its own recording
    /// does). Refused, with nothing written, for a week outside the
    /// placement (up to its exit date when it ended early), not a Monday,
    /// ahead of today, or minutes negative or over 7 × 24 h.
    pub async fn record_placement_week(
        &self,
        ctx: &Ctx,
        id: i64,
        week_start: &str,
        work_minutes: Option<i64>,
        study_minutes: Option<i64>,
    ) -> Result<ShareSummary> {
        let (mut tx, _permit) = self
            .authorize_placement(ctx, PlacementAction::Update, id, "placement.week.record")
            .await?;
        let p = load_placement(&mut tx, id).await?;
        if p.status == "cancelled" {
            return Err(StoreError::Conflict {
                field: "status".into(),
                message: "the placement is cancelled; no hours are recorded".into(),
            });
        }
        let last_day = p.exit_date.map_or(p.end_date, |x| x.min(p.end_date));
        let rec = check_record(
            Some(week_start),
            work_minutes,
            study_minutes,
            p.start_date,
            last_day,
            ctx.today(),
        )
        .map_err(StoreError::Validation)?;
        let week = rec.week_start.to_string();
        let learning =
            sqlx::query("SELECT completed_on FROM learning_employments WHERE placement_id = $1")
                .bind(id)
                .fetch_optional(&mut *tx)
                .await?;
        let stored = sqlx::query(
            "SELECT week_start FROM placement_weeks WHERE placement_id = $1 AND week_start = $2",
        )
        .bind(id)
        .bind(&week)
        .fetch_optional(&mut *tx)
        .await?
        .is_some();
        if let Some(l) = &learning {
            // A learning employment keeps its own plan: only its weeks, and
            // none after its completion.
            let completed: Option<NaiveDate> = opt_date_at(l, "completed_on")?;
            if !stored || completed.is_some_and(|c| rec.week_start > monday_of(c)) {
                return Err(one_error(
                    "week_start",
                    "outside_placement",
                    "the week is outside the learning employment's plan",
                ));
            }
        }
        if stored {
            sqlx::query(
                "UPDATE placement_weeks SET done_work_minutes = $1, done_study_minutes = $2, \
                 recorded_by = $3, recorded_at = $4 WHERE placement_id = $5 AND week_start = $6",
            )
            .bind(rec.work_minutes)
            .bind(rec.study_minutes)
            .bind(ctx.actor.user_id)
            .bind(micros(ctx.now))
            .bind(id)
            .bind(&week)
            .execute(&mut *tx)
            .await?;
        } else {
            let (pw, ps) = planned_week(
                p.start_date,
                p.end_date,
                p.hours_per_week_minutes,
                p.planned_work_percent,
                p.planned_study_percent,
                rec.week_start,
            );
            sqlx::query(
                "INSERT INTO placement_weeks (placement_id, week_start, planned_work_minutes, \
                 planned_study_minutes, done_work_minutes, done_study_minutes, recorded_by, recorded_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
            )
            .bind(id)
            .bind(&week)
            .bind(pw)
            .bind(ps)
            .bind(rec.work_minutes)
            .bind(rec.study_minutes)
            .bind(ctx.actor.user_id)
            .bind(micros(ctx.now))
            .execute(&mut *tx)
            .await?;
        }
        if learning.is_some() {
            // The learning employment's optimistic lock sees the change.
            sqlx::query(
                "UPDATE learning_employments SET version = version + 1, updated_at = $1 \
                 WHERE placement_id = $2",
            )
            .bind(micros(ctx.now))
            .bind(id)
            .execute(&mut *tx)
            .await?;
        }
        let shares = load_shares(&mut tx, &p).await?;
        tx.commit().await?;
        Ok(shares)
    }

    /// Change a placement's terms (the whole placement validated again
    /// against the programme's rules and re-assessed; `version` must
    /// match). Only planned and active placements change.
    pub async fn update_placement(
        &self,
        ctx: &Ctx,
        id: i64,
        input: &PlacementInput,
        version: i64,
    ) -> Result<Placement> {
        self.update_placement_with(ctx, id, version, |_| Ok(input.clone()))
            .await
    }

    /// Change a placement's terms to what `change` makes of the stored
    /// ones (a PATCH's merge). The role is decided first, here only
    /// (audited); `change`'s errors (the body's shape) come before the
    /// version and the rules are checked.
    pub async fn update_placement_with(
        &self,
        ctx: &Ctx,
        id: i64,
        version: i64,
        change: impl FnOnce(PlacementInput) -> std::result::Result<PlacementInput, ValidationErrors>,
    ) -> Result<Placement> {
        let (mut tx, _permit) = self
            .authorize_placement(ctx, PlacementAction::Update, id, "placement.update")
            .await?;
        let current = load_placement(&mut tx, id).await?;
        let input = &change(current.to_input()).map_err(StoreError::Validation)?;
        if current.version != version {
            return Err(StoreError::StaleVersion);
        }
        if !matches!(current.status.as_str(), "planned" | "active") {
            return Err(StoreError::Conflict {
                field: "status".into(),
                message: format!("the placement is {}; it no longer changes", current.status),
            });
        }
        let terms = PlacementTerms::from_input(input).map_err(StoreError::Validation)?;
        let host = Host {
            employer_id: current.employer_id,
            workplace_id: current.workplace_id,
            host_organisation_id: current.host_organisation_id,
        };
        let (mut facts, _) = enrolment_facts(
            &mut tx,
            current.intervention_id,
            current.participant_id,
            &host,
            &terms,
            Some(id),
        )
        .await?
        .ok_or(StoreError::NotFound)?;
        // The place is already taken and enrolment already happened: a
        // change is checked against the programme's rules, the period and
        // the person's other placements (one full time), not again against
        // the intervention's target groups.
        facts.status = InterventionStatus::Open;
        facts.taken_places = 0;
        facts.intervention_groups.clear();
        check_enrolment(&facts, &terms).map_err(StoreError::Validation)?;
        let a = assess_in(
            &mut tx,
            &host,
            &terms.occupation_ssyk,
            terms.start_date,
            terms.end_date,
            terms.extra_task,
            Some(id),
        )
        .await?;
        if a.level == RiskLevel::Blocked && current.override_reason.is_none() {
            return Err(blocked_error(&a));
        }
        let mut sql = Sql::new("UPDATE placements SET ");
        sql.bind_assignments(TERMS_COLUMNS, terms_args(&terms, &a))
            .push(", version = version + 1, updated_at = ")
            .bind(Arg::I64(micros(ctx.now)))
            .push(" WHERE id = ")
            .bind(Arg::I64(id))
            .push(" AND version = ")
            .bind(Arg::I64(version));
        let done = sql.query().execute(&mut *tx).await?;
        if done.rows_affected() != 1 {
            return Err(StoreError::StaleVersion);
        }
        let p = load_placement(&mut tx, id).await?;
        tx.commit().await?;
        Ok(p)
    }

    /// End a placement with its outcome: the need's slot frees and the plan
    /// step is closed with the outcome, in the same transaction.
    pub async fn exit_placement(
        &self,
        ctx: &Ctx,
        id: i64,
        input: &ExitInput,
        version: Option<i64>,
    ) -> Result<Placement> {
        let (mut tx, permit) = self
            .authorize_placement(ctx, PlacementAction::Update, id, "placement.exit")
            .await?;
        let current = load_placement(&mut tx, id).await?;
        if version.is_some_and(|v| v != current.version) {
            return Err(StoreError::StaleVersion);
        }
        if !matches!(current.status.as_str(), "planned" | "active") {
            return Err(StoreError::Conflict {
                field: "status".into(),
                message: format!("the placement is already {}", current.status),
            });
        }
        let (exit_date, outcome) =
            check_exit(input, current.start_date).map_err(StoreError::Validation)?;
        let now = micros(ctx.now);
        let done = sqlx::query(
            "UPDATE placements SET status = 'ended', exit_date = $1, exit_outcome = $2, version = version + 1, updated_at = $3 \
             WHERE id = $4 AND version = $5",
        )
        .bind(exit_date.to_string())
        .bind(outcome.as_str())
        .bind(now)
        .bind(id)
        .bind(current.version)
        .execute(&mut *tx)
        .await?;
        if done.rows_affected() != 1 {
            return Err(StoreError::StaleVersion);
        }
        if let Some(n) = current.need_id {
            refresh_need(&mut tx, n, now).await?;
        }
        if let Some(s) = current.plan_step_id {
            close_plan_step(
                &mut tx,
                ctx,
                s,
                &format!("Avslutad {exit_date}: {}", outcome.as_str()),
            )
            .await?;
            permit
                .record_also(
                    &mut tx,
                    ctx,
                    "plan.step.update",
                    &format!("placement {id}: step {s}"),
                )
                .await?;
        }
        let p = load_placement(&mut tx, id).await?;
        tx.commit().await?;
        Ok(p)
    }

    /// An employer coordinator lets a blocked placement stand, with a
    /// recorded reason (who and when are kept beside it, and audited).
    pub async fn override_placement(
        &self,
        ctx: &Ctx,
        id: i64,
        reason: Option<&str>,
        version: Option<i64>,
    ) -> Result<Placement> {
        let (mut tx, _permit) = self
            .authorize_placement(ctx, PlacementAction::Override, id, "placement.override")
            .await?;
        let current = load_placement(&mut tx, id).await?;
        if version.is_some_and(|v| v != current.version) {
            return Err(StoreError::StaleVersion);
        }
        let reason = check_override_reason(reason).map_err(StoreError::Validation)?;
        if current.risk.level != RiskLevel::Blocked || current.override_reason.is_some() {
            return Err(StoreError::Conflict {
                field: "override_reason".into(),
                message: "only a blocked placement without an override can be overridden".into(),
            });
        }
        let now = micros(ctx.now);
        sqlx::query(
            "UPDATE placements SET override_reason = $1, override_by = $2, override_at = $3, version = version + 1, \
             updated_at = $4 WHERE id = $5 AND version = $6",
        )
        .bind(reason.as_str())
        .bind(ctx.actor.user_id)
        .bind(now)
        .bind(now)
        .bind(id)
        .bind(current.version)
        .execute(&mut *tx)
        .await?;
        let p = load_placement(&mut tx, id).await?;
        tx.commit().await?;
        Ok(p)
    }
}
