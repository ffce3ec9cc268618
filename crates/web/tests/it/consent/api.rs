//! Consent through the public API on both engines: a partner from
//! Arbetsförmedlingen sees a participant only while a consent in force names
//! their organisation, the contact details only when it covers them, and
//! loses the participant on the very next request after a revocation or the
//! last day. Consent history, validation and audit.

use crate::common;

use chrono::Duration;
use common::{day, pnr, Reply, TestApp};
use reqwest::Method;
use serde_json::{json, Value};

fn path(id: i64) -> String {
    format!("/api/v1/participants/{id}")
}

fn consents(id: i64) -> String {
    format!("/api/v1/participants/{id}/consents")
}

/// A participant of unit A with contact details; returns (id, canonical number).
async fn register(app: &TestApp, i: u32, first: &str) -> (i64, String) {
    let p = app
        .create(
            "cw_a",
            json!({
                "identity_number": pnr(i),
                "first_name": first,
                "last_name": "Samtyckesson",
                "email": "kontakt@example.se",
                "phone": "070-1740605",
            }),
        )
        .await;
    (
        p["id"].as_i64().unwrap(),
        p["identity_number"].as_str().unwrap().to_string(),
    )
}

/// Record a consent as cw_a; panics unless 201. Returns the consent id.
async fn consent(app: &TestApp, id: i64, body: Value) -> i64 {
    let r = app
        .post("cw_a", &consents(id), body)
        .await
        .must_as(201, "record consent");
    r.id()
}

async fn revoke(app: &TestApp, id: i64, cid: i64) -> Reply {
    app.post(
        "cw_a",
        &format!("{}/{cid}/revoke", consents(id)),
        json!({ "reason": "the participant withdrew it by phone" }),
    )
    .await
}

/// Asserts that `user` cannot tell the participant from one that does not
/// exist: 404 like an unknown id, absent from the list and from a search by
/// identity number.
async fn invisible(app: &TestApp, user: &str, id: i64, number: &str) {
    let r = app.get(user, &path(id)).await;
    let missing = app.get(user, &path(id + 1000)).await;
    r.assert_problem(404, &[]);
    assert_eq!(r.json, missing.json);
    assert!(!r.text.contains("Samtyckesson"));
    assert!(
        !app.list_ids(user, "").await.contains(&id),
        "{user} lists {id}"
    );
    assert!(
        app.search_ids(user, number).await.is_empty(),
        "{user} finds {id} by number"
    );
}

/// Asserts that `user` reads the basic record and finds it in lists and by number.
async fn visible(app: &TestApp, user: &str, id: i64, number: &str) -> Value {
    let r = app
        .get(user, &path(id))
        .await
        .must_as(200, format!("{user} GET"));
    assert_eq!(r.json["identity_number"], number);
    assert_eq!(r.json["last_name"], "Samtyckesson");
    assert!(r.json["birth_date"].is_string());
    assert!(app.list_ids(user, "").await.contains(&id), "{user} list");
    assert_eq!(app.search_ids(user, number).await, vec![id]);
    r.json
}

