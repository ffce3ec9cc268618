//! The staffing model over the API: conflict checks that refuse a whole
//! batch (nothing partial), the hourly-share series and fill rate against an
//! independent computation from the rows created, access and audit.

use crate::common::{self, Reply, TestApp};
use reqwest::Method;
use serde_json::{json, Value};
use std::collections::BTreeMap;

async fn pool(app: &TestApp) -> i64 {
    let r = app
        .post(
            "coordinator",
            "/api/v1/staffing/pools",
            json!({ "name": "Bemanningspoolen", "organisation_id": app.org_a,
                "hourly_price_ore": 32000 }),
        )
        .await
        .must(201);
    r.id()
}

async fn staff(app: &TestApp, pool: i64, body: Value) -> i64 {
    let r = app
        .post(
            "coordinator",
            &format!("/api/v1/staffing/pools/{pool}/staff"),
            body,
        )
        .await
        .must(201);
    r.id()
}

fn regular(name: &str, form: &str, ssyk: &str) -> Value {
    json!({ "name": name, "employment_form": form, "occupation": ssyk, "hourly_wage_ore": 18000,
            "active_from": "2026-01-01" })
}

/// A request of `count` staff for `unit` on (date, start, end).
async fn request(
    app: &TestApp,
    user: &str,
    pool: i64,
    unit: i64,
    (date, start, end): (&str, &str, &str),
    count: i64,
) -> Reply {
    app.post(
        user,
        &format!("/api/v1/staffing/pools/{pool}/requests"),
        json!({ "unit_id": unit, "work_date": date, "start_time": start, "end_time": end,
                      "occupation": "5321", "staff_count": count }),
    )
    .await
}

async fn request_id(
    app: &TestApp,
    pool: i64,
    unit: i64,
    date: &str,
    start: &str,
    end: &str,
    count: i64,
) -> i64 {
    let r = request(app, "coordinator", pool, unit, (date, start, end), count)
        .await
        .must(201);
    r.id()
}

async fn assign(app: &TestApp, req: i64, staff: &[i64]) -> Reply {
    app.post(
        "coordinator",
        &format!("/api/v1/staffing/requests/{req}/assignments"),
        json!({ "staff_ids": staff }),
    )
    .await
}

async fn assigned(app: &TestApp, req: i64) -> Vec<i64> {
    let j = app
        .get("coordinator", &format!("/api/v1/staffing/requests/{req}"))
        .await
        .must(200)
        .json;
    j["assignments"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["staff_id"].as_i64().unwrap())
        .collect()
}

