//! Matching through the API on both engines: suggestions each way with ten
//! explained factors, a licence-requiring need never listing someone
//! without the licence, unit boundaries in `?need=`, pseudonymous results
//! for the employer coordinator, validation of the query, and a batch run
//! whose pairs a caseworker confirms (and may not confirm for others).

use crate::common;

use common::TestApp;
use serde_json::{json, Value};
use vagar_domain::imports::JobAd;

pub fn ad(id: &str, ssyk: &str, label: &str, licences: &[&str]) -> JobAd {
    JobAd {
        ad_id: id.into(),
        headline: format!("{label} sökes"),
        organisation_number: vagar_domain::OrganisationNumber::parse("5560160680").unwrap(),
        employer_name: "Vårdbolaget AB".into(),
        workplace_name: None,
        ssyk_code: ssyk.into(),
        occupation_id: None,
        occupation_label: label.into(),
        positions: 1,
        description: String::new(),
        application_deadline: None,
        municipality_code: Some("0180".into()),
        street_address: None,
        postal_code: None,
        city: None,
        part_time: false,
        driving_licences: licences.iter().map(|s| s.to_string()).collect(),
        skills: vec![],
        removed: false,
    }
}

/// Two needs: an assistant nurse (5321) and a truck driver needing C.
async fn needs(app: &TestApp) -> (i64, i64) {
    app.store
        .import_job_ads(
            &[
                ad("ad-1", "5321", "Undersköterska", &[]),
                ad("ad-2", "8332", "Lastbilsförare", &["C"]),
            ],
            "test",
            app.clock.now(),
            |_| {},
        )
        .await
        .unwrap();
    let rows = vagar_store::sqlx::query("SELECT id, ssyk_code FROM competence_needs ORDER BY id")
        .fetch_all(app.store.pool())
        .await
        .unwrap();
    use vagar_store::sqlx::Row;
    let id = |code: &str| {
        rows.iter()
            .find(|r| r.get::<String, _>("ssyk_code") == code)
            .map(|r| r.get::<i64, _>("id"))
            .unwrap()
    };
    (id("5321"), id("8332"))
}

/// A participant of `user`'s unit with an occupation goal.
async fn person(app: &TestApp, user: &str, i: u32, ssyk: &str, title: &str) -> i64 {
    let id = app.register(user, i, "Matcha", &format!("Person{i}")).await;
    app.put(
        user,
        &format!("/api/v1/participants/{id}/plan"),
        json!({ "goal_kind": "occupation", "ssyk_code": ssyk, "goal_title": title }),
    )
    .await
    .must(201);
    id
}

fn ids(list: &Value, key: &str) -> Vec<i64> {
    list.as_array()
        .unwrap()
        .iter()
        .map(|x| x[key].as_i64().unwrap())
        .collect()
}

both_engines!(
    suggestions_each_way_with_access,
    |app: TestApp| async move {
        app.load_taxonomy().await;
        let (nurse, truck) = needs(&app).await;
        let a = person(&app, "cw_a", 1, "5321", "Undersköterska").await;
        let b = person(&app, "cw_b", 2, "5321", "Undersköterska").await;
        let driver = person(&app, "cw_a", 3, "8332", "Lastbilsförare").await;

        // Needs for a participant: the nurse need first, ten explained factors.
        let v = app
            .get(
                "cw_a",
                &format!("/api/v1/matching/suggestions?participant={a}&k=5"),
            )
            .await
            .must(200)
            .json;
        let list = &v["needs"];
        assert_eq!(ids(list, "need_id")[0], nurse);
        let factors = list[0]["factors"].as_array().unwrap();
        assert_eq!(factors.len(), 10);
        assert!(factors
            .iter()
            .all(|f| !f["detail"].as_str().unwrap().is_empty()));
        // Unit B's participant is invisible to cw_a: 404.
        app.get(
            "cw_a",
            &format!("/api/v1/matching/suggestions?participant={b}"),
        )
        .await
        .must(404);

        // Participants for a need: cw_a sees her own, never unit B's.
        let v = app
            .get(
                "cw_a",
                &format!("/api/v1/matching/suggestions?need={nurse}"),
            )
            .await
            .must(200)
            .json;
        let got = ids(&v["participants"], "participant_id");
        assert_eq!(got[0], a);
        assert!(!got.contains(&b));
        assert_eq!(
            v["participants"][0]["factors"].as_array().unwrap().len(),
            10
        );
        {
            use vagar_store::sqlx::Row;
            let named: Vec<i64> = vagar_store::sqlx::query(
                "SELECT p.participant_id FROM audit_event_participants p \
             JOIN audit_events e ON e.seq = p.seq WHERE e.action = 'match.suggest'",
            )
            .fetch_all(app.store.pool())
            .await
            .unwrap()
            .iter()
            .map(|r| r.get::<i64, _>("participant_id"))
            .collect();
            assert!(
                named.contains(&a) && !named.contains(&b),
                "audit names only returned ids"
            );
        }

        // The driver has no C licence: the truck need never lists him.
        let v = app
            .get(
                "cw_a",
                &format!("/api/v1/matching/suggestions?need={truck}"),
            )
            .await
            .must(200)
            .json;
        assert!(!ids(&v["participants"], "participant_id").contains(&driver));

        // The coordinator: pseudonymous, no ids or names in the raw JSON.
        let r = app
            .get(
                "coordinator",
                &format!("/api/v1/matching/suggestions?need={nurse}"),
            )
            .await
            .must(200);
        assert!(r.text.contains("\"pseudonymous\":true"));
        assert!(!r.text.contains("participant_id"));
        assert!(!r.text.contains("Matcha") && !r.text.contains("Person1"));
        assert!(r.text.contains("\"rank\":1"));

        // Validation names the field.
        for (q, field) in [
            (format!("participant={a}&k=0"), "k"),
            (format!("participant={a}&k=51"), "k"),
            (format!("participant={a}&need={nurse}"), "need"),
            (String::new(), "participant"),
        ] {
            app.get("cw_a", &format!("/api/v1/matching/suggestions?{q}"))
                .await
                .assert_problem(422, &[field]);
        }
        // Analysts never read needs.
        app.get(
            "analyst",
            &format!("/api/v1/matching/suggestions?need={nurse}"),
        )
        .await
        .must(403);
    }
);

