//! Evaluation of the access policy (`vagar_domain::access`) against the
//! database, and the audit event for every decision, allowed or denied.
//!
//! Store functions that touch personal data take a permit from here. Permits
//! have private fields, so no other module can make one: a handler that forgets
//! to ask does not compile.
//!
//! This is one module, one policy, but each feature's part of it sits beside
//! the feature (`participants/access.rs`, `steering/access.rs`,
//! `work/rental/access.rs`, …) and is included here with `#[path]`: the
//! module tree is still `crate::access::<feature>`, so Rust's privacy lets
//! only this module (and its children) construct a permit or write to the
//! audit trail. What all features share is in this file: the global
//! actions, the decision under way ([`Deciding`]), refusals, and the events
//! of jobs, imports and seeding that have no actor.

use crate::audit::{Outcome, Tx};
use crate::kernel::sql::Sql;
use crate::{Ctx, Result, Store, StoreError};
use chrono::{DateTime, Utc};
use vagar_domain::access::{global_allowed, GlobalAction};

/// Permission for a global action (create, list, audit log, users).
#[derive(Debug)]
#[must_use = "a permit records its audit event when used"]
pub struct GlobalPermit {
    action: GlobalAction,
}

impl GlobalPermit {
    pub fn action(&self) -> GlobalAction {
        self.action
    }
}

pub(crate) fn global_action_name(a: GlobalAction) -> &'static str {
    match a {
        GlobalAction::CreateParticipant => "participant.create",
        GlobalAction::Intake => "participant.intake",
        GlobalAction::ListParticipants => "participant.list",
        GlobalAction::ListBetweenChairs => "alerts.between_chairs.list",
        GlobalAction::ReadAuditLog => "audit.read",
        GlobalAction::ManageUsers => "user.manage",
        GlobalAction::CompetenceSearch => "competence.search",
    }
}

/// A list's SQL condition from the actor's rules: `(a OR b ...)`, one
/// condition a rule's scope, written by `push`; `1 = 0` when the role has no
/// rule for the action.
pub(crate) fn push_any_scope<S>(
    sql: &mut Sql,
    scopes: impl IntoIterator<Item = S>,
    mut push: impl FnMut(&mut Sql, S),
) {
    let scopes: Vec<S> = scopes.into_iter().collect();
    if scopes.is_empty() {
        sql.push("1 = 0");
        return;
    }
    sql.push("(");
    for (i, scope) in scopes.into_iter().enumerate() {
        if i > 0 {
            sql.push(" OR ");
        }
        push(sql, scope);
    }
    sql.push(")");
}

/// Write the actor's event for a decision into `tx`: allowed by the rule
/// named, or denied (`None`).
async fn append_decision(
    tx: &mut Tx,
    ctx: &Ctx,
    event: &str,
    rule: Option<String>,
    detail: &str,
    ids: &[i64],
) -> Result<()> {
    let outcome = match rule {
        Some(rule) => Outcome::Allowed(rule),
        None => Outcome::Denied,
    };
    trail::append(tx, Some(ctx), ctx.now, event, &outcome, detail, ids).await?;
    Ok(())
}

/// One decision on one target under way: the role may act, the audited
/// transaction is open, and the caller loads the target's facts through
/// `tx` and decides with the domain's `decide_*`. The event is written by
/// [`Deciding::conclude`] (or [`Deciding::deny`]) as `event`, with `detail`
/// and the participant `ids`, which the caller may complete from the facts.
pub(crate) struct Deciding<'a> {
    pub(crate) tx: Tx,
    ctx: &'a Ctx,
    event: &'a str,
    pub(crate) detail: String,
    pub(crate) ids: Vec<i64>,
}

impl Store {
    /// The first half of every `authorize_*` on one target: a role that may
    /// never do it (`role_may` false) gets `Forbidden`, its refusal audited
    /// and committed on its own; otherwise an audited transaction is opened.
    pub(crate) async fn begin_decision<'a>(
        &self,
        ctx: &'a Ctx,
        event: &'a str,
        detail: String,
        ids: Vec<i64>,
        role_may: bool,
    ) -> Result<Deciding<'a>> {
        if !role_may {
            self.audit_refusal(ctx, event, &detail, &ids).await?;
            return Err(StoreError::Forbidden);
        }
        self.open_decision(ctx, event, detail, ids).await
    }

    /// An audited transaction for a decision whose role check needs the
    /// target's facts first (see [`Deciding::deny`]).
    pub(crate) async fn open_decision<'a>(
        &self,
        ctx: &'a Ctx,
        event: &'a str,
        detail: String,
        ids: Vec<i64>,
    ) -> Result<Deciding<'a>> {
        Ok(Deciding {
            tx: self.begin_audited().await?,
            ctx,
            event,
            detail,
            ids,
        })
    }
}

