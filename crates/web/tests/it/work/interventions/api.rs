//! `/api/v1/interventions` and `/api/v1/placements`: an intervention opens
//! only with indicators and a follow-up plan; enrolment that breaks a
//! programme rule is refused naming the rule with nothing written; a
//! placement fills the need's slot and appears in the action plan; a host
//! that dismissed staff in the occupation blocks the placement (the
//! explanation names the factor) unless a coordinator overrides; the host's
//! employer user sees only its own placed participants, minimally.

use crate::common::work::{insert_host, insert_intervention, insert_placement};
use crate::common::{self, pnr_on, TestApp};
use chrono::{Duration, NaiveDate};
use reqwest::Method;
use serde_json::{json, Value};
use vagar_store::sqlx;

pub fn today(app: &TestApp) -> NaiveDate {
    vagar_domain::time::swedish_date(app.clock.now())
}

pub fn day(d: NaiveDate) -> String {
    d.format("%Y-%m-%d").to_string()
}

pub async fn count(app: &TestApp, sql: &str) -> i64 {
    app.count(sql).await
}

/// A participant of unit A born on `birth`, with the given target groups.
pub async fn participant(app: &TestApp, birth: NaiveDate, serial: u32, groups: &[&str]) -> i64 {
    let (number, _) = pnr_on(birth, serial);
    let p = app
        .create(
            "cw_a",
            json!({ "identity_number": number, "first_name": "Ida",
                "last_name": format!("Placerad{serial}"),
                    "target_groups": groups }),
        )
        .await;
    p["id"].as_i64().unwrap()
}

/// An open intervention of a programme type, through the API.
pub async fn programme(app: &TestApp, name: &str, programme_type: &str, groups: &[&str]) -> i64 {
    let kind = json!({ "programme_type": programme_type, "target_groups": groups });
    open_intervention(app, name, kind).await
}

/// An intervention of `kind` (its `model` or `programme_type` and target
/// groups) for two months back and two years on, with an indicator and
/// a follow-up plan, opened, through the API as the coordinator.
pub async fn open_intervention(app: &TestApp, name: &str, mut kind: Value) -> i64 {
    let t = today(app);
    kind["name"] = json!(name);
    kind["capacity"] = json!(5);
    kind["period_from"] = json!(day(t - Duration::days(60)));
    kind["period_to"] = json!(day(t + Duration::days(700)));
    kind["follow_up_plan"] = json!("Sysselsättning mäts 90 dagar efter avslut.");
    let id = app
        .post("coordinator", "/api/v1/interventions", kind)
        .await
        .must(201)
        .id();
    let indicator =
        json!({ "outcome": "work_or_studies", "measured_after_days": 90, "target_percent": 40 });
    let path = format!("/api/v1/interventions/{id}/indicators");
    app.post("coordinator", &path, indicator).await.must(201);
    let path = format!("/api/v1/interventions/{id}/open");
    app.call("coordinator", Method::POST, &path, None)
        .await
        .must(200);
    id
}

pub fn placement_body(
    participant: i64,
    intervention: i64,
    host: (i64, i64),
    start: NaiveDate,
    months: i64,
) -> Value {
    json!({
        "participant_id": participant, "intervention_id": intervention,
        "employer_id": host.0, "workplace_id": host.1,
        "start_date": day(start), "end_date": day(start + Duration::days(months * 30 - 5)),
        "employment_form": "municipality", "hours_per_week_minutes": 2400,
        "supervisor_name": "Handledare Hansson", "occupation_ssyk": "5321",
            "role_title": "Vårdbiträde",
    })
}

async fn placements(app: &TestApp) -> i64 {
    count(app, "SELECT COUNT(*) AS n FROM placements").await
}

async fn steps(app: &TestApp) -> i64 {
    count(app, "SELECT COUNT(*) AS n FROM plan_steps").await
}

/// A rental intervention "Hyrmodellen" with two hosts `(org number, name)`,
/// the first linked to the `employer` user, and at each a participant of unit
/// A (`serials`, aged `years`) placed from today for `days` days. Returns the
/// placements (at the linked host, at the other).
pub async fn own_and_other_placement(
    app: &TestApp,
    hosts: [(&str, &str); 2],
    serials: [u32; 2],
    years: [i64; 2],
    days: i64,
) -> (i64, i64) {
    let t = today(app);
    let iv = insert_intervention(app, "Hyrmodellen", "rental").await;
    let own = insert_host(app, hosts[0].0, hosts[0].1, true).await;
    let other = insert_host(app, hosts[1].0, hosts[1].1, false).await;
    let p1 = participant(app, t - Duration::days(365 * years[0]), serials[0], &[]).await;
    let p2 = participant(app, t - Duration::days(365 * years[1]), serials[1], &[]).await;
    let (from, to) = (day(t), day(t + Duration::days(days)));
    let mine = insert_placement(app, p1, iv, own, &from, &to, "municipality").await;
    let theirs = insert_placement(app, p2, iv, other, &from, &to, "municipality").await;
    (mine, theirs)
}

