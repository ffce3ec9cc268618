//! The audit trail through `/api/v1/audit` and directly in the database:
//! every decision on a participant is recorded, allowed or denied, in the same
//! transaction as the work; rows cannot be changed; identity numbers never
//! enter it.

use crate::common;

use chrono::{DateTime, NaiveDate, Utc};
use common::{pnr, pnr_on, Reply, TestApp};
use reqwest::Method;
use serde_json::{json, Value};
use vagar_store::sqlx::{self, Row};
use vagar_store::Backend;

fn path(id: i64) -> String {
    format!("/api/v1/participants/{id}")
}

fn person(number: &str, first: &str, last: &str) -> Value {
    json!({ "identity_number": number, "first_name": first, "last_name": last })
}

fn request_id(r: &Reply) -> String {
    r.headers
        .get("x-request-id")
        .and_then(|v| v.to_str().ok())
        .expect("x-request-id")
        .to_string()
}

/// The events that touched `id`, newest first, as the admin sees them.
async fn trail(app: &TestApp, id: i64) -> Vec<Value> {
    let r = app
        .get("admin", &format!("/api/v1/audit?participant={id}"))
        .await
        .must(200);
    r.array()
}

/// The whole trail, newest first.
async fn whole_trail(app: &TestApp) -> Vec<Value> {
    let r = app.get("admin", "/api/v1/audit?limit=1000").await.must(200);
    r.array()
}

async fn event_count(app: &TestApp) -> i64 {
    sqlx::query("SELECT COUNT(*) AS n FROM audit_events")
        .fetch_one(app.store.pool())
        .await
        .unwrap()
        .try_get("n")
        .unwrap()
}

fn at(e: &Value) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(e["at"].as_str().unwrap())
        .unwrap()
        .with_timezone(&Utc)
}

async fn assert_chain_intact(app: &TestApp) {
    let report = app.store.verify_audit_chain().await.unwrap();
    assert_eq!(report.first_broken_seq, None, "{report:?}");
    assert_eq!(report.events, event_count(app).await);
}

