//! `/api/v1/competence-needs`: validation naming each field with nothing
//! written, access per role (partners and analysts 403, an employer user
//! sees only its own employer's needs), the queue, triage, optimistic
//! locking, status transitions and the audit trail.

use crate::common::{self, TestApp};
use serde_json::{json, Value};
use vagar_store::sqlx;
use vagar_store::sqlx::Row;

/// A valid organisation number starting with the nine digits `nine`.
pub fn org_number(nine: &str) -> String {
    let digits: Vec<u8> = nine.bytes().map(|b| b - b'0').collect();
    let check = vagar_domain::identity::luhn_check_digit(&digits);
    format!("{}-{}{check}", &nine[..6], &nine[6..])
}

pub async fn count(app: &TestApp, sql: &str) -> i64 {
    app.count(sql).await
}

pub async fn audit_count(app: &TestApp, action: &str, outcome_prefix: &str) -> i64 {
    sqlx::query("SELECT COUNT(*) AS n FROM audit_events WHERE action = $1 AND outcome LIKE $2")
        .bind(action)
        .bind(format!("{outcome_prefix}%"))
        .fetch_one(app.store.pool())
        .await
        .unwrap()
        .try_get::<i64, _>("n")
        .unwrap()
}

/// An employer row made directly (the register is another feature).
async fn employer(app: &TestApp, nine: &str, name: &str, organisation_id: Option<i64>) -> i64 {
    let org = vagar_domain::OrganisationNumber::parse(&org_number(nine)).unwrap();
    let row = sqlx::query(
        "INSERT INTO employers (organisation_number, name, name_folded, source, organisation_id, created_at, updated_at) \
         VALUES ($1, $2, $3, 'coordinator', $4, 1, 1) RETURNING id",
    )
    .bind(org.as_str())
    .bind(name)
    .bind(name.to_lowercase())
    .bind(organisation_id)
    .fetch_one(app.store.pool())
    .await
    .unwrap();
    row.try_get("id").unwrap()
}

async fn a_skill(app: &TestApp) -> (String, String) {
    let hits = app
        .get("coordinator", "/api/v1/taxonomy/skills?q=kylteknik")
        .await
        .must(200)
        .json;
    let h = &hits[0];
    (
        h["concept_id"].as_str().unwrap().to_string(),
        h["label"].as_str().unwrap().to_string(),
    )
}

fn need_body(employer_id: i64) -> Value {
    json!({
        "employer_id": employer_id,
        "title": "Undersköterskor till hemtjänsten",
        "occupation": "5321",
        "positions": 3,
        "forms": ["work_practice", "learning_employment"],
        "swedish_level": "b1",
        "working_time": "part_time",
        "hours_per_week": 30,
        "start_date": "2027-01-11",
        "duration_months": 6,
        "driving_licences": ["B"],
        "education_level": "secondary",
        "accessibility": ["lift"],
        "description": "Kvällar och helger",
    })
}