both_engines!(
    overlapping_assignments_are_refused_naming_the_conflict_and_nothing_partial_is_written,
    |app: TestApp| async move {
        app.load_taxonomy().await;
        let pool = pool(&app).await;
        let anna = staff(&app, pool, regular("Anna Andersson", "full_time", "5321")).await;
        let bo = staff(&app, pool, regular("Bo Berg", "full_time", "5321")).await;
        let cilla = staff(&app, pool, regular("Cilla Carlsson", "hourly", "5330")).await;

        // A night shift passing midnight, then a morning shift overlapping its end.
        let night = request_id(&app, pool, app.org_a, "2026-03-02", "22:00", "06:00", 2).await;
        let r = assign(&app, night, &[anna]).await.must(201);
        assert_eq!(r.json["fill_state"], "partly_filled");
        assert_eq!(r.json["passes_midnight"], true);
        let morning = request_id(&app, pool, app.org_b, "2026-03-03", "05:00", "13:00", 3).await;

        // Bo is free, Anna is double booked, Cilla has the wrong occupation:
        // all refused, each refused person named with the conflict.
        let r = assign(&app, morning, &[bo, anna, cilla]).await;
        r.assert_problem(409, &["staff_ids"]);
        assert_eq!(
            r.json["type"],
            "https://vagar.se/problems/staffing-conflict"
        );
        let errors = r.json["errors"].as_array().unwrap();
        let double = errors
            .iter()
            .find(|e| e["code"] == "double_booked")
            .expect("double booking named");
        let msg = double["message"].as_str().unwrap();
        assert!(msg.starts_with("Anna Andersson"), "{msg}");
        assert!(
            msg.contains("2026-03-02 22:00–06:00"),
            "names the other shift: {msg}"
        );
        assert!(
            errors.iter().any(|e| e["code"] == "wrong_occupation"
                && e["message"].as_str().unwrap().starts_with("Cilla Carlsson")),
            "{}",
            r.text
        );
        assert!(
            !errors
                .iter()
                .any(|e| e["message"].as_str().unwrap().starts_with("Bo Berg")),
            "Bo is not refused"
        );
        assert!(r.json["detail"]
            .as_str()
            .unwrap()
            .contains("nothing was assigned"));
        // The refused attempt is audited with its reasons.
        let events = app
            .get("admin", "/api/v1/audit?limit=50")
            .await
            .must(200)
            .json;
        assert!(
            events
                .as_array()
                .unwrap()
                .iter()
                .any(|e| e["action"] == "staffing.assignment.create"
                    && e["detail"]
                        .as_str()
                        .unwrap()
                        .contains(&format!("refused: staff {anna}: double_booked"))),
            "{events}"
        );
        // Nothing partial: Bo was not assigned either.
        assert!(assigned(&app, morning).await.is_empty());
        assert_eq!(assigned(&app, night).await, vec![anna]);

        // Too little rest: Anna's night ends 06:00; a shift from 14:00 leaves 8 h.
        let evening = request_id(&app, pool, app.org_a, "2026-03-03", "14:00", "22:00", 1).await;
        let r = assign(&app, evening, &[anna]).await;
        r.assert_problem(409, &["staff_ids"]);
        assert_eq!(r.json["errors"][0]["code"], "daily_rest", "{}", r.text);
        assert!(assigned(&app, evening).await.is_empty());

        // The request fills up: a third person beyond two places is refused.
        assign(&app, night, &[bo, bo])
            .await
            .assert_problem(409, &["staff_ids"]);
        assert_eq!(assigned(&app, night).await, vec![anna]);
        assign(&app, morning, &[bo]).await.must(201);
        let r = assign(&app, night, &[bo]).await;
        r.assert_problem(409, &["staff_ids"]);
        assert!(r.text.contains("double_booked"), "{}", r.text);

        // Bad input names its fields, and nothing is written.
        app.post(
            "coordinator",
            &format!("/api/v1/staffing/pools/{pool}/requests"),
            json!({ "unit_id": app.org_a, "work_date": "2026-02-30", "start_time": "7",
                "end_time": "15:00",
                            "occupation": "9999", "staff_count": 0 }),
        )
        .await
        .assert_problem(422, &["work_date", "start_time", "staff_count"]);
        request(
            &app,
            "coordinator",
            pool,
            app.org_a,
            ("2026-03-04", "07:00", "15:00"),
            1,
        )
        .await
        .must(201);
        app.post(
            "coordinator",
            &format!("/api/v1/staffing/pools/{pool}/requests"),
            json!({ "unit_id": app.org_a, "work_date": "2026-03-05", "start_time": "07:00",
                "end_time": "15:00",
                            "occupation": "0000", "staff_count": 1 }),
        )
        .await
        .assert_problem(422, &["occupation"]);
        let list = app
            .get(
                "coordinator",
                &format!("/api/v1/staffing/pools/{pool}/requests"),
            )
            .await
            .json;
        assert_eq!(list.as_array().unwrap().len(), 4);

        // Bo's employment ends on 2026-03-03 (optimistic locking): a later
        // shift is refused as outside his active period.
        let terms = json!({ "employment_form": "full_time", "occupation": "5321",
            "hourly_wage_ore": 18000,
                            "active_from": "2026-01-01", "active_to": "2026-03-03", "version": 1 });
        let path = format!("/api/v1/staffing/staff/{bo}");
        app.patch("analyst", &path, terms.clone()).await.must(403);
        let r = app
            .patch("coordinator", &path, terms.clone())
            .await
            .must(200);
        assert_eq!(
            (r.json["version"].as_i64(), r.json["active_to"].as_str()),
            (Some(2), Some("2026-03-03"))
        );
        app.patch("coordinator", &path, terms.clone())
            .await
            .assert_problem(409, &["version"]);
        let mut bad = terms.clone();
        bad["active_to"] = json!("2025-12-31");
        bad["version"] = json!(2);
        app.patch("coordinator", &path, bad)
            .await
            .assert_problem(422, &["active_to"]);
        let later = request_id(&app, pool, app.org_a, "2026-03-10", "07:00", "15:00", 1).await;
        let r = assign(&app, later, &[bo]).await;
        r.assert_problem(409, &["staff_ids"]);
        assert_eq!(r.json["errors"][0]["code"], "not_active", "{}", r.text);
        assert!(assigned(&app, later).await.is_empty());
    }
);