both_engines!(
    the_trail_shows_create_reads_update_lists_and_denials,
    |app: TestApp| async move {
        let (number, _) = pnr_on(NaiveDate::from_ymd_opt(1980, 4, 4).unwrap(), 404);
        let t0 = app.clock.now();
        let created = app
            .post(
                "cw_a",
                "/api/v1/participants",
                person(&number, "Greta", "Spår"),
            )
            .await
            .must(201);
        let id = created.id();
        let other = app.create("cw_a", person(&pnr(1), "Olle", "Annan")).await;
        let other = other["id"].as_i64().unwrap();

        app.clock.advance(chrono::Duration::minutes(5));
        let read_a2 = app.get("cw_a2", &path(id)).await.must(200);
        app.clock.advance(chrono::Duration::minutes(5));
        let update = app
            .patch("cw_a", &path(id), json!({ "district": "Farsta" }))
            .await
            .must(200);
        let listed = app
            .get("cw_a", "/api/v1/participants?q=spar")
            .await
            .must(200);
        let searched = app
            .post(
                "cw_a2",
                "/api/v1/participants/search",
                json!({ "q": number }),
            )
            .await
            .must(200);
        // A list that does not return the participant is not in its trail.
        let not_listed = app
            .get("cw_a", "/api/v1/participants?q=annan")
            .await
            .must(200);
        let denied = app.get("cw_b", &path(id)).await.must(404);
        let admin_read = app.get("admin", &path(id)).await.must(200);
        let t1 = app.clock.now();

        let events = trail(&app, id).await;
        let summary: Vec<(String, String, String)> = events
            .iter()
            .map(|e| {
                (
                    e["action"].as_str().unwrap().to_string(),
                    e["username"].as_str().unwrap_or("").to_string(),
                    e["outcome"].as_str().unwrap().to_string(),
                )
            })
            .collect();
        let expected: Vec<(&str, &str, &str)> = vec![
            ("participant.audit.read", "admin", "allowed:admin:anywhere"),
            ("participant.read", "admin", "allowed:admin:anywhere"),
            ("participant.read", "cw_b", "denied"),
            ("participant.list", "cw_a2", "allowed:caseworker:role"),
            ("participant.list", "cw_a", "allowed:caseworker:role"),
            (
                "participant.update",
                "cw_a",
                "allowed:caseworker:own_organisation",
            ),
            (
                "participant.read",
                "cw_a2",
                "allowed:caseworker:own_organisation",
            ),
            ("participant.create", "cw_a", "allowed:caseworker:role"),
        ];
        let expected: Vec<(String, String, String)> = expected
            .into_iter()
            .map(|(a, u, o)| (a.into(), u.into(), o.into()))
            .collect();
        assert_eq!(summary, expected);

        // Each event names the request, the actor and the time it happened.
        let replies = [
            &admin_read,
            &denied,
            &searched,
            &listed,
            &update,
            &read_a2,
            &created,
        ];
        for (e, r) in events[1..].iter().zip(replies) {
            assert_eq!(e["request_id"], request_id(r), "{e}");
            let user = e["username"].as_str().unwrap();
            assert_eq!(e["user_id"], app.user_ids[user]);
            let org = if user == "cw_b" { app.org_b } else { app.org_a };
            assert_eq!(e["organisation_id"], org, "{e}");
            assert!(e["participant_ids"]
                .as_array()
                .unwrap()
                .contains(&json!(id)));
            let when = at(e);
            assert!(t0 <= when && when <= t1, "{e}");
        }
        let seqs: Vec<i64> = events.iter().map(|e| e["seq"].as_i64().unwrap()).collect();
        assert!(
            seqs.windows(2).all(|w| w[0] > w[1]),
            "newest first: {seqs:?}"
        );
        let update_at = at(&events[5]);
        assert!(update_at >= t0 + chrono::Duration::minutes(10));
        assert!(at(&events[6]) < update_at);
        assert_eq!(events[3]["role"], "caseworker");
        assert_eq!(events[1]["role"], "admin");

        // The list event names exactly the ids the list returned.
        let whole = whole_trail(&app).await;
        let by_request = |r: &Reply| {
            let rid = request_id(r);
            whole
                .iter()
                .find(|e| e["request_id"] == rid.as_str())
                .cloned()
                .expect("event for request")
        };
        assert_eq!(by_request(&listed)["participant_ids"], json!([id]));
        assert_eq!(by_request(&not_listed)["participant_ids"], json!([other]));
        assert_eq!(by_request(&not_listed)["action"], "participant.list");
        let all = app.get("cw_a", "/api/v1/participants").await;
        let mut ids: Vec<i64> = serde_json::from_value(
            whole_trail(&app)
                .await
                .into_iter()
                .find(|e| e["request_id"] == request_id(&all).as_str())
                .unwrap()["participant_ids"]
                .clone(),
        )
        .unwrap();
        ids.sort();
        assert_eq!(ids, vec![id, other]);
        assert_chain_intact(&app).await;
    }
);

/// User, method, path, body, expected status and the audited action.
type Attempt = (
    &'static str,
    Method,
    String,
    Option<Value>,
    u16,
    &'static str,
);

both_engines!(refusals_are_audited_as_denied, |app: TestApp| async move {
    let p = app.create("cw_a", person(&pnr(1), "Nora", "Nej")).await;
    let id = p["id"].as_i64().unwrap();
    let attempts: Vec<Attempt> = vec![
        ("cw_b", Method::GET, path(id), None, 404, "participant.read"),
        (
            "cw_b",
            Method::PATCH,
            path(id),
            Some(json!({ "first_name": "X" })),
            404,
            "participant.update",
        ),
        (
            "cw_a",
            Method::GET,
            path(id + 100),
            None,
            404,
            "participant.read",
        ),
        (
            "partner",
            Method::GET,
            path(id),
            None,
            404,
            "participant.read",
        ),
        (
            "admin",
            Method::PATCH,
            path(id),
            Some(json!({ "first_name": "X" })),
            403,
            "participant.update",
        ),
        (
            "analyst",
            Method::GET,
            "/api/v1/participants".into(),
            None,
            403,
            "participant.list",
        ),
        (
            "employer",
            Method::POST,
            "/api/v1/participants".into(),
            Some(person(&pnr(2), "A", "B")),
            403,
            "participant.create",
        ),
        (
            "cw_a",
            Method::GET,
            format!("/api/v1/audit?participant={id}"),
            None,
            403,
            "participant.audit.read",
        ),
        (
            "coordinator",
            Method::GET,
            "/api/v1/audit".into(),
            None,
            403,
            "audit.read",
        ),
    ];
    let mut request_ids = Vec::new();
    for (user, method, url, body, status, _) in &attempts {
        let r = app.call(user, method.clone(), url, body.as_ref()).await;
        assert_eq!(r.status, *status, "{user} {method} {url}: {}", r.text);
        request_ids.push(request_id(&r));
    }
    let whole = whole_trail(&app).await;
    for ((user, _, url, _, _, action), rid) in attempts.iter().zip(&request_ids) {
        let e = whole
            .iter()
            .find(|e| e["request_id"] == rid.as_str())
            .unwrap_or_else(|| panic!("{user} {url} was not audited"));
        assert_eq!(e["action"], *action, "{e}");
        assert_eq!(e["outcome"], "denied", "{e}");
        assert_eq!(e["username"], *user);
        assert_eq!(e["user_id"], app.user_ids[*user]);
    }
    // Denials of a participant are in its trail.
    let denied: Vec<Value> = trail(&app, id)
        .await
        .into_iter()
        .filter(|e| e["outcome"] == "denied")
        .collect();
    assert_eq!(denied.len(), 5, "{denied:?}");
    assert_eq!(app.store.count_participants().await.unwrap(), 1);
    assert_eq!(
        app.get_json("cw_a", &path(id)).await.1["first_name"],
        "Nora"
    );
    assert_chain_intact(&app).await;
});

