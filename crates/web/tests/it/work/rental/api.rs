//! The rental model through the API: contracts and assignments, weekly
//! timesheets refused for days outside the placement (nothing written),
//! the host's minimal view and decision, invoices refused for unapproved
//! weeks, and the invoice total and the monthly economic result checked
//! against an independent computation from the rows the test created.
//! Arrange uses the SQL fixtures for the intervention, hosts and
//! placements (the interventions part owns their API); everything else is HTTP.

use crate::common::work::{insert_host, insert_intervention, insert_placement};
use crate::common::{self, Reply, TestApp};
use reqwest::Method;
use serde_json::{json, Value};

/// Amount in öre of `minutes` at `rate` öre an hour, half up (the
/// documented rule, written again here on purpose).
fn expected_amount(minutes: i64, rate: i64) -> i64 {
    (2 * minutes * rate + 60) / 120
}

/// Wage cost in öre: minutes × wage × (1000 + fee‰) / 60 000, half up.
fn expected_wage(minutes: i64, wage: i64, fee: i64) -> i64 {
    (2 * minutes * wage * (1000 + fee) + 60_000) / 120_000
}

/// The seller's organisation number: the coordinator's organisation sells
/// (the fixture intervention names no lead organisation), given one here.
pub const SELLER_ORG: &str = "2120001231";

pub async fn seller(app: &TestApp) {
    vagar_store::sqlx::query(
        "UPDATE organisations SET org_number = $1 WHERE id = \
         (SELECT organisation_id FROM users WHERE username = 'coordinator')",
    )
    .bind(SELLER_ORG)
    .execute(app.store.pool())
    .await
    .expect("seller's organisation number");
}

/// VAT at 25 % on the net total, to whole öre, halves away from zero (the
/// documented rule, written again here).
fn expected_vat(net: i64) -> i64 {
    let twice = 2 * net.abs() * 25;
    net.signum() * ((twice + 100) / 200)
}

/// The sequence number of `2026-000123`: (2026, 123).
fn seq(number: &Value) -> (i64, i64) {
    let s = number.as_str().unwrap();
    let (y, n) = s.split_once('-').expect("YYYY-NNNNNN");
    assert_eq!(n.len(), 6, "{s}");
    (y.parse().unwrap(), n.parse().unwrap())
}

pub struct Setup {
    pub intervention: i64,
    pub participant: i64,
    pub contract: i64,
    pub placement: i64,
    pub host: (i64, i64),
}

pub async fn participant(app: &TestApp, i: u32, first: &str, last: &str) -> i64 {
    app.register("cw_a", i, first, last).await
}

pub async fn contract(
    app: &TestApp,
    participant: i64,
    intervention: i64,
    wage: i64,
    fee: i64,
) -> i64 {
    let r = app
        .post(
            "coordinator",
            "/api/v1/rental/contracts",
            json!({
                "participant_id": participant, "intervention_id": intervention,
                "period_from": "2026-01-01", "period_to": "2026-12-31",
                "hours_per_week_minutes": 2400, "hourly_wage_ore": wage,
                    "employer_fee_permille": fee
            }),
        )
        .await
        .must(201);
    r.id()
}

pub async fn assign(app: &TestApp, placement: i64, contract: i64, rate: i64) {
    app.post(
        "coordinator",
        "/api/v1/rental/assignments",
        json!({"placement_id": placement, "contract_id": contract, "hourly_rate_ore": rate}),
    )
    .await
    .must(201);
}

/// A rental intervention, a host linked to the `employer` user, one
/// participant employed for 2026 and placed 2026-03-02 – 2026-04-30.
pub async fn setup(app: &TestApp, org_number: &str, rate: i64) -> Setup {
    seller(app).await;
    let intervention = insert_intervention(app, "Unga i jobb", "rental").await;
    let host = insert_host(app, org_number, "Värdbolaget", true).await;
    let participant = participant(app, 1, "Amina", "Hyrén").await;
    let contract = contract(app, participant, intervention, 13_000, 314).await;
    let placement = insert_placement(
        app,
        participant,
        intervention,
        host,
        "2026-03-02",
        "2026-04-30",
        "municipality",
    )
    .await;
    assign(app, placement, contract, rate).await;
    Setup {
        intervention,
        participant,
        contract,
        placement,
        host,
    }
}

pub async fn week(app: &TestApp, placement: i64, monday: &str, minutes: [i64; 7]) -> Reply {
    app.post(
        "coordinator",
        "/api/v1/rental/timesheets",
        json!({"placement_id": placement, "week_start": monday, "minutes": minutes}),
    )
    .await
}

pub async fn submitted(app: &TestApp, placement: i64, monday: &str, minutes: [i64; 7]) -> i64 {
    let r = week(app, placement, monday, minutes).await.must(201);
    r.id()
}

pub async fn approve(app: &TestApp, id: i64) {
    let r = app
        .post(
            "employer",
            &format!("/api/v1/rental/timesheets/{id}/approve"),
            json!({}),
        )
        .await
        .must(200);
    assert_eq!(r.json["status"], "approved");
}

async fn timesheet_count(app: &TestApp, placement: i64) -> usize {
    let j = app
        .get(
            "coordinator",
            &format!("/api/v1/rental/timesheets?placement_id={placement}"),
        )
        .await
        .must(200)
        .json;
    j.as_array().unwrap().len()
}

