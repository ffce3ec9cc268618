//! The competence database through the public API on both engines:
//! profiles (save with a version check, validation that names fields and
//! writes nothing, access through the participant policy, audit) and the
//! competence search (substitutable occupations, pseudonymous hits, names
//! only under a consent in force naming the employer's organisation, audit).

use crate::common;
use crate::common::form;

use common::TestApp;
use serde_json::{json, Value};

fn competence(id: i64) -> String {
    format!("/api/v1/participants/{id}/competence")
}

/// A participant of unit A (cw_a's unit); returns the created record.
async fn register(app: &TestApp, i: u32, first: &str) -> Value {
    app.create(
        "cw_a",
        json!({
            "identity_number": common::pnr(i),
            "first_name": first,
            "last_name": "Kompetensdotter",
            "email": "kompetens@example.se",
            "phone": "070-1112233",
            "district": "Rinkeby-Kista",
        }),
    )
    .await
}

async fn put_profile(app: &TestApp, id: i64, body: Value) -> common::Reply {
    app.put("cw_a", &competence(id), body).await
}

fn profile(occupation: &str, version: i64) -> Value {
    json!({
        "version": version,
        "experiences": [{ "occupation": occupation, "years": 4 }],
        "education_level": "3",
        "foreign_education": true,
        "foreign_validation": "in_progress",
        "languages": [{ "language": "Arabiska", "level": "native" }],
        "swedish_level": "sfi_d",
        "driving_licences": ["B"],
        "certificates": ["Hygienpass"],
        "wished_occupations": ["Elevassistent"],
    })
}

async fn search(app: &TestApp, user: &str, body: Value) -> common::Reply {
    app.post(user, "/api/v1/competence-search", body).await
}

async fn audit(app: &TestApp) -> Vec<Value> {
    let r = app.get("admin", "/api/v1/audit?limit=500").await.must(200);
    r.array()
}

/// An employer whose `employer` users act for the organisation "Employer".
async fn employer(app: &TestApp) -> (i64, i64) {
    let org = app.org("Employer").await;
    let now = chrono::Utc::now().timestamp_micros();
    let row = vagar_store::sqlx::query(
        "INSERT INTO employers (organisation_number, name, name_folded, organisation_id, source, \
         created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
    )
    .bind("5560000001")
    .bind("Skolbolaget AB")
    .bind("skolbolaget ab")
    .bind(org)
    .bind("coordinator")
    .bind(now)
    .bind(now)
    .fetch_one(app.store.pool())
    .await
    .expect("employer");
    use vagar_store::sqlx::Row;
    (row.get::<i64, _>("id"), org)
}

both_engines!(
    the_competence_search_finds_profiles_by_a_substitutable_occupation,
    |app: TestApp| async move {
        app.load_taxonomy().await;
        let leader = register(&app, 1, "Fritida").await["id"].as_i64().unwrap();
        let assistant = register(&app, 2, "Assista").await["id"].as_i64().unwrap();
        let clerk = register(&app, 3, "Kontora").await["id"].as_i64().unwrap();
        for (id, occ) in [
            (leader, "Fritidsledare"),
            (assistant, "Elevassistent"),
            (clerk, "Städare"),
        ] {
            put_profile(&app, id, profile(occ, 0)).await.must(200);
        }

        let r = search(
            &app,
            "coordinator",
            json!({ "occupation": "Elevassistent" }),
        )
        .await
        .must(200);
        let items = r.json["items"].as_array().unwrap();
        assert_eq!(items.len(), 2, "the clerk does not fit: {}", r.text);
        assert_eq!(items[0]["fit"], "exact");
        assert_eq!(items[1]["fit"], "substitutable");
        let reasons = items[1]["reasons"].to_string();
        assert!(
            reasons.contains("substitutable: Fritidsledare → Elevassistent 25 %"),
            "{reasons}"
        );
        assert!(items[1]["profile_code"].as_str().unwrap().starts_with("K-"));
        assert_eq!(r.json["total"], 2);

        // An SSYK group is expanded to its occupation names.
        let r = search(&app, "cw_a", json!({ "occupation": "5312" }))
            .await
            .must(200);
        assert_eq!(r.json["items"].as_array().unwrap().len(), 2);

        // Other criteria narrow it: nobody has Swedish C1, everybody has B.
        let r = search(
            &app,
            "coordinator",
            json!({ "occupation": "Elevassistent", "min_swedish_level": "c1" }),
        )
        .await;
        assert_eq!(r.json["total"], 0, "{}", r.text);
        let r = search(
            &app,
            "coordinator",
            json!({ "occupation": "Elevassistent", "driving_licence": "b",
                "district": "Rinkeby-Kista" }),
        )
        .await;
        assert_eq!(r.json["total"], 2, "{}", r.text);
        let r = search(&app, "coordinator", json!({ "driving_licence": "CE" })).await;
        assert_eq!(r.json["total"], 0, "{}", r.text);

        // Criteria are validated by field.
        search(
            &app,
            "coordinator",
            json!({ "occupation": "Rymdkock xyz", "limit": 0 }),
        )
        .await
        .assert_problem(422, &["occupation", "limit"]);
    }
);

