//! `/api/v1/learning-employments` (the employer model, issue 6.5): the week
//! plan and the shares checked against an independent computation from the
//! stored rows; every rule refused with a named field and nothing written;
//! access per role (host and school minimal, others 404/403) and the audit.
//! Arrange writes the intervention, host and placement with SQL fixtures;
//! everything else goes through HTTP.

use crate::common::work::{insert_host, insert_intervention, insert_placement};
use crate::common::{self, TestApp};
use chrono::{Datelike, Duration, NaiveDate};
use reqwest::Method;
use serde_json::{json, Value};
use vagar_store::sqlx;
use vagar_store::sqlx::Row;

pub fn today(app: &TestApp) -> NaiveDate {
    vagar_domain::time::swedish_date(app.clock.now())
}

pub fn ymd(d: NaiveDate) -> String {
    d.format("%Y-%m-%d").to_string()
}

pub fn monday(d: NaiveDate) -> NaiveDate {
    d - Duration::days(d.weekday().num_days_from_monday() as i64)
}

/// A participant of unit A (cw_a's), returning its id.
pub async fn participant(app: &TestApp, i: u32, first: &str) -> i64 {
    app.create(
        "cw_a",
        json!({"identity_number": common::pnr(i), "first_name": first, "last_name": "Lärling"}),
    )
    .await["id"]
        .as_i64()
        .unwrap()
}

pub struct Arranged {
    pub intervention: i64,
    pub host: (i64, i64),
    pub participant: i64,
    pub placement: i64,
}

/// An employer-model intervention, a host linked to the `employer` user's
/// organisation and a host-employed placement from `start` to `end`.
pub async fn arrange(app: &TestApp, start: NaiveDate, end: NaiveDate) -> Arranged {
    let intervention = insert_intervention(app, "Läranställning vård och omsorg", "employer").await;
    let host = insert_host(app, "5560000001", "Omsorgshuset AB", true).await;
    let participant = participant(app, 1, "Lina").await;
    let placement = insert_placement(
        app,
        participant,
        intervention,
        host,
        &ymd(start),
        &ymd(end),
        "host",
    )
    .await;
    Arranged {
        intervention,
        host,
        participant,
        placement,
    }
}

pub async fn count(app: &TestApp, sql: &str) -> i64 {
    sqlx::query(sql)
        .fetch_one(app.store.pool())
        .await
        .unwrap()
        .try_get::<i64, _>("n")
        .unwrap()
}

/// The stored weeks of a placement: (week_start, pw, ps, dw, ds).
pub async fn stored_weeks(
    app: &TestApp,
    placement: i64,
) -> Vec<(String, i64, i64, Option<i64>, Option<i64>)> {
    sqlx::query(
        "SELECT week_start, planned_work_minutes, planned_study_minutes, done_work_minutes, \
         done_study_minutes FROM placement_weeks WHERE placement_id = $1 ORDER BY week_start",
    )
    .bind(placement)
    .fetch_all(app.store.pool())
    .await
    .unwrap()
    .iter()
    .map(|r| {
        (
            r.try_get("week_start").unwrap(),
            r.try_get("planned_work_minutes").unwrap(),
            r.try_get("planned_study_minutes").unwrap(),
            r.try_get("done_work_minutes").unwrap(),
            r.try_get("done_study_minutes").unwrap(),
        )
    })
    .collect()
}

/// The documented plan, computed here day by day: every Monday–Friday of
/// the placement counted into its Monday's week; total = minutes × days / 5
/// (down), study = total × study% / 100 (half up), work = the rest.
fn expected_plan(
    start: NaiveDate,
    end: NaiveDate,
    minutes: i64,
    study_pct: i64,
) -> Vec<(String, i64, i64)> {
    let mut days: std::collections::BTreeMap<NaiveDate, i64> = Default::default();
    let mut d = start;
    while d <= end {
        if d.weekday().number_from_monday() <= 5 {
            *days.entry(monday(d)).or_default() += 1;
        }
        d += Duration::days(1);
    }
    days.into_iter()
        .map(|(m, n)| {
            let total = minutes * n / 5;
            let study = (total * study_pct + 50) / 100;
            (ymd(m), total - study, study)
        })
        .collect()
}

