//! Enrolment without holes, through `POST /api/v1/placements`: an
//! intervention's target groups hold for every model (youth is an age, not
//! a flag), and one person holds at most one full time at once — each
//! refusal names its rule (and the other placement), with nothing written.

use crate::common::form::{page_csrf, sent};
use crate::common::work::insert_host;
use crate::common::{self, Reply, TestApp};
use crate::work::interventions::api::{
    day, open_intervention, participant, placement_body, programme, today,
};
use chrono::{Duration, NaiveDate};
use serde_json::json;

/// An open intervention of a work model, through the API.
async fn model(app: &TestApp, name: &str, model: &str, groups: &[&str]) -> i64 {
    open_intervention(
        app,
        name,
        json!({ "model": model, "target_groups": groups }),
    )
    .await
}

/// `cw_a` places `p` in `iv` at `host` from `start` for `months` months.
async fn place(
    app: &TestApp,
    p: i64,
    iv: i64,
    host: (i64, i64),
    start: NaiveDate,
    months: i64,
) -> Reply {
    let body = placement_body(p, iv, host, start, months);
    app.post("cw_a", "/api/v1/placements", body).await
}

/// A 422 naming `field` with `code`, its text holding each of `words`.
#[track_caller]
fn refused(r: &Reply, field: &str, code: &str, words: &[&str]) {
    r.assert_problem_code(422, field, code);
    for w in words {
        assert!(r.text.contains(w), "{w} in {}", r.text);
    }
}

/// Placements and plan steps, to see that a refusal writes nothing.
async fn written(app: &TestApp) -> (i64, i64) {
    let placements = app.count("SELECT COUNT(*) AS n FROM placements").await;
    (
        placements,
        app.count("SELECT COUNT(*) AS n FROM plan_steps").await,
    )
}

both_engines!(
    work_placements_a_youth_model_is_for_the_young_whatever_the_flag_says,
    |app: TestApp| async move {
        let t = today(&app);
        let host = insert_host(&app, "5566778899", "Omsorg AB", false).await;
        let youth = model(&app, "Unga vuxna i hyrmodellen", "rental", &["youth"]).await;
        // 45 on the start date, though the record says youth.
        let older = participant(&app, t - Duration::days(365 * 45 + 20), 201, &["youth"]).await;
        let before = written(&app).await;
        let r = place(&app, older, youth, host, t, 3).await;
        refused(&r, "participant_id", "target_group_not_met", &[]);
        assert!(
            r.text.contains("youth") && r.text.contains("aged 45"),
            "{}",
            r.text
        );
        assert_eq!(written(&app).await, before, "nothing written");
        // 25, without the flag: young, so placed.
        let young = participant(&app, t - Duration::days(365 * 25 + 20), 202, &[]).await;
        let body = placement_body(young, youth, host, t, 3);
        app.post("cw_a", "/api/v1/placements", body).await.must(201);
        assert_eq!(written(&app).await.0, before.0 + 1);
        // A newly arrived person of 45 is not in a youth-only model either,
        // but is in one for newly arrived.
        let newcomer = participant(
            &app,
            t - Duration::days(365 * 45 + 20),
            203,
            &["newly_arrived"],
        )
        .await;
        let r = place(&app, newcomer, youth, host, t, 3).await;
        assert_eq!(
            r.error_code("participant_id").as_deref(),
            Some("target_group_not_met")
        );
        let open = model(
            &app,
            "Nyanlända i hyrmodellen",
            "rental",
            &["youth", "newly_arrived"],
        )
        .await;
        let body = placement_body(newcomer, open, host, t, 3);
        app.post("cw_a", "/api/v1/placements", body).await.must(201);
    }
);

