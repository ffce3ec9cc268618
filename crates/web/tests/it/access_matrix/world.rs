//! The world the participant cells work on (one participant per situation
//! and role) and how each cell is tried.

use super::participants::{Endpoint, Endpoint::*, Situation, Situation::*};
use super::*;

use chrono::Duration;
use common::pnr;
use serde_json::json;

// ------------------------------------------------------------ the world

pub(super) struct Orgs {
    pub(super) af: i64,
    pub(super) employer: i64,
}

/// One participant in one situation, with what the cells need.
pub(super) struct Person {
    pub(super) situation: Situation,
    pub(super) id: i64,
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

const ALL_CATEGORIES: [&str; 4] = ["contact_details", "action_plan", "assessment", "health"];

/// A participant of the owning unit in `situation`, with a plan (a step of
/// the unit and one of AF, both planned, so that they are flagged between
/// chairs for `no_active_step`), a contact, an assessment and a case in the
/// steering group.
pub(super) async fn person(
    app: &TestApp,
    orgs: &Orgs,
    group: i64,
    n: u32,
    situation: Situation,
) -> Person {
    let t = app.today();
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
pub(super) async fn attempt(
    app: &TestApp,
    orgs: &Orgs,
    group: i64,
    user: &str,
    endpoint: Endpoint,
    p: &Person,
) -> (u16, String) {
    let t = app.today();
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

/// Whether the allowed event names a consent-based rule.
pub(super) fn by_consent(situation: Situation, user: &str) -> bool {
    matches!(user, "partner" | "cw_b") && matches!(situation, Consented | ContactOnly | PlanOnly)
}
