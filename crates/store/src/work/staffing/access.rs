//! Decisions on the staffing model (`StaffingAction`), audited in the work's
//! transaction. The allowed event is written by [`StaffingPermit::record`]
//! once the work knows which participants it touched, so participant-linked
//! reads and writes name them in the trail.

use super::append_decision;
use crate::audit::Tx;
use crate::kernel::sql::{Arg, Sql};
use crate::{get, Ctx, Result, Store, StoreError};
use std::collections::HashMap;
use vagar_domain::access::ParticipantAction;
use vagar_domain::work::staffing::access::{
    decide_staffing, staffing_role_may, staffing_rules, StaffingAction, StaffingRule, StaffingScope,
};

/// What a staffing decision is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StaffingTarget {
    /// Creating a pool, or a list the filter narrows.
    None,
    Pool(i64),
    Staff(i64),
    Request(i64),
    Assignment(i64),
    Training(i64),
    /// A municipal unit (an organisation), for ordering and reported hours.
    Unit(i64),
}

/// Permission for one staffing action. Only this module builds one.
#[derive(Debug)]
#[must_use = "record the allowed event with `record`"]
pub struct StaffingPermit {
    action: StaffingAction,
    rule: StaffingRule,
    event: String,
    detail: String,
    pool_id: Option<i64>,
    unit_id: Option<i64>,
}

impl StaffingPermit {
    pub fn action(&self) -> StaffingAction {
        self.action
    }
    pub fn rule(&self) -> StaffingRule {
        self.rule
    }
    /// The pool the target belongs to, when it has one.
    pub fn pool_id(&self) -> Option<i64> {
        self.pool_id
    }
    /// The unit the target belongs to (a request's, a report's).
    pub fn unit_id(&self) -> Option<i64> {
        self.unit_id
    }
    /// Write the allowed event into `tx`, naming the participants the work
    /// touched (staff who are participants).
    pub async fn record(self, tx: &mut Tx, ctx: &Ctx, participant_ids: &[i64]) -> Result<()> {
        let detail = self.detail.clone();
        self.record_with_detail(tx, ctx, &detail, participant_ids)
            .await
    }

    /// As `record`, with `detail` after the target in the event's detail.
    pub async fn record_with_detail(
        self,
        tx: &mut Tx,
        ctx: &Ctx,
        detail: &str,
        participant_ids: &[i64],
    ) -> Result<()> {
        let detail = if detail == self.detail || self.detail.is_empty() {
            detail.to_string()
        } else {
            format!("{}; {detail}", self.detail)
        };
        let mut ids = participant_ids.to_vec();
        ids.sort_unstable();
        ids.dedup();
        append_decision(tx, ctx, &self.event, Some(self.rule.name()), &detail, &ids).await
    }
}

/// The unit condition of a list (on `column`): nothing for rules that reach
/// anywhere, the actor's own unit for a unit's staff.
pub(crate) fn unit_filter(ctx: &Ctx, action: StaffingAction, column: &str, sql: &mut Sql) {
    let rules: Vec<StaffingRule> = staffing_rules(action)
        .iter()
        .copied()
        .filter(|r| r.role == ctx.actor.role)
        .collect();
    if rules.is_empty() {
        sql.push("1 = 0");
    } else if rules.iter().any(|r| r.scope == StaffingScope::Anywhere) {
        sql.push("1 = 1");
    } else {
        sql.push(column)
            .push(" = ")
            .bind(Arg::I64(ctx.actor.organisation_id));
    }
}

/// For each participant id: may the actor read the participant (and so see
/// the name)? Decided by the participant policy.
pub(crate) async fn readable_participants(
    tx: &mut Tx,
    ctx: &Ctx,
    ids: &[i64],
) -> Result<HashMap<i64, bool>> {
    let decisions =
        crate::access::participants::check_participants(tx, ctx, ParticipantAction::Read, ids)
            .await?;
    Ok(ids
        .iter()
        .copied()
        .zip(decisions.into_iter().map(|d| d.is_some()))
        .collect())
}

