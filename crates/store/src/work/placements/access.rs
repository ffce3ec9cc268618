//! Decisions on placements (`vagar_domain::access::work::interventions`)
//! against the database, audited in the transaction that does the work.
//! Part of [`crate::access`] (included there by `#[path]`): only it makes a
//! `PlacementPermit`.

use super::participants::{check_participants, participant_filter};
use super::{append_decision, push_any_scope};
use crate::audit::Tx;
use crate::kernel::sql::{Arg, Sql};
use crate::{get, Ctx, Result, Store, StoreError};
use vagar_domain::access::ParticipantAction;
use vagar_domain::access::{
    decide_placement, placement_role_may, placement_rules, PlacementAction, PlacementFacts,
    PlacementRule, PlacementScope,
};

/// Permission for a placement action on one placement, or (for `Create`)
/// on one participant, or (for `Assess` and lists) on none.
#[derive(Debug)]
#[must_use = "a permit records its audit event when used"]
pub struct PlacementPermit {
    placement_id: Option<i64>,
    participant_id: Option<i64>,
    action: PlacementAction,
    rule: PlacementRule,
}

impl PlacementPermit {
    pub fn placement_id(&self) -> Option<i64> {
        self.placement_id
    }
    pub fn participant_id(&self) -> Option<i64> {
        self.participant_id
    }
    pub fn action(&self) -> PlacementAction {
        self.action
    }
    pub fn rule(&self) -> PlacementRule {
        self.rule
    }
    /// The host's minimal view (no identity number, no other personal data).
    pub fn minimal(&self) -> bool {
        self.action == PlacementAction::ReadMinimal
    }
}

fn detail_of(placement_id: Option<i64>) -> String {
    placement_id
        .map(|p| format!("placement {p}"))
        .unwrap_or_default()
}

impl Store {
    /// Decide `action` on an existing placement and audit it as `event`,
    /// naming the placement and its participant. A role that may never do
    /// it: 403; a placement that does not exist or that the actor may not
    /// see: 404. For reads, pass `Read`: a role that only has the host's
    /// minimal view is decided on `ReadMinimal` instead — except for
    /// `placement.displacement.read`, which the minimal view never opens.
    pub async fn authorize_placement(
        &self,
        ctx: &Ctx,
        action: PlacementAction,
        placement_id: i64,
        event: &str,
    ) -> Result<(Tx, PlacementPermit)> {
        let action = if action == PlacementAction::Read
            && event != "placement.displacement.read"
            && !placement_role_may(ctx.actor.role, PlacementAction::Read)
            && placement_role_may(ctx.actor.role, PlacementAction::ReadMinimal)
        {
            PlacementAction::ReadMinimal
        } else {
            action
        };
        let detail = detail_of(Some(placement_id));
        // The refusal of a role names the participant, so it is decided in
        // the transaction that loaded the placement.
        let mut d = self.open_decision(ctx, event, detail, vec![]).await?;
        let row = sqlx::query(
            "SELECT pl.participant_id, e.organisation_id AS host_org FROM placements pl \
             LEFT JOIN employers e ON e.id = pl.employer_id WHERE pl.id = $1",
        )
        .bind(placement_id)
        .fetch_optional(&mut *d.tx)
        .await?;
        let participant_id: Option<i64> = match &row {
            Some(r) => Some(get(r, "participant_id")?),
            None => None,
        };
        d.ids = participant_id.into_iter().collect();
        if !placement_role_may(ctx.actor.role, action) {
            return d.deny(StoreError::Forbidden).await;
        }
        let decision = match (&row, participant_id) {
            (Some(r), Some(pid)) => {
                let host_org: Option<i64> = get(r, "host_org")?;
                let facts = facts_for(&mut d.tx, ctx, action, pid, host_org).await?;
                decide_placement(&ctx.actor, action, &facts)
            }
            _ => None,
        };
        d.conclude(decision.map(|rule| {
            let permit = PlacementPermit {
                placement_id: Some(placement_id),
                participant_id,
                action,
                rule,
            };
            (rule.name(), permit)
        }))
        .await
    }