both_engines!(
    partner_sees_a_participant_only_while_a_consent_names_their_organisation,
    |app: TestApp| async move {
        let af = app.org("AF").await;
        let (id, number) = register(&app, 1, "Sara").await;
        let (other, _) = register(&app, 2, "Olle").await;
        invisible(&app, "partner", id, &number).await;

        // Basic record only: the consent does not cover contact details.
        let c1 = consent(
            &app,
            id,
            json!({ "organisation_ids": [af], "categories": ["action_plan"], "method": "written" }),
        )
        .await;
        let p = visible(&app, "partner", id, &number).await;
        assert_eq!(p["email"], Value::Null);
        assert_eq!(p["phone"], Value::Null);
        assert_eq!(p["contact_details_withheld"], true);
        assert!(!p.to_string().contains("kontakt@example.se"));
        // Also in the list and the search results.
        let r = app
            .post(
                "partner",
                "/api/v1/participants/search",
                json!({ "q": number }),
            )
            .await;
        assert_eq!(r.json["items"][0]["email"], Value::Null);
        assert_eq!(r.json["items"][0]["contact_details_withheld"], true);
        // Only that participant; a partner never changes anyone.
        assert_eq!(app.list_ids("partner", "").await, vec![id]);
        app.get("partner", &path(other))
            .await
            .assert_problem(404, &[]);
        app.patch("partner", &path(id), json!({ "first_name": "X" }))
            .await
            .assert_problem(403, &[]);
        // The consent register is for the caseworkers.
        for method in [Method::GET, Method::POST] {
            app.call("partner", method, &consents(id), Some(&json!({})))
                .await
                .assert_problem(403, &[]);
        }
        // The caseworker still sees everything.
        let own = app.get("cw_a", &path(id)).await.json;
        assert_eq!(own["email"], "kontakt@example.se");
        assert_eq!(own["contact_details_withheld"], false);

        // Revocation: gone on the very next request.
        let r = revoke(&app, id, c1).await.must(200);
        assert_eq!(r.json["in_force"], false);
        assert_eq!(r.json["revoked_by"], app.user_ids["cw_a"]);
        invisible(&app, "partner", id, &number).await;

        // A consent covering contact details shows them.
        consent(
            &app,
            id,
            json!({ "organisation_ids": [af, app.org_b], "categories": ["contact_details"],
                    "method": "digital", "note": "e-tjänst" }),
        )
        .await;
        let p = visible(&app, "partner", id, &number).await;
        assert_eq!(p["email"], "kontakt@example.se");
        assert_eq!(p["phone"], own["phone"]);
        assert_eq!(p["contact_details_withheld"], false);
    }
);

both_engines!(
    expired_not_yet_valid_and_other_organisations_consents_open_nothing,
    |app: TestApp| async move {
        let af = app.org("AF").await;
        let today = app.today();
        let (id, number) = register(&app, 3, "Elin").await;

        // Names another organisation only.
        consent(
            &app,
            id,
            json!({ "organisation_ids": [app.org_b], "categories": ["action_plan"],
                "method": "verbal" }),
        )
        .await;
        invisible(&app, "partner", id, &number).await;

        // Not yet valid: starts in three days.
        consent(
            &app,
            id,
            json!({ "organisation_ids": [af], "categories": ["action_plan"], "method": "written",
                    "valid_from": day(today + Duration::days(3)) }),
        )
        .await;
        invisible(&app, "partner", id, &number).await;
        let h = app.get("cw_a", &consents(id)).await.json;
        assert_eq!(h["consents"][1]["in_force"], false);

        // Last day today: readable now, gone once the day has passed.
        let (id2, number2) = register(&app, 4, "Tove").await;
        consent(
            &app,
            id2,
            json!({ "organisation_ids": [af], "categories": ["assessment"], "method": "written",
                    "valid_from": day(today - Duration::days(10)), "valid_to": day(today) }),
        )
        .await;
        visible(&app, "partner", id2, &number2).await;
        app.clock.advance(Duration::days(2));
        invisible(&app, "partner", id2, &number2).await;
        // …and the first participant's future consent has started meanwhile?
        // Not yet: it starts on day 3.
        invisible(&app, "partner", id, &number).await;
        app.clock.advance(Duration::days(2));
        visible(&app, "partner", id, &number).await;
    }
);

both_engines!(
    caseworkers_of_another_unit_read_under_a_consent_naming_their_unit,
    |app: TestApp| async move {
        let (id, number) = register(&app, 5, "Maria").await;
        invisible(&app, "cw_b", id, &number).await;
        let cid = consent(
            &app,
            id,
            json!({ "organisation_ids": [app.org_b], "categories": ["action_plan"],
                "method": "written" }),
        )
        .await;
        let p = visible(&app, "cw_b", id, &number).await;
        assert_eq!(p["email"], Value::Null);
        assert_eq!(p["contact_details_withheld"], true);
        // Reading, never changing, and not the consent register.
        for (method, url, body) in [
            (Method::PATCH, path(id), json!({ "first_name": "X" })),
            (
                Method::POST,
                consents(id),
                json!({ "organisation_ids": [app.org_b], "categories": ["health"],
                    "method": "written" }),
            ),
            (Method::GET, consents(id), Value::Null),
            (
                Method::POST,
                format!("{}/{cid}/revoke", consents(id)),
                json!({ "reason": "x" }),
            ),
        ] {
            let body = (!body.is_null()).then_some(&body);
            app.call("cw_b", method, &url, body)
                .await
                .assert_problem(404, &[]);
        }
        revoke(&app, id, cid).await;
        invisible(&app, "cw_b", id, &number).await;
    }
);