impl Store {
    /// Decide a staffing action on `target` and audit it as `event`. A role
    /// that may never do it gets `Forbidden`; a target that does not exist
    /// or is another unit's gets `NotFound`. A denial is committed at once;
    /// the allowed event is written by the permit's `record`.
    pub async fn authorize_staffing(
        &self,
        ctx: &Ctx,
        action: StaffingAction,
        target: StaffingTarget,
        event: &str,
    ) -> Result<(Tx, StaffingPermit)> {
        let detail = match target {
            StaffingTarget::None => String::new(),
            StaffingTarget::Pool(i) => format!("pool {i}"),
            StaffingTarget::Staff(i) => format!("staff {i}"),
            StaffingTarget::Request(i) => format!("request {i}"),
            StaffingTarget::Assignment(i) => format!("assignment {i}"),
            StaffingTarget::Training(i) => format!("training {i}"),
            StaffingTarget::Unit(i) => format!("unit {i}"),
        };
        let may = staffing_role_may(ctx.actor.role, action);
        let mut d = self.begin_decision(ctx, event, detail, vec![], may).await?;
        // (found, pool, unit)
        let (found, pool_id, unit_id) = match target {
            StaffingTarget::None => (true, None, None),
            StaffingTarget::Unit(u) => {
                let row = sqlx::query(
                    "SELECT COUNT(*) AS n FROM organisations WHERE id = $1 AND kind = 'municipal_unit'",
                )
                .bind(u)
                .fetch_one(&mut *d.tx)
                .await?;
                (get::<i64>(&row, "n")? > 0, None, Some(u))
            }
            other => {
                let (q, id) = match other {
                    StaffingTarget::Pool(i) => ("SELECT id AS pool_id, NULL AS unit_id FROM staffing_pools WHERE id = $1", i),
                    StaffingTarget::Staff(i) => ("SELECT pool_id, NULL AS unit_id FROM staffing_staff WHERE id = $1", i),
                    StaffingTarget::Request(i) => (
                        "SELECT pool_id, unit_organisation_id AS unit_id FROM staffing_requests WHERE id = $1",
                        i,
                    ),
                    StaffingTarget::Assignment(i) => (
                        "SELECT r.pool_id, r.unit_organisation_id AS unit_id FROM staffing_assignments a \
                         JOIN staffing_requests r ON r.id = a.request_id WHERE a.id = $1",
                        i,
                    ),
                    StaffingTarget::Training(i) => (
                        "SELECT s.pool_id, NULL AS unit_id FROM training_progress t \
                         JOIN staffing_staff s ON s.id = t.staff_id WHERE t.id = $1",
                        i,
                    ),
                    StaffingTarget::None | StaffingTarget::Unit(_) => unreachable!(),
                };
                match sqlx::query(q).bind(id).fetch_optional(&mut *d.tx).await? {
                    None => (false, None, None),
                    Some(r) => (
                        true,
                        Some(get::<i64>(&r, "pool_id")?),
                        get::<Option<i64>>(&r, "unit_id")?,
                    ),
                }
            }
        };
        let decision = if found {
            decide_staffing(&ctx.actor, action, unit_id)
        } else {
            None
        };
        // The allowed event waits for the participants the work touches
        // (`StaffingPermit::record`); a denial is written and committed now.
        match decision {
            Some(rule) => Ok((
                d.tx,
                StaffingPermit {
                    action,
                    rule,
                    event: event.to_string(),
                    detail: d.detail,
                    pool_id,
                    unit_id,
                },
            )),
            None => d.deny(StoreError::NotFound).await,
        }
    }
}

impl StaffingPermit {
    /// The allowed attempt that the domain refused (nothing written), with
    /// the refusal in the detail.
    pub async fn record_refused(
        self,
        tx: &mut Tx,
        ctx: &Ctx,
        refusal: &str,
        ids: &[i64],
    ) -> Result<()> {
        self.record_with_detail(tx, ctx, &format!("refused: {refusal}"), ids)
            .await
    }
}
