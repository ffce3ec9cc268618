//! The steering policy's decisions (`vagar_domain::access::steering`)
//! against the database, and the list filter from the same rules. Part of
//! [`crate::access`] (included there by `#[path]`): only it makes a
//! `SteeringPermit`.

use super::push_any_scope;
use crate::audit::Tx;
use crate::kernel::sql::{Arg, Sql};
use crate::{get, Ctx, Result, Store};
use vagar_domain::access::{
    decide_steering, steering_role_may, steering_rules, SteeringAction, SteeringRule, SteeringScope,
};

/// Permission for a steering action on one group (or, for `Create`, none).
#[derive(Debug)]
#[must_use = "a permit records its audit event when used"]
pub struct SteeringPermit {
    group_id: Option<i64>,
    rule: SteeringRule,
}

impl SteeringPermit {
    pub fn group_id(&self) -> Option<i64> {
        self.group_id
    }
    pub fn rule(&self) -> SteeringRule {
        self.rule
    }
}

permit_by_rule!(SteeringPermit);

impl Store {
    /// Decide a steering action on group `group_id` (`None` for `Create`)
    /// and audit it as `event`. A role that may never do it gets
    /// `Forbidden`; a group the actor's organisation is not a member of (or
    /// that does not exist) gets `NotFound`. As with participants, a denial
    /// is committed at once; the allowed event is in the returned
    /// transaction.
    pub async fn authorize_steering(
        &self,
        ctx: &Ctx,
        action: SteeringAction,
        group_id: Option<i64>,
        event: &str,
    ) -> Result<(Tx, SteeringPermit)> {
        let detail = group_id.map(|g| format!("group {g}")).unwrap_or_default();
        let may = steering_role_may(ctx.actor.role, action);
        let mut d = self.begin_decision(ctx, event, detail, vec![], may).await?;
        let decision = match group_id {
            // Without a group (creating one, or a list) the role decides;
            // a list is then narrowed by `steering_filter`.
            None => decide_steering(&ctx.actor, action, true),
            Some(g) => {
                let row = sqlx::query(
                    "SELECT (SELECT COUNT(*) FROM steering_groups WHERE id = $1) AS found, \
                     (SELECT COUNT(*) FROM steering_group_members WHERE group_id = $2 \
                     AND organisation_id = $3) AS member",
                )
                .bind(g)
                .bind(g)
                .bind(ctx.actor.organisation_id)
                .fetch_one(&mut *d.tx)
                .await?;
                let found: i64 = get(&row, "found")?;
                let member: i64 = get(&row, "member")?;
                if found == 0 {
                    None
                } else {
                    decide_steering(&ctx.actor, action, member > 0)
                }
            }
        };
        d.conclude(decision.map(|rule| (rule.name(), SteeringPermit { group_id, rule })))
            .await
    }
}

/// The SQL condition (on alias `g`, a steering group) selecting the groups
/// the actor may `action`, from the same rules as `authorize_steering`.
pub(crate) fn steering_filter(ctx: &Ctx, action: SteeringAction, sql: &mut Sql) {
    let scopes = steering_rules(action)
        .iter()
        .filter(|r| r.role == ctx.actor.role)
        .map(|r| r.scope);
    push_any_scope(sql, scopes, |sql, scope| match scope {
        SteeringScope::Anywhere => {
            sql.push("1 = 1");
        }
        SteeringScope::Member => {
            sql.push(
                "g.id IN (SELECT m.group_id FROM steering_group_members m WHERE m.organisation_id = ",
            )
            .bind(Arg::I64(ctx.actor.organisation_id))
            .push(")");
        }
    });
}