both_engines!(
    consent_history_keeps_every_consent_and_change_with_who_and_when,
    |app: TestApp| async move {
        let af = app.org("AF").await;
        let (id, _) = register(&app, 6, "Nora").await;
        let empty = app.get("cw_a", &consents(id)).await.json;
        assert_eq!(empty, json!({ "consents": [], "events": [] }));

        let c1 = consent(
            &app,
            id,
            json!({ "organisation_ids": [af, af], "categories": ["health", "action_plan", "health"],
                    "method": "written", "valid_to": null }),
        )
        .await;
        app.clock.advance(Duration::minutes(5));
        let before_revoke = app.clock.now();
        revoke(&app, id, c1).await.must(200);
        // Revoked once: a second revocation conflicts; the history is kept.
        revoke(&app, id, c1).await.assert_problem(409, &["consent"]);
        let c2 = consent(
            &app,
            id,
            json!({ "organisation_ids": [af], "categories": ["contact_details"],
                "method": "verbal" }),
        )
        .await;

        for user in ["cw_a", "cw_a2", "admin"] {
            let h = app.get(user, &consents(id)).await.must_as(200, user).json;
            let list = h["consents"].as_array().unwrap();
            assert_eq!(list.len(), 2);
            assert_eq!(list[0]["id"], c1);
            assert_eq!(list[0]["organisation_ids"], json!([af]));
            assert_eq!(list[0]["categories"], json!(["action_plan", "health"]));
            assert_eq!(list[0]["method"], "written");
            assert_eq!(list[0]["valid_to"], Value::Null);
            assert_eq!(list[0]["recorded_by"], app.user_ids["cw_a"]);
            assert_eq!(list[0]["in_force"], false);
            assert_eq!(list[0]["revoked_by"], app.user_ids["cw_a"]);
            assert_eq!(
                list[0]["revoke_reason"],
                "the participant withdrew it by phone"
            );
            let revoked_at: chrono::DateTime<chrono::Utc> =
                list[0]["revoked_at"].as_str().unwrap().parse().unwrap();
            assert!(revoked_at >= before_revoke);
            assert_eq!(list[1]["id"], c2);
            assert_eq!(list[1]["in_force"], true);
            let events = h["events"].as_array().unwrap();
            let kinds: Vec<(i64, &str)> = events
                .iter()
                .map(|e| {
                    (
                        e["consent_id"].as_i64().unwrap(),
                        e["kind"].as_str().unwrap(),
                    )
                })
                .collect();
            assert_eq!(
                kinds,
                vec![(c1, "created"), (c1, "revoked"), (c2, "created")]
            );
            for e in events {
                assert_eq!(e["username"], "cw_a");
                assert_eq!(e["user_id"], app.user_ids["cw_a"]);
                assert_eq!(e["organisation_id"], app.org_a);
                assert!(e["at"].is_string());
            }
            assert_eq!(events[1]["reason"], "the participant withdrew it by phone");
        }

        // The database refuses to rewrite a consent or its history.
        let pool = app.store.pool();
        for sql in [
            format!("UPDATE consents SET valid_to = '2099-01-01' WHERE id = {c2}"),
            format!("UPDATE consents SET revoked_at = NULL WHERE id = {c1}"),
            format!("DELETE FROM consents WHERE id = {c1}"),
            "DELETE FROM consent_events".to_string(),
            "UPDATE consent_events SET kind = 'created'".to_string(),
            "DELETE FROM consent_organisations".to_string(),
        ] {
            assert!(
                vagar_store::sqlx::query(&sql).execute(pool).await.is_err(),
                "{sql} was allowed"
            );
        }
    }
);

