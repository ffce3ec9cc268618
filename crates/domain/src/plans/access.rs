//! How much of a plan an actor may change (`PlanAccess`), decided on top of
//! the participant policy (`participants/access.rs`).

use crate::access::{Actor, Rule, Scope};
use crate::org::Role;

/// How much of a plan an actor may change, decided on top of the participant
/// policy (`participants/access.rs`): reading a plan needs `ParticipantAction::Read`,
/// changing it `ParticipantAction::Update`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PlanAccess {
    /// The goal and every step: the actor may `Update` the participant
    /// (their unit's participant, or their caseload).
    Full,
    /// A partner named by a consent in force that covers `action_plan`:
    /// reads the whole plan; adds and changes only the steps (and contacts)
    /// of this organisation.
    Organisation(i64),
    /// Reads only: admins, grant holders (after a handover), caseworkers of
    /// another unit under a consent that covers `action_plan`.
    ReadOnly,
}

/// What a reader may do with a plan, from the participant `Read` rule that
/// let them in, whether they may also `Update` the participant, and whether a
/// consent in force naming their organisation covers `action_plan`. A rule
/// reached through consent (`Consent(_)`) opens the plan only with that
/// coverage; `None`: the plan is not visible.
pub fn plan_access(
    actor: &Actor,
    read_rule: Rule,
    may_update: bool,
    plan_consent: bool,
) -> Option<PlanAccess> {
    let by_consent = matches!(read_rule.scope, Scope::Consent(_));
    if by_consent && !plan_consent {
        return None;
    }
    Some(if may_update {
        PlanAccess::Full
    } else if by_consent && actor.role == Role::Partner {
        PlanAccess::Organisation(actor.organisation_id)
    } else {
        PlanAccess::ReadOnly
    })
}

impl PlanAccess {
    /// May change a step owned by `organisation_id` (before and after the change).
    pub fn may_edit_step(self, organisation_id: i64) -> bool {
        match self {
            PlanAccess::Full => true,
            PlanAccess::Organisation(o) => o == organisation_id,
            PlanAccess::ReadOnly => false,
        }
    }
    /// May change the long-term goal.
    pub fn may_edit_goal(self) -> bool {
        self == PlanAccess::Full
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::access::testing::actor;

    #[test]
    fn consent_reaches_the_plan_only_when_it_covers_action_plans() {
        let partner = Actor {
            organisation_id: 9,
            ..actor(Role::Partner)
        };
        let by_consent = Rule {
            role: Role::Partner,
            scope: Scope::Consent(None),
        };
        assert_eq!(plan_access(&partner, by_consent, false, false), None);
        let a = plan_access(&partner, by_consent, false, true).unwrap();
        assert!(a.may_edit_step(9) && !a.may_edit_step(1) && !a.may_edit_goal());
        let other_unit = Actor {
            role: Role::Caseworker,
            ..partner.clone()
        };
        let cw_consent = Rule {
            role: Role::Caseworker,
            scope: Scope::Consent(None),
        };
        assert_eq!(
            plan_access(&other_unit, cw_consent, false, true),
            Some(PlanAccess::ReadOnly),
            "consent opens reading only for caseworkers of another unit"
        );
        assert_eq!(plan_access(&other_unit, cw_consent, false, false), None);
        let own = Rule {
            role: Role::Caseworker,
            scope: Scope::OwnOrganisation,
        };
        assert_eq!(
            plan_access(&other_unit, own, true, false),
            Some(PlanAccess::Full)
        );
        let admin = Rule {
            role: Role::Admin,
            scope: Scope::Anywhere,
        };
        let a = plan_access(&partner, admin, false, false).unwrap();
        assert!(!a.may_edit_step(9) && !a.may_edit_goal());
    }
}