both_engines!(
    assignments_check_the_contract_and_the_model,
    |app: TestApp| async move {
        let s = setup(&app, "2120001355", 18_000).await;
        // Another participant's contract for the same placement: refused.
        let other = participant(&app, 2, "Bo", "Annan").await;
        let other_contract = contract(&app, other, s.intervention, 13_000, 314).await;
        let staffing = insert_intervention(&app, "Bemanning", "staffing").await;
        let p2 = insert_placement(
            &app,
            s.participant,
            staffing,
            s.host,
            "2026-03-02",
            "2026-04-30",
            "municipality",
        )
        .await;
        let r = app
            .post(
                "coordinator",
                "/api/v1/rental/assignments",
                json!({"placement_id": p2, "contract_id": other_contract, "hourly_rate_ore": 100}),
            )
            .await;
        r.assert_problem(422, &["placement_id", "contract_id"]);
        assert_eq!(
            r.error_code("contract_id").as_deref(),
            Some("other_participant")
        );
        // A contract for a non-rental intervention is refused.
        app.post(
            "coordinator",
            "/api/v1/rental/contracts",
            json!({"participant_id": s.participant, "intervention_id": staffing,
                    "period_from": "2026-01-01", "period_to": "2025-12-31",
                    "hours_per_week_minutes": 2400, "hourly_wage_ore": 13000,
                        "employer_fee_permille": 314}),
        )
        .await
        .assert_problem(422, &["period_to"]);
        // A second contract overlapping the first: refused.
        let r = app
            .post(
                "coordinator",
                "/api/v1/rental/contracts",
                json!({"participant_id": s.participant, "intervention_id": s.intervention,
                    "period_from": "2026-06-01", "period_to": "2027-05-31",
                    "hours_per_week_minutes": 2400, "hourly_wage_ore": 13000,
                        "employer_fee_permille": 314}),
            )
            .await;
        r.assert_problem(422, &["period_from"]);
        assert_eq!(r.error_code("period_from").as_deref(), Some("overlaps"));
        // The placement is already an assignment.
        app.post(
            "coordinator",
            "/api/v1/rental/assignments",
            json!({"placement_id": s.placement, "contract_id": s.contract, "hourly_rate_ore": 100}),
        )
        .await
        .assert_problem(409, &["placement_id"]);
        // Roles that may not: 403.
        for user in ["cw_a", "partner", "analyst", "employer"] {
            app.get(
                user,
                &format!(
                    "/api/v1/rental/contracts?intervention_id={}",
                    s.intervention
                ),
            )
            .await
            .must_as(403, user);
        }
        let list = app
            .get(
                "admin",
                &format!(
                    "/api/v1/rental/assignments?intervention_id={}",
                    s.intervention
                ),
            )
            .await
            .must(200)
            .json;
        assert_eq!(list.as_array().unwrap().len(), 1);
        assert_eq!(list[0]["hourly_rate_ore"], 18_000);
        // A non-rental intervention's lists: 404.
        app.get(
            "coordinator",
            &format!("/api/v1/rental/contracts?intervention_id={staffing}"),
        )
        .await
        .must(404);
    }
);

