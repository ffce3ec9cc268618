//! The steering group pages over HTTP on both engines, as a browser without
//! JavaScript uses them: a caseworker creates a group, records a meeting, a
//! case and a decision and changes the decision's status through the forms,
//! each with its CSRF token; a form with errors comes back with inline
//! messages and the values as typed; a caseworker of a unit outside the group
//! gets the 404 page and an analyst the 403 page. A decision creates a step
//! for another organisation and changes an existing step's status in one
//! submit, which the plan page and its history show; a bad date is an inline
//! error and writes neither the decision nor any step.

use crate::common;

use crate::common::form::{page, post};
use common::{day, hidden_csrf, TestApp};
use serde_json::json;

both_engines!(
    a_caseworker_runs_a_steering_group_through_the_forms,
    |app: TestApp| async move {
        let af = app.org("AF").await;
        let pid = app.register("cw_a", 1, "Styr", "Gruppsson").await;
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

/// How many decisions the group has and how many steps the plan has, with
/// the plan's first step's status, through the API.
async fn counts(app: &TestApp, gid: i64, pid: i64) -> (usize, usize, String) {
    let r = app
        .get("cw_a", &format!("/api/v1/steering-groups/{gid}/decisions"))
        .await
        .must(200);
    let decisions = r.json.as_array().unwrap().len();
    let r = app
        .get("cw_a", &format!("/api/v1/participants/{pid}/plan"))
        .await
        .must(200);
    let steps = r.json["steps"].as_array().unwrap();
    let first = steps[0]["status"].as_str().unwrap_or_default().to_string();
    (decisions, steps.len(), first)
}

both_engines!(
    a_decision_creates_and_changes_plan_steps_through_the_form,
    |app: TestApp| async move {
        let af = app.org("AF").await;
        let today = vagar_domain::time::swedish_date(app.clock.now());
        // A participant of unit A with a plan and one planned step of unit A,
        // referred to a group of unit A and AF — all through the API.
        let pid = app.register("cw_a", 2, "Plan", "Beslutsson").await;
        app.put(
            "cw_a",
            &format!("/api/v1/participants/{pid}/plan"),
            json!({ "goal_kind": "education", "goal_title": "Vård- och omsorgsprogrammet" }),
        )
        .await
        .must(201);
        let r = app
            .post(
                "cw_a",
                &format!("/api/v1/participants/{pid}/plan/steps"),
                json!({
                    "activity_type": "income_support_follow_up",
                    "organisation_id": app.org_a,
                    "start_date": day(today),
                    "due_date": day(today + chrono::Duration::days(60)),
                }),
            )
            .await
            .must(201);
        let step = r.id().to_string();
        let gid = app
            .post(
                "cw_a",
                "/api/v1/steering-groups",
                json!({ "name": "Styrgrupp Planstöd", "organisation_ids": [app.org_a, af] }),
            )
            .await
            .must(201)
            .id();
        let r = app
            .post(
                "cw_a",
                &format!("/api/v1/steering-groups/{gid}/cases"),
                json!({ "participant_id": pid, "question": "Kan sfi kombineras med praktik?" }),
            )
            .await
            .must(201);
        let case = r.id().to_string();
        let base = format!("/styrgrupper/{gid}");
        let beslut = format!("{base}/beslut");

        let cw = app.login("cw_a").await;
        let (status, html) = page(&cw, &app, &base).await;
        assert_eq!(status, 200);
        let csrf = hidden_csrf(&html);
        // Both fieldsets, labelled, and the participant's step to choose.
        assert!(html.contains("<legend class=\"ds-label\">Skapa steg i handlingsplanen</legend>"));
        assert!(html.contains("<legend class=\"ds-label\">Ändra ett steg</legend>"));
        assert!(html.contains("<label class=\"ds-label\" for=\"decision-new_step_due_date\">"));
        assert!(html.contains("<label class=\"ds-label\" for=\"decision-change_step_id\">"));
        assert!(
            html.contains("<optgroup label=\"Plan Beslutsson\">"),
            "{html}"
        );
        assert!(
            html.contains(&format!(
                "<option value=\"{step}\">Steg 1: Uppföljning av ekonomiskt bistånd"
            )),
            "{html}"
        );

        let af_s = af.to_string();
        let due = day(today + chrono::Duration::days(30));
        let valid = |due_date: &'static str| -> Vec<(&'static str, String)> {
            vec![
                ("text", "Sfi hos AF parallellt med praktik".to_string()),
                ("case_id", case.clone()),
                ("status", "open".to_string()),
                ("new_step_activity_type", "sfi".to_string()),
                ("new_step_organisation_id", af_s.clone()),
                ("new_step_due_date", due_date.to_string()),
                ("change_step_id", step.clone()),
                ("change_step_status", "active".to_string()),
            ]
        };
        let send = |fields: Vec<(&'static str, String)>| {
            let cw = cw.clone();
            let csrf = csrf.clone();
            let url = app.url(&beslut);
            async move {
                let mut body = vec![("csrf", csrf)];
                body.extend(fields);
                let res = cw.post(url).form(&body).send().await.expect("post");
                let status = res.status().as_u16();
                (status, res.text().await.unwrap())
            }
        };

        // A bad due date: the message beside the field, in the summary, the
        // values kept, and neither the decision nor a step written.
        let (status, html) = send(valid("2027-02-30")).await;
        assert_eq!(status, 422, "{html}");
        assert!(
            html.contains("id=\"decision-new_step_due_date-error\""),
            "{html}"
        );
        assert!(html.contains("Ange datum som ÅÅÅÅ-MM-DD."));
        assert!(
            html.contains(
                "href=\"#decision-new_step_due_date\">Slutdatum: Ange datum som ÅÅÅÅ-MM-DD.</a>"
            ),
            "{html}"
        );
        assert!(html.contains(
            "aria-describedby=\"decision-new_step_due_date-error\" aria-invalid=\"true\""
        ));
        assert!(html.contains("value=\"2027-02-30\""));
        assert!(html.contains("<option value=\"sfi\" selected>"));
        assert_eq!(counts(&app, gid, pid).await, (0, 1, "planned".into()));

        // A step change the plan rules refuse, found only after the decision
        // and the new step are written in the transaction: all rolled back.
        let mut fields = valid("2099-01-01");
        fields.push(("change_step_due_date", "2001-01-01".to_string()));
        let (status, html) = send(fields).await;
        assert_eq!(status, 422, "{html}");
        assert!(
            html.contains("id=\"decision-change_step_due_date-error\""),
            "{html}"
        );
        assert!(html.contains("Slutdatumet kan inte ligga före startdatumet."));
        assert_eq!(counts(&app, gid, pid).await, (0, 1, "planned".into()));

        // Steps without a case have no plan to go into.
        let mut fields = valid("2099-01-01");
        fields.retain(|(k, _)| *k != "case_id");
        let (status, html) = send(fields).await;
        assert_eq!(status, 422, "{html}");
        assert!(html.contains("id=\"decision-case_id-error\""), "{html}");
        assert_eq!(counts(&app, gid, pid).await, (0, 1, "planned".into()));

        // The decision creates a step for AF and starts the existing one.
        let fields: Vec<(&'static str, String)> = valid("2099-01-01")
            .into_iter()
            .map(|(k, v)| {
                if k == "new_step_due_date" {
                    (k, due.clone())
                } else {
                    (k, v)
                }
            })
            .collect();
        let (status, html) = send(fields).await;
        assert_eq!(status, 303, "{html}");
        let (_, html) = page(&cw, &app, &format!("{base}?sparad=beslut")).await;
        assert!(html.contains("Beslutet är registrerat."), "{html}");
        assert!(html.contains("2 planeringssteg"), "{html}");
        assert_eq!(counts(&app, gid, pid).await, (1, 2, "active".into()));
        let marker = format!("action=\"{base}/beslut/");
        let start = html.find(&marker).expect("status form") + marker.len();
        let decision = &html[start..start + html[start..].find('"').unwrap()];
        assert!(html.contains(&format!("Beslut nr {decision}")));

        // The plan page shows the new step, the changed status and that the
        // decision made both changes.
        let (status, html) = page(&cw, &app, &format!("/deltagare/{pid}/plan")).await;
        assert_eq!(status, 200);
        let row = |html: &str, n: usize| -> String {
            let rows: Vec<&str> = html.split("<tr id=\"step-row-").skip(1).collect();
            rows[n][..rows[n].find("</tr>").unwrap()].to_string()
        };
        let first = row(&html, 0);
        assert!(
            first.contains("<td class=\"app-status\">Pågår</td>"),
            "{first}"
        );
        let second = row(&html, 1);
        assert!(second.contains("<td>Sfi</td>"), "{second}");
        assert!(second.contains("<td>AF</td>"), "{second}");
        assert!(
            second.contains(&format!("{} – {due}", day(today))),
            "{second}"
        );
        assert!(
            second.contains("<td class=\"app-status\">Planerat</td>"),
            "{second}"
        );
        let history = &html[html.find("id=\"history\"").expect("history")..];
        let by_decision = format!("Genom styrgruppsbeslut nr {decision}");
        assert!(history.matches(&by_decision).count() >= 2, "{history}");

        // English: the same form and messages.
        let res = cw
            .get(app.url("/sprak/en?tillbaka=/"))
            .send()
            .await
            .unwrap();
        assert!(res.status().is_success() || res.status().is_redirection());
        let (status, html) = send(valid("2027-02-30")).await;
        assert_eq!(status, 422);
        assert!(
            html.contains("<legend class=\"ds-label\">Create a step in the action plan</legend>")
        );
        assert!(html.contains("<legend class=\"ds-label\">Change a step</legend>"));
        assert!(
            html.contains(
                "href=\"#decision-new_step_due_date\">Due date: Enter the date as YYYY-MM-DD.</a>"
            ),
            "{html}"
        );
        assert_eq!(counts(&app, gid, pid).await, (1, 2, "active".into()));
        let (_, html) = page(&cw, &app, &format!("/deltagare/{pid}/plan")).await;
        assert!(html.contains(&format!("By steering-group decision no. {decision}")));
    }
);