both_engines!(
    work_placements_one_person_holds_one_full_time,
    |app: TestApp| async move {
        let t = today(&app);
        let host = insert_host(&app, "5566778899", "Omsorg AB", false).await;
        let first_iv = model(&app, "Hyrmodellen", "rental", &[]).await;
        let second_iv = model(&app, "Arbetsgivarmodellen", "employer", &[]).await;
        let p = participant(&app, t - Duration::days(365 * 30), 301, &[]).await;
        // Full time (40 h) for about three months from today.
        let first = placement_body(p, first_iv, host, t, 3);
        let first_end = first["end_date"].as_str().unwrap().to_string();
        let first = app
            .post("cw_a", "/api/v1/placements", first)
            .await
            .must(201)
            .id();
        let before = written(&app).await;
        // A second full time over the same weeks: refused, naming the first.
        let later = t + Duration::days(30);
        let r = place(&app, p, second_iv, host, later, 3).await;
        refused(&r, "hours_per_week_minutes", "hours_exceed_full_time", &[]);
        let named = format!(
            "placement {first} (Hyrmodellen, {} – {first_end}, 40 h a week)",
            day(t)
        );
        assert!(r.text.contains(&named), "{named} in {}", r.text);
        assert!(r.text.contains("80 h a week"), "{}", r.text);
        assert_eq!(written(&app).await, before, "nothing written");
        // Half time beside half time is one full time.
        let mut half = placement_body(p, second_iv, host, later, 3);
        half["hours_per_week_minutes"] = json!(1200);
        let r = app.post("cw_a", "/api/v1/placements", half).await;
        assert_eq!(
            r.error_code("hours_per_week_minutes").as_deref(),
            Some("hours_exceed_full_time"),
            "40 + 20 h"
        );
        let path = format!("/api/v1/placements/{first}");
        let current = app.get("cw_a", &path).await.must(200);
        let change = json!({ "version": current.json["version"], "hours_per_week_minutes": 1200 });
        app.patch("cw_a", &path, change).await.must(200);
        let mut half = placement_body(p, second_iv, host, later, 3);
        half["hours_per_week_minutes"] = json!(1200);
        app.post("cw_a", "/api/v1/placements", half).await.must(201);
        // After the first has ended, a full time is free again.
        let after = t + Duration::days(200);
        let third = model(&app, "Samverkansmodellen", "collaboration", &[]).await;
        app.post(
            "cw_a",
            "/api/v1/placements",
            placement_body(p, third, host, after, 3),
        )
        .await
        .must(201);
    }
);

both_engines!(
    work_placements_the_place_form_names_the_placements_in_the_same_weeks,
    |app: TestApp| async move {
        let t = today(&app);
        let host = insert_host(&app, "5566778899", "Omsorg AB", false).await;
        let first_iv = model(&app, "Hyrmodellen", "rental", &[]).await;
        let second_iv = model(&app, "Arbetsgivarmodellen", "employer", &[]).await;
        let p = participant(&app, t - Duration::days(365 * 30), 401, &[]).await;
        let first = placement_body(p, first_iv, host, t, 3);
        let first = app
            .post("cw_a", "/api/v1/placements", first)
            .await
            .must(201)
            .id();
        let before = written(&app).await;
        let c = app.login("cw_a").await;
        let page = format!("/insatser/{second_iv}");
        let csrf = page_csrf(&c, &app, &page).await;
        let (pid, hostv, start, end) = (
            p.to_string(),
            format!("{}:{}", host.0, host.1),
            day(t + Duration::days(14)),
            day(t + Duration::days(60)),
        );
        let form = [
            ("csrf", csrf.as_str()),
            ("action", "place"),
            ("participant_id", &pid),
            ("host", &hostv),
            ("occupation_ssyk", "5321"),
            ("role_title", "Vårdbiträde"),
            ("start_date", &start),
            ("end_date", &end),
            ("employment_form", "municipality"),
            ("hours_per_week", "20"),
            ("planned_work_percent", "100"),
            ("planned_study_percent", "0"),
            ("supervisor_name", "Handledare Holm"),
        ];
        let html = sent(&c, &app, &format!("{page}/placera"), &form, 422).await;
        assert!(
            html.contains("mer än heltid (40 timmar i veckan)"),
            "{html}"
        );
        assert!(
            html.contains(&format!("href=\"/placeringar/{first}\"")),
            "the first is linked: {html}"
        );
        assert!(
            html.contains("Hyrmodellen") && html.contains("40 timmar i veckan"),
            "{html}"
        );
        assert!(
            html.contains("value=\"Handledare Holm\""),
            "the values are kept: {html}"
        );
        assert_eq!(written(&app).await, before, "nothing written");
    }
);

