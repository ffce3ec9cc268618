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

use crate::access::Actor;
use crate::org::Role::{self, *};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum RentalAction {
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
}

impl RentalAction {
    pub const ALL: &'static [RentalAction] = &[
        RentalAction::Read,
        RentalAction::Manage,
        RentalAction::EnterTimesheet,
        RentalAction::ReadTimesheet,
        RentalAction::DecideTimesheet,
    ];
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum RentalScope {
    Anywhere,
    /// The placement's employer is linked to the actor's organisation.
    OwnHost,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct RentalRule {
    pub role: Role,
    pub scope: RentalScope,
}

impl RentalRule {
    pub fn name(&self) -> String {
        let scope = match self.scope {
            RentalScope::Anywhere => "anywhere",
            RentalScope::OwnHost => "own_host",
        };
        format!("{}:{}", self.role.as_str(), scope)
    }
}

pub fn rental_rules(action: RentalAction) -> &'static [RentalRule] {
    const COORDINATOR: RentalRule = RentalRule {
        role: EmployerCoordinator,
        scope: RentalScope::Anywhere,
    };
    const ADMIN: RentalRule = RentalRule {
        role: Admin,
        scope: RentalScope::Anywhere,
    };
    const HOST: RentalRule = RentalRule {
        role: Employer,
        scope: RentalScope::OwnHost,
    };
    match action {
        RentalAction::Read => &[COORDINATOR, ADMIN],
        RentalAction::Manage | RentalAction::EnterTimesheet => &[COORDINATOR],
        RentalAction::ReadTimesheet => &[COORDINATOR, ADMIN, HOST],
        RentalAction::DecideTimesheet => &[HOST],
    }
}

/// May this role ever do it? If not: 403.
pub fn rental_role_may(role: Role, action: RentalAction) -> bool {
    rental_rules(action).iter().any(|r| r.role == role)
}

/// Decide in memory. `own_host`: `None` without a placement (a list, which
/// the store then narrows to the actor's hosts); `Some(b)` whether the
/// placement's employer is linked to the actor's organisation.
pub fn decide_rental(
    actor: &Actor,
    action: RentalAction,
    own_host: Option<bool>,
) -> Option<RentalRule> {
    rental_rules(action)
        .iter()
        .copied()
        .filter(|r| r.role == actor.role)
        .find(|r| match (r.scope, own_host) {
            (RentalScope::Anywhere, _) => true,
            (RentalScope::OwnHost, None) => true,
            (RentalScope::OwnHost, Some(own)) => own,
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn actor(role: Role) -> Actor {
        Actor {
            user_id: 1,
            username: "u".into(),
            role,
            organisation_id: 1,
        }
    }

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
