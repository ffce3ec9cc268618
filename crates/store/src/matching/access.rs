//! Matching's events. The matching handlers decide suggestions and runs
//! from the need and participant policies and record what they showed or
//! refused here; a batch run and a confirmation record theirs in the work's
//! transaction. Part of [`crate::access`] (included there by `#[path]`), so
//! that these writes to the trail are the access module's.

use super::{append_decision, trail, SYSTEM};
use crate::audit::{Outcome, Tx};
use crate::{Ctx, Result, Store};
use chrono::{DateTime, Utc};

impl Store {
    /// Record an audit event for matching (suggestions shown, a run refused).
    /// `rule` None records a denial.
    pub async fn audit_matching(
        &self,
        ctx: &Ctx,
        action: &str,
        rule: Option<String>,
        detail: &str,
        ids: &[i64],
    ) -> Result<()> {
        let mut tx = self.begin_audited().await?;
        append_decision(&mut tx, ctx, action, rule, detail, ids).await?;
        tx.commit().await?;
        Ok(())
    }
}

/// The event of a batch run (`match.run`) at `at`, naming every participant
/// of the proposal: a user's run allowed by their role, the CLI's (`by`
/// None) by the system.
pub(crate) async fn record_run(
    tx: &mut Tx,
    by: Option<&Ctx>,
    at: DateTime<Utc>,
    detail: &str,
    ids: &[i64],
) -> Result<()> {
    let rule = match by {
        Some(c) => format!("{}:role", c.actor.role.as_str()),
        None => SYSTEM.into(),
    };
    trail::append(
        tx,
        by,
        at,
        "match.run",
        &Outcome::Allowed(rule),
        detail,
        ids,
    )
    .await?;
    Ok(())
}

/// The event of a confirmation (`match.confirm`): allowed by the
/// participant rules that allowed every pair, or denied (`None`).
pub(crate) async fn record_confirm(
    tx: &mut Tx,
    ctx: &Ctx,
    rules: Option<String>,
    detail: &str,
    ids: &[i64],
) -> Result<()> {
    append_decision(tx, ctx, "match.confirm", rules, detail, ids).await
}
