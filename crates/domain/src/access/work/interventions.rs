//! Who may do what with interventions and placements.
//!
//! Interventions carry no personal data: every staff role reads them
//! (caseworkers, partners, coordinators, analysts, admins); caseworkers and
//! employer coordinators create and manage them (both start interventions
//! in the report's models). Employer users get 403: they see their own
//! placed participants through `PlacementAction::ReadMinimal`.
//!
//! Placements are personal data. A caseworker reads a placement of a
//! participant they may read (the participant policy's `Read`) and places,
//! changes or ends one of a participant they may change (`Update`: placing
//! also writes a step into the action plan). Employer coordinators (EfAS,
//! who run the host relations) do all of it anywhere and alone override a
//! blocked placement. Admins read anywhere (follow-up and audits). An
//! employer user reads only placements at its own employer
//! (`employers.organisation_id` is its organisation), with minimal fields.
//! Partners and analysts: 403.

use crate::access::{Actor, ParticipantAction};
use crate::org::Role::{self, *};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum InterventionAction {
    Create,
    Read,
    /// Change it, plan indicators, open and close.
    Manage,
}

impl InterventionAction {
    pub const ALL: &'static [InterventionAction] = &[
        InterventionAction::Create,
        InterventionAction::Read,
        InterventionAction::Manage,
    ];
}

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

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PlacementAction {
    /// Place a participant (a new placement).
    Create,
    /// The placement with the participant's name and every field.
    Read,
    /// The host's view: first name, dates, role, hours, supervisor.
    ReadMinimal,
    /// Change the terms; end it with its outcome.
    Update,
    /// Override a blocked displacement assessment with a recorded reason.
    Override,
    /// The displacement dry run before placing (no participant).
    Assess,
}

impl PlacementAction {
    pub const ALL: &'static [PlacementAction] = &[
        PlacementAction::Create,
        PlacementAction::Read,
        PlacementAction::ReadMinimal,
        PlacementAction::Update,
        PlacementAction::Override,
        PlacementAction::Assess,
    ];
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PlacementScope {
    Anywhere,
    /// The participant policy grants this action on the participant.
    Participant(ParticipantAction),
    /// The host employer's linked organisation is the actor's.
    OwnHost,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct PlacementRule {
    pub role: Role,
    pub scope: PlacementScope,
}

impl PlacementRule {
    pub fn name(&self) -> String {
        let scope = match self.scope {
            PlacementScope::Anywhere => "anywhere".to_string(),
            PlacementScope::Participant(ParticipantAction::Read) => "participant_read".to_string(),
            PlacementScope::Participant(_) => "participant_update".to_string(),
            PlacementScope::OwnHost => "own_host".to_string(),
        };
        format!("{}:{}", self.role.as_str(), scope)
    }
}

pub fn placement_rules(action: PlacementAction) -> &'static [PlacementRule] {
    const COORDINATOR: PlacementRule = PlacementRule {
        role: EmployerCoordinator,
        scope: PlacementScope::Anywhere,
    };
    const CW_UPDATE: PlacementRule = PlacementRule {
        role: Caseworker,
        scope: PlacementScope::Participant(ParticipantAction::Update),
    };
    match action {
        PlacementAction::Create | PlacementAction::Update => &[COORDINATOR, CW_UPDATE],
        PlacementAction::Read => &[
            COORDINATOR,
            PlacementRule {
                role: Caseworker,
                scope: PlacementScope::Participant(ParticipantAction::Read),
            },
            PlacementRule {
                role: Admin,
                scope: PlacementScope::Anywhere,
            },
        ],
        PlacementAction::ReadMinimal => &[PlacementRule {
            role: Employer,
            scope: PlacementScope::OwnHost,
        }],
        PlacementAction::Override => &[COORDINATOR],
        PlacementAction::Assess => &[
            COORDINATOR,
            PlacementRule {
                role: Caseworker,
                scope: PlacementScope::Anywhere,
            },
        ],
    }
}

/// May this role ever perform the action? If not: 403.
pub fn placement_role_may(role: Role, action: PlacementAction) -> bool {
    placement_rules(action).iter().any(|r| r.role == role)
}

/// What a placement decision looks at: whether the participant policy
/// grants `Read` / `Update`, and whether the host is the actor's employer.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct PlacementFacts {
    pub participant_read: bool,
    pub participant_update: bool,
    pub own_host: bool,
}

pub fn decide_placement(
    actor: &Actor,
    action: PlacementAction,
    f: &PlacementFacts,
) -> Option<PlacementRule> {
    placement_rules(action)
        .iter()
        .copied()
        .filter(|r| r.role == actor.role)
        .find(|r| match r.scope {
            PlacementScope::Anywhere => true,
            PlacementScope::Participant(ParticipantAction::Read) => f.participant_read,
            PlacementScope::Participant(_) => f.participant_update,
            PlacementScope::OwnHost => f.own_host,
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
    fn employer_reads_only_its_own_hosts_placements_minimally() {
        let e = actor(Employer);
        let own = PlacementFacts {
            own_host: true,
            ..Default::default()
        };
        assert_eq!(
            decide_placement(&e, PlacementAction::ReadMinimal, &own)
                .unwrap()
                .name(),
            "employer:own_host"
        );
        assert!(
            decide_placement(&e, PlacementAction::ReadMinimal, &PlacementFacts::default())
                .is_none()
        );
        for a in [
            PlacementAction::Read,
            PlacementAction::Create,
            PlacementAction::Update,
            PlacementAction::Override,
        ] {
            assert!(!placement_role_may(Employer, a), "{a:?}");
        }
    }

    #[test]
    fn caseworkers_follow_the_participant_policy_and_coordinators_act_anywhere() {
        let cw = actor(Caseworker);
        let read_only = PlacementFacts {
            participant_read: true,
            ..Default::default()
        };
        assert!(decide_placement(&cw, PlacementAction::Read, &read_only).is_some());
        assert!(decide_placement(&cw, PlacementAction::Update, &read_only).is_none());
        assert!(decide_placement(&cw, PlacementAction::Read, &PlacementFacts::default()).is_none());
        assert!(!placement_role_may(Caseworker, PlacementAction::Override));
        let c = actor(EmployerCoordinator);
        for a in PlacementAction::ALL
            .iter()
            .filter(|a| **a != PlacementAction::ReadMinimal)
        {
            assert!(
                decide_placement(&c, *a, &PlacementFacts::default()).is_some(),
                "{a:?}"
            );
        }
        for role in [Partner, Analyst] {
            for a in PlacementAction::ALL {
                assert!(!placement_role_may(role, *a));
            }
        }
        assert!(intervention_role_may(Analyst, InterventionAction::Read));
        assert!(!intervention_role_may(Employer, InterventionAction::Read));
        assert!(!intervention_role_may(Admin, InterventionAction::Manage));
    }
}
