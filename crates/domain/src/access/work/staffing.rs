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

use crate::access::Actor;
use crate::org::Role::{self, *};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum StaffingAction {
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
}

impl StaffingAction {
    pub const ALL: &'static [StaffingAction] = &[
        StaffingAction::Read,
        StaffingAction::Manage,
        StaffingAction::ReadOrders,
        StaffingAction::Order,
        StaffingAction::ReadStatistics,
    ];
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum StaffingScope {
    /// Any pool or unit (still audited).
    Anywhere,
    /// The target unit is the actor's own organisation.
    OwnUnit,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct StaffingRule {
    pub role: Role,
    pub scope: StaffingScope,
}

impl StaffingRule {
    pub fn name(&self) -> String {
        let scope = match self.scope {
            StaffingScope::Anywhere => "anywhere",
            StaffingScope::OwnUnit => "own_unit",
        };
        format!("{}:{}", self.role.as_str(), scope)
    }
}

const fn anywhere(role: Role) -> StaffingRule {
    StaffingRule {
        role,
        scope: StaffingScope::Anywhere,
    }
}

pub fn staffing_rules(action: StaffingAction) -> &'static [StaffingRule] {
    const COORD: StaffingRule = anywhere(EmployerCoordinator);
    const CW: StaffingRule = anywhere(Caseworker);
    const ADMIN: StaffingRule = anywhere(Admin);
    const ANALYST: StaffingRule = anywhere(Analyst);
    const UNIT: StaffingRule = StaffingRule {
        role: Partner,
        scope: StaffingScope::OwnUnit,
    };
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
    staffing_rules(action).iter().any(|r| r.role == role)
}

/// Decide in memory. `unit`: the unit the target belongs to (a request's
/// unit, a report's unit); `None` decides without a unit (a pool, a list
/// the filter then narrows): any rule of the role grants.
pub fn decide_staffing(
    actor: &Actor,
    action: StaffingAction,
    unit: Option<i64>,
) -> Option<StaffingRule> {
    staffing_rules(action)
        .iter()
        .copied()
        .filter(|r| r.role == actor.role)
        .find(|r| match (r.scope, unit) {
            (StaffingScope::Anywhere, _) | (_, None) => true,
            (StaffingScope::OwnUnit, Some(u)) => u == actor.organisation_id,
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn actor(role: Role, org: i64) -> Actor {
        Actor {
            user_id: 1,
            username: "u".into(),
            role,
            organisation_id: org,
        }
    }

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
