//! Who may do what with a steering group (`SteeringAction`): its part of
//! the one access policy (`crate::access`).

use crate::access::{actions, any_rule_for, first_granting, scopes, Actor, Rule};
use crate::org::Role::{self, *};

actions!(
    /// Actions on a steering group (styrgrupp, `steering`). Participants named in
    /// its cases and decisions stay behind the participant policy: a reader sees
    /// their identity only where `ParticipantAction::Read` allows it, and a
    /// decision changes plan steps only where `ParticipantAction::Update` does.
    SteeringAction {
        /// Create a steering group (no target).
        Create,
        /// The group, its members, meetings, cases and decisions.
        Read,
        /// Record meetings, cases and decisions; change a decision.
        Manage,
    }
);

scopes!(
    /// Where a steering rule finds its permission.
    SteeringScope {
        /// Any group (still audited).
        Anywhere = "anywhere",
        /// The actor's organisation is a member of the group.
        Member = "member",
    }
);

pub type SteeringRule = Rule<SteeringScope>;

/// The policy for steering groups: members of member organisations
/// (caseworkers and partners) read their group; caseworkers of member
/// organisations record in it; caseworkers create groups; admins do all of
/// it anywhere. Analysts, employer coordinators and employers: 403.
pub fn steering_rules(action: SteeringAction) -> &'static [SteeringRule] {
    use SteeringScope::*;
    const CASEWORKER: SteeringRule = Rule::new(Caseworker, Anywhere);
    const CASEWORKER_MEMBER: SteeringRule = Rule::new(Caseworker, Member);
    const PARTNER_MEMBER: SteeringRule = Rule::new(Partner, Member);
    const ADMIN: SteeringRule = Rule::new(Admin, Anywhere);
    match action {
        SteeringAction::Create => &[CASEWORKER, ADMIN],
        SteeringAction::Read => &[CASEWORKER_MEMBER, PARTNER_MEMBER, ADMIN],
        SteeringAction::Manage => &[CASEWORKER_MEMBER, ADMIN],
    }
}

/// May this role ever perform the steering action? If not: 403.
pub fn steering_role_may(role: Role, action: SteeringAction) -> bool {
    any_rule_for(steering_rules(action), role)
}

/// Decide one group in memory: `is_member` says whether the actor's
/// organisation is a member of it.
pub fn decide_steering(
    actor: &Actor,
    action: SteeringAction,
    is_member: bool,
) -> Option<SteeringRule> {
    first_granting(steering_rules(action), actor, |scope| match scope {
        SteeringScope::Anywhere => true,
        SteeringScope::Member => is_member,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::access::testing::actor;

    #[test]
    fn steering_groups_are_read_by_members_and_managed_by_caseworkers() {
        let cw = actor(Caseworker);
        let partner = actor(Partner);
        assert!(decide_steering(&cw, SteeringAction::Read, true).is_some());
        assert!(decide_steering(&cw, SteeringAction::Read, false).is_none());
        assert!(decide_steering(&cw, SteeringAction::Manage, true).is_some());
        assert!(decide_steering(&cw, SteeringAction::Create, false).is_some());
        assert_eq!(
            decide_steering(&partner, SteeringAction::Read, true)
                .unwrap()
                .name(),
            "partner:member"
        );
        assert!(decide_steering(&partner, SteeringAction::Manage, true).is_none());
        assert!(decide_steering(&actor(Admin), SteeringAction::Manage, false).is_some());
        for role in [Analyst, EmployerCoordinator, Employer] {
            for a in SteeringAction::ALL {
                assert!(!steering_role_may(role, *a));
            }
        }
    }
}
