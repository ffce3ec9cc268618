//! The employer policy's decisions (`vagar_domain::access`) against the
//! database, and the list filter from the same rules. Part of
//! [`crate::access`] (included there by `#[path]`): only it makes an
//! `EmployerPermit`.

use super::push_any_scope;
use crate::audit::Tx;
use crate::kernel::sql::{Arg, Sql};
use crate::{get, Ctx, Result, Store};
use vagar_domain::access::{
    decide_employer, employer_role_may, employer_rules, EmployerAction, EmployerRule, EmployerScope,
};

/// Permission for an employer action on one employer (or, for `Create` and
/// lists, none).
#[derive(Debug)]
#[must_use = "a permit records its audit event when used"]
pub struct EmployerPermit {
    employer_id: Option<i64>,
    rule: EmployerRule,
}

impl EmployerPermit {
    pub fn employer_id(&self) -> Option<i64> {
        self.employer_id
    }
    pub fn rule(&self) -> EmployerRule {
        self.rule
    }
}

permit_by_rule!(EmployerPermit);

impl Store {
    /// Decide an employer action on `employer_id` (`None` for `Create` and
    /// lists) and audit it as `event`, the employer named in the detail. A
    /// role that may never do it gets `Forbidden`; an employer that does not
    /// exist, or that the actor may not see (another employer's user), gets
    /// `NotFound`. As with participants, a denial is committed at once; the
    /// allowed event is in the returned transaction.
    pub async fn authorize_employer(
        &self,
        ctx: &Ctx,
        action: EmployerAction,
        employer_id: Option<i64>,
        event: &str,
    ) -> Result<(Tx, EmployerPermit)> {
        let detail = employer_id
            .map(|e| format!("employer {e}"))
            .unwrap_or_default();
        let may = employer_role_may(ctx.actor.role, action);
        let mut d = self.begin_decision(ctx, event, detail, vec![], may).await?;
        let decision = match employer_id {
            None => decide_employer(&ctx.actor, action, None),
            Some(e) => {
                let row = sqlx::query("SELECT organisation_id FROM employers WHERE id = $1")
                    .bind(e)
                    .fetch_optional(&mut *d.tx)
                    .await?;
                match row {
                    None => None,
                    Some(r) => {
                        let linked: Option<i64> = get(&r, "organisation_id")?;
                        decide_employer(&ctx.actor, action, Some(linked))
                    }
                }
            }
        };
        d.conclude(decision.map(|rule| (rule.name(), EmployerPermit { employer_id, rule })))
            .await
    }
}

/// The SQL condition (on alias `e`, an employer) selecting the employers the
/// actor may `action`, from the same rules as `authorize_employer`.
pub(crate) fn employer_filter(ctx: &Ctx, action: EmployerAction, sql: &mut Sql) {
    let scopes = employer_rules(action)
        .iter()
        .filter(|r| r.role == ctx.actor.role)
        .map(|r| r.scope);
    push_any_scope(sql, scopes, |sql, scope| match scope {
        EmployerScope::Anywhere => {
            sql.push("1 = 1");
        }
        EmployerScope::OwnEmployer => {
            sql.push("e.organisation_id = ")
                .bind(Arg::I64(ctx.actor.organisation_id));
        }
    });
}