both_engines!(
    bad_consent_input_names_each_field,
    |app: TestApp| async move {
        let af = app.org("AF").await;
        let (id, _) = register(&app, 7, "Vera").await;
        let url = consents(id);
        let cases: Vec<(Value, Vec<&str>)> = vec![
            (
                json!({ "organisation_ids": [], "categories": ["everything"],
                    "valid_from": "2026-12-01",
                        "valid_to": "2026-11-01", "method": "telepathy" }),
                vec!["organisation_ids", "categories", "valid_to", "method"],
            ),
            (json!({}), vec!["organisation_ids", "categories", "method"]),
            (
                json!({ "organisation_ids": "AF", "categories": "health", "method": 3 }),
                vec!["organisation_ids", "categories", "method"],
            ),
            (
                json!({ "organisation_ids": [af], "categories": ["health"], "method": "written",
                        "valid_from": "1 december", "valid_to": "2027-02-30" }),
                vec!["valid_from", "valid_to"],
            ),
            (
                json!({ "organisation_ids": [999999], "categories": ["health"],
                    "method": "written" }),
                vec!["organisation_ids"],
            ),
            (
                json!({ "organisation_ids": [af], "categories": ["health"], "method": "written",
                        "in_force": true, "surprise": 1 }),
                vec!["in_force", "surprise"],
            ),
        ];
        for (body, fields) in cases {
            app.post("cw_a", &url, body)
                .await
                .assert_problem(422, &fields);
        }
        let h = app.get("cw_a", &url).await.json;
        assert_eq!(h["consents"], json!([]), "nothing stored");

        let cid = consent(
            &app,
            id,
            json!({ "organisation_ids": [af], "categories": ["health"], "method": "written" }),
        )
        .await;
        let revoke_url = format!("{url}/{cid}/revoke");
        for body in [json!({}), json!({ "reason": "  " }), json!({ "reason": 5 })] {
            app.post("cw_a", &revoke_url, body)
                .await
                .assert_problem(422, &["reason"]);
        }
        app.post(
            "cw_a",
            &format!("{url}/{}/revoke", cid + 100),
            json!({ "reason": "x" }),
        )
        .await
        .assert_problem(404, &[]);
        // A consent id of another participant is not found under this one.
        let (other, _) = register(&app, 8, "Ebba").await;
        app.post(
            "cw_a",
            &format!("{}/{cid}/revoke", consents(other)),
            json!({ "reason": "x" }),
        )
        .await
        .assert_problem(404, &[]);
        // Roles that may never record consent; an unknown participant.
        for user in ["partner", "admin", "analyst", "employer"] {
            app.post(
                user,
                &url,
                json!({ "organisation_ids": [af], "categories": ["health"], "method": "written" }),
            )
            .await
            .assert_problem(403, &[]);
        }
        app.post(
            "cw_a",
            &consents(id + 1000),
            json!({ "organisation_ids": [af], "categories": ["health"], "method": "written" }),
        )
        .await
        .assert_problem(404, &[]);
    }
);

