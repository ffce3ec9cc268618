//! The access catalogue: every action Vägar performs on personal data and the
//! rules that grant it (ACCESS.md). This file *is* the policy, one screen per
//! target kind. The store evaluates the rules against the database (in bulk and
//! as list filters) and writes the audit event from the same decision.

use crate::consent::DataCategory;
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

impl ParticipantAction {
    pub const ALL: &'static [ParticipantAction] = &[
        ParticipantAction::Read,
        ParticipantAction::ReadContactDetails,
        ParticipantAction::Update,
        ParticipantAction::ReadAudit,
        ParticipantAction::ReadConsents,
        ParticipantAction::RecordConsent,
        ParticipantAction::RevokeConsent,
        ParticipantAction::Handover,
    ];
}

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
    /// A consent in force (started, not past its last day, not revoked at
    /// the request's time) names the actor's organisation and, when a
    /// category is given, covers that category. `None` is the basic record:
    /// any consent in force naming the organisation.
    Consent(Option<DataCategory>),
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
            Scope::Consent(None) => "consent",
            Scope::Consent(Some(c)) => {
                return format!("{}:consent:{}", self.role.as_str(), c.as_str())
            }
        };
        format!("{}:{}", self.role.as_str(), scope)
    }
}

use Role::*;
use Scope::*;

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
    const CASEWORKER_OWN: Rule = Rule {
        role: Caseworker,
        scope: OwnOrganisation,
    };
    const CASEWORKER_CASELOAD: Rule = Rule {
        role: Caseworker,
        scope: Caseload,
    };
    const CASEWORKER_GRANT: Rule = Rule {
        role: Caseworker,
        scope: Grant,
    };
    const ADMIN: Rule = Rule {
        role: Admin,
        scope: Anywhere,
    };
    match action {
        ParticipantAction::Read => &[
            CASEWORKER_OWN,
            CASEWORKER_CASELOAD,
            CASEWORKER_GRANT,
            Rule {
                role: Caseworker,
                scope: Consent(None),
            },
            ADMIN,
            Rule {
                role: Partner,
                scope: Consent(None),
            },
        ],
        ParticipantAction::ReadContactDetails => &[
            CASEWORKER_OWN,
            CASEWORKER_CASELOAD,
            CASEWORKER_GRANT,
            Rule {
                role: Caseworker,
                scope: Consent(Some(DataCategory::ContactDetails)),
            },
            ADMIN,
            Rule {
                role: Partner,
                scope: Consent(Some(DataCategory::ContactDetails)),
            },
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

/// Actions on a steering group (styrgrupp, `steering`). Participants named in
/// its cases and decisions stay behind the participant policy: a reader sees
/// their identity only where `ParticipantAction::Read` allows it, and a
/// decision changes plan steps only where `ParticipantAction::Update` does.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SteeringAction {
    /// Create a steering group (no target).
    Create,
    /// The group, its members, meetings, cases and decisions.
    Read,
    /// Record meetings, cases and decisions; change a decision.
    Manage,
}

impl SteeringAction {
    pub const ALL: &'static [SteeringAction] = &[
        SteeringAction::Create,
        SteeringAction::Read,
        SteeringAction::Manage,
    ];
}

/// Where a steering rule finds its permission.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SteeringScope {
    /// Any group (still audited).
    Anywhere,
    /// The actor's organisation is a member of the group.
    Member,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct SteeringRule {
    pub role: Role,
    pub scope: SteeringScope,
}

impl SteeringRule {
    pub fn name(&self) -> String {
        let scope = match self.scope {
            SteeringScope::Anywhere => "anywhere",
            SteeringScope::Member => "member",
        };
        format!("{}:{}", self.role.as_str(), scope)
    }
}

/// The policy for steering groups: members of member organisations
/// (caseworkers and partners) read their group; caseworkers of member
/// organisations record in it; caseworkers create groups; admins do all of
/// it anywhere. Analysts, employer coordinators and employers: 403.
pub fn steering_rules(action: SteeringAction) -> &'static [SteeringRule] {
    const ADMIN: SteeringRule = SteeringRule {
        role: Admin,
        scope: SteeringScope::Anywhere,
    };
    const CASEWORKER_MEMBER: SteeringRule = SteeringRule {
        role: Caseworker,
        scope: SteeringScope::Member,
    };
    match action {
        SteeringAction::Create => &[
            SteeringRule {
                role: Caseworker,
                scope: SteeringScope::Anywhere,
            },
            ADMIN,
        ],
        SteeringAction::Read => &[
            CASEWORKER_MEMBER,
            SteeringRule {
                role: Partner,
                scope: SteeringScope::Member,
            },
            ADMIN,
        ],
        SteeringAction::Manage => &[CASEWORKER_MEMBER, ADMIN],
    }
}

/// May this role ever perform the steering action? If not: 403.
pub fn steering_role_may(role: Role, action: SteeringAction) -> bool {
    steering_rules(action).iter().any(|r| r.role == role)
}