both_engines!(
    coordinator_creates_reads_and_changes_a_need,
    |app: TestApp| async move {
        app.load_taxonomy().await;
        let emp = employer(&app, "556016068", "Omsorg AB", None).await;
        let (skill_id, skill_label) = a_skill(&app).await;
        let mut body = need_body(emp);
        body["skills"] = json!([{"id": skill_id, "required": false}]);
        let r = app
            .post("coordinator", "/api/v1/competence-needs", body)
            .await
            .must(201);
        let id = r.id();
        assert_eq!(r.json["ssyk_code"], "5321");
        assert_eq!(r.json["status"], "open");
        assert_eq!(r.json["source"], "coordinator");
        assert_eq!(r.json["skills"][0]["label"], skill_label);
        assert_eq!(r.json["skills"][0]["required"], false);
        assert!(
            r.json["triaged_at"].is_string(),
            "a coordinator's need is not queued"
        );
        assert!(r.json["reference"].as_str().unwrap().starts_with("K-"));
        assert_eq!(
            r.headers["location"].to_str().unwrap(),
            format!("/api/v1/competence-needs/{id}")
        );
        assert_eq!(
            audit_count(
                &app,
                "competence_need.create",
                "allowed:employer_coordinator"
            )
            .await,
            1
        );

        // PATCH with version; a stale version is 409 and changes nothing.
        let path = format!("/api/v1/competence-needs/{id}");
        let r = app
            .patch(
                "coordinator",
                &path,
                json!({"status": "filled", "version": 1}),
            )
            .await
            .must(200);
        assert_eq!(r.json["status"], "filled");
        assert_eq!(r.json["version"], 2);
        assert_eq!(r.json["positions"], 3, "other fields are kept");
        app.patch("coordinator", &path, json!({"positions": 4, "version": 1}))
            .await
            .assert_problem(409, &["version"]);
        app.patch("coordinator", &path, json!({"positions": 4}))
            .await
            .assert_problem(422, &["version"]);
        // Closed is final.
        app.patch(
            "coordinator",
            &path,
            json!({"status": "closed", "version": 2}),
        )
        .await
        .must(200);
        let r = app
            .patch(
                "coordinator",
                &path,
                json!({"status": "open", "version": 3}),
            )
            .await;
        r.assert_problem(422, &["status"]);
        assert_eq!(
            r.error_code("status").as_deref(),
            Some("invalid_transition")
        );
        let n = app.get("coordinator", &path).await.json;
        assert_eq!(n["status"], "closed");
        assert_eq!(n["version"], 3);
    }
);

both_engines!(
    invalid_needs_name_each_field_and_write_nothing,
    |app: TestApp| async move {
        app.load_taxonomy().await;
        let emp = employer(&app, "556016068", "Omsorg AB", None).await;
        let body = json!({
            "employer_id": emp,
            "workplace_id": 999,
            "title": "",
            "occupation": "",
            "positions": 501,
            "skills": [{"id": "x"}, {"id": "x"}],
            "swedish_level": "fluent",
            "driving_licences": ["Q"],
            "education_level": "phd",
            "start_date": "2027-02-30",
            "duration_months": 0,
            "working_time": "sometimes",
            "hours_per_week": 41,
            "accessibility": ["moat"],
            "forms": [],
            "description": "x".repeat(4001),
            "contact_email": "nope",
            "contact_phone": "ring mig",
            "filled": 2,
        });
        app.post("coordinator", "/api/v1/competence-needs", body)
            .await
            .assert_problem(
                422,
                &[
                    "title",
                    "occupation",
                    "positions",
                    "skills",
                    "swedish_level",
                    "driving_licences",
                    "education_level",
                    "start_date",
                    "duration_months",
                    "working_time",
                    "hours_per_week",
                    "accessibility",
                    "forms",
                    "description",
                    "contact_email",
                    "contact_phone",
                    "filled",
                ],
            );
        // Valid shape, but unknown to the taxonomy or the employer.
        let mut body = need_body(emp);
        body["occupation"] = json!("Drakvaktare");
        body["skills"] = json!([{"id": "no-such-skill", "required": true}]);
        app.post("coordinator", "/api/v1/competence-needs", body)
            .await
            .assert_problem(422, &["occupation", "skills"]);
        let mut body = need_body(emp);
        body["workplace_id"] = json!(12345);
        app.post("coordinator", "/api/v1/competence-needs", body)
            .await
            .assert_problem(422, &["workplace_id"]);
        app.post("coordinator", "/api/v1/competence-needs", need_body(98765))
            .await
            .assert_problem(422, &["employer_id"]);
        assert_eq!(
            count(&app, "SELECT COUNT(*) AS n FROM competence_needs").await,
            0
        );
        assert_eq!(
            count(&app, "SELECT COUNT(*) AS n FROM competence_need_skills").await,
            0
        );
    }
);