both_engines!(
    work_placements_a_closed_programme_refuses_new_starts_naming_the_day,
    |app: TestApp| async move {
        let t = today(&app);
        let host = insert_host(&app, "5566778899", "Omsorg AB", false).await;
        // No new extratjänst intervention: the programme closed for new decisions.
        let body = json!({ "name": "Extratjänster 2026", "programme_type": "extra_job",
                           "target_groups": ["long_term_unemployed"], "capacity": 5,
                           "period_from": day(t), "follow_up_plan": "Uppföljning efter 90 dagar." });
        let r = app.post("coordinator", "/api/v1/interventions", body).await;
        refused(&r, "programme_type", "programme_closed", &[]);
        assert!(
            r.text.contains("2021-12-31"),
            "the last start date is named: {}",
            r.text
        );
        // One made in the programme's time stays, and so do its placements;
        // a new start in it today is refused naming the day, nothing written.
        let extra: (i64,) = vagar_store::sqlx::query_as(
            "INSERT INTO interventions (name, programme_type, target_groups, capacity, period_from, \
             follow_up_plan, status, created_at, updated_at) VALUES ('Extratjänster i välfärden', \
             'extra_job', 'long_term_unemployed', 20, '2021-06-01', 'Uppföljning', 'open', 0, 0) RETURNING id",
        )
        .fetch_one(app.store.pool())
        .await
        .unwrap();
        let long_term = participant(
            &app,
            t - Duration::days(365 * 40),
            501,
            &["long_term_unemployed"],
        )
        .await;
        let before = written(&app).await;
        let r = place(&app, long_term, extra.0, host, t, 6).await;
        r.assert_problem(422, &["intervention_id"]);
        assert_eq!(
            r.error_code("intervention_id").as_deref(),
            Some("programme_closed"),
            "{}",
            r.text
        );
        assert!(
            r.text.contains("2022-01-01") && r.text.contains("2021-12-31"),
            "{}",
            r.text
        );
        assert_eq!(written(&app).await, before, "nothing written");
        // The introduction job is open today: an eligible person is placed.
        let groups = ["newly_arrived", "long_term_unemployed"];
        let intro = programme(
            &app,
            "Introduktionsjobb i välfärden",
            "introduction_job",
            &groups,
        )
        .await;
        let newcomer = participant(
            &app,
            t - Duration::days(365 * 30 + 20),
            502,
            &["newly_arrived"],
        )
        .await;
        let r = app
            .post(
                "cw_a",
                "/api/v1/placements",
                placement_body(newcomer, intro, host, t, 6),
            )
            .await
            .must(201);
        assert_eq!(r.json["status"], "active");
        // The page says the extratjänst is closed, with its last start date.
        let c = app.login("coordinator").await;
        let html =
            crate::common::form::read(&c, &app, &format!("/insatser/{}", extra.0), 200).await;
        assert!(
            html.contains("id=\"programme-closed\"") && html.contains("2021-12-31"),
            "{html}"
        );
    }
);

both_engines!(
    work_placements_a_placement_adds_a_step_and_keeps_the_plans_goal,
    |app: TestApp| async move {
        let t = today(&app);
        let host = insert_host(&app, "5566778899", "Omsorg AB", false).await;
        let iv = model(&app, "Hyrmodellen", "rental", &[]).await;
        let p = participant(&app, t - Duration::days(365 * 30), 601, &[]).await;
        // The person's own long-term goal: an education, not the placement's job.
        let plan_path = format!("/api/v1/participants/{p}/plan");
        let goal = json!({ "goal_kind": "education", "goal_title": "Vård- och omsorgsprogrammet" });
        app.put("cw_a", &plan_path, goal).await.must(201);
        let before = app.get("cw_a", &plan_path).await.must(200).json;
        let mut body = placement_body(p, iv, host, t, 3);
        body["role_title"] = json!("Kafébiträde");
        body["occupation_ssyk"] = json!("9413");
        app.post("cw_a", "/api/v1/placements", body).await.must(201);
        let after = app.get("cw_a", &plan_path).await.must(200).json;
        for field in ["goal_kind", "goal_title", "ssyk_code", "version"] {
            assert_eq!(after[field], before[field], "{field} kept: {after}");
        }
        let steps = |v: &serde_json::Value| v["steps"].as_array().map(Vec::len).unwrap_or(0);
        assert_eq!(steps(&after), steps(&before) + 1, "one step added: {after}");
        assert!(
            after.to_string().contains("Hyrmodellen – Omsorg AB"),
            "{after}"
        );
    }
);
