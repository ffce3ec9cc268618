//! The policy for learning employments (the employer model, issue 6.5).
//!
//! A learning employment is a placement of a participant, so it stays
//! behind the participant policy, narrowed for the parties around it:
//!
//! * Caseworkers read it where they may read the participant
//!   (`ParticipantAction::Read`: own unit, caseload, grant, consent) and
//!   change it (create, plan, record hours, complete, hire outcome) where
//!   they may change the participant (`ParticipantAction::Update`: own unit
//!   or caseload) — a 30-day grant or a consent never opens changes.
//! * Employer coordinators (EfAS, who run the employer relations) do all of
//!   it for every learning employment.
//! * Admins read all of it.
//! * The host (`employer` role) reads the learning employments at its own
//!   employer (`employers.organisation_id` is the user's organisation) with
//!   minimal fields, and records the hours done there.
//! * A partner of the school (its organisation is the school partner)
//!   reads it with minimal fields and records study hours only, while a
//!   consent in force for the participant names the school's organisation.
//! * Analysts read the per-intervention summary (no personal data) only.
//!
//! Roles without a rule for an action get 403; targets outside the scope
//! get 404, as if they did not exist.

use crate::access::{actions, any_rule_for, first_granting, scopes, Actor, Rule};
use crate::org::Role::{self, *};

actions!(LearningAction {
    /// Make a placement a learning employment (target: the placement).
    Create,
    /// The learning employment, its plan and follow-up; lists.
    Read,
    /// Change the planned minutes of a week.
    Plan,
    /// Record the hours done in a week.
    RecordDone,
    /// Record completion or discontinuation.
    Complete,
    /// Record whether the employer hired afterwards.
    RecordHire,
    /// An intervention's summary (counts and rates, no person).
    Summary,
});

impl LearningAction {
    pub fn as_str(self) -> &'static str {
        match self {
            LearningAction::Create => "learning.create",
            LearningAction::Read => "learning.read",
            LearningAction::Plan => "learning.plan",
            LearningAction::RecordDone => "learning.record_done",
            LearningAction::Complete => "learning.complete",
            LearningAction::RecordHire => "learning.hire",
            LearningAction::Summary => "learning.summary",
        }
    }
}

scopes!(LearningScope {
    /// Every learning employment (still audited).
    Anywhere = "anywhere",
    /// The participant policy allows `Read` of the participant.
    ParticipantRead = "participant_read",
    /// The participant policy allows `Update` of the participant.
    ParticipantUpdate = "participant_update",
    /// The placement's host employer is linked to the actor's organisation.
    OwnEmployer = "own_employer",
    /// The actor's organisation is the school partner and a consent in force
    /// for the participant names it.
    SchoolWithConsent = "consent_school",
});

pub type LearningRule = Rule<LearningScope>;

impl LearningRule {
    /// Rules for the host and the school show minimal fields (no identity
    /// number, no contact details, no caseworker notes).
    pub fn minimal(&self) -> bool {
        matches!(
            self.scope,
            LearningScope::OwnEmployer | LearningScope::SchoolWithConsent
        )
    }
}

pub fn learning_rules(action: LearningAction) -> &'static [LearningRule] {
    use LearningScope::*;
    const COORDINATOR: LearningRule = Rule::new(EmployerCoordinator, Anywhere);
    const CW_READ: LearningRule = Rule::new(Caseworker, ParticipantRead);
    const CW_UPDATE: LearningRule = Rule::new(Caseworker, ParticipantUpdate);
    const CW: LearningRule = Rule::new(Caseworker, Anywhere);
    const ADMIN: LearningRule = Rule::new(Admin, Anywhere);
    const ANALYST: LearningRule = Rule::new(Analyst, Anywhere);
    const HOST: LearningRule = Rule::new(Employer, OwnEmployer);
    const SCHOOL: LearningRule = Rule::new(Partner, SchoolWithConsent);
    match action {
        LearningAction::Read => &[COORDINATOR, CW_READ, ADMIN, HOST, SCHOOL],
        LearningAction::RecordDone => &[COORDINATOR, CW_UPDATE, HOST, SCHOOL],
        LearningAction::Create
        | LearningAction::Plan
        | LearningAction::Complete
        | LearningAction::RecordHire => &[COORDINATOR, CW_UPDATE],
        LearningAction::Summary => &[COORDINATOR, CW, ADMIN, ANALYST],
    }
}