/// (unit, date, start, end, count, staff, worked minutes reported, cancel afterwards)
type Planned = (
    i64,
    &'static str,
    &'static str,
    &'static str,
    i64,
    Vec<i64>,
    Option<i64>,
    bool,
);

/// One row as the test created it: (unit, date, booked minutes, worked
/// minutes reported, hourly?, request cancelled?).
struct Row {
    unit: i64,
    month: String,
    minutes: i64,
    hourly: bool,
    cancelled: bool,
}

both_engines!(
    the_hourly_share_and_fill_rate_agree_with_an_independent_computation,
    |app: TestApp| async move {
        app.load_taxonomy().await;
        let pool = pool(&app).await;
        let full = staff(&app, pool, regular("Dana Dahl", "full_time", "5321")).await;
        let full2 = staff(&app, pool, regular("Eva Ek", "full_time", "5323")).await;
        let hourly = staff(&app, pool, regular("Filip Fors", "hourly", "5321")).await;
        let (a, b) = (app.org_a, app.org_b);
        let mut rows: Vec<Row> = Vec::new();
        // (unit, date, start, end, count, staff, worked minutes reported, cancel afterwards)
        let plan: Vec<Planned> = vec![
            (
                a,
                "2026-01-05",
                "07:00",
                "15:00",
                2,
                vec![full, hourly],
                None,
                false,
            ),
            (
                a,
                "2026-01-12",
                "22:00",
                "07:00",
                1,
                vec![hourly],
                Some(500),
                false,
            ),
            (
                b,
                "2026-01-20",
                "13:00",
                "21:30",
                3,
                vec![full2],
                None,
                false,
            ),
            (
                a,
                "2026-02-03",
                "07:00",
                "15:00",
                1,
                vec![full],
                Some(420),
                false,
            ),
            (
                a,
                "2026-02-10",
                "07:00",
                "16:00",
                2,
                vec![full, hourly],
                None,
                true,
            ),
            (
                b,
                "2026-02-17",
                "06:00",
                "14:00",
                2,
                vec![hourly, full2],
                None,
                false,
            ),
            (a, "2026-03-02", "07:00", "12:00", 1, vec![], None, false),
            (
                b,
                "2026-03-31",
                "21:00",
                "07:00",
                1,
                vec![full],
                None,
                false,
            ),
        ];
        let mut fills: BTreeMap<(i64, String), (i64, i64)> = BTreeMap::new();
        for (unit, date, start, end, count, who, worked, cancel) in &plan {
            let req = request_id(&app, pool, *unit, date, start, end, *count).await;
            if !who.is_empty() {
                let r = assign(&app, req, who).await.must(201);
                let s = r.json["start_minute"].as_i64().unwrap();
                let e = r.json["end_minute"].as_i64().unwrap();
                for (i, a) in r.json["assignments"].as_array().unwrap().iter().enumerate() {
                    let mut minutes = e - s;
                    // Report worked minutes on the first person of the request.
                    if let (0, Some(w)) = (i, worked) {
                        let id = a["id"].as_i64().unwrap();
                        app.put(
                            "coordinator",
                            &format!("/api/v1/staffing/assignments/{id}/worked"),
                            json!({ "worked_minutes": w }),
                        )
                        .await
                        .must(200);
                        minutes = *w;
                    }
                    rows.push(Row {
                        unit: *unit,
                        month: date[..7].to_string(),
                        minutes,
                        hourly: a["staff_id"].as_i64() == Some(hourly),
                        cancelled: *cancel,
                    });
                }
            }
            if *cancel {
                app.call(
                    "coordinator",
                    Method::POST,
                    &format!("/api/v1/staffing/requests/{req}/cancel"),
                    None,
                )
                .await
                .must(200);
            } else {
                let f = fills.entry((*unit, date[..7].to_string())).or_default();
                f.0 += count;
                f.1 += (who.len() as i64).min(*count);
            }
        }
        // The units' reports; B leaves March unreported; A reports January twice
        // (the second replaces the first).
        let reports = [
            (a, "2026-01", 90_000, 30_000),
            (a, "2026-01", 96_000, 33_000),
            (a, "2026-02", 95_000, 25_000),
            (a, "2026-03", 97_000, 20_000),
            (b, "2026-01", 50_000, 20_000),
            (b, "2026-02", 52_000, 15_000),
        ];
        let mut reported: BTreeMap<(i64, String), (i64, i64)> = BTreeMap::new();
        for (unit, month, total, hourly_m) in reports {
            app.put(
                "coordinator",
                "/api/v1/staffing/unit-hours",
                json!({ "unit_id": unit, "month": month, "total_minutes": total,
                    "hourly_minutes": hourly_m }),
            )
            .await
            .must(200);
            reported.insert((unit, month.to_string()), (total, hourly_m));
        }
        let r = app
        .put(
            "coordinator",
            "/api/v1/staffing/unit-hours",
            json!({ "unit_id": a, "month": "2026-13", "total_minutes": 10, "hourly_minutes": 20 }),
        )
        .await;
        r.assert_problem(422, &["month", "hourly_minutes"]);

        // Independent computation: reported figures plus the pool's shifts
        // (not cancelled) at the unit that month; hourly staff in both.
        let mut expected: Vec<(i64, String, i64, i64)> = Vec::new();
        for ((unit, month), (total, hourly_m)) in &reported {
            let mine = rows
                .iter()
                .filter(|r| r.unit == *unit && &r.month == month && !r.cancelled);
            let (mut t, mut h) = (*total, *hourly_m);
            for r in mine {
                t += r.minutes;
                if r.hourly {
                    h += r.minutes;
                }
            }
            expected.push((*unit, month.clone(), t, h));
        }
        for analyst_or_coordinator in ["analyst", "coordinator"] {
            let series = app
                .get(analyst_or_coordinator, "/api/v1/staffing/hourly-share")
                .await
                .must(200)
                .json;
            let got: Vec<(i64, String, i64, i64)> = series
                .as_array()
                .unwrap()
                .iter()
                .map(|p| {
                    (
                        p["unit_id"].as_i64().unwrap(),
                        p["month"].as_str().unwrap().to_string(),
                        p["total_minutes"].as_i64().unwrap(),
                        p["hourly_minutes"].as_i64().unwrap(),
                    )
                })
                .collect();
            let mut want = expected.clone();
            want.sort();
            let mut got_sorted = got.clone();
            got_sorted.sort();
            assert_eq!(got_sorted, want);
            // The share of each point against the independently computed minutes.
            for p in series.as_array().unwrap() {
                let key = (
                    p["unit_id"].as_i64().unwrap(),
                    p["month"].as_str().unwrap().to_string(),
                );
                let (_, _, t, h) = expected
                    .iter()
                    .find(|e| (e.0, e.1.clone()) == key)
                    .expect("an expected point");
                let share = *h as f64 / *t as f64;
                assert!((p["share"].as_f64().unwrap() - share).abs() < 1e-9, "{p}");
            }
        }
        // Spot check one point by hand: A, January = (33 000 + 480 + 500) / (96 000 + 480 + 480 + 500).
        let series = app
            .get(
                "analyst",
                &format!("/api/v1/staffing/hourly-share?unit_id={a}"),
            )
            .await
            .json;
        let jan = series
            .as_array()
            .unwrap()
            .iter()
            .find(|p| p["month"] == "2026-01")
            .unwrap();
        assert_eq!(
            (
                jan["hourly_minutes"].as_i64(),
                jan["total_minutes"].as_i64()
            ),
            (Some(33_980), Some(97_460))
        );
        assert_eq!(series.as_array().unwrap().len(), 3);

        // Fill rate per unit and month, computed from the same plan.
        let fr = app
            .get(
                "analyst",
                &format!("/api/v1/staffing/fill-rate?pool_id={pool}"),
            )
            .await
            .must(200)
            .json;
        let got: BTreeMap<(i64, String), (i64, i64)> = fr["by_unit"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| {
                (
                    (
                        r["unit_id"].as_i64().unwrap(),
                        r["month"].as_str().unwrap().to_string(),
                    ),
                    (
                        r["requested"].as_i64().unwrap(),
                        r["filled"].as_i64().unwrap(),
                    ),
                )
            })
            .collect();
        assert_eq!(got, fills);
        let pool_total: (i64, i64) =
            fr["by_pool"]
                .as_array()
                .unwrap()
                .iter()
                .fold((0, 0), |acc, r| {
                    (
                        acc.0 + r["requested"].as_i64().unwrap(),
                        acc.1 + r["filled"].as_i64().unwrap(),
                    )
                });
        assert_eq!(
            pool_total,
            fills
                .values()
                .fold((0, 0), |acc, v| (acc.0 + v.0, acc.1 + v.1))
        );
    }
);

