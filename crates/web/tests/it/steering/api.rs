//! The steering group (styrgrupp) through the public API on both engines: a
//! group with AF and unit A as members, a meeting, a case, a decision that
//! creates a step for AF and changes an existing step — the plan and its
//! history name the decision — the decision's own history, validation that
//! names fields (also inside `create_steps`) and leaves nothing partial, and
//! access: another unit 404 / empty lists, analyst 403, a partner of a member
//! organisation reads the group but sees participants only under consent;
//! the audit trail records it all.

use crate::common;

use chrono::Duration;
use common::{day, TestApp};
use reqwest::Method;
use serde_json::{json, Value};

async fn af(app: &TestApp) -> i64 {
    app.store
        .organisation_by_name("AF")
        .await
        .unwrap()
        .expect("AF exists")
        .id
}

/// A participant of `user`'s unit with a plan and one planned step of
/// unit A. Returns (participant, step).
async fn participant_with_plan(app: &TestApp, user: &str, i: u32, org: i64) -> (i64, i64) {
    let id = app
        .create(
            user,
            json!({ "identity_number": common::pnr(i), "first_name": "Styr", "last_name": "Gruppsson" }),
        )
        .await["id"]
        .as_i64()
        .unwrap();
    let r = app
        .call(
            user,
            Method::PUT,
            &format!("/api/v1/participants/{id}/plan"),
            Some(&json!({ "goal_kind": "education", "goal_title": "Vård- och omsorgsprogrammet" })),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.text);
    let t = app.today();
    let r = app
        .call(
            user,
            Method::POST,
            &format!("/api/v1/participants/{id}/plan/steps"),
            Some(&json!({
                "activity_type": "income_support_follow_up",
                "organisation_id": org,
                "start_date": day(t),
                "due_date": day(t + Duration::days(60)),
            })),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.text);
    (id, r.json["id"].as_i64().unwrap())
}

async fn group(app: &TestApp) -> i64 {
    let af = af(app).await;
    let r = app
        .call(
            "cw_a",
            Method::POST,
            "/api/v1/steering-groups",
            Some(&json!({ "name": "Styrgrupp Söderort", "organisation_ids": [app.org_a, af] })),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.text);
    assert_eq!(r.json["organisation_ids"].as_array().unwrap().len(), 2);
    r.json["id"].as_i64().unwrap()
}

fn g(gid: i64, rest: &str) -> String {
    format!("/api/v1/steering-groups/{gid}{rest}")
}

