//! Work and study shares of any placement (issue 6, point 2): a week of
//! hours done is recorded with `PUT /api/v1/placements/{id}/weeks/{week}`
//! and on the page `/placeringar/{id}`; a week outside the placement, not a
//! Monday, ahead of today, or with bad minutes is refused naming the field
//! and nothing is written; the recorded shares in the placement's JSON and
//! on its page agree with an independent computation from the rows the
//! test recorded; a learning employment's own plan rows are the ones used.
//! Arrange writes the intervention, host and placement with SQL fixtures.

use crate::common::api::monday;
use crate::common::day;
use crate::common::form;
use crate::common::{self, hidden_csrf, TestApp};
use crate::work::learning::api::{arrange, count, stored_weeks};
use chrono::{Datelike, Duration, NaiveDate};
use serde_json::{json, Value};
use vagar_store::sqlx;

async fn record(
    app: &TestApp,
    user: &str,
    placement: i64,
    week: &str,
    body: Value,
) -> common::Reply {
    app.put(
        user,
        &format!("/api/v1/placements/{placement}/weeks/{week}"),
        body,
    )
    .await
}

/// Planned shares 80 / 20 on the fixture's placement (40 h a week).
async fn plan_80_20(app: &TestApp, placement: i64) {
    sqlx::query(
        "UPDATE placements SET planned_work_percent = 80, planned_study_percent = 20 WHERE id = $1",
    )
    .bind(placement)
    .execute(app.store.pool())
    .await
    .unwrap();
}

/// (week_start, planned work, planned study, done work, done study).
type StoredWeek = (String, i64, i64, Option<i64>, Option<i64>);

fn round1(v: f64) -> f64 {
    (v * 10.0).round() / 10.0
}

/// 100 × part / (a + b), one decimal, as the documentation says.
fn pct(part: i64, a: i64, b: i64) -> Value {
    if a + b == 0 {
        return Value::Null;
    }
    json!(round1(100.0 * part as f64 / (a + b) as f64))
}

/// The week's planned minutes, computed here day by day: 2400 minutes ×
/// working days inside the placement / 5, study 20 % half up, work the rest.
fn planned(week: NaiveDate, start: NaiveDate, end: NaiveDate) -> (i64, i64) {
    let days = (0..5)
        .map(|i| week + Duration::days(i))
        .filter(|d| *d >= start && *d <= end)
        .count() as i64;
    let total = 2400 * days / 5;
    let study = (total * 20 + 50) / 100;
    (total - study, study)
}

