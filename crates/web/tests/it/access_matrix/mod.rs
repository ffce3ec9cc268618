//! The access matrix over the JSON API, on SQLite and PostgreSQL: every role
//! × every participant-scoped endpoint (reads and writes, lists by presence)
//! × every consent situation of the participant, and the global endpoints by
//! role. The expected answers are a table written out by hand from ACCESS.md
//! and the README's "Decisions" — never computed from the policy code — so
//! the test fails when the running system and the written policy disagree.
//! All mismatches are collected and listed together.
//!
//! Each role works on a world of its own (one participant per situation),
//! so its writes cannot change what another role's cells see; within a role
//! the reads come first and the writes that change the world (revoking a
//! consent, handing over) come last. Every participant-scoped answer must
//! also have left an audit event by the caller naming the participant:
//! allowed for a success, denied for a refusal.

use crate::common;

use chrono::{Duration, NaiveDate};
use common::{pnr, TestApp};
use reqwest::Method;
use serde_json::{json, Value};

/// The participant's situation, seen from the partner organisation AF and
/// from unit B (every consent below names both).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Situation {
    /// Unit A's participant on cw_a's caseload; no consent names AF or B.
    Own,
    /// A consent in force names AF and B and covers every category.
    Consented,
    /// A consent in force names AF and B, covering contact details only.
    ContactOnly,
    /// A consent in force names AF and B, covering the action plan only.
    PlanOnly,
    /// Unit B's participant on cw_b's caseload; no consent names AF or A.
    NotConsented,
    /// A consent like `Consented`, revoked.
    Revoked,
    /// A consent like `Consented` whose last day was yesterday.
    Expired,
    /// Unit A's participant, handed over from cw_b's caseload to cw_a2
    /// today: cw_b keeps 30 days' read access (a grant).
    HandedOver,
    /// The same, handed over 31 days ago: cw_b's grant has lapsed.
    HandoverLapsed,
}

use Situation::*;

/// Column order of every row in the table.
const SITUATIONS: [Situation; 9] = [
    Own,
    Consented,
    ContactOnly,
    PlanOnly,
    NotConsented,
    Revoked,
    Expired,
    HandedOver,
    HandoverLapsed,
];

/// Answers that are not a bare status.
/// A list or search holds the participant.
const LISTED: u16 = 1;
/// A list or search answers 200 without the participant (or, for steering
/// cases, shows the case without their identity).
const ABSENT: u16 = 2;
/// 200 with e-mail and phone withheld (`contact_details_withheld`).
const WITHHELD: u16 = 3;
/// The common entry found the person but names neither id nor details.
const UNNAMED: u16 = 4;

fn answer_name(a: u16) -> String {
    match a {
        LISTED => "listed".into(),
        ABSENT => "absent".into(),
        WITHHELD => "200 (contact details withheld)".into(),
        UNNAMED => "200 (existing, unnamed)".into(),
        s => s.to_string(),
    }
}

/// Every participant-scoped endpoint of `/api/v1`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Endpoint {
    // Reads.
    ReadParticipant,
    ListConsents,
    ReadAuditOfParticipant,
    ReadAssessment,
    ListAssessmentVersions,
    ReadAssessmentVersion,
    ReadPlan,
    ReadPlanHistory,
    ListContacts,
    // Lists and searches: presence of the participant.
    ListParticipants,
    SearchParticipants,
    ListBetweenChairs,
    ListSteeringCases,
    // Writes; the last two change the world and come last.
    UpdateParticipant,
    CreateAssessment,
    SavePlanGoal,
    AddStepOfPartner,
    AddStepOfUnit,
    UpdateStepOfPartner,
    UpdateStepOfUnit,
    AddContact,
    RecordConsent,
    IntakeExisting,
    ReferToSteeringGroup,
    SteeringDecisionCreatingStep,
    RevokeConsent,
    Handover,
}

use Endpoint::*;

/// In the order they are tried.
const ENDPOINTS: [Endpoint; 27] = [
    ReadParticipant,
    ListConsents,
    ReadAuditOfParticipant,
    ReadAssessment,
    ListAssessmentVersions,
    ReadAssessmentVersion,
    ReadPlan,
    ReadPlanHistory,
    ListContacts,
    ListParticipants,
    SearchParticipants,
    ListBetweenChairs,
    ListSteeringCases,
    UpdateParticipant,
    CreateAssessment,
    SavePlanGoal,
    AddStepOfPartner,
    AddStepOfUnit,
    UpdateStepOfPartner,
    UpdateStepOfUnit,
    AddContact,
    RecordConsent,
    IntakeExisting,
    ReferToSteeringGroup,
    SteeringDecisionCreatingStep,
    RevokeConsent,
    Handover,
];

impl Endpoint {
    fn label(self) -> &'static str {
        match self {
            ReadParticipant => "GET /participants/{id}",
            ListConsents => "GET /participants/{id}/consents",
            ReadAuditOfParticipant => "GET /audit?participant={id}",
            ReadAssessment => "GET /participants/{id}/assessment",
            ListAssessmentVersions => "GET /participants/{id}/assessment/versions",
            ReadAssessmentVersion => "GET /participants/{id}/assessment/versions/1",
            ReadPlan => "GET /participants/{id}/plan",
            ReadPlanHistory => "GET /participants/{id}/plan/history",
            ListContacts => "GET /participants/{id}/contacts",
            ListParticipants => "GET /participants (presence)",
            SearchParticipants => "POST /participants/search by number (presence)",
            ListBetweenChairs => "GET /alerts/between-chairs (presence)",
            ListSteeringCases => "GET /steering-groups/{g}/cases (identity shown)",
            UpdateParticipant => "PATCH /participants/{id}",
            CreateAssessment => "POST /participants/{id}/assessment",
            SavePlanGoal => "PUT /participants/{id}/plan",
            AddStepOfPartner => "POST /participants/{id}/plan/steps (AF's step)",
            AddStepOfUnit => "POST /participants/{id}/plan/steps (the unit's step)",
            UpdateStepOfPartner => "PATCH /participants/{id}/plan/steps/{s} (AF's step)",
            UpdateStepOfUnit => "PATCH /participants/{id}/plan/steps/{s} (the unit's step)",
            AddContact => "POST /participants/{id}/contacts",
            RecordConsent => "POST /participants/{id}/consents",
            IntakeExisting => "POST /intake (the participant's number)",
            ReferToSteeringGroup => "POST /steering-groups/{g}/cases",
            SteeringDecisionCreatingStep => "POST /steering-groups/{g}/decisions (creates a step)",
            RevokeConsent => "POST /participants/{id}/consents/{c}/revoke",
            Handover => "POST /participants/{id}/handover",
        }
    }

    /// The operation of the OpenAPI document this endpoint exercises.
    fn route(self) -> (&'static str, &'static str) {
        match self {
            ReadParticipant => ("get", "/api/v1/participants/{id}"),
            ListConsents => ("get", "/api/v1/participants/{id}/consents"),
            ReadAuditOfParticipant => ("get", "/api/v1/audit"),
            ReadAssessment => ("get", "/api/v1/participants/{id}/assessment"),
            ListAssessmentVersions => ("get", "/api/v1/participants/{id}/assessment/versions"),
            ReadAssessmentVersion => ("get", "/api/v1/participants/{id}/assessment/versions/{n}"),
            ReadPlan => ("get", "/api/v1/participants/{id}/plan"),
            ReadPlanHistory => ("get", "/api/v1/participants/{id}/plan/history"),
            ListContacts => ("get", "/api/v1/participants/{id}/contacts"),
            ListParticipants => ("get", "/api/v1/participants"),
            SearchParticipants => ("post", "/api/v1/participants/search"),
            ListBetweenChairs => ("get", "/api/v1/alerts/between-chairs"),
            ListSteeringCases => ("get", "/api/v1/steering-groups/{id}/cases"),
            UpdateParticipant => ("patch", "/api/v1/participants/{id}"),
            CreateAssessment => ("post", "/api/v1/participants/{id}/assessment"),
            SavePlanGoal => ("put", "/api/v1/participants/{id}/plan"),
            AddStepOfPartner | AddStepOfUnit => ("post", "/api/v1/participants/{id}/plan/steps"),
            UpdateStepOfPartner | UpdateStepOfUnit => {
                ("patch", "/api/v1/participants/{id}/plan/steps/{step_id}")
            }
            AddContact => ("post", "/api/v1/participants/{id}/contacts"),
            RecordConsent => ("post", "/api/v1/participants/{id}/consents"),
            IntakeExisting => ("post", "/api/v1/intake"),
            ReferToSteeringGroup => ("post", "/api/v1/steering-groups/{id}/cases"),
            SteeringDecisionCreatingStep => ("post", "/api/v1/steering-groups/{id}/decisions"),
            RevokeConsent => ("post", "/api/v1/participants/{id}/consents/{cid}/revoke"),
            Handover => ("post", "/api/v1/participants/{id}/handover"),
        }
    }

    /// Answers that are about presence in a list, not a decision on one
    /// participant (no per-participant audit event is required).
    fn is_list(self) -> bool {
        matches!(
            self,
            ListParticipants
                | SearchParticipants
                | ListBetweenChairs
                | ListSteeringCases
                | IntakeExisting
        )
    }
}

