//! Shared action plans and contacts through the public API on both engines:
//! a plan with a long-term goal and steps owned by two organisations, status
//! changes and their history (who, when, old, new), validation that names
//! fields and leaves nothing behind, access (other unit 404, analyst 403,
//! partner under an `action_plan` consent), contacts newest first, and the
//! audit trail of plan reads and writes.

use crate::common;

use chrono::Duration;
use common::{day, TestApp};
use reqwest::Method;
use serde_json::{json, Value};

fn plan(id: i64) -> String {
    format!("/api/v1/participants/{id}/plan")
}

fn steps(id: i64) -> String {
    format!("/api/v1/participants/{id}/plan/steps")
}

fn contacts(id: i64) -> String {
    format!("/api/v1/participants/{id}/contacts")
}

/// A participant of unit A.
async fn register(app: &TestApp, i: u32) -> i64 {
    app.register("cw_a", i, "Plan", "Stegsson").await
}

fn goal() -> Value {
    json!({ "goal_kind": "occupation", "ssyk_code": "5321", "goal_title": "Undersköterska" })
}

/// A participant with a plan and two steps: one of unit A (responsible
/// cw_a2), one of `other_org`. Returns (participant, step A, step other).
async fn plan_with_steps(app: &TestApp, i: u32, other_org: i64) -> (i64, i64, i64) {
    let id = register(app, i).await;
    app.put("cw_a", &plan(id), goal()).await.must(201);
    let t = app.today();
    let a = app
        .post(
            "cw_a",
            &steps(id),
            json!({
                "activity_type": "work_practice",
                "organisation_id": app.org_a,
                "responsible_user_id": app.user_ids["cw_a2"],
                "start_date": day(t),
                "due_date": day(t + Duration::days(90)),
            }),
        )
        .await
        .must(201)
        .id();
    let r = app
        .post(
            "cw_a",
            &steps(id),
            json!({
                "activity_type": "other",
                "activity_text": "Validering av vårdkompetens",
                "organisation_id": other_org,
                "start_date": day(t + Duration::days(30)),
                "due_date": day(t + Duration::days(120)),
                "status": "active",
            }),
        )
        .await
        .must(201);
    (id, a, r.id())
}

async fn history(app: &TestApp, user: &str, id: i64) -> Vec<Value> {
    let r = app
        .get(user, &format!("{}/history", plan(id)))
        .await
        .must(200);
    r.array()
}