both_engines!(only_admins_read_the_trail, |app: TestApp| async move {
    let p = app.create("cw_a", person(&pnr(1), "Ulla", "Logg")).await;
    let id = p["id"].as_i64().unwrap();
    for user in [
        "cw_a",
        "cw_a2",
        "cw_b",
        "analyst",
        "partner",
        "coordinator",
        "employer",
    ] {
        for url in [
            "/api/v1/audit".to_string(),
            format!("/api/v1/audit?participant={id}"),
        ] {
            let r = app.get(user, &url).await;
            r.assert_problem(403, &[]);
            assert!(!r.text.contains("Ulla"));
        }
    }
    Reply::read(app.http.get(app.url("/api/v1/audit")).send().await.unwrap())
        .await
        .assert_problem(401, &[]);

    // Parameters are checked; an unknown participant is not found.
    for (query, field) in [
        ("limit=0", "limit"),
        ("limit=1001", "limit"),
        ("limit=many", "limit"),
        ("participant=abc", "participant"),
    ] {
        app.get("admin", &format!("/api/v1/audit?{query}"))
            .await
            .assert_problem(422, &[field]);
    }
    app.get("admin", &format!("/api/v1/audit?participant={}", id + 50))
        .await
        .assert_problem(404, &[]);
    let r = app.get("admin", "/api/v1/audit?limit=2").await.must(200);
    let events = r.json.as_array().unwrap();
    assert_eq!(events.len(), 2);
    // Reading the trail is itself the newest event.
    assert_eq!(events[0]["action"], "audit.read");
    assert_eq!(events[0]["request_id"], request_id(&r));
});

/// Make the database refuse a statement, as a failing disk or constraint
/// would, with a trigger the test installs and removes.
async fn install_failure(app: &TestApp, name: &str, table: &str, when: &str, event: &str) {
    let pool = app.store.pool();
    match app.store.backend() {
        Backend::Sqlite => {
            sqlx::query(&format!(
                "CREATE TRIGGER {name} BEFORE {event} ON {table} WHEN {when} \
                 BEGIN SELECT RAISE(ABORT, 'injected failure'); END"
            ))
            .execute(pool)
            .await
            .unwrap();
        }
        Backend::Postgres => {
            sqlx::query(&format!(
                "CREATE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS \
                 'BEGIN RAISE EXCEPTION ''injected failure''; END;'"
            ))
            .execute(pool)
            .await
            .unwrap();
            sqlx::query(&format!(
                "CREATE TRIGGER {name} BEFORE {event} ON {table} FOR EACH ROW \
                 WHEN ({when}) EXECUTE FUNCTION {name}()"
            ))
            .execute(pool)
            .await
            .unwrap();
        }
    }
}