/// The table: the answer of `user` at `endpoint` for each situation, columns
/// as in `SITUATIONS` (Own, Consented, ContactOnly, PlanOnly, NotConsented,
/// Revoked, Expired, HandedOver, HandoverLapsed). cw_a and cw_a2 are unit A, cw_b is unit B, partner is
/// AF; analyst, coordinator and employer may never touch a participant.
///
/// The `match` has no catch-all over endpoints: a new endpoint does not
/// compile until it has its rows.
fn expected(user: &str, endpoint: Endpoint) -> [u16; 9] {
    const F: u16 = 403;
    const N: u16 = 404;
    const L: u16 = LISTED;
    const A: u16 = ABSENT;
    const W: u16 = WITHHELD;
    const U: u16 = UNNAMED;
    const NEVER: [u16; 9] = [F; 9];
    // Unit A's caseworkers hold everyone but unit B's participant.
    let unit_a = |ok: u16| [ok, ok, ok, ok, N, ok, ok, ok, ok];
    // Unit B's caseworker changes only unit B's participant.
    let unit_b_own = |ok: u16| [N, N, N, N, ok, N, N, N, N];
    let unit = |ok: u16| match user {
        "cw_a" | "cw_a2" => unit_a(ok),
        _ => unit_b_own(ok),
    };
    let caseworker = matches!(user, "cw_a" | "cw_a2" | "cw_b");
    if matches!(user, "analyst" | "coordinator" | "employer") {
        return NEVER;
    }
    match endpoint {
        // The basic record under any consent in force; e-mail and phone
        // only under `contact_details`.
        ReadParticipant => match user {
            "cw_b" => [N, 200, 200, W, 200, N, N, 200, N],
            "partner" => [N, 200, 200, W, N, N, N, N, N],
            "admin" => [200; 9],
            _ => unit_a(200),
        },
        // The consent register: never by consent (but by the grant after a
        // handover); partners 403. The participant's audit trail: admins.
        ListConsents => match user {
            "cw_b" => [N, N, N, N, 200, N, N, 200, N],
            "partner" => NEVER,
            "admin" => [200; 9],
            _ => unit(200),
        },
        ReadAuditOfParticipant => match user {
            "admin" => [200; 9],
            _ => NEVER,
        },
        // The assessment: by consent only under `assessment`.
        ReadAssessment | ListAssessmentVersions | ReadAssessmentVersion => match user {
            "cw_b" => [N, 200, N, N, 200, N, N, 200, N],
            "partner" => [N, 200, N, N, N, N, N, N, N],
            "admin" => [200; 9],
            _ => unit_a(200),
        },
        // The plan and the contacts: by consent only under `action_plan`.
        ReadPlan | ReadPlanHistory | ListContacts => match user {
            "cw_b" => [N, 200, N, 200, 200, N, N, 200, N],
            "partner" => [N, 200, N, 200, N, N, N, N, N],
            "admin" => [200; 9],
            _ => unit_a(200),
        },
        ListParticipants | SearchParticipants | ListSteeringCases => match user {
            "cw_b" => [A, L, L, L, L, A, A, L, A],
            "partner" => [A, L, L, L, A, A, A, A, A],
            "admin" => [L; 9],
            _ => [L, L, L, L, A, L, L, L, L],
        },
        // Reasons reveal plan status: by consent only under `action_plan`.
        ListBetweenChairs => match user {
            "cw_b" => [A, L, A, L, L, A, A, L, A],
            "partner" => [A, L, A, L, A, A, A, A, A],
            "admin" => [L; 9],
            _ => [L, L, L, L, A, L, L, L, L],
        },
        // Consent opens reading, never changing. Admins read only.
        UpdateParticipant | RecordConsent | RevokeConsent | Handover => match user {
            "partner" | "admin" => NEVER,
            _ => unit(if matches!(endpoint, RecordConsent) {
                201
            } else {
                200
            }),
        },
        CreateAssessment | SteeringDecisionCreatingStep => match user {
            "partner" | "admin" => NEVER,
            _ => unit(201),
        },
        // A partner under `action_plan` reads the plan and changes only AF's
        // steps (and records AF's contacts); the goal and the unit's steps
        // are 403 for them. Without `action_plan` the plan does not exist
        // for them.
        SavePlanGoal | AddStepOfUnit | UpdateStepOfUnit => match user {
            "partner" => [N, F, N, F, N, N, N, N, N],
            "admin" => NEVER,
            _ => unit(if matches!(endpoint, SavePlanGoal | UpdateStepOfUnit) {
                200
            } else {
                201
            }),
        },
        AddStepOfPartner | UpdateStepOfPartner | AddContact => {
            let ok = if matches!(endpoint, UpdateStepOfPartner) {
                200
            } else {
                201
            };
            match user {
                "partner" => [N, ok, N, ok, N, N, N, N, N],
                "admin" => NEVER,
                _ => unit(ok),
            }
        }
        // The common entry is the caseworkers'; it names an existing person
        // only to a caller who may read them.
        IntakeExisting => match user {
            "cw_b" => [U, 200, 200, 200, 200, U, U, 200, U],
            _ if caseworker => [200, 200, 200, 200, U, 200, 200, 200, 200],
            _ => NEVER,
        },
        // Referring needs to manage the group (caseworkers of member
        // organisations, admins) and to read the participant.
        ReferToSteeringGroup => match user {
            "cw_b" => [N, 201, 201, 201, 201, N, N, 201, N],
            "partner" => NEVER,
            "admin" => [201; 9],
            _ => unit_a(201),
        },
    }
}

/// The global endpoints by role.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Global {
    ReadAuditTrail,
    IntakeNew,
    CreateParticipant,
    CreateSteeringGroup,
    ListSteeringGroups,
}

const GLOBALS: [Global; 5] = [
    Global::ReadAuditTrail,
    Global::IntakeNew,
    Global::CreateParticipant,
    Global::CreateSteeringGroup,
    Global::ListSteeringGroups,
];

impl Global {
    fn label(self) -> &'static str {
        match self {
            Global::ReadAuditTrail => "GET /audit",
            Global::IntakeNew => "POST /intake (a new person)",
            Global::CreateParticipant => "POST /participants",
            Global::CreateSteeringGroup => "POST /steering-groups",
            Global::ListSteeringGroups => "GET /steering-groups",
        }
    }
}

impl Global {
    fn route(self) -> (&'static str, &'static str) {
        match self {
            Global::ReadAuditTrail => ("get", "/api/v1/audit"),
            Global::IntakeNew => ("post", "/api/v1/intake"),
            Global::CreateParticipant => ("post", "/api/v1/participants"),
            Global::CreateSteeringGroup => ("post", "/api/v1/steering-groups"),
            Global::ListSteeringGroups => ("get", "/api/v1/steering-groups"),
        }
    }
}

