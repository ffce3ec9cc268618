//! The access catalogue: every action Vägar performs on personal data and the
//! rules that grant it (ACCESS.md). This file *is* the policy, one screen per
//! target kind. The store evaluates the rules against the database (in bulk and
//! as list filters) and writes the audit event from the same decision.

use crate::org::Role;
use serde::Serialize;

/// Who is asking. Built by the web layer from a session or API token.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Actor {
    pub user_id: i64,
    pub username: String,
    pub role: Role,
    pub organisation_id: i64,
}

/// Actions on one participant.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ParticipantAction {
    Read,
    Update,
    ReadAudit,
}

/// Actions that have no single target.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum GlobalAction {
    CreateParticipant,
    ListParticipants,
    ReadAuditLog,
    ManageUsers,
}

/// Where a rule finds its permission.
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
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Rule {
    pub role: Role,
    pub scope: Scope,
}

impl Rule {
    /// The name written to the audit trail as the reason for an allowed decision.
    pub fn name(&self) -> String {
        let scope = match self.scope {
            Scope::Anywhere => "anywhere",
            Scope::OwnOrganisation => "own_organisation",
            Scope::Caseload => "caseload",
            Scope::Grant => "grant",
        };
        format!("{}:{}", self.role.as_str(), scope)
    }
}

use Role::*;
use Scope::*;

/// The policy for participants. A rule grants the action when the actor has
/// the rule's role and the target is in the rule's scope; rules are OR-ed.
pub fn participant_rules(action: ParticipantAction) -> &'static [Rule] {
    match action {
        ParticipantAction::Read => &[
            Rule {
                role: Caseworker,
                scope: OwnOrganisation,
            },
            Rule {
                role: Caseworker,
                scope: Caseload,
            },
            Rule {
                role: Caseworker,
                scope: Grant,
            },
            Rule {
                role: Admin,
                scope: Anywhere,
            },
        ],
        ParticipantAction::Update => &[
            Rule {
                role: Caseworker,
                scope: OwnOrganisation,
            },
            Rule {
                role: Caseworker,
                scope: Caseload,
            },
        ],
        ParticipantAction::ReadAudit => &[Rule {
            role: Admin,
            scope: Anywhere,
        }],
    }
}

/// Global actions are decided from the actor's role alone.
pub fn global_roles(action: GlobalAction) -> &'static [Role] {
    match action {
        GlobalAction::CreateParticipant => &[Caseworker],
        // Partners list participants; while no consent names their
        // organisation the list is empty (the filter says so).
        GlobalAction::ListParticipants => &[Caseworker, Admin, Partner],
        GlobalAction::ReadAuditLog => &[Admin],
        GlobalAction::ManageUsers => &[Admin],
    }
}

/// The facts about one participant that the rules look at, loaded in bulk.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ParticipantFacts {
    pub organisation_id: i64,
    pub responsible_caseworker_id: Option<i64>,
    /// The actor holds a grant valid at the request's time.
    pub actor_has_grant: bool,
}

/// May this role ever perform the action on some participant? If not the
/// answer is 403; if so but not on this one, it is 404 (no disclosure).
pub fn role_may(role: Role, action: ParticipantAction) -> bool {
    participant_rules(action).iter().any(|r| r.role == role)
}

pub fn global_allowed(actor: &Actor, action: GlobalAction) -> bool {
    global_roles(action).contains(&actor.role)
}

/// Decide one target in memory: the first rule that grants, if any.
pub fn decide(actor: &Actor, action: ParticipantAction, facts: &ParticipantFacts) -> Option<Rule> {
    participant_rules(action)
        .iter()
        .copied()
        .filter(|r| r.role == actor.role)
        .find(|r| match r.scope {
            Anywhere => true,
            OwnOrganisation => facts.organisation_id == actor.organisation_id,
            Caseload => facts.responsible_caseworker_id == Some(actor.user_id),
            Grant => facts.actor_has_grant,
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn actor(role: Role) -> Actor {
        Actor {
            user_id: 7,
            username: "u".into(),
            role,
            organisation_id: 1,
        }
    }

    #[test]
    fn caseworker_reads_own_unit_and_caseload_but_not_others() {
        let cw = actor(Caseworker);
        let own = ParticipantFacts {
            organisation_id: 1,
            ..Default::default()
        };
        let other = ParticipantFacts {
            organisation_id: 2,
            ..Default::default()
        };
        let caseload = ParticipantFacts {
            organisation_id: 2,
            responsible_caseworker_id: Some(7),
            ..Default::default()
        };
        let granted = ParticipantFacts {
            organisation_id: 2,
            actor_has_grant: true,
            ..Default::default()
        };
        assert!(decide(&cw, ParticipantAction::Read, &own).is_some());
        assert!(decide(&cw, ParticipantAction::Read, &other).is_none());
        assert_eq!(
            decide(&cw, ParticipantAction::Read, &caseload)
                .unwrap()
                .scope,
            Caseload
        );
        assert!(decide(&cw, ParticipantAction::Read, &granted).is_some());
        assert!(
            decide(&cw, ParticipantAction::Update, &granted).is_none(),
            "a grant is read-only"
        );
    }

    #[test]
    fn roles_without_rules_are_refused_outright() {
        for role in [Analyst, EmployerCoordinator, Employer] {
            assert!(!role_may(role, ParticipantAction::Read));
            assert!(!global_allowed(
                &actor(role),
                GlobalAction::ListParticipants
            ));
        }
        assert!(role_may(Admin, ParticipantAction::ReadAudit));
        assert!(!role_may(Caseworker, ParticipantAction::ReadAudit));
    }
}