fn share(study: i64, work: i64) -> Value {
    if study + work == 0 {
        return Value::Null;
    }
    json!(((1000.0 * study as f64 / (study + work) as f64).round()) / 10.0)
}

pub async fn create(app: &TestApp, user: &str, body: Value) -> common::Reply {
    app.call(
        user,
        Method::POST,
        "/api/v1/learning-employments",
        Some(&body),
    )
    .await
}

pub async fn done(
    app: &TestApp,
    user: &str,
    placement: i64,
    week: &str,
    body: Value,
) -> common::Reply {
    app.call(
        user,
        Method::PUT,
        &format!("/api/v1/learning-employments/{placement}/weeks/{week}/done"),
        Some(&body),
    )
    .await
}

both_engines!(
    the_week_plan_and_the_shares_agree_with_an_independent_computation,
    |app: TestApp| async move {
        let t = today(&app);
        // Starting on a Wednesday ~20 weeks ago, ending on a Tuesday ahead:
        // both edge weeks are partial.
        let start = monday(t - Duration::days(140)) + Duration::days(2);
        let end = monday(t + Duration::days(70)) + Duration::days(1);
        let a = arrange(&app, start, end).await;
        let r = create(
            &app,
            "coordinator",
            json!({"placement_id": a.placement, "school_name": "Vård- och omsorgscollege Söder",
                   "programme": "Undersköterska", "work_percent": 75, "study_percent": 25}),
        )
        .await;
        assert_eq!(r.status, 201, "{}", r.text);
        assert_eq!(
            r.headers["location"],
            format!("/api/v1/learning-employments/{}", a.placement).as_str()
        );
        // The fixture's placement: 2400 minutes (40 h) a week.
        let expected = expected_plan(start, end, 2400, 25);
        let stored = stored_weeks(&app, a.placement).await;
        assert_eq!(
            stored
                .iter()
                .map(|w| (w.0.clone(), w.1, w.2))
                .collect::<Vec<_>>(),
            expected,
            "the stored plan is the documented one"
        );
        let weeks = r.json["weeks"].as_array().unwrap();
        assert_eq!(weeks.len(), expected.len());
        assert_eq!(weeks[0]["week_start"], expected[0].0);
        assert_eq!(
            weeks[0]["planned_work_minutes"], 1080,
            "3 days of 5: 1440, 25 % study"
        );
        assert_eq!(weeks[0]["planned_study_minutes"], 360);
        let last = weeks.last().unwrap();
        assert_eq!(last["planned_work_minutes"], 720, "2 days of 5: 960");
        assert_eq!(last["planned_study_minutes"], 240);
        assert_eq!(r.json["school_name"], "Vård- och omsorgscollege Söder");
        assert_eq!(r.json["participant_id"], a.participant);
        assert_eq!(r.json["employer_id"], a.host.0);
        let version = r.json["version"].as_i64().unwrap();
        assert_eq!(version, 1);

        // An exam week: more study, less work.
        let exam = &expected[5].0;
        let r = app
            .call(
                "coordinator",
                Method::PUT,
                &format!("/api/v1/learning-employments/{}/weeks/{exam}", a.placement),
                Some(&json!({"planned_work_minutes": 600, "planned_study_minutes": 1800, "version": version})),
            )
            .await;
        assert_eq!(r.status, 200, "{}", r.text);
        assert_eq!(r.json["version"], 2);

        // Done hours for eight past weeks: four on plan by the host, then
        // four with less study by the coordinator.
        let mut version = 2;
        let past: Vec<String> = expected
            .iter()
            .map(|w| w.0.clone())
            .filter(|w| w.as_str() <= ymd(monday(t)).as_str())
            .collect();
        assert!(past.len() > 10);
        let recorded: Vec<(&String, i64, i64, &str)> = vec![
            (&past[1], 1800, 600, "employer"),
            (&past[2], 1750, 650, "employer"),
            (&past[3], 1800, 600, "employer"),
            (&past[4], 1900, 500, "employer"),
            (&past[6], 2100, 300, "coordinator"),
            (&past[7], 2000, 400, "coordinator"),
            (&past[8], 2200, 200, "coordinator"),
            (&past[9], 2050, 350, "coordinator"),
        ];
        for (week, w, s, user) in &recorded {
            let r = done(
                &app,
                user,
                a.placement,
                week,
                json!({"done_work_minutes": w, "done_study_minutes": s, "version": version}),
            )
            .await;
            assert_eq!(r.status, 200, "{user} {week}: {}", r.text);
            version += 1;
            assert_eq!(r.json["version"], version);
        }

        // The expected numbers, from the stored rows.
        let rows = stored_weeks(&app, a.placement).await;
        let pw: i64 = rows.iter().map(|w| w.1).sum();
        let ps: i64 = rows.iter().map(|w| w.2).sum();
        let rec: Vec<_> = rows
            .iter()
            .filter(|w| w.3.is_some() && w.4.is_some())
            .collect();
        assert_eq!(rec.len(), 8);
        let dw: i64 = rec.iter().map(|w| w.3.unwrap()).sum();
        let ds: i64 = rec.iter().map(|w| w.4.unwrap()).sum();
        let last4 = &rec[rec.len() - 4..];
        let l4pw: i64 = last4.iter().map(|w| w.1).sum();
        let l4ps: i64 = last4.iter().map(|w| w.2).sum();
        let l4dw: i64 = last4.iter().map(|w| w.3.unwrap()).sum();
        let l4ds: i64 = last4.iter().map(|w| w.4.unwrap()).sum();
        let planned_recent = 100.0 * l4ps as f64 / (l4ps + l4pw) as f64;
        let done_recent = 100.0 * l4ds as f64 / (l4ds + l4dw) as f64;
        assert!(
            planned_recent - done_recent > 5.0,
            "the arrangement deviates"
        );

        let (status, l) = app
            .get_json(
                "cw_a",
                &format!("/api/v1/learning-employments/{}", a.placement),
            )
            .await;
        assert_eq!(status, 200, "{l}");
        assert_eq!(l["planned_work_minutes"], pw);
        assert_eq!(l["planned_study_minutes"], ps);
        assert_eq!(l["planned_study_share"], share(ps, pw));
        assert_eq!(l["planned_work_share"], share(pw, ps));
        assert_eq!(l["done_work_minutes"], dw);
        assert_eq!(l["done_study_minutes"], ds);
        assert_eq!(l["done_study_share"], share(ds, dw));
        assert_eq!(l["recorded_weeks"], 8);
        assert_eq!(l["recent_planned_study_share"], share(l4ps, l4pw));
        assert_eq!(l["recent_done_study_share"], share(l4ds, l4dw));
        assert_eq!(l["deviation"], true);
        // Running shares: up to the exam week (week 5), done over weeks 1–4.
        let wk = &l["weeks"][5];
        assert_eq!(wk["week_start"], *exam);
        let (rpw, rps): (i64, i64) = (
            rows[..6].iter().map(|w| w.1).sum(),
            rows[..6].iter().map(|w| w.2).sum(),
        );
        assert_eq!(wk["running_planned_study_share"], share(rps, rpw));
        assert_eq!(
            wk["running_done_study_share"],
            share(600 + 650 + 600 + 500, 1800 + 1750 + 1800 + 1900)
        );
        assert_eq!(wk["planned_study_share"], share(1800, 600));
        assert_eq!(l["weeks"][1]["done_study_share"], share(600, 1800));

        // A configured threshold above the gap clears the flag: another
        // learning employment with 15 points allowed, the same four weeks.
        let gap = planned_recent - done_recent;
        assert!(gap > 5.0 && gap < 15.0, "{gap}");
        let other = participant(&app, 2, "Mira").await;
        let second = insert_placement(
            &app,
            other,
            a.intervention,
            a.host,
            &ymd(start),
            &ymd(end),
            "host",
        )
        .await;
        let r = create(
            &app,
            "coordinator",
            json!({"placement_id": second, "school_name": "Komvux", "work_percent": 75,
                   "study_percent": 25, "deviation_threshold_pp": 15}),
        )
        .await;
        assert_eq!(r.status, 201, "{}", r.text);
        assert_eq!(r.json["deviation_threshold_pp"], 15);
        for (v, (week, w, s, _)) in recorded[4..].iter().enumerate() {
            let r = done(
                &app,
                "coordinator",
                second,
                week,
                json!({"done_work_minutes": w, "done_study_minutes": s, "version": v + 1}),
            )
            .await;
            assert_eq!(r.status, 200, "{}", r.text);
        }
        let (_, l2) = app
            .get_json(
                "coordinator",
                &format!("/api/v1/learning-employments/{second}"),
            )
            .await;
        assert_eq!(l2["recent_done_study_share"], share(l4ds, l4dw));
        assert_eq!(l2["deviation"], false, "{l2}");
    }
);

