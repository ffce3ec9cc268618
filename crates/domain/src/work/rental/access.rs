//! Who may do what in the rental model (issue 6, point 3).
//!
//! The running side is the employer coordinators (EfAS, or the municipal
//! company's staff with that role): they keep contracts, assignments,
//! invoices and the ledger, and enter the weekly timesheets as the
//! participants' supervisors; they see every rental intervention. Admins
//! read. The host (an `employer` user whose organisation is linked to the
//! placement's employer) sees its own placed participants' weeks, with
//! minimal fields, and approves or rejects them. Caseworkers, partners and
//! analysts: 403.

use crate::access::{actions, any_rule_for, first_granting, scopes, Actor, Rule};
use crate::org::Role::{self, *};

actions!(RentalAction {
    /// An intervention's contracts, assignments, invoices, ledger, economic
    /// result and legal checks.
    Read,
    /// Create contracts, assignments, invoices and ledger entries.
    Manage,
    /// Enter a week's timesheet (the supervisor).
    EnterTimesheet,
    /// Read timesheets (lists and one).
    ReadTimesheet,
    /// Approve or reject a submitted week (the host).
    DecideTimesheet,
});

scopes!(RentalScope {
    Anywhere = "anywhere",
    /// The placement's employer is linked to the actor's organisation.
    OwnHost = "own_host",
});

pub type RentalRule = Rule<RentalScope>;

pub fn rental_rules(action: RentalAction) -> &'static [RentalRule] {
    const COORDINATOR: RentalRule = Rule::new(EmployerCoordinator, RentalScope::Anywhere);
    const ADMIN: RentalRule = Rule::new(Admin, RentalScope::Anywhere);
    const HOST: RentalRule = Rule::new(Employer, RentalScope::OwnHost);
    match action {
        RentalAction::Read => &[COORDINATOR, ADMIN],
        RentalAction::Manage | RentalAction::EnterTimesheet => &[COORDINATOR],
        RentalAction::ReadTimesheet => &[COORDINATOR, ADMIN, HOST],
        RentalAction::DecideTimesheet => &[HOST],
    }
}

/// May this role ever do it? If not: 403.
pub fn rental_role_may(role: Role, action: RentalAction) -> bool {
    any_rule_for(rental_rules(action), role)
}

/// Decide in memory. `own_host`: `None` without a placement (a list, which
/// the store then narrows to the actor's hosts); `Some(b)` whether the
/// placement's employer is linked to the actor's organisation.
pub fn decide_rental(
    actor: &Actor,
    action: RentalAction,
    own_host: Option<bool>,
) -> Option<RentalRule> {
    first_granting(rental_rules(action), actor, |scope| {
        match (scope, own_host) {
            (RentalScope::Anywhere, _) => true,
            (RentalScope::OwnHost, None) => true,
            (RentalScope::OwnHost, Some(own)) => own,
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::access::testing::actor;

    #[test]
    fn coordinators_run_it_and_hosts_decide_their_own_weeks() {
        for a in [
            RentalAction::Read,
            RentalAction::Manage,
            RentalAction::EnterTimesheet,
            RentalAction::ReadTimesheet,
        ] {
            assert!(decide_rental(&actor(EmployerCoordinator), a, Some(false)).is_some());
        }
        assert!(!rental_role_may(
            EmployerCoordinator,
            RentalAction::DecideTimesheet
        ));
        let host = actor(Employer);
        assert!(decide_rental(&host, RentalAction::DecideTimesheet, Some(true)).is_some());
        assert!(decide_rental(&host, RentalAction::DecideTimesheet, Some(false)).is_none());
        assert!(decide_rental(&host, RentalAction::ReadTimesheet, Some(false)).is_none());
        assert!(!rental_role_may(Employer, RentalAction::Read));
        assert!(rental_role_may(Admin, RentalAction::Read));
        assert!(!rental_role_may(Admin, RentalAction::Manage));
        for role in [Caseworker, Partner, Analyst] {
            for a in RentalAction::ALL {
                assert!(!rental_role_may(role, *a), "{role:?} {a:?}");
            }
        }
    }
}
