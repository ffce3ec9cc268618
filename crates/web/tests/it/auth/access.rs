//! Who may do what with a participant, through the public API: the policy of
//! `vagar_domain::access` as callers see it (ACCESS.md). A participant another
//! unit may not see answers 404, exactly like one that does not exist; a role
//! that may never perform an action gets 403.

use crate::common;
use crate::common::form;

use common::{pnr, pnr_on, Reply, TestApp};
use reqwest::Method;
use serde_json::{json, Value};
use vagar_store::sqlx::Row;

/// Every user the harness creates.
const ALL_USERS: [&str; 8] = [
    "cw_a",
    "cw_a2",
    "cw_b",
    "admin",
    "analyst",
    "partner",
    "coordinator",
    "employer",
];

fn person(i: u32, first: &str, last: &str) -> Value {
    json!({ "identity_number": pnr(i), "first_name": first, "last_name": last })
}

/// A participant registered by `user`; returns (id, canonical identity number).
async fn register(app: &TestApp, user: &str, i: u32, first: &str, last: &str) -> (i64, String) {
    let p = app.create(user, person(i, first, last)).await;
    (
        p["id"].as_i64().unwrap(),
        p["identity_number"].as_str().unwrap().to_string(),
    )
}

fn path(id: i64) -> String {
    format!("/api/v1/participants/{id}")
}

// Expected status per user for an action on a participant of unit A that has
// no responsible caseworker; for lists, whether the participant is included.
struct Expect {
    user: &'static str,
    read: u16,
    patch: u16,
    /// None: the list is refused with 403; Some(seen).
    list: Option<bool>,
    create: u16,
    audit: u16,
}

const MATRIX: [Expect; 8] = [
    Expect {
        user: "cw_a",
        read: 200,
        patch: 200,
        list: Some(true),
        create: 201,
        audit: 403,
    },
    Expect {
        user: "cw_a2",
        read: 200,
        patch: 200,
        list: Some(true),
        create: 201,
        audit: 403,
    },
    Expect {
        user: "cw_b",
        read: 404,
        patch: 404,
        list: Some(false),
        create: 201,
        audit: 403,
    },
    Expect {
        user: "admin",
        read: 200,
        patch: 403,
        list: Some(true),
        create: 403,
        audit: 200,
    },
    Expect {
        user: "analyst",
        read: 403,
        patch: 403,
        list: None,
        create: 403,
        audit: 403,
    },
    // A partner reads only under a consent naming their organisation (none
    // here): the participant does not exist for them (404, not listed); a
    // partner may never change a participant (403).
    Expect {
        user: "partner",
        read: 404,
        patch: 403,
        list: Some(false),
        create: 403,
        audit: 403,
    },
    Expect {
        user: "coordinator",
        read: 403,
        patch: 403,
        list: None,
        create: 403,
        audit: 403,
    },
    Expect {
        user: "employer",
        read: 403,
        patch: 403,
        list: None,
        create: 403,
        audit: 403,
    },
];