both_engines!(
    timesheets_outside_the_placement_are_refused_naming_the_day,
    |app: TestApp| async move {
        let s = setup(&app, "2120001355", 18_000).await;
        // Week of Monday 2026-02-23: Monday–Friday before the placement starts.
        let r = week(&app, s.placement, "2026-02-23", [480, 480, 0, 0, 0, 0, 0]).await;
        r.assert_problem(422, &["minutes[0]", "minutes[1]"]);
        assert_eq!(
            r.error_code("minutes[0]").as_deref(),
            Some("outside_placement")
        );
        assert!(r.text.contains("Monday 2026-02-23"), "{}", r.text);
        assert!(r.text.contains("Tuesday 2026-02-24"), "{}", r.text);
        // The last week: Friday 2026-05-01 is after the end.
        let r = week(
            &app,
            s.placement,
            "2026-04-27",
            [480, 480, 480, 480, 480, 0, 0],
        )
        .await;
        r.assert_problem(422, &["minutes[4]"]);
        assert!(r.text.contains("Friday 2026-05-01"), "{}", r.text);
        // Over 24 hours, negative, not a Monday.
        let r = week(&app, s.placement, "2026-03-02", [1441, -5, 0, 0, 0, 0, 0]).await;
        r.assert_problem(422, &["minutes[0]", "minutes[1]"]);
        assert_eq!(r.error_code("minutes[0]").as_deref(), Some("over_24_hours"));
        assert_eq!(r.error_code("minutes[1]").as_deref(), Some("negative"));
        week(&app, s.placement, "2026-03-03", [60, 0, 0, 0, 0, 0, 0])
            .await
            .assert_problem(422, &["week_start"]);
        app.post(
            "coordinator",
            "/api/v1/rental/timesheets",
            json!({"placement_id": s.placement, "week_start": "2026-03-02", "minutes": [60, 0, 0]}),
        )
        .await
        .assert_problem(422, &["minutes"]);
        // Nothing of any of it was written.
        assert_eq!(timesheet_count(&app, s.placement).await, 0);

        // A good week, rejected by the host, entered again: replaced.
        let id = submitted(
            &app,
            s.placement,
            "2026-04-27",
            [480, 480, 480, 480, 0, 0, 0],
        )
        .await;
        app.post(
            "employer",
            &format!("/api/v1/rental/timesheets/{id}/reject"),
            json!({}),
        )
        .await
        .assert_problem(422, &["reason"]);
        let r = app
            .post(
                "employer",
                &format!("/api/v1/rental/timesheets/{id}/reject"),
                json!({"reason": "Torsdagen var ledig"}),
            )
            .await
            .must(200);
        assert_eq!(r.json["status"], "rejected");
        let again = submitted(&app, s.placement, "2026-04-27", [480, 480, 480, 0, 0, 0, 0]).await;
        assert_eq!(again, id, "the rejected week is replaced, not duplicated");
        let t = app
            .get("coordinator", &format!("/api/v1/rental/timesheets/{id}"))
            .await
            .json;
        assert_eq!(t["status"], "submitted");
        assert_eq!(t["total_minutes"], 1440);
        assert_eq!(t["days"][3]["minutes"], 0);
        assert_eq!(t["decision_note"], Value::Null);
        approve(&app, id).await;
        // An approved week is final: 409, and it is unchanged.
        week(&app, s.placement, "2026-04-27", [60, 0, 0, 0, 0, 0, 0])
            .await
            .assert_problem(409, &["week_start"]);
        let t = app
            .get("coordinator", &format!("/api/v1/rental/timesheets/{id}"))
            .await
            .json;
        assert_eq!(t["total_minutes"], 1440);
        assert_eq!(t["status"], "approved");
        // Deciding it twice: 409.
        app.post(
            "employer",
            &format!("/api/v1/rental/timesheets/{id}/approve"),
            json!({}),
        )
        .await
        .assert_problem(409, &["status"]);
        // The audit names the participant for the entry and the decision.
        let audit = app.get("admin", "/api/v1/audit?limit=1000").await.json;
        let events = audit.as_array().cloned().unwrap_or_default();
        let approved = events
            .iter()
            .find(|e| e["action"] == "rental.timesheet.approved")
            .unwrap_or_else(|| panic!("no approval event in {audit}"));
        assert_eq!(approved["participant_ids"], json!([s.participant]));
        assert!(approved["detail"]
            .as_str()
            .unwrap()
            .contains(&format!("placement {}", s.placement)));
    }
);

both_engines!(
    a_host_sees_only_its_own_placed_participants_with_minimal_fields,
    |app: TestApp| async move {
        let s = setup(&app, "2120001355", 18_000).await;
        let other_host = insert_host(&app, "5566778899", "Annan AB", false).await;
        let p2 = participant(&app, 3, "Cecilia", "Annansson").await;
        let c2 = contract(&app, p2, s.intervention, 13_000, 314).await;
        let pl2 = insert_placement(
            &app,
            p2,
            s.intervention,
            other_host,
            "2026-03-02",
            "2026-04-30",
            "municipality",
        )
        .await;
        assign(&app, pl2, c2, 20_000).await;
        let own = submitted(
            &app,
            s.placement,
            "2026-03-09",
            [480, 480, 480, 480, 480, 0, 0],
        )
        .await;
        let foreign = submitted(&app, pl2, "2026-03-09", [480, 0, 0, 0, 0, 0, 0]).await;

        let list = app
            .get("employer", "/api/v1/rental/timesheets?status=submitted")
            .await
            .must(200)
            .json;
        let list = list.as_array().unwrap();
        assert_eq!(list.len(), 1, "{list:?}");
        let t = &list[0];
        assert_eq!(t["id"], own);
        assert_eq!(t["first_name"], "Amina");
        assert_eq!(t["role_title"], "Vårdbiträde");
        assert!(
            t.get("participant_id").is_none() && t.get("last_name").is_none(),
            "{t}"
        );
        let text = t.to_string();
        assert!(
            !text.contains("Hyrén") && !text.contains(&common::pnr(1)[..8]),
            "{text}"
        );
        // Another host's week: 404 to read or decide; coordinators see both.
        app.get("employer", &format!("/api/v1/rental/timesheets/{foreign}"))
            .await
            .must(404);
        app.post(
            "employer",
            &format!("/api/v1/rental/timesheets/{foreign}/approve"),
            json!({}),
        )
        .await
        .must(404);
        let all = app
            .get("coordinator", "/api/v1/rental/timesheets")
            .await
            .json;
        assert_eq!(all.as_array().unwrap().len(), 2);
        assert!(all[0]["participant_id"].is_i64());
        // Coordinators and caseworkers do not approve: 403.
        for user in ["coordinator", "cw_a", "admin"] {
            app.post(
                user,
                &format!("/api/v1/rental/timesheets/{own}/approve"),
                json!({}),
            )
            .await
            .must_as(403, user);
        }
        // The host may not enter weeks or read the economy.
        week(&app, s.placement, "2026-03-16", [60, 0, 0, 0, 0, 0, 0])
            .await
            .must(201);
        app.post(
            "employer",
            "/api/v1/rental/timesheets",
            json!({"placement_id": s.placement, "week_start": "2026-03-23",
                    "minutes": [60,0,0,0,0,0,0]}),
        )
        .await
        .must(403);
        app.get(
            "employer",
            &format!(
                "/api/v1/rental/interventions/{}/economic-result",
                s.intervention
            ),
        )
        .await
        .must(403);
    }
);

