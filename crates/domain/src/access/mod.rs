//! The access catalogue: every action Vägar performs on personal data and the
//! rules that grant it (ACCESS.md). The policy is one screen per target kind,
//! kept beside its feature:
//!
//! | target kind | actions and rules |
//! |---|---|
//! | participant (record, contact details, consent register, handover) | `participants/access.rs` (`ParticipantAction`) |
//! | the consents a decision looks at | `consent/access.rs` (`ConsentFacts`) |
//! | action plan (how much of it, on top of the participant rules) | `plans/access.rs` (`PlanAccess`) |
//! | steering group | `steering/access.rs` (`SteeringAction`) |
//! | employer | `employers/access.rs` (`EmployerAction`) |
//! | competence need | `needs/access.rs` (`NeedAction`) |
//! | intervention | `work/interventions/access.rs` (`InterventionAction`) |
//! | placement | `work/placements/access.rs` (`PlacementAction`) |
//! | rental model | `work/rental/access.rs` (`RentalAction`) |
//! | staffing model | `work/staffing/access.rs` (`StaffingAction`) |
//! | learning employment | `work/learning/access.rs` (`LearningAction`) |
//!
//! This module holds what they share: who asks (`Actor`), the actions
//! decided from the role alone (`GlobalAction`), the participant scopes that
//! other target kinds' rules lean on (`Scope`), a rule (`Rule`) and how
//! rules are decided. Every feature's rules are re-exported here, so
//! `access::…` names the whole catalogue. The store evaluates the rules
//! against the database (in bulk and as list filters) and writes the audit
//! event from the same decision.

use crate::consent::DataCategory;
use crate::org::Role::{self, *};
use serde::Serialize;
use std::borrow::Cow;

pub use crate::consent::access::ConsentFacts;
pub use crate::employers::access::{
    decide_employer, employer_role_may, employer_rules, EmployerAction, EmployerRule, EmployerScope,
};
pub use crate::needs::access::{
    decide_need, need_role_may, need_rules, NeedAction, NeedRule, NeedScope,
};
pub use crate::participants::access::{
    decide, decide_with_consent, participant_rules, role_may, ParticipantAction, ParticipantFacts,
};
pub use crate::plans::access::{plan_access, PlanAccess};
pub use crate::steering::access::{
    decide_steering, steering_role_may, steering_rules, SteeringAction, SteeringRule, SteeringScope,
};
pub use crate::work::interventions::access::{
    intervention_role_may, intervention_roles, InterventionAction,
};
pub use crate::work::learning::access::{
    decide_learning, learning_role_may, learning_rules, LearningAction, LearningFacts,
    LearningRule, LearningScope,
};
pub use crate::work::placements::access::{
    decide_placement, placement_role_may, placement_rules, PlacementAction, PlacementFacts,
    PlacementRule, PlacementScope,
};
pub use crate::work::rental::access::{
    decide_rental, rental_role_may, rental_rules, RentalAction, RentalRule, RentalScope,
};
pub use crate::work::staffing::access::{
    decide_staffing, staffing_role_may, staffing_rules, StaffingAction, StaffingRule, StaffingScope,
};

/// Who is asking. Built by the web layer from a session or API token.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Actor {
    pub user_id: i64,
    pub username: String,
    pub role: Role,
    pub organisation_id: i64,
}

/// A target kind's action catalogue: the enum and `ALL`, every action of
/// it (the access matrix test walks it, so a new action cannot be added
/// without its row).
macro_rules! actions {
    ($(#[$m:meta])* $name:ident { $($(#[$vm:meta])* $variant:ident),+ $(,)? }) => {
        $(#[$m])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum $name { $($(#[$vm])* $variant),+ }

        impl $name {
            pub const ALL: &'static [$name] = &[$($name::$variant),+];
        }
    };
}
pub(crate) use actions;

/// A target kind's scopes, each with its name in the audit trail.
macro_rules! scopes {
    ($(#[$m:meta])* $name:ident { $($(#[$vm:meta])* $variant:ident = $code:literal),+ $(,)? }) => {
        $(#[$m])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum $name { $($(#[$vm])* $variant),+ }

        impl $crate::access::ScopeName for $name {
            fn scope_name(self) -> std::borrow::Cow<'static, str> {
                std::borrow::Cow::Borrowed(match self { $($name::$variant => $code),+ })
            }
        }
    };
}
pub(crate) use scopes;

/// Actions that have no single target.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum GlobalAction {
    CreateParticipant,
    /// The common entry: find the person by identity number or register them.
    Intake,
    ListParticipants,
    /// The between-chairs list (over the participants the actor may read).
    ListBetweenChairs,
    ReadAuditLog,
    ManageUsers,
    /// Search the competence database over every participant with a
    /// profile. Results are pseudonymous (profile code); a name is shown only
    /// where a consent in force names the employer's organisation the search
    /// is made for (decided per hit by the store, and audited).
    CompetenceSearch,
}

/// Global actions are decided from the actor's role alone.
pub fn global_roles(action: GlobalAction) -> &'static [Role] {
    match action {
        GlobalAction::CreateParticipant => &[Caseworker],
        GlobalAction::Intake => &[Caseworker],
        // Partners list participants; while no consent names their
        // organisation the list is empty (the filter says so).
        GlobalAction::ListParticipants => &[Caseworker, Admin, Partner],
        GlobalAction::ListBetweenChairs => &[Caseworker, Admin, Partner],
        GlobalAction::ReadAuditLog => &[Admin],
        GlobalAction::ManageUsers => &[Admin],
        GlobalAction::CompetenceSearch => &[EmployerCoordinator, Caseworker, Admin],
    }
}

pub fn global_allowed(actor: &Actor, action: GlobalAction) -> bool {
    global_roles(action).contains(&actor.role)
}

/// Where a participant rule finds its permission. The rules of other target
/// kinds that hold personal data lean on these through the participant
/// policy (e.g. `PlacementScope::Participant`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Scope {
    /// Any participant (still audited).
    Anywhere,
    /// The participant's owning organisation is the actor's organisation:
    /// colleagues in one unit cover each other's caseloads.
    OwnOrganisation,
    /// The actor is the participant's responsible caseworker.
    Caseload,
    /// An access grant row for the actor, inside its validity period
    /// (e.g. 30 days' read access after a handover).
    Grant,
    /// A consent in force (started, not past its last day, not revoked at
    /// the request's time) names the actor's organisation and, when a
    /// category is given, covers that category. `None` is the basic record:
    /// any consent in force naming the organisation.
    Consent(Option<DataCategory>),
}