both_engines!(
    every_consent_decision_is_audited,
    |app: TestApp| async move {
        let af = app.org("AF").await;
        let (id, _) = register(&app, 9, "Alva").await;
        app.get("partner", &path(id)).await;
        let cid = consent(
            &app,
            id,
            json!({ "organisation_ids": [af], "categories": ["action_plan"], "method": "written" }),
        )
        .await;
        app.get("partner", &path(id)).await;
        app.get_json("cw_a", &consents(id)).await;
        revoke(&app, id, cid).await;
        app.get("partner", &path(id)).await;

        let events = app
            .get(
                "admin",
                &format!("/api/v1/audit?participant={id}&limit=1000"),
            )
            .await
            .must(200)
            .json;
        let mut seen: Vec<(String, String, String)> = events
            .as_array()
            .unwrap()
            .iter()
            .map(|e| {
                (
                    e["username"].as_str().unwrap_or("").to_string(),
                    e["action"].as_str().unwrap().to_string(),
                    e["outcome"].as_str().unwrap().to_string(),
                )
            })
            .collect();
        seen.reverse(); // oldest first
        let want = |u: &str, a: &str, o: &str| (u.to_string(), a.to_string(), o.to_string());
        let expected = [
            want("partner", "participant.read", "denied"),
            want(
                "cw_a",
                "participant.consent.record",
                "allowed:caseworker:own_organisation",
            ),
            want("partner", "participant.read", "allowed:partner:consent"),
            want("partner", "participant.contact_details.read", "denied"),
            want(
                "cw_a",
                "participant.consent.list",
                "allowed:caseworker:own_organisation",
            ),
            want(
                "cw_a",
                "participant.consent.revoke",
                "allowed:caseworker:own_organisation",
            ),
            want("partner", "participant.read", "denied"),
        ];
        let mut it = seen.iter();
        for e in &expected {
            assert!(
                it.any(|s| s == e),
                "{e:?} missing or out of order in {seen:?}"
            );
        }
        let r = app.get("admin", "/api/v1/openapi.json").await;
        for p in [
            "/api/v1/participants/{id}/consents",
            "/api/v1/participants/{id}/consents/{cid}/revoke",
            "/api/v1/intake",
            "/api/v1/participants/{id}/handover",
        ] {
            assert!(
                r.json["paths"][p].is_object(),
                "{p} not in the OpenAPI document"
            );
        }
    }
);

// ---------------------------------------------------------------------------
// The access matrix: every user (one per role, plus caseworkers of the own and
// another unit) × every participant action of the catalogue × every situation
// (own unit, consented, consented with contact details, consent revoked,
// expired, not yet valid, after a handover within and after 30 days). The
// expectations are written out by hand, not computed from the policy; the
// `match` on the action has no catch-all, so a new action in the catalogue
// does not compile until it has its endpoint and its column here.

use vagar_domain::access::ParticipantAction;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Situation {
    Own,
    Consented,
    ConsentedContact,
    Revoked,
    Expired,
    NotYetValid,
    HandedOver,
    HandoverLapsed,
}

/// What the contact-details column records for a readable record whose
/// e-mail and phone are withheld.
const WITHHELD: u16 = 0;

/// Column of `action` in the expectation rows.
fn column(action: ParticipantAction) -> usize {
    match action {
        ParticipantAction::Read => 0,
        ParticipantAction::ReadContactDetails => 1,
        ParticipantAction::Update => 2,
        ParticipantAction::ReadAudit => 3,
        ParticipantAction::ReadConsents => 4,
        ParticipantAction::RecordConsent => 5,
        ParticipantAction::RevokeConsent => 6,
        ParticipantAction::Handover => 7,
    }
}

/// Expected answers, columns as in `column`. Writes are sent with a body the
/// store refuses only after deciding access, so "allowed" shows as 422 and
/// nothing changes.
fn expected(user: &str, s: Situation) -> [u16; 8] {
    use Situation::*;
    const NONE: [u16; 8] = [404, 404, 404, 403, 404, 404, 404, 404];
    const ROLE_NEVER: [u16; 8] = [403; 8];
    match (user, s) {
        // The owning unit: everything but the audit trail.
        ("cw_a" | "cw_a2", _) => [200, 200, 422, 403, 200, 422, 422, 422],
        ("admin", _) => [200, 200, 403, 200, 200, 403, 403, 403],
        ("analyst" | "coordinator" | "employer", _) => ROLE_NEVER,
        // Another unit: reads under a consent naming it or during the
        // 30 days after handing the participant over; never changes.
        ("cw_b", Consented) => [200, WITHHELD, 404, 403, 404, 404, 404, 404],
        ("cw_b", ConsentedContact) => [200, 200, 404, 403, 404, 404, 404, 404],
        ("cw_b", HandedOver) => [200, 200, 404, 403, 200, 404, 404, 404],
        ("cw_b", Own | Revoked | Expired | NotYetValid | HandoverLapsed) => NONE,
        // A partner reads only under a consent naming their organisation.
        ("partner", Consented) => [200, WITHHELD, 403, 403, 403, 403, 403, 403],
        ("partner", ConsentedContact) => [200, 200, 403, 403, 403, 403, 403, 403],
        ("partner", Own | Revoked | Expired | NotYetValid | HandedOver | HandoverLapsed) => {
            [404, 404, 403, 403, 403, 403, 403, 403]
        }
        (other, _) => panic!("no expectations for {other}"),
    }
}