both_engines!(
    role_matrix_on_a_participant_of_unit_a,
    |app: TestApp| async move {
        let (id, _) = register(&app, "cw_a", 1, "Maja", "Lind").await;
        for (n, e) in MATRIX.iter().enumerate() {
            let who = e.user;
            let read = app.get(who, &path(id)).await;
            assert_eq!(read.status, e.read, "{who} GET one: {}", read.text);
            if e.read == 200 {
                assert_eq!(read.json["id"], id);
            } else {
                read.assert_problem(e.read, &[]);
            }

            let patch = app
                .patch(
                    who,
                    &path(id),
                    json!({ "phone": format!("070-123 45 6{n}") }),
                )
                .await;
            assert_eq!(patch.status, e.patch, "{who} PATCH: {}", patch.text);
            if e.patch != 200 {
                patch.assert_problem(e.patch, &[]);
            }

            let list = app.get(who, "/api/v1/participants").await;
            match e.list {
                None => list.assert_problem(403, &[]),
                Some(seen) => {
                    assert_eq!(list.status, 200, "{who} list: {}", list.text);
                    let ids: Vec<i64> = list.json["items"]
                        .as_array()
                        .unwrap()
                        .iter()
                        .map(|p| p["id"].as_i64().unwrap())
                        .collect();
                    assert_eq!(ids.contains(&id), seen, "{who} list: {ids:?}");
                }
            }

            let create = app
                .post(
                    who,
                    "/api/v1/participants",
                    person(100 + n as u32, "Ny", "Person"),
                )
                .await;
            assert_eq!(create.status, e.create, "{who} create: {}", create.text);
            if e.create == 201 {
                // A caseworker registers in their own unit.
                let own_org = if who == "cw_b" { app.org_b } else { app.org_a };
                assert_eq!(create.json["organisation_id"], own_org);
            } else {
                create.assert_problem(e.create, &[]);
            }

            let audit = app
                .get(who, &format!("/api/v1/audit?participant={id}"))
                .await;
            assert_eq!(audit.status, e.audit, "{who} audit: {}", audit.text);
            let whole = app.get(who, "/api/v1/audit").await;
            assert_eq!(whole.status, e.audit, "{who} whole audit: {}", whole.text);
        }
        // Only the caseworkers' creates went through.
        assert_eq!(app.store.count_participants().await.unwrap(), 1 + 3);
    }
);

both_engines!(
    other_unit_cannot_tell_a_hidden_participant_from_a_missing_one,
    |app: TestApp| async move {
        let (id, number) = register(&app, "cw_a", 2, "Östen", "Ågren").await;
        let hidden = app.get("cw_b", &path(id)).await;
        let missing = app.get("cw_b", &path(id + 1000)).await;
        hidden.assert_problem(404, &[]);
        missing.assert_problem(404, &[]);
        assert_eq!(hidden.json, missing.json, "the answers must not differ");
        assert!(!hidden.text.contains(&number));

        let patch = app
            .patch("cw_b", &path(id), json!({ "first_name": "Kapad" }))
            .await;
        patch.assert_problem(404, &[]);
        let still = app.get("cw_a", &path(id)).await.json;
        assert_eq!(still["first_name"], "Östen");
        assert_eq!(still["version"], 1);

        // Not in lists, name searches or an exact identity-number search.
        assert!(!app.list_ids("cw_b", "").await.contains(&id));
        assert!(!app.list_ids("cw_b", "q=agren").await.contains(&id));
        assert!(app.search_ids("cw_b", &number).await.is_empty());
        assert!(app.search_ids("cw_b", "Östen Ågren").await.is_empty());
        // ...while unit A finds it every way.
        assert_eq!(app.search_ids("cw_a2", &number).await, vec![id]);
        assert_eq!(app.search_ids("cw_a2", "ågren öst").await, vec![id]);
    }
);

both_engines!(
    responsible_caseworker_in_another_unit_gets_the_caseload,
    |app: TestApp| async move {
        let (id, number) = register(&app, "cw_a", 3, "Sara", "Berg").await;
        let cw_b = app.user_ids["cw_b"];
        app.get("cw_b", &path(id)).await.must(404);
        // The policy's Caseload rule: the responsible caseworker reads and
        // updates wherever they work.
        let body = app
            .patch(
                "cw_a",
                &path(id),
                json!({ "responsible_caseworker_id": cw_b }),
            )
            .await
            .must(200)
            .json;
        assert_eq!(body["responsible_caseworker_id"], cw_b);
        assert_eq!(body["organisation_id"], app.org_a, "ownership unchanged");

        app.get("cw_b", &path(id)).await.must(200);
        assert!(app.list_ids("cw_b", "").await.contains(&id));
        assert_eq!(app.search_ids("cw_b", &number).await, vec![id]);
        let patched = app
            .patch("cw_b", &path(id), json!({ "district": "Skärholmen" }))
            .await
            .must(200)
            .json;
        assert_eq!(patched["district"], "Skärholmen");

        // Unit A still has it through the organisation; cw_b loses it when the
        // caseload is handed back.
        app.patch(
            "cw_a2",
            &path(id),
            json!({ "responsible_caseworker_id": null }),
        )
        .await
        .must(200);
        app.get("cw_b", &path(id)).await.must(404);
        assert!(!app.list_ids("cw_b", "").await.contains(&id));

        // Only an active caseworker can be made responsible.
        let admin = app.user_ids["admin"];
        app.patch(
            "cw_a",
            &path(id),
            json!({ "responsible_caseworker_id": admin }),
        )
        .await
        .assert_problem(422, &["responsible_caseworker_id"]);
    }
);