both_engines!(
    staffing_access_names_participants_only_to_their_readers_and_audits,
    |app: TestApp| async move {
        app.load_taxonomy().await;
        let pool = pool(&app).await;
        let p = app.register("cw_a", 41, "Greta", "Gran").await;
        // The coordinator may not read the participant: 422, as if unknown.
        let body = json!({ "participant_id": p, "employment_form": "full_time",
            "occupation": "5321",
                       "hourly_wage_ore": 15000, "active_from": "2026-01-01" });
        app.post(
            "coordinator",
            &format!("/api/v1/staffing/pools/{pool}/staff"),
            body.clone(),
        )
        .await
        .assert_problem(422, &["participant_id"]);
        let r = app
            .post(
                "cw_a",
                &format!("/api/v1/staffing/pools/{pool}/staff"),
                body,
            )
            .await
            .must(201);
        assert_eq!(r.json["label"], "Greta Gran");
        let sid = r.id();
        let code = r.json["code"].as_str().unwrap().to_string();
        // cw_b (another unit) and the coordinator see the staff code only.
        for user in ["cw_b", "coordinator"] {
            let (s, list) = app
                .get_json(user, &format!("/api/v1/staffing/pools/{pool}/staff"))
                .await;
            assert_eq!(s, 200);
            let me = list
                .as_array()
                .unwrap()
                .iter()
                .find(|s| s["id"] == sid)
                .unwrap();
            assert_eq!(me["label"], code.as_str(), "{user}");
            assert!(me["participant_id"].is_null());
            assert!(!list.to_string().contains("Greta"), "{user}: {list}");
        }
        // Training toward a shortage occupation.
        let tid = app
            .post(
                "cw_a",
                &format!("/api/v1/staffing/staff/{sid}/training"),
                json!({ "course": "Vård- och omsorgsprogrammet", "occupation": "5321",
                "credits_total": 1500,
                            "credits_done": 300, "started_on": "2026-01-10" }),
            )
            .await
            .must(201)
            .id();
        app.patch(
            "cw_a",
            &format!("/api/v1/staffing/training/{tid}"),
            json!({ "course": "Vård- och omsorgsprogrammet", "occupation": "5321",
                "credits_total": 1500,
                            "credits_done": 1600, "started_on": "2026-01-10", "version": 1 }),
        )
        .await
        .assert_problem(422, &["credits_done"]);
        let r = app
            .patch(
                "cw_a",
                &format!("/api/v1/staffing/training/{tid}"),
                json!({ "course": "Vård- och omsorgsprogrammet", "occupation": "5321",
                "credits_total": 1500,
                            "credits_done": 600, "started_on": "2026-01-10", "version": 1 }),
            )
            .await
            .must(200);
        assert_eq!(r.json["version"], 2);
        app.patch(
            "cw_a",
            &format!("/api/v1/staffing/training/{tid}"),
            json!({ "course": "X", "credits_total": 10, "started_on": "2026-01-10", "version": 1 }),
        )
        .await
        .assert_problem(409, &["version"]);

        // Roles: employer 403 everywhere; analyst aggregates only; partner orders
        // only for its own unit (the partner's organisation is not unit A: 404).
        for path in [
            "/api/v1/staffing/pools",
            "/api/v1/staffing/fill-rate",
            "/api/v1/staffing/hourly-share",
            "/api/v1/staffing/unit-hours",
        ] {
            assert_eq!(app.get_json("employer", path).await.0, 403, "{path}");
        }
        assert_eq!(
            app.get_json("analyst", "/api/v1/staffing/pools").await.0,
            403
        );
        assert_eq!(
            app.get_json("analyst", &format!("/api/v1/staffing/pools/{pool}/staff"))
                .await
                .0,
            403
        );
        assert_eq!(
            app.get_json("analyst", "/api/v1/staffing/fill-rate")
                .await
                .0,
            200
        );
        request(
            &app,
            "partner",
            pool,
            app.org_a,
            ("2026-03-02", "07:00", "15:00"),
            1,
        )
        .await
        .must(404);
        request(
            &app,
            "employer",
            pool,
            app.org_a,
            ("2026-03-02", "07:00", "15:00"),
            1,
        )
        .await
        .must(403);
        let req = request_id(&app, pool, app.org_a, "2026-03-02", "07:00", "15:00", 1).await;
        let (s, list) = app
            .get_json(
                "partner",
                &format!("/api/v1/staffing/pools/{pool}/requests"),
            )
            .await;
        assert_eq!(
            (s, list.as_array().unwrap().len()),
            (200, 0),
            "another unit's requests are not listed"
        );
        assert_eq!(
            app.get_json("partner", &format!("/api/v1/staffing/requests/{req}"))
                .await
                .0,
            404
        );
        app.post(
            "partner",
            &format!("/api/v1/staffing/requests/{req}/assignments"),
            json!({ "staff_ids": [sid] }),
        )
        .await
        .must(403);
        assert_eq!(
            app.get_json("coordinator", "/api/v1/staffing/pools/999999")
                .await
                .0,
            404
        );

        // Every read is audited; a read that showed the participant names them.
        assign(&app, req, &[sid]).await.must(201);
        let events = app
            .get("admin", &format!("/api/v1/audit?participant={p}"))
            .await
            .must(200)
            .json;
        let actions: Vec<&str> = events
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["action"].as_str().unwrap())
            .collect();
        for a in [
            "staffing.staff.create",
            "staffing.staff.list",
            "staffing.training.create",
            "staffing.assignment.create",
        ] {
            assert!(actions.contains(&a), "{a} in {actions:?}");
        }

        // A unit's own staff (partner role, organisation = unit B) order for
        // their unit only, see its fill state without names, report its hours.
        let mut app = app;
        let unit_user = app
            .store
            .create_user(
                "unit_b",
                "Enhetschef B",
                common::PASSWORD,
                vagar_domain::Role::Partner,
                app.org_b,
            )
            .await
            .expect("unit user");
        assert!(unit_user.id > 0);
        let token = app
            .store
            .create_token("unit_b", "test")
            .await
            .expect("token");
        app.tokens.insert("unit_b".into(), token);
        let own = request(
            &app,
            "unit_b",
            pool,
            app.org_b,
            ("2026-03-02", "07:00", "15:00"),
            1,
        )
        .await
        .must(201)
        .id();
        request(
            &app,
            "unit_b",
            pool,
            app.org_a,
            ("2026-03-02", "07:00", "15:00"),
            1,
        )
        .await
        .must_as(404, "another unit");
        assign(&app, own, &[sid])
            .await
            .must_as(409, "Greta already works that shift");
        let list = app
            .get("unit_b", &format!("/api/v1/staffing/pools/{pool}/requests"))
            .await
            .must(200)
            .json;
        let ids: Vec<i64> = list
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r["id"].as_i64().unwrap())
            .collect();
        assert_eq!(ids, vec![own]);
        assert_eq!(
            app.get_json("unit_b", &format!("/api/v1/staffing/requests/{req}"))
                .await
                .0,
            404
        );
        let (s, j) = app
            .get_json("coordinator", &format!("/api/v1/staffing/requests/{req}"))
            .await;
        assert_eq!((s, j["assigned"].as_i64()), (200, Some(1)));
        app.put(
            "unit_b",
            "/api/v1/staffing/unit-hours",
            json!({ "unit_id": app.org_b, "month": "2026-03", "total_minutes": 600,
                "hourly_minutes": 60 }),
        )
        .await
        .must(200);
        app.put(
            "unit_b",
            "/api/v1/staffing/unit-hours",
            json!({ "unit_id": app.org_a, "month": "2026-03", "total_minutes": 600,
                "hourly_minutes": 60 }),
        )
        .await
        .must(404);
        assert_eq!(
            app.get_json("unit_b", "/api/v1/staffing/fill-rate").await.0,
            403
        );
        assert_eq!(
            app.get_json("unit_b", &format!("/api/v1/staffing/pools/{pool}/staff"))
                .await
                .0,
            403
        );
        let r = app
            .call(
                "unit_b",
                Method::POST,
                &format!("/api/v1/staffing/requests/{own}/cancel"),
                None,
            )
            .await;
        assert_eq!(
            (r.status, r.json["fill_state"].as_str()),
            (200, Some("cancelled"))
        );

        // Taking a person off: a unit's staff may not; the coordinator may.
        let aid = j["assignments"][0]["id"].as_i64().unwrap();
        let path = format!("/api/v1/staffing/assignments/{aid}");
        app.delete("partner", &path).await.must(403);
        app.delete("coordinator", &path).await.must(204);
        assert!(assigned(&app, req).await.is_empty());
        app.delete("coordinator", &path).await.must(404);
    }
);