both_engines!(
    recording_outside_the_placement_or_ahead_is_refused_and_nothing_is_written,
    |app: TestApp| async move {
        let t = app.today();
        // From a Wednesday five weeks ago to a Friday five weeks ahead.
        let start = monday(t - Duration::days(35)) + Duration::days(2);
        let end = monday(t + Duration::days(35)) + Duration::days(4);
        let a = arrange(&app, start, end).await;
        plan_80_20(&app, a.placement).await;
        let ok = json!({"work_minutes": 1800, "study_minutes": 600});
        let before = day(monday(start) - Duration::days(7));
        let after = day(monday(end) + Duration::days(7));
        let ahead = day(monday(t) + Duration::days(7));
        let not_monday = day(monday(t) - Duration::days(6));
        let past = day(monday(t) - Duration::days(14));
        let cases: Vec<(&str, &str, Value, Vec<&str>, &str)> = vec![
            (
                "a week before the start",
                &before,
                ok.clone(),
                vec!["week_start"],
                "outside_placement",
            ),
            (
                "a week after the end",
                &after,
                ok.clone(),
                vec!["week_start"],
                "outside_placement",
            ),
            (
                "a week ahead of today",
                &ahead,
                ok.clone(),
                vec!["week_start"],
                "future",
            ),
            (
                "a Tuesday",
                &not_monday,
                ok.clone(),
                vec!["week_start"],
                "not_monday",
            ),
            (
                "not a date",
                "2026-13-40",
                ok.clone(),
                vec!["week_start"],
                "invalid_date",
            ),
            (
                "negative work",
                &past,
                json!({"work_minutes": -60, "study_minutes": 600}),
                vec!["work_minutes"],
                "negative",
            ),
            (
                "more than 7 × 24 h",
                &past,
                json!({"work_minutes": 6000, "study_minutes": 4200}),
                vec!["study_minutes", "work_minutes"],
                "over_week",
            ),
            (
                "study missing",
                &past,
                json!({"work_minutes": 1800}),
                vec!["study_minutes"],
                "required",
            ),
        ];
        for (what, week, body, fields, code) in cases {
            let r = record(&app, "cw_a", a.placement, week, body).await;
            r.assert_problem(422, &fields);
            assert_eq!(
                r.error_code(fields[0]).as_deref(),
                Some(code),
                "{what}: {}",
                r.text
            );
            assert_eq!(
                count(&app, "SELECT COUNT(*) AS n FROM placement_weeks").await,
                0,
                "{what}: nothing written"
            );
        }
        // The exit date ends the weeks that can be recorded.
        let exited = day(monday(t) - Duration::days(14));
        sqlx::query("UPDATE placements SET status = 'ended', exit_date = $1 WHERE id = $2")
            .bind(day(monday(t) - Duration::days(10)))
            .bind(a.placement)
            .execute(app.store.pool())
            .await
            .unwrap();
        record(&app, "cw_a", a.placement, &day(monday(t)), ok.clone())
            .await
            .assert_problem(422, &["week_start"]);
        assert_eq!(
            count(&app, "SELECT COUNT(*) AS n FROM placement_weeks").await,
            0
        );
        record(&app, "cw_a", a.placement, &exited, ok.clone())
            .await
            .must(200);
        assert_eq!(stored_weeks(&app, a.placement).await.len(), 1);

        // Access: hosts, analysts and partners may never (403), another
        // unit's caseworker does not see the placement (404); each refusal
        // is audited and writes nothing.
        for (user, status) in [
            ("employer", 403),
            ("analyst", 403),
            ("partner", 403),
            ("admin", 403),
            ("cw_b", 404),
        ] {
            let r = record(&app, user, a.placement, &past, ok.clone()).await;
            assert_eq!(r.status, status, "{user}: {}", r.text);
        }
        assert_eq!(stored_weeks(&app, a.placement).await.len(), 1);
        let denied = count(
            &app,
            "SELECT COUNT(*) AS n FROM audit_events WHERE action LIKE 'placement.week.record%' AND outcome = 'denied'",
        )
        .await;
        assert_eq!(denied, 5, "every refusal is audited");
    }
);

