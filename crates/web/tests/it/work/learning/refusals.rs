//! `/api/v1/learning-employments`: what it refuses. Every rule refused with
//! a named field and nothing written; access per role (host and school
//! minimal, others 404/403) and the audit. The arrangements are in `api`.

use super::api::{arrange, count, create, done, participant, stored_weeks};
use crate::common::api::monday;
use crate::common::day;
use crate::common::work::{insert_host, insert_intervention, insert_placement};
use crate::common::{self, TestApp};
use chrono::Duration;
use reqwest::Method;
use serde_json::{json, Value};
use vagar_store::sqlx::{self, Row};

both_engines!(
    every_rule_refuses_with_a_named_field_and_writes_nothing,
    |app: TestApp| async move {
        let t = app.today();
        let start = monday(t - Duration::days(70));
        let end = monday(t + Duration::days(60)) + Duration::days(4);
        let a = arrange(&app, start, end).await;
        let body = |extra: Value| {
            let mut b = json!({"placement_id": a.placement, "school_name": "Komvux Syd",
                               "work_percent": 75, "study_percent": 25});
            for (k, v) in extra.as_object().unwrap() {
                b[k] = v.clone();
            }
            b
        };
        let nothing = "SELECT COUNT(*) AS n FROM learning_employments";
        let no_weeks = "SELECT COUNT(*) AS n FROM placement_weeks";

        let r = create(&app, "coordinator", body(json!({"study_percent": 20}))).await;
        r.assert_problem(422, &["work_percent", "study_percent"]);
        assert_eq!(r.error_code("study_percent").as_deref(), Some("split_sum"));
        assert!(r.text.contains("add up to 100"), "{}", r.text);
        create(&app, "coordinator", body(json!({"school_name": null})))
            .await
            .assert_problem(422, &["school_name"]);
        create(
            &app,
            "coordinator",
            body(json!({"deviation_threshold_pp": 101})),
        )
        .await
        .assert_problem(422, &["deviation_threshold_pp"]);
        // The school must be a school.
        let employer_org = app.org("Employer").await;
        create(
            &app,
            "coordinator",
            body(json!({"school_organisation_id": employer_org})),
        )
        .await
        .assert_problem(422, &["school_organisation_id"]);
        // A placement employed by the municipality, and one in a rental intervention.
        let other = participant(&app, 2, "Olle").await;
        let municipal = insert_placement(
            &app,
            other,
            a.intervention,
            a.host,
            &day(start),
            &day(end),
            "municipality",
        )
        .await;
        let r = create(
            &app,
            "coordinator",
            body(json!({"placement_id": municipal})),
        )
        .await;
        r.assert_problem(422, &["placement_id"]);
        assert_eq!(
            r.error_code("placement_id").as_deref(),
            Some("not_host_employed")
        );
        let rental = insert_intervention(&app, "Uthyrning", "rental").await;
        let rented =
            insert_placement(&app, other, rental, a.host, &day(start), &day(end), "host").await;
        let r = create(&app, "coordinator", body(json!({"placement_id": rented}))).await;
        assert_eq!(
            r.error_code("placement_id").as_deref(),
            Some("not_employer_model"),
            "{}",
            r.text
        );
        // No such placement.
        create(&app, "coordinator", body(json!({"placement_id": 999_999})))
            .await
            .must(404);
        assert_eq!(count(&app, nothing).await, 0);
        assert_eq!(count(&app, no_weeks).await, 0);

        create(&app, "coordinator", body(json!({}))).await.must(201);
        let weeks = count(&app, no_weeks).await;
        assert!(weeks > 15);
        create(&app, "coordinator", body(json!({})))
            .await
            .assert_problem(409, &["placement_id"]);
        assert_eq!(count(&app, nothing).await, 1);
        assert_eq!(count(&app, no_weeks).await, weeks);

        // Done hours.
        let p = a.placement;
        let this_week = day(monday(t));
        let ok = json!({"done_work_minutes": 1800, "done_study_minutes": 600, "version": 1});
        let before = day(start - Duration::days(7));
        let r = done(&app, "coordinator", p, &before, ok.clone()).await;
        r.assert_problem(422, &["week_start"]);
        assert_eq!(
            r.error_code("week_start").as_deref(),
            Some("outside_placement")
        );
        assert!(r.text.contains("outside the placement"), "{}", r.text);
        let after = day(monday(end) + Duration::days(7));
        let r = done(&app, "coordinator", p, &after, ok.clone()).await;
        assert_eq!(
            r.error_code("week_start").as_deref(),
            Some("outside_placement"),
            "{}",
            r.text
        );
        let r = done(
            &app,
            "coordinator",
            p,
            &day(start + Duration::days(1)),
            ok.clone(),
        )
        .await;
        assert_eq!(
            r.error_code("week_start").as_deref(),
            Some("not_monday"),
            "{}",
            r.text
        );
        done(&app, "coordinator", p, "2026-13-01", ok.clone())
            .await
            .assert_problem(422, &["week_start"]);
        let next = day(monday(t) + Duration::days(7));
        let r = done(&app, "coordinator", p, &next, ok.clone()).await;
        assert_eq!(
            r.error_code("week_start").as_deref(),
            Some("future"),
            "{}",
            r.text
        );
        let r = done(
            &app,
            "coordinator",
            p,
            &this_week,
            json!({"done_work_minutes": -60, "done_study_minutes": 600, "version": 1}),
        )
        .await;
        r.assert_problem(422, &["done_work_minutes"]);
        assert_eq!(
            r.error_code("done_work_minutes").as_deref(),
            Some("negative")
        );
        let r = done(
            &app,
            "coordinator",
            p,
            &this_week,
            json!({"done_work_minutes": 7000, "done_study_minutes": 3081, "version": 1}),
        )
        .await;
        r.assert_problem(422, &["done_work_minutes", "done_study_minutes"]);
        assert_eq!(
            r.error_code("done_study_minutes").as_deref(),
            Some("over_week")
        );
        done(
            &app,
            "coordinator",
            p,
            &this_week,
            json!({"done_work_minutes": 1800, "version": 1}),
        )
        .await
        .assert_problem(422, &["done_study_minutes"]);
        done(
            &app,
            "coordinator",
            p,
            &this_week,
            json!({"done_work_minutes": 1800, "done_study_minutes": 600}),
        )
        .await
        .assert_problem(422, &["version"]);
        done(
            &app,
            "coordinator",
            p,
            &this_week,
            json!({"done_work_minutes": 1800, "done_study_minutes": 600, "version": 7}),
        )
        .await
        .assert_problem(409, &["version"]);
        assert_eq!(
            count(&app, "SELECT COUNT(*) AS n FROM placement_weeks WHERE done_work_minutes IS NOT NULL OR done_study_minutes IS NOT NULL").await,
            0,
            "no refused record wrote anything"
        );
        // Exactly 7 × 24 h is allowed.
        done(
            &app,
            "coordinator",
            p,
            &this_week,
            json!({"done_work_minutes": 10080, "done_study_minutes": 0, "version": 1}),
        )
        .await
        .must(200);

        // Plan changes.
        let plan = |week: String, body: Value| {
            let app = &app;
            async move {
                app.put(
                    "coordinator",
                    &format!("/api/v1/learning-employments/{p}/weeks/{week}"),
                    body,
                )
                .await
            }
        };
        plan(
            day(monday(t)),
            json!({"planned_work_minutes": -1, "planned_study_minutes": 10, "version": 2}),
        )
        .await
        .assert_problem(422, &["planned_work_minutes"]);
        plan(
            before.clone(),
            json!({"planned_work_minutes": 10, "planned_study_minutes": 10, "version": 2}),
        )
        .await
        .assert_problem(422, &["week_start"]);

        // Completion and the hire outcome.
        let hire = |body: Value| {
            let app = &app;
            async move {
                app.post(
                    "coordinator",
                    &format!("/api/v1/learning-employments/{p}/hire-outcome"),
                    body,
                )
                .await
            }
        };
        let complete = |body: Value| {
            let app = &app;
            async move {
                app.post(
                    "coordinator",
                    &format!("/api/v1/learning-employments/{p}/completion"),
                    body,
                )
                .await
            }
        };
        let r = hire(json!({"hired_after": "hired", "hired_on": day(t), "version": 2})).await;
        r.assert_problem(422, &["hired_after"]);
        assert_eq!(
            r.error_code("hired_after").as_deref(),
            Some("not_completed")
        );
        complete(
            json!({"completion": "finished", "completed_on": day(t + Duration::days(1)),
            "version": 2}),
        )
        .await
        .assert_problem(422, &["completion", "completed_on"]);
        let r = complete(json!({"completion": "completed",
            "completed_on": day(start - Duration::days(1)), "version": 2}))
        .await;
        assert_eq!(
            r.error_code("completed_on").as_deref(),
            Some("before_start"),
            "{}",
            r.text
        );
        assert_eq!(
            count(
                &app,
                "SELECT COUNT(*) AS n FROM learning_employments WHERE completion IS NOT NULL"
            )
            .await,
            0
        );
        let ended = monday(t) - Duration::days(3);
        let r = complete(
            json!({"completion": "discontinued", "completed_on": day(ended), "version": 2}),
        )
        .await
        .must(200);
        assert_eq!(r.json["completion"], "discontinued");
        assert_eq!(r.json["version"], 3);
        let r =
            complete(json!({"completion": "completed", "completed_on": day(ended), "version": 3}))
                .await;
        r.assert_problem(409, &["completion"]);
        plan(
            day(monday(t) - Duration::days(14)),
            json!({"planned_work_minutes": 10, "planned_study_minutes": 10, "version": 3}),
        )
        .await
        .assert_problem(409, &["completion"]);
        // After a discontinuation, the weeks after it are outside.
        let r = done(
            &app,
            "coordinator",
            p,
            &this_week,
            json!({"done_work_minutes": 100, "done_study_minutes": 100, "version": 3}),
        )
        .await;
        assert_eq!(
            r.error_code("week_start").as_deref(),
            Some("outside_placement"),
            "{}",
            r.text
        );
        let r = hire(
            json!({"hired_after": "hired", "hired_on": day(ended - Duration::days(1)),
            "version": 3}),
        )
        .await;
        assert_eq!(
            r.error_code("hired_on").as_deref(),
            Some("before_completion"),
            "{}",
            r.text
        );
        let r = hire(json!({"hired_after": "maybe", "hired_on": day(t), "version": 3})).await;
        assert_eq!(
            r.error_code("hired_after").as_deref(),
            Some("invalid_choice"),
            "{}",
            r.text
        );
        assert_eq!(
            count(
                &app,
                "SELECT COUNT(*) AS n FROM learning_employments WHERE hired_after IS NOT NULL"
            )
            .await,
            0
        );
        let r = hire(json!({"hired_after": "not_hired", "hired_on": day(t), "version": 3}))
            .await
            .must(200);
        // Each refusal is in the audit trail with the participant, the
        // placement and the fields, never the values.
        let refused: Vec<(String, String)> = sqlx::query(
            "SELECT detail, target_ids FROM audit_events WHERE action = 'learning.record_done.refused' \
             AND outcome = 'denied' ORDER BY seq",
        )
        .fetch_all(app.store.pool())
        .await
        .unwrap()
        .iter()
        .map(|r| (r.try_get("detail").unwrap(), r.try_get("target_ids").unwrap()))
        .collect();
        let placement = format!("placement {p}: ");
        let expect = [
            "week_start:outside_placement",
            "week_start:not_monday",
            "week_start:future",
            "done_work_minutes:negative",
            "version:stale",
        ];
        for e in expect {
            assert!(
                refused.iter().any(|(d, ids)| d.starts_with(&placement)
                    && d.contains(e)
                    && *ids == a.participant.to_string()),
                "{e} in {refused:?}"
            );
        }
        assert!(refused
            .iter()
            .all(|(d, _)| !d.contains("-60") && !d.contains("3081")));
        assert_eq!(
            count(
                &app,
                "SELECT COUNT(*) AS n FROM audit_events WHERE action = 'learning.create.refused'"
            )
            .await,
            7,
            "split, school name, threshold, school kind, host form, model, duplicate"
        );
        assert_eq!(r.json["hired_after"], "not_hired");
        assert_eq!(r.json["hired_on"], day(t));
    }
);