    /// Decide placing `participant_id` (`Create`). An unknown participant,
    /// or one the caseworker may not change: 404.
    pub async fn authorize_new_placement(
        &self,
        ctx: &Ctx,
        participant_id: i64,
        event: &str,
    ) -> Result<(Tx, PlacementPermit)> {
        let action = PlacementAction::Create;
        let may = placement_role_may(ctx.actor.role, action);
        let mut d = self
            .begin_decision(ctx, event, String::new(), vec![participant_id], may)
            .await?;
        let exists = sqlx::query("SELECT COUNT(*) AS n FROM participants WHERE id = $1")
            .bind(participant_id)
            .fetch_one(&mut *d.tx)
            .await?;
        let decision = if get::<i64>(&exists, "n")? == 0 {
            None
        } else {
            let facts = facts_for(&mut d.tx, ctx, action, participant_id, None).await?;
            decide_placement(&ctx.actor, action, &facts)
        };
        d.conclude(decision.map(|rule| {
            let permit = PlacementPermit {
                placement_id: None,
                participant_id: Some(participant_id),
                action,
                rule,
            };
            (rule.name(), permit)
        }))
        .await
    }

    /// Decide a target-less placement action: `Assess` (the dry run) or a
    /// list (`Read`, or `ReadMinimal` for the host's role). The allowed
    /// event is written when the permit is used ([`PlacementPermit::record`]),
    /// naming what was returned.
    pub async fn authorize_placement_role(
        &self,
        ctx: &Ctx,
        action: PlacementAction,
        event: &str,
    ) -> Result<PlacementPermit> {
        let action = if action == PlacementAction::Read
            && !placement_role_may(ctx.actor.role, PlacementAction::Read)
            && placement_role_may(ctx.actor.role, PlacementAction::ReadMinimal)
        {
            PlacementAction::ReadMinimal
        } else {
            action
        };
        match placement_rules(action)
            .iter()
            .find(|r| r.role == ctx.actor.role)
        {
            Some(rule) => Ok(PlacementPermit {
                placement_id: None,
                participant_id: None,
                action,
                rule: *rule,
            }),
            None => {
                self.audit_refusal(ctx, event, "", &[]).await?;
                Err(StoreError::Forbidden)
            }
        }
    }
}

impl PlacementPermit {
    /// Write the allowed event for a target-less permit into `tx`, naming
    /// the participants it touched.
    pub async fn record(
        &self,
        tx: &mut Tx,
        ctx: &Ctx,
        event: &str,
        detail: &str,
        ids: &[i64],
    ) -> Result<()> {
        append_decision(tx, ctx, event, Some(self.rule.name()), detail, ids).await
    }

    /// A second event in the same piece of work (e.g. the override of a
    /// blocked assessment, or the plan step a placement wrote).
    pub async fn record_also(
        &self,
        tx: &mut Tx,
        ctx: &Ctx,
        event: &str,
        detail: &str,
    ) -> Result<()> {
        let ids: Vec<i64> = self.participant_id.into_iter().collect();
        append_decision(tx, ctx, event, Some(self.rule.name()), detail, &ids).await
    }
}

async fn facts_for(
    tx: &mut Tx,
    ctx: &Ctx,
    action: PlacementAction,
    participant_id: i64,
    host_org: Option<i64>,
) -> Result<PlacementFacts> {
    let needs_participant = placement_rules(action)
        .iter()
        .any(|r| r.role == ctx.actor.role && matches!(r.scope, PlacementScope::Participant(_)));
    let mut f = PlacementFacts {
        own_host: host_org == Some(ctx.actor.organisation_id),
        ..Default::default()
    };
    if needs_participant {
        f.participant_read =
            check_participants(tx, ctx, ParticipantAction::Read, &[participant_id]).await?[0]
                .is_some();
        f.participant_update =
            check_participants(tx, ctx, ParticipantAction::Update, &[participant_id]).await?[0]
                .is_some();
    }
    Ok(f)
}

/// The SQL condition selecting the placements the actor may `action` (Read
/// or ReadMinimal), over aliases `pl` (placements), `p` (participants) and
/// `he` (the host employer, LEFT JOINed), from the same rules.
pub(crate) fn placement_filter(ctx: &Ctx, action: PlacementAction, sql: &mut Sql) {
    let scopes = placement_rules(action)
        .iter()
        .filter(|r| r.role == ctx.actor.role)
        .map(|r| r.scope);
    push_any_scope(sql, scopes, |sql, scope| match scope {
        PlacementScope::Anywhere => {
            sql.push("1 = 1");
        }
        PlacementScope::Participant(a) => participant_filter(ctx, a, sql),
        PlacementScope::OwnHost => {
            sql.push("he.organisation_id = ")
                .bind(Arg::I64(ctx.actor.organisation_id));
        }
    });
}
