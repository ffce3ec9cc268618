//! `/api/v1/learning-employments` (the employer model, issue 6.5): the week
//! plan and the shares checked against an independent computation from the
//! stored rows; every rule refused with a named field and nothing written;
//! access per role (host and school minimal, others 404/403) and the audit.
//! Arrange writes the intervention, host and placement with SQL fixtures;
//! everything else goes through HTTP.
//!
//! The refusals (every rule, and access per role) are in `refusals`; here
//! the arrangements they share, the week plan and shares, and the summary.

use crate::common::api::monday;
use crate::common::work::{insert_host, insert_intervention, insert_placement};
use crate::common::{self, day, TestApp};
use chrono::{Datelike, Duration, NaiveDate};
use serde_json::{json, Value};
use vagar_store::sqlx;
use vagar_store::sqlx::Row;

/// A participant of unit A (cw_a's), returning its id.
pub async fn participant(app: &TestApp, i: u32, first: &str) -> i64 {
    app.register("cw_a", i, first, "Lärling").await
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
        &day(start),
        &day(end),
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
    app.count(sql).await
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
            (day(m), total - study, study)
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
    app.post(user, "/api/v1/learning-employments", body).await
}

pub async fn done(
    app: &TestApp,
    user: &str,
    placement: i64,
    week: &str,
    body: Value,
) -> common::Reply {
    app.put(
        user,
        &format!("/api/v1/learning-employments/{placement}/weeks/{week}/done"),
        body,
    )
    .await
}

both_engines!(
    the_week_plan_and_the_shares_agree_with_an_independent_computation,
    |app: TestApp| async move {
        let t = app.today();
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
        .await
        .must(201);
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
            .put(
                "coordinator",
                &format!("/api/v1/learning-employments/{}/weeks/{exam}", a.placement),
                json!({"planned_work_minutes": 600, "planned_study_minutes": 1800,
                    "version": version}),
            )
            .await
            .must(200);
        assert_eq!(r.json["version"], 2);

        // Done hours for eight past weeks: four on plan by the host, then
        // four with less study by the coordinator.
        let mut version = 2;
        let past: Vec<String> = expected
            .iter()
            .map(|w| w.0.clone())
            .filter(|w| w.as_str() <= day(monday(t)).as_str())
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
            .await
            .must_as(200, format!("{user} {week}"));
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

        let l = app
            .get(
                "cw_a",
                &format!("/api/v1/learning-employments/{}", a.placement),
            )
            .await
            .must(200)
            .json;
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
            &day(start),
            &day(end),
            "host",
        )
        .await;
        let r = create(
            &app,
            "coordinator",
            json!({"placement_id": second, "school_name": "Komvux", "work_percent": 75,
                   "study_percent": 25, "deviation_threshold_pp": 15}),
        )
        .await
        .must(201);
        assert_eq!(r.json["deviation_threshold_pp"], 15);
        for (v, (week, w, s, _)) in recorded[4..].iter().enumerate() {
            done(
                &app,
                "coordinator",
                second,
                week,
                json!({"done_work_minutes": w, "done_study_minutes": s, "version": v + 1}),
            )
            .await
            .must(200);
        }
        let l2 = app
            .get(
                "coordinator",
                &format!("/api/v1/learning-employments/{second}"),
            )
            .await
            .json;
        assert_eq!(l2["recent_done_study_share"], share(l4ds, l4dw));
        assert_eq!(l2["deviation"], false, "{l2}");
    }
);

both_engines!(
    the_summary_per_intervention_agrees_with_an_independent_count,
    |app: TestApp| async move {
        let t = app.today();
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
                    &day(start),
                    &day(end),
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
        let weeks = [day(start), day(start + Duration::days(7))];
        for (p, (w, s, c, h)) in placements.iter().zip(plan) {
            create(
                &app,
                "coordinator",
                json!({"placement_id": p, "school_name": "Komvux",
                                                        "work_percent": 75, "study_percent": 25}),
            )
            .await
            .must(201);
            let mut v = 1;
            for week in &weeks {
                done(
                    &app,
                    "coordinator",
                    *p,
                    week,
                    json!({"done_work_minutes": w, "done_study_minutes": s, "version": v}),
                )
                .await
                .must(200);
                v += 1;
            }
            if let Some(c) = c {
                app.post(
                    "coordinator",
                    &format!("/api/v1/learning-employments/{p}/completion"),
                    json!({"completion": c, "completed_on": day(end - Duration::days(2)),
                        "version": v}),
                )
                .await
                .must(200);
                v += 1;
            }
            if let Some(h) = h {
                app.post(
                    "coordinator",
                    &format!("/api/v1/learning-employments/{p}/hire-outcome"),
                    json!({"hired_after": h, "hired_on": day(end), "version": v}),
                )
                .await
                .must(200);
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
        let sum = app
            .get(
                "analyst",
                &format!("/api/v1/learning-summaries/{}", a.intervention),
            )
            .await
            .must(200)
            .json;
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
        let list = app
            .get(
                "coordinator",
                &format!(
                    "/api/v1/learning-employments?intervention_id={}",
                    a.intervention
                ),
            )
            .await
            .must(200)
            .json;
        assert_eq!(list.as_array().unwrap().len(), 4);
        app.get(
            "coordinator",
            "/api/v1/learning-employments?intervention_id=x",
        )
        .await
        .assert_problem(422, &["intervention_id"]);
    }
);