both_engines!(
    access_per_role_and_the_employers_own_needs,
    |app: TestApp| async move {
        app.load_taxonomy().await;
        let employer_org = app.org("Employer").await;
        let own = employer(&app, "556016068", "Eget AB", Some(employer_org)).await;
        let other = employer(&app, "556677889", "Annat AB", None).await;
        let mut ids = vec![];
        for e in [own, other] {
            let r = app
                .post("coordinator", "/api/v1/competence-needs", need_body(e))
                .await
                .must(201);
            ids.push(r.id());
        }
        let (own_id, other_id) = (ids[0], ids[1]);
        for user in ["partner", "analyst"] {
            app.get(user, "/api/v1/competence-needs")
                .await
                .assert_problem(403, &[]);
            app.get(user, &format!("/api/v1/competence-needs/{own_id}"))
                .await
                .assert_problem(403, &[]);
            app.post(user, "/api/v1/competence-needs", need_body(own))
                .await
                .assert_problem(403, &[]);
        }
        assert!(audit_count(&app, "competence_need.list", "denied").await >= 2);
        for user in ["cw_a", "admin", "coordinator"] {
            let list = app
                .get(user, "/api/v1/competence-needs")
                .await
                .must_as(200, user)
                .json;
            assert_eq!(list.as_array().unwrap().len(), 2, "{user}");
        }
        for user in ["cw_a", "admin", "employer"] {
            app.post(user, "/api/v1/competence-needs", need_body(own))
                .await
                .assert_problem(403, &[]);
            app.patch(
                user,
                &format!("/api/v1/competence-needs/{own_id}"),
                json!({"positions": 1, "version": 1}),
            )
            .await
            .assert_problem(403, &[]);
            app.post(
                user,
                &format!("/api/v1/competence-needs/{own_id}/triage"),
                json!({}),
            )
            .await
            .assert_problem(403, &[]);
        }
        // The employer user: its own employer's need only; the other is 404.
        let list = app
            .get("employer", "/api/v1/competence-needs")
            .await
            .must(200)
            .json;
        let listed: Vec<i64> = list
            .as_array()
            .unwrap()
            .iter()
            .map(|n| n["id"].as_i64().unwrap())
            .collect();
        assert_eq!(listed, vec![own_id]);
        app.get("employer", &format!("/api/v1/competence-needs/{own_id}"))
            .await
            .must(200);
        app.get("employer", &format!("/api/v1/competence-needs/{other_id}"))
            .await
            .assert_problem(404, &[]);
        app.get("coordinator", "/api/v1/competence-needs/99999")
            .await
            .assert_problem(404, &[]);
        assert_eq!(
            audit_count(
                &app,
                "competence_need.read",
                "allowed:employer:own_employer"
            )
            .await,
            1
        );
        assert_eq!(audit_count(&app, "competence_need.read", "denied").await, 4);
    }
);

