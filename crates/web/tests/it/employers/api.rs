//! The employer register through the public API on both engines: create with
//! field-named validation (bad organisation number, unknown SNI, unknown
//! municipality → 422, nothing written), duplicates → 409, the coordinator's
//! CRUD of workplaces, contacts and interactions, optimistic locking, access
//! per role (partner/analyst 403, caseworker/admin read, an employer user
//! sees only its own employer), the audit trail, and actual-vs-target and
//! procurement fulfilment against hand-computed numbers.

use crate::common;

use common::TestApp;
use serde_json::{json, Value};

/// A valid organisation number `5560NNNNNC` (fictitious).
pub fn org_number(i: u32) -> String {
    let nine = format!("5560{:05}", i % 100_000);
    let digits: Vec<u8> = nine.bytes().map(|b| b - b'0').collect();
    let check = vagar_domain::identity::luhn_check_digit(&digits);
    format!("{nine}{check}")
}

fn today(app: &TestApp) -> String {
    vagar_domain::time::swedish_date(app.clock.now())
        .format("%Y-%m-%d")
        .to_string()
}

async fn audit(app: &TestApp) -> Vec<Value> {
    let r = app.get("admin", "/api/v1/audit?limit=1000").await.must(200);
    r.array()
}

async fn count_employers(app: &TestApp) -> i64 {
    let r = app.get("coordinator", "/api/v1/employers").await.must(200);
    r.json["total"].as_i64().unwrap()
}

pub async fn employer(app: &TestApp, i: u32, name: &str) -> Value {
    let r = app
        .post(
            "coordinator",
            "/api/v1/employers",
            json!({ "organisation_number": org_number(i), "name": name, "sni_code": "62",
                "size_class": "small" }),
        )
        .await
        .must(201);
    r.json
}

both_engines!(
    create_validates_fields_and_refuses_duplicates,
    |app: TestApp| async move {
        app.load_taxonomy().await;
        // Arrange: one valid number, formatted with a dash.
        let n = org_number(1);
        let dashed = format!("{}-{}", &n[..6], &n[6..]);

        // Act + Assert: bad check digit, unknown SNI, bad size — all named.
        let mut bad = n.clone().into_bytes();
        bad[9] = b'0' + (bad[9] - b'0' + 1) % 10;
        let r = app
            .post(
                "coordinator",
                "/api/v1/employers",
                json!({ "organisation_number": String::from_utf8(bad).unwrap(), "name": "Fel AB",
                    "sni_code": "00", "size_class": "huge" }),
            )
            .await;
        r.assert_problem(422, &["organisation_number", "sni_code", "size_class"]);
        assert_eq!(
            r.error_code("organisation_number").as_deref(),
            Some("checksum")
        );
        // A well-formed code that the taxonomy does not hold.
        app.post(
            "coordinator",
            "/api/v1/employers",
            json!({ "organisation_number": dashed, "name": "Fel AB", "sni_code": "04" }),
        )
        .await
        .assert_problem(422, &["sni_code"]);
        assert_eq!(count_employers(&app).await, 0, "nothing written");

        let r = app
            .post(
                "coordinator",
                "/api/v1/employers",
                json!({ "organisation_number": dashed, "name": "Bygg & Montage AB",
                    "sni_code": "41" }),
            )
            .await
            .must(201);
        assert_eq!(r.json["organisation_number"], n, "stored canonical");
        assert_eq!(r.json["organisation_number_formatted"], dashed);
        assert_eq!(r.json["size_class"], "unknown");
        assert_eq!(r.json["sni_label"], "Byggande av hus");
        let id = r.id();

        // A duplicate, spelled differently: 409 naming the field.
        app.post(
            "coordinator",
            "/api/v1/employers",
            json!({ "organisation_number": format!("16{n}"), "name": "Samma AB" }),
        )
        .await
        .assert_problem(409, &["organisation_number"]);
        assert_eq!(count_employers(&app).await, 1);

        // A workplace in a municipality that does not exist: 422, nothing written.
        let w = format!("/api/v1/employers/{id}/workplaces");
        app.post(
            "coordinator",
            &w,
            json!({ "name": "Lagret", "municipality_code": "9999", "accessibility": ["lift",
                    "sauna"] }),
        )
        .await
        .assert_problem(422, &["municipality_code", "accessibility"]);
        let r = app.get("coordinator", &w).await;
        assert_eq!(r.json.as_array().unwrap().len(), 0);
    }
);