async fn remove_failure(app: &TestApp, name: &str, table: &str) {
    let pool = app.store.pool();
    match app.store.backend() {
        Backend::Sqlite => {
            sqlx::query(&format!("DROP TRIGGER {name}"))
                .execute(pool)
                .await
                .unwrap();
        }
        Backend::Postgres => {
            sqlx::query(&format!("DROP TRIGGER {name} ON {table}"))
                .execute(pool)
                .await
                .unwrap();
            sqlx::query(&format!("DROP FUNCTION {name}()"))
                .execute(pool)
                .await
                .unwrap();
        }
    }
}

both_engines!(
    a_write_and_its_audit_event_commit_together,
    |app: TestApp| async move {
        let (number, _) = pnr_on(NaiveDate::from_ymd_opt(1979, 9, 9).unwrap(), 909);
        let p = app.create("cw_a", person(&number, "Atom", "Är")).await;
        let id = p["id"].as_i64().unwrap();
        let mut events = event_count(&app).await;

        // Refused input: no record; no event, except for a duplicate, which
        // tells the caller the number exists and so is audited as denied.
        let mut bad = number.clone();
        let last = bad.pop().unwrap();
        bad.push(if last == '9' { '0' } else { '9' });
        for body in [
            person(&bad, "X", "Y"),
            person(&number, "Dubbel", "Gång"),
            json!({ "first_name": "Utan" }),
        ] {
            let r = app.post("cw_a", "/api/v1/participants", body.clone()).await;
            assert!(r.status == 409 || r.status == 422, "{}", r.text);
            assert_eq!(app.store.count_participants().await.unwrap(), 1);
            if r.status == 409 {
                events += 1;
            }
            assert_eq!(event_count(&app).await, events, "{body}");
        }
        let trail = app
            .get("admin", &format!("/api/v1/audit?participant={id}&limit=2"))
            .await
            .json;
        // trail[0] is the admin's own read of the trail.
        assert_eq!(trail[1]["action"], "participant.create", "{trail}");
        assert_eq!(trail[1]["outcome"], "denied", "{trail}");
        assert_eq!(trail[1]["user_id"], app.user_ids["cw_a"], "{trail}");
        events = event_count(&app).await;
        for body in [
            json!({ "email": "fel" }),
            json!({ "version": 7, "first_name": "Gammal" }),
        ] {
            let r = app.patch("cw_a", &path(id), body.clone()).await;
            assert!(r.status == 409 || r.status == 422, "{}", r.text);
            assert_eq!(event_count(&app).await, events, "{body}");
        }

        // The audit insert fails: the participant is not created either.
        install_failure(
            &app,
            "fail_create_audit",
            "audit_events",
            "NEW.action = 'participant.create'",
            "INSERT",
        )
        .await;
        let r = app
            .post(
                "cw_a",
                "/api/v1/participants",
                person(&pnr(5), "Halv", "Skriven"),
            )
            .await;
        r.assert_problem(500, &[]);
        assert!(
            !r.text.contains("injected"),
            "no database detail: {}",
            r.text
        );
        assert_eq!(app.store.count_participants().await.unwrap(), 1);
        assert_eq!(event_count(&app).await, events);
        remove_failure(&app, "fail_create_audit", "audit_events").await;

        // The update fails after its decision was recorded: the event goes too.
        install_failure(
            &app,
            "fail_update",
            "participants",
            "NEW.first_name = 'Bom'",
            "UPDATE",
        )
        .await;
        app.patch("cw_a", &path(id), json!({ "first_name": "Bom" }))
            .await
            .assert_problem(500, &[]);
        assert_eq!(event_count(&app).await, events);
        assert_eq!(app.get_json("cw_a", &path(id)).await.1, p);
        remove_failure(&app, "fail_update", "participants").await;

        // And the chain carries on unbroken.
        let again = app.create("cw_a", person(&pnr(5), "Hel", "Skriven")).await;
        assert_eq!(again["first_name"], "Hel");
        assert_chain_intact(&app).await;
    }
);