both_engines!(
    work_interventions_open_needs_indicators_and_plan,
    |app: TestApp| async move {
        let t = today(&app);
        let r = app
            .post(
                "cw_a",
                "/api/v1/interventions",
                json!({ "name": "Ungdomsjobb", "programme_type": "youth_employment", "capacity": 10,
                          "period_from": day(t) }),
            )
            .await
            .must(201);
        assert_eq!(r.json["status"], "draft");
        let id = r.id();
        let open = format!("/api/v1/interventions/{id}/open");
        let r = app.call("cw_a", Method::POST, &open, None).await;
        r.assert_problem(422, &["indicators", "follow_up_plan"]);
        assert_eq!(
            r.error_code("indicators").as_deref(),
            Some("required_before_open")
        );
        // Exactly one of model and programme type.
        app.post(
            "cw_a",
            "/api/v1/interventions",
            json!({ "name": "Båda", "model": "rental", "programme_type": "work_practice",
                          "capacity": 1, "period_from": day(t) }),
        )
        .await
        .assert_problem(422, &["programme_type"]);
        let r = app
            .post(
                "cw_a",
                &format!("/api/v1/interventions/{id}/indicators"),
                json!({ "outcome": "work_unsubsidised", "measured_after_days": 180,
                "target_percent": 30 }),
            )
            .await
            .must(201);
        let version = r.json["version"].as_i64().unwrap();
        let r = app.call("cw_a", Method::POST, &open, None).await;
        r.assert_problem(422, &["follow_up_plan"]);
        assert!(
            r.error_fields().iter().all(|f| f != "indicators"),
            "{}",
            r.text
        );
        app.patch(
            "cw_a",
            &format!("/api/v1/interventions/{id}"),
            json!({ "follow_up_plan": "Enkät och registeruppföljning efter 180 dagar.",
                "version": version }),
        )
        .await
        .must(200);
        let r = app.call("cw_a", Method::POST, &open, None).await.must(200);
        assert_eq!(r.json["status"], "open");
        // Roles: analysts read, employers may not.
        app.get("analyst", &format!("/api/v1/interventions/{id}"))
            .await
            .must(200);
        app.get("employer", "/api/v1/interventions").await.must(403);
        app.call("admin", Method::POST, &open, None).await.must(403);
    }
);

both_engines!(
    work_interventions_programme_rule_refused_nothing_written,
    |app: TestApp| async move {
        let t = today(&app);
        let youth = programme(
            &app,
            "Kommunala ungdomsjobb",
            "youth_employment",
            &["youth"],
        )
        .await;
        let host = insert_host(&app, "5566778899", "Omsorg AB", false).await;
        // 30 years old: above youth employment's 24.
        let older = participant(&app, t - Duration::days(365 * 30 + 10), 101, &[]).await;
        let (p0, s0) = (placements(&app).await, steps(&app).await);
        let r = app
            .post(
                "cw_a",
                "/api/v1/placements",
                placement_body(older, youth, host, t, 3),
            )
            .await;
        r.assert_problem(422, &["participant_id"]);
        assert_eq!(
            r.error_code("participant_id").as_deref(),
            Some("age_above_maximum")
        );
        assert!(
            r.text.contains("youth_employment") && r.text.contains("24"),
            "{}",
            r.text
        );
        // Too long for the programme (6 months at most), for a 20-year-old.
        let young = participant(&app, t - Duration::days(365 * 20), 102, &["youth"]).await;
        let r = app
            .post(
                "cw_a",
                "/api/v1/placements",
                placement_body(young, youth, host, t, 8),
            )
            .await;
        r.assert_problem(422, &["end_date"]);
        assert_eq!(
            r.error_code("end_date").as_deref(),
            Some("duration_exceeds_maximum")
        );
        // Shares that do not sum to 100.
        let mut body = placement_body(young, youth, host, t, 3);
        body["planned_work_percent"] = json!(80);
        body["planned_study_percent"] = json!(10);
        app.post("cw_a", "/api/v1/placements", body)
            .await
            .assert_problem(422, &["planned_study_percent"]);
        assert_eq!(placements(&app).await, p0, "nothing written");
        assert_eq!(steps(&app).await, s0, "no plan step written");
        // An introduction job for the long-term unemployed takes no one else.
        let intro = programme(
            &app,
            "Introduktionsjobb",
            "introduction_job",
            &["long_term_unemployed"],
        )
        .await;
        let r = app
            .post(
                "cw_a",
                "/api/v1/placements",
                placement_body(young, intro, host, t, 3),
            )
            .await;
        assert!(
            r.text.contains("\"code\":\"target_group_not_met\""),
            "{}",
            r.text
        );
        // Within the rules it is placed.
        let r = app
            .post(
                "cw_a",
                "/api/v1/placements",
                placement_body(young, youth, host, t, 3),
            )
            .await
            .must(201);
        assert_eq!(r.json["status"], "active");
        assert_eq!(placements(&app).await, p0 + 1);
    }
);