/// Operations outside the matrix, and why.
const OUTSIDE: &[(&str, &str, &str)] = &[
    ("get", "/api/v1/health", "no personal data, no login"),
    (
        "get",
        "/api/v1/matching/suggestions",
        "participant Read / need Read, filtered per result; covered by api_matching",
    ),
    (
        "post",
        "/api/v1/matching/runs",
        "role-decided per participant and need; covered by api_matching (runs: caseworker/admin, others 403)",
    ),
    (
        "post",
        "/api/v1/matching/runs/{id}/confirm",
        "Update on every participant or nothing; covered by api_matching (admin 403, other unit refused)",
    ),
    ("get", "/api/v1/openapi.json", "no personal data, no login"),
    ("post", "/api/v1/competence-search", "pseudonymous search by role; names only under a consent naming the employer (api_competence)"),
    ("get", "/api/v1/participants/{id}/competence", "the participant policy as for the assessment; own/other unit, consent, revoked, expired tested in api_competence"),
    ("put", "/api/v1/participants/{id}/competence", "the participant policy as for the assessment; tested in api_competence"),
    (
        "get",
        "/api/v1/competence-needs",
        "a competence need, no participant: role and employer scope tested in api_needs",
    ),
    (
        "post",
        "/api/v1/competence-needs",
        "a competence need, no participant: role and employer scope tested in api_needs",
    ),
    (
        "get",
        "/api/v1/competence-needs/{id}",
        "a competence need, no participant: role and employer scope tested in api_needs",
    ),
    (
        "patch",
        "/api/v1/competence-needs/{id}",
        "a competence need, no participant: role and employer scope tested in api_needs",
    ),
    (
        "post",
        "/api/v1/competence-needs/{id}/triage",
        "a competence need, no participant: role and employer scope tested in api_needs",
    ),
    (
        "get",
        "/api/v1/employers",
        "the employer register, no participant: role and employer scope tested in api_employers",
    ),
    (
        "post",
        "/api/v1/employers",
        "the employer register, no participant: role and employer scope tested in api_employers",
    ),
    (
        "get",
        "/api/v1/employers/{id}",
        "the employer register, no participant: role and employer scope tested in api_employers",
    ),
    (
        "patch",
        "/api/v1/employers/{id}",
        "the employer register, no participant: role and employer scope tested in api_employers",
    ),
    (
        "get",
        "/api/v1/employers/{id}/contacts",
        "the employer register, no participant: role and employer scope tested in api_employers",
    ),
    (
        "post",
        "/api/v1/employers/{id}/contacts",
        "the employer register, no participant: role and employer scope tested in api_employers",
    ),
    (
        "get",
        "/api/v1/employers/{id}/interactions",
        "the employer register, no participant: role and employer scope tested in api_employers",
    ),
    (
        "post",
        "/api/v1/employers/{id}/interactions",
        "the employer register, no participant: role and employer scope tested in api_employers",
    ),
    (
        "get",
        "/api/v1/employers/{id}/partnerships",
        "the employer register, no participant: role and employer scope tested in api_employers",
    ),
    (
        "post",
        "/api/v1/employers/{id}/partnerships",
        "the employer register, no participant: role and employer scope tested in api_employers",
    ),
    (
        "post",
        "/api/v1/employers/{id}/partnerships/{aid}/outcomes",
        "the employer register, no participant: role and employer scope tested in api_employers",
    ),
    (
        "get",
        "/api/v1/employers/{id}/procurement-contracts",
        "the employer register, no participant: role and employer scope tested in api_employers",
    ),
    (
        "post",
        "/api/v1/employers/{id}/procurement-contracts",
        "the employer register, no participant: role and employer scope tested in api_employers",
    ),
    (
        "put",
        "/api/v1/employers/{id}/procurement-contracts/{cid}/fulfilment",
        "the employer register, no participant: role and employer scope tested in api_employers",
    ),
    (
        "put",
        "/api/v1/employers/{id}/procurement-contracts/{cid}/fulfilment/{month}",
        "the employer register, no participant: role and employer scope tested in api_employers",
    ),
    (
        "get",
        "/api/v1/employers/{id}/workplaces",
        "the employer register, no participant: role and employer scope tested in api_employers",
    ),
    (
        "post",
        "/api/v1/employers/{id}/workplaces",
        "the employer register, no participant: role and employer scope tested in api_employers",
    ),
    (
        "get",
        "/api/v1/taxonomy",
        "open classification data, no login (api_taxonomy)",
    ),
    (
        "get",
        "/api/v1/taxonomy/occupations",
        "open classification data, no login (api_taxonomy)",
    ),
    (
        "get",
        "/api/v1/taxonomy/skills",
        "open classification data, no login (api_taxonomy)",
    ),
    (
        "get",
        "/api/v1/taxonomy/languages",
        "open classification data, no login (api_taxonomy)",
    ),
    (
        "get",
        "/api/v1/taxonomy/classifications/{name}",
        "open classification data, no login (api_taxonomy)",
    ),
    (
        "get",
        "/api/v1/steering-groups/{id}",
        "a group and its members; no participant (api_steering)",
    ),
    (
        "get",
        "/api/v1/steering-groups/{id}/meetings",
        "meetings name no participant (api_steering)",
    ),
    (
        "post",
        "/api/v1/steering-groups/{id}/meetings",
        "meetings name no participant (api_steering)",
    ),
    (
        "get",
        "/api/v1/steering-groups/{id}/decisions",
        "hides participants like the case list (api_steering)",
    ),
    (
        "patch",
        "/api/v1/steering-groups/{id}/decisions/{decision_id}",
        "status of a decision; no participant (api_steering)",
    ),
    // Learning employments (issue 6.5): LearningAction, tested role by role in
    // work_learning_api::access_follows_the_participant_the_host_and_the_school_and_is_audited.
    ("get", "/api/v1/learning-employments", "LearningAction::Read per row (participant Read, own host, school under consent); analyst 403 (work_learning_api access test)"),
    ("post", "/api/v1/learning-employments", "LearningAction::Create: coordinator, caseworker with participant Update; host, partner, analyst 403; other unit 404 (work_learning_api access test)"),
    ("get", "/api/v1/learning-employments/{placement_id}", "LearningAction::Read: host and school minimal fields; other unit, other host, school without consent 404 (work_learning_api access test)"),
    ("put", "/api/v1/learning-employments/{placement_id}/weeks/{week_start}", "LearningAction::Plan: coordinator, caseworker with Update; host and school 403 (work_learning_api access and rules tests)"),
    ("put", "/api/v1/learning-employments/{placement_id}/weeks/{week_start}/done", "LearningAction::RecordDone: host own, school study only under consent, other unit 404 (work_learning_api access test)"),
    ("post", "/api/v1/learning-employments/{placement_id}/completion", "LearningAction::Complete: coordinator, caseworker with Update; host 403 (work_learning_api access and rules tests)"),
    ("post", "/api/v1/learning-employments/{placement_id}/hire-outcome", "LearningAction::RecordHire: coordinator, caseworker with Update; host 403 (work_learning_api access and rules tests)"),
    ("get", "/api/v1/learning-summaries/{intervention_id}", "LearningAction::Summary: counts only, no person; host and partner 403 (work_learning_api access and summary tests)"),
    (
        "get",
        "/api/v1/rental/contracts",
        "rental contracts: coordinator/admin, others 403, non-rental 404; work_rental_api::assignments_check_the_contract_and_the_model",
    ),
    (
        "post",
        "/api/v1/rental/contracts",
        "rental contracts: coordinator only; work_rental_api::assignments_check_the_contract_and_the_model",
    ),
    (
        "get",
        "/api/v1/rental/assignments",
        "rental assignments: coordinator/admin; work_rental_api::assignments_check_the_contract_and_the_model",
    ),
    (
        "post",
        "/api/v1/rental/assignments",
        "rental assignments: coordinator only; work_rental_api::assignments_check_the_contract_and_the_model",
    ),
    (
        "get",
        "/api/v1/rental/timesheets",
        "timesheets: a host sees only its own placements' weeks, minimal fields; work_rental_api::a_host_sees_only_its_own_placed_participants_with_minimal_fields",
    ),
    (
        "post",
        "/api/v1/rental/timesheets",
        "timesheets: the supervisor (coordinator) enters, host 403; work_rental_api::a_host_sees_only_its_own_placed_participants_with_minimal_fields",
    ),
    (
        "get",
        "/api/v1/rental/timesheets/{id}",
        "timesheets: another host's week 404; work_rental_api::a_host_sees_only_its_own_placed_participants_with_minimal_fields",
    ),
    (
        "post",
        "/api/v1/rental/timesheets/{id}/approve",
        "the host only (own placements, others 404, other roles 403); work_rental_api::a_host_sees_only_its_own_placed_participants_with_minimal_fields",
    ),
    (
        "post",
        "/api/v1/rental/timesheets/{id}/reject",
        "the host only, with a reason; work_rental_api::timesheets_outside_the_placement_are_refused_naming_the_day",
    ),
    (
        "get",
        "/api/v1/rental/invoices",
        "rental invoices: coordinator/admin; work_rental_api::an_invoice_with_an_unapproved_week_is_refused_and_its_total_agrees",
    ),
    (
        "post",
        "/api/v1/rental/invoices",
        "rental invoices: coordinator only, host 403; work_rental_api::an_invoice_with_an_unapproved_week_is_refused_and_its_total_agrees",
    ),
    (
        "get",
        "/api/v1/rental/invoices/{id}",
        "rental invoices: coordinator/admin; work_rental_api::an_invoice_with_an_unapproved_week_is_refused_and_its_total_agrees",
    ),
    (
        "get",
        "/api/v1/rental/invoices/{id}/invoice.csv",
        "rental invoices: coordinator/admin; work_rental_api::an_invoice_with_an_unapproved_week_is_refused_and_its_total_agrees",
    ),
    (
        "get",
        "/api/v1/rental/invoices/{id}/invoice.xlsx",
        "rental invoices: coordinator/admin; work_rental_api::an_invoice_with_an_unapproved_week_is_refused_and_its_total_agrees",
    ),
    (
        "get",
        "/api/v1/rental/interventions/{id}/ledger",
        "an intervention's costs and subsidies, no participant: coordinator/admin; work_rental_api::the_monthly_economic_result_agrees_with_an_independent_computation",
    ),
    (
        "post",
        "/api/v1/rental/interventions/{id}/ledger",
        "an intervention's costs and subsidies, no participant: coordinator only; work_rental_api::the_monthly_economic_result_agrees_with_an_independent_computation",
    ),
    (
        "get",
        "/api/v1/rental/interventions/{id}/economic-result",
        "aggregates, no participant: coordinator/admin, host 403; work_rental_api::a_host_sees_only_its_own_placed_participants_with_minimal_fields",
    ),
    (
        "get",
        "/api/v1/interventions/{id}/legal-checks",
        "aggregates by buyer, no participant: coordinator/admin, caseworker 403, unknown 404; work_rental_api::the_monthly_economic_result_agrees_with_an_independent_computation, legal_checks_count_the_staffing_models_sales_to_municipal_units",
    ),
    // Interventions (issue 6): no personal data, decided by role.
    ("get", "/api/v1/interventions", "interventions carry no personal data: roles tested in work_interventions_api"),
    ("post", "/api/v1/interventions", "interventions carry no personal data: roles tested in work_interventions_api"),
    ("get", "/api/v1/interventions/{id}", "interventions carry no personal data: roles tested in work_interventions_api"),
    ("patch", "/api/v1/interventions/{id}", "interventions carry no personal data: tested in work_interventions_api"),
    ("post", "/api/v1/interventions/{id}/indicators", "interventions carry no personal data: tested in work_interventions_api"),
    ("post", "/api/v1/interventions/{id}/open", "interventions carry no personal data: roles tested in work_interventions_api"),
    ("post", "/api/v1/interventions/{id}/close", "interventions carry no personal data: tested in work_interventions_api"),
    ("post", "/api/v1/placements/risk", "the displacement dry run names no participant: work_interventions_api (dismissals)"),
    ("get", "/api/v1/employers/{id}/staff-reductions", "the employer register's Read, no participant: work_interventions_api"),
    ("post", "/api/v1/employers/{id}/staff-reductions", "the employer register's Manage, no participant: work_interventions_api (caseworker 403)"),
    ("put", "/api/v1/employers/{id}/workplaces/{workplace_id}/staff-count", "the employer register's Manage, no participant: work_interventions_api (share factor)"),
    // Placements: every role × own host / other host in the placement matrix below.
    ("get", "/api/v1/placements", "placement matrix: placements_by_role_and_host"),
    ("post", "/api/v1/placements", "placement matrix: placements_by_role_and_host"),
    ("get", "/api/v1/placements/{id}", "placement matrix: placements_by_role_and_host"),
    ("patch", "/api/v1/placements/{id}", "placement matrix: placements_by_role_and_host"),
    ("post", "/api/v1/placements/{id}/exit", "placement matrix: placements_by_role_and_host"),
    ("post", "/api/v1/placements/{id}/override", "placement matrix: placements_by_role_and_host"),
    ("get", "/api/v1/placements/{id}/displacement", "placement matrix: placements_by_role_and_host"),
    ("put", "/api/v1/placements/{id}/weeks/{week_start}", "placement matrix: placements_by_role_and_host"),
    (
        "get",
        "/api/v1/staffing/pools",
        "StaffingAction::Read (coordinator, caseworker, admin; analyst and employer 403): work_staffing_api::staffing_access_names_participants_only_to_their_readers_and_audits",
    ),
    (
        "post",
        "/api/v1/staffing/pools",
        "StaffingAction::Manage: work_staffing_api::staffing_access_names_participants_only_to_their_readers_and_audits",
    ),
    (
        "get",
        "/api/v1/staffing/pools/{id}",
        "StaffingAction::Read, unknown pool 404: work_staffing_api::staffing_access_names_participants_only_to_their_readers_and_audits",
    ),
    (
        "get",
        "/api/v1/staffing/pools/{id}/staff",
        "StaffingAction::Read; participants named only under participant Read, else a staff code: work_staffing_api::staffing_access_names_participants_only_to_their_readers_and_audits",
    ),
    (
        "post",
        "/api/v1/staffing/pools/{id}/staff",
        "StaffingAction::Manage; a participant only if the actor may read them (else 422): work_staffing_api::staffing_access_names_participants_only_to_their_readers_and_audits",
    ),
    (
        "get",
        "/api/v1/staffing/pools/{id}/requests",
        "StaffingAction::ReadOrders; a unit's staff see their own unit's only: work_staffing_api::staffing_access_names_participants_only_to_their_readers_and_audits",
    ),
    (
        "post",
        "/api/v1/staffing/pools/{id}/requests",
        "StaffingAction::Order (own unit for a unit's staff, employer 403): work_staffing_api::staffing_access_names_participants_only_to_their_readers_and_audits",
    ),
    (
        "get",
        "/api/v1/staffing/pools/{id}/training",
        "StaffingAction::Read; names as for staff: work_staffing_api::staffing_access_names_participants_only_to_their_readers_and_audits",
    ),
    (
        "get",
        "/api/v1/staffing/requests/{id}",
        "StaffingAction::ReadOrders; another unit's request 404: work_staffing_api::staffing_access_names_participants_only_to_their_readers_and_audits",
    ),
    (
        "post",
        "/api/v1/staffing/requests/{id}/cancel",
        "StaffingAction::Order: work_staffing_api::the_hourly_share_and_fill_rate_agree_with_an_independent_computation",
    ),
    (
        "post",
        "/api/v1/staffing/requests/{id}/assignments",
        "StaffingAction::Manage (partner 403), all or nothing: work_staffing_api::overlapping_assignments_are_refused_naming_the_conflict_and_nothing_partial_is_written",
    ),
    (
        "delete",
        "/api/v1/staffing/assignments/{id}",
        "StaffingAction::Manage (partner 403, gone 404): work_staffing_api::staffing_access_names_participants_only_to_their_readers_and_audits",
    ),
    (
        "put",
        "/api/v1/staffing/assignments/{id}/worked",
        "StaffingAction::Manage: work_staffing_api::the_hourly_share_and_fill_rate_agree_with_an_independent_computation",
    ),
    (
        "get",
        "/api/v1/staffing/unit-hours",
        "StaffingAction::ReadOrders (employer 403): work_staffing_api::staffing_access_names_participants_only_to_their_readers_and_audits",
    ),
    (
        "put",
        "/api/v1/staffing/unit-hours",
        "StaffingAction::Order, a unit's own hours: work_staffing_api::the_hourly_share_and_fill_rate_agree_with_an_independent_computation",
    ),
    (
        "get",
        "/api/v1/staffing/fill-rate",
        "StaffingAction::ReadStatistics, aggregates only (analyst 200, employer 403): work_staffing_api::staffing_access_names_participants_only_to_their_readers_and_audits, work_staffing_api::the_hourly_share_and_fill_rate_agree_with_an_independent_computation",
    ),
    (
        "get",
        "/api/v1/staffing/hourly-share",
        "StaffingAction::ReadStatistics, aggregates only: work_staffing_api::the_hourly_share_and_fill_rate_agree_with_an_independent_computation",
    ),
    (
        "post",
        "/api/v1/staffing/staff/{id}/training",
        "StaffingAction::Manage; participant named in the audit: work_staffing_api::staffing_access_names_participants_only_to_their_readers_and_audits",
    ),
    (
        "patch",
        "/api/v1/staffing/staff/{id}",
        "StaffingAction::Manage (analyst 403), optimistic locking; the end of employment then refuses shifts: work_staffing_api::overlapping_assignments_are_refused_naming_the_conflict_and_nothing_partial_is_written",
    ),
    (
        "patch",
        "/api/v1/staffing/training/{id}",
        "StaffingAction::Manage, optimistic locking: work_staffing_api::staffing_access_names_participants_only_to_their_readers_and_audits",
    ),
];

