//! The steering group pages over HTTP on both engines, as a browser without
//! JavaScript uses them: a caseworker creates a group, records a meeting, a
//! case and a decision and changes the decision's status through the forms,
//! each with its CSRF token; a form with errors comes back with inline
//! messages and the values as typed; a caseworker of a unit outside the group
//! gets the 404 page and an analyst the 403 page.

use crate::common;

use common::{hidden_csrf, TestApp};
use serde_json::json;

async fn page(client: &reqwest::Client, app: &TestApp, path: &str) -> (u16, String) {
    let res = client.get(app.url(path)).send().await.expect("get");
    (res.status().as_u16(), res.text().await.unwrap())
}

async fn post(
    client: &reqwest::Client,
    app: &TestApp,
    csrf: &str,
    path: &str,
    fields: &[(&str, &str)],
) -> (u16, String, String) {
    let mut body: Vec<(&str, &str)> = vec![("csrf", csrf)];
    body.extend_from_slice(fields);
    let res = client
        .post(app.url(path))
        .form(&body)
        .send()
        .await
        .expect("post");
    let status = res.status().as_u16();
    let location = res
        .headers()
        .get("location")
        .map(|v| v.to_str().unwrap().to_string())
        .unwrap_or_default();
    (status, location, res.text().await.unwrap())
}