both_engines!(
    a_grant_gives_read_access_only_while_valid,
    |app: TestApp| async move {
        let (id, _) = register(&app, "cw_a", 4, "Leo", "Holm").await;
        let now = app.clock.now();
        let until = now + chrono::Duration::days(30);
        vagar_store::sqlx::query(
            "INSERT INTO access_grants (participant_id, user_id, reason, valid_from, valid_until, created_at) \
             VALUES ($1, $2, 'handover', $3, $4, $3)",
        )
        .bind(id)
        .bind(app.user_ids["cw_b"])
        .bind(now.timestamp_micros())
        .bind(until.timestamp_micros())
        .execute(app.store.pool())
        .await
        .unwrap();

        app.get("cw_b", &path(id)).await.must(200);
        assert!(app.list_ids("cw_b", "").await.contains(&id));
        // A grant is read-only.
        app.patch("cw_b", &path(id), json!({ "first_name": "X" }))
            .await
            .assert_problem(404, &[]);

        app.clock.advance(chrono::Duration::days(30));
        app.get("cw_b", &path(id)).await.must(404);
        assert!(!app.list_ids("cw_b", "").await.contains(&id));
    }
);

both_engines!(
    admin_reads_everything_but_writes_nothing,
    |app: TestApp| async move {
        let (a, _) = register(&app, "cw_a", 5, "Anna", "Ek").await;
        let (b, _) = register(&app, "cw_b", 6, "Bo", "Al").await;
        let mut seen = app.list_ids("admin", "").await;
        seen.sort();
        assert_eq!(seen, vec![a, b]);
        for id in [a, b] {
            app.get("admin", &path(id)).await.must(200);
            app.patch("admin", &path(id), json!({ "first_name": "Admin" }))
                .await
                .assert_problem(403, &[]);
        }
        app.post("admin", "/api/v1/participants", person(7, "Ad", "Min"))
            .await
            .assert_problem(403, &[]);
        assert_eq!(app.store.count_participants().await.unwrap(), 2);
        let p = app.get("cw_a", &path(a)).await.json;
        assert_eq!(p["first_name"], "Anna");
        assert_eq!(p["version"], 1);
    }
);

both_engines!(
    partner_sees_an_empty_list_and_reads_nothing,
    |app: TestApp| async move {
        let (id, number) = register(&app, "cw_a", 8, "Nils", "Dahl").await;
        let page = app
            .get("partner", "/api/v1/participants")
            .await
            .must(200)
            .json;
        assert_eq!(page["items"], json!([]));
        assert_eq!(page["total"], 0);
        assert!(app.search_ids("partner", &number).await.is_empty());
        let existing = app.get("partner", &path(id)).await;
        let missing = app.get("partner", &path(id + 99)).await;
        assert_eq!(existing.status, missing.status, "{}", existing.text);
        assert_eq!(existing.json, missing.json);
        assert!(!existing.text.contains("Nils"));
    }
);