both_engines!(coordinator_keeps_the_register, |app: TestApp| async move {
    app.load_taxonomy().await;
    let e = employer(&app, 2, "Söderkök AB").await;
    let id = e["id"].as_i64().unwrap();
    let base = format!("/api/v1/employers/{id}");

    let r = app
        .post(
            "coordinator",
            &format!("{base}/workplaces"),
            json!({
                "name": "Köket på Götgatan", "street_address": "Götgatan 1", "postal_code": "11646",
                "city": "Stockholm", "municipality_code": "0180", "district": "Södermalm",
                "accessibility": ["lift", "step_free_entrance"],
                    "accessibility_note": "Ramp vid entrén",
            }),
        )
        .await
        .must(201);
    assert_eq!(r.json["postal_code"], "116 46");
    assert_eq!(
        r.json["accessibility"],
        json!(["step_free_entrance", "lift"])
    );

    app.post(
        "coordinator",
        &format!("{base}/contacts"),
        json!({ "name": "Lena Kock", "title": "Köksmästare", "email": "lena@",
                "phone": "08-123 456" }),
    )
    .await
    .assert_problem(422, &["email"]);
    app.post(
        "coordinator",
        &format!("{base}/contacts"),
        json!({ "name": "Lena Kock", "title": "Köksmästare", "email": "lena@soderkok.se",
                "phone": "08-123 456" }),
    )
    .await
    .must(201);

    for (kind, note) in [("call", "Första samtal"), ("visit", "Besök i köket")] {
        app.post(
            "coordinator",
            &format!("{base}/interactions"),
            json!({ "occurred_on": today(&app), "kind": kind, "note": note }),
        )
        .await
        .must(201);
    }
    app.post(
        "coordinator",
        &format!("{base}/interactions"),
        json!({ "occurred_on": "2099-01-01", "kind": "fax", "note": "x" }),
    )
    .await
    .assert_problem(422, &["occurred_on", "kind"]);
    let r = app
        .get("coordinator", &format!("{base}/interactions"))
        .await;
    assert_eq!(r.json.as_array().unwrap().len(), 2);
    // Append-only: no way to change or remove an entry.
    let iid = r.json[0]["id"].as_i64().unwrap();
    let r = app
        .delete("coordinator", &format!("{base}/interactions/{iid}"))
        .await;
    assert!(r.status == 404 || r.status == 405, "{}", r.status);

    // PATCH with optimistic locking.
    let r = app
        .patch(
            "coordinator",
            &base,
            json!({ "name": "Söderköket AB", "size_class": "medium", "version": 1 }),
        )
        .await
        .must(200);
    assert_eq!(r.json["version"], 2);
    app.patch(
        "coordinator",
        &base,
        json!({ "name": "Gammal", "version": 1 }),
    )
    .await
    .assert_problem(409, &["version"]);

    // Search by name prefix, SNI and district.
    employer(&app, 3, "Norrbageriet AB").await;
    let j = app
        .get("coordinator", "/api/v1/employers?q=soderk")
        .await
        .must(200)
        .json;
    assert_eq!(j["total"], 1);
    assert_eq!(j["items"][0]["name"], "Söderköket AB");
    let j = app
        .get("coordinator", "/api/v1/employers?district=S%C3%B6dermalm")
        .await
        .json;
    assert_eq!(j["total"], 1);
    let j = app.get("coordinator", "/api/v1/employers?sni=J").await.json;
    assert_eq!(j["total"], 2, "section J holds division 62: {j}");
    let j = app
        .get("coordinator", "/api/v1/employers?sni=41")
        .await
        .json;
    assert_eq!(j["total"], 0);
    let j = app
        .get("coordinator", "/api/v1/employers?per_page=1&page=2")
        .await
        .json;
    assert_eq!(j["items"].as_array().unwrap().len(), 1);
    assert_eq!(j["total"], 2);

    let events = audit(&app).await;
    let has = |action: &str| {
        events.iter().any(|e| {
            e["action"] == action
                && e["username"] == "coordinator"
                && e["outcome"] == "allowed:employer_coordinator:anywhere"
        })
    };
    for a in [
        "employer.create",
        "employer.update",
        "employer.contact.create",
        "employer.workplace.create",
        "employer.interaction.create",
        "employer.list",
    ] {
        assert!(has(a), "{a} audited: {events:?}");
    }
});