/// May this role ever do the action? If not: 403.
pub fn learning_role_may(role: Role, action: LearningAction) -> bool {
    any_rule_for(learning_rules(action), role)
}

/// What the rules look at for one learning employment (or placement).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct LearningFacts {
    pub participant_read: bool,
    pub participant_update: bool,
    pub own_employer: bool,
    pub school_is_actor: bool,
    /// A consent in force for the participant names the actor's organisation.
    pub consent_in_force: bool,
}

/// Decide one target in memory: the first rule that grants.
pub fn decide_learning(
    actor: &Actor,
    action: LearningAction,
    facts: &LearningFacts,
) -> Option<LearningRule> {
    first_granting(learning_rules(action), actor, |scope| match scope {
        LearningScope::Anywhere => true,
        LearningScope::ParticipantRead => facts.participant_read,
        LearningScope::ParticipantUpdate => facts.participant_update,
        LearningScope::OwnEmployer => facts.own_employer,
        LearningScope::SchoolWithConsent => facts.school_is_actor && facts.consent_in_force,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::access::testing::actor;

    #[test]
    fn caseworkers_read_as_the_participant_policy_and_change_only_their_own() {
        let cw = actor(Caseworker);
        let read_only = LearningFacts {
            participant_read: true,
            ..Default::default()
        };
        assert!(decide_learning(&cw, LearningAction::Read, &read_only).is_some());
        for a in [
            LearningAction::Create,
            LearningAction::Plan,
            LearningAction::RecordDone,
            LearningAction::Complete,
            LearningAction::RecordHire,
        ] {
            assert!(decide_learning(&cw, a, &read_only).is_none(), "{a:?}");
            let own = LearningFacts {
                participant_read: true,
                participant_update: true,
                ..Default::default()
            };
            assert!(decide_learning(&cw, a, &own).is_some(), "{a:?}");
        }
        assert!(decide_learning(&cw, LearningAction::Read, &LearningFacts::default()).is_none());
    }

    #[test]
    fn the_host_and_the_school_read_minimal_fields_and_record_hours_only() {
        let emp = actor(Employer);
        let own = LearningFacts {
            own_employer: true,
            ..Default::default()
        };
        let r = decide_learning(&emp, LearningAction::Read, &own).unwrap();
        assert!(r.minimal());
        assert!(decide_learning(&emp, LearningAction::RecordDone, &own).is_some());
        assert!(decide_learning(&emp, LearningAction::Read, &LearningFacts::default()).is_none());
        let partner = actor(Partner);
        let school = LearningFacts {
            school_is_actor: true,
            ..Default::default()
        };
        assert!(decide_learning(&partner, LearningAction::RecordDone, &school).is_none());
        let consented = LearningFacts {
            consent_in_force: true,
            ..school
        };
        assert_eq!(
            decide_learning(&partner, LearningAction::RecordDone, &consented)
                .unwrap()
                .name(),
            "partner:consent_school"
        );
        for role in [Employer, Partner] {
            for a in [
                LearningAction::Create,
                LearningAction::Plan,
                LearningAction::Complete,
                LearningAction::RecordHire,
                LearningAction::Summary,
            ] {
                assert!(!learning_role_may(role, a), "{role:?} {a:?}");
            }
        }
        for a in LearningAction::ALL {
            assert_eq!(
                learning_role_may(Analyst, *a),
                *a == LearningAction::Summary
            );
            assert!(learning_role_may(EmployerCoordinator, *a));
        }
    }
}
