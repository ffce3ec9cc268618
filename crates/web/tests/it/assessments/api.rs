//! The joint assessment (kartläggning) through the public API and the web
//! page on both engines: versions (never overwritten) and their history
//! (who, when), validation that names fields and leaves nothing behind,
//! access (other unit 404, analyst 403, a partner under consents with and
//! without `assessment` and `health`), the audit trail, and the page
//! /deltagare/{id}/kartlaggning saving through its form.

use crate::common;
use crate::common::form;

use common::{hidden_csrf, TestApp};
use reqwest::Method;
use serde_json::{json, Value};

fn assessment(id: i64) -> String {
    format!("/api/v1/participants/{id}/assessment")
}

/// A participant of unit A.
async fn register(app: &TestApp, i: u32) -> i64 {
    app.register("cw_a", i, "Karta", "Läggsson").await
}

fn first() -> Value {
    json!({
        "work_experience": [
            { "ssyk_code": "5120", "occupation": "Kock", "years": 3 },
            { "ssyk_code": "9412", "occupation": "Restaurangbiträde", "years": 1 }
        ],
        "education_level": "secondary",
        "education_text": "Gymnasiets restaurangprogram",
        "swedish_level": "b1",
        "childcare": { "level": "some", "note": "Två barn på förskola" },
        "housing": { "level": "none" },
        "economy": { "level": "major", "note": "Skulder" },
        "health": { "level": "some", "note": "Ryggbesvär" },
        "own_goals": "Arbeta som kock",
        "free_text": "Motiverad."
    })
}

async fn save(app: &TestApp, user: &str, id: i64, body: &Value) -> common::Reply {
    app.call(user, Method::POST, &assessment(id), Some(body))
        .await
}

async fn consent(app: &TestApp, id: i64, org: i64, categories: Value) {
    app.post(
        "cw_a",
        &format!("/api/v1/participants/{id}/consents"),
        json!({ "organisation_ids": [org], "categories": categories, "method": "written" }),
    )
    .await
    .must(201);
}

both_engines!(
    two_versions_are_kept_with_who_and_when,
    |app: TestApp| async move {
        let id = register(&app, 1).await;
        // None yet: 404.
        app.get("cw_a", &assessment(id))
            .await
            .assert_problem(404, &[]);

        let r = save(&app, "cw_a", id, &first()).await.must(201);
        assert_eq!(r.json["version"], 1);
        assert_eq!(r.json["work_experience"][0]["ssyk_code"], "5120");
        assert_eq!(r.json["health"]["level"], "some");

        let mut second = first();
        second["swedish_level"] = json!("b2");
        second["work_experience"][0]["years"] = json!(4);
        second["health"] = json!(null);
        let r = save(&app, "cw_a2", id, &second).await.must(201);
        assert_eq!(r.json["version"], 2);

        // The latest is version 2, saved by cw_a2.
        let r = app.get("cw_a", &assessment(id)).await.must(200);
        assert_eq!(r.json["version"], 2);
        assert_eq!(r.json["swedish_level"], "b2");
        assert_eq!(r.json["work_experience"][0]["years"], 4);
        assert_eq!(r.json["created_by_username"], "cw_a2");
        assert!(r.json.get("health").is_none());
        assert_eq!(r.json["health_visible"], true);

        // Version 1 is unchanged.
        let r = app
            .get("cw_a", &format!("{}/versions/1", assessment(id)))
            .await
            .must(200);
        assert_eq!(r.json["swedish_level"], "b1");
        assert_eq!(r.json["work_experience"][0]["years"], 3);
        assert_eq!(r.json["health"]["note"], "Ryggbesvär");
        assert_eq!(r.json["economy"]["level"], "major");
        assert_eq!(r.json["created_by_username"], "cw_a");
        app.get("cw_a", &format!("{}/versions/3", assessment(id)))
            .await
            .assert_problem(404, &[]);

        // The history: newest first, who and when.
        let r = app
            .get("cw_a", &format!("{}/versions", assessment(id)))
            .await
            .must(200);
        let list = r.json.as_array().unwrap();
        assert_eq!(list.len(), 2);
        assert_eq!(list[0]["version"], 2);
        assert_eq!(list[0]["created_by_username"], "cw_a2");
        assert_eq!(list[0]["created_by"], app.user_ids["cw_a2"]);
        assert_eq!(list[1]["version"], 1);
        assert_eq!(list[1]["created_by_username"], "cw_a");
        assert!(list[1]["created_at"].as_str().is_some());

        // Every read and write is audited.
        let events = app
            .get("admin", &format!("/api/v1/audit?participant={id}"))
            .await
            .must(200)
            .array();
        let count = |action: &str| events.iter().filter(|e| e["action"] == action).count();
        assert_eq!(count("assessment.create"), 2, "{events:?}");
        assert_eq!(count("assessment.versions.read"), 1);
        assert!(count("assessment.read") >= 3);
        assert!(app
            .store
            .verify_audit_chain()
            .await
            .unwrap()
            .first_broken_seq
            .is_none());
    }
);