both_engines!(access_follows_the_roles, |app: TestApp| async move {
    app.load_taxonomy().await;
    let own = employer(&app, 4, "Egen Arbetsgivare AB").await["id"]
        .as_i64()
        .unwrap();
    let other = employer(&app, 5, "Annan Arbetsgivare AB").await["id"]
        .as_i64()
        .unwrap();
    let employer_org = app.org("Employer").await;
    app.patch(
        "coordinator",
        &format!("/api/v1/employers/{own}"),
        json!({ "organisation_id": employer_org, "version": 1 }),
    )
    .await
    .must(200);

    // Partners and analysts never: 403, also for lists and creation.
    for user in ["partner", "analyst"] {
        for path in [
            "/api/v1/employers".to_string(),
            format!("/api/v1/employers/{own}"),
            format!("/api/v1/employers/{own}/contacts"),
        ] {
            app.get(user, &path)
                .await
                .must_as(403, format!("{user} {path}"));
        }
        app.post(
            user,
            "/api/v1/employers",
            json!({ "organisation_number": org_number(9), "name": "X" }),
        )
        .await
        .must(403);
    }
    // Caseworkers and admins read anything, change nothing.
    for user in ["cw_a", "admin"] {
        let j = app.get(user, "/api/v1/employers").await.must(200).json;
        assert_eq!(j["total"], 2);
        app.get(user, &format!("/api/v1/employers/{other}/contacts"))
            .await
            .must(200);
        app.post(
            user,
            &format!("/api/v1/employers/{other}/interactions"),
            json!({ "occurred_on": today(&app), "kind": "call", "note": "x" }),
        )
        .await
        .must_as(403, user);
    }
    // The employer's own user sees its employer only; others are 404.
    let j = app
        .get("employer", "/api/v1/employers")
        .await
        .must(200)
        .json;
    assert_eq!(j["total"], 1);
    assert_eq!(j["items"][0]["id"], own);
    app.get("employer", &format!("/api/v1/employers/{own}/workplaces"))
        .await
        .must(200);
    for path in [
        format!("/api/v1/employers/{other}"),
        format!("/api/v1/employers/{other}/contacts"),
        "/api/v1/employers/999999".to_string(),
    ] {
        app.get("employer", &path).await.must_as(404, path);
    }
    app.post(
        "employer",
        &format!("/api/v1/employers/{own}/contacts"),
        json!({ "name": "Jag" }),
    )
    .await
    .must(403);

    let events = audit(&app).await;
    assert!(events.iter().any(|e| e["action"] == "employer.read"
        && e["username"] == "employer"
        && e["outcome"] == "denied"
        && e["detail"] == format!("employer {other}")));
    assert!(events.iter().any(|e| e["action"] == "employer.list"
        && e["username"] == "partner"
        && e["outcome"] == "denied"));
    assert!(events
        .iter()
        .any(|e| e["action"] == "employer.workplace.list"
            && e["username"] == "employer"
            && e["outcome"] == "allowed:employer:own_employer"));
});