fn expected_global(user: &str, g: Global) -> u16 {
    let caseworker = matches!(user, "cw_a" | "cw_a2" | "cw_b");
    match g {
        Global::ReadAuditTrail => {
            if user == "admin" {
                200
            } else {
                403
            }
        }
        Global::IntakeNew | Global::CreateParticipant => {
            if caseworker {
                201
            } else {
                403
            }
        }
        Global::CreateSteeringGroup => {
            if caseworker || user == "admin" {
                201
            } else {
                403
            }
        }
        Global::ListSteeringGroups => {
            if caseworker || matches!(user, "admin" | "partner") {
                200
            } else {
                403
            }
        }
    }
}

// ------------------------------------------------------------ the world

struct Orgs {
    af: i64,
    employer: i64,
}

/// One participant in one situation, with what the cells need.
struct Person {
    situation: Situation,
    id: i64,
    number: String,
    first_name: String,
    last_name: String,
    /// The organisation owning the participant (A, or B for `NotConsented`).
    unit: i64,
    /// The responsible caseworker.
    responsible: &'static str,
    /// A consent naming only the employer organisation (which never reads):
    /// the one the revoke cell revokes.
    spare_consent: i64,
    unit_step: i64,
    partner_step: i64,
    /// The case the admin referred to the group at setup.
    case_id: i64,
}