both_engines!(
    work_interventions_placement_fills_need_and_plan,
    |app: TestApp| async move {
        let t = today(&app);
        let iv = programme(&app, "Visstidsjobb i omsorgen", "fixed_term_job", &[]).await;
        let host = insert_host(&app, "5566778800", "Vård AB", false).await;
        let need: (i64,) = sqlx::query_as(
        "INSERT INTO competence_needs (employer_id, workplace_id, title, ssyk_code, occupation_label, positions, \
         status, source, created_at, updated_at) VALUES ($1, $2, 'Vårdbiträden', '5321', 'Vårdbiträde', 1, 'open', \
         'coordinator', 0, 0) RETURNING id",
    )
    .bind(host.0)
    .bind(host.1)
    .fetch_one(app.store.pool())
    .await
    .unwrap();
        let p = participant(&app, t - Duration::days(365 * 35), 103, &[]).await;
        let mut body = placement_body(p, iv, host, t, 6);
        body.as_object_mut().unwrap().remove("occupation_ssyk");
        body["need_id"] = json!(need.0);
        let r = app
            .post("coordinator", "/api/v1/placements", body.clone())
            .await
            .must(201);
        let id = r.id();
        assert_eq!(r.json["occupation_ssyk"], "5321", "taken from the need");
        let n = app
            .get(
                "coordinator",
                &format!("/api/v1/competence-needs/{}", need.0),
            )
            .await
            .must(200)
            .json;
        assert_eq!(
            (n["filled"].clone(), n["status"].clone()),
            (json!(1), json!("filled"))
        );
        // The step is in the plan, naming the intervention and host.
        let (s, plan) = app
            .get_json("cw_a", &format!("/api/v1/participants/{p}/plan"))
            .await;
        assert_eq!(s, 200, "{plan}");
        let text = plan.to_string();
        assert!(
            text.contains("Visstidsjobb i omsorgen") && text.contains("Vård AB"),
            "{text}"
        );
        // A second placement on the filled need is refused.
        let other = participant(&app, t - Duration::days(365 * 40), 104, &[]).await;
        let mut body2 = body.clone();
        body2["participant_id"] = json!(other);
        let r = app.post("coordinator", "/api/v1/placements", body2).await;
        assert_eq!(
            r.error_code("need_id").as_deref(),
            Some("need_not_open"),
            "{}",
            r.text
        );
        // Exit: the slot frees and the step closes.
        let r = app
            .post(
                "cw_a",
                &format!("/api/v1/placements/{id}/exit"),
                json!({ "exit_date": day(t + Duration::days(30)),
                "exit_outcome": "work_unsubsidised" }),
            )
            .await
            .must(200);
        assert_eq!(r.json["status"], "ended");
        let n = app
            .get(
                "coordinator",
                &format!("/api/v1/competence-needs/{}", need.0),
            )
            .await
            .json;
        assert_eq!(
            (n["filled"].clone(), n["status"].clone()),
            (json!(0), json!("open"))
        );
        let plan = app
            .get("cw_a", &format!("/api/v1/participants/{p}/plan"))
            .await
            .json;
        let step = plan["steps"]
            .as_array()
            .unwrap()
            .iter()
            .find(|s| {
                s["activity_text"]
                    .as_str()
                    .unwrap_or("")
                    .contains("Vård AB")
            })
            .cloned()
            .unwrap();
        assert_eq!(step["status"], "done");
        // Optimistic locking on updates.
        app.patch(
            "cw_a",
            &format!("/api/v1/placements/{id}"),
            json!({ "supervisor_name": "X", "version": 1 }),
        )
        .await
        .must(409);
    }
);