/// Decide one group in memory: `is_member` says whether the actor's
/// organisation is a member of it.
pub fn decide_steering(
    actor: &Actor,
    action: SteeringAction,
    is_member: bool,
) -> Option<SteeringRule> {
    steering_rules(action)
        .iter()
        .copied()
        .filter(|r| r.role == actor.role)
        .find(|r| match r.scope {
            SteeringScope::Anywhere => true,
            SteeringScope::Member => is_member,
        })
}

/// Actions on an employer in the employer register (with its workplaces,
/// contacts, interaction log and agreements). Contact persons are personal
/// data: every read and write is audited.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum EmployerAction {
    /// Register an employer (no target).
    Create,
    /// The employer and everything recorded about it.
    Read,
    /// Change the employer; add workplaces, contacts, interactions,
    /// agreements, outcomes and fulfilment.
    Manage,
}

impl EmployerAction {
    pub const ALL: &'static [EmployerAction] = &[
        EmployerAction::Create,
        EmployerAction::Read,
        EmployerAction::Manage,
    ];
}

/// Where an employer rule finds its permission.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum EmployerScope {
    /// Any employer (still audited).
    Anywhere,
    /// The employer's linked organisation (`employers.organisation_id`) is
    /// the actor's organisation.
    OwnEmployer,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct EmployerRule {
    pub role: Role,
    pub scope: EmployerScope,
}

impl EmployerRule {
    pub fn name(&self) -> String {
        let scope = match self.scope {
            EmployerScope::Anywhere => "anywhere",
            EmployerScope::OwnEmployer => "own_employer",
        };
        format!("{}:{}", self.role.as_str(), scope)
    }
}

/// The policy for the employer register: employer coordinators (EfAS, the
/// municipality's single way in for employers) do everything anywhere;
/// caseworkers and admins read; an employer's own users read their employer
/// only. Partners and analysts: 403.
pub fn employer_rules(action: EmployerAction) -> &'static [EmployerRule] {
    const COORDINATOR: EmployerRule = EmployerRule {
        role: EmployerCoordinator,
        scope: EmployerScope::Anywhere,
    };
    match action {
        EmployerAction::Create | EmployerAction::Manage => &[COORDINATOR],
        EmployerAction::Read => &[
            COORDINATOR,
            EmployerRule {
                role: Caseworker,
                scope: EmployerScope::Anywhere,
            },
            EmployerRule {
                role: Admin,
                scope: EmployerScope::Anywhere,
            },
            EmployerRule {
                role: Employer,
                scope: EmployerScope::OwnEmployer,
            },
        ],
    }
}

/// May this role ever perform the employer action? If not: 403.
pub fn employer_role_may(role: Role, action: EmployerAction) -> bool {
    employer_rules(action).iter().any(|r| r.role == role)
}

/// Decide one employer in memory: `linked_organisation_id` is the
/// employer's `organisation_id`. `None` decides without a target (creating,
/// or a list that the filter then narrows): any rule of the role grants.
pub fn decide_employer(
    actor: &Actor,
    action: EmployerAction,
    linked_organisation_id: Option<Option<i64>>,
) -> Option<EmployerRule> {
    employer_rules(action)
        .iter()
        .copied()
        .filter(|r| r.role == actor.role)
        .find(|r| match (r.scope, linked_organisation_id) {
            (_, None) => true,
            (EmployerScope::Anywhere, Some(_)) => true,
            (EmployerScope::OwnEmployer, Some(linked)) => linked == Some(actor.organisation_id),
        })
}

/// Actions on a competence need (kompetensbehov). A need names its employer
/// and, from the public form, a contact person: personal data, so every
/// read is audited like the others.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum NeedAction {
    /// State a need for an employer (no target).
    Create,
    /// The need, its skills and its contact person; lists.
    Read,
    /// Change it (fields, status) and add workplaces to its employer.
    Manage,
    /// Take it from the queue of untriaged needs.
    Triage,
}

impl NeedAction {
    pub const ALL: &'static [NeedAction] = &[
        NeedAction::Create,
        NeedAction::Read,
        NeedAction::Manage,
        NeedAction::Triage,
    ];
}

/// Where a need rule finds its permission.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum NeedScope {
    /// Any need (still audited).
    Anywhere,
    /// The need's employer is the one the actor's organisation acts for
    /// (`employers.organisation_id`).
    OwnEmployer,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct NeedRule {
    pub role: Role,
    pub scope: NeedScope,
}

impl NeedRule {
    pub fn name(&self) -> String {
        let scope = match self.scope {
            NeedScope::Anywhere => "anywhere",
            NeedScope::OwnEmployer => "own_employer",
        };
        format!("{}:{}", self.role.as_str(), scope)
    }
}

/// The policy for competence needs: employer coordinators (EfAS) do
/// everything anywhere; caseworkers and admins read (to match participants
/// and to follow up); an employer user reads the needs of its own employer.
/// Partners and analysts: 403.
pub fn need_rules(action: NeedAction) -> &'static [NeedRule] {
    const COORDINATOR: NeedRule = NeedRule {
        role: EmployerCoordinator,
        scope: NeedScope::Anywhere,
    };
    match action {
        NeedAction::Create | NeedAction::Manage | NeedAction::Triage => &[COORDINATOR],
        NeedAction::Read => &[
            COORDINATOR,
            NeedRule {
                role: Caseworker,
                scope: NeedScope::Anywhere,
            },
            NeedRule {
                role: Admin,
                scope: NeedScope::Anywhere,
            },
            NeedRule {
                role: Employer,
                scope: NeedScope::OwnEmployer,
            },
        ],
    }
}

