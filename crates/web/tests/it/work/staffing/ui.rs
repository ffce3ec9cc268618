//! The staffing pages as a browser-less user sees them: the board with its
//! fill state, a conflicting assignment shown inline with nothing written,
//! the order form's inline errors, the pool page, and the statistics page
//! with the hourly-share chart and its table.

use crate::common::form::{page, send_form};
use crate::common::{self, hidden_csrf, TestApp};
use serde_json::json;

both_engines!(
    the_board_shows_fill_state_and_refuses_a_double_booking_inline,
    |app: TestApp| async move {
        app.load_taxonomy().await;
        let pool = app
            .post(
                "coordinator",
                "/api/v1/staffing/pools",
                json!({ "name": "Poolen", "organisation_id": app.org_a,
                        "hourly_price_ore": 30000 }),
            )
            .await
            .id();
        let mut staff = vec![];
        for name in ["Anna Andersson", "Bo Berg"] {
            let r = app
                .post(
                    "coordinator",
                    &format!("/api/v1/staffing/pools/{pool}/staff"),
                    json!({ "name": name, "employment_form": "hourly", "occupation": "5321",
                                "hourly_wage_ore": 17000, "active_from": "2026-01-01" }),
                )
                .await
                .must(201);
            staff.push(r.id());
        }
        let mut reqs = vec![];
        for (date, start, end) in [
            ("2026-03-02", "22:00", "06:00"),
            ("2026-03-03", "05:00", "13:00"),
        ] {
            let r = app
                .post(
                    "coordinator",
                    &format!("/api/v1/staffing/pools/{pool}/requests"),
                    json!({ "unit_id": app.org_a, "work_date": date, "start_time": start,
                    "end_time": end,
                                "occupation": "5321", "staff_count": 1 }),
                )
                .await;
            reqs.push(r.id());
        }
        let c = app.login("coordinator").await;
        let (s, html) = page(
            &c,
            &app,
            &format!("/bemanning?pool={pool}&datum=2026-03-02"),
        )
        .await;
        assert_eq!(s, 200);
        assert!(
            html.contains("22:00–06:00") && html.contains("nattpass"),
            "{html}"
        );
        assert!(html.contains("Ej tillsatt") && html.contains("0 av 1 tillsatta"));
        let csrf = hidden_csrf(&html);
        let (anna, bo) = (staff[0].to_string(), staff[1].to_string());
        let (s, loc, _) = send_form(
            &c,
            &app,
            &format!("/bemanning/bestallningar/{}/tilldela", reqs[0]),
            &[
                ("csrf", &csrf),
                ("pool", &pool.to_string()),
                ("datum", "2026-03-02"),
                ("vy", "dag"),
                ("staff_id", &anna),
            ],
        )
        .await;
        assert_eq!(
            (s, loc.as_str()),
            (
                303,
                format!("/bemanning?pool={pool}&datum=2026-03-02").as_str()
            )
        );
        let (_, html) = page(
            &c,
            &app,
            &format!("/bemanning?pool={pool}&datum=2026-03-02"),
        )
        .await;
        assert!(
            html.contains("1 av 1 tillsatta") && html.contains("Anna Andersson"),
            "{html}"
        );

        // Hours worked, reported afterwards on the board (decimal comma).
        let j = app
            .get(
                "coordinator",
                &format!("/api/v1/staffing/requests/{}", reqs[0]),
            )
            .await
            .json;
        let aid = j["assignments"][0]["id"].as_i64().unwrap();
        let worked = format!("/bemanning/tilldelningar/{aid}/arbetat");
        let night = reqs[0].to_string();
        let (s, _, html) = send_form(
            &c,
            &app,
            &worked,
            &[
                ("csrf", &csrf),
                ("pool", &pool.to_string()),
                ("datum", "2026-03-02"),
                ("request_id", &night),
                ("hours", "13"),
            ],
        )
        .await;
        assert_eq!(s, 422);
        assert!(html.contains("Ange arbetade timmar"), "{html}");
        let (s, _, _) = send_form(
            &c,
            &app,
            &worked,
            &[
                ("csrf", &csrf),
                ("pool", &pool.to_string()),
                ("datum", "2026-03-02"),
                ("request_id", &night),
                ("hours", "7,5"),
            ],
        )
        .await;
        assert_eq!(s, 303);
        let j = app
            .get(
                "coordinator",
                &format!("/api/v1/staffing/requests/{}", reqs[0]),
            )
            .await
            .json;
        assert_eq!(j["assignments"][0]["worked_minutes"], 450);
        let (_, html) = page(
            &c,
            &app,
            &format!("/bemanning?pool={pool}&datum=2026-03-02"),
        )
        .await;
        assert!(html.contains("value=\"7.5\""), "{html}");

        // Anna again on the overlapping morning: refused inline, nothing written.
        let (s, _, html) = send_form(
            &c,
            &app,
            &format!("/bemanning/bestallningar/{}/tilldela", reqs[1]),
            &[
                ("csrf", &csrf),
                ("pool", &pool.to_string()),
                ("datum", "2026-03-03"),
                ("vy", "dag"),
                ("staff_id", &anna),
            ],
        )
        .await;
        assert_eq!(s, 409);
        assert!(
            html.contains(&format!("id=\"conflicts-{}\"", reqs[1])),
            "{html}"
        );
        assert!(
            html.contains(
                "Anna Andersson: dubbelbokning – har redan passet 2026-03-02 22:00–06:00"
            ),
            "{html}"
        );
        assert!(html.contains("aria-invalid=\"true\""));
        let j = app
            .get(
                "coordinator",
                &format!("/api/v1/staffing/requests/{}", reqs[1]),
            )
            .await
            .json;
        assert_eq!(j["assigned"], 0);
        // Bo may take it; the week view shows both requests filled.
        let (s, _, _) = send_form(
            &c,
            &app,
            &format!("/bemanning/bestallningar/{}/tilldela", reqs[1]),
            &[
                ("csrf", &csrf),
                ("pool", &pool.to_string()),
                ("datum", "2026-03-03"),
                ("staff_id", &bo),
            ],
        )
        .await;
        assert_eq!(s, 303);
        let (_, html) = page(
            &c,
            &app,
            &format!("/bemanning?pool={pool}&datum=2026-03-04&vy=vecka"),
        )
        .await;
        assert_eq!(
            html.matches("class=\"staff-card\" data-state=\"filled\"")
                .count(),
            2,
            "{html}"
        );
        assert!(
            html.contains("2 av 2 platser tillsatta under perioden"),
            "{html}"
        );

        // The order form: inline errors with a summary, values kept; then a valid order.
        let (s, _, html) = send_form(
            &c,
            &app,
            "/bemanning/bestallningar",
            &[
                ("csrf", &csrf),
                ("pool", &pool.to_string()),
                ("unit_id", &app.org_b.to_string()),
                ("work_date", "2026-03-05"),
                ("start_time", "25:00"),
                ("end_time", "15:00"),
                ("occupation", "5321"),
                ("staff_count", "0"),
                ("note", "Avd 3"),
            ],
        )
        .await;
        assert_eq!(s, 422);
        assert!(
            html.contains("id=\"error-summary\"")
                && html.contains("href=\"#start_time\"")
                && html.contains("href=\"#staff_count\""),
            "{html}"
        );
        assert!(html.contains("value=\"Avd 3\""), "values kept");
        let (s, loc, _) = send_form(
            &c,
            &app,
            "/bemanning/bestallningar",
            &[
                ("csrf", &csrf),
                ("pool", &pool.to_string()),
                ("unit_id", &app.org_b.to_string()),
                ("work_date", "2026-03-05"),
                ("start_time", "07:00"),
                ("end_time", "15:00"),
                ("occupation", "5321"),
                ("staff_count", "2"),
            ],
        )
        .await;
        assert_eq!(
            (s, loc.as_str()),
            (
                303,
                format!("/bemanning?pool={pool}&datum=2026-03-05").as_str()
            )
        );
        let list = app
            .get(
                "coordinator",
                &format!("/api/v1/staffing/pools/{pool}/requests?from=2026-03-05"),
            )
            .await
            .json;
        assert_eq!(list[0]["unit_id"], app.org_b);

        // The pool page lists the staff.
        let (s, html) = page(&c, &app, &format!("/bemanning/pool/{pool}")).await;
        assert_eq!(s, 200);
        assert!(
            html.contains("Bo Berg") && html.contains("<th scope=\"col\">"),
            "{html}"
        );

        // Staff and training added on the pool page; errors inline, values kept.
        let pool_path = format!("/bemanning/pool/{pool}");
        let (s, _, html) = send_form(
            &c,
            &app,
            &format!("{pool_path}/personal"),
            &[
                ("csrf", &csrf),
                ("name", "Cecilia Ceder"),
                ("employment_form", "hourly"),
                ("occupation", "53"),
                ("hourly_wage", "abc"),
                ("active_from", "2026-01-01"),
            ],
        )
        .await;
        assert_eq!(s, 422);
        assert!(
            html.contains("href=\"#s-occupation\"") && html.contains("href=\"#s-hourly_wage_ore\""),
            "{html}"
        );
        assert!(html.contains("value=\"Cecilia Ceder\""), "values kept");
        let (s, loc, _) = send_form(
            &c,
            &app,
            &format!("{pool_path}/personal"),
            &[
                ("csrf", &csrf),
                ("name", "Cecilia Ceder"),
                ("employment_form", "hourly"),
                ("occupation", "5321"),
                ("hourly_wage", "178,50"),
                ("active_from", "2026-01-01"),
            ],
        )
        .await;
        assert_eq!((s, loc.as_str()), (303, pool_path.as_str()));
        let list = app
            .get(
                "coordinator",
                &format!("/api/v1/staffing/pools/{pool}/staff"),
            )
            .await
            .json;
        let cecilia = list
            .as_array()
            .unwrap()
            .iter()
            .find(|s| s["label"] == "Cecilia Ceder")
            .expect("added");
        assert_eq!(
            (
                cecilia["hourly_wage_ore"].as_i64(),
                cecilia["employment_form"].as_str()
            ),
            (Some(17850), Some("hourly"))
        );
        let (s, _, html) = send_form(
            &c,
            &app,
            &format!("{pool_path}/utbildning"),
            &[
                ("csrf", &csrf),
                ("staff_id", &bo),
                ("course", "Undersköterska"),
                ("occupation", "5321"),
                ("credits_total", "1500"),
                ("credits_done", "1600"),
                ("started_on", "2026-01-10"),
            ],
        )
        .await;
        assert_eq!(s, 422);
        assert!(html.contains("href=\"#t-credits_done\""), "{html}");
        let (s, _, _) = send_form(
            &c,
            &app,
            &format!("{pool_path}/utbildning"),
            &[
                ("csrf", &csrf),
                ("staff_id", &bo),
                ("course", "Undersköterska"),
                ("occupation", "5321"),
                ("credits_total", "1500"),
                ("credits_done", "400"),
                ("started_on", "2026-01-10"),
            ],
        )
        .await;
        assert_eq!(s, 303);
        let (_, html) = page(&c, &app, &pool_path).await;
        assert!(
            html.contains("400/1500") && html.contains("<progress"),
            "{html}"
        );

        // The employer role may not see the board.
        let e = app.login("employer").await;
        assert_eq!(page(&e, &app, "/bemanning").await.0, 403);
    }
);