both_engines!(
    access_follows_the_participant_the_host_and_the_school_and_is_audited,
    |app: TestApp| async move {
        let mut app = app;
        let t = app.today();
        let start = monday(t - Duration::days(35));
        let end = monday(t + Duration::days(35)) + Duration::days(4);
        let a = arrange(&app, start, end).await;
        // A school organisation with a partner user of its own.
        let school = app
            .store
            .ensure_organisation("Komvux Vård", vagar_domain::OrgKind::AdultEducation)
            .await
            .unwrap()
            .id;
        app.store
            .create_user(
                "school",
                "Skolans lärare",
                common::PASSWORD,
                vagar_domain::Role::Partner,
                school,
            )
            .await
            .unwrap();
        let token = app.store.create_token("school", "test").await.unwrap();
        app.tokens.insert("school".into(), token);

        // Roles that never create: 403, and nothing written.
        for user in ["employer", "partner", "analyst", "school"] {
            create(
                &app,
                user,
                json!({"placement_id": a.placement, "school_organisation_id": school,
                                               "work_percent": 75, "study_percent": 25}),
            )
            .await
            .must_as(403, user);
        }
        // A caseworker of another unit does not see the placement.
        create(
            &app,
            "cw_b",
            json!({"placement_id": a.placement, "school_organisation_id": school,
                                             "work_percent": 75, "study_percent": 25}),
        )
        .await
        .must(404);
        assert_eq!(
            count(&app, "SELECT COUNT(*) AS n FROM learning_employments").await,
            0
        );
        // The responsible unit's caseworker creates.
        let r = create(
            &app,
            "cw_a2",
            json!({"placement_id": a.placement, "school_organisation_id": school,
                                              "work_percent": 80, "study_percent": 20}),
        )
        .await
        .must(201);
        assert_eq!(
            r.json["school_name"], "Komvux Vård",
            "the organisation's name by default"
        );
        let path = format!("/api/v1/learning-employments/{}", a.placement);
        let week = day(monday(t) - Duration::days(7));

        // Reads: 404 for those who may not see it, 403 for analysts.
        for (user, status) in [
            ("cw_a", 200),
            ("admin", 200),
            ("coordinator", 200),
            ("employer", 200),
            ("cw_b", 404),
            ("partner", 404),
            ("school", 404),
            ("analyst", 403),
        ] {
            let r = app.get(user, &path).await;
            assert_eq!(r.status, status, "{user}: {}", r.text);
        }
        // The host: minimal fields, never the identity number.
        let r = app.get("employer", &path).await;
        assert_eq!(r.json["participant_id"], Value::Null);
        assert_eq!(r.json["participant_name"], "Lina Lärling");
        assert!(!r.text.contains(&common::pnr(1)));
        let list = app
            .get("employer", "/api/v1/learning-employments")
            .await
            .must(200)
            .json;
        assert_eq!(list.as_array().unwrap().len(), 1);
        for user in ["cw_b", "partner", "school"] {
            let list = app
                .get(user, "/api/v1/learning-employments")
                .await
                .must_as(200, user)
                .json;
            assert_eq!(list, json!([]), "{user}");
        }
        let s = app
            .get("analyst", "/api/v1/learning-employments")
            .await
            .status;
        assert_eq!(s, 403);

        // Another host's user does not see it.
        let unlinked = insert_host(&app, "5560000002", "Annan AB", false).await;
        let other = participant(&app, 3, "Per").await;
        let elsewhere = insert_placement(
            &app,
            other,
            a.intervention,
            unlinked,
            &day(start),
            &day(end),
            "host",
        )
        .await;
        create(
            &app,
            "coordinator",
            json!({"placement_id": elsewhere, "school_name": "Skola",
                                                    "work_percent": 75, "study_percent": 25}),
        )
        .await
        .must(201);
        app.get(
            "employer",
            &format!("/api/v1/learning-employments/{elsewhere}"),
        )
        .await
        .must(404);
        done(
            &app,
            "employer",
            elsewhere,
            &week,
            json!({"done_work_minutes": 1, "done_study_minutes": 1, "version": 1}),
        )
        .await
        .must(404);

        // The host records hours done; it may not plan, complete or record the hire.
        done(
            &app,
            "employer",
            a.placement,
            &week,
            json!({"done_work_minutes": 1900, "done_study_minutes": 500, "version": 1}),
        )
        .await
        .must(200);
        for (m, p) in [
            (Method::PUT, format!("{path}/weeks/{week}")),
            (Method::POST, format!("{path}/completion")),
            (Method::POST, format!("{path}/hire-outcome")),
        ] {
            app.call("employer", m, &p, Some(&json!({})))
                .await
                .must_as(403, p);
        }
        // A caseworker of another unit: 404 on record.
        done(
            &app,
            "cw_b",
            a.placement,
            &week,
            json!({"done_work_minutes": 1, "done_study_minutes": 1, "version": 2}),
        )
        .await
        .must(404);

        // The school: only under a consent in force naming it; study only.
        let consent = app
            .post(
                "cw_a",
                &format!("/api/v1/participants/{}/consents", a.participant),
                json!({"organisation_ids": [school], "categories": ["action_plan"],
                "method": "written"}),
            )
            .await
            .must(201)
            .id();
        let r = app.get("school", &path).await.must(200);
        assert_eq!(r.json["participant_id"], Value::Null);
        let r = done(
            &app,
            "school",
            a.placement,
            &week,
            json!({"done_work_minutes": 1900, "done_study_minutes": 480, "version": 2}),
        )
        .await;
        r.assert_problem(422, &["done_work_minutes"]);
        assert_eq!(
            r.error_code("done_work_minutes").as_deref(),
            Some("study_only")
        );
        done(
            &app,
            "school",
            a.placement,
            &week,
            json!({"done_study_minutes": 480, "version": 2}),
        )
        .await
        .must(200);
        let rows = stored_weeks(&app, a.placement).await;
        let w = rows.iter().find(|w| w.0 == week).unwrap();
        assert_eq!(
            (w.3, w.4),
            (Some(1900), Some(480)),
            "the host's work is kept"
        );
        app.put("school", &format!("{path}/weeks/{week}"), json!({}))
            .await
            .must(403);
        // The consent revoked: as if it did not exist.
        let r = app
            .post(
                "cw_a",
                &format!(
                    "/api/v1/participants/{}/consents/{consent}/revoke",
                    a.participant
                ),
                json!({"reason": "Återkallat av deltagaren"}),
            )
            .await;
        assert!(r.status == 200 || r.status == 204, "{}", r.text);
        app.get("school", &path).await.must(404);

        // The summary: analysts and caseworkers; not hosts or partners.
        let sp = format!("/api/v1/learning-summaries/{}", a.intervention);
        for (user, status) in [
            ("analyst", 200),
            ("cw_b", 200),
            ("employer", 403),
            ("partner", 403),
        ] {
            let r = app.get(user, &sp).await;
            assert_eq!(r.status, status, "{user}: {}", r.text);
        }
        app.get("analyst", "/api/v1/learning-summaries/999999")
            .await
            .must(404);

        // Every read and write is audited with the participant's id and the placement.
        let rows = sqlx::query("SELECT username, action, outcome, detail, target_ids FROM audit_events WHERE action LIKE 'learning.%' ORDER BY seq")
            .fetch_all(app.store.pool()).await.unwrap();
        let ev: Vec<(String, String, String, String, String)> = rows
            .iter()
            .map(|r| {
                (
                    r.try_get::<Option<String>, _>("username")
                        .unwrap()
                        .unwrap_or_default(),
                    r.try_get("action").unwrap(),
                    r.try_get("outcome").unwrap(),
                    r.try_get("detail").unwrap(),
                    r.try_get("target_ids").unwrap(),
                )
            })
            .collect();
        let pid = a.participant.to_string();
        let placement = format!("placement {}", a.placement);
        let has = |user: &str, action: &str, outcome: &str| {
            ev.iter().any(|e| {
                e.0 == user
                    && e.1 == action
                    && e.2.starts_with(outcome)
                    && (e.3 == placement || e.3.starts_with(&format!("{placement};")))
                    && e.4 == pid
            })
        };
        assert!(
            has(
                "cw_a2",
                "learning.create",
                "allowed:caseworker:participant_update"
            ),
            "{ev:?}"
        );
        assert!(
            has("employer", "learning.read", "allowed:employer:own_employer"),
            "{ev:?}"
        );
        assert!(
            has(
                "employer",
                "learning.record_done",
                "allowed:employer:own_employer"
            ),
            "{ev:?}"
        );
        assert!(
            has(
                "school",
                "learning.record_done",
                "allowed:partner:consent_school"
            ),
            "{ev:?}"
        );
        assert!(has("cw_b", "learning.read", "denied"), "{ev:?}");
        assert!(has("school", "learning.read", "denied"), "{ev:?}");
        assert!(
            ev.iter()
                .any(|e| e.0 == "employer" && e.1 == "learning.plan" && e.2 == "denied"),
            "{ev:?}"
        );
        assert!(
            ev.iter()
                .any(|e| e.0 == "employer" && e.1 == "learning.list.returned" && e.4 == pid),
            "{ev:?}"
        );
    }
);