both_engines!(
    the_recorded_shares_agree_with_an_independent_computation,
    |app: TestApp| async move {
        let t = app.today();
        let start = monday(t - Duration::days(70)) + Duration::days(2);
        let end = monday(t + Duration::days(70)) + Duration::days(4);
        let a = arrange(&app, start, end).await;
        plan_80_20(&app, a.placement).await;
        // Nothing recorded yet: planned shares, zero recorded.
        let p = app
            .get("cw_a", &format!("/api/v1/placements/{}", a.placement))
            .await
            .must(200)
            .json;
        assert_eq!(
            p["shares"]["planned"],
            json!({"work_percent": 80, "study_percent": 20})
        );
        assert_eq!(p["shares"]["recorded_weeks"], 0);
        assert_eq!(p["shares"]["recorded"]["work_percent"], Value::Null);

        let w = |n: i64| monday(start) + Duration::days(7 * n);
        // (week, work, study, user); the third week is recorded twice and
        // the second answer is the one that counts.
        let recorded: Vec<(NaiveDate, i64, i64, &str)> = vec![
            (w(0), 1100, 340, "cw_a"),
            (w(1), 1920, 480, "cw_a"),
            (w(2), 1500, 300, "coordinator"),
            (w(2), 1700, 700, "cw_a2"),
            (w(4), 2100, 0, "coordinator"),
            (w(5), 0, 0, "cw_a"),
            (monday(t), 1234, 321, "cw_a"),
        ];
        let mut last = Value::Null;
        for (week, work, study, user) in &recorded {
            let r = record(
                &app,
                user,
                a.placement,
                &day(*week),
                json!({"work_minutes": work, "study_minutes": study}),
            )
            .await
            .must_as(200, format!("{user} {week}"));
            last = r.json;
        }
        // The independent computation: last answer per week.
        let mut by_week: std::collections::BTreeMap<NaiveDate, (i64, i64)> = Default::default();
        for (week, work, study, _) in &recorded {
            by_week.insert(*week, (*work, *study));
        }
        let (dw, ds) = by_week
            .values()
            .fold((0, 0), |(a, b), (w, s)| (a + w, b + s));
        let (pw, ps) = by_week
            .keys()
            .map(|k| planned(*k, start, end))
            .fold((0, 0), |(a, b), (w, s)| (a + w, b + s));
        assert_eq!(
            planned(w(0), start, end),
            (1152, 288),
            "3 days of 5 at 80/20"
        );

        // The stored rows are what the test recorded, with the planned minutes.
        let rows = stored_weeks(&app, a.placement).await;
        let expected_rows: Vec<StoredWeek> = by_week
            .iter()
            .map(|(k, (w, s))| {
                let (a, b) = planned(*k, start, end);
                (day(*k), a, b, Some(*w), Some(*s))
            })
            .collect();
        assert_eq!(rows, expected_rows);

        let p = app
            .get(
                "coordinator",
                &format!("/api/v1/placements/{}", a.placement),
            )
            .await
            .must(200)
            .json;
        let s = &p["shares"];
        assert_eq!(s, &last, "the PUT answers with the same shares");
        assert_eq!(s["recorded_weeks"], by_week.len() as i64);
        assert_eq!(s["recorded"]["work_minutes"], dw);
        assert_eq!(s["recorded"]["study_minutes"], ds);
        assert_eq!(s["recorded"]["work_percent"], pct(dw, dw, ds));
        assert_eq!(s["recorded"]["study_percent"], pct(ds, dw, ds));
        assert_eq!(s["planned_for_recorded_weeks"]["work_minutes"], pw);
        assert_eq!(s["planned_for_recorded_weeks"]["study_minutes"], ps);
        assert_eq!(s["weeks"].as_array().unwrap().len(), by_week.len());
        assert_eq!(s["weeks"][2]["week_start"], day(w(2)));
        assert_eq!(s["weeks"][2]["work_minutes"], 1700);
        assert_eq!(s["weeks"][2]["study_minutes"], 700);

        // The host's minimal view (arrange links the host) carries no shares.
        let m = app
            .get("employer", &format!("/api/v1/placements/{}", a.placement))
            .await
            .must(200)
            .json;
        assert!(m.get("shares").is_none(), "{m}");

        // Every recording is audited naming the participant.
        let allowed = count(
            &app,
            "SELECT COUNT(*) AS n FROM audit_events WHERE action LIKE 'placement.week.record%' AND outcome LIKE 'allowed%'",
        )
        .await;
        assert_eq!(allowed, recorded.len() as i64);

        // The page: planned and recorded percent and hours, in Swedish.
        let c = app.login("cw_a").await;
        let html = form::page(&c, &app, &format!("/placeringar/{}", a.placement))
            .await
            .1;
        let shown = |v: &Value| format!("{:.1}", v.as_f64().unwrap()).replace('.', ",");
        assert!(
            html.contains("Arbete och studier: planerat och genomfört"),
            "{html}"
        );
        assert!(html.contains(&format!(
            "<td id=\"recorded-work-percent\">{} %</td>",
            shown(&pct(dw, dw, ds))
        )));
        assert!(html.contains(&format!(
            "<td id=\"recorded-study-percent\">{} %</td>",
            shown(&pct(ds, dw, ds))
        )));
        let hours = |m: i64| {
            if m % 60 == 0 {
                format!("{}", m / 60)
            } else {
                format!("{},{:02}", m / 60, (m % 60) * 100 / 60)
            }
        };
        assert!(html.contains(&format!(
            "<td id=\"recorded-work-hours\">{}</td>",
            hours(dw)
        )));
        assert!(html.contains(&format!(
            "<td id=\"recorded-study-hours\">{}</td>",
            hours(ds)
        )));
    }
);