fn today(app: &TestApp) -> NaiveDate {
    vagar_domain::time::swedish_date(app.clock.now())
}

fn day(d: NaiveDate) -> String {
    d.format("%Y-%m-%d").to_string()
}

const ALL_CATEGORIES: [&str; 4] = ["contact_details", "action_plan", "assessment", "health"];

/// `user` sends `body` to `path`; panics unless the status is `want`.
async fn must(
    app: &TestApp,
    user: &str,
    method: Method,
    path: &str,
    body: Value,
    want: u16,
) -> Value {
    let r = app.call(user, method.clone(), path, Some(&body)).await;
    assert_eq!(
        r.status, want,
        "setup {method} {path} as {user}: {}",
        r.text
    );
    r.json
}

/// A participant of the owning unit in `situation`, with a plan (a step of
/// the unit and one of AF, both planned, so that they are flagged between
/// chairs for `no_active_step`), a contact, an assessment and a case in the
/// steering group.
async fn person(app: &TestApp, orgs: &Orgs, group: i64, n: u32, situation: Situation) -> Person {
    let t = today(app);
    let (owner, unit) = match situation {
        NotConsented => ("cw_b", app.org_b),
        _ => ("cw_a", app.org_a),
    };
    let mut responsible = match situation {
        NotConsented | HandedOver | HandoverLapsed => "cw_b",
        _ => "cw_a",
    };
    // Letters only, unique per person, so that the name search is exact.
    let first_name = format!("Matris{}", (b'a' + (n % 26) as u8) as char);
    let last_name = format!("Tabell{}", (b'a' + (n / 26 % 26) as u8) as char);
    let number = pnr(500 + n);
    let p = must(
        app,
        owner,
        Method::POST,
        "/api/v1/participants",
        json!({
            "identity_number": number,
            "first_name": first_name,
            "last_name": last_name,
            "email": "matris@example.se",
            "phone": "070-1740605",
            "responsible_caseworker_id": app.user_ids[responsible],
        }),
        201,
    )
    .await;
    let id = p["id"].as_i64().unwrap();
    let number = p["identity_number"].as_str().unwrap().to_string();
    let consents = format!("/api/v1/participants/{id}/consents");
    let spare_consent = must(
        app,
        owner,
        Method::POST,
        &consents,
        json!({ "organisation_ids": [orgs.employer], "categories": ALL_CATEGORIES, "method": "written" }),
        201,
    )
    .await["id"]
        .as_i64()
        .unwrap();
    let named = json!([orgs.af, app.org_b]);
    let terms = match situation {
        Own | NotConsented | HandedOver | HandoverLapsed => None,
        Consented | Revoked => Some(json!({
            "organisation_ids": named, "categories": ALL_CATEGORIES, "method": "written",
        })),
        ContactOnly => Some(json!({
            "organisation_ids": named, "categories": ["contact_details"], "method": "verbal",
        })),
        PlanOnly => Some(json!({
            "organisation_ids": named, "categories": ["action_plan"], "method": "digital",
        })),
        Expired => Some(json!({
            "organisation_ids": named, "categories": ALL_CATEGORIES, "method": "written",
            "valid_from": day(t - Duration::days(30)), "valid_to": day(t - Duration::days(1)),
        })),
    };
    if let Some(terms) = terms {
        let cid = must(app, owner, Method::POST, &consents, terms, 201).await["id"]
            .as_i64()
            .unwrap();
        if situation == Revoked {
            must(
                app,
                owner,
                Method::POST,
                &format!("{consents}/{cid}/revoke"),
                json!({ "reason": "withdrawn at the visit" }),
                200,
            )
            .await;
        }
    }
    let base = format!("/api/v1/participants/{id}");
    if matches!(situation, HandedOver | HandoverLapsed) {
        must(
            app,
            owner,
            Method::POST,
            &format!("{base}/handover"),
            json!({ "to_user_id": app.user_ids["cw_a2"] }),
            200,
        )
        .await;
        responsible = "cw_a2";
    }
    must(
        app,
        owner,
        Method::PUT,
        &format!("{base}/plan"),
        json!({ "goal_kind": "occupation", "ssyk_code": "5321", "goal_title": "Undersköterska" }),
        201,
    )
    .await;
    let mut steps = Vec::new();
    for org in [unit, orgs.af] {
        steps.push(
            must(
                app,
                owner,
                Method::POST,
                &format!("{base}/plan/steps"),
                json!({ "activity_type": "job_search", "organisation_id": org,
                        "start_date": day(t + Duration::days(7)), "due_date": day(t + Duration::days(60)) }),
                201,
            )
            .await["id"]
                .as_i64()
                .unwrap(),
        );
    }
    must(
        app,
        owner,
        Method::POST,
        &format!("{base}/contacts"),
        json!({ "contact_date": day(t), "kind": "meeting" }),
        201,
    )
    .await;
    must(
        app,
        owner,
        Method::POST,
        &format!("{base}/assessment"),
        assessment_body(),
        201,
    )
    .await;
    let case_id = must(
        app,
        "admin",
        Method::POST,
        &format!("/api/v1/steering-groups/{group}/cases"),
        json!({ "participant_id": id, "question": "Vilket stöd behövs?" }),
        201,
    )
    .await["id"]
        .as_i64()
        .unwrap();
    Person {
        situation,
        id,
        number,
        first_name,
        last_name,
        unit,
        responsible,
        spare_consent,
        unit_step: steps[0],
        partner_step: steps[1],
        case_id,
    }
}

fn assessment_body() -> Value {
    json!({
        "work_experience": [{ "ssyk_code": "5120", "occupation": "Kock", "years": 3 }],
        "education_level": "secondary",
        "swedish_level": "b1",
        "health": { "level": "some", "note": "Ryggbesvär" },
        "own_goals": "Arbeta som kock"
    })
}

// ------------------------------------------------------------ the cells

/// Ids of the participants in a page of `items` under `key`.
fn ids_in(json: &Value, key: &str) -> Vec<i64> {
    json["items"]
        .as_array()
        .map(|items| items.iter().filter_map(|i| i[key].as_i64()).collect())
        .unwrap_or_default()
}

