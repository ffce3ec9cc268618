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
use serde_json::{json, Value};

/// A participant of `user`'s unit with a plan and one planned step of
/// unit A. Returns (participant, step).
async fn participant_with_plan(app: &TestApp, user: &str, i: u32, org: i64) -> (i64, i64) {
    let id = app.register(user, i, "Styr", "Gruppsson").await;
    app.put(
        user,
        &format!("/api/v1/participants/{id}/plan"),
        json!({ "goal_kind": "education", "goal_title": "Vård- och omsorgsprogrammet" }),
    )
    .await
    .must(201);
    let t = app.today();
    let r = app
        .post(
            user,
            &format!("/api/v1/participants/{id}/plan/steps"),
            json!({
                "activity_type": "income_support_follow_up",
                "organisation_id": org,
                "start_date": day(t),
                "due_date": day(t + Duration::days(60)),
            }),
        )
        .await
        .must(201);
    (id, r.id())
}

async fn group(app: &TestApp) -> i64 {
    let af = app.org("AF").await;
    let r = app
        .post(
            "cw_a",
            "/api/v1/steering-groups",
            json!({ "name": "Styrgrupp Söderort", "organisation_ids": [app.org_a, af] }),
        )
        .await
        .must(201);
    assert_eq!(r.json["organisation_ids"].as_array().unwrap().len(), 2);
    r.id()
}

fn g(gid: i64, rest: &str) -> String {
    format!("/api/v1/steering-groups/{gid}{rest}")
}

async fn plan(app: &TestApp, id: i64) -> Value {
    let r = app
        .get("cw_a", &format!("/api/v1/participants/{id}/plan"))
        .await
        .must(200);
    r.json
}

async fn history(app: &TestApp, id: i64) -> Vec<Value> {
    let r = app
        .get("cw_a", &format!("/api/v1/participants/{id}/plan/history"))
        .await
        .must(200);
    r.array()
}

async fn audit(app: &TestApp) -> Vec<Value> {
    let r = app.get("admin", "/api/v1/audit?limit=1000").await.must(200);
    r.array()
}