both_engines!(
    audit_rows_cannot_be_changed_or_removed,
    |app: TestApp| async move {
        let p = app.create("cw_a", person(&pnr(3), "Sten", "Hård")).await;
        let id = p["id"].as_i64().unwrap();
        app.get_json("cw_a2", &path(id)).await;
        app.get_json("cw_b", &path(id)).await;
        app.get_json("cw_a", "/api/v1/participants").await;
        assert_chain_intact(&app).await;
        let before = whole_trail(&app).await;
        let n = event_count(&app).await;

        let mut statements = vec![
            "UPDATE audit_events SET outcome = 'allowed:admin:anywhere' WHERE seq = 1".to_string(),
            "UPDATE audit_events SET username = 'someone_else'".to_string(),
            "DELETE FROM audit_events WHERE seq = 1".to_string(),
            format!("DELETE FROM audit_events WHERE seq = {n}"),
            "DELETE FROM audit_events".to_string(),
            "UPDATE audit_event_participants SET participant_id = 999999".to_string(),
            format!("DELETE FROM audit_event_participants WHERE participant_id = {id}"),
        ];
        statements.push(
            "INSERT INTO audit_events (seq, at, request_id, action, outcome, prev_hash, hash) \
             VALUES (1, 0, '', 'x', 'denied', '', '') ON CONFLICT (seq) DO UPDATE SET outcome = 'denied'"
                .into(),
        );
        match app.store.backend() {
            Backend::Postgres => statements.push("TRUNCATE audit_events CASCADE".into()),
            Backend::Sqlite => {
                // REPLACE deletes the old row without firing delete triggers
                // unless recursive triggers are on.
                statements.push(
                    "INSERT OR REPLACE INTO audit_events \
                     (seq, at, request_id, action, outcome, prev_hash, hash) \
                     SELECT seq, at, request_id, action, 'denied', prev_hash, hash \
                     FROM audit_events WHERE seq = 1"
                        .into(),
                );
                statements.push(format!(
                    "REPLACE INTO audit_event_participants (seq, participant_id) VALUES (1, {id})"
                ));
            }
        }
        for sql in &statements {
            let result = sqlx::query(sql).execute(app.store.pool()).await;
            assert!(result.is_err(), "the database allowed: {sql}");
        }
        assert_eq!(event_count(&app).await, n);
        assert_chain_intact(&app).await;
        // Nothing changed, as the API sees it (after the read recorded now).
        let after = whole_trail(&app).await;
        assert_eq!(&after[1..], &before[..]);
        assert_eq!(trail(&app, id).await.len(), 4 + 1);
    }
);

both_engines!(
    the_chain_check_finds_rows_changed_behind_the_triggers,
    |app: TestApp| async move {
        // Someone with the database owner's rights can drop the triggers; the
        // hash chain is what still tells.
        let p = app.create("cw_a", person(&pnr(4), "Kedja", "Länk")).await;
        let id = p["id"].as_i64().unwrap();
        for _ in 0..3 {
            app.get_json("cw_a", &path(id)).await;
        }
        assert_chain_intact(&app).await;
        let n = event_count(&app).await;
        let pool = app.store.pool();
        let drop_triggers: &[&str] = match app.store.backend() {
            Backend::Sqlite => &[
                "DROP TRIGGER audit_events_no_update",
                "DROP TRIGGER audit_events_no_delete",
            ],
            Backend::Postgres => &["ALTER TABLE audit_events DISABLE TRIGGER USER"],
        };
        for sql in drop_triggers {
            sqlx::query(sql).execute(pool).await.unwrap();
        }
        let original: String = sqlx::query("SELECT outcome FROM audit_events WHERE seq = 2")
            .fetch_one(pool)
            .await
            .unwrap()
            .try_get("outcome")
            .unwrap();
        for forged in ["denied", "allowed:admin:anywhere"] {
            sqlx::query("UPDATE audit_events SET outcome = $1 WHERE seq = 2")
                .bind(forged)
                .execute(pool)
                .await
                .unwrap();
            let report = app.store.verify_audit_chain().await.unwrap();
            assert_eq!(report.first_broken_seq, Some(2), "{report:?}");
        }
        sqlx::query("UPDATE audit_events SET outcome = $1 WHERE seq = 2")
            .bind(&original)
            .execute(pool)
            .await
            .unwrap();
        assert_chain_intact(&app).await;

        // Junk in the stored target list is a change, even if the ids parse the same.
        sqlx::query("UPDATE audit_events SET target_ids = target_ids || ',' WHERE seq = 3")
            .execute(pool)
            .await
            .unwrap();
        let report = app.store.verify_audit_chain().await.unwrap();
        assert_eq!(report.first_broken_seq, Some(3), "{report:?}");
        sqlx::query("UPDATE audit_events SET target_ids = $1 WHERE seq = 3")
            .bind(id.to_string())
            .execute(pool)
            .await
            .unwrap();
        assert_chain_intact(&app).await;

        // A removed row of the per-participant index hides an event from the
        // person's trail: the check finds it.
        let participants_trigger = match app.store.backend() {
            Backend::Sqlite => "DROP TRIGGER audit_event_participants_no_delete",
            Backend::Postgres => "ALTER TABLE audit_event_participants DISABLE TRIGGER USER",
        };
        sqlx::query(participants_trigger)
            .execute(pool)
            .await
            .unwrap();
        sqlx::query("DELETE FROM audit_event_participants WHERE seq = 3")
            .execute(pool)
            .await
            .unwrap();
        let report = app.store.verify_audit_chain().await.unwrap();
        assert_eq!(report.first_broken_seq, Some(3), "{report:?}");
        sqlx::query("INSERT INTO audit_event_participants (seq, participant_id) VALUES (3, $1)")
            .bind(id)
            .execute(pool)
            .await
            .unwrap();
        assert_chain_intact(&app).await;

        // A removed row in the middle, or a removed tail, is found too.
        for seq in [n, 2] {
            sqlx::query("DELETE FROM audit_event_participants WHERE seq = $1")
                .bind(seq)
                .execute(pool)
                .await
                .unwrap();
            sqlx::query("DELETE FROM audit_events WHERE seq = $1")
                .bind(seq)
                .execute(pool)
                .await
                .unwrap();
            let report = app.store.verify_audit_chain().await.unwrap();
            assert_eq!(report.first_broken_seq, Some(seq), "{report:?}");
        }
    }
);