both_engines!(
    a_coordinator_never_sees_a_name_or_identity_number_in_a_competence_search_result_without_consent,
    |app: TestApp| async move {
        app.load_taxonomy().await;
        let p = register(&app, 11, "Xenobia").await;
        let id = p["id"].as_i64().unwrap();
        let number = p["identity_number"].as_str().unwrap().to_string();
        let birth = p["birth_date"].as_str().unwrap_or("1990-01-12").to_string();
        put_profile(&app, id, profile("Barnskötare", 0)).await.must(200);
        let (employer_id, employer_org) = employer(&app).await;

        let secret = |text: &str| {
            let digits: String = number.chars().filter(char::is_ascii_digit).collect();
            assert!(!text.contains("Xenobia"), "name leaked: {text}");
            assert!(!text.contains("Kompetensdotter"), "name leaked: {text}");
            assert!(!text.contains(&number), "identity number leaked: {text}");
            assert!(!text.contains(&digits[digits.len() - 10..]), "identity number leaked");
            assert!(!text.contains(&birth), "birth date leaked: {text}");
            assert!(!text.contains("kompetens@example.se"));
            assert!(!text.contains("070-1112233"));
            assert!(!text.contains(&format!("\"participant_id\":{id}")));
        };

        // Without a consent: pseudonymous, with or without an employer.
        for body in [
            json!({ "occupation": "Barnskötare" }),
            json!({ "occupation": "Barnskötare", "employer_id": employer_id }),
        ] {
            let r = search(&app, "coordinator", body).await.must(200);
            assert_eq!(r.json["items"].as_array().unwrap().len(), 1);
            assert_eq!(r.json["items"][0]["identified"], false);
            secret(&r.text);
        }

        // A consent naming another organisation identifies nobody.
        let af = app.org("AF").await;
        app.post(
            "cw_a",
            &format!("/api/v1/participants/{id}/consents"),
            json!({ "organisation_ids": [af], "categories": ["contact_details"],
                    "method": "written" }),
        )
        .await
        .must(201);
        let query = json!({ "occupation": "Barnskötare", "employer_id": employer_id });
        let r = search(&app, "coordinator", query.clone()).await;
        secret(&r.text);

        // A consent in force naming the employer's organisation: the name appears.
        let today = vagar_domain::time::swedish_date(app.clock.now());
        let last_day = today + chrono::Duration::days(10);
        let consent_id = app
            .post(
                "cw_a",
                &format!("/api/v1/participants/{id}/consents"),
                json!({ "organisation_ids": [employer_org], "categories": ["contact_details"],
                               "method": "written",
                                   "valid_to": last_day.format("%Y-%m-%d").to_string() }),
            )
            .await
            .must(201)
            .id();
        let r = search(&app, "coordinator", query).await.must(200);
        let hit = &r.json["items"][0];
        assert_eq!(hit["name"], "Xenobia Kompetensdotter");
        assert_eq!(hit["participant_id"], id);
        assert_eq!(hit["identified"], true);
        assert!(!r.text.contains(&number), "never the identity number");
        assert!(!r.text.contains("kompetens@example.se"));
        // Not without naming the employer.
        let r = search(&app, "coordinator", json!({ "occupation": "Barnskötare" })).await;
        secret(&r.text);

        // The search is audited: who was returned and who identified under which consent.
        let events = audit(&app).await;
        let searches: Vec<&Value> = events
            .iter()
            .filter(|e| e["action"] == "competence.search")
            .collect();
        assert!(searches.len() >= 5, "{searches:?}");
        assert!(searches
            .iter()
            .all(|e| e["participant_ids"] == json!([id])));
        assert!(searches.iter().any(|e| e["detail"]
            .as_str()
            .unwrap()
            .contains(&format!("identified {id} under consent {consent_id}"))));

        // After the consent's last day: pseudonymous again.
        app.clock.advance(chrono::Duration::days(11));
        let r = search(&app, "coordinator", json!({ "occupation": "Barnskötare",
            "employer_id": employer_id })).await.must(200);
        secret(&r.text);
        app.clock.advance(chrono::Duration::days(-11));

        // After revocation: pseudonymous again.
        let r = app
            .post(
                "cw_a",
                &format!("/api/v1/participants/{id}/consents/{consent_id}/revoke"),
                json!({ "reason": "withdrawn by phone" }),
            )
            .await;
        assert!(r.status < 300, "revoke: {}", r.text);
        let r = search(&app, "coordinator", json!({ "occupation": "Barnskötare",
            "employer_id": employer_id })).await;
        secret(&r.text);

        // Roles outside the catalogue: 403.
        for user in ["analyst", "partner", "employer"] {
            search(&app, user, json!({})).await.assert_problem(403, &[]);
        }
    }
);