both_engines!(
    a_plan_with_steps_of_two_organisations_and_its_history,
    |app: TestApp| async move {
        let id = register(&app, 1).await;
        // No plan yet: 404, and a step cannot come first.
        app.get("cw_a", &plan(id)).await.must(404);
        let t = app.today();
        app.post(
            "cw_a",
            &steps(id),
            json!({ "activity_type": "sfi", "organisation_id": app.org_a,
                              "start_date": day(t), "due_date": day(t) }),
        )
        .await
        .assert_problem(409, &["plan"]);

        let created = app.put("cw_a", &plan(id), goal()).await.must(201);
        assert_eq!(created.json["goal_kind"], "occupation");
        assert_eq!(created.json["ssyk_code"], "5321");
        assert_eq!(created.json["version"], 1);
        assert_eq!(created.json["goal_editable"], true);

        for (org, user, ty) in [
            (app.org_a, "cw_a2", "work_practice"),
            (app.org_b, "cw_b", "vocational_training"),
        ] {
            let r = app
                .post(
                    "cw_a",
                    &steps(id),
                    json!({
                        "activity_type": ty,
                        "organisation_id": org,
                        "responsible_user_id": app.user_ids[user],
                        "start_date": day(t),
                        "due_date": day(t + Duration::days(60)),
                    }),
                )
                .await
                .must(201);
            assert_eq!(r.json["status"], "planned");
            assert_eq!(r.json["organisation_id"], org);
        }
        let read = app.get("cw_a2", &plan(id)).await.must(200);
        let st = read.json["steps"].as_array().unwrap();
        assert_eq!(st.len(), 2);
        let orgs: Vec<i64> = st
            .iter()
            .map(|s| s["organisation_id"].as_i64().unwrap())
            .collect();
        assert_eq!(orgs, vec![app.org_a, app.org_b]);
        let step = st[0]["id"].as_i64().unwrap();
        let step_path = format!("{}/{step}", steps(id));

        // Change the goal to an education (the SSYK code goes).
        let changed = app
            .put(
                "cw_a",
                &plan(id),
                json!({ "goal_kind": "education", "ssyk_code": null,
                              "goal_title": "Vård- och omsorgsprogrammet", "version": 1 }),
            )
            .await
            .must(200);
        assert_eq!(changed.json["version"], 2);
        assert_eq!(changed.json["ssyk_code"], Value::Null);
        // A stale goal edit is refused.
        app.put(
            "cw_a",
            &plan(id),
            json!({ "goal_kind": "education", "goal_title": "Annat", "version": 1 }),
        )
        .await
        .assert_problem(409, &["version"]);

        // Colleague cw_a2 starts the step, then finishes it with a result.
        app.clock.advance(Duration::minutes(10));
        let before = app.clock.now();
        let r = app
            .patch("cw_a2", &step_path, json!({ "status": "active" }))
            .await
            .must(200);
        assert_eq!(r.json["version"], 2);
        let r = app
            .patch(
                "cw_a2",
                &step_path,
                json!({ "status": "done", "result_note": "Erbjuden timanställning",
                        "version": 2 }),
            )
            .await
            .must(200);
        assert_eq!(r.json["status"], "done");

        let h = history(&app, "cw_a", id).await;
        let status_changes: Vec<&Value> = h
            .iter()
            .filter(|e| e["step_id"] == step && e["field"] == "status" && e["change"] == "updated")
            .collect();
        assert_eq!(status_changes.len(), 2, "{h:?}");
        assert_eq!(status_changes[0]["old_value"], "planned");
        assert_eq!(status_changes[0]["new_value"], "active");
        assert_eq!(status_changes[1]["old_value"], "active");
        assert_eq!(status_changes[1]["new_value"], "done");
        for e in &status_changes {
            assert_eq!(e["username"], "cw_a2");
            assert_eq!(e["user_id"], app.user_ids["cw_a2"]);
            assert_eq!(e["organisation_id"], app.org_a);
            let at: chrono::DateTime<chrono::Utc> = e["at"].as_str().unwrap().parse().unwrap();
            assert!(at >= before - Duration::seconds(1), "{at} before {before}");
        }
        // The goal's creation and change are there too, by cw_a.
        let goal_title: Vec<&Value> = h
            .iter()
            .filter(|e| e["step_id"].is_null() && e["field"] == "goal_title")
            .collect();
        assert_eq!(goal_title.len(), 2);
        assert_eq!(goal_title[0]["change"], "created");
        assert_eq!(goal_title[0]["old_value"], Value::Null);
        assert_eq!(goal_title[1]["old_value"], "Undersköterska");
        assert_eq!(goal_title[1]["new_value"], "Vård- och omsorgsprogrammet");
        assert_eq!(goal_title[1]["username"], "cw_a");
        // Step creations are kept field by field.
        assert!(h.iter().any(|e| e["step_id"] == step
            && e["change"] == "created"
            && e["field"] == "responsible_user_id"
            && e["new_value"] == json!(app.user_ids["cw_a2"].to_string())));

        // Done is final: back to planned is refused, naming status, and
        // nothing is recorded; only the result note may still change.
        let n = h.len();
        app.patch("cw_a", &step_path, json!({ "status": "planned" }))
            .await
            .assert_problem(422, &["status"]);
        app.patch(
            "cw_a",
            &step_path,
            json!({ "due_date": day(t + Duration::days(70)) }),
        )
        .await
        .assert_problem(422, &["due_date"]);
        assert_eq!(history(&app, "cw_a", id).await.len(), n);
        app.patch(
            "cw_a",
            &step_path,
            json!({ "result_note": "Tillsvidareanställd från mars" }),
        )
        .await
        .must(200);
        assert_eq!(history(&app, "cw_a", id).await.len(), n + 1);
        // An unchanged PATCH adds no history.
        app.patch(
            "cw_a",
            &step_path,
            json!({ "result_note": "Tillsvidareanställd från mars" }),
        )
        .await
        .must(200);
        assert_eq!(history(&app, "cw_a", id).await.len(), n + 1);
        // History rows cannot be changed or deleted underneath.
        assert!(
            vagar_store::sqlx::query("UPDATE plan_history SET new_value = 'x'")
                .execute(app.store.pool())
                .await
                .is_err()
        );
        assert!(vagar_store::sqlx::query("DELETE FROM plan_steps")
            .execute(app.store.pool())
            .await
            .is_err());
    }
);