both_engines!(
    an_invoice_with_an_unapproved_week_is_refused_and_its_total_agrees,
    |app: TestApp| async move {
        // A rate that gives fractions of an öre.
        let rate = 18_001;
        let s = setup(&app, "2120001355", rate).await;
        let weeks: [(&str, [i64; 7]); 4] = [
            ("2026-03-02", [487, 451, 463, 0, 419, 0, 0]),
            ("2026-03-09", [480, 480, 480, 480, 480, 0, 0]),
            ("2026-03-23", [7, 13, 0, 0, 0, 0, 0]),
            // Monday 30 March: two days in March, three in April.
            ("2026-03-30", [455, 461, 443, 439, 433, 0, 0]),
        ];
        let mut ids = vec![];
        for (monday, minutes) in &weeks {
            ids.push(submitted(&app, s.placement, monday, *minutes).await);
        }
        for id in &ids[..3] {
            approve(&app, *id).await;
        }
        // The week of 30 March is only submitted: March is refused, naming it.
        let body =
            json!({"intervention_id": s.intervention, "employer_id": s.host.0, "month": "2026-03"});
        let r = app
            .post("coordinator", "/api/v1/rental/invoices", body.clone())
            .await;
        r.assert_problem(409, &["month"]);
        assert!(r.text.contains("week of 2026-03-30"), "{}", r.text);
        assert!(r.text.contains("submitted"), "{}", r.text);
        let list = app
            .get(
                "coordinator",
                &format!("/api/v1/rental/invoices?intervention_id={}", s.intervention),
            )
            .await
            .json;
        assert_eq!(list, json!([]), "nothing partial is written");

        approve(&app, ids[3]).await;
        let r = app
            .post("coordinator", "/api/v1/rental/invoices", body.clone())
            .await
            .must(201);
        // Independently: per week, the minutes of its days in March, priced half up.
        let mut expected_lines = vec![];
        for (monday, minutes) in &weeks {
            let start = chrono::NaiveDate::parse_from_str(monday, "%Y-%m-%d").unwrap();
            let in_march: i64 = (0..7)
                .filter(|i| {
                    (start + chrono::Duration::days(*i as i64))
                        .format("%m")
                        .to_string()
                        == "03"
                })
                .map(|i| minutes[i])
                .sum();
            if in_march > 0 {
                expected_lines.push((in_march, expected_amount(in_march, rate)));
            }
        }
        let lines = r.json["lines"].as_array().unwrap();
        let got: Vec<(i64, i64)> = lines
            .iter()
            .map(|l| {
                (
                    l["minutes"].as_i64().unwrap(),
                    l["amount_ore"].as_i64().unwrap(),
                )
            })
            .collect();
        assert_eq!(got, expected_lines);
        let total: i64 = expected_lines.iter().map(|l| l.1).sum();
        assert_eq!(r.json["total_ore"], total);
        assert_eq!(
            r.json["total_minutes"],
            expected_lines.iter().map(|l| l.0).sum::<i64>()
        );
        assert_eq!(lines[3]["period_from"], "2026-03-30");
        assert_eq!(lines[3]["period_to"], "2026-03-31");
        let invoice = r.id();
        // The same month again: the same invoice, 200.
        let again = app
            .post("coordinator", "/api/v1/rental/invoices", body.clone())
            .await
            .must(200);
        assert_eq!(again.json["id"], invoice);
        // A week in an invoiced month can no longer be entered.
        week(&app, s.placement, "2026-03-16", [60, 0, 0, 0, 0, 0, 0])
            .await
            .assert_problem(409, &["week_start"]);
        // Exports carry the lines and the total.
        let res = app
            .api(
                "coordinator",
                Method::GET,
                &format!("/api/v1/rental/invoices/{invoice}/invoice.csv"),
            )
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 200);
        assert!(res.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/csv"));
        let csv = res.text().await.unwrap();
        // Header, lines, the net total, then the invoice's 12 own fields
        // (VAT, gross, kind, dates, terms, seller and buyer).
        assert_eq!(
            csv.lines().count(),
            1 + expected_lines.len() + 1 + 12,
            "{csv}"
        );
        let total_line = csv.lines().find(|l| l.contains("TOTAL")).unwrap();
        let gross_line = csv.lines().find(|l| l.contains("GROSS")).unwrap();
        assert!(
            gross_line.ends_with(&(total + expected_vat(total)).to_string()),
            "{gross_line}"
        );
        assert!(csv.contains("SELLER_VAT_NUMBER,SE212000123101"), "{csv}");
        assert!(
            total_line.contains("TOTAL") && total_line.ends_with(&total.to_string()),
            "{total_line}"
        );
        assert!(
            csv.contains(&format!("{}.{:02}", total / 100, total % 100)),
            "{csv}"
        );
        let res = app
            .api(
                "coordinator",
                Method::GET,
                &format!("/api/v1/rental/invoices/{invoice}/invoice.xlsx"),
            )
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 200);
        let bytes = res.bytes().await.unwrap();
        let mut book =
            zip::ZipArchive::new(std::io::Cursor::new(bytes.to_vec())).expect("xlsx is a zip");
        let mut sheet = String::new();
        std::io::Read::read_to_string(
            &mut book.by_name("xl/worksheets/sheet1.xml").expect("one sheet"),
            &mut sheet,
        )
        .unwrap();
        assert!(
            sheet.contains(&format!("<v>{total}</v>")),
            "the total in öre in the sheet: {sheet}"
        );
        // April still waits for nothing: it can be invoiced with the three April days.
        let r = app
            .post(
                "coordinator",
                "/api/v1/rental/invoices",
                json!({"intervention_id": s.intervention, "employer_id": s.host.0,
                    "month": "2026-04"}),
            )
            .await
            .must(201);
        assert_eq!(r.json["total_minutes"], 443 + 439 + 433);
        // Only coordinators invoice.
        app.post("employer", "/api/v1/rental/invoices", body)
            .await
            .must(403);
    }
);