both_engines!(
    the_page_form_records_a_week_and_refuses_inline_keeping_the_values,
    |app: TestApp| async move {
        let t = app.today();
        let start = monday(t - Duration::days(28));
        let end = monday(t + Duration::days(28)) + Duration::days(4);
        let a = arrange(&app, start, end).await;
        plan_80_20(&app, a.placement).await;
        let page = format!("/placeringar/{}", a.placement);
        let action = format!("/placeringar/{}/vecka", a.placement);
        let c = app.login("cw_a").await;
        let html = form::page(&c, &app, &page).await.1;
        assert!(html.contains("Registrera en vecka"));
        assert!(
            html.contains(&format!("value=\"{}\"", day(monday(t)))),
            "this week's Monday is offered"
        );
        let csrf = hidden_csrf(&html);
        let post = |week: String, work: &str, study: &str| {
            let form = vec![
                ("csrf", csrf.clone()),
                ("week_start", week),
                ("work_hours", work.to_string()),
                ("study_hours", study.to_string()),
            ];
            let c = c.clone();
            let url = app.url(&action);
            async move {
                let res = c.post(url).form(&form).send().await.unwrap();
                let status = res.status().as_u16();
                (status, res.text().await.unwrap())
            }
        };
        // Ahead of today: inline, values kept, nothing written.
        let (status, html) = post(day(monday(t) + Duration::days(7)), "31,5", "8").await;
        assert_eq!(status, 422);
        assert!(html.contains("error-summary"));
        assert!(
            html.contains("Timmar kan bara registreras för innevarande eller en tidigare vecka.")
        );
        assert!(html.contains("value=\"31,5\""), "the values are kept");
        assert!(html.contains("aria-invalid=\"true\""));
        // Not hours and before the start.
        let (status, html) = post(day(monday(start) - Duration::days(7)), "tre", "-2").await;
        assert_eq!(status, 422);
        assert!(html.contains("href=\"#work_hours\""), "{html}");
        assert!(html.contains("value=\"tre\""));
        assert_eq!(
            count(&app, "SELECT COUNT(*) AS n FROM placement_weeks").await,
            0
        );
        // A past week in hours: 31,5 h work and 7:30 study.
        let week = monday(t) - Duration::days(7);
        let (status, _) = post(day(week), "31,5", "7:30").await;
        assert_eq!(status, 303);
        let rows = stored_weeks(&app, a.placement).await;
        assert_eq!(rows, vec![(day(week), 1920, 480, Some(1890), Some(450))]);
        let html = form::page(&c, &app, &page).await.1;
        // 450 / 2340 = 19,2 % study; 80,8 % work.
        assert!(
            html.contains("<td id=\"recorded-study-percent\">19,2 %</td>"),
            "{html}"
        );
        assert!(html.contains("<td id=\"recorded-work-percent\">80,8 %</td>"));
        assert!(html.contains("<td id=\"recorded-work-hours\">31,50</td>"));
        // English.
        let res = c
            .get(app.url(&format!("/sprak/en?tillbaka={page}")))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status().as_u16(), 303);
        let html = form::page(&c, &app, &page).await.1;
        assert!(
            html.contains("Work and studies: planned and done"),
            "{html}"
        );
        assert!(html.contains("Record a week"));
        // The host sees neither the table nor the form.
        let ch = app.login("employer").await;
        let html = form::page(&ch, &app, &page).await.1;
        assert!(!html.contains("shares-table"));
        assert!(!html.contains("/vecka"));
    }
);

both_engines!(
    a_learning_employment_keeps_its_own_plan_rows,
    |app: TestApp| async move {
        let t = app.today();
        let start = monday(t - Duration::days(35));
        let end = monday(t + Duration::days(35)) + Duration::days(4);
        let a = arrange(&app, start, end).await;
        let r = crate::work::learning::api::create(
            &app,
            "coordinator",
            json!({"placement_id": a.placement, "school_name": "Komvux Syd",
                   "work_percent": 75, "study_percent": 25}),
        )
        .await
        .must(201);
        let version = r.json["version"].as_i64().unwrap();
        let plan_before = stored_weeks(&app, a.placement).await;
        let week = monday(t) - Duration::days(14);
        let r = record(
            &app,
            "cw_a",
            a.placement,
            &day(week),
            json!({"work_minutes": 1700, "study_minutes": 700}),
        )
        .await
        .must(200);
        // The same rows: the plan's planned minutes kept, the done filled in.
        let rows = stored_weeks(&app, a.placement).await;
        assert_eq!(rows.len(), plan_before.len());
        for (before, after) in plan_before.iter().zip(&rows) {
            assert_eq!(
                (&before.0, before.1, before.2),
                (&after.0, after.1, after.2)
            );
            let done = if after.0 == day(week) {
                (Some(1700), Some(700))
            } else {
                (None, None)
            };
            assert_eq!((after.3, after.4), done);
        }
        // The learning employment sees it and its version moved on.
        let l = app
            .get(
                "coordinator",
                &format!("/api/v1/learning-employments/{}", a.placement),
            )
            .await
            .must(200)
            .json;
        assert_eq!(l["version"], version + 1);
        assert_eq!(l["done_work_minutes"], 1700);
        assert_eq!(l["done_study_minutes"], 700);
        assert_eq!(r.json["recorded"]["study_percent"], json!(29.2));
        // A week outside the learning plan is refused as for the learning API.
        record(
            &app,
            "cw_a",
            a.placement,
            &day(monday(start) - Duration::days(7)),
            json!({"work_minutes": 1, "study_minutes": 1}),
        )
        .await
        .assert_problem(422, &["week_start"]);
        assert_eq!(week.weekday(), chrono::Weekday::Mon);
    }
);