both_engines!(
    work_interventions_dismissals_block_until_overridden,
    |app: TestApp| async move {
        let t = today(&app);
        let iv = programme(&app, "Visstidsjobb", "fixed_term_job", &[]).await;
        let host = insert_host(&app, "5566778811", "Städ AB", false).await;
        app.post(
            "coordinator",
            &format!("/api/v1/employers/{}/staff-reductions", host.0),
            json!({ "occupation_ssyk": "5321", "kind": "dismissal",
                "occurred_on": day(t - Duration::days(90)),
                          "persons": 4 }),
        )
        .await
        .must(201);
        app.post(
            "cw_a",
            &format!("/api/v1/employers/{}/staff-reductions", host.0),
            json!({ "occupation_ssyk": "5321", "kind": "notice", "occurred_on": day(t),
                "persons": 1 }),
        )
        .await
        .must(403);
        let p = participant(&app, t - Duration::days(365 * 30), 105, &[]).await;
        let (p0, s0) = (placements(&app).await, steps(&app).await);
        let body = placement_body(p, iv, host, t, 6);
        let r = app.post("cw_a", "/api/v1/placements", body.clone()).await;
        r.assert_problem(422, &["displacement"]);
        assert_eq!(
            r.error_code("displacement").as_deref(),
            Some("displacement_blocked")
        );
        assert!(r.text.contains("recent_dismissals"), "{}", r.text);
        assert_eq!(
            (placements(&app).await, steps(&app).await),
            (p0, s0),
            "nothing written"
        );
        // The dry run explains the same before placing.
        let r = app
            .post(
                "cw_a",
                "/api/v1/placements/risk",
                json!({ "employer_id": host.0, "workplace_id": host.1, "occupation_ssyk": "5321",
                          "start_date": day(t), "end_date": day(t + Duration::days(100)) }),
            )
            .await
            .must(200);
        assert_eq!(r.json["level"], "blocked");
        let f = r.json["factors"]
            .as_array()
            .unwrap()
            .iter()
            .find(|f| f["effect"] == "blocks")
            .cloned()
            .unwrap();
        assert_eq!(
            (f["code"].clone(), f["numbers"]["persons"].clone()),
            (json!("recent_dismissals"), json!(4))
        );
        // Another occupation at the same host is not blocked.
        let mut cook = body.clone();
        cook["occupation_ssyk"] = json!("5120");
        // A caseworker may not override.
        let mut with_reason = body.clone();
        with_reason["override_reason"] =
            json!("Uppsägningen gällde nattskiftet, denna roll är dagtid.");
        app.post("cw_a", "/api/v1/placements", with_reason.clone())
            .await
            .must(403);
        let r = app
            .post("coordinator", "/api/v1/placements", with_reason)
            .await
            .must(201);
        assert_eq!(r.json["risk_level"], "blocked");
        assert_eq!(r.json["override_by"], app.user_ids["coordinator"]);
        let id = r.id();
        let a = app
            .get("cw_a", &format!("/api/v1/placements/{id}/displacement"))
            .await
            .must(200)
            .json;
        assert_eq!(a["level"], "blocked");
        assert_eq!(count(&app, "SELECT COUNT(*) AS n FROM audit_events WHERE action = 'placement.override' AND outcome LIKE 'allowed%'").await, 1);
        // A reduction recorded after placing blocks the open placement; a
        // coordinator lets it stand with a reason on its page.
        let host2 = insert_host(&app, "5566778822", "Kök AB", false).await;
        let p2 = participant(&app, t - Duration::days(365 * 31), 106, &[]).await;
        let mut b2 = placement_body(p2, iv, host2, t, 6);
        b2["occupation_ssyk"] = json!("5120");
        let r = app.post("cw_a", "/api/v1/placements", b2).await.must(201);
        let id2 = r.id();
        assert_ne!(r.json["risk_level"], "blocked");
        app.post(
            "coordinator",
            &format!("/api/v1/employers/{}/staff-reductions", host2.0),
            json!({ "occupation_ssyk": "5120", "kind": "notice", "occurred_on": day(t),
                "persons": 2 }),
        )
        .await
        .must(201);
        let now = app
            .get("cw_a", &format!("/api/v1/placements/{id2}"))
            .await
            .json;
        assert_eq!(now["risk_level"], "blocked");
        let over = format!("/api/v1/placements/{id2}/override");
        app.post(
            "cw_a",
            &over,
            json!({ "override_reason": "Tidigare avtalad placering." }),
        )
        .await
        .must(403);
        app.post("coordinator", &over, json!({ "override_reason": "kort" }))
            .await
            .assert_problem(422, &["override_reason"]);
        let r = app
            .post(
                "coordinator",
                &over,
                json!({ "override_reason": "Tidigare avtalad placering, annan enhet." }),
            )
            .await
            .must(200);
        assert!(r.json["override_at"].is_string());
        let _ = cook;
    }
);