both_engines!(
    a_profile_is_saved_with_a_version_check_and_validated_by_field,
    |app: TestApp| async move {
        app.load_taxonomy().await;
        let id = register(&app, 21, "Vera").await["id"].as_i64().unwrap();
        let r = app.get("cw_a", &competence(id)).await.must(200);
        assert_eq!(r.json["exists"], false);
        assert_eq!(r.json["version"], 0);

        // Invalid: every field named, nothing written.
        put_profile(
            &app,
            id,
            json!({
                "version": 0,
                "experiences": [{ "occupation": "Barnskötare",
                    "years": 99 }, { "occupation": "Månlandare qq" }],
                "foreign_education": false,
                "foreign_validation": "validated",
                "languages": [{ "language": "Arabiska", "level": "expert" }],
                "swedish_level": "x9",
                "driving_licences": ["Q"],
                "skills": ["inte en färdighet alls"],
            }),
        )
        .await
        .assert_problem(
            422,
            &[
                "experiences[0].years",
                "experiences[1].occupation",
                "foreign_validation",
                "languages[0].level",
                "swedish_level",
                "driving_licences",
                "skills[0]",
            ],
        );
        let r = app.get("cw_a", &competence(id)).await;
        assert_eq!(r.json["exists"], false, "nothing written: {}", r.text);
        put_profile(&app, id, json!({ "experiences": [] }))
            .await
            .assert_problem(422, &["version"]);

        // Valid: created with a code, resolved occupations and labels kept.
        let r = put_profile(&app, id, profile("Barnskötare", 0))
            .await
            .must(200);
        assert_eq!(r.json["version"], 1);
        let code = r.json["profile_code"].as_str().unwrap().to_string();
        assert!(code.starts_with("K-") && code.len() == 10, "{code}");
        assert_eq!(r.json["experiences"][0]["occupation"]["ssyk_code"], "5311");
        assert_eq!(r.json["languages"][0]["level"], "native");
        assert_eq!(r.json["foreign_validation"], "in_progress");

        // A stale version: 409, nothing changed. The current one replaces all.
        put_profile(&app, id, profile("Städare", 0))
            .await
            .assert_problem(409, &["version"]);
        let mut second = profile("Städare", 1);
        second["languages"] = json!([]);
        let r = put_profile(&app, id, second).await.must(200);
        assert_eq!(r.json["version"], 2);
        assert_eq!(r.json["profile_code"], code, "the code is stable");
        assert_eq!(r.json["experiences"].as_array().unwrap().len(), 1);
        assert_eq!(r.json["experiences"][0]["occupation"]["label"], "Städare");
        assert_eq!(r.json["languages"], json!([]));
    }
);

