//! The common entry (`POST /api/v1/intake`) and handover
//! (`POST /api/v1/participants/{id}/handover`) through the public API, on
//! both engines.

use crate::common;

use chrono::Duration;
use common::{pnr_on, TestApp};
use serde_json::{json, Value};
use vagar_store::sqlx::{self, Row};

fn path(id: i64) -> String {
    format!("/api/v1/participants/{id}")
}

async fn audit_actions(app: &TestApp, id: i64) -> Vec<(String, String, String, String)> {
    let events = app
        .get(
            "admin",
            &format!("/api/v1/audit?participant={id}&limit=1000"),
        )
        .await
        .must(200)
        .json;
    let mut out: Vec<_> = events
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e["username"].as_str().unwrap_or("").to_string(),
                e["action"].as_str().unwrap().to_string(),
                e["outcome"].as_str().unwrap().to_string(),
                e["detail"].as_str().unwrap_or("").to_string(),
            )
        })
        .collect();
    out.reverse();
    out
}

both_engines!(
    intake_finds_an_existing_person_by_any_spelling_instead_of_creating_a_second,
    |app: TestApp| async move {
        let af = app.org("AF").await;
        let born = chrono::NaiveDate::from_ymd_opt(1999, 4, 5).unwrap();
        let (twelve, ten) = pnr_on(born, 321);
        let hyphen = format!("{}-{}", &ten[..6], &ten[6..]);

        let r = app
            .post(
                "cw_a",
                "/api/v1/intake",
                json!({ "identity_number": hyphen, "first_name": "Leo", "last_name": "Ingång",
                              "referred_by_organisation_id": af, "note": "Remiss från AF" }),
            )
            .await
            .must(201);
        assert_eq!(r.json["existing"], false);
        let id = r.id();
        assert_eq!(r.json["participant"]["id"], id);
        assert_eq!(r.json["participant"]["identity_number"], twelve.as_str());
        assert_eq!(r.json["participant"]["organisation_id"], app.org_a);

        // The same person again, in other spellings and with other names.
        for (n, spelling) in [
            twelve.clone(),
            ten.clone(),
            format!("{}-{}", &twelve[..8], &twelve[8..]),
        ]
        .into_iter()
        .enumerate()
        {
            let r = app
                .post(
                    "cw_a2",
                    "/api/v1/intake",
                    json!({ "identity_number": spelling, "first_name": "Leon", "last_name": "Annan",
                                  "referred_by_organisation_id": app.org_b }),
                )
                .await
                .must_as(200, format!("spelling {n}"));
            assert_eq!(r.json["existing"], true);
            assert_eq!(r.json["id"], id);
            assert_eq!(
                r.json["participant"]["first_name"], "Leo",
                "not overwritten"
            );
        }
        assert_eq!(app.store.count_participants().await.unwrap(), 1);

        // A caseworker who may not read the person learns only that the
        // number is registered — what a duplicate registration's 409 says.
        let r = app
            .post(
                "cw_b",
                "/api/v1/intake",
                json!({ "identity_number": twelve, "first_name": "X", "last_name": "Y",
                              "referred_by_organisation_id": app.org_b }),
            )
            .await
            .must(200);
        assert_eq!(r.json["existing"], true);
        assert_eq!(r.json["id"], Value::Null);
        assert_eq!(r.json["participant"], Value::Null);
        assert!(!r.text.contains("Leo") && !r.text.contains("Ingång"));
        app.get("cw_b", &path(id)).await.assert_problem(404, &[]);

        // Every intake is stored with the referring organisation, who and when.
        let rows = sqlx::query(
            "SELECT participant_id, referred_by_organisation_id, note, created_new, recorded_by, recorded_at \
             FROM intakes ORDER BY id",
        )
        .fetch_all(app.store.pool())
        .await
        .unwrap();
        assert_eq!(rows.len(), 5);
        for (i, row) in rows.iter().enumerate() {
            assert_eq!(row.get::<i64, _>("participant_id"), id);
            assert_eq!(row.get::<i64, _>("created_new"), i64::from(i == 0));
            assert!(row.get::<i64, _>("recorded_at") > 0);
        }
        assert_eq!(rows[0].get::<i64, _>("referred_by_organisation_id"), af);
        assert_eq!(
            rows[0].get::<Option<String>, _>("note").as_deref(),
            Some("Remiss från AF")
        );
        assert_eq!(
            rows[1].get::<i64, _>("referred_by_organisation_id"),
            app.org_b
        );
        assert_eq!(rows[4].get::<i64, _>("recorded_by"), app.user_ids["cw_b"]);

        let audit = audit_actions(&app, id).await;
        let has = |u: &str, a: &str, o: &str, d: &str| {
            audit
                .iter()
                .any(|e| e.0 == u && e.1 == a && e.2 == o && e.3 == d)
        };
        assert!(has(
            "cw_a",
            "participant.intake",
            "allowed:caseworker:role",
            "created"
        ));
        assert!(has(
            "cw_a2",
            "participant.intake",
            "allowed:caseworker:role",
            "attached"
        ));
        assert!(has(
            "cw_a2",
            "participant.read",
            "allowed:caseworker:own_organisation",
            "intake"
        ));
        assert!(has(
            "cw_b",
            "participant.intake",
            "allowed:caseworker:role",
            "attached"
        ));
        assert!(
            has("cw_b", "participant.read", "denied", "intake"),
            "{audit:?}"
        );
    }
);