both_engines!(batch_run_and_confirm, |app: TestApp| async move {
    app.load_taxonomy().await;
    let (nurse, _truck) = needs(&app).await;
    app.store
        .import_job_ads(
            &[ad("ad-3", "5321", "Undersköterska natt", &[])],
            "test",
            app.clock.now(),
            |_| {},
        )
        .await
        .unwrap();
    let a1 = person(&app, "cw_a", 11, "5321", "Undersköterska").await;
    let a2 = person(&app, "cw_a", 12, "5321", "Undersköterska").await;
    let b = person(&app, "cw_b", 13, "5321", "Undersköterska").await;

    let r = app
        .post("cw_a", "/api/v1/matching/runs", json!({}))
        .await
        .must(201);
    let run: Value = serde_json::from_str(&r.text).unwrap();
    let run_id = run["run_id"].as_i64().unwrap();
    let paired = ids(&run["pairs"], "participant_id");
    assert!(paired.contains(&a1) && paired.contains(&a2), "{run}");
    assert!(!paired.contains(&b));
    assert_eq!(run["matched"], 2);
    assert!(run["pairs"]
        .as_array()
        .unwrap()
        .iter()
        .any(|p| p["need_id"] == nurse));
    assert_eq!(run["pairs"][0]["factors"].as_array().unwrap().len(), 10);
    assert!(run["rates"]["gender"].is_array());

    let count = || async {
        use vagar_store::sqlx::Row;
        vagar_store::sqlx::query("SELECT COUNT(*) AS n FROM proposed_placements")
            .fetch_one(app.store.pool())
            .await
            .unwrap()
            .get::<i64, _>("n")
    };
    let confirm = format!("/api/v1/matching/runs/{run_id}/confirm");
    // Admin reads but never writes.
    app.post("admin", &confirm, json!({ "participant_ids": [a1] }))
        .await
        .must(403);
    // cw_b may not update cw_a's people: refused, nothing written.
    app.post("cw_b", &confirm, json!({ "participant_ids": [a1, a2] }))
        .await
        .assert_problem(403, &["participant_ids"]);
    assert_eq!(count().await, 0);
    // Someone not in the run: refused as a whole.
    let r = app
        .post("cw_a", &confirm, json!({ "participant_ids": [a1, b] }))
        .await;
    assert!(r.status == 403 || r.status == 422, "{}", r.text);
    assert_eq!(count().await, 0);
    // Both of hers: two proposed placements.
    app.post("cw_a", &confirm, json!({ "participant_ids": [a1, a2] }))
        .await
        .must(201);
    assert_eq!(count().await, 2);
    // Partners and analysts may not run.
    for user in ["partner", "analyst", "employer", "coordinator"] {
        app.post(user, "/api/v1/matching/runs", json!({}))
            .await
            .must_as(403, user);
    }
});
