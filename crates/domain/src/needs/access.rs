//! Who may do what with competence needs (`NeedAction`): their part of the
//! one access policy (`crate::access`).

use crate::access::{actions, any_rule_for, first_granting, scopes, Actor, Rule};
use crate::org::Role::{self, *};

actions!(
    /// Actions on a competence need (kompetensbehov). A need names its employer
    /// and, from the public form, a contact person: personal data, so every
    /// read is audited like the others.
    NeedAction {
        /// State a need for an employer (no target).
        Create,
        /// The need, its skills and its contact person; lists.
        Read,
        /// Change it (fields, status) and add workplaces to its employer.
        Manage,
        /// Take it from the queue of untriaged needs.
        Triage,
    }
);

scopes!(
    /// Where a need rule finds its permission.
    NeedScope {
        /// Any need (still audited).
        Anywhere = "anywhere",
        /// The need's employer is the one the actor's organisation acts for
        /// (`employers.organisation_id`).
        OwnEmployer = "own_employer",
    }
);

pub type NeedRule = Rule<NeedScope>;

/// The policy for competence needs: employer coordinators (EfAS) do
/// everything anywhere; caseworkers and admins read (to match participants
/// and to follow up); an employer user reads the needs of its own employer.
/// Partners and analysts: 403.
pub fn need_rules(action: NeedAction) -> &'static [NeedRule] {
    use NeedScope::*;
    const COORDINATOR: NeedRule = Rule::new(EmployerCoordinator, Anywhere);
    const CASEWORKER: NeedRule = Rule::new(Caseworker, Anywhere);
    const ADMIN: NeedRule = Rule::new(Admin, Anywhere);
    const OWN: NeedRule = Rule::new(Employer, OwnEmployer);
    match action {
        NeedAction::Create | NeedAction::Manage | NeedAction::Triage => &[COORDINATOR],
        NeedAction::Read => &[COORDINATOR, CASEWORKER, ADMIN, OWN],
    }
}

/// May this role ever perform the need action? If not: 403.
pub fn need_role_may(role: Role, action: NeedAction) -> bool {
    any_rule_for(need_rules(action), role)
}

/// Decide one need in memory: `own_employer` says whether the need's
/// employer is the one the actor's organisation acts for.
pub fn decide_need(actor: &Actor, action: NeedAction, own_employer: bool) -> Option<NeedRule> {
    first_granting(need_rules(action), actor, |scope| match scope {
        NeedScope::Anywhere => true,
        NeedScope::OwnEmployer => own_employer,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::access::testing::actor;

    #[test]
    fn needs_are_kept_by_coordinators_and_read_by_their_employer() {
        let coord = actor(EmployerCoordinator);
        for a in NeedAction::ALL {
            assert_eq!(
                decide_need(&coord, *a, false).unwrap().name(),
                "employer_coordinator:anywhere"
            );
        }
        for role in [Caseworker, Admin] {
            assert!(decide_need(&actor(role), NeedAction::Read, false).is_some());
            for a in [NeedAction::Create, NeedAction::Manage, NeedAction::Triage] {
                assert!(!need_role_may(role, a), "{role:?} {a:?}");
            }
        }
        let employer = actor(Employer);
        assert!(decide_need(&employer, NeedAction::Read, false).is_none());
        assert_eq!(
            decide_need(&employer, NeedAction::Read, true)
                .unwrap()
                .name(),
            "employer:own_employer"
        );
        assert!(!need_role_may(Employer, NeedAction::Manage));
        for role in [Partner, Analyst] {
            for a in NeedAction::ALL {
                assert!(!need_role_may(role, *a));
            }
        }
    }
}