both_engines!(
    a_credit_note_restores_the_balance_once_and_frees_the_weeks,
    |app: TestApp| async move {
        let rate = 18_001;
        let s = setup(&app, "2120001355", rate).await;
        let weeks: [(&str, [i64; 7]); 3] = [
            ("2026-03-02", [487, 451, 463, 0, 419, 0, 0]),
            ("2026-03-09", [480, 480, 480, 480, 481, 0, 0]),
            ("2026-03-16", [7, 13, 0, 0, 0, 0, 0]),
        ];
        for (monday, minutes) in &weeks {
            let id = submitted(&app, s.placement, monday, *minutes).await;
            approve(&app, id).await;
        }
        let body =
            json!({"intervention_id": s.intervention, "employer_id": s.host.0, "month": "2026-03"});
        let inv = app
            .post("coordinator", "/api/v1/rental/invoices", body.clone())
            .await
            .must(201)
            .json;
        // Independently: the lines, their sum, 25 % VAT rounded, the gross.
        let net: i64 = weeks
            .iter()
            .map(|(_, m)| expected_amount(m.iter().sum(), rate))
            .sum();
        let vat = expected_vat(net);
        assert_eq!(inv["kind"], "invoice");
        assert_eq!(inv["vat_rate_permille"], 250);
        assert_eq!(inv["net_ore"], net);
        assert_eq!(inv["total_ore"], net);
        assert_eq!(inv["vat_ore"], vat);
        assert_eq!(inv["gross_ore"], net + vat);
        let date =
            |v: &Value| chrono::NaiveDate::parse_from_str(v.as_str().unwrap(), "%Y-%m-%d").unwrap();
        assert_eq!(inv["payment_terms_days"], 30);
        assert_eq!(
            date(&inv["due_date"]),
            date(&inv["invoice_date"]) + chrono::Duration::days(30)
        );
        assert_eq!(inv["seller_organisation_number"], SELLER_ORG);
        assert_eq!(inv["seller_vat_number"], "SE212000123101");
        assert!(!inv["seller_name"].as_str().unwrap().is_empty());
        assert_eq!(inv["buyer_name"], "Värdbolaget");
        assert_eq!(inv["buyer_organisation_number"], "2120001355");
        let id = inv["id"].as_i64().unwrap();
        let (year, first) = seq(&inv["number"]);

        // Only a coordinator credits.
        let credit = format!("/api/v1/rental/invoices/{id}/credit");
        app.post("employer", &credit, json!({})).await.must(403);
        let note = app
            .post("coordinator", &credit, json!({}))
            .await
            .must(201)
            .json;
        assert_eq!(note["kind"], "credit_note");
        assert_eq!(note["credits_invoice_id"], id);
        assert_eq!(seq(&note["number"]), (year, first + 1), "no gap");
        for k in ["net_ore", "vat_ore", "gross_ore", "total_minutes"] {
            assert_eq!(
                inv[k].as_i64().unwrap() + note[k].as_i64().unwrap(),
                0,
                "{k} balances"
            );
        }
        let amounts = |v: &Value| -> Vec<i64> {
            v["lines"]
                .as_array()
                .unwrap()
                .iter()
                .map(|l| l["amount_ore"].as_i64().unwrap())
                .collect()
        };
        assert_eq!(
            amounts(&note),
            amounts(&inv).iter().map(|a| -a).collect::<Vec<_>>()
        );
        // Once only; a credit note is not credited.
        app.post("coordinator", &credit, json!({}))
            .await
            .assert_problem(409, &["id"]);
        app.post(
            "coordinator",
            &format!("/api/v1/rental/invoices/{}/credit", note["id"]),
            json!({}),
        )
        .await
        .assert_problem(409, &["id"]);
        // The invoice is unchanged but for naming its credit note.
        let mut again = app
            .get("coordinator", &format!("/api/v1/rental/invoices/{id}"))
            .await
            .must(200)
            .json;
        assert_eq!(again["credited_by"], note["id"]);
        again["credited_by"] = Value::Null;
        assert_eq!(again, inv);

        // The database refuses to change or remove an issued invoice.
        let pool = app.store.pool();
        for sql in [
            "UPDATE invoices SET net_ore = 0 WHERE id = $1",
            "DELETE FROM invoices WHERE id = $1",
            "UPDATE invoice_lines SET amount_ore = 0 WHERE invoice_id = $1",
            "DELETE FROM invoice_lines WHERE invoice_id = $1",
        ] {
            let r = vagar_store::sqlx::query(sql).bind(id).execute(pool).await;
            assert!(r.is_err(), "refused: {sql}");
        }
        let still = app
            .get("coordinator", &format!("/api/v1/rental/invoices/{id}"))
            .await
            .json;
        assert_eq!(still["net_ore"], net);

        // The weeks are free: March takes a new week and a new invoice,
        // with the next number.
        let extra = submitted(&app, s.placement, "2026-03-23", [60, 0, 0, 0, 0, 0, 0]).await;
        approve(&app, extra).await;
        let re = app
            .post("coordinator", "/api/v1/rental/invoices", body)
            .await
            .must(201)
            .json;
        assert_ne!(re["id"], inv["id"]);
        assert_eq!(seq(&re["number"]), (year, first + 2), "no gap");
        let net2 = net + expected_amount(60, rate);
        assert_eq!(re["net_ore"], net2);
        assert_eq!(re["gross_ore"], net2 + expected_vat(net2));
        let list = app
            .get(
                "coordinator",
                &format!("/api/v1/rental/invoices?intervention_id={}", s.intervention),
            )
            .await
            .json;
        let gross: i64 = list
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v["gross_ore"].as_i64().unwrap())
            .sum();
        assert_eq!(
            gross,
            net2 + expected_vat(net2),
            "invoice + credit note = 0"
        );

        // The printable page shows seller, buyer, VAT and the credit link.
        let coord = app.login("coordinator").await;
        let html =
            crate::common::form::read(&coord, &app, &format!("/uthyrning/fakturor/{id}"), 200)
                .await;
        for want in [
            "SE212000123101",
            "212000-1231",
            "Värdbolaget",
            "212000-1355",
            "Moms 25 %",
            "Förfallodatum",
            inv["due_date"].as_str().unwrap(),
            inv["number"].as_str().unwrap(),
        ] {
            assert!(html.contains(want), "{want}: {html}");
        }
        assert!(
            !html.contains("/kreditera"),
            "a credited invoice has no credit button"
        );
        let html = crate::common::form::read(
            &coord,
            &app,
            &format!("/uthyrning/fakturor/{}", re["id"]),
            200,
        )
        .await;
        assert!(html.contains("/kreditera"), "{html}");
    }
);