both_engines!(
    invalid_input_names_fields_and_leaves_nothing,
    |app: TestApp| async move {
        let id = register(&app, 2).await;
        save(&app, "cw_a", id, &first()).await.must(201);
        let bad = json!({
            "work_experience": [
                { "ssyk_code": "51A0", "occupation": "Kock", "years": 61 },
                { "ssyk_code": "5120", "occupation": "Kock", "years": -1 }
            ],
            "education_level": "doctorate",
            "swedish_level": "b9",
            "childcare": { "level": "lots" },
            "health": { "level": "huge", "note": "x" },
            "own_goals": "x".repeat(4001),
            "free_text": "y".repeat(4001)
        });
        save(&app, "cw_a", id, &bad).await.assert_problem(
            422,
            &[
                "work_experience[0].ssyk_code",
                "work_experience[0].years",
                "work_experience[1].years",
                "education_level",
                "swedish_level",
                "childcare.level",
                "health.level",
                "own_goals",
                "free_text",
            ],
        );
        // Read-only and unknown fields are named too.
        save(&app, "cw_a", id, &json!({ "version": 3, "colour": "blue" }))
            .await
            .assert_problem(422, &["version", "colour"]);
        // Domain errors alone (the JSON is well-formed) also leave nothing.
        let r = save(
            &app,
            "cw_a",
            id,
            &json!({ "work_experience": [{ "ssyk_code": "123", "occupation": "Kock", "years": 2 }],
                     "economy": { "level": "enormous" } }),
        )
        .await;
        r.assert_problem(422, &["work_experience[0].ssyk_code", "economy.level"]);
        assert_eq!(r.error_code("economy.level").as_deref(), Some("invalid"));
        let r = app
            .get("cw_a", &format!("{}/versions", assessment(id)))
            .await;
        assert_eq!(r.json.as_array().unwrap().len(), 1, "{}", r.text);
        let r = app.get("cw_a", &assessment(id)).await;
        assert_eq!(r.json["version"], 1);
    }
);

both_engines!(
    other_units_and_roles_are_refused,
    |app: TestApp| async move {
        let id = register(&app, 3).await;
        save(&app, "cw_a", id, &first()).await.must(201);
        for path in [
            assessment(id),
            format!("{}/versions", assessment(id)),
            format!("{}/versions/1", assessment(id)),
        ] {
            app.get("cw_b", &path).await.assert_problem(404, &[]);
            app.get("analyst", &path).await.assert_problem(403, &[]);
            // A partner without consent: the person does not exist.
            app.get("partner", &path).await.assert_problem(404, &[]);
        }
        save(&app, "cw_b", id, &first())
            .await
            .assert_problem(404, &[]);
        save(&app, "analyst", id, &first())
            .await
            .assert_problem(403, &[]);
        // Admins read (audited) but do not write.
        app.get("admin", &assessment(id)).await.must(200);
        save(&app, "admin", id, &first())
            .await
            .assert_problem(403, &[]);
        let r = app
            .get("cw_a", &format!("{}/versions", assessment(id)))
            .await;
        assert_eq!(r.json.as_array().unwrap().len(), 1);
    }
);