/// Perform `action` on participant `id` as `user`; the answer as in `expected`.
async fn attempt(app: &TestApp, user: &str, action: ParticipantAction, id: i64) -> u16 {
    let consent_body =
        json!({ "organisation_ids": [], "categories": ["health"], "method": "written" });
    let (method, url, body) = match action {
        ParticipantAction::Read => (Method::GET, path(id), None),
        ParticipantAction::ReadContactDetails => {
            let r = app.get(user, &path(id)).await;
            return match (r.status, &r.json["contact_details_withheld"]) {
                (200, Value::Bool(true)) => {
                    assert_eq!(r.json["email"], Value::Null);
                    WITHHELD
                }
                (200, _) => {
                    assert_eq!(r.json["email"], "kontakt@example.se");
                    200
                }
                (s, _) => s,
            };
        }
        ParticipantAction::Update => (Method::PATCH, path(id), Some(json!({ "first_name": "" }))),
        ParticipantAction::ReadAudit => {
            (Method::GET, format!("/api/v1/audit?participant={id}"), None)
        }
        ParticipantAction::ReadConsents => (Method::GET, consents(id), None),
        ParticipantAction::RecordConsent => (Method::POST, consents(id), Some(consent_body)),
        ParticipantAction::RevokeConsent => (
            Method::POST,
            format!("{}/1/revoke", consents(id)),
            Some(json!({ "reason": "" })),
        ),
        ParticipantAction::Handover => (
            Method::POST,
            format!("{}/handover", path(id)),
            Some(json!({ "to_user_id": app.user_ids["partner"] })),
        ),
    };
    let r = app.call(user, method, &url, body.as_ref()).await;
    if r.status != 200 {
        r.assert_problem(r.status, &[]);
        assert!(!r.text.contains("Samtyckesson"), "{user}: {}", r.text);
    }
    r.status
}

/// A participant of unit A on cw_b's caseload, handed over by cw_a to cw_a2:
/// cw_b keeps only the 30-day grant.
async fn handed_over(app: &TestApp, i: u32) -> i64 {
    let body = json!({
        "identity_number": pnr(i), "first_name": "Överlämnad", "last_name": "Samtyckesson",
        "email": "kontakt@example.se", "responsible_caseworker_id": app.user_ids["cw_b"],
    });
    let id = app.create("cw_a", body).await["id"].as_i64().unwrap();
    app.post(
        "cw_a",
        &format!("{}/handover", path(id)),
        json!({ "to_user_id": app.user_ids["cw_a2"] }),
    )
    .await
    .must(200);
    id
}