both_engines!(
    work_interventions_employer_sees_only_own_minimally,
    |app: TestApp| async move {
        let t = today(&app);
        let hosts = [
            ("5566778833", "Egen Värd AB"),
            ("5566778844", "Annan Värd AB"),
        ];
        let (mine, theirs) = own_and_other_placement(&app, hosts, [107, 108], [22, 23], 90).await;
        let list = app
            .get("employer", "/api/v1/placements")
            .await
            .must(200)
            .json;
        let ids: Vec<i64> = list
            .as_array()
            .unwrap()
            .iter()
            .map(|p| p["id"].as_i64().unwrap())
            .collect();
        assert_eq!(ids, vec![mine]);
        let one = app
            .get("employer", &format!("/api/v1/placements/{mine}"))
            .await
            .must(200)
            .json;
        assert_eq!(one["first_name"], "Ida");
        assert_eq!(one["supervisor_name"], "Handledare Hansson");
        for hidden in [
            "last_name",
            "participant_id",
            "identity_number",
            "monthly_wage_ore",
            "risk_factors",
            "exit_outcome",
        ] {
            assert!(
                one.get(hidden).is_none(),
                "{hidden} shown to the host: {one}"
            );
        }
        assert!(!one.to_string().contains("Placerad107"));
        app.get("employer", &format!("/api/v1/placements/{theirs}"))
            .await
            .must(404);
        app.post(
            "employer",
            &format!("/api/v1/placements/{mine}/exit"),
            json!({ "exit_date": day(t), "exit_outcome": "studies" }),
        )
        .await
        .must(403);
        // The caseworker sees everything, analysts nothing.
        let full = app
            .get("cw_a", &format!("/api/v1/placements/{mine}"))
            .await
            .must(200)
            .json;
        assert_eq!(full["last_name"], "Placerad107");
        app.get("analyst", "/api/v1/placements").await.must(403);
        // A role that may never place hears 403, even with an empty body.
        let empty = json!({});
        app.post("employer", "/api/v1/placements", empty.clone())
            .await
            .must(403);
        app.post("cw_a", "/api/v1/placements", empty)
            .await
            .must(422);
        let _ = common::USERS;
    }
);

both_engines!(
    work_interventions_share_above_limit_raises_risk,
    |app: TestApp| async move {
        let t = today(&app);
        let iv = programme(
            &app,
            "Visstidsjobb liten arbetsplats",
            "fixed_term_job",
            &[],
        )
        .await;
        let host = insert_host(&app, "5566778855", "Liten Butik AB", false).await;
        let path = format!(
            "/api/v1/employers/{}/workplaces/{}/staff-count",
            host.0, host.1
        );
        app.put("cw_a", &path, json!({ "staff_count": 2 }))
            .await
            .must(403);
        app.put("coordinator", &path, json!({ "staff_count": 0 }))
            .await
            .assert_problem(422, &["staff_count"]);
        let r = app
            .put("coordinator", &path, json!({ "staff_count": 2 }))
            .await;
        assert_eq!(
            (r.status, r.json["staff_count"].clone()),
            (200, json!(2)),
            "{}",
            r.text
        );
        let p = participant(&app, t - Duration::days(365 * 40), 109, &[]).await;
        let r = app
            .post(
                "cw_a",
                "/api/v1/placements",
                placement_body(p, iv, host, t, 6),
            )
            .await
            .must(201);
        // 1 of 2 = 50 % > 30 %: higher; nothing lowers it.
        assert_eq!(r.json["risk_level"], "high");
        let f = r.json["risk_factors"]
            .as_array()
            .unwrap()
            .iter()
            .find(|f| f["code"] == "subsidised_share")
            .cloned()
            .unwrap();
        assert_eq!(
            (
                f["effect"].clone(),
                f["numbers"]["percent"].clone(),
                f["numbers"]["limit"].clone()
            ),
            (json!("higher"), json!(50), json!(30))
        );
    }
);