both_engines!(bad_intakes_name_their_fields, |app: TestApp| async move {
    let af = app.org("AF").await;
    let (twelve, _) = pnr_on(chrono::NaiveDate::from_ymd_opt(2001, 1, 2).unwrap(), 222);
    let mut bad = twelve.clone();
    bad.pop();
    bad.push(if twelve.ends_with('9') { '0' } else { '9' });
    let cases: Vec<(Value, Vec<&str>)> = vec![
        (
            json!({ "identity_number": twelve, "first_name": "A", "last_name": "B" }),
            vec!["referred_by_organisation_id"],
        ),
        (
            json!({ "identity_number": twelve, "first_name": "A", "last_name": "B",
                    "referred_by_organisation_id": 999999 }),
            vec!["referred_by_organisation_id"],
        ),
        (
            json!({ "identity_number": bad, "first_name": "", "referred_by_organisation_id": "AF",
                    "note": 4 }),
            vec![
                "identity_number",
                "first_name",
                "last_name",
                "referred_by_organisation_id",
                "note",
            ],
        ),
        // Unknown fields and wrong types come first, as on POST /participants.
        (
            json!({ "identity_number": twelve, "first_name": "A", "last_name": "B",
                    "referred_by_organisation_id": af, "colour": "blue", "gender": 1 }),
            vec!["colour", "gender"],
        ),
        (
            json!({ "identity_number": twelve, "first_name": "A", "last_name": "B",
                    "referred_by_organisation_id": af, "version": 3 }),
            vec!["version"],
        ),
    ];
    for (body, fields) in cases {
        let r = app.post("cw_a", "/api/v1/intake", body).await;
        r.assert_problem(422, &fields);
        assert!(
            !r.text.contains(&bad[2..]),
            "a rejected number is not repeated"
        );
    }
    assert_eq!(app.store.count_participants().await.unwrap(), 0);
    for user in ["partner", "admin", "analyst", "employer"] {
        app.post(
            user,
            "/api/v1/intake",
            json!({ "identity_number": twelve, "first_name": "A", "last_name": "B",
                          "referred_by_organisation_id": af }),
        )
        .await
        .assert_problem(403, &[]);
    }
});

