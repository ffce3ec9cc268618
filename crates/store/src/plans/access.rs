//! The plan's decisions: plan work rests on the participant policy, with
//! a consent rule narrowed to consents covering `action_plan` and a
//! partner's writes limited to their organisation's steps
//! (`vagar_domain::plans::plan_access`). Part of [`crate::access`] (included
//! there by `#[path]`): only it makes a `PlanPermit`.

use super::append_decision;
use super::participants::{
    check_participants, consent_covers, consent_rule_name, ParticipantPermit,
};
use crate::audit::Tx;
use crate::{Ctx, Result, Store, StoreError};
use vagar_domain::access::{ParticipantAction, Scope};
use vagar_domain::consent::DataCategory;
use vagar_domain::plans::access::{plan_access, PlanAccess};
use vagar_domain::Role;

/// Permission for plan work on one participant: the participant permit it
/// rests on and how much of the plan it opens.
#[derive(Debug)]
#[must_use = "a permit records its audit event when used"]
pub struct PlanPermit {
    participant: ParticipantPermit,
    access: PlanAccess,
}

impl PlanPermit {
    pub fn participant_id(&self) -> i64 {
        self.participant.participant_id()
    }
    /// How much of the plan the actor may change.
    pub fn access(&self) -> PlanAccess {
        self.access
    }

    /// Refuse a change the permit does not open (a partner's change to the
    /// goal or to another organisation's step): audited as `event` with
    /// `detail` and committed; answered 403 — the actor may see the plan,
    /// so nothing is disclosed.
    pub async fn refuse(
        &self,
        mut tx: Tx,
        ctx: &Ctx,
        event: &str,
        detail: &str,
    ) -> Result<StoreError> {
        let ids = [self.participant_id()];
        append_decision(&mut tx, ctx, event, None, detail, &ids).await?;
        tx.commit().await?;
        Ok(StoreError::Forbidden)
    }
}

impl Store {
    /// Decide plan work on a participant and audit it as `event`. Reads and
    /// a partner's writes rest on `Read` (a partner's writes are then
    /// limited to their organisation's steps); everyone else's writes on
    /// `Update`. A denial is committed at once and answered 404 (403 for a
    /// role that may never do it), like the participant policy.
    pub(crate) async fn authorize_plan(
        &self,
        ctx: &Ctx,
        participant_id: i64,
        write: bool,
        event: &str,
    ) -> Result<(Tx, PlanPermit)> {
        let ids = [participant_id];
        if write && ctx.actor.role != Role::Partner {
            let (mut tx, participant) = self
                .authorize_participant(ctx, ParticipantAction::Update, participant_id)
                .await?;
            let rule = participant.rule().name();
            append_decision(&mut tx, ctx, event, Some(rule), "", &ids).await?;
            let access = PlanAccess::Full;
            return Ok((
                tx,
                PlanPermit {
                    participant,
                    access,
                },
            ));
        }
        let (mut tx, participant) = self
            .authorize_participant(ctx, ParticipantAction::Read, participant_id)
            .await?;
        let rule = participant.rule();
        let by_consent = matches!(rule.scope, Scope::Consent(_));
        let covered = by_consent
            && consent_covers(&mut tx, ctx, participant_id, DataCategory::ActionPlan).await?;
        // A pure question, not audited: may this reader also change the plan?
        // (What the answer shows as editable.)
        let may_update = !write
            && check_participants(&mut tx, ctx, ParticipantAction::Update, &ids).await?[0]
                .is_some();
        match plan_access(&ctx.actor, rule, may_update, covered) {
            Some(access) => {
                let rule = if by_consent {
                    consent_rule_name(ctx, &[DataCategory::ActionPlan])
                } else {
                    rule.name()
                };
                append_decision(&mut tx, ctx, event, Some(rule), "", &ids).await?;
                Ok((
                    tx,
                    PlanPermit {
                        participant,
                        access,
                    },
                ))
            }
            None => {
                append_decision(&mut tx, ctx, event, None, "", &ids).await?;
                tx.commit().await?;
                Err(StoreError::NotFound)
            }
        }
    }
}
