//! The competence-need policy's decisions (`vagar_domain::access`) against
//! the database, and the list filter from the same rules. Part of
//! [`crate::access`] (included there by `#[path]`): only it makes a
//! `NeedPermit`.

use super::{append_decision, push_any_scope};
use crate::audit::Tx;
use crate::kernel::sql::{Arg, Sql};
use crate::{get, Ctx, Result, Store};
use vagar_domain::access::{
    decide_need, need_role_may, need_rules, NeedAction, NeedRule, NeedScope,
};

/// Permission for an action on one competence need (or, for `Create` and
/// lists, none).
#[derive(Debug)]
#[must_use = "a permit records its audit event when used"]
pub struct NeedPermit {
    need_id: Option<i64>,
    rule: NeedRule,
}

impl NeedPermit {
    pub fn need_id(&self) -> Option<i64> {
        self.need_id
    }
    pub fn rule(&self) -> NeedRule {
        self.rule
    }
}

permit_by_rule!(NeedPermit);

impl NeedPermit {
    /// Write which needs a list returned (`competence_need.list.returned`,
    /// allowed as `list`): needs are not participants, so their ids are in
    /// `detail`.
    pub async fn record_list(&self, tx: &mut Tx, ctx: &Ctx, detail: &str) -> Result<()> {
        let event = "competence_need.list.returned";
        append_decision(tx, ctx, event, Some("list".into()), detail, &[]).await
    }
}

impl Store {
    /// Decide a need action on need `need_id` (`None` for `Create` and
    /// lists) and audit it as `event`, as `authorize_steering` does: a role
    /// that may never do it gets `Forbidden` (audited, committed); a need
    /// that does not exist or is not the actor's to see gets `NotFound`; the
    /// allowed event is in the returned transaction.
    pub async fn authorize_need(
        &self,
        ctx: &Ctx,
        action: NeedAction,
        need_id: Option<i64>,
        event: &str,
    ) -> Result<(Tx, NeedPermit)> {
        let detail = need_id.map(|n| format!("need {n}")).unwrap_or_default();
        let may = need_role_may(ctx.actor.role, action);
        let mut d = self.begin_decision(ctx, event, detail, vec![], may).await?;
        let decision = match need_id {
            // Without a need the role decides; a list is narrowed by `need_filter`.
            None => decide_need(&ctx.actor, action, false).or_else(|| {
                need_rules(action)
                    .iter()
                    .copied()
                    .find(|r| r.role == ctx.actor.role)
            }),
            Some(n) => {
                let row = sqlx::query(
                    "SELECT (SELECT COUNT(*) FROM competence_needs WHERE id = $1) AS found, \
                     (SELECT COUNT(*) FROM competence_needs cn JOIN employers e ON e.id = cn.employer_id \
                      WHERE cn.id = $2 AND e.organisation_id = $3) AS own",
                )
                .bind(n)
                .bind(n)
                .bind(ctx.actor.organisation_id)
                .fetch_one(&mut *d.tx)
                .await?;
                let found: i64 = get(&row, "found")?;
                let own: i64 = get(&row, "own")?;
                if found == 0 {
                    None
                } else {
                    decide_need(&ctx.actor, action, own > 0)
                }
            }
        };
        d.conclude(decision.map(|rule| (rule.name(), NeedPermit { need_id, rule })))
            .await
    }
}

/// The SQL condition (on alias `n`, a competence need) selecting the needs
/// the actor may `action`, from the same rules as `authorize_need`.
pub(crate) fn need_filter(ctx: &Ctx, action: NeedAction, sql: &mut Sql) {
    let scopes = need_rules(action)
        .iter()
        .filter(|r| r.role == ctx.actor.role)
        .map(|r| r.scope);
    push_any_scope(sql, scopes, |sql, scope| match scope {
        NeedScope::Anywhere => {
            sql.push("1 = 1");
        }
        NeedScope::OwnEmployer => {
            sql.push(
                "n.employer_id IN (SELECT oe.id FROM employers oe WHERE oe.organisation_id = ",
            )
            .bind(Arg::I64(ctx.actor.organisation_id))
            .push(")");
        }
    });
}