both_engines!(
    every_rule_refuses_with_a_named_field_and_writes_nothing,
    |app: TestApp| async move {
        let t = today(&app);
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
        let r = create(&app, "coordinator", body(json!({"school_name": null}))).await;
        r.assert_problem(422, &["school_name"]);
        let r = create(
            &app,
            "coordinator",
            body(json!({"deviation_threshold_pp": 101})),
        )
        .await;
        r.assert_problem(422, &["deviation_threshold_pp"]);
        // The school must be a school.
        let employer_org = app
            .store
            .organisation_by_name("Employer")
            .await
            .unwrap()
            .unwrap()
            .id;
        let r = create(
            &app,
            "coordinator",
            body(json!({"school_organisation_id": employer_org})),
        )
        .await;
        r.assert_problem(422, &["school_organisation_id"]);
        // A placement employed by the municipality, and one in a rental intervention.
        let other = participant(&app, 2, "Olle").await;
        let municipal = insert_placement(
            &app,
            other,
            a.intervention,
            a.host,
            &ymd(start),
            &ymd(end),
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
            insert_placement(&app, other, rental, a.host, &ymd(start), &ymd(end), "host").await;
        let r = create(&app, "coordinator", body(json!({"placement_id": rented}))).await;
        assert_eq!(
            r.error_code("placement_id").as_deref(),
            Some("not_employer_model"),
            "{}",
            r.text
        );
        // No such placement.
        let r = create(&app, "coordinator", body(json!({"placement_id": 999_999}))).await;
        assert_eq!(r.status, 404, "{}", r.text);
        assert_eq!(count(&app, nothing).await, 0);
        assert_eq!(count(&app, no_weeks).await, 0);

        let r = create(&app, "coordinator", body(json!({}))).await;
        assert_eq!(r.status, 201, "{}", r.text);
        let weeks = count(&app, no_weeks).await;
        assert!(weeks > 15);
        let r = create(&app, "coordinator", body(json!({}))).await;
        r.assert_problem(409, &["placement_id"]);
        assert_eq!(count(&app, nothing).await, 1);
        assert_eq!(count(&app, no_weeks).await, weeks);

        // Done hours.
        let p = a.placement;
        let this_week = ymd(monday(t));
        let ok = json!({"done_work_minutes": 1800, "done_study_minutes": 600, "version": 1});
        let before = ymd(start - Duration::days(7));
        let r = done(&app, "coordinator", p, &before, ok.clone()).await;
        r.assert_problem(422, &["week_start"]);
        assert_eq!(
            r.error_code("week_start").as_deref(),
            Some("outside_placement")
        );
        assert!(r.text.contains("outside the placement"), "{}", r.text);
        let after = ymd(monday(end) + Duration::days(7));
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
            &ymd(start + Duration::days(1)),
            ok.clone(),
        )
        .await;
        assert_eq!(
            r.error_code("week_start").as_deref(),
            Some("not_monday"),
            "{}",
            r.text
        );
        let r = done(&app, "coordinator", p, "2026-13-01", ok.clone()).await;
        r.assert_problem(422, &["week_start"]);
        let next = ymd(monday(t) + Duration::days(7));
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
        let r = done(
            &app,
            "coordinator",
            p,
            &this_week,
            json!({"done_work_minutes": 1800, "version": 1}),
        )
        .await;
        r.assert_problem(422, &["done_study_minutes"]);
        let r = done(
            &app,
            "coordinator",
            p,
            &this_week,
            json!({"done_work_minutes": 1800, "done_study_minutes": 600}),
        )
        .await;
        r.assert_problem(422, &["version"]);
        let r = done(
            &app,
            "coordinator",
            p,
            &this_week,
            json!({"done_work_minutes": 1800, "done_study_minutes": 600, "version": 7}),
        )
        .await;
        r.assert_problem(409, &["version"]);
        assert_eq!(
            count(&app, "SELECT COUNT(*) AS n FROM placement_weeks WHERE done_work_minutes IS NOT NULL OR done_study_minutes IS NOT NULL").await,
            0,
            "no refused record wrote anything"
        );
        // Exactly 7 × 24 h is allowed.
        let r = done(
            &app,
            "coordinator",
            p,
            &this_week,
            json!({"done_work_minutes": 10080, "done_study_minutes": 0, "version": 1}),
        )
        .await;
        assert_eq!(r.status, 200, "{}", r.text);

        // Plan changes.
        let plan = |week: String, body: Value| {
            let app = &app;
            async move {
                app.call(
                    "coordinator",
                    Method::PUT,
                    &format!("/api/v1/learning-employments/{p}/weeks/{week}"),
                    Some(&body),
                )
                .await
            }
        };
        let r = plan(
            ymd(monday(t)),
            json!({"planned_work_minutes": -1, "planned_study_minutes": 10, "version": 2}),
        )
        .await;
        r.assert_problem(422, &["planned_work_minutes"]);
        let r = plan(
            before.clone(),
            json!({"planned_work_minutes": 10, "planned_study_minutes": 10, "version": 2}),
        )
        .await;
        r.assert_problem(422, &["week_start"]);

        // Completion and the hire outcome.
        let hire = |body: Value| {
            let app = &app;
            async move {
                app.call(
                    "coordinator",
                    Method::POST,
                    &format!("/api/v1/learning-employments/{p}/hire-outcome"),
                    Some(&body),
                )
                .await
            }
        };
        let complete = |body: Value| {
            let app = &app;
            async move {
                app.call(
                    "coordinator",
                    Method::POST,
                    &format!("/api/v1/learning-employments/{p}/completion"),
                    Some(&body),
                )
                .await
            }
        };
        let r = hire(json!({"hired_after": "hired", "hired_on": ymd(t), "version": 2})).await;
        r.assert_problem(422, &["hired_after"]);
        assert_eq!(
            r.error_code("hired_after").as_deref(),
            Some("not_completed")
        );
        let r = complete(json!({"completion": "finished", "completed_on": ymd(t + Duration::days(1)), "version": 2})).await;
        r.assert_problem(422, &["completion", "completed_on"]);
        let r = complete(json!({"completion": "completed", "completed_on": ymd(start - Duration::days(1)), "version": 2})).await;
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
            json!({"completion": "discontinued", "completed_on": ymd(ended), "version": 2}),
        )
        .await;
        assert_eq!(r.status, 200, "{}", r.text);
        assert_eq!(r.json["completion"], "discontinued");
        assert_eq!(r.json["version"], 3);
        let r =
            complete(json!({"completion": "completed", "completed_on": ymd(ended), "version": 3}))
                .await;
        r.assert_problem(409, &["completion"]);
        let r = plan(
            ymd(monday(t) - Duration::days(14)),
            json!({"planned_work_minutes": 10, "planned_study_minutes": 10, "version": 3}),
        )
        .await;
        r.assert_problem(409, &["completion"]);
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
        let r = hire(json!({"hired_after": "hired", "hired_on": ymd(ended - Duration::days(1)), "version": 3})).await;
        assert_eq!(
            r.error_code("hired_on").as_deref(),
            Some("before_completion"),
            "{}",
            r.text
        );
        let r = hire(json!({"hired_after": "maybe", "hired_on": ymd(t), "version": 3})).await;
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
        let r = hire(json!({"hired_after": "not_hired", "hired_on": ymd(t), "version": 3})).await;
        assert_eq!(r.status, 200, "{}", r.text);
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
        assert_eq!(r.json["hired_on"], ymd(t));
    }
);