async fn plan(app: &TestApp, id: i64) -> Value {
    let r = app
        .call(
            "cw_a",
            Method::GET,
            &format!("/api/v1/participants/{id}/plan"),
            None,
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    r.json
}

async fn history(app: &TestApp, id: i64) -> Vec<Value> {
    let r = app
        .call(
            "cw_a",
            Method::GET,
            &format!("/api/v1/participants/{id}/plan/history"),
            None,
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    r.json.as_array().unwrap().clone()
}

async fn audit(app: &TestApp) -> Vec<Value> {
    let r = app
        .call("admin", Method::GET, "/api/v1/audit?limit=1000", None)
        .await;
    assert_eq!(r.status, 200, "{}", r.text);
    r.json.as_array().unwrap().clone()
}

both_engines!(
    a_decision_creates_and_changes_plan_steps_with_history,
    |app: TestApp| async move {
        let af = af(&app).await;
        let gid = group(&app).await;
        let (pid, step) = participant_with_plan(&app, "cw_a", 1, app.org_a).await;
        let t = app.today();

        let r = app
            .call(
                "cw_a",
                Method::POST,
                &g(gid, "/meetings"),
                Some(&json!({ "meeting_date": day(t), "notes": "Månadsmöte" })),
            )
            .await;
        assert_eq!(r.status, 201, "{}", r.text);
        let meeting = r.json["id"].as_i64().unwrap();

        let r = app
            .call(
                "cw_a",
                Method::POST,
                &g(gid, "/cases"),
                Some(&json!({ "participant_id": pid, "question": "Kan studier prövas med försörjningsstöd?" })),
            )
            .await;
        assert_eq!(r.status, 201, "{}", r.text);
        assert_eq!(r.json["status"], "open");
        assert_eq!(r.json["participant"]["id"], pid);
        let case = r.json["id"].as_i64().unwrap();

        let r = app
            .call(
                "cw_a",
                Method::POST,
                &g(gid, "/decisions"),
                Some(&json!({
                    "text": "Pröva-på-studier med bibehållet försörjningsstöd",
                    "case_id": case,
                    "meeting_id": meeting,
                    "organisation_ids": [app.org_a, af],
                    "follow_up_date": day(t + Duration::days(30)),
                    "create_steps": [{
                        "participant_id": pid,
                        "activity_type": "adult_education",
                        "organisation_id": af,
                        "start_date": day(t + Duration::days(7)),
                        "due_date": day(t + Duration::days(97)),
                    }],
                    "update_steps": [{ "participant_id": pid, "step_id": step, "status": "active" }],
                })),
            )
            .await;
        assert_eq!(r.status, 201, "{}", r.text);
        let did = r.json["id"].as_i64().unwrap();
        assert_eq!(r.json["status"], "open");
        assert_eq!(r.json["participants"][0]["id"], pid);
        assert_eq!(r.json["hidden_participants"], 0);
        let steps = r.json["steps"].as_array().unwrap().clone();
        assert_eq!(steps.len(), 2, "{steps:?}");
        let new_step = steps.iter().find(|s| s["change"] == "created").unwrap()["step_id"]
            .as_i64()
            .unwrap();

        // The plan shows both changes, and its history names the decision.
        let p = plan(&app, pid).await;
        let ps = p["steps"].as_array().unwrap();
        assert_eq!(ps.len(), 2);
        let created = ps.iter().find(|s| s["id"] == new_step).unwrap();
        assert_eq!(created["organisation_id"], af);
        assert_eq!(created["activity_type"], "adult_education");
        assert_eq!(
            ps.iter().find(|s| s["id"] == step).unwrap()["status"],
            "active"
        );
        let h = history(&app, pid).await;
        let status_change = h
            .iter()
            .find(|e| e["step_id"] == step && e["field"] == "status" && e["change"] == "updated")
            .expect("status change in history");
        assert_eq!(status_change["old_value"], "planned");
        assert_eq!(status_change["new_value"], "active");
        assert_eq!(status_change["decision_id"], did);
        assert!(h
            .iter()
            .filter(|e| e["step_id"] == new_step)
            .all(|e| e["decision_id"] == did && e["change"] == "created"));
        // Edits made directly on the plan name no decision.
        assert!(h
            .iter()
            .filter(|e| e["step_id"].is_null())
            .all(|e| e["decision_id"].is_null()));

        // The case is decided; the decision's follow-up is changed, and kept.
        let r = app.call("cw_a", Method::GET, &g(gid, "/cases"), None).await;
        assert_eq!(r.json[0]["status"], "decided", "{}", r.text);
        let r = app
            .call(
                "cw_a2",
                Method::PATCH,
                &g(gid, &format!("/decisions/{did}")),
                Some(&json!({ "status": "in_progress", "follow_up_date": day(t + Duration::days(60)), "version": 1 })),
            )
            .await;
        assert_eq!(r.status, 200, "{}", r.text);
        assert_eq!(r.json["status"], "in_progress");
        assert_eq!(r.json["version"], 2);
        let hist = r.json["history"].as_array().unwrap();
        let st: Vec<&Value> = hist.iter().filter(|e| e["field"] == "status").collect();
        assert_eq!(st.len(), 2, "{hist:?}");
        assert_eq!(st[1]["old_value"], "open");
        assert_eq!(st[1]["new_value"], "in_progress");
        assert_eq!(st[1]["user_id"], app.user_ids["cw_a2"]);
        // A stale version and an unknown status.
        app.call(
            "cw_a",
            Method::PATCH,
            &g(gid, &format!("/decisions/{did}")),
            Some(&json!({ "status": "done", "version": 1 })),
        )
        .await
        .assert_problem(409, &[]);
        app.call(
            "cw_a",
            Method::PATCH,
            &g(gid, &format!("/decisions/{did}")),
            Some(&json!({ "status": "finished", "text": "x" })),
        )
        .await
        .assert_problem(422, &["status", "text"]);

        let r = app
            .call("cw_a", Method::GET, &g(gid, "/decisions"), None)
            .await;
        assert_eq!(r.status, 200, "{}", r.text);
        assert_eq!(r.json.as_array().unwrap().len(), 1);
        assert_eq!(r.json[0]["status"], "in_progress");

        // Audited: the group, the decision, the plan update it rests on.
        let events = audit(&app).await;
        let has = |action: &str, outcome: &str| {
            events.iter().any(|e| {
                e["action"] == action && e["outcome"] == outcome && e["username"] == "cw_a"
            })
        };
        assert!(
            has("steering.group.create", "allowed:caseworker:anywhere"),
            "{events:?}"
        );
        assert!(has("steering.decision.create", "allowed:caseworker:member"));
        assert!(has(
            "steering.decision.recorded",
            "allowed:caseworker:member"
        ));
        assert!(events.iter().any(|e| e["action"] == "participant.update"
            && e["outcome"] == "allowed:caseworker:own_organisation"
            && e["detail"] == format!("steering group {gid}")
            && e["participant_ids"] == json!([pid])));
        assert!(has("steering.case.list", "allowed:caseworker:member"));
        assert!(events
            .iter()
            .any(|e| e["action"] == "steering.decision.update" && e["username"] == "cw_a2"));
    }
);

both_engines!(
    invalid_decisions_name_fields_and_leave_nothing,
    |app: TestApp| async move {
        let af = af(&app).await;
        let gid = group(&app).await;
        let (pid, step) = participant_with_plan(&app, "cw_a", 2, app.org_a).await;
        let (pid_b, step_b) = participant_with_plan(&app, "cw_b", 3, app.org_b).await;
        let t = app.today();
        let good = json!({
            "participant_id": pid, "activity_type": "sfi", "organisation_id": af,
            "start_date": day(t), "due_date": day(t + Duration::days(30)),
        });
        let before_plan = plan(&app, pid).await;
        let before_history = history(&app, pid).await.len();

        // Input errors, each by its place.
        let r = app
            .call(
                "cw_a",
                Method::POST,
                &g(gid, "/decisions"),
                Some(&json!({
                    "text": " ",
                    "status": "someday",
                    "follow_up_date": "2026-02-30",
                    "organisation_ids": "A",
                    "create_steps": [good.clone(), {
                        "participant_id": pid, "activity_type": "sfi", "organisation_id": af,
                        "start_date": day(t), "due_date": day(t - Duration::days(1)), "colour": "red",
                    }],
                    "update_steps": [{ "step_id": step, "status": 5 }],
                })),
            )
            .await;
        r.assert_problem(
            422,
            &[
                "text",
                "status",
                "follow_up_date",
                "organisation_ids",
                "create_steps[1].due_date",
                "create_steps[1].colour",
                "update_steps[0].participant_id",
                "update_steps[0].status",
            ],
        );

        // Errors found while applying: a valid first step, then a step change
        // the plan rules refuse — nothing of either is kept.
        let r = app
            .call("cw_a", Method::POST, &g(gid, "/decisions"), Some(&json!({
                "text": "Avslutas",
                "create_steps": [good.clone()],
                "update_steps": [{ "participant_id": pid, "step_id": step, "status": "done" },
                                 { "participant_id": pid, "step_id": step, "status": "planned" }],
            })))
            .await;
        r.assert_problem(422, &["update_steps[1].status"]);
        let r = app
            .call("cw_a", Method::POST, &g(gid, "/decisions"), Some(&json!({
                "text": "Okänd",
                "create_steps": [good.clone(), {
                    "participant_id": pid, "activity_type": "sfi", "organisation_id": 999_999,
                    "start_date": day(t), "due_date": day(t),
                }],
                "update_steps": [{ "participant_id": pid, "step_id": 999_999, "status": "active" }],
            })))
            .await;
        r.assert_problem(422, &["create_steps[1].organisation_id"]);
        let r = app
            .call("cw_a", Method::POST, &g(gid, "/decisions"), Some(&json!({
                "text": "Okänt steg",
                "update_steps": [{ "participant_id": pid, "step_id": step_b, "status": "active" }],
            })))
            .await;
        r.assert_problem(422, &["update_steps[0].step_id"]);
        let r = app
            .call(
                "cw_a",
                Method::POST,
                &g(gid, "/decisions"),
                Some(&json!({
                    "text": "Fel ärende", "case_id": 999_999,
                })),
            )
            .await;
        r.assert_problem(422, &["case_id"]);

        // A participant cw_a may not work with: 404, and nothing written.
        let r = app
            .call("cw_a", Method::POST, &g(gid, "/decisions"), Some(&json!({
                "text": "Två personer",
                "create_steps": [good.clone()],
                "update_steps": [{ "participant_id": pid_b, "step_id": step_b, "status": "active" }],
            })))
            .await;
        r.assert_problem(404, &[]);
        let r = app
            .call(
                "cw_a",
                Method::POST,
                &g(gid, "/decisions"),
                Some(&json!({
                    "text": "Berör", "participant_ids": [pid_b],
                })),
            )
            .await;
        r.assert_problem(404, &[]);
        let r = app
            .call(
                "cw_a",
                Method::POST,
                &g(gid, "/cases"),
                Some(&json!({
                    "participant_id": pid_b, "question": "?",
                })),
            )
            .await;
        r.assert_problem(404, &[]);

        let after_plan = plan(&app, pid).await;
        assert_eq!(before_plan["steps"], after_plan["steps"]);
        assert_eq!(history(&app, pid).await.len(), before_history);
        let r = app
            .call("cw_a", Method::GET, &g(gid, "/decisions"), None)
            .await;
        assert_eq!(r.json, json!([]), "{}", r.text);
        let r = app.call("cw_a", Method::GET, &g(gid, "/cases"), None).await;
        assert_eq!(r.json, json!([]), "{}", r.text);
        let r = app
            .call(
                "cw_b",
                Method::GET,
                &format!("/api/v1/participants/{pid_b}/plan"),
                None,
            )
            .await;
        assert_eq!(r.json["steps"][0]["status"], "planned", "{}", r.text);

        // Groups and meetings name their fields too.
        app.call(
            "cw_a",
            Method::POST,
            "/api/v1/steering-groups",
            Some(&json!({ "organisation_ids": [] })),
        )
        .await
        .assert_problem(422, &["name", "organisation_ids"]);
        app.call(
            "cw_a",
            Method::POST,
            "/api/v1/steering-groups",
            Some(&json!({ "name": "X", "organisation_ids": [999_999] })),
        )
        .await
        .assert_problem(422, &["organisation_ids"]);
        app.call(
            "cw_a",
            Method::POST,
            &g(gid, "/meetings"),
            Some(&json!({ "meeting_date": "igår" })),
        )
        .await
        .assert_problem(422, &["meeting_date"]);

        // The refusal is audited.
        let events = audit(&app).await;
        assert!(
            events.iter().any(|e| e["action"] == "participant.update"
                && e["outcome"] == "denied"
                && e["username"] == "cw_a"
                && e["participant_ids"]
                    .as_array()
                    .is_some_and(|a| a.contains(&json!(pid_b)))),
            "{events:?}"
        );
    }
);

both_engines!(
    access_members_read_partners_see_participants_only_under_consent,
    |app: TestApp| async move {
        let af = af(&app).await;
        let gid = group(&app).await;
        let (pid, step) = participant_with_plan(&app, "cw_a", 4, app.org_a).await;
        let r = app
            .call(
                "cw_a",
                Method::POST,
                &g(gid, "/cases"),
                Some(&json!({ "participant_id": pid, "question": "Insatser?" })),
            )
            .await;
        assert_eq!(r.status, 201, "{}", r.text);
        let r = app
            .call(
                "cw_a",
                Method::POST,
                &g(gid, "/decisions"),
                Some(
                    &json!({ "text": "Gemensam uppföljning", "participant_ids": [pid],
                                "organisation_ids": [af] }),
                ),
            )
            .await;
        assert_eq!(r.status, 201, "{}", r.text);
        let did = r.json["id"].as_i64().unwrap();

        // Another unit, not a member: nothing exists.
        let r = app
            .call("cw_b", Method::GET, "/api/v1/steering-groups", None)
            .await;
        assert_eq!(r.status, 200);
        assert_eq!(r.json, json!([]));
        // Lists agree with single reads: B's own group is B's alone (admins see all).
        let r = app
            .call(
                "cw_b",
                Method::POST,
                "/api/v1/steering-groups",
                Some(&json!({ "name": "Styrgrupp B", "organisation_ids": [app.org_b] })),
            )
            .await;
        assert_eq!(r.status, 201, "{}", r.text);
        let gid_b = r.json["id"].as_i64().unwrap();
        for (user, expected) in [
            ("cw_b", vec![gid_b]),
            ("cw_a", vec![gid]),
            ("partner", vec![gid]),
            ("admin", vec![gid, gid_b]),
        ] {
            let r = app
                .call(user, Method::GET, "/api/v1/steering-groups", None)
                .await;
            assert_eq!(r.status, 200, "{}", r.text);
            let ids: Vec<i64> = r
                .json
                .as_array()
                .unwrap()
                .iter()
                .map(|g| g["id"].as_i64().unwrap())
                .collect();
            assert_eq!(ids, expected, "{user}");
        }
        app.call("cw_a", Method::GET, &g(gid_b, ""), None)
            .await
            .assert_problem(404, &[]);
        app.call("partner", Method::GET, &g(gid_b, "/decisions"), None)
            .await
            .assert_problem(404, &[]);
        for path in ["", "/meetings", "/cases", "/decisions"] {
            app.call("cw_b", Method::GET, &g(gid, path), None)
                .await
                .assert_problem(404, &[]);
        }
        app.call(
            "cw_b",
            Method::POST,
            &g(gid, "/meetings"),
            Some(&json!({ "meeting_date": "2026-11-01" })),
        )
        .await
        .assert_problem(404, &[]);
        app.call(
            "cw_b",
            Method::PATCH,
            &g(gid, &format!("/decisions/{did}")),
            Some(&json!({ "status": "done" })),
        )
        .await
        .assert_problem(404, &[]);
        app.call("cw_a", Method::GET, &g(999_999, ""), None)
            .await
            .assert_problem(404, &[]);

        // Roles that never take part: 403.
        for user in ["analyst", "employer", "coordinator"] {
            app.call(user, Method::GET, "/api/v1/steering-groups", None)
                .await
                .assert_problem(403, &[]);
            app.call(user, Method::GET, &g(gid, "/decisions"), None)
                .await
                .assert_problem(403, &[]);
            app.call(
                user,
                Method::POST,
                "/api/v1/steering-groups",
                Some(&json!({ "name": "X", "organisation_ids": [af] })),
            )
            .await
            .assert_problem(403, &[]);
        }

        // A partner of a member organisation reads the group, not the person.
        let r = app
            .call("partner", Method::GET, "/api/v1/steering-groups", None)
            .await;
        assert_eq!(r.json.as_array().unwrap().len(), 1, "{}", r.text);
        let r = app
            .call("partner", Method::GET, &g(gid, "/cases"), None)
            .await;
        assert_eq!(r.status, 200, "{}", r.text);
        assert!(r.json[0]["participant"].is_null(), "{}", r.text);
        assert!(r.json[0]["question"].is_null());
        let r = app
            .call("partner", Method::GET, &g(gid, "/decisions"), None)
            .await;
        assert_eq!(r.json[0]["text"], "Gemensam uppföljning");
        assert_eq!(r.json[0]["participants"], json!([]));
        assert_eq!(r.json[0]["hidden_participants"], 1);
        assert!(!r.text.contains("Gruppsson"));
        // Partners read; they do not record.
        app.call(
            "partner",
            Method::POST,
            &g(gid, "/decisions"),
            Some(&json!({ "text": "x" })),
        )
        .await
        .assert_problem(403, &[]);
        app.call(
            "partner",
            Method::POST,
            "/api/v1/steering-groups",
            Some(&json!({ "name": "X", "organisation_ids": [af] })),
        )
        .await
        .assert_problem(403, &[]);

        // With consent naming AF the identity shows.
        let r = app
            .call("cw_a", Method::POST, &format!("/api/v1/participants/{pid}/consents"),
                  Some(&json!({ "organisation_ids": [af], "categories": ["action_plan"], "method": "written" })))
            .await;
        assert_eq!(r.status, 201, "{}", r.text);
        let r = app
            .call("partner", Method::GET, &g(gid, "/cases"), None)
            .await;
        assert_eq!(r.json[0]["participant"]["id"], pid, "{}", r.text);
        assert_eq!(r.json[0]["participant"]["last_name"], "Gruppsson");
        let r = app
            .call("partner", Method::GET, &g(gid, "/decisions"), None)
            .await;
        assert_eq!(r.json[0]["participants"][0]["id"], pid);
        assert_eq!(r.json[0]["hidden_participants"], 0);

        // An admin reads any group (audited) and records decisions, but
        // never changes a plan: 403 for step changes, nothing written.
        let r = app.call("admin", Method::GET, &g(gid, ""), None).await;
        assert_eq!(r.status, 200, "{}", r.text);
        let r = app
            .call("admin", Method::POST, &g(gid, "/decisions"),
                  Some(&json!({ "text": "Admin", "participant_ids": [pid],
                                "update_steps": [{ "participant_id": pid, "step_id": step, "status": "active" }] })))
            .await;
        r.assert_problem(403, &[]);
        let r = app
            .call(
                "admin",
                Method::POST,
                &g(gid, "/decisions"),
                Some(&json!({ "text": "Uppföljning i januari", "participant_ids": [pid] })),
            )
            .await;
        assert_eq!(r.status, 201, "{}", r.text);
        let r = app
            .call("cw_a", Method::GET, &g(gid, "/decisions"), None)
            .await;
        assert_eq!(r.json.as_array().unwrap().len(), 2, "{}", r.text);
        let events = audit(&app).await;
        assert!(
            events.iter().any(|e| e["action"] == "steering.group.read"
                && e["username"] == "cw_b"
                && e["outcome"] == "denied"),
            "{events:?}"
        );
        assert!(events.iter().any(|e| e["action"] == "steering.group.list"
            && e["username"] == "analyst"
            && e["outcome"] == "denied"));
        assert!(events.iter().any(|e| e["action"] == "participant.read"
            && e["username"] == "partner"
            && e["outcome"] == "allowed:partner:consent"
            // The consent it rests on is named after the context.
            && e["detail"]
                .as_str()
                .is_some_and(|d| d.starts_with(&format!("steering group {gid}; consent ")))));
        assert!(events.iter().any(|e| e["action"] == "steering.group.read"
            && e["username"] == "admin"
            && e["outcome"] == "allowed:admin:anywhere"));
    }
);

both_engines!(
    openapi_lists_the_steering_endpoints,
    |app: TestApp| async move {
        let r = app
            .call("cw_a", Method::GET, "/api/v1/openapi.json", None)
            .await;
        let paths = &r.json["paths"];
        for p in [
            "/api/v1/steering-groups",
            "/api/v1/steering-groups/{id}",
            "/api/v1/steering-groups/{id}/meetings",
            "/api/v1/steering-groups/{id}/cases",
            "/api/v1/steering-groups/{id}/decisions",
            "/api/v1/steering-groups/{id}/decisions/{decision_id}",
        ] {
            assert!(
                paths.get(p).is_some(),
                "{p} missing: {:?}",
                paths.as_object().map(|o| o.keys().collect::<Vec<_>>())
            );
        }
        assert!(r.json["components"]["schemas"].get("DecisionIn").is_some());
    }
);