both_engines!(
    handover_moves_responsibility_and_the_former_caseworker_keeps_read_for_30_days,
    |app: TestApp| async move {
        let (born_twelve, _) = pnr_on(chrono::NaiveDate::from_ymd_opt(1985, 6, 7).unwrap(), 444);
        // A participant of unit A on cw_b's caseload: cw_b (unit B) sees it
        // only through the caseload, so the grant is what keeps it visible.
        let p = app
            .create(
                "cw_a",
                json!({ "identity_number": born_twelve, "first_name": "Hugo", "last_name": "Byte",
                        "responsible_caseworker_id": app.user_ids["cw_b"] }),
            )
            .await;
        let id = p["id"].as_i64().unwrap();
        let handover = format!("{}/handover", path(id));
        app.patch("cw_b", &path(id), json!({ "district": "Kista" }))
            .await
            .must(200);

        // Bad requests name the field; roles that may never hand over get 403.
        for body in [
            json!({}),
            json!({ "to_user_id": "cw_a2" }),
            json!({ "to_user_id": app.user_ids["partner"] }),
            json!({ "to_user_id": 999999 }),
            json!({ "to_user_id": app.user_ids["cw_b"] }),
        ] {
            app.post("cw_b", &handover, body)
                .await
                .assert_problem(422, &["to_user_id"]);
        }
        for user in ["partner", "admin", "analyst"] {
            app.post(
                user,
                &handover,
                json!({ "to_user_id": app.user_ids["cw_a2"] }),
            )
            .await
            .assert_problem(403, &[]);
        }

        let before = app.clock.now();
        let r = app
            .post(
                "cw_b",
                &handover,
                json!({ "to_user_id": app.user_ids["cw_a2"] }),
            )
            .await
            .must(200);
        assert_eq!(r.json["responsible_caseworker_id"], app.user_ids["cw_a2"]);
        assert_eq!(r.json["version"], 3);

        // The former caseworker reads, but no longer changes or hands over.
        app.get("cw_b", &path(id)).await.must(200);
        assert!(app.list_ids("cw_b", "").await.contains(&id));
        app.patch("cw_b", &path(id), json!({ "district": "Rinkeby" }))
            .await
            .assert_problem(404, &[]);
        app.post(
            "cw_b",
            &handover,
            json!({ "to_user_id": app.user_ids["cw_b"] }),
        )
        .await
        .assert_problem(404, &[]);

        // The grant is a row valid for 30 days from the handover.
        let row = sqlx::query(
            "SELECT user_id, reason, valid_from, valid_until, created_by FROM access_grants WHERE participant_id = $1",
        )
        .bind(id)
        .fetch_one(app.store.pool())
        .await
        .unwrap();
        assert_eq!(row.get::<i64, _>("user_id"), app.user_ids["cw_b"]);
        assert_eq!(row.get::<i64, _>("created_by"), app.user_ids["cw_b"]);
        assert_eq!(row.get::<String, _>("reason"), "handover");
        let from = row.get::<i64, _>("valid_from");
        assert!(from >= before.timestamp_micros());
        assert_eq!(
            row.get::<i64, _>("valid_until") - from,
            Duration::days(30).num_microseconds().unwrap()
        );

        app.clock.advance(Duration::days(29));
        app.get("cw_b", &path(id))
            .await
            .must_as(200, "still within 30 days");
        app.clock.advance(Duration::days(2));
        app.get("cw_b", &path(id)).await.assert_problem(404, &[]);
        assert!(!app.list_ids("cw_b", "").await.contains(&id));

        // The new caseworker (and the unit) carry on.
        app.patch("cw_a2", &path(id), json!({ "district": "Kista" }))
            .await
            .must(200);

        let audit = audit_actions(&app, id).await;
        assert!(
            audit.iter().any(|e| e.0 == "cw_b"
                && e.1 == "participant.handover"
                && e.2 == "allowed:caseworker:caseload"
                && e.3.contains("grant_days=30")),
            "{audit:?}"
        );
        assert!(audit.iter().any(|e| e.0 == "cw_b"
            && e.1 == "participant.read"
            && e.2 == "allowed:caseworker:grant"));
        assert!(audit
            .iter()
            .any(|e| e.0 == "partner" && e.1 == "participant.handover" && e.2 == "denied"));
    }
);