both_engines!(
    a_caseworker_runs_a_steering_group_through_the_forms,
    |app: TestApp| async move {
        let af = app
            .store
            .organisation_by_name("AF")
            .await
            .unwrap()
            .expect("AF exists")
            .id;
        let pid = app
            .create(
                "cw_a",
                json!({ "identity_number": common::pnr(1), "first_name": "Styr", "last_name": "Gruppsson" }),
            )
            .await["id"]
            .as_i64()
            .unwrap();
        let cw = app.login("cw_a").await;

        let (status, html) = page(&cw, &app, "/styrgrupper").await;
        assert_eq!(status, 200);
        assert!(
            html.contains("href=\"/styrgrupper\" aria-current=\"page\""),
            "nav link"
        );
        assert!(html.contains("Skapa styrgrupp"));
        let csrf = hidden_csrf(&html);

        // Without the token nothing happens.
        let (status, _, _) = post(
            &cw,
            &app,
            "wrong",
            "/styrgrupper",
            &[("name", "Styrgrupp Söderort")],
        )
        .await;
        assert_eq!(status, 403);

        // An invalid form: inline errors, values kept.
        let (status, _, html) = post(
            &cw,
            &app,
            &csrf,
            "/styrgrupper",
            &[("name", "Styrgrupp Söderort")],
        )
        .await;
        assert_eq!(status, 422);
        assert!(
            html.contains("id=\"group-organisation_ids-error\""),
            "{html}"
        );
        assert!(html.contains("value=\"Styrgrupp Söderort\""));
        assert!(html.contains("id=\"error-summary\""));

        let org_a = app.org_a.to_string();
        let af_s = af.to_string();
        let (status, location, _) = post(
            &cw,
            &app,
            &csrf,
            "/styrgrupper",
            &[
                ("name", "Styrgrupp Söderort"),
                ("organisation_ids", &org_a),
                ("organisation_ids", &af_s),
            ],
        )
        .await;
        assert_eq!(status, 303);
        assert!(location.starts_with("/styrgrupper/"), "{location}");
        let group = location
            .trim_start_matches("/styrgrupper/")
            .split('?')
            .next()
            .unwrap()
            .to_string();
        let base = format!("/styrgrupper/{group}");

        let (status, html) = page(&cw, &app, &location).await;
        assert_eq!(status, 200);
        assert!(html.contains("Styrgruppen är skapad."));
        assert!(html.contains("<h1 class=\"ds-heading\" data-size=\"lg\">Styrgrupp Söderort</h1>"));

        // A meeting: first with a bad date, then right.
        let (status, _, html) = post(
            &cw,
            &app,
            &csrf,
            &format!("{base}/moten"),
            &[("meeting_date", "2026-13-40"), ("notes", "Första mötet")],
        )
        .await;
        assert_eq!(status, 422);
        assert!(html.contains("id=\"meeting-meeting_date-error\""), "{html}");
        assert!(html.contains("value=\"2026-13-40\""));
        assert!(html.contains("Första mötet</textarea>"));
        let (status, _, _) = post(
            &cw,
            &app,
            &csrf,
            &format!("{base}/moten"),
            &[("meeting_date", "2026-11-10"), ("notes", "Första mötet")],
        )
        .await;
        assert_eq!(status, 303);

        // A case for the participant.
        let pid_s = pid.to_string();
        let (status, _, _) = post(
            &cw,
            &app,
            &csrf,
            &format!("{base}/arenden"),
            &[
                ("participant_id", &pid_s),
                ("question", "Kan studier prövas?"),
            ],
        )
        .await;
        assert_eq!(status, 303);
        let (_, html) = page(&cw, &app, &base).await;
        assert!(html.contains("Styr Gruppsson"), "{html}");
        assert!(html.contains("2026-11-10"));
        let m = "<tr><td>#";
        let at = html.find(m).expect("a case row") + m.len();
        let case_id = html[at..at + html[at..].find('<').unwrap()].to_string();

        // A decision without text keeps what was typed.
        let (status, _, html) = post(
            &cw,
            &app,
            &csrf,
            &format!("{base}/beslut"),
            &[
                ("text", ""),
                ("follow_up_date", "2027-01-15"),
                ("case_id", &case_id),
            ],
        )
        .await;
        assert_eq!(status, 422);
        assert!(html.contains("id=\"decision-text-error\""), "{html}");
        assert!(html.contains("value=\"2027-01-15\""));
        let (status, _, _) = post(
            &cw,
            &app,
            &csrf,
            &format!("{base}/beslut"),
            &[
                ("text", "Pröva-på-studier med bibehållet ekonomiskt bistånd"),
                ("case_id", &case_id),
                ("organisation_ids", &af_s),
                ("follow_up_date", "2027-01-15"),
                ("status", "open"),
            ],
        )
        .await;
        assert_eq!(status, 303);
        let (_, html) = page(&cw, &app, &format!("{base}?sparad=beslut")).await;
        assert!(html.contains("Beslutet är registrerat."));
        assert!(html.contains("Pröva-på-studier med bibehållet ekonomiskt bistånd"));
        assert!(html.contains("Beslutat"), "the case is decided");

        // Change the decision's status.
        let marker = format!("action=\"{base}/beslut/");
        let start = html.find(&marker).expect("status form") + marker.len();
        let decision = &html[start..start + html[start..].find('"').unwrap()];
        let (status, _, _) = post(
            &cw,
            &app,
            &csrf,
            &format!("{base}/beslut/{decision}"),
            &[
                ("version", "1"),
                ("status", "in_progress"),
                ("follow_up_date", "2027-02-01"),
            ],
        )
        .await;
        assert_eq!(status, 303);
        let (_, html) = page(&cw, &app, &format!("{base}?sparad=status")).await;
        assert!(html.contains("Beslutet är ändrat."));
        assert!(html.contains("<td>Pågår</td>"), "{html}");
        assert!(html.contains("<td>2027-02-01</td>"));
        // A stale version is a conflict, not a silent overwrite.
        let (status, _, _) = post(
            &cw,
            &app,
            &csrf,
            &format!("{base}/beslut/{decision}"),
            &[("version", "1"), ("status", "done")],
        )
        .await;
        assert_eq!(status, 409);

        // English.
        let res = cw
            .get(app.url("/sprak/en?tillbaka=/"))
            .send()
            .await
            .unwrap();
        assert!(res.status().is_success() || res.status().is_redirection());
        let (_, html) = page(&cw, &app, &base).await;
        assert!(html.contains("Record a decision"), "{html}");
        assert!(html.contains("In progress"));

        // cw_b's unit is no member: the group does not exist for them.
        let b = app.login("cw_b").await;
        let (status, html) = page(&b, &app, &base).await;
        assert_eq!(status, 404);
        assert!(!html.contains("Styrgrupp Söderort"));
        let (status, html) = page(&b, &app, "/styrgrupper").await;
        assert_eq!(status, 200);
        assert!(!html.contains("Styrgrupp Söderort"));

        // Analysts may never read steering groups.
        let analyst = app.login("analyst").await;
        let (status, _) = page(&analyst, &app, &base).await;
        assert_eq!(status, 403);
        let (status, html) = page(&analyst, &app, "/styrgrupper").await;
        assert_eq!(status, 403);
        assert!(!html.contains("href=\"/styrgrupper\""), "no nav link");
    }
);