both_engines!(
    invalid_input_names_fields_and_leaves_nothing_partial,
    |app: TestApp| async move {
        let id = register(&app, 2).await;
        app.put(
            "cw_a",
            &plan(id),
            json!({ "goal_kind": "job", "ssyk_code": 12, "goal_title": "" , "steps": [] }),
        )
        .await
        .assert_problem(422, &["ssyk_code", "steps"]);
        app.put(
            "cw_a",
            &plan(id),
            json!({ "goal_kind": "job", "ssyk_code": "12", "goal_title": "" }),
        )
        .await
        .assert_problem(422, &["goal_kind", "goal_title"]);
        let r = app
            .put(
                "cw_a",
                &plan(id),
                json!({ "goal_kind": "occupation", "ssyk_code": "12", "goal_title": "Kock" }),
            )
            .await;
        r.assert_problem(422, &["ssyk_code"]);
        assert_eq!(r.error_code("ssyk_code").as_deref(), Some("invalid"));
        // Nothing was created by the refused attempts.
        app.get("cw_a", &plan(id)).await.must(404);
        assert!(history(&app, "cw_a", id).await.is_empty());

        // Transport errors.
        let raw = app
            .api("cw_a", Method::PUT, &plan(id))
            .header("content-type", "text/plain")
            .body("{}")
            .send()
            .await
            .unwrap();
        assert_eq!(raw.status().as_u16(), 415);
        let raw = app
            .api("cw_a", Method::PUT, &plan(id))
            .header("content-type", "application/json")
            .body("{\"goal_kind\": ")
            .send()
            .await
            .unwrap();
        assert_eq!(raw.status().as_u16(), 400);
        let raw = app
            .api("cw_a", Method::PUT, &plan(id))
            .header("content-type", "application/json")
            .body(format!("{{\"goal_title\": \"{}\"}}", "x".repeat(70 * 1024)))
            .send()
            .await
            .unwrap();
        assert_eq!(raw.status().as_u16(), 413);

        app.put("cw_a", &plan(id), goal()).await.must(201);
        let t = app.today();
        let r = app
            .post(
                "cw_a",
                &steps(id),
                json!({
                    "activity_type": "juggling",
                    "organisation_id": app.org_a,
                    "start_date": day(t),
                    "due_date": day(t - Duration::days(1)),
                    "status": "done",
                }),
            )
            .await;
        r.assert_problem(422, &["activity_type", "due_date", "status"]);
        assert_eq!(r.error_code("due_date").as_deref(), Some("before_start"));
        let r = app
            .post(
                "cw_a",
                &steps(id),
                json!({
                    "activity_type": "job_search",
                    "organisation_id": 999_999,
                    "start_date": day(t),
                    "due_date": day(t),
                }),
            )
            .await;
        r.assert_problem(422, &["organisation_id"]);
        assert_eq!(
            r.error_code("organisation_id").as_deref(),
            Some("unknown_organisation")
        );
        app.post(
            "cw_a",
            &steps(id),
            json!({
                "activity_type": "job_search",
                "organisation_id": app.org_a,
                "responsible_user_id": app.user_ids["cw_b"],
                "start_date": day(t),
                "due_date": "2026-02-30",
            }),
        )
        .await
        .assert_problem(422, &["due_date"]);
        app.post(
            "cw_a",
            &steps(id),
            json!({
                "activity_type": "job_search",
                "organisation_id": app.org_a,
                "responsible_user_id": app.user_ids["cw_b"],
                "start_date": day(t),
                "due_date": day(t),
            }),
        )
        .await
        .assert_problem(422, &["responsible_user_id"]);
        app.post(
            "cw_a",
            &steps(id),
            json!({ "organisation_id": "A", "start_date": 5, "colour": "red" }),
        )
        .await
        .assert_problem(422, &["organisation_id", "start_date", "colour"]);
        app.post(
            "cw_a",
            &steps(id),
            json!({ "activity_type": "other", "organisation_id": app.org_a }),
        )
        .await
        .assert_problem(422, &["activity_text", "start_date", "due_date"]);
        // None of the refused steps exists, in the plan or its history.
        let p = app.get("cw_a", &plan(id)).await;
        assert_eq!(p.json["steps"].as_array().unwrap().len(), 0);
        assert!(history(&app, "cw_a", id)
            .await
            .iter()
            .all(|e| e["step_id"].is_null()));

        // A PATCH that is partly wrong changes nothing.
        let (id2, step, _) = plan_with_steps(&app, 3, app.org_b).await;
        let path = format!("{}/{step}", steps(id2));
        let n = history(&app, "cw_a", id2).await.len();
        app.patch(
            "cw_a",
            &path,
            json!({ "status": "active", "due_date": "2000-01-01" }),
        )
        .await
        .assert_problem(422, &["due_date"]);
        let p = app.get("cw_a", &plan(id2)).await;
        assert_eq!(p.json["steps"][0]["status"], "planned");
        assert_eq!(history(&app, "cw_a", id2).await.len(), n);
        app.patch("cw_a", &path, json!({ "status": "finished" }))
            .await
            .assert_problem(422, &["status"]);
        app.patch("cw_a", &path, json!({ "status": "active", "version": 7 }))
            .await
            .assert_problem(409, &["version"]);
        // A step of another participant's plan is not found through this one.
        let other = format!("{}/{step}", steps(id));
        app.patch("cw_a", &other, json!({ "status": "active" }))
            .await
            .assert_problem(404, &[]);
    }
);

