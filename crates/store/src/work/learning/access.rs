//! Decisions on learning employments (`vagar_domain::work::learning::access`)
//! against the database, audited in the work's transaction with the
//! participant's id and the placement named in the detail.

use super::append_decision;
use super::participants::check_participants;
use crate::audit::Tx;
use crate::{get, Ctx, Result, Store};
use vagar_domain::access::ParticipantAction;
use vagar_domain::work::learning::access::{
    decide_learning, learning_role_may, learning_rules, LearningAction, LearningFacts, LearningRule,
};
use vagar_domain::Role;

/// Permission for a learning action on one placement (or, for lists and
/// summaries, none). Only this module can make one.
#[derive(Debug)]
#[must_use = "a permit records its audit event when used"]
pub struct LearningPermit {
    placement_id: Option<i64>,
    participant_id: Option<i64>,
    rule: LearningRule,
}

impl LearningPermit {
    pub fn placement_id(&self) -> Option<i64> {
        self.placement_id
    }
    pub fn participant_id(&self) -> Option<i64> {
        self.participant_id
    }
    pub fn rule(&self) -> LearningRule {
        self.rule
    }
    /// The host's and the school's view: no participant id.
    pub fn minimal(&self) -> bool {
        self.rule.minimal()
    }

    /// Write a further event of this piece of work (what a list returned, a
    /// change made) into `tx`.
    pub async fn record(
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
            Some(self.rule.name()),
            detail,
            participant_ids,
        )
        .await
    }
}

/// What the rules need to know about one placement.
#[derive(Debug, Clone, Copy)]
pub struct LearningTarget {
    pub placement_id: i64,
    pub participant_id: i64,
    /// The host employer's linked organisation.
    pub employer_organisation_id: Option<i64>,
    /// The school partner's organisation, when a learning employment exists.
    pub school_organisation_id: Option<i64>,
}

/// Decide `action` on many targets at once (one participant-policy query per
/// kind of fact the actor's role needs), in input order.
pub async fn check_learning(
    tx: &mut Tx,
    ctx: &Ctx,
    action: LearningAction,
    targets: &[LearningTarget],
) -> Result<Vec<Option<LearningRule>>> {
    if !learning_role_may(ctx.actor.role, action) {
        return Ok(vec![None; targets.len()]);
    }
    let ids: Vec<i64> = targets.iter().map(|t| t.participant_id).collect();
    let scopes: Vec<_> = learning_rules(action)
        .iter()
        .filter(|r| r.role == ctx.actor.role)
        .map(|r| r.scope)
        .collect();
    use vagar_domain::work::learning::access::LearningScope as S;
    let read = if scopes
        .iter()
        .any(|s| matches!(s, S::ParticipantRead | S::SchoolWithConsent))
    {
        check_participants(tx, ctx, ParticipantAction::Read, &ids).await?
    } else {
        vec![None; ids.len()]
    };
    let update = if scopes.contains(&S::ParticipantUpdate) {
        check_participants(tx, ctx, ParticipantAction::Update, &ids).await?
    } else {
        vec![None; ids.len()]
    };
    let org = ctx.actor.organisation_id;
    Ok(targets
        .iter()
        .enumerate()
        .map(|(i, t)| {
            let facts = LearningFacts {
                participant_read: read[i].is_some(),
                participant_update: update[i].is_some(),
                own_employer: t.employer_organisation_id == Some(org),
                school_is_actor: t.school_organisation_id == Some(org),
                // A partner reads a participant only under a consent in force
                // naming its organisation (the participant policy).
                consent_in_force: ctx.actor.role == Role::Partner && read[i].is_some(),
            };
            decide_learning(&ctx.actor, action, &facts)
        })
        .collect())
}

/// The target of `placement_id`: `None` when there is no such placement, or
/// (unless `create`) no learning employment for it.
pub(crate) async fn load_target(
    tx: &mut Tx,
    placement_id: i64,
    create: bool,
) -> Result<Option<LearningTarget>> {
    let row = sqlx::query(
        "SELECT p.participant_id, e.organisation_id AS employer_org, \
         le.placement_id AS learning, le.school_organisation_id \
         FROM placements p LEFT JOIN employers e ON e.id = p.employer_id \
         LEFT JOIN learning_employments le ON le.placement_id = p.id WHERE p.id = $1",
    )
    .bind(placement_id)
    .fetch_optional(&mut **tx)
    .await?;
    let Some(row) = row else { return Ok(None) };
    let learning: Option<i64> = get(&row, "learning")?;
    if learning.is_none() && !create {
        return Ok(None);
    }
    Ok(Some(LearningTarget {
        placement_id,
        participant_id: get(&row, "participant_id")?,
        employer_organisation_id: get(&row, "employer_org")?,
        school_organisation_id: get(&row, "school_organisation_id")?,
    }))
}

impl Store {
    /// Decide a learning action on `placement_id` (`None` for lists and
    /// summaries, which are then narrowed per row) and audit it. A role that
    /// may never do it: `Forbidden` (audited, committed). A placement that
    /// does not exist, has no learning employment (except for `Create`), or
    /// is outside the actor's scope: `NotFound`, audited and committed. The
    /// allowed event, naming the participant, is in the returned transaction.
    pub async fn authorize_learning(
        &self,
        ctx: &Ctx,
        action: LearningAction,
        placement_id: Option<i64>,
    ) -> Result<(Tx, LearningPermit)> {
        let event = action.as_str();
        let detail = placement_id
            .map(|p| format!("placement {p}"))
            .unwrap_or_default();
        let may = learning_role_may(ctx.actor.role, action);
        let mut d = self.begin_decision(ctx, event, detail, vec![], may).await?;
        let (decision, participant_id) = match placement_id {
            None => (
                learning_rules(action)
                    .iter()
                    .copied()
                    .find(|r| r.role == ctx.actor.role),
                None,
            ),
            Some(p) => match load_target(&mut d.tx, p, action == LearningAction::Create).await? {
                None => (None, None),
                Some(t) => (
                    check_learning(&mut d.tx, ctx, action, &[t]).await?[0],
                    Some(t.participant_id),
                ),
            },
        };
        d.ids = participant_id.into_iter().collect();
        d.conclude(decision.map(|rule| {
            let permit = LearningPermit {
                placement_id,
                participant_id,
                rule,
            };
            (rule.name(), permit)
        }))
        .await
    }
}
