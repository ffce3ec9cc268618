//! The pages `/laranstallningar` and `/laranstallningar/{placement_id}`:
//! creating from a placement (a bad split refused inline with the values
//! kept and nothing written), recording a week's hours in the table (bad
//! hours and a future week refused inline), the shares and chart, the host's
//! and others' views, completion and hire forms, Swedish and English.

use crate::common::api::monday;
use crate::common::day;
use crate::common::form;
use crate::common::{self, hidden_csrf, TestApp};
use crate::work::learning::api::{arrange, count, stored_weeks};
use chrono::Duration;

async fn get(app: &TestApp, c: &reqwest::Client, path: &str) -> (u16, String) {
    form::page(c, app, path).await
}

/// Post `fields` to `action` with the CSRF token of `page`.
async fn post(
    app: &TestApp,
    c: &reqwest::Client,
    page: &str,
    action: &str,
    fields: &[(&'static str, String)],
) -> (u16, String, String) {
    let (_, html) = get(app, c, page).await;
    form::post(c, app, &hidden_csrf(&html), action, &form::refs(fields)).await
}

both_engines!(
    a_coordinator_creates_records_and_ends_a_learning_employment_in_the_pages,
    |app: TestApp| async move {
        let t = app.today();
        let start = monday(t - Duration::days(21));
        let end = monday(t + Duration::days(56)) + Duration::days(4);
        let a = arrange(&app, start, end).await;
        let school = app
            .store
            .ensure_organisation("Vård- och omsorgscollege", vagar_domain::OrgKind::School)
            .await
            .unwrap()
            .id;
        let c = app.login("coordinator").await;
        let (status, html) = get(&app, &c, "/laranstallningar").await;
        assert_eq!(status, 200);
        assert!(html.contains("Läranställningar"));
        assert!(
            html.contains(&format!("<option value=\"{}\"", a.placement)),
            "the placement is offered"
        );
        assert!(html.contains("Vård- och omsorgscollege"));

        // A split that does not add up: inline, values kept, nothing written.
        let fields = |study: &str| {
            vec![
                ("placement_id", a.placement.to_string()),
                ("school_organisation_id", school.to_string()),
                ("school_name", String::new()),
                ("programme", "Undersköterska".to_string()),
                ("work_percent", "75".to_string()),
                ("study_percent", study.to_string()),
                ("deviation_threshold_pp", "5".to_string()),
            ]
        };
        let (status, _, html) = post(
            &app,
            &c,
            "/laranstallningar",
            "/laranstallningar",
            &fields("20"),
        )
        .await;
        assert_eq!(status, 422);
        assert!(html.contains("id=\"error-summary\""), "{html}");
        assert!(html.contains("<title>Fel: Läranställningar – Vägar</title>"));
        assert!(html.contains("Arbete och studier ska tillsammans bli 100 %."));
        assert!(
            html.contains("id=\"create-study_percent\" name=\"study_percent\" value=\"20\""),
            "{html}"
        );
        assert!(html.contains("aria-invalid=\"true\""));
        assert_eq!(
            count(&app, "SELECT COUNT(*) AS n FROM learning_employments").await,
            0
        );

        let (status, location, _) = post(
            &app,
            &c,
            "/laranstallningar",
            "/laranstallningar",
            &fields("25"),
        )
        .await;
        assert_eq!(status, 303);
        let page = format!("/laranstallningar/{}", a.placement);
        assert_eq!(location, format!("{page}?sparad=skapad"));
        let (status, html) = get(&app, &c, &location).await;
        assert_eq!(status, 200);
        assert!(html.contains("Läranställningen och veckoplanen är skapade."));
        assert!(
            html.contains("<title>Läranställning: Lina Lärling – Vägar</title>"),
            "{html}"
        );
        assert!(html.contains("<svg role=\"img\""), "a chart");
        assert!(html.contains("id=\"learn-weeks\""));
        assert!(html.contains("Vård- och omsorgscollege – Undersköterska"));
        let weeks = stored_weeks(&app, a.placement).await;
        assert_eq!(weeks.len(), 12);
        // A full week: 40 h, 25 % study = 30:00 work and 10:00 study.
        assert!(
            html.contains("<td>30:00</td>\n    <td>10:00</td>"),
            "{html}"
        );

        // Record this week: hours that are not hours, then a future week.
        let this = day(monday(t));
        let action = format!("{page}/utfort");
        let v = form::hidden_value(&html, "version");
        let (status, _, html) = post(
            &app,
            &c,
            &page,
            &action,
            &[
                ("version", v.clone()),
                ("week_start", this.clone()),
                ("done_work", "trettio".into()),
                ("done_study", "7,5".into()),
            ],
        )
        .await;
        assert_eq!(status, 422);
        assert!(
            html.contains(&format!("id=\"done-{this}-done_work_minutes-error\"")),
            "{html}"
        );
        assert!(html.contains("Ange timmar, till exempel 30, 7,5 eller 7:30."));
        assert!(
            html.contains("value=\"trettio\""),
            "the typed value is kept"
        );
        let next = day(monday(t) + Duration::days(7));
        let (status, _, html) = post(
            &app,
            &c,
            &page,
            &action,
            &[
                ("version", v.clone()),
                ("week_start", next.clone()),
                ("done_work", "30".into()),
                ("done_study", "10".into()),
            ],
        )
        .await;
        assert_eq!(status, 422);
        assert!(
            html.contains("Det går bara att rapportera innevarande eller tidigare veckor"),
            "{html}"
        );
        let (status, _, html) = post(
            &app,
            &c,
            &page,
            &action,
            &[
                ("version", v.clone()),
                ("week_start", this.clone()),
                ("done_work", "170".into()),
                ("done_study", "0".into()),
            ],
        )
        .await;
        assert_eq!(status, 422);
        assert!(html.contains("En vecka har högst 7 × 24 timmar"), "{html}");
        assert!(stored_weeks(&app, a.placement)
            .await
            .iter()
            .all(|w| w.3.is_none() && w.4.is_none()));

        let (status, location, _) = post(
            &app,
            &c,
            &page,
            &action,
            &[
                ("version", v.clone()),
                ("week_start", this.clone()),
                ("done_work", "30".into()),
                ("done_study", "7,5".into()),
            ],
        )
        .await;
        assert_eq!(status, 303, "{location}");
        let rows = stored_weeks(&app, a.placement).await;
        let w = rows.iter().find(|w| w.0 == this).unwrap();
        assert_eq!((w.3, w.4), (Some(1800), Some(450)));
        let (_, html) = get(&app, &c, &page).await;
        // 450 / 2250 = 20.0 % done, against 25.0 % planned: 5 points, no deviation.
        assert!(html.contains("<td>20,0 %</td>"), "{html}");
        assert!(!html.contains("id=\"deviation\""));
        // A stale version is refused with the warning.
        let (status, _, html) = post(
            &app,
            &c,
            &page,
            &action,
            &[
                ("version", v.clone()),
                ("week_start", this.clone()),
                ("done_work", "30".into()),
                ("done_study", "5".into()),
            ],
        )
        .await;
        assert_eq!(status, 409);
        assert!(html.contains("id=\"stale\""));

        // The host sees its own, records, and has no plan or ending forms;
        // others get 404.
        let host = app.login("employer").await;
        let (status, html) = get(&app, &host, &page).await;
        assert_eq!(status, 200);
        assert!(html.contains(&format!("id=\"done-{this}\"")));
        assert!(!html.contains("id=\"plan-submit\""));
        assert!(!html.contains("id=\"complete-submit\""));
        for user in ["cw_b", "partner"] {
            let other = app.login(user).await;
            let (status, _) = get(&app, &other, &page).await;
            assert_eq!(status, 404, "{user}");
        }

        // Ending and the hire outcome.
        let (_, html) = get(&app, &c, &page).await;
        let v = form::hidden_value(&html, "version");
        let (status, _, html) = post(
            &app,
            &c,
            &page,
            &format!("{page}/anstallning"),
            &[
                ("version", v.clone()),
                ("hired_after", "hired".into()),
                ("hired_on", day(t)),
            ],
        )
        .await;
        assert_eq!(status, 422, "no hire outcome before the ending");
        assert!(html.contains("Registrera avslutet först"), "{html}");
        let (status, _, html) = post(
            &app,
            &c,
            &page,
            &format!("{page}/avslut"),
            &[
                ("version", v.clone()),
                ("completed_on", day(t + Duration::days(3))),
            ],
        )
        .await;
        assert_eq!(status, 422);
        assert!(html.contains("id=\"complete-completion-error\""), "{html}");
        assert!(html.contains("id=\"complete-completed_on-error\""));
        let (status, location, _) = post(
            &app,
            &c,
            &page,
            &format!("{page}/avslut"),
            &[
                ("version", v.clone()),
                ("completion", "completed".into()),
                ("completed_on", day(t)),
            ],
        )
        .await;
        assert_eq!(status, 303, "{location}");
        let (_, html) = get(&app, &c, &page).await;
        assert!(html.contains("id=\"hire-submit\""));
        let v = form::hidden_value(&html, "version");
        let (status, _, _) = post(
            &app,
            &c,
            &page,
            &format!("{page}/anstallning"),
            &[
                ("version", v),
                ("hired_after", "hired".into()),
                ("hired_on", day(t)),
            ],
        )
        .await;
        assert_eq!(status, 303);
        let (_, html) = get(&app, &c, &page).await;
        assert!(
            html.contains(&format!(
                "Fullföljd {}; anställd av arbetsgivaren {}",
                day(t),
                day(t)
            )),
            "{html}"
        );

        // English.
        let res = c
            .get(app.url(&format!("/sprak/en?tillbaka={page}")))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status().as_u16(), 303);
        let (_, html) = get(&app, &c, &page).await;
        assert!(html.contains("Study share week by week"), "{html}");
        assert!(html.contains("Completed"));
        let (_, html) = get(
            &app,
            &c,
            &format!("/laranstallningar?insats={}", a.intervention),
        )
        .await;
        assert!(html.contains("id=\"learn-summary\""), "{html}");
        assert!(html.contains("Hired by the employer afterwards"));
        assert!(
            html.contains("100.0 % (1 completed, 0 discontinued)"),
            "{html}"
        );

        // Analysts see the summaries only, no person.
        let analyst = app.login("analyst").await;
        let (status, html) = get(&app, &analyst, "/laranstallningar").await;
        assert_eq!(status, 200);
        assert!(html.contains("id=\"learn-summaries\""), "{html}");
        assert!(html.contains("Läranställning vård och omsorg"));
        assert!(!html.contains("id=\"learning-list\""));
        assert!(!html.contains("Lina"));
        let (status, _) = get(&app, &analyst, &page).await;
        assert_eq!(status, 403);
    }
);

both_engines!(
    the_school_records_study_only_in_the_page_while_a_consent_names_it,
    |app: TestApp| async move {
        let t = app.today();
        let start = monday(t - Duration::days(14));
        let end = monday(t + Duration::days(28)) + Duration::days(4);
        let a = arrange(&app, start, end).await;
        let school = app
            .store
            .ensure_organisation("Komvux Omsorg", vagar_domain::OrgKind::AdultEducation)
            .await
            .unwrap()
            .id;
        app.store
            .create_user(
                "larare",
                "Lärare Larsson",
                common::PASSWORD,
                vagar_domain::Role::Partner,
                school,
            )
            .await
            .unwrap();
        crate::work::learning::api::create(
            &app,
            "coordinator",
            serde_json::json!({
            "placement_id": a.placement, "school_organisation_id": school,
            "work_percent": 75, "study_percent": 25}),
        )
        .await
        .must(201);
        let page = format!("/laranstallningar/{}", a.placement);
        let c = app.login("larare").await;
        let (status, _) = get(&app, &c, &page).await;
        assert_eq!(status, 404, "no consent yet");
        app.post(
            "cw_a",
            &format!("/api/v1/participants/{}/consents", a.participant),
            serde_json::json!({"organisation_ids": [school], "categories": ["action_plan"],
                    "method": "written"})
            .clone(),
        )
        .await
        .must(201);
        let (status, html) = get(&app, &c, &page).await;
        assert_eq!(status, 200);
        let week = day(monday(t) - Duration::days(7));
        assert!(
            html.contains(&format!("id=\"done-{week}-done_study_minutes\"")),
            "{html}"
        );
        assert!(
            !html.contains(&format!("id=\"done-{week}-done_work_minutes\"")),
            "no work input for the school"
        );
        assert!(!html.contains("id=\"plan-submit\"") && !html.contains("id=\"complete-submit\""));
        let v = form::hidden_value(&html, "version");
        let action = format!("{page}/utfort");
        let (status, _, html) = post(
            &app,
            &c,
            &page,
            &action,
            &[
                ("version", v.clone()),
                ("week_start", week.clone()),
                ("done_study", "-1".into()),
            ],
        )
        .await;
        assert_eq!(status, 422);
        assert!(html.contains("Timmarna kan inte vara negativa."), "{html}");
        let (status, _, _) = post(
            &app,
            &c,
            &page,
            &action,
            &[
                ("version", v),
                ("week_start", week.clone()),
                ("done_study", "9:30".into()),
            ],
        )
        .await;
        assert_eq!(status, 303);
        let w = stored_weeks(&app, a.placement)
            .await
            .into_iter()
            .find(|w| w.0 == week)
            .unwrap();
        assert_eq!(
            (w.3, w.4),
            (None, Some(570)),
            "study only; the week awaits the employer's work"
        );
    }
);