both_engines!(
    other_units_get_404_and_roles_without_access_403,
    |app: TestApp| async move {
        let (id, step, _) = plan_with_steps(&app, 4, app.org_b).await;
        app.post(
            "cw_a",
            &contacts(id),
            json!({ "contact_date": day(app.today()), "kind": "call" }),
        )
        .await
        .must(201);
        let step_path = format!("{}/{step}", steps(id));
        let hist = format!("{}/history", plan(id));
        // cw_b owns a step but not the participant: the person does not exist for them.
        for (m, p, body) in [
            (Method::GET, plan(id), None),
            (Method::PUT, plan(id), Some(goal())),
            (
                Method::POST,
                steps(id),
                Some(json!({ "activity_type": "sfi" })),
            ),
            (
                Method::PATCH,
                step_path.clone(),
                Some(json!({ "status": "active" })),
            ),
            (Method::GET, hist.clone(), None),
            (Method::GET, contacts(id), None),
            (
                Method::POST,
                contacts(id),
                Some(json!({ "contact_date": day(app.today()), "kind": "call" })),
            ),
        ] {
            app.call("cw_b", m.clone(), &p, body.as_ref())
                .await
                .assert_problem(404, &[]);
            // And the same for a participant that does not exist.
            let missing = p.replace(&format!("/{id}/"), "/987654/");
            app.call("cw_a", m.clone(), &missing, body.as_ref())
                .await
                .assert_problem(404, &[]);
            // Analysts never see personal data; employers and coordinators neither.
            for user in ["analyst", "coordinator", "employer"] {
                app.call(user, m.clone(), &p, body.as_ref())
                    .await
                    .assert_problem(403, &[]);
            }
            // Without credentials.
            let mut req = app.http.request(m.clone(), app.url(&p));
            if let Some(b) = &body {
                req = req.json(b);
            }
            assert_eq!(req.send().await.unwrap().status().as_u16(), 401);
        }
        // Admins read (audited) but do not change.
        let r = app.get("admin", &plan(id)).await.must(200);
        assert_eq!(r.json["goal_editable"], false);
        assert!(r.json["steps"][0]["editable"] == false);
        app.get("admin", &hist).await.must(200);
        app.get("admin", &contacts(id)).await.must(200);
        app.put("admin", &plan(id), goal())
            .await
            .assert_problem(403, &[]);
        // The owner's colleague in unit A reads and changes everything.
        let r = app.get("cw_a2", &plan(id)).await.must(200);
        assert!(r.json["steps"]
            .as_array()
            .unwrap()
            .iter()
            .all(|s| s["editable"] == true));
        // A partner without consent: not found.
        app.get("partner", &plan(id)).await.assert_problem(404, &[]);
        // The OpenAPI document describes the endpoints.
        let doc = app.get("cw_a", "/api/v1/openapi.json").await;
        let paths = &doc.json["paths"];
        for p in [
            "/api/v1/participants/{id}/plan",
            "/api/v1/participants/{id}/plan/steps",
            "/api/v1/participants/{id}/plan/steps/{step_id}",
            "/api/v1/participants/{id}/plan/history",
            "/api/v1/participants/{id}/contacts",
        ] {
            assert!(paths.get(p).is_some(), "{p} missing from OpenAPI");
        }
        assert!(paths["/api/v1/participants/{id}/plan"].get("put").is_some());
        assert!(paths["/api/v1/participants/{id}/contacts"]
            .get("post")
            .is_some());
    }
);

