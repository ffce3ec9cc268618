//! Who may do what with the employer register (`EmployerAction`): its part
//! of the one access policy (`crate::access`).

use crate::access::{actions, any_rule_for, first_granting, scopes, Actor, Rule};
use crate::org::Role::{self, *};

actions!(
    /// Actions on an employer in the employer register (with its workplaces,
    /// contacts, interaction log and agreements). Contact persons are personal
    /// data: every read and write is audited.
    EmployerAction {
        /// Register an employer (no target).
        Create,
        /// The employer and everything recorded about it.
        Read,
        /// Change the employer; add workplaces, contacts, interactions,
        /// agreements, outcomes and fulfilment.
        Manage,
    }
);

scopes!(
    /// Where an employer rule finds its permission.
    EmployerScope {
        /// Any employer (still audited).
        Anywhere = "anywhere",
        /// The employer's linked organisation (`employers.organisation_id`) is
        /// the actor's organisation.
        OwnEmployer = "own_employer",
    }
);

pub type EmployerRule = Rule<EmployerScope>;

/// The policy for the employer register: employer coordinators (EfAS, the
/// municipality's single way in for employers) do everything anywhere;
/// caseworkers and admins read; an employer's own users read their employer
/// only. Partners and analysts: 403.
pub fn employer_rules(action: EmployerAction) -> &'static [EmployerRule] {
    use EmployerScope::*;
    const COORDINATOR: EmployerRule = Rule::new(EmployerCoordinator, Anywhere);
    const CASEWORKER: EmployerRule = Rule::new(Caseworker, Anywhere);
    const ADMIN: EmployerRule = Rule::new(Admin, Anywhere);
    const OWN: EmployerRule = Rule::new(Employer, OwnEmployer);
    match action {
        EmployerAction::Create | EmployerAction::Manage => &[COORDINATOR],
        EmployerAction::Read => &[COORDINATOR, CASEWORKER, ADMIN, OWN],
    }
}

/// May this role ever perform the employer action? If not: 403.
pub fn employer_role_may(role: Role, action: EmployerAction) -> bool {
    any_rule_for(employer_rules(action), role)
}

/// Decide one employer in memory: `linked_organisation_id` is the
/// employer's `organisation_id`. `None` decides without a target (creating,
/// or a list that the filter then narrows): any rule of the role grants.
pub fn decide_employer(
    actor: &Actor,
    action: EmployerAction,
    linked_organisation_id: Option<Option<i64>>,
) -> Option<EmployerRule> {
    first_granting(employer_rules(action), actor, |scope| {
        match (scope, linked_organisation_id) {
            (_, None) => true,
            (EmployerScope::Anywhere, Some(_)) => true,
            (EmployerScope::OwnEmployer, Some(linked)) => linked == Some(actor.organisation_id),
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::access::testing::actor;

    #[test]
    fn employers_are_managed_by_coordinators_and_read_by_their_own_users() {
        let coord = actor(EmployerCoordinator);
        let employer = actor(Employer);
        for a in EmployerAction::ALL {
            assert!(decide_employer(&coord, *a, Some(None)).is_some());
            assert!(!employer_role_may(Partner, *a));
            assert!(!employer_role_may(Analyst, *a));
        }
        assert!(decide_employer(&actor(Caseworker), EmployerAction::Read, Some(None)).is_some());
        assert!(decide_employer(&actor(Admin), EmployerAction::Read, Some(None)).is_some());
        assert!(!employer_role_may(Caseworker, EmployerAction::Manage));
        assert_eq!(
            decide_employer(&employer, EmployerAction::Read, Some(Some(1)))
                .unwrap()
                .name(),
            "employer:own_employer"
        );
        assert!(decide_employer(&employer, EmployerAction::Read, Some(Some(2))).is_none());
        assert!(decide_employer(&employer, EmployerAction::Read, Some(None)).is_none());
        assert!(decide_employer(&employer, EmployerAction::Manage, Some(Some(1))).is_none());
    }
}
