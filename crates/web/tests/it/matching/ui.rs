//! The matching pages over HTTP on both engines, as a browser without
//! JavaScript uses them: a caseworker runs `/matchning`, sees her pairs with
//! ten explained factors and the placement-rate tables, and confirms one pair
//! (one proposed placement); a bad SSYK prefix is an inline error and stores
//! no run; confirming for someone not in the run is refused inline and
//! writes nothing; the participant's matching page lists a need with ten
//! factors, an invisible participant is the 404 page; an analyst gets 403.

use crate::common;

use crate::common::form::{page, send_form};
use common::{hidden_csrf, TestApp};
use serde_json::json;
use vagar_domain::imports::JobAd;

/// An ad without licence requirements.
fn ad(id: &str, ssyk: &str, label: &str) -> JobAd {
    super::api::ad(id, ssyk, label, &[])
}

async fn person(app: &TestApp, user: &str, i: u32, first: &str) -> i64 {
    let id = app.register(user, i, first, &format!("Matchsson{i}")).await;
    app.put(
        user,
        &format!("/api/v1/participants/{id}/plan"),
        json!({ "goal_kind": "occupation", "ssyk_code": "5321", "goal_title": "Undersköterska" }),
    )
    .await
    .must(201);
    id
}

async fn count(app: &TestApp, table: &str) -> i64 {
    use vagar_store::sqlx::Row;
    vagar_store::sqlx::query(&format!("SELECT COUNT(*) AS n FROM {table}"))
        .fetch_one(app.store.pool())
        .await
        .unwrap()
        .get::<i64, _>("n")
}

both_engines!(
    a_caseworker_runs_matching_and_confirms_a_pair,
    |app: TestApp| async move {
        app.load_taxonomy().await;
        app.store
            .import_job_ads(
                &[
                    ad("ad-1", "5321", "Undersköterska"),
                    ad("ad-2", "5321", "Undersköterska natt"),
                ],
                "test",
                app.clock.now(),
                |_| {},
            )
            .await
            .unwrap();
        let a1 = person(&app, "cw_a", 1, "Alva").await;
        let a2 = person(&app, "cw_a", 2, "Bo").await;
        let b = person(&app, "cw_b", 3, "Cilla").await;
        let cw = app.login("cw_a").await;

        let (status, html) = page(&cw, &app, "/matchning").await;
        assert_eq!(status, 200);
        assert!(
            html.contains("href=\"/matchning\" aria-current=\"page\""),
            "nav link"
        );
        assert!(html.contains("Kör matchning"));
        let csrf = hidden_csrf(&html);

        // A bad SSYK prefix: inline error with the value kept, no run stored.
        let (status, _, html) = send_form(
            &cw,
            &app,
            "/matchning",
            &[("csrf", &csrf), ("district", ""), ("ssyk", "53a")],
        )
        .await;
        assert_eq!(status, 422);
        assert!(html.contains("id=\"error-summary\""));
        assert!(html.contains("id=\"ssyk-error\""));
        assert!(html.contains("Ange 1–4 siffror ur en SSYK 2012-kod."));
        assert!(html.contains("value=\"53a\""));
        assert_eq!(count(&app, "match_runs").await, 0);

        // Without the token nothing runs.
        let (status, _, _) = send_form(
            &cw,
            &app,
            "/matchning",
            &[("csrf", "wrong"), ("ssyk", "53")],
        )
        .await;
        assert_eq!(status, 403);
        assert_eq!(count(&app, "match_runs").await, 0);

        // A run: her two people paired, ten factors each, the rate tables.
        let (status, _, html) = send_form(
            &cw,
            &app,
            "/matchning",
            &[("csrf", &csrf), ("district", ""), ("ssyk", "53")],
        )
        .await;
        assert_eq!(status, 200, "{html}");
        assert_eq!(count(&app, "match_runs").await, 1);
        assert!(html.contains("Alva Matchsson1") && html.contains("Bo Matchsson2"));
        assert!(!html.contains("Cilla"), "cw_b's participant is not hers");
        assert!(html.contains(&format!("name=\"participant_ids\" value=\"{a1}\"")));
        assert!(html.contains(&format!(
            "<label class=\"ds-label\" for=\"pair-{a1}\">Välj Alva Matchsson1</label>"
        )));
        let factors = html
            .split(&format!("id=\"factors-{a1}\""))
            .nth(1)
            .unwrap()
            .split("</details>")
            .next()
            .unwrap();
        assert_eq!(factors.matches("<dt>").count(), 10, "{factors}");
        assert!(factors.contains("Yrke:") && factors.contains("Körkort:"));
        for caption in [
            "Placeringsgrad per kön",
            "Placeringsgrad per födelseregion",
            "Placeringsgrad per funktionsnedsättning",
        ] {
            assert!(
                html.contains(&format!("<caption>{caption}</caption>")),
                "{caption}"
            );
        }
        assert!(html.contains("<th scope=\"row\">Okänt</th>"));
        let run_id = html
            .split("action=\"/matchning/")
            .nth(1)
            .unwrap()
            .split('/')
            .next()
            .unwrap()
            .to_string();
        let confirm = format!("/matchning/{run_id}/bekrafta");

        // Someone not in the run: refused inline, nothing written.
        let (status, _, html) = send_form(
            &cw,
            &app,
            &confirm,
            &[
                ("csrf", &csrf),
                ("participant_ids", &a1.to_string()),
                ("participant_ids", &b.to_string()),
            ],
        )
        .await;
        assert!(status == 403 || status == 422, "{status}");
        assert!(html.contains("Inget bekräftades."), "{html}");
        assert_eq!(count(&app, "proposed_placements").await, 0);

        // One pair confirmed: one proposed placement, and a message saying so.
        let (status, location, _) = send_form(
            &cw,
            &app,
            &confirm,
            &[("csrf", &csrf), ("participant_ids", &a1.to_string())],
        )
        .await;
        assert_eq!(status, 303);
        assert_eq!(count(&app, "proposed_placements").await, 1);
        let (status, html) = page(&cw, &app, &location).await;
        assert_eq!(status, 200);
        assert!(html.contains("1 föreslagen placering skapades."), "{html}");

        // The participant's own matching page: a need with ten factors.
        let (status, html) = page(&cw, &app, &format!("/deltagare/{a2}")).await;
        assert_eq!(status, 200);
        assert!(html.contains(&format!("href=\"/deltagare/{a2}/matchning\"")));
        let (status, html) = page(&cw, &app, &format!("/deltagare/{a2}/matchning")).await;
        assert_eq!(status, 200, "{html}");
        assert!(html.contains("Undersköterska sökes"), "{html}");
        let first = html.split("</details>").next().unwrap();
        assert_eq!(first.matches("<dt>").count(), 10);
        // cw_b's participant is invisible to her: the 404 page.
        let (status, _) = page(&cw, &app, &format!("/deltagare/{b}/matchning")).await;
        assert_eq!(status, 404);

        // An analyst may not run: 403, and no nav link.
        let analyst = app.login("analyst").await;
        let (status, _) = page(&analyst, &app, "/matchning").await;
        assert_eq!(status, 403);
        let (_, html) = page(&analyst, &app, "/deltagare").await;
        assert!(!html.contains("href=\"/matchning\""));
    }
);