both_engines!(
    contacts_are_listed_newest_first,
    |app: TestApp| async move {
        let id = register(&app, 5).await;
        let t = app.today();
        let af = app.org("AF").await;
        for (d, kind, org, note) in [
            (t - Duration::days(20), "meeting", app.org_a, "Första mötet"),
            (t - Duration::days(2), "home_visit", app.org_a, "Hembesök"),
            (t - Duration::days(9), "call", af, "Samtal med AF"),
            (t - Duration::days(2), "message", app.org_a, "Sms om tid"),
        ] {
            let r = app
                .post(
                    "cw_a",
                    &contacts(id),
                    json!({ "contact_date": day(d), "kind": kind, "organisation_id": org,
                    "note": note }),
                )
                .await
                .must(201);
            assert_eq!(r.json["recorded_by"], app.user_ids["cw_a"]);
        }
        // Without an organisation the recorder's own is used.
        let r = app
            .post(
                "cw_a2",
                &contacts(id),
                json!({ "contact_date": day(t - Duration::days(30)), "kind": "other" }),
            )
            .await
            .must(201);
        assert_eq!(r.json["organisation_id"], app.org_a);

        let r = app.get("cw_a2", &contacts(id)).await.must(200);
        let notes: Vec<&str> = r
            .json
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c["note"].as_str().unwrap_or("-"))
            .collect();
        assert_eq!(
            notes,
            vec![
                "Sms om tid",
                "Hembesök",
                "Samtal med AF",
                "Första mötet",
                "-"
            ]
        );

        app.post(
            "cw_a",
            &contacts(id),
            json!({ "contact_date": day(t + Duration::days(1)), "kind": "fax",
                "organisation_id": 999_999 }),
        )
        .await
        .assert_problem(422, &["contact_date", "kind"]);
        app.post(
            "cw_a",
            &contacts(id),
            json!({ "contact_date": day(t), "kind": "call", "organisation_id": 999_999 }),
        )
        .await
        .assert_problem(422, &["organisation_id"]);
        app.post("cw_a", &contacts(id), json!({ "note": 5 }))
            .await
            .assert_problem(422, &["note"]);
        let r = app.get("cw_a", &contacts(id)).await;
        assert_eq!(r.json.as_array().unwrap().len(), 5);
    }
);