both_engines!(
    agreements_show_actual_against_target_and_fulfilment,
    |app: TestApp| async move {
        app.load_taxonomy().await;
        let id = employer(&app, 6, "Partner AB").await["id"]
            .as_i64()
            .unwrap();
        let base = format!("/api/v1/employers/{id}");

        // Partnership 2024–2025: 4 placements and 2 hires a year.
        let aid = app
            .post(
                "coordinator",
                &format!("{base}/partnerships"),
                json!({ "name": "Branschpartnerskap Vård", "valid_from": "2024-01-01",
                "valid_to": "2025-12-31",
                          "target_placements_per_year": 4, "target_hires_per_year": 2 }),
            )
            .await
            .must(201)
            .id();
        let outcomes = format!("{base}/partnerships/{aid}/outcomes");
        for (on, kind) in [
            ("2024-03-01", "placement"),
            ("2024-05-01", "placement"),
            ("2024-06-01", "hire"),
            ("2025-02-01", "placement"),
        ] {
            app.post(
                "coordinator",
                &outcomes,
                json!({ "occurred_on": on, "kind": kind }),
            )
            .await
            .must(201);
        }
        app.post(
            "coordinator",
            &outcomes,
            json!({ "occurred_on": "2023-12-31", "kind": "hire" }),
        )
        .await
        .assert_problem(422, &["occurred_on"]);
        let j = app
            .get("coordinator", &format!("{base}/partnerships"))
            .await
            .json;
        let p = &j[0]["progress"];
        assert_eq!(p.as_array().unwrap().len(), 2, "{j}");
        assert_eq!(p[0]["year"], 2024);
        assert_eq!(
            (
                p[0]["actual_placements"].as_i64(),
                p[0]["placements_percent"].as_i64()
            ),
            (Some(2), Some(50))
        );
        assert_eq!(
            (
                p[0]["actual_hires"].as_i64(),
                p[0]["hires_percent"].as_i64()
            ),
            (Some(1), Some(50))
        );
        assert_eq!(
            (
                p[1]["actual_placements"].as_i64(),
                p[1]["placements_percent"].as_i64()
            ),
            (Some(1), Some(25))
        );
        assert_eq!(
            (
                p[1]["actual_hires"].as_i64(),
                p[1]["hires_percent"].as_i64()
            ),
            (Some(0), Some(0))
        );
        // An outcome under another employer's path: 404.
        let other = employer(&app, 7, "Annan AB").await["id"].as_i64().unwrap();
        app.post(
            "coordinator",
            &format!("/api/v1/employers/{other}/partnerships/{aid}/outcomes"),
            json!({ "occurred_on": "2024-03-01", "kind": "hire" }),
        )
        .await
        .must(404);

        // Placements contract over 2024 (all months elapsed): 6 required.
        let cid = app
            .post(
                "coordinator",
                &format!("{base}/procurement-contracts"),
                json!({ "contract_name": "Städning skolor",
                "procuring_unit": "Utbildningsförvaltningen",
                          "period_from": "2024-01-01", "period_to": "2024-12-31",
                          "requirement_kind": "placements", "required_placements": 6 }),
            )
            .await
            .must(201)
            .id();
        let f = format!("{base}/procurement-contracts/{cid}/fulfilment");
        app.put(
            "coordinator",
            &f,
            json!({ "month": "2024-01", "placements": 2 }),
        )
        .await
        .must(200);
        let r = app
            .put(
                "coordinator",
                &format!("{f}/2024-02"),
                json!({ "placements": 1 }),
            )
            .await
            .must(200);
        let ff = &r.json["fulfilment"];
        assert_eq!(ff["months_total"], 12);
        assert_eq!(ff["months_elapsed"], 12);
        assert_eq!(ff["placements_so_far"], 3);
        assert_eq!(ff["expected_placements_by_now"], 6);
        assert_eq!(ff["percent_of_requirement"], 50);
        assert_eq!(ff["behind"], true);
        app.put(
            "coordinator",
            &format!("{f}/2025-01"),
            json!({ "placements": 1 }),
        )
        .await
        .assert_problem(422, &["month"]);

        // Hours-share contract: 50 ‰ required.
        let cid = app
            .post(
                "coordinator",
                &format!("{base}/procurement-contracts"),
                json!({ "contract_name": "Parkskötsel", "procuring_unit": "Trafikkontoret",
                          "period_from": "2024-01-01", "period_to": "2024-06-30",
                          "requirement_kind": "hours_share", "required_hours_share_permille": 50 }),
            )
            .await
            .must(201)
            .id();
        let f = format!("{base}/procurement-contracts/{cid}/fulfilment");
        app.put(
            "coordinator",
            &format!("{f}/2024-01"),
            json!({ "contract_hours": 1000, "target_group_hours": 40 }),
        )
        .await;
        let r = app
            .put(
                "coordinator",
                &format!("{f}/2024-02"),
                json!({ "contract_hours": 1000, "target_group_hours": 70 }),
            )
            .await;
        let ff = &r.json["fulfilment"];
        assert_eq!(ff["hours_share_permille"], 55, "{}", r.text);
        assert_eq!(ff["percent_of_requirement"], 110);
        assert_eq!(ff["behind"], false);
        // A correction of February replaces the month: 90 / 2000 = 45 ‰, behind.
        let r = app
            .put(
                "coordinator",
                &format!("{f}/2024-02"),
                json!({ "contract_hours": 1000, "target_group_hours": 50 }),
            )
            .await;
        let ff = &r.json["fulfilment"];
        assert_eq!(ff["months_reported"], 2);
        assert_eq!(ff["hours_share_permille"], 45);
        assert_eq!(ff["behind"], true);
        app.put(
            "coordinator",
            &format!("{f}/2024-03"),
            json!({ "contract_hours": 10, "target_group_hours": 11 }),
        )
        .await
        .assert_problem(422, &["target_group_hours"]);
        let j = app
            .get("coordinator", &format!("{base}/procurement-contracts"))
            .await
            .json;
        assert_eq!(j.as_array().unwrap().len(), 2);
    }
);