both_engines!(
    the_statistics_page_draws_the_hourly_share_with_its_table,
    |app: TestApp| async move {
        let c = app.login("coordinator").await;
        let (s, html) = page(&c, &app, "/bemanning/statistik").await;
        assert_eq!(s, 200);
        assert!(html.contains("id=\"share-none\""));
        let csrf = hidden_csrf(&html);
        let unit = app.org_a.to_string();
        for (month, total, hourly) in [
            ("2026-01", "1000", "400"),
            ("2026-02", "1000", "300"),
            ("2026-03", "1000,5", "200"),
        ] {
            let (s, loc, _) = send_form(
                &c,
                &app,
                "/bemanning/timmar",
                &[
                    ("csrf", &csrf),
                    ("unit_id", &unit),
                    ("month", month),
                    ("total_hours", total),
                    ("hourly_hours", hourly),
                ],
            )
            .await;
            assert_eq!(
                (s, loc.as_str()),
                (303, "/bemanning/statistik?enhet=sparad")
            );
        }
        let (s, _, html) = send_form(
            &c,
            &app,
            "/bemanning/timmar",
            &[
                ("csrf", &csrf),
                ("unit_id", &unit),
                ("month", "2026-04"),
                ("total_hours", "10"),
                ("hourly_hours", "20"),
            ],
        )
        .await;
        assert_eq!(s, 422);
        assert!(
            html.contains("href=\"#hourly_minutes\"") && html.contains("value=\"20\""),
            "{html}"
        );
        let analyst = app.login("analyst").await;
        let (s, html) = page(&analyst, &app, "/bemanning/statistik").await;
        assert_eq!(s, 200);
        assert!(
            html.contains("<svg") && html.contains("<polyline"),
            "{html}"
        );
        // The table beside the chart: 40.0 %, 30.0 %, 200/1000.5 = 20.0 %.
        for cell in [
            "<td>40.0 %</td>",
            "<td>30.0 %</td>",
            "<td>20.0 %</td>",
            "<td>1000.5</td>",
        ] {
            assert!(html.contains(cell), "{cell} in {html}");
        }
        assert!(
            !html.contains("action=\"/bemanning/timmar\""),
            "analysts do not report hours"
        );
        // In English too.
        let res = analyst
            .get(app.url("/sprak/en?tillbaka=/bemanning/statistik"))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status().as_u16(), 303);
        let (s, html) = page(&analyst, &app, "/bemanning/statistik").await;
        assert_eq!(s, 200);
        assert!(
            html.contains("Share of hours worked by hourly employees")
                && html.contains("<td>40.0 %</td>"),
            "{html}"
        );
        assert!(html.contains("Fill rate per pool and month"), "{html}");
        assert!(!html.contains(">staff-"), "every text translated: {html}");
        let j = app
            .get("analyst", "/api/v1/staffing/hourly-share")
            .await
            .json;
        assert_eq!(j.as_array().unwrap().len(), 3);
        assert_eq!(j[2]["total_minutes"], 60_030);
    }
);