both_engines!(
    identity_numbers_never_enter_the_trail,
    |app: TestApp| async move {
        let born = NaiveDate::from_ymd_opt(1981, 12, 18).unwrap();
        let (twelve, ten) = pnr_on(born, 987);
        let hyphen = format!("{}-{}", &twelve[..8], &twelve[8..]);
        let p = app
            .create("cw_a", person(&hyphen, "Sekretess", "Skydd"))
            .await;
        let id = p["id"].as_i64().unwrap();
        let (new12, new10) = pnr_on(born, 989);
        let mut bad = twelve.clone();
        bad.pop();
        bad.push(if twelve.ends_with('9') { '0' } else { '9' });

        // Searches by number (found, hidden, refused), duplicates, changes.
        for user in ["cw_a", "cw_b", "admin", "partner", "analyst"] {
            for q in [&hyphen, &twelve, &ten, &bad] {
                app.post(user, "/api/v1/participants/search", json!({ "q": q }))
                    .await;
                app.get(user, &format!("/api/v1/participants?q={q}")).await;
            }
        }
        for user in ["cw_a", "cw_b", "analyst"] {
            app.post(
                user,
                "/api/v1/participants",
                person(&ten, "Dubbel", "Skydd"),
            )
            .await;
        }
        app.patch("cw_a", &path(id), json!({ "identity_number": new10 }))
            .await
            .must(200);
        app.get_json("cw_a", &path(id)).await;

        let mut numbers = vec![twelve.clone(), ten.clone(), hyphen.clone(), bad.clone()];
        numbers.extend([new12.clone(), new10.clone()]);
        numbers.push(format!("{}-{}", &ten[..6], &ten[6..]));

        // Through the API...
        let r = app.get("admin", "/api/v1/audit?limit=1000").await;
        assert!(r.json.as_array().unwrap().len() > 20);
        let r2 = app
            .get("admin", &format!("/api/v1/audit?participant={id}"))
            .await;
        for n in &numbers {
            assert!(
                !r.text.contains(n.as_str()),
                "the trail holds an identity number"
            );
            assert!(!r2.text.contains(n.as_str()));
        }
        // ...and every column in the database.
        let rows = sqlx::query(
            "SELECT request_id, COALESCE(username, '') AS username, COALESCE(role, '') AS role, \
             action, outcome, detail, target_ids FROM audit_events",
        )
        .fetch_all(app.store.pool())
        .await
        .unwrap();
        for row in rows {
            for col in [
                "request_id",
                "username",
                "role",
                "action",
                "outcome",
                "detail",
                "target_ids",
            ] {
                let v: String = row.try_get(col).unwrap();
                for n in &numbers {
                    assert!(!v.contains(n.as_str()), "{col} holds an identity number");
                }
            }
        }
        assert_chain_intact(&app).await;
    }
);