both_engines!(
    callers_without_valid_credentials_get_401,
    |app: TestApp| async move {
        let (id, _) = register(&app, "cw_a", 9, "Ida", "Sund").await;
        let cases: [(Method, String, Option<Value>); 6] = [
            (Method::GET, "/api/v1/participants".into(), None),
            (Method::GET, path(id), None),
            (Method::PATCH, path(id), Some(json!({ "first_name": "X" }))),
            (
                Method::POST,
                "/api/v1/participants".into(),
                Some(person(10, "A", "B")),
            ),
            (
                Method::POST,
                "/api/v1/participants/search".into(),
                Some(json!({ "q": "ida" })),
            ),
            (Method::GET, "/api/v1/audit".into(), None),
        ];
        for (method, url, body) in cases {
            for auth in [None, Some("Bearer vgr_not-a-token"), Some("Basic Y3dfYTp4")] {
                let mut req = app.http.request(method.clone(), app.url(&url));
                if let Some(a) = auth {
                    req = req.header("authorization", a);
                }
                if let Some(b) = &body {
                    req = req.json(b);
                }
                let r = Reply::read(req.send().await.unwrap()).await;
                r.assert_problem(401, &[]);
                assert_eq!(
                    r.headers
                        .get("www-authenticate")
                        .and_then(|v| v.to_str().ok()),
                    Some("Bearer"),
                    "{method} {url} with {auth:?}"
                );
                assert!(!r.text.contains("Ida"));
            }
        }
        assert_eq!(app.store.count_participants().await.unwrap(), 1);
        let p = app.get("cw_a", &path(id)).await.json;
        assert_eq!(p["version"], 1);
    }
);

both_engines!(
    a_list_never_shows_what_a_read_refuses,
    |app: TestApp| async move {
        // A spread of participants: unit A, unit B, one of A on cw_b's caseload.
        let mut all = Vec::new();
        let mut i = 20;
        for (user, n) in [("cw_a", 4), ("cw_a2", 2), ("cw_b", 3)] {
            for _ in 0..n {
                all.push(
                    register(&app, user, i, "Test", &format!("Person{i}"))
                        .await
                        .0,
                );
                i += 1;
            }
        }
        let (shared, _) = register(&app, "cw_a", i, "Delad", "Person").await;
        all.push(shared);
        app.patch(
            "cw_a",
            &path(shared),
            json!({ "responsible_caseworker_id": app.user_ids["cw_b"] }),
        )
        .await
        .must(200);

        for user in ALL_USERS {
            let list = app.get(user, "/api/v1/participants").await;
            if list.status == 403 {
                continue;
            }
            let ids = app.list_ids(user, "").await;
            let searched = app.search_ids(user, "person").await;
            for id in ids.iter().chain(&searched) {
                app.get(user, &path(*id))
                    .await
                    .must_as(200, format!("{user} listed {id} but may not read it"));
            }
            // And, the other way round, a readable participant is listed.
            for id in &all {
                let r = app.get(user, &path(*id)).await;
                if r.status == 200 {
                    assert!(ids.contains(id), "{user} reads {id} but it is not listed");
                }
            }
        }
        assert_eq!(app.list_ids("cw_b", "").await.len(), 3 + 1);
        assert_eq!(app.list_ids("cw_a", "").await.len(), 6 + 1);
        assert_eq!(app.list_ids("admin", "").await.len(), 10);
    }
);