/// Perform `endpoint` on `p` as `user`; the answer in the table's terms and
/// the reply's text (for the report).
async fn attempt(
    app: &TestApp,
    orgs: &Orgs,
    group: i64,
    user: &str,
    endpoint: Endpoint,
    p: &Person,
) -> (u16, String) {
    let t = today(app);
    let id = p.id;
    let base = format!("/api/v1/participants/{id}");
    let step_body = |org: i64| {
        json!({ "activity_type": "sfi", "organisation_id": org,
                "start_date": day(t + Duration::days(14)), "due_date": day(t + Duration::days(90)) })
    };
    let (method, path, body): (Method, String, Option<Value>) = match endpoint {
        ReadParticipant => (Method::GET, base.clone(), None),
        ListConsents => (Method::GET, format!("{base}/consents"), None),
        ReadAuditOfParticipant => (Method::GET, format!("/api/v1/audit?participant={id}"), None),
        ReadAssessment => (Method::GET, format!("{base}/assessment"), None),
        ListAssessmentVersions => (Method::GET, format!("{base}/assessment/versions"), None),
        ReadAssessmentVersion => (Method::GET, format!("{base}/assessment/versions/1"), None),
        ReadPlan => (Method::GET, format!("{base}/plan"), None),
        ReadPlanHistory => (Method::GET, format!("{base}/plan/history"), None),
        ListContacts => (Method::GET, format!("{base}/contacts"), None),
        ListParticipants => (
            Method::GET,
            format!(
                "/api/v1/participants?q={}+{}&per_page=100",
                p.first_name, p.last_name
            ),
            None,
        ),
        SearchParticipants => (
            Method::POST,
            "/api/v1/participants/search".into(),
            Some(json!({ "q": p.number })),
        ),
        ListBetweenChairs => (
            Method::GET,
            "/api/v1/alerts/between-chairs?reasons=no_active_step&per_page=200".into(),
            None,
        ),
        ListSteeringCases => (
            Method::GET,
            format!("/api/v1/steering-groups/{group}/cases"),
            None,
        ),
        UpdateParticipant => (
            Method::PATCH,
            base.clone(),
            Some(json!({ "first_name": p.first_name })),
        ),
        CreateAssessment => (
            Method::POST,
            format!("{base}/assessment"),
            Some(assessment_body()),
        ),
        SavePlanGoal => (
            Method::PUT,
            format!("{base}/plan"),
            Some(json!({ "goal_kind": "education", "goal_title": "Vård- och omsorgsprogrammet" })),
        ),
        AddStepOfPartner => (
            Method::POST,
            format!("{base}/plan/steps"),
            Some(step_body(orgs.af)),
        ),
        AddStepOfUnit => (
            Method::POST,
            format!("{base}/plan/steps"),
            Some(step_body(p.unit)),
        ),
        UpdateStepOfPartner => (
            Method::PATCH,
            format!("{base}/plan/steps/{}", p.partner_step),
            Some(json!({ "due_date": day(t + Duration::days(75)) })),
        ),
        UpdateStepOfUnit => (
            Method::PATCH,
            format!("{base}/plan/steps/{}", p.unit_step),
            Some(json!({ "due_date": day(t + Duration::days(75)) })),
        ),
        AddContact => (
            Method::POST,
            format!("{base}/contacts"),
            Some(json!({ "contact_date": day(t), "kind": "call" })),
        ),
        RecordConsent => (
            Method::POST,
            format!("{base}/consents"),
            Some(
                json!({ "organisation_ids": [orgs.employer], "categories": ["health"], "method": "written" }),
            ),
        ),
        IntakeExisting => (
            Method::POST,
            "/api/v1/intake".into(),
            Some(json!({
                "identity_number": p.number, "first_name": p.first_name, "last_name": p.last_name,
                "referred_by_organisation_id": orgs.af,
            })),
        ),
        ReferToSteeringGroup => (
            Method::POST,
            format!("/api/v1/steering-groups/{group}/cases"),
            Some(json!({ "participant_id": id, "question": "Kan praktik ordnas?" })),
        ),
        SteeringDecisionCreatingStep => (
            Method::POST,
            format!("/api/v1/steering-groups/{group}/decisions"),
            Some(json!({
                "text": "Praktik hos arbetsgivare",
                "create_steps": [{
                    "participant_id": id, "activity_type": "work_practice",
                    "organisation_id": p.unit,
                    "start_date": day(t + Duration::days(7)), "due_date": day(t + Duration::days(37)),
                }],
            })),
        ),
        RevokeConsent => (
            Method::POST,
            format!("{base}/consents/{}/revoke", p.spare_consent),
            Some(json!({ "reason": "withdrawn by phone" })),
        ),
        Handover => (
            Method::POST,
            format!("{base}/handover"),
            Some(
                json!({ "to_user_id": app.user_ids[if p.responsible == "cw_a2" { "cw_a" } else { "cw_a2" }] }),
            ),
        ),
    };
    let r = app.call(user, method, &path, body.as_ref()).await;
    let text: String = r.text.chars().take(300).collect();
    if r.status >= 400 {
        // A refusal never tells more than a missing person would.
        if r.text.contains(&p.last_name) || r.text.contains(&p.number) {
            return (999, format!("refusal names the participant: {text}"));
        }
    }
    if r.status != 200 {
        return (r.status, text);
    }
    let got = match endpoint {
        ReadParticipant => match &r.json["contact_details_withheld"] {
            Value::Bool(true) if r.json["email"].is_null() && r.json["phone"].is_null() => WITHHELD,
            Value::Bool(false) if r.json["email"] == "matris@example.se" => 200,
            _ => return (998, format!("contact details inconsistent: {text}")),
        },
        ListParticipants | SearchParticipants => {
            if ids_in(&r.json, "id").contains(&id) {
                LISTED
            } else {
                ABSENT
            }
        }
        ListBetweenChairs => {
            if ids_in(&r.json, "participant_id").contains(&id) {
                LISTED
            } else {
                ABSENT
            }
        }
        ListSteeringCases => {
            let case = r
                .json
                .as_array()
                .and_then(|cs| cs.iter().find(|c| c["id"] == p.case_id).cloned());
            match case {
                Some(c) if c["participant"]["id"] == id => LISTED,
                Some(c) if c["participant"].is_null() && c["question"].is_null() => ABSENT,
                _ => {
                    return (
                        997,
                        format!("case {} missing or half shown: {text}", p.case_id),
                    )
                }
            }
        }
        IntakeExisting => {
            if r.json["existing"] != true {
                return (996, format!("intake did not find the person: {text}"));
            }
            if r.json["id"] == id && r.json["participant"]["id"] == id {
                200
            } else if r.json["id"].is_null() && r.json["participant"].is_null() {
                UNNAMED
            } else {
                return (995, format!("intake half named: {text}"));
            }
        }
        _ => 200,
    };
    (got, text)
}

/// The audit events `user` caused after `since` naming participant `id`:
/// (outcome) for each.
async fn audit_outcomes(app: &TestApp, user: &str, since: i64, id: i64) -> Vec<String> {
    let rows = vagar_store::sqlx::query(
        "SELECT e.outcome FROM audit_events e \
         JOIN audit_event_participants ep ON ep.seq = e.seq \
         WHERE e.seq > $1 AND e.user_id = $2 AND ep.participant_id = $3 ORDER BY e.seq",
    )
    .bind(since)
    .bind(app.user_ids[user])
    .bind(id)
    .fetch_all(app.store.pool())
    .await
    .expect("audit rows");
    rows.iter()
        .map(|r| vagar_store::sqlx::Row::get::<String, _>(r, "outcome"))
        .collect()
}

async fn audit_head(app: &TestApp) -> i64 {
    let row = vagar_store::sqlx::query("SELECT COALESCE(MAX(seq), 0) AS s FROM audit_events")
        .fetch_one(app.store.pool())
        .await
        .expect("audit head");
    vagar_store::sqlx::Row::get::<i64, _>(&row, "s")
}

/// The denied events `user` caused after `since`, whatever they touched.
async fn denials_since(app: &TestApp, user: &str, since: i64) -> i64 {
    let row = vagar_store::sqlx::query(
        "SELECT COUNT(*) AS n FROM audit_events WHERE seq > $1 AND user_id = $2 AND outcome = 'denied'",
    )
    .bind(since)
    .bind(app.user_ids[user])
    .fetch_one(app.store.pool())
    .await
    .expect("denials");
    vagar_store::sqlx::Row::get::<i64, _>(&row, "n")
}

/// Whether the allowed event names a consent-based rule.
fn by_consent(situation: Situation, user: &str) -> bool {
    matches!(user, "partner" | "cw_b") && matches!(situation, Consented | ContactOnly | PlanOnly)
}

async fn global_attempt(
    app: &TestApp,
    orgs: &Orgs,
    user: &str,
    g: Global,
    n: u32,
) -> (u16, String) {
    let (method, path, body) = match g {
        Global::ReadAuditTrail => (Method::GET, "/api/v1/audit?limit=5".to_string(), None),
        Global::IntakeNew => (
            Method::POST,
            "/api/v1/intake".into(),
            Some(
                json!({ "identity_number": pnr(800 + n), "first_name": "Ny", "last_name": "Inskriven",
                         "referred_by_organisation_id": orgs.af }),
            ),
        ),
        Global::CreateParticipant => (
            Method::POST,
            "/api/v1/participants".into(),
            Some(
                json!({ "identity_number": pnr(850 + n), "first_name": "Ny", "last_name": "Registrerad" }),
            ),
        ),
        Global::CreateSteeringGroup => (
            Method::POST,
            "/api/v1/steering-groups".into(),
            Some(json!({ "name": format!("Grupp {n}"), "organisation_ids": [app.org_a] })),
        ),
        Global::ListSteeringGroups => (Method::GET, "/api/v1/steering-groups".into(), None),
    };
    let r = app.call(user, method, &path, body.as_ref()).await;
    (r.status, r.text.chars().take(300).collect())
}