both_engines!(
    access_follows_the_participant_the_host_and_the_school_and_is_audited,
    |app: TestApp| async move {
        let mut app = app;
        let t = today(&app);
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
            let r = create(
                &app,
                user,
                json!({"placement_id": a.placement, "school_organisation_id": school,
                                               "work_percent": 75, "study_percent": 25}),
            )
            .await;
            assert_eq!(r.status, 403, "{user}: {}", r.text);
        }
        // A caseworker of another unit does not see the placement.
        let r = create(
            &app,
            "cw_b",
            json!({"placement_id": a.placement, "school_organisation_id": school,
                                             "work_percent": 75, "study_percent": 25}),
        )
        .await;
        assert_eq!(r.status, 404, "{}", r.text);
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
        .await;
        assert_eq!(r.status, 201, "{}", r.text);
        assert_eq!(
            r.json["school_name"], "Komvux Vård",
            "the organisation's name by default"
        );
        let path = format!("/api/v1/learning-employments/{}", a.placement);
        let week = ymd(monday(t) - Duration::days(7));

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
            let r = app.call(user, Method::GET, &path, None).await;
            assert_eq!(r.status, status, "{user}: {}", r.text);
        }
        // The host: minimal fields, never the identity number.
        let r = app.call("employer", Method::GET, &path, None).await;
        assert_eq!(r.json["participant_id"], Value::Null);
        assert_eq!(r.json["participant_name"], "Lina Lärling");
        assert!(!r.text.contains(&common::pnr(1)));
        let (s, list) = app
            .get_json("employer", "/api/v1/learning-employments")
            .await;
        assert_eq!(s, 200);
        assert_eq!(list.as_array().unwrap().len(), 1);
        for user in ["cw_b", "partner", "school"] {
            let (s, list) = app.get_json(user, "/api/v1/learning-employments").await;
            assert_eq!(s, 200, "{user}");
            assert_eq!(list, json!([]), "{user}");
        }
        let (s, _) = app
            .get_json("analyst", "/api/v1/learning-employments")
            .await;
        assert_eq!(s, 403);

        // Another host's user does not see it.
        let unlinked = insert_host(&app, "5560000002", "Annan AB", false).await;
        let other = participant(&app, 3, "Per").await;
        let elsewhere = insert_placement(
            &app,
            other,
            a.intervention,
            unlinked,
            &ymd(start),
            &ymd(end),
            "host",
        )
        .await;
        let r = create(
            &app,
            "coordinator",
            json!({"placement_id": elsewhere, "school_name": "Skola",
                                                    "work_percent": 75, "study_percent": 25}),
        )
        .await;
        assert_eq!(r.status, 201, "{}", r.text);
        let r = app
            .call(
                "employer",
                Method::GET,
                &format!("/api/v1/learning-employments/{elsewhere}"),
                None,
            )
            .await;
        assert_eq!(r.status, 404);
        let r = done(
            &app,
            "employer",
            elsewhere,
            &week,
            json!({"done_work_minutes": 1, "done_study_minutes": 1, "version": 1}),
        )
        .await;
        assert_eq!(r.status, 404);

        // The host records hours done; it may not plan, complete or record the hire.
        let r = done(
            &app,
            "employer",
            a.placement,
            &week,
            json!({"done_work_minutes": 1900, "done_study_minutes": 500, "version": 1}),
        )
        .await;
        assert_eq!(r.status, 200, "{}", r.text);
        for (m, p) in [
            (Method::PUT, format!("{path}/weeks/{week}")),
            (Method::POST, format!("{path}/completion")),
            (Method::POST, format!("{path}/hire-outcome")),
        ] {
            let r = app.call("employer", m, &p, Some(&json!({}))).await;
            assert_eq!(r.status, 403, "{p}: {}", r.text);
        }
        // A caseworker of another unit: 404 on record.
        let r = done(
            &app,
            "cw_b",
            a.placement,
            &week,
            json!({"done_work_minutes": 1, "done_study_minutes": 1, "version": 2}),
        )
        .await;
        assert_eq!(r.status, 404);

        // The school: only under a consent in force naming it; study only.
        let r = app.call("cw_a", Method::POST, &format!("/api/v1/participants/{}/consents", a.participant),
            Some(&json!({"organisation_ids": [school], "categories": ["action_plan"], "method": "written"}))).await;
        assert_eq!(r.status, 201, "{}", r.text);
        let consent = r.json["id"].as_i64().unwrap();
        let r = app.call("school", Method::GET, &path, None).await;
        assert_eq!(r.status, 200, "{}", r.text);
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
        let r = done(
            &app,
            "school",
            a.placement,
            &week,
            json!({"done_study_minutes": 480, "version": 2}),
        )
        .await;
        assert_eq!(r.status, 200, "{}", r.text);
        let rows = stored_weeks(&app, a.placement).await;
        let w = rows.iter().find(|w| w.0 == week).unwrap();
        assert_eq!(
            (w.3, w.4),
            (Some(1900), Some(480)),
            "the host's work is kept"
        );
        let r = app
            .call(
                "school",
                Method::PUT,
                &format!("{path}/weeks/{week}"),
                Some(&json!({})),
            )
            .await;
        assert_eq!(r.status, 403);
        // The consent revoked: as if it did not exist.
        let r = app
            .call(
                "cw_a",
                Method::POST,
                &format!(
                    "/api/v1/participants/{}/consents/{consent}/revoke",
                    a.participant
                ),
                Some(&json!({"reason": "Återkallat av deltagaren"})),
            )
            .await;
        assert!(r.status == 200 || r.status == 204, "{}", r.text);
        let r = app.call("school", Method::GET, &path, None).await;
        assert_eq!(r.status, 404);

        // The summary: analysts and caseworkers; not hosts or partners.
        let sp = format!("/api/v1/learning-summaries/{}", a.intervention);
        for (user, status) in [
            ("analyst", 200),
            ("cw_b", 200),
            ("employer", 403),
            ("partner", 403),
        ] {
            let r = app.call(user, Method::GET, &sp, None).await;
            assert_eq!(r.status, status, "{user}: {}", r.text);
        }
        let r = app
            .call(
                "analyst",
                Method::GET,
                "/api/v1/learning-summaries/999999",
                None,
            )
            .await;
        assert_eq!(r.status, 404);

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