both_engines!(
    access_matrix_of_every_role_action_and_consent_situation,
    |app: TestApp| async move {
        use Situation::*;
        let af = app.org("AF").await;
        let orgs = json!([af, app.org_b]);
        let mut world: Vec<(Situation, i64)> = Vec::new();

        // Handed over more than 30 days ago: made first, then time moves on.
        world.push((HandoverLapsed, handed_over(&app, 40).await));
        app.clock.advance(Duration::days(31));
        world.push((HandedOver, handed_over(&app, 41).await));

        let today = app.today();
        let (own, _) = register(&app, 42, "Egen").await;
        world.push((Own, own));
        let plain =
            json!({ "organisation_ids": orgs, "categories": ["action_plan"], "method": "written" });
        let (id, _) = register(&app, 43, "Samtycke").await;
        consent(&app, id, plain.clone()).await;
        world.push((Consented, id));
        let (id, _) = register(&app, 44, "Kontakt").await;
        consent(
            &app,
            id,
            json!({ "organisation_ids": orgs, "categories": ["contact_details", "action_plan"],
                "method": "verbal" }),
        )
        .await;
        world.push((ConsentedContact, id));
        let (id, _) = register(&app, 45, "Återkallad").await;
        let cid = consent(&app, id, plain.clone()).await;
        revoke(&app, id, cid).await.must(200);
        world.push((Revoked, id));
        let (id, _) = register(&app, 46, "Utgången").await;
        consent(
            &app,
            id,
            json!({ "organisation_ids": orgs, "categories": ["contact_details"],
                "method": "written",
                    "valid_from": day(today - Duration::days(30)),
                        "valid_to": day(today - Duration::days(1)) }),
        )
        .await;
        world.push((Expired, id));
        let (id, _) = register(&app, 47, "Framtida").await;
        consent(
            &app,
            id,
            json!({ "organisation_ids": orgs, "categories": ["contact_details"],
                "method": "digital",
                    "valid_from": day(today + Duration::days(1)) }),
        )
        .await;
        world.push((NotYetValid, id));

        let mut failures = Vec::new();
        for user in common::USERS.iter().map(|u| u.0) {
            for (situation, id) in &world {
                let want = expected(user, *situation);
                for &action in ParticipantAction::ALL {
                    let got = attempt(&app, user, action, *id).await;
                    if got != want[column(action)] {
                        failures.push(format!(
                            "{user} {action:?} on {situation:?}: got {got}, want {}",
                            want[column(action)]
                        ));
                    }
                }
            }
        }
        assert!(failures.is_empty(), "{}", failures.join("\n"));
    }
);

both_engines!(
    an_access_under_consent_or_grant_names_which_in_the_audit,
    |app: TestApp| async move {
        let af = app.org("AF").await;
        let (id, _) = register(&app, 3, "Vera").await;
        let _old = consent(
            &app,
            id,
            json!({ "organisation_ids": [af], "categories": ["contact_details"],
                "method": "verbal" }),
        )
        .await;
        let plan = consent(
            &app,
            id,
            json!({ "organisation_ids": [af], "categories": ["action_plan"], "method": "written" }),
        )
        .await;
        let r = app
            .get("partner", &format!("/api/v1/participants/{id}/plan"))
            .await;
        assert!(r.status == 200 || r.status == 404, "{}", r.text);
        app.get("partner", &format!("/api/v1/participants/{id}"))
            .await
            .must(200);
        let rows = vagar_store::sqlx::query(
            "SELECT outcome, detail FROM audit_events WHERE username = 'partner' ORDER BY seq",
        )
        .fetch_all(app.store.pool())
        .await
        .unwrap();
        use vagar_store::sqlx::Row;
        let events: Vec<(String, String)> = rows
            .iter()
            .map(|r| (r.get("outcome"), r.get("detail")))
            .collect();
        // The plan read rests on the action-plan consent alone; the basic
        // record on any consent naming AF, so both.
        assert!(
            events.iter().any(|(o, d)| o.contains("consent:action_plan")
                && d.ends_with(&format!("consent {plan}"))),
            "{events:?}"
        );
        assert!(
            events.iter().any(|(o, d)| o == "allowed:partner:consent"
                && d.contains(&format!("consent {_old}, {plan}"))),
            "{events:?}"
        );
        // A handover leaves the former caseworker a grant, named in the audit.
        let p = app
            .create(
                "cw_a",
                json!({ "identity_number": pnr(4), "first_name": "Hugo", "last_name": "Byte",
                        "responsible_caseworker_id": app.user_ids["cw_b"] }),
            )
            .await;
        let moved = p["id"].as_i64().unwrap();
        app.post(
            "cw_b",
            &format!("/api/v1/participants/{moved}/handover"),
            json!({ "to_user_id": app.user_ids["cw_a2"] }),
        )
        .await
        .must(200);
        app.get("cw_b", &format!("/api/v1/participants/{moved}"))
            .await
            .must(200);
        let row = vagar_store::sqlx::query(
            "SELECT outcome, detail FROM audit_events WHERE username = 'cw_b' ORDER BY seq DESC",
        )
        .fetch_one(app.store.pool())
        .await
        .unwrap();
        let (outcome, detail): (String, String) = (row.get("outcome"), row.get("detail"));
        assert_eq!(outcome, "allowed:caseworker:grant");
        assert!(detail.starts_with("grant "), "{detail}");
    }
);