both_engines!(
    profile_access_follows_the_participant_policy_and_is_audited,
    |app: TestApp| async move {
        app.load_taxonomy().await;
        let id = register(&app, 31, "Olga").await["id"].as_i64().unwrap();
        put_profile(&app, id, profile("Barnskötare", 0))
            .await
            .must(200);
        // Another unit, a partner without consent: as if it did not exist.
        for user in ["cw_b", "partner"] {
            app.get(user, &competence(id))
                .await
                .assert_problem(404, &[]);
        }
        app.put("cw_b", &competence(id), profile("Truckförare", 1))
            .await
            .assert_problem(404, &[]);
        // Roles that never read participants: 403.
        for user in ["analyst", "coordinator", "employer"] {
            app.get(user, &competence(id))
                .await
                .assert_problem(403, &[]);
        }
        // A partner under a consent covering assessment reads, never writes.
        let af = app.org("AF").await;
        app.post(
            "cw_a",
            &format!("/api/v1/participants/{id}/consents"),
            json!({ "organisation_ids": [af], "categories": ["action_plan"], "method": "written" }),
        )
        .await
        .must(201);
        app.get("partner", &competence(id))
            .await
            .assert_problem(404, &[]);
        app.post(
            "cw_a",
            &format!("/api/v1/participants/{id}/consents"),
            json!({ "organisation_ids": [af], "categories": ["assessment"], "method": "written" }),
        )
        .await
        .must(201);
        let r = app.get("partner", &competence(id)).await.must(200);
        assert_eq!(r.json["may_update"], false);
        app.put("partner", &competence(id), profile("Truckförare", 1))
            .await
            .assert_problem(403, &[]);
        // Admins read.
        app.get("admin", &competence(id)).await.must(200);

        let events = app
            .get("admin", &format!("/api/v1/audit?participant={id}"))
            .await
            .array();
        let has = |action: &str, user: &str, outcome: &str| {
            events
                .iter()
                .any(|e| e["action"] == action && e["username"] == user && e["outcome"] == outcome)
        };
        assert!(
            has(
                "competence.update",
                "cw_a",
                "allowed:caseworker:own_organisation"
            ),
            "{events:?}"
        );
        assert!(has("competence.read", "partner", "denied"));
        assert!(has(
            "competence.read",
            "partner",
            "allowed:partner:consent:assessment"
        ));
        assert!(has("competence.read", "admin", "allowed:admin:anywhere"));
    }
);

both_engines!(
    the_competence_pages_save_through_the_form_and_search_pseudonymously,
    |app: TestApp| async move {
        app.load_taxonomy().await;
        let id = register(&app, 41, "Wilhelmina").await["id"]
            .as_i64()
            .unwrap();
        let cw = app.login("cw_a").await;
        let page = format!("/deltagare/{id}/kompetens");
        let html = form::page(&cw, &app, &format!("/deltagare/{id}")).await.1;
        assert!(html.contains(&page), "no link on the participant page");
        let html = form::read(&cw, &app, &page, 200).await;
        assert!(html.contains("data-autocomplete=\"/api/v1/taxonomy/occupations\""));
        assert!(html.contains("id=\"exp_occupation_2\""), "three empty rows");
        let csrf = common::hidden_csrf(&html);

        let bad = [
            ("csrf", csrf.as_str()),
            ("version", "0"),
            ("exp_occupation_0", "Barnskötare"),
            ("exp_years_0", "70"),
            ("skill_1", "inget sådant qq"),
        ];
        let html = form::sent(&cw, &app, &page, &bad, 422).await;
        assert!(html.contains("id=\"exp_years_0-error\""), "{html}");
        assert!(html.contains("id=\"skill_1-error\""));
        assert!(html.contains("error-summary"));

        let good = [
            ("csrf", csrf.as_str()),
            ("version", "0"),
            ("exp_occupation_0", "Barnskötare"),
            ("exp_years_0", "5"),
            ("lang_0", "Arabiska"),
            ("lang_level_0", "native"),
            ("swedish_level", "sfi_c"),
            ("licence_B", "on"),
            ("certificates", "Hygienpass\nHLR"),
        ];
        let res = cw.post(app.url(&page)).form(&good).send().await.unwrap();
        assert_eq!(res.status().as_u16(), 303, "{}", res.text().await.unwrap());
        let r = app.get("cw_a", &competence(id)).await;
        assert_eq!(r.json["version"], 1, "{}", r.text);
        assert_eq!(r.json["certificates"], json!(["Hygienpass", "HLR"]));

        let co = app.login("coordinator").await;
        let html = form::page(&co, &app, "/kompetenssok").await.1;
        let csrf = common::hidden_csrf(&html);
        let html = form::sent(
            &co,
            &app,
            "/kompetenssok",
            &[("csrf", csrf.as_str()), ("occupation", "Förskollärare")],
            200,
        )
        .await;
        assert!(html.contains("Barnskötare → Förskollärare 25 %"), "{html}");
        assert!(!html.contains("Wilhelmina"));
        let analyst = app.login("analyst").await;
        let res = analyst.get(app.url("/kompetenssok")).send().await.unwrap();
        assert_eq!(res.status().as_u16(), 403);
    }
);