both_engines!(
    the_summary_per_intervention_agrees_with_an_independent_count,
    |app: TestApp| async move {
        let t = today(&app);
        let start = monday(t - Duration::days(120));
        let end = monday(t - Duration::days(14)) + Duration::days(4);
        let a = arrange(&app, start, end).await;
        let mut placements = vec![a.placement];
        for i in 0..3u32 {
            let p = participant(&app, 10 + i, "Deltagare").await;
            placements.push(
                insert_placement(
                    &app,
                    p,
                    a.intervention,
                    a.host,
                    &ymd(start),
                    &ymd(end),
                    "host",
                )
                .await,
            );
        }
        // (done work, done study for two weeks), completion, hire.
        let plan: [(i64, i64, Option<&str>, Option<&str>); 4] = [
            (1800, 600, Some("completed"), Some("hired")),
            (1900, 500, Some("completed"), Some("hired")),
            (2400, 0, Some("discontinued"), Some("not_hired")),
            (1800, 600, None, None),
        ];
        let weeks = [ymd(start), ymd(start + Duration::days(7))];
        for (p, (w, s, c, h)) in placements.iter().zip(plan) {
            let r = create(
                &app,
                "coordinator",
                json!({"placement_id": p, "school_name": "Komvux",
                                                        "work_percent": 75, "study_percent": 25}),
            )
            .await;
            assert_eq!(r.status, 201, "{}", r.text);
            let mut v = 1;
            for week in &weeks {
                let r = done(
                    &app,
                    "coordinator",
                    *p,
                    week,
                    json!({"done_work_minutes": w, "done_study_minutes": s, "version": v}),
                )
                .await;
                assert_eq!(r.status, 200, "{}", r.text);
                v += 1;
            }
            if let Some(c) = c {
                let r = app.call("coordinator", Method::POST, &format!("/api/v1/learning-employments/{p}/completion"),
                    Some(&json!({"completion": c, "completed_on": ymd(end - Duration::days(2)), "version": v}))).await;
                assert_eq!(r.status, 200, "{}", r.text);
                v += 1;
            }
            if let Some(h) = h {
                let r = app
                    .call(
                        "coordinator",
                        Method::POST,
                        &format!("/api/v1/learning-employments/{p}/hire-outcome"),
                        Some(&json!({"hired_after": h, "hired_on": ymd(end), "version": v})),
                    )
                    .await;
                assert_eq!(r.status, 200, "{}", r.text);
            }
        }
        // Expected from the stored rows.
        let rows = sqlx::query("SELECT completion, hired_after, placement_id FROM learning_employments ORDER BY placement_id")
            .fetch_all(app.store.pool()).await.unwrap();
        let completed = rows
            .iter()
            .filter(|r| {
                r.try_get::<Option<String>, _>("completion")
                    .unwrap()
                    .as_deref()
                    == Some("completed")
            })
            .count();
        let discontinued = rows
            .iter()
            .filter(|r| {
                r.try_get::<Option<String>, _>("completion")
                    .unwrap()
                    .as_deref()
                    == Some("discontinued")
            })
            .count();
        let hired = rows
            .iter()
            .filter(|r| {
                r.try_get::<Option<String>, _>("hired_after")
                    .unwrap()
                    .as_deref()
                    == Some("hired")
            })
            .count();
        let not_hired = rows
            .iter()
            .filter(|r| {
                r.try_get::<Option<String>, _>("hired_after")
                    .unwrap()
                    .as_deref()
                    == Some("not_hired")
            })
            .count();
        let mut study_shares = vec![];
        for p in &placements {
            let ws = stored_weeks(&app, *p).await;
            let dw: i64 = ws.iter().filter_map(|w| w.3).sum();
            let ds: i64 = ws.iter().filter_map(|w| w.4).sum();
            study_shares.push(100.0 * ds as f64 / (dw + ds) as f64);
        }
        let mean = study_shares.iter().sum::<f64>() / study_shares.len() as f64;
        let r1 = |v: f64| json!((v * 10.0).round() / 10.0);
        let (s, sum) = app
            .get_json(
                "analyst",
                &format!("/api/v1/learning-summaries/{}", a.intervention),
            )
            .await;
        assert_eq!(s, 200, "{sum}");
        assert_eq!(sum["count"], rows.len());
        assert_eq!(sum["completed"], completed);
        assert_eq!(sum["discontinued"], discontinued);
        assert_eq!(
            sum["completion_rate"],
            r1(100.0 * completed as f64 / (completed + discontinued) as f64)
        );
        assert_eq!(sum["hired"], hired);
        assert_eq!(sum["not_hired"], not_hired);
        assert_eq!(
            sum["hired_rate"],
            r1(100.0 * hired as f64 / (hired + not_hired) as f64)
        );
        assert_eq!(sum["mean_done_study_share"], r1(mean));
        assert_eq!(sum["mean_done_work_share"], r1(100.0 - mean));
        assert_eq!(sum["completion_rate"], json!(66.7));
        // The list narrows to the intervention.
        let (s, list) = app
            .get_json(
                "coordinator",
                &format!(
                    "/api/v1/learning-employments?intervention_id={}",
                    a.intervention
                ),
            )
            .await;
        assert_eq!(s, 200);
        assert_eq!(list.as_array().unwrap().len(), 4);
        let r = app
            .call(
                "coordinator",
                Method::GET,
                "/api/v1/learning-employments?intervention_id=x",
                None,
            )
            .await;
        r.assert_problem(422, &["intervention_id"]);
    }
);