both_engines!(
    session_writes_without_the_csrf_header_are_refused,
    |app: TestApp| async move {
        let browser = app.login("cw_a").await;
        let page = form::page(&browser, &app, "/deltagare").await.1;
        let csrf = common::hidden_csrf(&page);
        let (number, _) = pnr_on(chrono::NaiveDate::from_ymd_opt(1985, 5, 5).unwrap(), 321);
        let body = json!({ "identity_number": number, "first_name": "Sessa", "last_name": "Kaka" });

        // Reads need no token.
        Reply::read(
            browser
                .get(app.url("/api/v1/participants"))
                .send()
                .await
                .unwrap(),
        )
        .await
        .must(200);

        for token in [None, Some("wrong"), Some("")] {
            let mut req = browser.post(app.url("/api/v1/participants")).json(&body);
            if let Some(t) = token {
                req = req.header("x-csrf-token", t);
            }
            Reply::read(req.send().await.unwrap())
                .await
                .assert_problem(403, &[]);
            assert_eq!(app.store.count_participants().await.unwrap(), 0);
        }
        let id = Reply::read(
            browser
                .post(app.url("/api/v1/participants"))
                .header("x-csrf-token", &csrf)
                .json(&body)
                .send()
                .await
                .unwrap(),
        )
        .await
        .must(201)
        .id();

        let patch = |token: Option<&str>| {
            let mut req = browser
                .patch(app.url(&path(id)))
                .json(&json!({ "first_name": "Ändrad" }));
            if let Some(t) = token {
                req = req.header("x-csrf-token", t.to_string());
            }
            req.send()
        };
        Reply::read(patch(None).await.unwrap())
            .await
            .assert_problem(403, &[]);
        let p = app.get("cw_a", &path(id)).await.json;
        assert_eq!(p["first_name"], "Sessa");
        let ok = Reply::read(patch(Some(&csrf)).await.unwrap())
            .await
            .must(200);
        assert_eq!(ok.json["first_name"], "Ändrad");

        // A search is a POST too.
        Reply::read(
            browser
                .post(app.url("/api/v1/participants/search"))
                .json(&json!({ "q": "sessa" }))
                .send()
                .await
                .unwrap(),
        )
        .await
        .assert_problem(403, &[]);
        // The token of another session is no good either.
        let other = app.login("cw_a2").await;
        Reply::read(
            other
                .patch(app.url(&path(id)))
                .header("x-csrf-token", &csrf)
                .json(&json!({ "first_name": "Fel" }))
                .send()
                .await
                .unwrap(),
        )
        .await
        .assert_problem(403, &[]);
        let p = app.get("cw_a", &path(id)).await.json;
        assert_eq!(p["first_name"], "Ändrad");
    }
);

both_engines!(
    concurrent_failed_logins_are_all_counted,
    |app: TestApp| async move {
        // Ten browsers guess cw_a's password at once: every failure counts
        // toward the throttle, none is lost and none fails with a 500.
        let mut attempts = Vec::new();
        for _ in 0..10 {
            let client = reqwest::Client::builder()
                .cookie_store(true)
                .redirect(reqwest::redirect::Policy::none())
                .build()
                .unwrap();
            let page = form::page(&client, &app, "/logga-in").await.1;
            let csrf = common::hidden_csrf(&page);
            let url = app.url("/logga-in");
            attempts.push(tokio::spawn(async move {
                client
                    .post(url)
                    .form(&[
                        ("csrf", csrf.as_str()),
                        ("username", "cw_a"),
                        ("password", "not-the-password"),
                    ])
                    .send()
                    .await
                    .unwrap()
                    .status()
                    .as_u16()
            }));
        }
        let mut statuses = Vec::new();
        for a in attempts {
            statuses.push(a.await.unwrap());
        }
        assert!(
            statuses.iter().all(|s| *s == 401 || *s == 429),
            "{statuses:?}"
        );
        let refused = statuses.iter().filter(|s| **s == 401).count() as i64;
        let counted: i64 = vagar_store::sqlx::query(
            "SELECT failures FROM login_throttle WHERE throttle_key = 'user:cw_a'",
        )
        .fetch_one(app.store.pool())
        .await
        .unwrap()
        .try_get("failures")
        .unwrap();
        assert_eq!(counted, refused, "{statuses:?}");
        assert!(refused >= 5);

        // The right password is now refused too, until the wait is over.
        let client = reqwest::Client::builder()
            .cookie_store(true)
            .build()
            .unwrap();
        let page = form::page(&client, &app, "/logga-in").await.1;
        let res = client
            .post(app.url("/logga-in"))
            .form(&[
                ("csrf", common::hidden_csrf(&page).as_str()),
                ("username", "cw_a"),
                ("password", common::PASSWORD),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(res.status().as_u16(), 429);
        app.clock.advance(chrono::Duration::minutes(16));
        app.login("cw_a").await;
    }
);
