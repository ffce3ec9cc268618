//! The participant-scoped endpoints × every consent situation: the table,
//! written out by hand, and the test over every cell.

use super::globals::{expected_global, global_attempt, GLOBALS};
use super::world::{attempt, by_consent, person, Orgs};
use super::*;

use chrono::Duration;
use serde_json::json;

listed_enum! {
    /// The participant's situation, seen from the partner organisation AF and
    /// from unit B (every consent below names both).
    pub(super) enum Situation;
    /// Column order of every row in the table.
    const SITUATIONS = {
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
}

use Situation::*;

listed_enum! {
    /// Every participant-scoped endpoint of `/api/v1`.
    pub(super) enum Endpoint;
    /// In the order they are tried.
    pub(super) const ENDPOINTS = {
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
}

use Endpoint::*;

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
    pub(super) fn route(self) -> (&'static str, &'static str) {
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

both_engines!(
    every_role_endpoint_and_consent_situation,
    |app: TestApp| async move {
        let orgs = Orgs {
            af: app.org("AF").await,
            employer: app.org("Employer").await,
        };
        let group = must(
            &app,
            "admin",
            Method::POST,
            "/api/v1/steering-groups",
            json!({ "name": "Styrgrupp Matris",
                "organisation_ids": [app.org_a, app.org_b, orgs.af] }),
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
            for &endpoint in ENDPOINTS {
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