both_engines!(
    the_monthly_economic_result_agrees_with_an_independent_computation,
    |app: TestApp| async move {
        let (rate, wage, fee) = (18_001, 13_007, 314);
        seller(&app).await;
        let intervention = insert_intervention(&app, "Unga i jobb", "rental").await;
        let public = insert_host(&app, "2120001355", "Kommunen", true).await;
        let private = insert_host(&app, "5566778899", "Bygg AB", false).await;
        let pa = participant(&app, 4, "Dana", "Ett").await;
        let pb = participant(&app, 5, "Erik", "Två").await;
        let ca = contract(&app, pa, intervention, wage, fee).await;
        let cb = contract(&app, pb, intervention, wage + 1_000, 0).await;
        let pla = insert_placement(
            &app,
            pa,
            intervention,
            public,
            "2026-03-02",
            "2026-04-30",
            "municipality",
        )
        .await;
        let plb = insert_placement(
            &app,
            pb,
            intervention,
            private,
            "2026-03-02",
            "2026-04-30",
            "municipality",
        )
        .await;
        assign(&app, pla, ca, rate).await;
        assign(&app, plb, cb, rate + 2_000).await;
        // (placement, rate, wage, fee, monday, minutes, approved)
        let rows: Vec<WeekRow> = vec![
            (
                pla,
                rate,
                wage,
                fee,
                "2026-03-02",
                [487, 451, 463, 0, 419, 0, 0],
                true,
            ),
            (
                pla,
                rate,
                wage,
                fee,
                "2026-03-30",
                [455, 461, 443, 439, 433, 0, 0],
                true,
            ),
            (
                plb,
                rate + 2_000,
                wage + 1_000,
                0,
                "2026-03-09",
                [480, 480, 0, 0, 480, 0, 0],
                true,
            ),
            (
                plb,
                rate + 2_000,
                wage + 1_000,
                0,
                "2026-04-06",
                [300, 0, 0, 0, 0, 0, 0],
                false,
            ),
        ];
        for (pl, _, _, _, monday, minutes, ok) in &rows {
            let id = submitted(&app, *pl, monday, *minutes).await;
            if *ok {
                approve_as_coordinated(&app, *pl, public, id).await;
            }
        }
        // Invoice March for the public host only; the private host's March stays uninvoiced.
        let inv = app
            .post(
                "coordinator",
                "/api/v1/rental/invoices",
                json!({"intervention_id": intervention, "employer_id": public.0,
                    "month": "2026-03"}),
            )
            .await
            .must(201);
        let ledger = [
            ("2026-03", "other_cost", 250_000),
            ("2026-04", "subsidy", 400_000),
            ("2026-04", "other_cost", 33_333),
        ];
        for (month, kind, amount) in ledger {
            app.post(
                "coordinator",
                &format!("/api/v1/rental/interventions/{intervention}/ledger"),
                json!({"month": month, "kind": kind, "amount_ore": amount, "note": "Handledning"}),
            )
            .await
            .must(201);
        }
        let r = app
            .post(
                "coordinator",
                &format!("/api/v1/rental/interventions/{intervention}/ledger"),
                json!({"month": "2026-13", "kind": "gift", "amount_ore": -1}),
            )
            .await;
        r.assert_problem(422, &["month", "kind", "amount_ore"]);

        // Independently, per month: revenue per week-part, wages per contract and month.
        let months = ["2026-03", "2026-04"];
        let mut expected = vec![];
        let mut cumulative = 0;
        for m in months {
            let mut revenue = 0;
            let mut wage_minutes: std::collections::BTreeMap<i64, (i64, i64, i64)> =
                Default::default();
            for (pl, r, w, f, monday, minutes, ok) in &rows {
                if !ok {
                    continue;
                }
                let start = chrono::NaiveDate::parse_from_str(monday, "%Y-%m-%d").unwrap();
                let part: i64 = (0..7)
                    .filter(|i| {
                        (start + chrono::Duration::days(*i as i64))
                            .format("%Y-%m")
                            .to_string()
                            == m
                    })
                    .map(|i| minutes[i])
                    .sum();
                if part > 0 {
                    revenue += expected_amount(part, *r);
                    wage_minutes.entry(*pl).or_insert((0, *w, *f)).0 += part;
                }
            }
            let wages: i64 = wage_minutes
                .values()
                .map(|(mi, w, f)| expected_wage(*mi, *w, *f))
                .sum();
            let other: i64 = ledger
                .iter()
                .filter(|l| l.0 == m && l.1 == "other_cost")
                .map(|l| l.2)
                .sum();
            let subsidy: i64 = ledger
                .iter()
                .filter(|l| l.0 == m && l.1 == "subsidy")
                .map(|l| l.2)
                .sum();
            let result = revenue - wages - other + subsidy;
            cumulative += result;
            expected.push((m, revenue, wages, other, subsidy, result, cumulative));
        }
        let er = app
            .get(
                "coordinator",
                &format!("/api/v1/rental/interventions/{intervention}/economic-result"),
            )
            .await
            .must(200)
            .json;
        let got: Vec<(String, i64, i64, i64, i64, i64, i64)> = er["months"]
            .as_array()
            .unwrap()
            .iter()
            .map(|m| {
                (
                    m["month"].as_str().unwrap().to_string(),
                    m["revenue_ore"].as_i64().unwrap(),
                    m["wages_ore"].as_i64().unwrap(),
                    m["other_costs_ore"].as_i64().unwrap(),
                    m["subsidies_ore"].as_i64().unwrap(),
                    m["result_ore"].as_i64().unwrap(),
                    m["cumulative_ore"].as_i64().unwrap(),
                )
            })
            .collect();
        let expected: Vec<(String, i64, i64, i64, i64, i64, i64)> = expected
            .into_iter()
            .map(|e| (e.0.to_string(), e.1, e.2, e.3, e.4, e.5, e.6))
            .collect();
        assert_eq!(got, expected);
        // March's public part is invoiced: its invoice total is the invoiced revenue.
        assert_eq!(
            er["months"][0]["revenue_invoiced_ore"],
            inv.json["total_ore"]
        );
        assert!(er["months"][0]["revenue_uninvoiced_ore"].as_i64().unwrap() > 0);
        assert_eq!(er["total_ore"], cumulative);
        // Break-even: the first month of the run of non-negative cumulative results that ends the series.
        let mut break_even = Value::Null;
        for e in expected.iter().rev() {
            if e.6 < 0 {
                break;
            }
            break_even = json!(e.0);
        }
        assert_eq!(er["break_even_month"], break_even);
        // A range fills empty months with zeros.
        let range = "from=2026-02&to=2026-05";
        let er = app
            .get(
                "coordinator",
                &format!("/api/v1/rental/interventions/{intervention}/economic-result?{range}"),
            )
            .await
            .json;
        assert_eq!(er["months"].as_array().unwrap().len(), 4);
        assert_eq!(er["months"][0]["result_ore"], 0);
        assert_eq!(er["months"][3]["cumulative_ore"], cumulative);

        // Legal checks: the private host is named; its share breaks the in-house criterion.
        let lc = app
            .get(
                "coordinator",
                &format!("/api/v1/interventions/{intervention}/legal-checks"),
            )
            .await
            .must(200)
            .json;
        let check = |kind: &str| {
            lc["checks"]
                .as_array()
                .unwrap()
                .iter()
                .find(|c| c["kind"] == kind)
                .cloned()
                .unwrap()
        };
        let cn = check("competition_neutrality");
        assert_eq!(cn["status"], "flagged");
        assert_eq!(cn["reasons"][0]["buyer"], "Bygg AB");
        let private_march = expected_amount(1440, rate + 2_000);
        assert_eq!(cn["reasons"][0]["amount_ore"], private_march);
        let ih = check("in_house");
        let total_sales: i64 = got.iter().map(|g| g.1).sum();
        let owners = total_sales - private_march;
        assert_eq!(ih["reasons"][0]["compared_ore"], total_sales);
        assert_eq!(
            ih["status"],
            if owners * 10 > total_sales * 8 {
                "ok"
            } else {
                "flagged"
            }
        );
        let sc = check("self_cost");
        let costs: i64 = got.iter().map(|g| g.2 + g.3).sum();
        assert_eq!(
            sc["status"],
            if total_sales > costs { "flagged" } else { "ok" }
        );
        app.get(
            "cw_a",
            &format!("/api/v1/interventions/{intervention}/legal-checks"),
        )
        .await
        .must(403);
    }
);