impl Deciding<'_> {
    /// The second half: `allowed` (the rule's name and the permit) writes the
    /// allowed event into the returned transaction, which the caller commits
    /// with its work; `None` is a target that does not exist or that the
    /// actor may not see, answered as [`Deciding::deny`] with `NotFound`.
    pub(crate) async fn conclude<P>(mut self, allowed: Option<(String, P)>) -> Result<(Tx, P)> {
        match allowed {
            Some((rule, permit)) => {
                append_decision(
                    &mut self.tx,
                    self.ctx,
                    self.event,
                    Some(rule),
                    &self.detail,
                    &self.ids,
                )
                .await?;
                Ok((self.tx, permit))
            }
            None => self.deny(StoreError::NotFound).await,
        }
    }

    /// Write the denied event and commit it at once (the transaction holds
    /// the audit chain's head, so a second audited transaction would wait
    /// for it forever), then answer `answer`.
    pub(crate) async fn deny<T>(mut self, answer: StoreError) -> Result<T> {
        append_decision(
            &mut self.tx,
            self.ctx,
            self.event,
            None,
            &self.detail,
            &self.ids,
        )
        .await?;
        self.tx.commit().await?;
        Err(answer)
    }
}

impl Store {
    /// Decide a global action from the actor's role; a denial is audited and
    /// committed. The allowed event is written when the permit is used.
    pub async fn authorize_global(&self, ctx: &Ctx, action: GlobalAction) -> Result<GlobalPermit> {
        if global_allowed(&ctx.actor, action) {
            Ok(GlobalPermit { action })
        } else {
            self.audit_denial(ctx, global_action_name(action), &[])
                .await?;
            Err(StoreError::Forbidden)
        }
    }

    async fn audit_denial(&self, ctx: &Ctx, action: &str, ids: &[i64]) -> Result<()> {
        self.audit_refusal(ctx, action, "", ids).await
    }

    /// Record a refused attempt with its reason, committed on its own. The
    /// caller must not hold an audited transaction (it would wait for itself).
    pub(crate) async fn audit_refusal(
        &self,
        ctx: &Ctx,
        action: &str,
        detail: &str,
        ids: &[i64],
    ) -> Result<()> {
        let mut tx = self.begin_audited().await?;
        append_decision(&mut tx, ctx, action, None, detail, ids).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Record an event that has no actor (the synthetic seed, migrations).
    pub async fn audit_system(&self, action: &str, detail: &str) -> Result<()> {
        let mut tx = self.begin_audited().await?;
        record_system(&mut tx, chrono::Utc::now(), action, SYSTEM, detail).await?;
        tx.commit().await?;
        Ok(())
    }
}

/// The rule of the events no actor's request made: jobs, imports, the seed.
pub(crate) const SYSTEM: &str = "system";

/// Write an event that no actor's request made (a job, an import, the
/// seed, a public form) into `tx`, allowed by `rule` ([`SYSTEM`], or what
/// allowed it, e.g. `public_form`), at `at`.
pub(crate) async fn record_system(
    tx: &mut Tx,
    at: DateTime<Utc>,
    event: &str,
    rule: &str,
    detail: &str,
) -> Result<()> {
    trail::append(
        tx,
        None,
        at,
        event,
        &Outcome::Allowed(rule.into()),
        detail,
        &[],
    )
    .await?;
    Ok(())
}

mod sealed {
    pub trait Sealed {}
}

/// A permit that writes further allowed events of its piece of work (what
/// was created, what a list returned, a second step), under the rule that
/// allowed it. Sealed: only this module's permits implement it.
#[allow(async_fn_in_trait)]
pub trait Permit: sealed::Sealed {
    /// The rule that allowed the work, as the audit trail names it.
    fn rule_name(&self) -> String;

    /// Write the allowed `event` into `tx`, naming the participants it
    /// touched.
    async fn record(
        &self,
        tx: &mut Tx,
        ctx: &Ctx,
        event: &str,
        detail: &str,
        participant_ids: &[i64],
    ) -> Result<()> {
        append_decision(
            tx,
            ctx,
            event,
            Some(self.rule_name()),
            detail,
            participant_ids,
        )
        .await
    }
}

/// Implement [`Permit`] for permits whose `rule` field names their rule.
macro_rules! permit_by_rule {
    ($($t:ty),* $(,)?) => {$(
        impl $crate::access::sealed::Sealed for $t {}
        impl $crate::access::Permit for $t {
            fn rule_name(&self) -> String {
                self.rule.name()
            }
        }
    )*};
}

impl GlobalPermit {
    /// Write the allowed event for this global action into `tx`, naming the
    /// participants it touched (a created id, or every id a list returned).
    pub async fn record(self, tx: &mut Tx, ctx: &Ctx, detail: &str, ids: &[i64]) -> Result<()> {
        let event = global_action_name(self.action);
        let rule = format!("{}:role", ctx.actor.role.as_str());
        append_decision(tx, ctx, event, Some(rule), detail, ids).await
    }
}

// The trail's writer, beside the audit trail's reader.
#[path = "../audit/append.rs"]
mod trail;

// Each feature's decisions: `authorize_*`, permits and list filters, one
// file per feature beside the feature's store code, included here so that
// it is part of this module and only it can construct a permit.
#[path = "../employers/access.rs"]
pub mod employers;
#[path = "../work/interventions/access.rs"]
pub mod interventions;
#[path = "../work/learning/access.rs"]
pub mod learning;
#[path = "../matching/access.rs"]
pub mod matching;
#[path = "../needs/access.rs"]
pub mod needs;
#[path = "../participants/access.rs"]
pub mod participants;
#[path = "../work/placements/access.rs"]
pub mod placements;
#[path = "../plans/access.rs"]
pub mod plans;
#[path = "../work/rental/access.rs"]
pub mod rental;
#[path = "../work/staffing/access.rs"]
pub mod staffing;
#[path = "../steering/access.rs"]
pub mod steering;
