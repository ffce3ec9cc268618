//! The rental model's decisions (`vagar_domain::work::rental::access`)
//! against the database, with the audit event written in the work's
//! transaction. Only this module builds a `RentalPermit`.

use super::{append_decision, push_any_scope};
use crate::audit::Tx;
use crate::kernel::sql::{Arg, Sql};
use crate::{get, Ctx, Result, Store};
use vagar_domain::work::rental::access::{
    decide_rental, rental_role_may, rental_rules, RentalAction, RentalRule, RentalScope,
};

/// What a rental decision is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RentalTarget {
    /// No single target: creating, or a list the filter narrows.
    None,
    /// A rental-model intervention (404 for any other).
    Intervention(i64),
    /// An intervention of any model (the legal checks cover staffing too).
    AnyIntervention(i64),
    Placement(i64),
    Timesheet(i64),
    Invoice(i64),
}

#[derive(Debug)]
#[must_use = "a permit records its audit event when used"]
pub struct RentalPermit {
    rule: RentalRule,
    participant_id: Option<i64>,
    placement_id: Option<i64>,
}

impl RentalPermit {
    pub fn rule(&self) -> RentalRule {
        self.rule
    }
    pub fn participant_id(&self) -> Option<i64> {
        self.participant_id
    }
    pub fn placement_id(&self) -> Option<i64> {
        self.placement_id
    }
    /// A further event of the same piece of work (what a list returned,
    /// what was created), naming the participants it touched.
    pub async fn record(
        &self,
        tx: &mut Tx,
        ctx: &Ctx,
        event: &str,
        detail: &str,
        participant_ids: &[i64],
    ) -> Result<()> {
        let mut ids = participant_ids.to_vec();
        ids.sort();
        ids.dedup();
        append_decision(tx, ctx, event, Some(self.rule.name()), detail, &ids).await
    }
}

impl Store {
    /// Decide a rental action and audit it as `event`: 403 (audited,
    /// committed) for a role that may never; 404 for a target that does not
    /// exist or is not the actor's (another host's placement); otherwise
    /// the allowed event is in the returned transaction.
    pub async fn authorize_rental(
        &self,
        ctx: &Ctx,
        action: RentalAction,
        target: RentalTarget,
        event: &str,
    ) -> Result<(Tx, RentalPermit)> {
        let detail = match target {
            RentalTarget::None => String::new(),
            RentalTarget::Intervention(i) | RentalTarget::AnyIntervention(i) => {
                format!("intervention {i}")
            }
            RentalTarget::Placement(p) => format!("placement {p}"),
            RentalTarget::Timesheet(t) => format!("timesheet {t}"),
            RentalTarget::Invoice(i) => format!("invoice {i}"),
        };
        let may = rental_role_may(ctx.actor.role, action);
        let mut d = self.begin_decision(ctx, event, detail, vec![], may).await?;
        // (found, participant, placement, own host)
        let facts: Option<(Option<i64>, Option<i64>, Option<bool>)> = match target {
            RentalTarget::None => Some((None, None, None)),
            RentalTarget::Intervention(i) => {
                let row = sqlx::query(
                    "SELECT COUNT(*) AS n FROM interventions WHERE id = $1 AND model = 'rental'",
                )
                .bind(i)
                .fetch_one(&mut *d.tx)
                .await?;
                (get::<i64>(&row, "n")? > 0).then_some((None, None, None))
            }
            RentalTarget::AnyIntervention(i) => {
                let row = sqlx::query("SELECT COUNT(*) AS n FROM interventions WHERE id = $1")
                    .bind(i)
                    .fetch_one(&mut *d.tx)
                    .await?;
                (get::<i64>(&row, "n")? > 0).then_some((None, None, None))
            }
            RentalTarget::Placement(_) | RentalTarget::Timesheet(_) => {
                let (sql, id) = match target {
                    RentalTarget::Placement(p) => (
                        "SELECT pl.id, pl.participant_id, e.organisation_id FROM placements pl \
                         JOIN rental_assignments ra ON ra.placement_id = pl.id \
                         LEFT JOIN employers e ON e.id = pl.employer_id WHERE pl.id = $1",
                        p,
                    ),
                    RentalTarget::Timesheet(t) => (
                        "SELECT pl.id, pl.participant_id, e.organisation_id FROM timesheets t \
                         JOIN placements pl ON pl.id = t.placement_id \
                         LEFT JOIN employers e ON e.id = pl.employer_id WHERE t.id = $1",
                        t,
                    ),
                    _ => unreachable!(),
                };
                let row = sqlx::query(sql).bind(id).fetch_optional(&mut *d.tx).await?;
                match row {
                    None => None,
                    Some(r) => {
                        let org: Option<i64> = get(&r, "organisation_id")?;
                        Some((
                            Some(get(&r, "participant_id")?),
                            Some(get(&r, "id")?),
                            Some(org == Some(ctx.actor.organisation_id)),
                        ))
                    }
                }
            }
            RentalTarget::Invoice(i) => {
                let row = sqlx::query(
                    "SELECT e.organisation_id FROM invoices v JOIN employers e ON e.id = v.employer_id \
                     WHERE v.id = $1",
                )
                .bind(i)
                .fetch_optional(&mut *d.tx)
                .await?;
                match row {
                    None => None,
                    Some(r) => {
                        let org: Option<i64> = get(&r, "organisation_id")?;
                        Some((None, None, Some(org == Some(ctx.actor.organisation_id))))
                    }
                }
            }
        };
        let decision = facts.and_then(|(_, _, own)| decide_rental(&ctx.actor, action, own));
        let (participant_id, placement_id) = facts.map(|f| (f.0, f.1)).unwrap_or((None, None));
        if let Some(p) = placement_id {
            if !matches!(target, RentalTarget::Placement(_)) {
                d.detail = format!("{}, placement {p}", d.detail);
            }
        }
        d.ids = participant_id.into_iter().collect();
        d.conclude(decision.map(|rule| {
            let permit = RentalPermit {
                rule,
                participant_id,
                placement_id,
            };
            (rule.name(), permit)
        }))
        .await
    }
}

/// The SQL condition (on alias `e`, the placement's employer) selecting the
/// placements the actor may see for `action`, from the same rules.
pub(crate) fn rental_host_filter(ctx: &Ctx, action: RentalAction, sql: &mut Sql) {
    let scopes = rental_rules(action)
        .iter()
        .filter(|r| r.role == ctx.actor.role)
        .map(|r| r.scope);
    push_any_scope(sql, scopes, |sql, scope| match scope {
        RentalScope::Anywhere => {
            sql.push("1 = 1");
        }
        RentalScope::OwnHost => {
            sql.push("e.organisation_id = ")
                .bind(Arg::I64(ctx.actor.organisation_id));
        }
    });
}