both_engines!(
    a_partner_sees_health_only_under_a_consent_covering_it,
    |app: TestApp| async move {
        let af = app.org("AF").await;
        let id = register(&app, 4).await;
        save(&app, "cw_a", id, &first()).await.must(201);

        // A consent without `assessment`: the person is visible, the assessment is not.
        consent(&app, id, af, json!(["action_plan"])).await;
        app.get("partner", &format!("/api/v1/participants/{id}"))
            .await
            .must(200);
        app.get("partner", &assessment(id))
            .await
            .assert_problem(404, &[]);
        app.get("partner", &format!("{}/versions", assessment(id)))
            .await
            .assert_problem(404, &[]);

        // `assessment` without `health`: everything but health.
        consent(&app, id, af, json!(["assessment"])).await;
        let r = app.get("partner", &assessment(id)).await.must(200);
        assert_eq!(r.json["economy"]["level"], "major");
        assert_eq!(r.json["health_visible"], false);
        assert_eq!(r.json["may_update"], false);
        assert!(r.json.get("health").is_none(), "{}", r.text);
        assert!(!r.text.contains("Ryggbesvär"));
        let r = app
            .get("partner", &format!("{}/versions/1", assessment(id)))
            .await
            .must(200);
        assert!(!r.text.contains("Ryggbesvär"));
        // Consent opens reading, never changing (a partner may never update).
        save(&app, "partner", id, &first())
            .await
            .assert_problem(403, &[]);

        // With `health` as well: health is shown.
        consent(&app, id, af, json!(["assessment", "health"])).await;
        let r = app.get("partner", &assessment(id)).await.must(200);
        assert_eq!(r.json["health_visible"], true);
        assert_eq!(r.json["health"]["level"], "some");
        assert_eq!(r.json["health"]["note"], "Ryggbesvär");

        // The audit names the consent categories used, and the denial.
        let events = app
            .get("admin", &format!("/api/v1/audit?participant={id}"))
            .await
            .array();
        let partner = |outcome: &str| {
            events.iter().any(|e| {
                e["action"] == "assessment.read"
                    && e["username"] == "partner"
                    && e["outcome"] == outcome
            })
        };
        assert!(partner("denied"), "{events:?}");
        assert!(partner("allowed:partner:consent:assessment"));
        assert!(partner("allowed:partner:consent:assessment+health"));
    }
);

both_engines!(
    the_page_renders_and_saves_through_the_form,
    |app: TestApp| async move {
        let id = register(&app, 5).await;
        let cw = app.login("cw_a").await;
        let page = format!("/deltagare/{id}/kartlaggning");
        // The participant page links to it.
        let html = form::page(&cw, &app, &format!("/deltagare/{id}")).await.1;
        assert!(html.contains(&page), "no link on the participant page");

        let html = form::read(&cw, &app, &page, 200).await;
        assert!(html.contains("Kartläggning"), "{html}");
        let csrf = hidden_csrf(&html);

        // An invalid save shows inline errors and keeps the values.
        let bad = [
            ("csrf", csrf.as_str()),
            ("work_ssyk_0", "51A"),
            ("work_occupation_0", "Kock"),
            ("work_years_0", "70"),
            ("own_goals", "Bli kock"),
        ];
        let html = form::sent(&cw, &app, &page, &bad, 422).await;
        assert!(html.contains("Bli kock"), "values kept");
        assert!(html.contains("id=\"work_ssyk_0-error\""), "{html}");
        assert!(html.contains("id=\"work_years_0-error\""));
        assert!(
            html.contains("SSYK-kod (fyra siffror) (1)"),
            "summary names the field"
        );

        let good = [
            ("csrf", csrf.as_str()),
            ("work_ssyk_0", "5120"),
            ("work_occupation_0", "Kock"),
            ("work_years_0", "3"),
            ("education_level", "secondary"),
            ("swedish_level", "b1"),
            ("childcare_level", "some"),
            ("childcare_note", "Förskola"),
            ("health_level", "major"),
            ("health_note", "Ryggbesvär"),
            ("own_goals", "Bli kock"),
        ];
        let res = cw.post(app.url(&page)).form(&good).send().await.unwrap();
        assert_eq!(res.status().as_u16(), 303);
        let html = form::page(&cw, &app, &page).await.1;
        assert!(html.contains("Kock") && html.contains("5120"));
        assert!(html.contains("Ryggbesvär"));
        let r = app.get("cw_a", &assessment(id)).await;
        assert_eq!(r.json["version"], 1);
        assert_eq!(r.json["work_experience"][0]["ssyk_code"], "5120");
        assert_eq!(r.json["childcare"]["note"], "Förskola");
        assert_eq!(r.json["health"]["level"], "major");

        // Without the CSRF token nothing is saved.
        let res = cw
            .post(app.url(&page))
            .form(&[("own_goals", "x")])
            .send()
            .await
            .unwrap();
        assert!(res.status().as_u16() >= 400);
        let r = app
            .get("cw_a", &format!("{}/versions", assessment(id)))
            .await;
        assert_eq!(r.json.as_array().unwrap().len(), 1);
    }
);
