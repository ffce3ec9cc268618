//! Who may do what with interventions (`InterventionAction`).
//!
//! Interventions carry no personal data: every staff role reads them
//! (caseworkers, partners, coordinators, analysts, admins); caseworkers and
//! employer coordinators create and manage them (both start interventions
//! in the report's models). Employer users get 403: they see their own
//! placed participants through `PlacementAction::ReadMinimal`.

use crate::access::actions;
use crate::org::Role::{self, *};

actions!(InterventionAction {
    Create,
    Read,
    /// Change it, plan indicators, open and close.
    Manage,
});

/// Interventions are decided by role alone (no personal data, no scope).
pub fn intervention_roles(action: InterventionAction) -> &'static [Role] {
    match action {
        InterventionAction::Read => &[Caseworker, EmployerCoordinator, Partner, Analyst, Admin],
        InterventionAction::Create | InterventionAction::Manage => {
            &[Caseworker, EmployerCoordinator]
        }
    }
}

pub fn intervention_role_may(role: Role, action: InterventionAction) -> bool {
    intervention_roles(action).contains(&role)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_staff_role_reads_interventions_and_two_run_them() {
        assert!(intervention_role_may(Analyst, InterventionAction::Read));
        assert!(!intervention_role_may(Employer, InterventionAction::Read));
        assert!(!intervention_role_may(Admin, InterventionAction::Manage));
    }
}
