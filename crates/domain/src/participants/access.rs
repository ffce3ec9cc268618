//! Who may do what with one participant (`ParticipantAction`): the
//! participant's part of the one access policy (`crate::access`). Other
//! target kinds that hold a participant's data (plans, placements, learning
//! employments, …) lean on these rules.

use crate::access::{actions, any_rule_for, first_granting, Actor, ConsentFacts, Rule, Scope::*};
use crate::consent::DataCategory::ContactDetails;
use crate::org::Role::{self, *};

actions!(
    /// Actions on one participant.
    ParticipantAction {
        /// The record itself. Under a consent only the basic record (name,
        /// identity number, birth date and the other non-contact fields).
        Read,
        /// E-mail and phone: a field-level action decided beside `Read`.
        ReadContactDetails,
        Update,
        ReadAudit,
        /// The consent history (including revoked consents).
        ReadConsents,
        RecordConsent,
        RevokeConsent,
        /// Make another caseworker responsible (the former keeps 30 days' read).
        Handover,
    }
);

/// The policy for participants. A rule grants the action when the actor has
/// the rule's role and the target is in the rule's scope; rules are OR-ed.
///
/// Consent opens reading only, never changing: a partner (or a caseworker of
/// another unit) named by a consent in force reads the basic record, and the
/// contact details only when the consent covers `contact_details`. The
/// consent register itself (history, recording, revoking) belongs to the
/// caseworkers who hold the participant — partners get 403 there, and a
/// caseworker reading only under a consent gets 404, as for any participant
/// they may not work with. Other categories (action plan, assessment,
/// health) will wrap the rules of their own target kinds the same way.
pub fn participant_rules(action: ParticipantAction) -> &'static [Rule] {
    const CASEWORKER_OWN: Rule = Rule::new(Caseworker, OwnOrganisation);
    const CASEWORKER_CASELOAD: Rule = Rule::new(Caseworker, Caseload);
    const CASEWORKER_GRANT: Rule = Rule::new(Caseworker, Grant);
    const CASEWORKER_CONSENT: Rule = Rule::new(Caseworker, Consent(None));
    const CASEWORKER_CONTACT: Rule = Rule::new(Caseworker, Consent(Some(ContactDetails)));
    const ADMIN: Rule = Rule::new(Admin, Anywhere);
    const PARTNER_CONSENT: Rule = Rule::new(Partner, Consent(None));
    const PARTNER_CONTACT: Rule = Rule::new(Partner, Consent(Some(ContactDetails)));
    match action {
        ParticipantAction::Read => &[
            CASEWORKER_OWN,
            CASEWORKER_CASELOAD,
            CASEWORKER_GRANT,
            CASEWORKER_CONSENT,
            ADMIN,
            PARTNER_CONSENT,
        ],
        ParticipantAction::ReadContactDetails => &[
            CASEWORKER_OWN,
            CASEWORKER_CASELOAD,
            CASEWORKER_GRANT,
            CASEWORKER_CONTACT,
            ADMIN,
            PARTNER_CONTACT,
        ],
        ParticipantAction::Update
        | ParticipantAction::RecordConsent
        | ParticipantAction::RevokeConsent
        | ParticipantAction::Handover => &[CASEWORKER_OWN, CASEWORKER_CASELOAD],
        ParticipantAction::ReadConsents => {
            &[CASEWORKER_OWN, CASEWORKER_CASELOAD, CASEWORKER_GRANT, ADMIN]
        }
        ParticipantAction::ReadAudit => &[ADMIN],
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
    any_rule_for(participant_rules(action), role)
}

/// Decide one target in memory without consent facts (no consent rule
/// grants): enough for actions that consent never opens, such as `Update`.
pub fn decide(actor: &Actor, action: ParticipantAction, facts: &ParticipantFacts) -> Option<Rule> {
    decide_with_consent(actor, action, facts, &ConsentFacts::default())
}

/// Decide one target in memory: the first rule that grants, if any.
pub fn decide_with_consent(
    actor: &Actor,
    action: ParticipantAction,
    facts: &ParticipantFacts,
    consent: &ConsentFacts,
) -> Option<Rule> {
    first_granting(participant_rules(action), actor, |scope| match scope {
        Anywhere => true,
        OwnOrganisation => facts.organisation_id == actor.organisation_id,
        Caseload => facts.responsible_caseworker_id == Some(actor.user_id),
        Grant => facts.actor_has_grant,
        Consent(None) => consent.in_force,
        Consent(Some(c)) => consent.categories.contains(&c),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::access::testing::actor;
    use crate::consent::DataCategory;

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
    fn consent_opens_reading_only_and_contact_details_only_when_covered() {
        let partner = Actor {
            organisation_id: 9,
            ..actor(Partner)
        };
        let facts = ParticipantFacts {
            organisation_id: 1,
            ..Default::default()
        };
        let none = ConsentFacts::default();
        let basic = ConsentFacts {
            in_force: true,
            categories: vec![DataCategory::ActionPlan],
        };
        let contact = ConsentFacts {
            in_force: true,
            categories: vec![DataCategory::ContactDetails],
        };
        let read = ParticipantAction::Read;
        let cd = ParticipantAction::ReadContactDetails;
        assert!(decide_with_consent(&partner, read, &facts, &none).is_none());
        assert_eq!(
            decide_with_consent(&partner, read, &facts, &basic)
                .unwrap()
                .name(),
            "partner:consent"
        );
        assert!(decide_with_consent(&partner, cd, &facts, &basic).is_none());
        assert_eq!(
            decide_with_consent(&partner, cd, &facts, &contact)
                .unwrap()
                .name(),
            "partner:consent:contact_details"
        );
        for a in [
            ParticipantAction::Update,
            ParticipantAction::RecordConsent,
            ParticipantAction::ReadConsents,
            ParticipantAction::Handover,
        ] {
            assert!(decide_with_consent(&partner, a, &facts, &contact).is_none());
            let other_unit = actor(Caseworker);
            let far = ParticipantFacts {
                organisation_id: 2,
                ..Default::default()
            };
            assert!(
                decide_with_consent(&other_unit, a, &far, &contact).is_none(),
                "{a:?}: consent never opens changes or the history"
            );
        }
        let far = ParticipantFacts {
            organisation_id: 2,
            ..Default::default()
        };
        assert!(decide_with_consent(&actor(Caseworker), read, &far, &basic).is_some());
    }
}