both_engines!(
    the_queue_and_triage_with_a_workplace,
    |app: TestApp| async move {
        app.load_taxonomy().await;
        let emp = employer(&app, "556016068", "Omsorg AB", None).await;
        let other = employer(&app, "556677889", "Annat AB", None).await;
        let id = app
            .post("coordinator", "/api/v1/competence-needs", need_body(emp))
            .await
            .id();
        // Put it back in the queue as if it came from the public form.
        sqlx::query("UPDATE competence_needs SET triaged_at = NULL, triaged_by = NULL, source = 'public_form' WHERE id = $1")
            .bind(id)
            .execute(app.store.pool())
            .await
            .unwrap();
        let wp = |e: i64, name: &str| {
            let name = name.to_string();
            let pool = app.store.pool().clone();
            async move {
                sqlx::query(
                    "INSERT INTO employer_workplaces (employer_id, name, municipality_code, created_at) VALUES ($1, $2, '0180', 1) RETURNING id",
                )
                .bind(e)
                .bind(name)
                .fetch_one(&pool)
                .await
                .unwrap()
                .try_get::<i64, _>("id")
                .unwrap()
            }
        };
        let mine = wp(emp, "Hemtjänsten Söder").await;
        let theirs = wp(other, "Annat kontor").await;
        let q = app
            .get("coordinator", "/api/v1/competence-needs?queue=true")
            .await
            .json;
        assert_eq!(q.as_array().unwrap().len(), 1);
        app.get("coordinator", "/api/v1/competence-needs?status=done")
            .await
            .assert_problem(422, &["status"]);
        let f = app
            .get(
                "coordinator",
                "/api/v1/competence-needs?ssyk=5321&status=open",
            )
            .await
            .json;
        assert_eq!(f.as_array().unwrap().len(), 1);
        let f = app
            .get(
                "coordinator",
                &format!("/api/v1/competence-needs?employer_id={other}"),
            )
            .await
            .json;
        assert_eq!(f.as_array().unwrap().len(), 0);

        let path = format!("/api/v1/competence-needs/{id}/triage");
        app.post("coordinator", &path, json!({"workplace_id": theirs}))
            .await
            .assert_problem(422, &["workplace_id"]);
        let r = app
            .post(
                "coordinator",
                &path,
                json!({"workplace_id": mine, "version": 1}),
            )
            .await
            .must(200);
        assert_eq!(r.json["workplace_id"], mine);
        assert_eq!(r.json["workplace_name"], "Hemtjänsten Söder");
        assert!(r.json["triaged_at"].is_string());
        assert_eq!(r.json["triaged_by"], app.user_ids["coordinator"]);
        app.post("coordinator", &path, json!({}))
            .await
            .assert_problem(409, &["triaged_at"]);
        let q = app
            .get("coordinator", "/api/v1/competence-needs?queue=true")
            .await
            .json;
        assert_eq!(q.as_array().unwrap().len(), 0);
        assert_eq!(
            audit_count(
                &app,
                "competence_need.triage",
                "allowed:employer_coordinator"
            )
            .await,
            1,
            "refused attempts leave nothing"
        );
        // The OpenAPI document lists the paths under their tag.
        let doc = app.get("coordinator", "/api/v1/openapi.json").await.json;
        assert_eq!(
            doc["paths"]["/api/v1/competence-needs/{id}/triage"]["post"]["tags"][0],
            "competence-needs"
        );
        let _ = common::ci();
    }
);

both_engines!(
    a_need_in_a_shortage_occupation_is_marked_so,
    |app: TestApp| async move {
        app.load_taxonomy().await;
        let e = employer(&app, "556677889", "Omsorg AB", None).await;
        let need = app
            .post("coordinator", "/api/v1/competence-needs", need_body(e))
            .await
            .must(201)
            .json;
        let id = need["id"].as_i64().unwrap();
        let path = format!("/api/v1/competence-needs/{id}");
        let before = app.get("coordinator", &path).await.json;
        assert_eq!(before["shortage"], false);
        // Stockholm short of undersköterskor (the need has no workplace: Stockholm's county).
        let row = |county: &str, situation: &str| vagar_domain::imports::ShortageRow {
            round: "2026-2".into(),
            concept_id: "c5321".into(),
            ssyk_code: "5321".into(),
            county_code: county.into(),
            occupation_label: "Undersköterskor".into(),
            job_opportunities: Some("large".into()),
            recruitment_situation: situation.into(),
            outlook: None,
        };
        app.store
            .import_shortage(
                &[row("01", "shortage"), row("00", "balance")],
                "test",
                chrono::Utc::now(),
                |_| {},
            )
            .await
            .unwrap();
        let after = app.get("coordinator", &path).await.json;
        assert_eq!(after["shortage"], true, "{after}");
        let list = app
            .get("coordinator", "/api/v1/competence-needs")
            .await
            .json;
        let items = list
            .as_array()
            .or_else(|| list["items"].as_array())
            .unwrap()
            .clone();
        assert!(
            items.iter().any(|n| n["id"] == id && n["shortage"] == true),
            "{list}"
        );
    }
);
