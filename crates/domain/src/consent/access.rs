//! What consent contributes to an access decision: the consents in force
//! that name the actor's organisation, reduced to what the participant
//! rules (`Scope::Consent`) look at.

use super::{ConsentState, DataCategory};

/// The consents in force at the request's time that name the actor's
/// organisation, reduced to what the rules look at. Loaded in bulk beside
/// `ParticipantFacts`; computed with `ConsentState::covers`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ConsentFacts {
    /// At least one consent in force names the actor's organisation.
    pub in_force: bool,
    /// The categories those consents cover together.
    pub categories: Vec<DataCategory>,
}

impl ConsentFacts {
    /// From stored consents: those in force at `now` that name `organisation_id`.
    pub fn from_states<'a>(
        states: impl IntoIterator<Item = &'a ConsentState>,
        organisation_id: i64,
        now: chrono::DateTime<chrono::Utc>,
    ) -> ConsentFacts {
        let mut f = ConsentFacts::default();
        for s in states {
            if s.in_force(now) && s.terms.organisation_ids.contains(&organisation_id) {
                f.in_force = true;
                for c in DataCategory::ALL {
                    if s.covers(organisation_id, *c, now) && !f.categories.contains(c) {
                        f.categories.push(*c);
                    }
                }
            }
        }
        f.categories.sort();
        f
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn consent_facts_come_from_consents_in_force_naming_the_organisation() {
        use crate::consent::{ConsentMethod, ConsentState, ConsentTerms};
        use chrono::{NaiveDate, TimeZone, Utc};
        let now = Utc.with_ymd_and_hms(2026, 11, 27, 12, 0, 0).unwrap();
        let d = |m, day| NaiveDate::from_ymd_opt(2026, m, day).unwrap();
        let state = |orgs: Vec<i64>, cats, from, to, revoked| ConsentState {
            terms: ConsentTerms {
                organisation_ids: orgs,
                categories: cats,
                valid_from: from,
                valid_to: to,
                method: ConsentMethod::Written,
                note: None,
            },
            revoked_at: revoked,
        };
        let states = [
            state(
                vec![9],
                vec![DataCategory::ActionPlan],
                d(11, 1),
                None,
                None,
            ),
            // Other organisation, expired, not yet valid, revoked: ignored.
            state(vec![8], vec![DataCategory::Health], d(11, 1), None, None),
            state(
                vec![9],
                vec![DataCategory::Health],
                d(10, 1),
                Some(d(11, 26)),
                None,
            ),
            state(vec![9], vec![DataCategory::Health], d(11, 28), None, None),
            state(
                vec![9],
                vec![DataCategory::ContactDetails],
                d(11, 1),
                None,
                Some(now),
            ),
            // Last day today, revocation still ahead: in force.
            state(
                vec![8, 9],
                vec![DataCategory::Assessment],
                d(11, 1),
                Some(d(11, 27)),
                Some(now + chrono::Duration::hours(1)),
            ),
        ];
        let f = ConsentFacts::from_states(&states, 9, now);
        assert!(f.in_force);
        assert_eq!(
            f.categories,
            vec![DataCategory::ActionPlan, DataCategory::Assessment]
        );
        assert_eq!(
            ConsentFacts::from_states(&states[2..5], 9, now),
            ConsentFacts::default()
        );
    }
}