both_engines!(
    upsert_by_org_number_finds_or_creates,
    |app: TestApp| async move {
        let n = vagar_domain::OrganisationNumber::parse(&org_number(8)).unwrap();
        let mut tx = app.store.pool().begin().await.unwrap();
        let (a, created_a) = app
            .store
            .upsert_employer_by_org_number(&mut tx, &n, "Annons AB", "job_ad", app.clock.now())
            .await
            .unwrap();
        let (b, created_b) = app
            .store
            .upsert_employer_by_org_number(
                &mut tx,
                &n,
                "Annat namn",
                "public_form",
                app.clock.now(),
            )
            .await
            .unwrap();
        tx.commit().await.unwrap();
        assert!(created_a && !created_b);
        assert_eq!(a, b);
        let j = app
            .get("coordinator", &format!("/api/v1/employers/{a}"))
            .await
            .json;
        assert_eq!(j["name"], "Annons AB");
        assert_eq!(j["source"], "job_ad");
    }
);

both_engines!(
    every_role_and_action_matches_the_catalogue,
    |app: TestApp| async move {
        use vagar_domain::access::{decide_employer, employer_role_may, Actor, EmployerAction};
        app.load_taxonomy().await;
        let employer_org = app.org("Employer").await;
        let own = employer(&app, 10, "Länkad AB").await["id"]
            .as_i64()
            .unwrap();
        let other = employer(&app, 11, "Olänkad AB").await["id"]
            .as_i64()
            .unwrap();
        app.patch(
            "coordinator",
            &format!("/api/v1/employers/{own}"),
            json!({ "organisation_id": employer_org, "version": 1 }),
        )
        .await
        .must(200);
        let mut n = 100;
        for (user, role, org) in common::USERS {
            let organisation_id = if *org == "Employer" {
                employer_org
            } else {
                app.org_a
            };
            let actor = Actor {
                user_id: 0,
                username: user.to_string(),
                role: *role,
                organisation_id,
            };
            for &action in EmployerAction::ALL {
                for (target, linked) in [(own, Some(employer_org)), (other, None)] {
                    n += 1;
                    let (status, expected) = match action {
                        EmployerAction::Create => {
                            let r = app
                            .post(
                                user,
                                "/api/v1/employers",
                                json!({ "organisation_number": org_number(n), "name": "Ny AB" }),
                            )
                            .await;
                            (
                                r.status,
                                if employer_role_may(*role, action) {
                                    201
                                } else {
                                    403
                                },
                            )
                        }
                        EmployerAction::Read | EmployerAction::Manage => {
                            let r = if action == EmployerAction::Read {
                                app.get(user, &format!("/api/v1/employers/{target}")).await
                            } else {
                                app.post(
                                    user,
                                    &format!("/api/v1/employers/{target}/contacts"),
                                    json!({ "name": "Kontakt" }),
                                )
                                .await
                            };
                            let expected =
                                if decide_employer(&actor, action, Some(linked)).is_some() {
                                    if action == EmployerAction::Read {
                                        200
                                    } else {
                                        201
                                    }
                                } else if employer_role_may(*role, action) {
                                    404
                                } else {
                                    403
                                };
                            (r.status, expected)
                        }
                    };
                    assert_eq!(status, expected, "{user} {action:?} on {target}");
                }
            }
        }
    }
);