both_engines!(
    a_decision_creates_and_changes_plan_steps_with_history,
    |app: TestApp| async move {
        let af = app.org("AF").await;
        let gid = group(&app).await;
        let (pid, step) = participant_with_plan(&app, "cw_a", 1, app.org_a).await;
        let t = app.today();

        let meeting = app
            .post(
                "cw_a",
                &g(gid, "/meetings"),
                json!({ "meeting_date": day(t), "notes": "Månadsmöte" }),
            )
            .await
            .must(201)
            .id();

        let r = app
            .post(
                "cw_a",
                &g(gid, "/cases"),
                json!({ "participant_id": pid,
                    "question": "Kan studier prövas med försörjningsstöd?" }),
            )
            .await
            .must(201);
        assert_eq!(r.json["status"], "open");
        assert_eq!(r.json["participant"]["id"], pid);
        let case = r.id();

        let r = app
            .post(
                "cw_a",
                &g(gid, "/decisions"),
                json!({
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
                    "update_steps": [{ "participant_id": pid, "step_id": step,
                        "status": "active" }],
                }),
            )
            .await
            .must(201);
        let did = r.id();
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
        let r = app.get("cw_a", &g(gid, "/cases")).await;
        assert_eq!(r.json[0]["status"], "decided", "{}", r.text);
        let r = app
            .patch(
                "cw_a2",
                &g(gid, &format!("/decisions/{did}")),
                json!({ "status": "in_progress", "follow_up_date": day(t + Duration::days(60)),
                    "version": 1 }),
            )
            .await
            .must(200);
        assert_eq!(r.json["status"], "in_progress");
        assert_eq!(r.json["version"], 2);
        let hist = r.json["history"].as_array().unwrap();
        let st: Vec<&Value> = hist.iter().filter(|e| e["field"] == "status").collect();
        assert_eq!(st.len(), 2, "{hist:?}");
        assert_eq!(st[1]["old_value"], "open");
        assert_eq!(st[1]["new_value"], "in_progress");
        assert_eq!(st[1]["user_id"], app.user_ids["cw_a2"]);
        // A stale version and an unknown status.
        app.patch(
            "cw_a",
            &g(gid, &format!("/decisions/{did}")),
            json!({ "status": "done", "version": 1 }),
        )
        .await
        .assert_problem(409, &[]);
        app.patch(
            "cw_a",
            &g(gid, &format!("/decisions/{did}")),
            json!({ "status": "finished", "text": "x" }),
        )
        .await
        .assert_problem(422, &["status", "text"]);

        let r = app.get("cw_a", &g(gid, "/decisions")).await.must(200);
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
        let af = app.org("AF").await;
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
        app.post(
            "cw_a",
            &g(gid, "/decisions"),
            json!({
                "text": " ",
                "status": "someday",
                "follow_up_date": "2026-02-30",
                "organisation_ids": "A",
                "create_steps": [good.clone(), {
                    "participant_id": pid, "activity_type": "sfi", "organisation_id": af,
                    "start_date": day(t), "due_date": day(t - Duration::days(1)), "colour": "red",
                }],
                "update_steps": [{ "step_id": step, "status": 5 }],
            }),
        )
        .await
        .assert_problem(
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
        app.post(
            "cw_a",
            &g(gid, "/decisions"),
            json!({
                "text": "Avslutas",
                "create_steps": [good.clone()],
                "update_steps": [{ "participant_id": pid, "step_id": step, "status": "done" },
                                 { "participant_id": pid, "step_id": step, "status": "planned" }],
            }),
        )
        .await
        .assert_problem(422, &["update_steps[1].status"]);
        app.post(
            "cw_a",
            &g(gid, "/decisions"),
            json!({
                "text": "Okänd",
                "create_steps": [good.clone(), {
                    "participant_id": pid, "activity_type": "sfi", "organisation_id": 999_999,
                    "start_date": day(t), "due_date": day(t),
                }],
                "update_steps": [{ "participant_id": pid, "step_id": 999_999, "status": "active" }],
            }),
        )
        .await
        .assert_problem(422, &["create_steps[1].organisation_id"]);
        app.post(
            "cw_a",
            &g(gid, "/decisions"),
            json!({
                "text": "Okänt steg",
                "update_steps": [{ "participant_id": pid, "step_id": step_b, "status": "active" }],
            }),
        )
        .await
        .assert_problem(422, &["update_steps[0].step_id"]);
        app.post(
            "cw_a",
            &g(gid, "/decisions"),
            json!({
                "text": "Fel ärende", "case_id": 999_999,
            }),
        )
        .await
        .assert_problem(422, &["case_id"]);

        // A participant cw_a may not work with: 404, and nothing written.
        app.post(
            "cw_a",
            &g(gid, "/decisions"),
            json!({
                "text": "Två personer",
                "create_steps": [good.clone()],
                "update_steps": [{ "participant_id": pid_b, "step_id": step_b,
                    "status": "active" }],
            }),
        )
        .await
        .assert_problem(404, &[]);
        app.post(
            "cw_a",
            &g(gid, "/decisions"),
            json!({
                "text": "Berör", "participant_ids": [pid_b],
            }),
        )
        .await
        .assert_problem(404, &[]);
        app.post(
            "cw_a",
            &g(gid, "/cases"),
            json!({
                "participant_id": pid_b, "question": "?",
            }),
        )
        .await
        .assert_problem(404, &[]);

        let after_plan = plan(&app, pid).await;
        assert_eq!(before_plan["steps"], after_plan["steps"]);
        assert_eq!(history(&app, pid).await.len(), before_history);
        let r = app.get("cw_a", &g(gid, "/decisions")).await;
        assert_eq!(r.json, json!([]), "{}", r.text);
        let r = app.get("cw_a", &g(gid, "/cases")).await;
        assert_eq!(r.json, json!([]), "{}", r.text);
        let r = app
            .get("cw_b", &format!("/api/v1/participants/{pid_b}/plan"))
            .await;
        assert_eq!(r.json["steps"][0]["status"], "planned", "{}", r.text);

        // Groups and meetings name their fields too.
        app.post(
            "cw_a",
            "/api/v1/steering-groups",
            json!({ "organisation_ids": [] }),
        )
        .await
        .assert_problem(422, &["name", "organisation_ids"]);
        app.post(
            "cw_a",
            "/api/v1/steering-groups",
            json!({ "name": "X", "organisation_ids": [999_999] }),
        )
        .await
        .assert_problem(422, &["organisation_ids"]);
        app.post(
            "cw_a",
            &g(gid, "/meetings"),
            json!({ "meeting_date": "igår" }),
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
        let af = app.org("AF").await;
        let gid = group(&app).await;
        let (pid, step) = participant_with_plan(&app, "cw_a", 4, app.org_a).await;
        app.post(
            "cw_a",
            &g(gid, "/cases"),
            json!({ "participant_id": pid, "question": "Insatser?" }),
        )
        .await
        .must(201);
        let did = app
            .post(
                "cw_a",
                &g(gid, "/decisions"),
                json!({ "text": "Gemensam uppföljning", "participant_ids": [pid],
                                "organisation_ids": [af] }),
            )
            .await
            .must(201)
            .id();

        // Another unit, not a member: nothing exists.
        let r = app.get("cw_b", "/api/v1/steering-groups").await.must(200);
        assert_eq!(r.json, json!([]));
        // Lists agree with single reads: B's own group is B's alone (admins see all).
        let gid_b = app
            .post(
                "cw_b",
                "/api/v1/steering-groups",
                json!({ "name": "Styrgrupp B", "organisation_ids": [app.org_b] }),
            )
            .await
            .must(201)
            .id();
        for (user, expected) in [
            ("cw_b", vec![gid_b]),
            ("cw_a", vec![gid]),
            ("partner", vec![gid]),
            ("admin", vec![gid, gid_b]),
        ] {
            let r = app.get(user, "/api/v1/steering-groups").await.must(200);
            let ids: Vec<i64> = r
                .json
                .as_array()
                .unwrap()
                .iter()
                .map(|g| g["id"].as_i64().unwrap())
                .collect();
            assert_eq!(ids, expected, "{user}");
        }
        app.get("cw_a", &g(gid_b, ""))
            .await
            .assert_problem(404, &[]);
        app.get("partner", &g(gid_b, "/decisions"))
            .await
            .assert_problem(404, &[]);
        for path in ["", "/meetings", "/cases", "/decisions"] {
            app.get("cw_b", &g(gid, path))
                .await
                .assert_problem(404, &[]);
        }
        app.post(
            "cw_b",
            &g(gid, "/meetings"),
            json!({ "meeting_date": "2026-11-01" }),
        )
        .await
        .assert_problem(404, &[]);
        app.patch(
            "cw_b",
            &g(gid, &format!("/decisions/{did}")),
            json!({ "status": "done" }),
        )
        .await
        .assert_problem(404, &[]);
        app.get("cw_a", &g(999_999, ""))
            .await
            .assert_problem(404, &[]);

        // Roles that never take part: 403.
        for user in ["analyst", "employer", "coordinator"] {
            app.get(user, "/api/v1/steering-groups")
                .await
                .assert_problem(403, &[]);
            app.get(user, &g(gid, "/decisions"))
                .await
                .assert_problem(403, &[]);
            app.post(
                user,
                "/api/v1/steering-groups",
                json!({ "name": "X", "organisation_ids": [af] }),
            )
            .await
            .assert_problem(403, &[]);
        }

        // A partner of a member organisation reads the group, not the person.
        let r = app.get("partner", "/api/v1/steering-groups").await;
        assert_eq!(r.json.as_array().unwrap().len(), 1, "{}", r.text);
        let r = app.get("partner", &g(gid, "/cases")).await.must(200);
        assert!(r.json[0]["participant"].is_null(), "{}", r.text);
        assert!(r.json[0]["question"].is_null());
        let r = app.get("partner", &g(gid, "/decisions")).await;
        assert_eq!(r.json[0]["text"], "Gemensam uppföljning");
        assert_eq!(r.json[0]["participants"], json!([]));
        assert_eq!(r.json[0]["hidden_participants"], 1);
        assert!(!r.text.contains("Gruppsson"));
        // Partners read; they do not record.
        app.post("partner", &g(gid, "/decisions"), json!({ "text": "x" }))
            .await
            .assert_problem(403, &[]);
        app.post(
            "partner",
            "/api/v1/steering-groups",
            json!({ "name": "X", "organisation_ids": [af] }),
        )
        .await
        .assert_problem(403, &[]);

        // With consent naming AF the identity shows.
        app.post(
            "cw_a",
            &format!("/api/v1/participants/{pid}/consents"),
            json!({ "organisation_ids": [af], "categories": ["action_plan"], "method": "written" }),
        )
        .await
        .must(201);
        let r = app.get("partner", &g(gid, "/cases")).await;
        assert_eq!(r.json[0]["participant"]["id"], pid, "{}", r.text);
        assert_eq!(r.json[0]["participant"]["last_name"], "Gruppsson");
        let r = app.get("partner", &g(gid, "/decisions")).await;
        assert_eq!(r.json[0]["participants"][0]["id"], pid);
        assert_eq!(r.json[0]["hidden_participants"], 0);

        // An admin reads any group (audited) and records decisions, but
        // never changes a plan: 403 for step changes, nothing written.
        app.get("admin", &g(gid, "")).await.must(200);
        app.post(
            "admin",
            &g(gid, "/decisions"),
            json!({ "text": "Admin", "participant_ids": [pid],
                                "update_steps": [{ "participant_id": pid, "step_id": step,
                                    "status": "active" }] }),
        )
        .await
        .assert_problem(403, &[]);
        app.post(
            "admin",
            &g(gid, "/decisions"),
            json!({ "text": "Uppföljning i januari", "participant_ids": [pid] }),
        )
        .await
        .must(201);
        let r = app.get("cw_a", &g(gid, "/decisions")).await;
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
        let r = app.get("cw_a", "/api/v1/openapi.json").await;
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