both_engines!(
    a_pool_is_created_on_the_board_after_an_inline_refusal,
    |app: TestApp| async move {
        let staffing =
            crate::common::work::insert_intervention(&app, "Bemanningsmodellen", "staffing").await;
        let other = crate::common::work::insert_intervention(&app, "Hyrmodellen", "rental").await;
        let c = app.login("coordinator").await;
        let (s, html) = page(&c, &app, "/bemanning").await;
        assert_eq!(s, 200);
        assert!(
            html.contains("Ny bemanningspool") && html.contains("action=\"/bemanning/pooler\""),
            "{html}"
        );
        // Only the staffing model's interventions are offered.
        assert!(html.contains(&format!(
            "<option value=\"{staffing}\">Bemanningsmodellen</option>"
        )));
        assert!(!html.contains(&format!("<option value=\"{other}\">Hyrmodellen")));
        let csrf = hidden_csrf(&html);
        let org = app.org_a.to_string();
        let intervention = staffing.to_string();

        // A blank name and a negative price: refused inline, values kept, nothing written.
        let (s, _, html) = send_form(
            &c,
            &app,
            "/bemanning/pooler",
            &[
                ("csrf", &csrf),
                ("name", ""),
                ("organisation_id", &org),
                ("intervention_id", &intervention),
                ("hourly_price", "-5"),
                ("week_cap", "35,5"),
            ],
        )
        .await;
        assert_eq!(s, 422);
        assert!(
            html.contains("id=\"pool-error-summary\"")
                && html.contains("href=\"#p-name\"")
                && html.contains("href=\"#p-hourly_price_ore\"")
                && html.contains("Ange priset i kronor, 0 eller mer"),
            "{html}"
        );
        assert!(html.contains("value=\"35,5\""), "values kept");
        assert!(
            html.contains(&format!(
                "<option value=\"{staffing}\" selected>Bemanningsmodellen"
            )),
            "choice kept"
        );
        let pools = app.get("coordinator", "/api/v1/staffing/pools").await.json;
        assert_eq!(pools.as_array().map(|a| a.len()), Some(0), "{pools}");

        // Valid: the new pool's page.
        let (s, loc, _) = send_form(
            &c,
            &app,
            "/bemanning/pooler",
            &[
                ("csrf", &csrf),
                ("name", "Södra poolen"),
                ("organisation_id", &org),
                ("intervention_id", &intervention),
                ("hourly_price", "325,50"),
                ("week_cap", "35,5"),
            ],
        )
        .await;
        assert_eq!(s, 303);
        assert!(loc.starts_with("/bemanning/pool/"), "{loc}");
        let (s, html) = page(&c, &app, &loc).await;
        assert_eq!(s, 200);
        assert!(
            html.contains("Södra poolen") && html.contains("325.50 kr") && html.contains("35.5 h"),
            "{html}"
        );
        let pools = app.get("coordinator", "/api/v1/staffing/pools").await.json;
        let p = &pools[0];
        assert_eq!(
            (
                p["organisation_id"].as_i64(),
                p["intervention_id"].as_i64(),
                p["hourly_price_ore"].as_i64(),
                p["hourly_week_cap_minutes"].as_i64()
            ),
            (Some(app.org_a), Some(staffing), Some(32_550), Some(2_130))
        );

        // Admins see the board but may not manage pools: no form.
        let admin = app.login("admin").await;
        let (s, html) = page(&admin, &app, "/bemanning").await;
        assert_eq!(s, 200);
        assert!(!html.contains("action=\"/bemanning/pooler\""));
    }
);