both_engines!(
    the_audit_trail_shows_plan_reads_and_writes,
    |app: TestApp| async move {
        let (id, step, _) = plan_with_steps(&app, 6, app.org_b).await;
        let step_path = format!("{}/{step}", steps(id));
        app.get("cw_a2", &plan(id)).await.must(200);
        app.patch("cw_a2", &step_path, json!({ "status": "active" }))
            .await
            .must(200);
        history(&app, "cw_a", id).await;
        app.post(
            "cw_a",
            &contacts(id),
            json!({ "contact_date": day(app.today()), "kind": "meeting" }),
        )
        .await;
        app.get("cw_a", &contacts(id)).await;
        app.get("cw_b", &plan(id)).await;

        let events = app
            .get("admin", &format!("/api/v1/audit?participant={id}"))
            .await
            .must(200)
            .array();
        let find = |action: &str, user: &str| {
            events
                .iter()
                .filter(|e| e["action"] == action && e["username"] == user)
                .cloned()
                .collect::<Vec<Value>>()
        };
        let created = find("plan.update", "cw_a");
        assert_eq!(created.len(), 1, "{events:?}");
        assert_eq!(created[0]["outcome"], "allowed:caseworker:own_organisation");
        assert_eq!(find("plan.step.create", "cw_a").len(), 2);
        assert_eq!(find("plan.read", "cw_a2").len(), 1);
        assert_eq!(find("plan.step.update", "cw_a2").len(), 1);
        assert_eq!(find("plan.history.read", "cw_a").len(), 1);
        assert_eq!(find("contact.create", "cw_a").len(), 1);
        assert_eq!(find("contact.list", "cw_a").len(), 1);
        // Each plan event sits in the same request as the participant decision it rests on.
        let upd = &find("plan.step.update", "cw_a2")[0];
        assert!(events.iter().any(|e| e["action"] == "participant.update"
            && e["request_id"] == upd["request_id"]
            && e["outcome"] == "allowed:caseworker:own_organisation"));
        // The refusal of cw_b is there, as a denied participant read.
        let denied = find("participant.read", "cw_b");
        assert_eq!(denied.len(), 1);
        assert_eq!(denied[0]["outcome"], "denied");
        // The chain still verifies.
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
    a_partner_under_an_action_plan_consent_edits_their_own_steps,
    |app: TestApp| async move {
        let af = app.org("AF").await;
        let (id, step_a, step_af) = plan_with_steps(&app, 7, af).await;
        let consent = |categories: Value| {
            json!({ "organisation_ids": [af],
            "categories": categories, "method": "written" })
        };
        // A consent that does not cover action plans shows the person, not the plan.
        app.post(
            "cw_a",
            &format!("/api/v1/participants/{id}/consents"),
            consent(json!(["contact_details"])),
        )
        .await
        .must(201);
        app.get("partner", &format!("/api/v1/participants/{id}"))
            .await
            .must(200);
        app.get("partner", &plan(id)).await.assert_problem(404, &[]);

        let cid = app
            .post(
                "cw_a",
                &format!("/api/v1/participants/{id}/consents"),
                consent(json!(["action_plan"])),
            )
            .await
            .must(201)
            .id();
        let r = app.get("partner", &plan(id)).await.must(200);
        assert_eq!(r.json["goal_editable"], false);
        let editable: Vec<(i64, bool)> = r.json["steps"]
            .as_array()
            .unwrap()
            .iter()
            .map(|s| (s["id"].as_i64().unwrap(), s["editable"].as_bool().unwrap()))
            .collect();
        assert!(editable.contains(&(step_a, false)) && editable.contains(&(step_af, true)));

        // Their own organisation's step: yes. Unit A's step, the goal, or
        // moving their step to unit A: 403 (they see the plan; nothing is disclosed).
        app.patch(
            "partner",
            &format!("{}/{step_af}", steps(id)),
            json!({ "status": "done", "result_note": "Validering klar" }),
        )
        .await
        .must(200);
        app.patch(
            "partner",
            &format!("{}/{step_a}", steps(id)),
            json!({ "status": "active" }),
        )
        .await
        .assert_problem(403, &[]);
        app.put("partner", &plan(id), goal())
            .await
            .assert_problem(403, &[]);
        let t = app.today();
        app.post(
            "partner",
            &steps(id),
            json!({ "activity_type": "job_search", "organisation_id": af,
                              "responsible_user_id": app.user_ids["partner"],
                              "start_date": day(t), "due_date": day(t + Duration::days(30)) }),
        )
        .await
        .must(201);
        app.post(
            "partner",
            &steps(id),
            json!({ "activity_type": "job_search", "organisation_id": app.org_a,
                          "start_date": day(t), "due_date": day(t) }),
        )
        .await
        .assert_problem(403, &[]);
        let h = history(&app, "partner", id).await;
        assert!(h.iter().any(|e| e["step_id"] == step_af
            && e["field"] == "status"
            && e["new_value"] == "done"
            && e["username"] == "partner"));

        // The audit trail names the consent rule.
        let r = app
            .get("admin", &format!("/api/v1/audit?participant={id}"))
            .await;
        let events = r.json.as_array().unwrap();
        assert!(events.iter().any(|e| e["action"] == "plan.step.update"
            && e["username"] == "partner"
            && e["outcome"] == "allowed:partner:consent:action_plan"));
        assert!(events.iter().any(|e| e["action"] == "plan.step.update"
            && e["username"] == "partner"
            && e["outcome"] == "denied"));

        // A caseworker of another unit under such a consent reads, never changes.
        app.post(
            "cw_a",
            &format!("/api/v1/participants/{id}/consents"),
            json!({ "organisation_ids": [app.org_b], "categories": ["action_plan"],
                              "method": "verbal" }),
        )
        .await
        .must(201);
        let r = app.get("cw_b", &plan(id)).await.must(200);
        assert_eq!(r.json["goal_editable"], false);
        assert!(r.json["steps"]
            .as_array()
            .unwrap()
            .iter()
            .all(|s| s["editable"] == false));
        app.patch(
            "cw_b",
            &format!("{}/{step_a}", steps(id)),
            json!({ "status": "active" }),
        )
        .await
        .assert_problem(404, &[]);

        // Revoked: the plan is gone on the next request.
        app.post(
            "cw_a",
            &format!("/api/v1/participants/{id}/consents/{cid}/revoke"),
            json!({ "reason": "återkallat per telefon" }),
        )
        .await
        .must(200);
        app.get("partner", &plan(id)).await.assert_problem(404, &[]);
        app.patch(
            "partner",
            &format!("{}/{step_af}", steps(id)),
            json!({ "result_note": "x" }),
        )
        .await
        .assert_problem(404, &[]);
    }
);