/// May this role ever perform the need action? If not: 403.
pub fn need_role_may(role: Role, action: NeedAction) -> bool {
    need_rules(action).iter().any(|r| r.role == role)
}

/// Decide one need in memory: `own_employer` says whether the need's
/// employer is the one the actor's organisation acts for.
pub fn decide_need(actor: &Actor, action: NeedAction, own_employer: bool) -> Option<NeedRule> {
    need_rules(action)
        .iter()
        .copied()
        .filter(|r| r.role == actor.role)
        .find(|r| match r.scope {
            NeedScope::Anywhere => true,
            NeedScope::OwnEmployer => own_employer,
        })
}

/// The facts about one participant that the rules look at, loaded in bulk.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ParticipantFacts {
    pub organisation_id: i64,
    pub responsible_caseworker_id: Option<i64>,
    /// The actor holds a grant valid at the request's time.
    pub actor_has_grant: bool,
}

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
        states: impl IntoIterator<Item = &'a crate::consent::ConsentState>,
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

/// May this role ever perform the action on some participant? If not the
/// answer is 403; if so but not on this one, it is 404 (no disclosure).
pub fn role_may(role: Role, action: ParticipantAction) -> bool {
    participant_rules(action).iter().any(|r| r.role == role)
}

pub fn global_allowed(actor: &Actor, action: GlobalAction) -> bool {
    global_roles(action).contains(&actor.role)
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
    participant_rules(action)
        .iter()
        .copied()
        .filter(|r| r.role == actor.role)
        .find(|r| match r.scope {
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
    fn steering_groups_are_read_by_members_and_managed_by_caseworkers() {
        let cw = actor(Caseworker);
        let partner = actor(Partner);
        assert!(decide_steering(&cw, SteeringAction::Read, true).is_some());
        assert!(decide_steering(&cw, SteeringAction::Read, false).is_none());
        assert!(decide_steering(&cw, SteeringAction::Manage, true).is_some());
        assert!(decide_steering(&cw, SteeringAction::Create, false).is_some());
        assert_eq!(
            decide_steering(&partner, SteeringAction::Read, true)
                .unwrap()
                .name(),
            "partner:member"
        );
        assert!(decide_steering(&partner, SteeringAction::Manage, true).is_none());
        assert!(decide_steering(&actor(Admin), SteeringAction::Manage, false).is_some());
        for role in [Analyst, EmployerCoordinator, Employer] {
            for a in SteeringAction::ALL {
                assert!(!steering_role_may(role, *a));
            }
        }
    }

    #[test]
    fn needs_are_kept_by_coordinators_and_read_by_their_employer() {
        let coord = actor(EmployerCoordinator);
        for a in NeedAction::ALL {
            assert_eq!(
                decide_need(&coord, *a, false).unwrap().name(),
                "employer_coordinator:anywhere"
            );
        }
        for role in [Caseworker, Admin] {
            assert!(decide_need(&actor(role), NeedAction::Read, false).is_some());
            for a in [NeedAction::Create, NeedAction::Manage, NeedAction::Triage] {
                assert!(!need_role_may(role, a), "{role:?} {a:?}");
            }
        }
        let employer = actor(Employer);
        assert!(decide_need(&employer, NeedAction::Read, false).is_none());
        assert_eq!(
            decide_need(&employer, NeedAction::Read, true)
                .unwrap()
                .name(),
            "employer:own_employer"
        );
        assert!(!need_role_may(Employer, NeedAction::Manage));
        for role in [Partner, Analyst] {
            for a in NeedAction::ALL {
                assert!(!need_role_may(role, *a));
            }
        }
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

    #[test]
    fn employers_are_managed_by_coordinators_and_read_by_their_own_users() {
        let coord = actor(EmployerCoordinator);
        let employer = actor(Employer);
        for a in EmployerAction::ALL {
            assert!(decide_employer(&coord, *a, Some(None)).is_some());
            assert!(!employer_role_may(Partner, *a));
            assert!(!employer_role_may(Analyst, *a));
        }
        assert!(decide_employer(&actor(Caseworker), EmployerAction::Read, Some(None)).is_some());
        assert!(decide_employer(&actor(Admin), EmployerAction::Read, Some(None)).is_some());
        assert!(!employer_role_may(Caseworker, EmployerAction::Manage));
        assert_eq!(
            decide_employer(&employer, EmployerAction::Read, Some(Some(1)))
                .unwrap()
                .name(),
            "employer:own_employer"
        );
        assert!(decide_employer(&employer, EmployerAction::Read, Some(Some(2))).is_none());
        assert!(decide_employer(&employer, EmployerAction::Read, Some(None)).is_none());
        assert!(decide_employer(&employer, EmployerAction::Manage, Some(Some(1))).is_none());
    }
}

pub mod work;
