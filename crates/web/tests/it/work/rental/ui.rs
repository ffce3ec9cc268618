//! The rental model's pages as a user meets them: the supervisor's week
//! form (refusals inline, values kept, nothing written), the host's
//! `/tidrapporter` (own weeks only, minimal fields, approve and reject),
//! and the overview with its invoice refusal, chart and legal checks.

use crate::common::form;
use crate::common::form::page;
use crate::common::work::{insert_host, insert_intervention, insert_placement};
use crate::common::{self, hidden_csrf, TestApp};
use crate::work::rental::api::{approve, setup, submitted};
use reqwest::Method;

both_engines!(
    the_supervisor_form_refuses_a_day_outside_the_placement_and_keeps_the_values,
    |app: TestApp| async move {
        let s = setup(&app, "2120001355", 18_000).await;
        let coord = app.login("coordinator").await;
        let path = format!("/uthyrning/{}/tidrapport", s.intervention);
        let (st, html) = page(&coord, &app, &path).await;
        assert_eq!(st, 200, "{html}");
        assert!(html.contains("Tidrapport för en vecka"));
        let csrf = hidden_csrf(&html);
        let placement = s.placement.to_string();
        let html = form::sent(
            &coord,
            &app,
            &path,
            &[
                ("csrf", csrf.as_str()),
                ("placement_id", placement.as_str()),
                ("week_start", "2026-02-23"),
                ("d0", "8"),
                ("d1", ""),
                ("d2", "7,5"),
                ("d3", "sju"),
            ],
            422,
        )
        .await;
        assert!(
            html.contains("id=\"d3-error\""),
            "not a number is named at its day"
        );
        assert!(html.contains("value=\"7,5\""), "typed values are kept");
        let html = form::sent(
            &coord,
            &app,
            &path,
            &[
                ("csrf", csrf.as_str()),
                ("placement_id", placement.as_str()),
                ("week_start", "2026-02-23"),
                ("d0", "8"),
                ("d2", "7,5"),
            ],
            422,
        )
        .await;
        assert!(html.contains("id=\"error-summary\""));
        assert!(
            html.contains("2026-02-23 ligger utanför uppdragets period"),
            "{html}"
        );
        assert!(html.contains("id=\"d0-error\"") && html.contains("id=\"d2-error\""));
        assert!(html.contains("aria-invalid=\"true\""));
        let list = app
            .get(
                "coordinator",
                &format!("/api/v1/rental/timesheets?placement_id={}", s.placement),
            )
            .await
            .json;
        assert_eq!(list.as_array().unwrap().len(), 0, "nothing written");
        // A good week goes through and shows on the overview.
        let res = coord
            .post(app.url(&path))
            .form(&[
                ("csrf", csrf.as_str()),
                ("placement_id", placement.as_str()),
                ("week_start", "2026-03-02"),
                ("d0", "8"),
                ("d1", "7:30"),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(res.status().as_u16(), 303);
        let list = app
            .get(
                "coordinator",
                &format!("/api/v1/rental/timesheets?placement_id={}", s.placement),
            )
            .await
            .json;
        assert_eq!(list[0]["total_minutes"], 930);
        // Other roles: 403 page.
        let cw = app.login("cw_a").await;
        let (st, _) = page(&cw, &app, &path).await;
        assert_eq!(st, 403);
    }
);

both_engines!(
    the_host_page_lists_only_its_own_weeks_and_decides_them,
    |app: TestApp| async move {
        let s = setup(&app, "2120001355", 18_000).await;
        let other = insert_host(&app, "5566778899", "Annan AB", false).await;
        let p2 = crate::work::rental::api::participant(&app, 7, "Gustav", "Främling").await;
        let c2 = crate::work::rental::api::contract(&app, p2, s.intervention, 13_000, 314).await;
        let pl2 = insert_placement(
            &app,
            p2,
            s.intervention,
            other,
            "2026-03-02",
            "2026-04-30",
            "municipality",
        )
        .await;
        crate::work::rental::api::assign(&app, pl2, c2, 20_000).await;
        let own = submitted(&app, s.placement, "2026-03-09", [480, 480, 450, 0, 0, 0, 0]).await;
        submitted(&app, pl2, "2026-03-09", [480, 0, 0, 0, 0, 0, 0]).await;
        let host = app.login("employer").await;
        let (st, html) = page(&host, &app, "/tidrapporter").await;
        assert_eq!(st, 200, "{html}");
        assert!(html.contains("Amina"));
        assert!(!html.contains("Hyrén"), "no last name for the host");
        assert!(
            !html.contains("Gustav"),
            "another host's participant is not shown"
        );
        assert!(html.contains("width=device-width"));
        assert!(html.contains(&format!("id=\"approve-{own}\"")));
        // Reject without a reason: refused inline, the week still waits.
        let csrf = hidden_csrf(&html);
        let html = form::sent(
            &host,
            &app,
            &format!("/tidrapporter/{own}/avvisa"),
            &[("csrf", csrf.as_str()), ("reason", "  ")],
            422,
        )
        .await;
        assert!(
            html.contains(&format!("id=\"reason-{own}-error\"")),
            "{html}"
        );
        let t = app
            .get("employer", &format!("/api/v1/rental/timesheets/{own}"))
            .await
            .json;
        assert_eq!(t["status"], "submitted");
        // Approve.
        let res = host
            .post(app.url(&format!("/tidrapporter/{own}/godkann")))
            .form(&[("csrf", csrf.as_str())])
            .send()
            .await
            .unwrap();
        assert_eq!(res.status().as_u16(), 303);
        let (_, html) = page(&host, &app, "/tidrapporter?klart=godkand").await;
        assert!(html.contains("Veckan är godkänd."));
        assert!(html.contains(&format!("id=\"decided-{own}\" data-status=\"approved\"")));
        let t = app
            .get("employer", &format!("/api/v1/rental/timesheets/{own}"))
            .await
            .json;
        assert_eq!(t["status"], "approved");
        // Without the CSRF token: refused.
        let res = host
            .post(app.url(&format!("/tidrapporter/{own}/godkann")))
            .form(&[("csrf", "x")])
            .send()
            .await
            .unwrap();
        assert_eq!(res.status().as_u16(), 403);
    }
);

both_engines!(
    the_overview_refuses_an_invoice_naming_the_week_and_shows_the_result,
    |app: TestApp| async move {
        let s = setup(&app, "2120001355", 18_000).await;
        let a = submitted(
            &app,
            s.placement,
            "2026-03-02",
            [480, 480, 480, 480, 480, 0, 0],
        )
        .await;
        approve(&app, a).await;
        submitted(&app, s.placement, "2026-03-30", [480, 480, 0, 0, 0, 0, 0]).await;
        let coord = app.login("coordinator").await;
        let path = format!("/uthyrning/{}", s.intervention);
        let (st, html) = page(&coord, &app, &path).await;
        assert_eq!(st, 200, "{html}");
        assert!(html.contains("<svg") && html.contains("role=\"img\""));
        assert!(html.contains("<caption>Resultat per månad</caption>"));
        assert!(html.contains("Självkostnadsprincipen"));
        assert!(html.contains("Konkurrensneutralitet"));
        assert!(
            html.contains("1 väntar på godkännande, 1 godkända, 0 avvisade."),
            "week counts"
        );
        let csrf = hidden_csrf(&html);
        let host = s.host.0.to_string();
        let html = form::sent(
            &coord,
            &app,
            &format!("{path}/fakturor"),
            &[
                ("csrf", csrf.as_str()),
                ("employer_id", host.as_str()),
                ("month", "2026-03"),
            ],
            422,
        )
        .await;
        assert!(html.contains("veckan från 2026-03-30"), "{html}");
        assert!(html.contains("inskickad"));
        let list = app
            .get(
                "coordinator",
                &format!("/api/v1/rental/invoices?intervention_id={}", s.intervention),
            )
            .await
            .json;
        assert_eq!(list.as_array().unwrap().len(), 0);
        // February has only approved weeks... none: nothing to invoice; April after approval works.
        let res = coord
            .post(app.url(&format!("{path}/kostnader")))
            .form(&[
                ("csrf", csrf.as_str()),
                ("ledger_month", "2026-03"),
                ("kind", "subsidy"),
                ("amount", "1 250,50"),
                ("note", "Lönebidrag"),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(res.status().as_u16(), 303);
        let ledger = app
            .get(
                "coordinator",
                &format!("/api/v1/rental/interventions/{}/ledger", s.intervention),
            )
            .await
            .json;
        assert_eq!(ledger[0]["amount_ore"], 125_050);
        let html = form::sent(
            &coord,
            &app,
            &format!("{path}/kostnader"),
            &[
                ("csrf", csrf.as_str()),
                ("ledger_month", "mars"),
                ("kind", "subsidy"),
                ("amount", "x"),
            ],
            422,
        )
        .await;
        assert!(html.contains("id=\"ledger_month-error\"") && html.contains("id=\"amount-error\""));
        let _ = insert_intervention;
        let _ = Method::GET;
        // A host may not see the overview.
        let host_client = app.login("employer").await;
        let (st, _) = page(&host_client, &app, &path).await;
        assert_eq!(st, 403);
    }
);

both_engines!(
    the_coordinator_creates_a_contract_and_an_assignment_through_the_overview_forms,
    |app: TestApp| async move {
        let intervention = insert_intervention(&app, "Unga i jobb", "rental").await;
        let host = insert_host(&app, "2120001355", "Värdbolaget", true).await;
        let person = crate::work::rental::api::participant(&app, 2, "Amina", "Hyrén").await;
        let inside = insert_placement(
            &app,
            person,
            intervention,
            host,
            "2026-03-02",
            "2026-04-30",
            "municipality",
        )
        .await;
        let outside = insert_placement(
            &app,
            person,
            intervention,
            host,
            "2027-01-04",
            "2027-02-26",
            "municipality",
        )
        .await;
        let coord = app.login("coordinator").await;
        let path = format!("/uthyrning/{intervention}");
        let (st, html) = page(&coord, &app, &path).await;
        assert_eq!(st, 200, "{html}");
        assert!(html.contains("Nytt anställningsavtal") && html.contains("Nytt uppdrag"));
        assert!(
            html.contains("Amina Hyrén"),
            "the placed participant is a choice"
        );
        let csrf = hidden_csrf(&html);
        let who = person.to_string();
        let contracts_url = format!("/api/v1/rental/contracts?intervention_id={intervention}");
        // A wage that is not kronor: refused inline, values kept, nothing written.
        let contract_form = |wage: &'static str| {
            vec![
                ("csrf", csrf.clone()),
                ("participant_id", who.clone()),
                ("period_from", "2026-01-01".to_string()),
                ("period_to", "2026-12-31".to_string()),
                ("hours_per_week", "37,5".to_string()),
                ("wage", wage.to_string()),
                ("fee", "314".to_string()),
            ]
        };
        let html = form::sent(
            &coord,
            &app,
            &format!("{path}/avtal"),
            &contract_form("etthundra"),
            422,
        )
        .await;
        assert!(html.contains("id=\"error-summary\""));
        assert!(html.contains("id=\"wage-error\"") && html.contains("aria-invalid=\"true\""));
        assert!(html.contains("value=\"37,5\"") && html.contains("value=\"etthundra\""));
        assert_eq!(
            app.get_json("coordinator", &contracts_url)
                .await
                .1
                .as_array()
                .unwrap()
                .len(),
            0
        );
        let res = coord
            .post(app.url(&format!("{path}/avtal")))
            .form(&contract_form("130,50"))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status().as_u16(), 303);
        let list = app.get_json("coordinator", &contracts_url).await.1;
        assert_eq!(list.as_array().unwrap().len(), 1);
        assert_eq!(list[0]["hourly_wage_ore"], 13_050);
        assert_eq!(list[0]["hours_per_week_minutes"], 2250);
        assert_eq!(list[0]["employer_fee_permille"], 314);
        let contract = list[0]["id"].as_i64().unwrap().to_string();
        // A placement outside the contract period: refused inline, nothing written.
        let assignments_url = format!("/api/v1/rental/assignments?intervention_id={intervention}");
        let outside = outside.to_string();
        let html = form::sent(
            &coord,
            &app,
            &format!("{path}/uppdrag"),
            &[
                ("csrf", csrf.as_str()),
                ("placement_id", outside.as_str()),
                ("contract_id", contract.as_str()),
                ("rate", "180"),
            ],
            422,
        )
        .await;
        assert!(html.contains("id=\"error-summary\""));
        assert!(
            html.contains("Placeringens datum måste ligga inom anställningsavtalets period."),
            "{html}"
        );
        assert!(html.contains("id=\"placement_id-error\"") && html.contains("value=\"180\""));
        let list = app.get("coordinator", &assignments_url).await.json;
        assert_eq!(list.as_array().unwrap().len(), 0, "nothing written");
        let inside_id = inside.to_string();
        let res = coord
            .post(app.url(&format!("{path}/uppdrag")))
            .form(&[
                ("csrf", csrf.as_str()),
                ("placement_id", inside_id.as_str()),
                ("contract_id", contract.as_str()),
                ("rate", "180,25"),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(res.status().as_u16(), 303);
        let list = app.get("coordinator", &assignments_url).await.json;
        assert_eq!(list[0]["placement_id"], inside);
        assert_eq!(list[0]["hourly_rate_ore"], 18_025);
        // The overview lists both, with the saved flash.
        let (st, html) = page(&coord, &app, &format!("{path}?klart=uppdrag")).await;
        assert_eq!(st, 200);
        assert!(html.contains("Uppdraget är sparat."));
        assert!(
            html.contains("2026-01-01 – 2026-12-31"),
            "the contract is listed"
        );
        assert!(html.contains("130,50\u{a0}kr") && html.contains("180,25\u{a0}kr"));
        assert!(
            html.contains("2026-03-02 – 2026-04-30"),
            "the assignment is listed"
        );
        // A caseworker may not see the page with its forms.
        let cw = app.login("cw_a").await;
        let (st, html) = page(&cw, &app, &path).await;
        assert_eq!(st, 403);
        assert!(!html.contains("Nytt anställningsavtal"));
    }
);