both_engines!(
    every_role_endpoint_and_consent_situation,
    |app: TestApp| async move {
        let orgs = Orgs {
            af: app
                .store
                .organisation_by_name("AF")
                .await
                .unwrap()
                .expect("AF")
                .id,
            employer: app
                .store
                .organisation_by_name("Employer")
                .await
                .unwrap()
                .expect("Employer")
                .id,
        };
        let group = must(
            &app,
            "admin",
            Method::POST,
            "/api/v1/steering-groups",
            json!({ "name": "Styrgrupp Matris", "organisation_ids": [app.org_a, app.org_b, orgs.af] }),
            201,
        )
        .await["id"]
            .as_i64()
            .unwrap();

        let users: Vec<&str> = common::USERS.iter().map(|u| u.0).collect();
        // A world per role, all made before any cell runs: the lapsed
        // handovers first, then 31 days pass, then everyone else.
        let n = |w: usize, s: usize| (w * SITUATIONS.len() + s) as u32;
        let lapsed_at = SITUATIONS.len() - 1;
        assert_eq!(SITUATIONS[lapsed_at], HandoverLapsed);
        let mut lapsed = Vec::new();
        for w in 0..users.len() {
            lapsed.push(person(&app, &orgs, group, n(w, lapsed_at), HandoverLapsed).await);
        }
        app.clock.advance(Duration::days(31));
        let mut worlds = Vec::new();
        for (w, lapsed) in lapsed.into_iter().enumerate() {
            let mut people = Vec::new();
            for (s, situation) in SITUATIONS[..lapsed_at].iter().enumerate() {
                people.push(person(&app, &orgs, group, n(w, s), *situation).await);
            }
            people.push(lapsed);
            worlds.push(people);
        }

        let mut mismatches: Vec<String> = Vec::new();
        let mut audit_gaps: Vec<String> = Vec::new();
        let mut cells = 0;
        for (w, user) in users.iter().enumerate() {
            for endpoint in ENDPOINTS {
                let want = expected(user, endpoint);
                for (s, p) in worlds[w].iter().enumerate() {
                    assert_eq!(p.situation, SITUATIONS[s]);
                    cells += 1;
                    let since = audit_head(&app).await;
                    let (got, text) = attempt(&app, &orgs, group, user, endpoint, p).await;
                    if got != want[s] {
                        mismatches.push(format!(
                            "{user:<11} | {:<62} | {:<12} | want {:<30} | got {} — {text}",
                            endpoint.label(),
                            format!("{:?}", p.situation),
                            answer_name(want[s]),
                            answer_name(got),
                        ));
                        continue;
                    }
                    // The decision is audited: allowed naming the rule (a
                    // consent where a consent let them in), or denied.
                    if endpoint.is_list() {
                        continue;
                    }
                    let outcomes = audit_outcomes(&app, user, since, p.id).await;
                    let problem = match got {
                        403 => (denials_since(&app, user, since).await == 0)
                            .then(|| "no denied event".to_string()),
                        404 => (!outcomes.iter().any(|o| o == "denied")).then(|| {
                            format!("no denied event naming the participant: {outcomes:?}")
                        }),
                        _ => {
                            let allowed: Vec<&String> = outcomes
                                .iter()
                                .filter(|o| o.starts_with("allowed:"))
                                .collect();
                            if allowed.is_empty() {
                                Some(format!(
                                    "no allowed event naming the participant: {outcomes:?}"
                                ))
                            } else if by_consent(p.situation, user)
                                && !allowed.iter().any(|o| o.contains("consent"))
                            {
                                Some(format!("allowed without naming the consent: {outcomes:?}"))
                            } else {
                                None
                            }
                        }
                    };
                    if let Some(problem) = problem {
                        audit_gaps.push(format!(
                            "{user:<11} | {:<62} | {:<12} | {} | {problem}",
                            endpoint.label(),
                            format!("{:?}", p.situation),
                            answer_name(got),
                        ));
                    }
                }
            }
            for g in GLOBALS {
                cells += 1;
                let want = expected_global(user, g);
                let (got, text) = global_attempt(&app, &orgs, user, g, w as u32).await;
                if got != want {
                    mismatches.push(format!(
                        "{user:<11} | {:<62} | {:<12} | want {:<30} | got {got} — {text}",
                        g.label(),
                        "-",
                        want,
                    ));
                }
            }
        }
        assert_eq!(
            cells,
            users.len() * (ENDPOINTS.len() * SITUATIONS.len() + GLOBALS.len())
        );
        assert!(
            mismatches.is_empty() && audit_gaps.is_empty(),
            "{} of {cells} cells differ from the table:\n\
             role        | endpoint                                                       | situation    | expected / got\n{}\n\
             {} answers without their audit event:\n{}",
            mismatches.len(),
            mismatches.join("\n"),
            audit_gaps.len(),
            audit_gaps.join("\n"),
        );
    }
);

/// Every operation of the API is in the matrix or named, with its reason,
/// in `OUTSIDE`: a new endpoint cannot be added without deciding which.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_api_operation_is_in_the_matrix_or_named_outside_it() {
    let app = TestApp::spawn(common::Engine::Sqlite)
        .await
        .expect("sqlite app");
    let _dir = app.keep_alive();
    let doc: Value = app
        .http
        .get(app.url("/api/v1/openapi.json"))
        .send()
        .await
        .expect("openapi")
        .json()
        .await
        .expect("openapi json");
    let covered: Vec<(&str, &str)> = ENDPOINTS
        .iter()
        .map(|e| e.route())
        .chain(GLOBALS.iter().map(|g| g.route()))
        .chain(OUTSIDE.iter().map(|(m, p, _)| (*m, *p)))
        .collect();
    let mut missing = Vec::new();
    let mut operations = Vec::new();
    for (path, item) in doc["paths"].as_object().expect("paths") {
        for method in item.as_object().expect("path item").keys() {
            if !["get", "post", "put", "patch", "delete"].contains(&method.as_str()) {
                continue;
            }
            operations.push((method.clone(), path.clone()));
            if !covered.contains(&(method.as_str(), path.as_str())) {
                missing.push(format!("{} {path}", method.to_uppercase()));
            }
        }
    }
    assert!(operations.len() >= 30, "the document lists {operations:?}");
    assert!(
        missing.is_empty(),
        "not in the access matrix (add a row, or name it in OUTSIDE with a reason):\n{}",
        missing.join("\n")
    );
    let stale: Vec<_> = covered
        .iter()
        .filter(|(m, p)| !operations.iter().any(|(om, op)| om == m && op == p))
        .collect();
    assert!(stale.is_empty(), "routes the API does not have: {stale:?}");
}

// ------------------------------------------------------------ placements

/// Where a placement is, seen from the `employer` user (organisation
/// "Employer"): at the employer its organisation acts for, or at another.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Host {
    OwnHost,
    OtherHost,
}

const HOSTS: [Host; 2] = [Host::OwnHost, Host::OtherHost];

/// The placement endpoints, in the order they are tried: reads, then the
/// override (the fixture's placements are blocked), the change, the exit
/// (which ends the placement) and a new placement at the same host; the
/// week of hours done is recorded before the exit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum PlacementEndpoint {
    ListPlacements,
    ReadPlacement,
    ReadDisplacement,
    OverridePlacement,
    UpdatePlacement,
    RecordWeek,
    ExitPlacement,
    CreatePlacement,
}

const PLACEMENT_ENDPOINTS: [PlacementEndpoint; 8] = [
    PlacementEndpoint::ListPlacements,
    PlacementEndpoint::ReadPlacement,
    PlacementEndpoint::ReadDisplacement,
    PlacementEndpoint::OverridePlacement,
    PlacementEndpoint::UpdatePlacement,
    PlacementEndpoint::RecordWeek,
    PlacementEndpoint::ExitPlacement,
    PlacementEndpoint::CreatePlacement,
];

impl PlacementEndpoint {
    fn label(self) -> &'static str {
        match self {
            PlacementEndpoint::ListPlacements => "GET /placements (presence)",
            PlacementEndpoint::ReadPlacement => "GET /placements/{id}",
            PlacementEndpoint::ReadDisplacement => "GET /placements/{id}/displacement",
            PlacementEndpoint::OverridePlacement => "POST /placements/{id}/override",
            PlacementEndpoint::UpdatePlacement => "PATCH /placements/{id}",
            PlacementEndpoint::RecordWeek => "PUT /placements/{id}/weeks/{week}",
            PlacementEndpoint::ExitPlacement => "POST /placements/{id}/exit",
            PlacementEndpoint::CreatePlacement => "POST /placements (at the host)",
        }
    }
}

/// 200 with the host's minimal fields only (first name, dates, role,
/// hours, supervisor; no surname, identity number or other personal data).
const MINIMAL: u16 = 5;