both_engines!(
    legal_checks_count_the_staffing_models_sales_to_municipal_units,
    |app: TestApp| async move {
        let staffing = insert_intervention(&app, "Bemanningspoolen", "staffing").await;
        let pool: (i64,) = vagar_store::sqlx::query_as(
            "INSERT INTO staffing_pools (intervention_id, name, organisation_id, hourly_price_ore, created_at) \
             VALUES ($1, 'Poolen', $2, 30000, 0) RETURNING id",
        )
        .bind(staffing)
        .bind(app.org_a)
        .fetch_one(app.store.pool())
        .await
        .unwrap();
        let staff: (i64,) = vagar_store::sqlx::query_as(
            "INSERT INTO staffing_staff (pool_id, name, employment_form, occupation_ssyk, hourly_wage_ore, active_from, created_at) \
             VALUES ($1, 'Timanställd', 'hourly', '5321', 15000, '2026-01-01', 0) RETURNING id",
        )
        .bind(pool.0)
        .fetch_one(app.store.pool())
        .await
        .unwrap();
        let request: (i64,) = vagar_store::sqlx::query_as(
            "INSERT INTO staffing_requests (pool_id, unit_organisation_id, work_date, start_minute, end_minute, occupation_ssyk, staff_count, created_at) \
             VALUES ($1, $2, '2026-03-10', 420, 960, '5321', 1, 0) RETURNING id",
        )
        .bind(pool.0)
        .bind(app.org_b)
        .fetch_one(app.store.pool())
        .await
        .unwrap();
        // Booked 420–960 (540 minutes) but 480 reported worked: the reported minutes count.
        vagar_store::sqlx::query(
            "INSERT INTO staffing_assignments (request_id, staff_id, work_date, start_minute, end_minute, worked_minutes, created_at) \
             VALUES ($1, $2, '2026-03-10', 420, 960, 480, 0)",
        )
        .bind(request.0)
        .bind(staff.0)
        .execute(app.store.pool())
        .await
        .unwrap();
        let lc = app
            .get(
                "coordinator",
                &format!("/api/v1/interventions/{staffing}/legal-checks"),
            )
            .await
            .must(200)
            .json;
        let check = |kind: &str| {
            lc["checks"]
                .as_array()
                .unwrap()
                .iter()
                .find(|c| c["kind"] == kind)
                .cloned()
                .unwrap()
        };
        let sc = check("self_cost");
        // 480 minutes at 300 kr = 2 400 kr against wages 480 minutes at 150 kr = 1 200 kr.
        assert_eq!(sc["status"], "flagged", "{sc}");
        assert_eq!(sc["reasons"][0]["amount_ore"], expected_amount(480, 30_000));
        assert_eq!(
            sc["reasons"][0]["compared_ore"],
            expected_amount(480, 15_000)
        );
        assert_eq!(check("in_house")["status"], "ok");
        assert_eq!(check("in_house")["reasons"][0]["share_permille"], 1000);
        assert_eq!(check("competition_neutrality")["status"], "ok");
        app.get("coordinator", "/api/v1/interventions/999999/legal-checks")
            .await
            .must(404);
        app.get(
            "coordinator",
            &format!("/api/v1/rental/interventions/{staffing}/economic-result"),
        )
        .await
        .must_as(404, "the economic result is the rental model's");
    }
);

