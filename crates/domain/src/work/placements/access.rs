//! Who may do what with placements (`PlacementAction`).
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

use crate::access::{
    actions, any_rule_for, first_granting, Actor, ParticipantAction, Rule, ScopeName,
};
use crate::org::Role::{self, *};
use std::borrow::Cow;

actions!(PlacementAction {
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
});

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PlacementScope {
    Anywhere,
    /// The participant policy grants this action on the participant.
    Participant(ParticipantAction),
    /// The host employer's linked organisation is the actor's.
    OwnHost,
}

impl ScopeName for PlacementScope {
    fn scope_name(self) -> Cow<'static, str> {
        Cow::Borrowed(match self {
            PlacementScope::Anywhere => "anywhere",
            PlacementScope::Participant(ParticipantAction::Read) => "participant_read",
            PlacementScope::Participant(_) => "participant_update",
            PlacementScope::OwnHost => "own_host",
        })
    }
}

pub type PlacementRule = Rule<PlacementScope>;

pub fn placement_rules(action: PlacementAction) -> &'static [PlacementRule] {
    use PlacementScope::*;
    const COORDINATOR: PlacementRule = Rule::new(EmployerCoordinator, Anywhere);
    const CW_READ: PlacementRule = Rule::new(Caseworker, Participant(ParticipantAction::Read));
    const CW_UPDATE: PlacementRule = Rule::new(Caseworker, Participant(ParticipantAction::Update));
    const CW: PlacementRule = Rule::new(Caseworker, Anywhere);
    const ADMIN: PlacementRule = Rule::new(Admin, Anywhere);
    const HOST: PlacementRule = Rule::new(Employer, OwnHost);
    match action {
        PlacementAction::Create | PlacementAction::Update => &[COORDINATOR, CW_UPDATE],
        PlacementAction::Read => &[COORDINATOR, CW_READ, ADMIN],
        PlacementAction::ReadMinimal => &[HOST],
        PlacementAction::Override => &[COORDINATOR],
        PlacementAction::Assess => &[COORDINATOR, CW],
    }
}

/// May this role ever perform the action? If not: 403.
pub fn placement_role_may(role: Role, action: PlacementAction) -> bool {
    any_rule_for(placement_rules(action), role)
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
    first_granting(placement_rules(action), actor, |scope| match scope {
        PlacementScope::Anywhere => true,
        PlacementScope::Participant(ParticipantAction::Read) => f.participant_read,
        PlacementScope::Participant(_) => f.participant_update,
        PlacementScope::OwnHost => f.own_host,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::access::testing::actor;

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
    }
}