impl ScopeName for Scope {
    fn scope_name(self) -> Cow<'static, str> {
        match self {
            Scope::Anywhere => "anywhere".into(),
            Scope::OwnOrganisation => "own_organisation".into(),
            Scope::Caseload => "caseload".into(),
            Scope::Grant => "grant".into(),
            Scope::Consent(None) => "consent".into(),
            Scope::Consent(Some(c)) => format!("consent:{}", c.as_str()).into(),
        }
    }
}

/// A scope's part of a rule's name in the audit trail.
pub trait ScopeName: Copy {
    fn scope_name(self) -> Cow<'static, str>;
}

/// One rule: it grants when the actor has `role` and the target is in
/// `scope`; an action's rules are OR-ed. `S` is the target kind's scope
/// (`Rule` alone is a participant rule; `SteeringRule` is
/// `Rule<SteeringScope>`, and so on).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Rule<S = Scope> {
    pub role: Role,
    pub scope: S,
}

impl<S> Rule<S> {
    pub const fn new(role: Role, scope: S) -> Rule<S> {
        Rule { role, scope }
    }
}

impl<S: ScopeName> Rule<S> {
    /// The name written to the audit trail as the reason for an allowed
    /// decision: `role:scope`, e.g. `caseworker:caseload` or
    /// `partner:consent:contact_details`.
    pub fn name(&self) -> String {
        format!("{}:{}", self.role.as_str(), self.scope.scope_name())
    }
}

/// May `role` ever perform the action whose rules are `rules`? If not the
/// answer is 403; if so but not on this target, it is 404 (no disclosure).
pub fn any_rule_for<S>(rules: &[Rule<S>], role: Role) -> bool {
    rules.iter().any(|r| r.role == role)
}

/// Decide one target in memory: the first of `rules` for the actor's role
/// whose scope `holds` for the target, if any.
pub fn first_granting<S: Copy>(
    rules: &[Rule<S>],
    actor: &Actor,
    holds: impl Fn(S) -> bool,
) -> Option<Rule<S>> {
    rules
        .iter()
        .copied()
        .filter(|r| r.role == actor.role)
        .find(|r| holds(r.scope))
}

/// The actors the feature's policy tests ask as.
#[cfg(test)]
pub(crate) mod testing {
    use super::Actor;
    use crate::org::Role;

    /// User 7 of organisation 1.
    pub fn actor(role: Role) -> Actor {
        actor_in(role, 1)
    }

    /// User 7 of `organisation_id`.
    pub fn actor_in(role: Role, organisation_id: i64) -> Actor {
        Actor {
            user_id: 7,
            username: "u".into(),
            role,
            organisation_id,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::testing::actor;
    use super::*;

    #[test]
    fn roles_without_rules_are_refused_outright() {
        for role in [Analyst, EmployerCoordinator, Employer] {
            assert!(!role_may(role, ParticipantAction::Read));
            assert!(!global_allowed(
                &actor(role),
                GlobalAction::ListParticipants
            ));
        }
        for role in [Analyst, Partner, Employer] {
            assert!(!global_allowed(
                &actor(role),
                GlobalAction::CompetenceSearch
            ));
        }
        for role in [EmployerCoordinator, Caseworker, Admin] {
            assert!(global_allowed(&actor(role), GlobalAction::CompetenceSearch));
        }
        assert!(role_may(Admin, ParticipantAction::ReadAudit));
        assert!(!role_may(Caseworker, ParticipantAction::ReadAudit));
    }
}