/// (placement, rate, wage, fee‰, Monday, minutes, approved)
type WeekRow = (i64, i64, i64, i64, &'static str, [i64; 7], bool);

/// Approve a week as its host: the public host is linked to `employer`;
/// the private one is linked for the moment of the decision.
async fn approve_as_coordinated(app: &TestApp, placement: i64, linked: (i64, i64), id: i64) {
    let (host,): (i64,) =
        vagar_store::sqlx::query_as("SELECT employer_id FROM placements WHERE id = $1")
            .bind(placement)
            .fetch_one(app.store.pool())
            .await
            .unwrap();
    if host == linked.0 {
        approve(app, id).await;
        return;
    }
    let (org,): (i64,) =
        vagar_store::sqlx::query_as("SELECT organisation_id FROM employers WHERE id = $1")
            .bind(linked.0)
            .fetch_one(app.store.pool())
            .await
            .unwrap();
    // Arrange: hand the link over to the other host, decide, hand it back.
    vagar_store::sqlx::query("UPDATE employers SET organisation_id = NULL WHERE id = $1")
        .bind(linked.0)
        .execute(app.store.pool())
        .await
        .unwrap();
    vagar_store::sqlx::query("UPDATE employers SET organisation_id = $1 WHERE id = $2")
        .bind(org)
        .bind(host)
        .execute(app.store.pool())
        .await
        .unwrap();
    approve(app, id).await;
    vagar_store::sqlx::query("UPDATE employers SET organisation_id = NULL WHERE id = $1")
        .bind(host)
        .execute(app.store.pool())
        .await
        .unwrap();
    vagar_store::sqlx::query("UPDATE employers SET organisation_id = $1 WHERE id = $2")
        .bind(org)
        .bind(linked.0)
        .execute(app.store.pool())
        .await
        .unwrap();
}
