//! The staffing model's part of the policy (`StaffingAction`).
//!
//! Employer coordinators and caseworkers run the pools: they manage pools,
//! staff, requests, assignments and training, anywhere. Staff of a
//! municipal unit — users with the partner role whose organisation is the
//! unit — order shifts for their own unit, see those requests' fill state
//! and report their unit's monthly hours. Admins read everything (audited).
//! Analysts read aggregates only (fill rate, hourly share: no person in
//! them). Employer users: 403 everywhere. Participants among the staff stay
//! behind the participant policy: their names are shown only where
//! `ParticipantAction::Read` allows it, others see a staff code.

use crate::access::{actions, any_rule_for, first_granting, scopes, Actor, Rule};
use crate::org::Role::{self, *};

actions!(StaffingAction {
    /// Pools, staff, assignments and training: read.
    Read,
    /// Pools, staff, assignments, worked minutes and training: create and change.
    Manage,
    /// A unit's requests and reported hours: read.
    ReadOrders,
    /// Place or cancel a unit's request; report the unit's monthly hours.
    Order,
    /// Fill rate and the hourly-share series (aggregates, no persons).
    ReadStatistics,
});

scopes!(StaffingScope {
    /// Any pool or unit (still audited).
    Anywhere = "anywhere",
    /// The target unit is the actor's own organisation.
    OwnUnit = "own_unit",
});

pub type StaffingRule = Rule<StaffingScope>;

pub fn staffing_rules(action: StaffingAction) -> &'static [StaffingRule] {
    use StaffingScope::*;
    const COORD: StaffingRule = Rule::new(EmployerCoordinator, Anywhere);
    const CW: StaffingRule = Rule::new(Caseworker, Anywhere);
    const ADMIN: StaffingRule = Rule::new(Admin, Anywhere);
    const ANALYST: StaffingRule = Rule::new(Analyst, Anywhere);
    const UNIT: StaffingRule = Rule::new(Partner, OwnUnit);
    match action {
        StaffingAction::Manage => &[COORD, CW],
        StaffingAction::Read => &[COORD, CW, ADMIN],
        StaffingAction::Order => &[COORD, CW, UNIT],
        StaffingAction::ReadOrders => &[COORD, CW, ADMIN, UNIT],
        StaffingAction::ReadStatistics => &[COORD, CW, ADMIN, ANALYST],
    }
}

/// May this role ever perform the staffing action? If not: 403.
pub fn staffing_role_may(role: Role, action: StaffingAction) -> bool {
    any_rule_for(staffing_rules(action), role)
}

/// Decide in memory. `unit`: the unit the target belongs to (a request's
/// unit, a report's unit); `None` decides without a unit (a pool, a list
/// the filter then narrows): any rule of the role grants.
pub fn decide_staffing(
    actor: &Actor,
    action: StaffingAction,
    unit: Option<i64>,
) -> Option<StaffingRule> {
    first_granting(staffing_rules(action), actor, |scope| match (scope, unit) {
        (StaffingScope::Anywhere, _) | (_, None) => true,
        (StaffingScope::OwnUnit, Some(u)) => u == actor.organisation_id,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::access::testing::actor_in as actor;

    #[test]
    fn coordinators_and_caseworkers_run_pools_units_order_analysts_read_aggregates() {
        for role in [EmployerCoordinator, Caseworker] {
            for a in StaffingAction::ALL {
                assert!(
                    decide_staffing(&actor(role, 1), *a, Some(2)).is_some(),
                    "{role:?} {a:?}"
                );
            }
        }
        let unit = actor(Partner, 7);
        assert_eq!(
            decide_staffing(&unit, StaffingAction::Order, Some(7))
                .unwrap()
                .name(),
            "partner:own_unit"
        );
        assert!(decide_staffing(&unit, StaffingAction::Order, Some(8)).is_none());
        assert!(!staffing_role_may(Partner, StaffingAction::Manage));
        assert!(!staffing_role_may(Partner, StaffingAction::Read));
        assert!(staffing_role_may(Analyst, StaffingAction::ReadStatistics));
        for a in [
            StaffingAction::Read,
            StaffingAction::Manage,
            StaffingAction::Order,
            StaffingAction::ReadOrders,
        ] {
            assert!(!staffing_role_may(Analyst, a));
        }
        assert!(!staffing_role_may(Admin, StaffingAction::Manage));
        for a in StaffingAction::ALL {
            assert!(!staffing_role_may(Employer, *a));
        }
    }
}