/// The table for placements: columns (OwnHost, OtherHost). The participant
/// is unit A's, on cw_a's caseload, no consent. Caseworkers follow the
/// participant policy (read to read, change to place, change and end);
/// coordinators act anywhere and alone override; admins read; the employer
/// user reads its own host's placements, minimally, and nothing else.
fn expected_placement(user: &str, e: PlacementEndpoint) -> [u16; 2] {
    use PlacementEndpoint::*;
    const F: u16 = 403;
    const N: u16 = 404;
    match (user, e) {
        ("analyst" | "partner", _) => [F, F],
        ("cw_a" | "cw_a2", ListPlacements) => [LISTED, LISTED],
        (
            "cw_a" | "cw_a2",
            ReadPlacement | ReadDisplacement | UpdatePlacement | RecordWeek | ExitPlacement,
        ) => [200, 200],
        ("cw_a" | "cw_a2", CreatePlacement) => [201, 201],
        ("cw_a" | "cw_a2", OverridePlacement) => [F, F],
        ("cw_b", ListPlacements) => [ABSENT, ABSENT],
        ("cw_b", OverridePlacement) => [F, F],
        ("cw_b", _) => [N, N],
        ("admin", ListPlacements) => [LISTED, LISTED],
        ("admin", ReadPlacement | ReadDisplacement) => [200, 200],
        ("admin", _) => [F, F],
        ("coordinator", ListPlacements) => [LISTED, LISTED],
        ("coordinator", CreatePlacement) => [201, 201],
        ("coordinator", _) => [200, 200],
        ("employer", ListPlacements) => [LISTED, ABSENT],
        ("employer", ReadPlacement) => [MINIMAL, N],
        ("employer", _) => [F, F],
        (other, _) => panic!("no row for {other}"),
    }
}

struct PlacementWorld {
    intervention: i64,
    participant: i64,
    /// (placement, host employer, host workplace) per `HOSTS`.
    placements: Vec<(i64, (i64, i64))>,
}

async fn placement_attempt(
    app: &TestApp,
    user: &str,
    e: PlacementEndpoint,
    world: &PlacementWorld,
    h: usize,
) -> (u16, String) {
    use PlacementEndpoint::*;
    let t = today(app);
    let (id, host) = world.placements[h];
    let version: i64 = vagar_store::sqlx::Row::get(
        &vagar_store::sqlx::query("SELECT version FROM placements WHERE id = $1")
            .bind(id)
            .fetch_one(app.store.pool())
            .await
            .expect("version"),
        "version",
    );
    let (method, path, body) = match e {
        ListPlacements => (Method::GET, "/api/v1/placements".to_string(), None),
        ReadPlacement => (Method::GET, format!("/api/v1/placements/{id}"), None),
        ReadDisplacement => (
            Method::GET,
            format!("/api/v1/placements/{id}/displacement"),
            None,
        ),
        OverridePlacement => (
            Method::POST,
            format!("/api/v1/placements/{id}/override"),
            Some(json!({ "override_reason": "Uppsägningen gällde en annan avdelning." })),
        ),
        UpdatePlacement => (
            Method::PATCH,
            format!("/api/v1/placements/{id}"),
            Some(json!({ "supervisor_name": "Ny Handledare", "version": version })),
        ),
        RecordWeek => {
            let monday =
                t - Duration::days(chrono::Datelike::weekday(&t).num_days_from_monday() as i64);
            (
                Method::PUT,
                format!("/api/v1/placements/{id}/weeks/{}", day(monday)),
                Some(json!({ "work_minutes": 1800, "study_minutes": 600 })),
            )
        }
        ExitPlacement => (
            Method::POST,
            format!("/api/v1/placements/{id}/exit"),
            Some(json!({ "exit_date": day(t), "exit_outcome": "studies" })),
        ),
        CreatePlacement => (
            Method::POST,
            "/api/v1/placements".to_string(),
            Some(json!({
                "participant_id": world.participant, "intervention_id": world.intervention,
                "employer_id": host.0, "workplace_id": host.1,
                "start_date": day(t + Duration::days(10)), "end_date": day(t + Duration::days(100)),
                "employment_form": "municipality", "hours_per_week_minutes": 2400,
                "supervisor_name": "Handledare Hansson", "occupation_ssyk": "5120",
            })),
        ),
    };
    let r = app.call(user, method, &path, body.as_ref()).await;
    let text: String = r.text.chars().take(300).collect();
    if r.status >= 400 && r.text.contains("Placerbar") {
        return (999, format!("refusal names the participant: {text}"));
    }
    if r.status != 200 {
        return (r.status, text);
    }
    let got = match e {
        ListPlacements => {
            let ids: Vec<i64> = r
                .json
                .as_array()
                .map(|a| a.iter().filter_map(|p| p["id"].as_i64()).collect())
                .unwrap_or_default();
            if ids.contains(&id) {
                LISTED
            } else {
                ABSENT
            }
        }
        ReadPlacement => {
            let full =
                r.json["last_name"] == "Placerbar" && r.json["participant_id"] == world.participant;
            let minimal = r.json.get("last_name").is_none()
                && r.json.get("participant_id").is_none()
                && r.json.get("identity_number").is_none()
                && r.json.get("risk_factors").is_none()
                && r.json["first_name"] == "Matris"
                && r.json["supervisor_name"].is_string();
            match (full, minimal) {
                (true, false) => 200,
                (false, true) => MINIMAL,
                _ => return (994, format!("neither full nor minimal: {text}")),
            }
        }
        _ => 200,
    };
    (got, text)
}

both_engines!(placements_by_role_and_host, |app: TestApp| async move {
    let t = today(&app);
    let own =
        crate::common::work::insert_host(&app, "5560000001", "Matrisvärd Egen AB", true).await;
    let other =
        crate::common::work::insert_host(&app, "5560000002", "Matrisvärd Annan AB", false).await;
    let hosts = [own, other];
    let users: Vec<&str> = common::USERS.iter().map(|u| u.0).collect();
    let mut worlds = Vec::new();
    for (w, user) in users.iter().enumerate() {
        let intervention = crate::common::work::insert_intervention(
            &app,
            &format!("Matrisinsats {user}"),
            "rental",
        )
        .await;
        // Open-ended, so that the dates below fit whatever today is.
        vagar_store::sqlx::query("UPDATE interventions SET period_to = NULL WHERE id = $1")
            .bind(intervention)
            .execute(app.store.pool())
            .await
            .expect("open-ended");
        let p = must(
            &app,
            "cw_a",
            Method::POST,
            "/api/v1/participants",
            json!({ "identity_number": pnr(900 + w as u32), "first_name": "Matris", "last_name": "Placerbar",
                    "responsible_caseworker_id": app.user_ids["cw_a"] }),
            201,
        )
        .await["id"]
            .as_i64()
            .unwrap();
        let mut placements = Vec::new();
        for host in hosts {
            let id = crate::common::work::insert_placement(
                &app,
                p,
                intervention,
                host,
                &day(t - Duration::days(10)),
                &day(t + Duration::days(80)),
                "municipality",
            )
            .await;
            // Blocked, so that the override has something to override.
            vagar_store::sqlx::query("UPDATE placements SET risk_level = 'blocked' WHERE id = $1")
                .bind(id)
                .execute(app.store.pool())
                .await
                .expect("block");
            placements.push((id, host));
        }
        worlds.push(PlacementWorld {
            intervention,
            participant: p,
            placements,
        });
    }
    let mut mismatches = Vec::new();
    let mut audit_gaps = Vec::new();
    let mut cells = 0;
    for (w, user) in users.iter().enumerate() {
        for e in PLACEMENT_ENDPOINTS {
            let want = expected_placement(user, e);
            for (h, host) in HOSTS.iter().enumerate() {
                cells += 1;
                let since = audit_head(&app).await;
                let (got, text) = placement_attempt(&app, user, e, &worlds[w], h).await;
                if got != want[h] {
                    mismatches.push(format!(
                        "{user:<11} | {:<36} | {host:?} | want {} | got {} — {text}",
                        e.label(),
                        answer_name(want[h]),
                        answer_name(got)
                    ));
                    continue;
                }
                if e == PlacementEndpoint::ListPlacements {
                    continue;
                }
                // Every answer is audited, naming the participant.
                let outcomes = audit_outcomes(&app, user, since, worlds[w].participant).await;
                let problem = match got {
                    403 => (denials_since(&app, user, since).await == 0)
                        .then(|| "no denied event".to_string()),
                    404 => (!outcomes.iter().any(|o| o == "denied"))
                        .then(|| format!("no denied event naming the participant: {outcomes:?}")),
                    _ => (!outcomes.iter().any(|o| o.starts_with("allowed:")))
                        .then(|| format!("no allowed event naming the participant: {outcomes:?}")),
                };
                if let Some(problem) = problem {
                    audit_gaps.push(format!(
                        "{user:<11} | {:<36} | {host:?} | {problem}",
                        e.label()
                    ));
                }
            }
        }
    }
    assert_eq!(cells, users.len() * PLACEMENT_ENDPOINTS.len() * HOSTS.len());
    assert!(
        mismatches.is_empty() && audit_gaps.is_empty(),
        "{} of {cells} placement cells differ from the table:\n{}\n{} answers without their audit event:\n{}",
        mismatches.len(),
        mismatches.join("\n"),
        audit_gaps.len(),
        audit_gaps.join("\n"),
    );
});
