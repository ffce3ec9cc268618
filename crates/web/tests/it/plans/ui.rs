//! The collaboration pages over HTTP on both engines, as a browser without
//! JavaScript uses them: the shared action plan page (goal, steps of two
//! organisations, per-step changes, contacts, history), the consent section
//! of the participant page, handover and the common entry. Every form posts
//! its CSRF token; a form with errors comes back with inline messages and the
//! values as typed; another unit's caseworker gets the 404 page, a partner
//! sees the plan only under consent.

use crate::common;

use crate::common::form::{page, post};
use chrono::Duration;
use common::{day, hidden_csrf, TestApp};
use serde_json::json;

async fn register(app: &TestApp, i: u32) -> i64 {
    app.register("cw_a", i, "Plan", "Stegsson").await
}

/// The text of the `<tbody>` of the table with this id, tags stripped.
fn table_text(html: &str, id: &str) -> String {
    let start = html
        .find(&format!("id=\"{id}\""))
        .unwrap_or_else(|| panic!("table {id} on the page:\n{html}"));
    let end = html[start..].find("</table>").unwrap() + start;
    let mut out = String::new();
    let mut in_tag = false;
    for ch in html[start..end].chars() {
        match ch {
            '<' => {
                in_tag = true;
                out.push(' ');
            }
            '>' => in_tag = false,
            c if !in_tag => out.push(c),
            _ => {}
        }
    }
    out.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// The step ids of the plan, in table order, from the per-step forms.
fn step_ids(html: &str) -> Vec<i64> {
    html.match_indices("/plan/steg/")
        .map(|(i, m)| {
            let rest = &html[i + m.len()..];
            rest[..rest.find('"').unwrap()].parse().unwrap()
        })
        .collect()
}

both_engines!(
    a_caseworker_builds_a_plan_with_steps_of_two_organisations,
    |app: TestApp| async move {
        let id = register(&app, 1).await;
        let af = app.org("AF").await;
        let cw = app.login("cw_a").await;
        let plan = format!("/deltagare/{id}/plan");

        let (status, html) = page(&cw, &app, &format!("/deltagare/{id}")).await;
        assert_eq!(status, 200);
        assert!(
            html.contains(&format!("href=\"{plan}\"")),
            "link to the plan"
        );

        let (status, html) = page(&cw, &app, &plan).await;
        assert_eq!(status, 200);
        assert_eq!(html.matches("<h1").count(), 1);
        assert!(html.contains("ingen handlingsplan ännu"), "{html}");
        assert!(!html.contains("id=\"step-form\""), "no steps before a goal");
        let csrf = hidden_csrf(&html);

        // Without the CSRF token nothing happens.
        let (status, _, _) = post(
            &cw,
            &app,
            "wrong",
            &format!("{plan}/mal"),
            &[
                ("goal_kind", "occupation"),
                ("ssyk_code", "5321"),
                ("goal_title", "X"),
            ],
        )
        .await;
        assert_eq!(status, 403);

        let (status, location, _) = post(
            &cw,
            &app,
            &csrf,
            &format!("{plan}/mal"),
            &[
                ("goal_kind", "occupation"),
                ("ssyk_code", "5321"),
                ("goal_title", "Undersköterska"),
            ],
        )
        .await;
        assert_eq!(status, 303);
        assert_eq!(location, format!("{plan}?sparad=mal"));
        let (_, html) = page(&cw, &app, &location).await;
        assert!(html.contains("role=\"status\""), "a status message");
        assert!(html.contains("Undersköterska"));

        // The organisation select lists every organisation.
        for name in ["A", "B", "AF", "Employer"] {
            assert!(html.contains(&format!(">{name}</option>")), "org {name}");
        }

        let t = app.today();
        let a = app.org_a.to_string();
        let cw_a2 = app.user_ids["cw_a2"].to_string();
        let (status, location, body) = post(
            &cw,
            &app,
            &csrf,
            &format!("{plan}/steg"),
            &[
                ("activity_type", "work_practice"),
                ("activity_text", ""),
                ("organisation_id", &a),
                ("responsible_user_id", &cw_a2),
                ("start_date", &day(t)),
                ("due_date", &day(t + Duration::days(90))),
                ("status", "planned"),
            ],
        )
        .await;
        assert_eq!(status, 303, "{body}");
        assert_eq!(location, format!("{plan}?sparad=steg"));
        let af_s = af.to_string();
        let (start, due) = (day(t + Duration::days(30)), day(t + Duration::days(120)));
        let mut af_step = vec![
            ("activity_type", "other"),
            ("activity_text", "Validering av vårdkompetens"),
            ("organisation_id", af_s.as_str()),
            ("responsible_user_id", ""),
            ("start_date", start.as_str()),
            ("due_date", due.as_str()),
            ("status", "active"),
        ];
        // AF has no consent to see the plan: a warning first, values kept,
        // with the way to record one; nothing written.
        let (status, _, body) = post(&cw, &app, &csrf, &format!("{plan}/steg"), &af_step).await;
        assert_eq!(status, 422, "{body}");
        assert!(
            body.contains("id=\"no-consent\"") && body.contains("#samtycken"),
            "{body}"
        );
        assert!(
            body.contains("inget samtycke som gäller handlingsplanen"),
            "{body}"
        );
        assert!(
            body.contains("Validering av vårdkompetens"),
            "the values are kept: {body}"
        );
        // Going on knowingly adds it.
        af_step.push(("without_consent", "1"));
        let (status, _, body) = post(&cw, &app, &csrf, &format!("{plan}/steg"), &af_step).await;
        assert_eq!(status, 303, "{body}");

        let (_, html) = page(&cw, &app, &plan).await;
        let steps = table_text(&html, "steps");
        assert!(
            steps.contains("1 Arbetsträning eller praktik A cw_a2 Testsson"),
            "{steps}"
        );
        assert!(
            steps.contains("2 Annat: Validering av vårdkompetens AF"),
            "{steps}"
        );
        assert!(steps.contains("Pågår"), "{steps}");
        let ids = step_ids(&html);
        assert_eq!(ids.len(), 2, "both steps editable for the plan's owner");

        // Change the first step: active, then done with a result note.
        let (status, _, body) = post(
            &cw,
            &app,
            &csrf,
            &format!("{plan}/steg/{}", ids[0]),
            &[
                ("version", "1"),
                ("status", "done"),
                ("result_note", "Fick jobb"),
            ],
        )
        .await;
        assert_eq!(status, 303, "{body}");

        // A contact.
        let (status, _, body) = post(
            &cw,
            &app,
            &csrf,
            &format!("/deltagare/{id}/kontakter"),
            &[
                ("contact_date", &day(t)),
                ("organisation_id", &a),
                ("kind", "call"),
                ("note", "Ringde om praktiken"),
            ],
        )
        .await;
        assert_eq!(status, 303, "{body}");

        let (_, html) = page(&cw, &app, &plan).await;
        assert!(table_text(&html, "steps").contains("Klart Fick jobb"));
        assert!(table_text(&html, "contacts").contains("Samtal Ringde om praktiken"));
        let history = table_text(&html, "history");
        assert!(
            history.contains("cw_a Testsson (A) Steg 1 Status Planerat → Klart"),
            "{history}"
        );
        assert!(
            history.contains("Steg 1 Resultat – → Fick jobb")
                || history.contains("Steg 1 Resultat Fick jobb"),
            "{history}"
        );
        assert!(
            history.contains("Målet Yrke eller utbildning Undersköterska"),
            "{history}"
        );
        assert!(
            history.contains("Steg 2 Ansvarig organisation AF"),
            "{history}"
        );
        assert!(
            html.contains("<th scope=\"col\">"),
            "tables have column headers"
        );

        // The same plan through the API: what the page built.
        let (s, json) = app
            .get_json("cw_a", &format!("/api/v1/participants/{id}/plan"))
            .await;
        assert_eq!(s, 200);
        let orgs: Vec<i64> = json["steps"]
            .as_array()
            .unwrap()
            .iter()
            .map(|s| s["organisation_id"].as_i64().unwrap())
            .collect();
        assert_eq!(orgs, vec![app.org_a, af]);
    }
);

both_engines!(
    an_invalid_or_stale_form_shows_inline_errors_and_keeps_values,
    |app: TestApp| async move {
        let id = register(&app, 2).await;
        let cw = app.login("cw_a").await;
        let plan = format!("/deltagare/{id}/plan");
        let (_, html) = page(&cw, &app, &plan).await;
        let csrf = hidden_csrf(&html);

        // An occupation goal without a valid SSYK code.
        let (status, _, html) = post(
            &cw,
            &app,
            &csrf,
            &format!("{plan}/mal"),
            &[
                ("goal_kind", "occupation"),
                ("ssyk_code", "53X"),
                ("goal_title", "Undersköterska"),
            ],
        )
        .await;
        assert_eq!(status, 422);
        assert!(html.contains("id=\"error-summary\""));
        assert!(html.contains("href=\"#goal-ssyk_code\""));
        assert!(html.contains("id=\"goal-ssyk_code-error\""));
        assert!(html.contains("aria-describedby=\"goal-ssyk_code-hint goal-ssyk_code-error\""));
        assert!(html.contains("value=\"53X\""), "the value as typed");
        assert!(html.contains("value=\"Undersköterska\""));
        assert!(html.contains("Ange fyra siffror enligt SSYK 2012."));
        assert!(html.contains("<title>Fel: "));

        let (status, _, _) = post(
            &cw,
            &app,
            &csrf,
            &format!("{plan}/mal"),
            &[
                ("goal_kind", "education"),
                ("ssyk_code", ""),
                ("goal_title", "Vård- och omsorgsprogrammet"),
            ],
        )
        .await;
        assert_eq!(status, 303);

        // A step that ends before it starts, for a person of another organisation.
        let t = app.today();
        let a = app.org_a.to_string();
        let cw_b = app.user_ids["cw_b"].to_string();
        let (status, _, html) = post(
            &cw,
            &app,
            &csrf,
            &format!("{plan}/steg"),
            &[
                ("activity_type", "sfi"),
                ("activity_text", "Kvällskurs"),
                ("organisation_id", &a),
                ("responsible_user_id", &cw_b),
                ("start_date", &day(t + Duration::days(10))),
                ("due_date", &day(t)),
                ("status", "planned"),
            ],
        )
        .await;
        assert_eq!(status, 422);
        assert!(html.contains("id=\"step-due_date-error\""), "{html}");
        assert!(html.contains("value=\"Kvällskurs\""));
        assert!(html.contains(&format!("value=\"{}\"", day(t + Duration::days(10)))));
        assert!(html.contains("Slutdatumet kan inte ligga före startdatumet."));
        // Fixing the dates, the person must belong to the organisation.
        let (status, _, html) = post(
            &cw,
            &app,
            &csrf,
            &format!("{plan}/steg"),
            &[
                ("activity_type", "sfi"),
                ("activity_text", "Kvällskurs"),
                ("organisation_id", &a),
                ("responsible_user_id", &cw_b),
                ("start_date", &day(t)),
                ("due_date", &day(t + Duration::days(10))),
                ("status", "planned"),
            ],
        )
        .await;
        assert_eq!(status, 422);
        assert!(
            html.contains("id=\"step-responsible_user_id-error\""),
            "{html}"
        );
        let (status, _, _) = post(
            &cw,
            &app,
            &csrf,
            &format!("{plan}/steg"),
            &[
                ("activity_type", "sfi"),
                ("organisation_id", &a),
                ("start_date", &day(t)),
                ("due_date", &day(t + Duration::days(10))),
            ],
        )
        .await;
        assert_eq!(status, 303);
        let (_, html) = page(&cw, &app, &plan).await;
        let step = step_ids(&html)[0];

        // Another caseworker changes the step first: the stale form says so.
        let cw2 = app.login("cw_a2").await;
        let (_, html2) = page(&cw2, &app, &plan).await;
        let (status, _, _) = post(
            &cw2,
            &app,
            &hidden_csrf(&html2),
            &format!("{plan}/steg/{step}"),
            &[("version", "1"), ("status", "active"), ("result_note", "")],
        )
        .await;
        assert_eq!(status, 303);
        let (status, _, html) = post(
            &cw,
            &app,
            &csrf,
            &format!("{plan}/steg/{step}"),
            &[
                ("version", "1"),
                ("status", "cancelled"),
                ("result_note", ""),
            ],
        )
        .await;
        assert_eq!(status, 409);
        assert!(
            html.contains("Någon annan har ändrat uppgifterna"),
            "{html}"
        );
        assert!(table_text(&html, "steps").contains("Pågår"));

        // A closed step cannot be reopened: inline error on that step's form.
        let (status, _, _) = post(
            &cw,
            &app,
            &csrf,
            &format!("{plan}/steg/{step}"),
            &[
                ("version", "2"),
                ("status", "done"),
                ("result_note", "Klar"),
            ],
        )
        .await;
        assert_eq!(status, 303);
        let (status, _, html) = post(
            &cw,
            &app,
            &csrf,
            &format!("{plan}/steg/{step}"),
            &[
                ("version", "3"),
                ("status", "active"),
                ("result_note", "Igen"),
            ],
        )
        .await;
        assert_eq!(status, 422);
        assert!(
            html.contains(&format!("id=\"s{step}-status-error\"")),
            "{html}"
        );
        assert!(html.contains(">Igen</textarea>"), "the note as typed");

        // A contact in the future.
        let (status, _, html) = post(
            &cw,
            &app,
            &csrf,
            &format!("/deltagare/{id}/kontakter"),
            &[
                ("contact_date", &day(t + Duration::days(3))),
                ("organisation_id", &a),
                ("kind", "meeting"),
                ("note", "Framtida"),
            ],
        )
        .await;
        assert_eq!(status, 422);
        assert!(html.contains("id=\"contact-contact_date-error\""));
        assert!(html.contains(">Framtida</textarea>"));
    }
);

both_engines!(
    another_unit_gets_404_and_a_partner_sees_the_plan_only_with_consent,
    |app: TestApp| async move {
        let id = register(&app, 3).await;
        let af = app.org("AF").await;
        let cw = app.login("cw_a").await;
        let plan = format!("/deltagare/{id}/plan");
        let (_, html) = page(&cw, &app, &plan).await;
        let csrf = hidden_csrf(&html);
        let t = app.today();
        post(
            &cw,
            &app,
            &csrf,
            &format!("{plan}/mal"),
            &[
                ("goal_kind", "occupation"),
                ("ssyk_code", "5321"),
                ("goal_title", "Undersköterska"),
            ],
        )
        .await;
        for org in [app.org_a, af] {
            let (status, _, body) = post(
                &cw,
                &app,
                &csrf,
                &format!("{plan}/steg"),
                &[
                    ("activity_type", "job_search"),
                    ("organisation_id", &org.to_string()),
                    ("start_date", &day(t)),
                    ("due_date", &day(t + Duration::days(30))),
                    // AF has no consent yet: added knowingly, after the warning.
                    ("without_consent", "1"),
                ],
            )
            .await;
            assert_eq!(status, 303, "{body}");
        }

        let b = app.login("cw_b").await;
        let (status, html) = page(&b, &app, &plan).await;
        assert_eq!(status, 404);
        assert!(html.contains("finns inte"));
        let (_, home) = page(&b, &app, "/deltagare").await;
        let (status, _, _) = post(
            &b,
            &app,
            &hidden_csrf(&home),
            &format!("{plan}/steg"),
            &[
                ("activity_type", "sfi"),
                ("organisation_id", &app.org_b.to_string()),
                ("start_date", &day(t)),
                ("due_date", &day(t)),
            ],
        )
        .await;
        assert_eq!(status, 404);

        let partner = app.login("partner").await;
        let (status, _) = page(&partner, &app, &plan).await;
        assert_eq!(status, 404, "no consent: the person does not exist");

        let (s, json) = app
            .send_json(
                "cw_a",
                reqwest::Method::POST,
                &format!("/api/v1/participants/{id}/consents"),
                &json!({ "organisation_ids": [af], "categories": ["action_plan"],
                         "method": "written", "valid_from": day(t) }),
            )
            .await;
        assert_eq!(s, 201, "{json}");
        let consent = json["id"].as_i64().unwrap();

        let (status, html) = page(&partner, &app, &plan).await;
        assert_eq!(status, 200, "{html}");
        assert!(
            table_text(&html, "steps").contains("Undersköterska")
                || html.contains("Undersköterska")
        );
        let ids = step_ids(&html);
        assert_eq!(ids.len(), 1, "the partner edits only AF's step");
        assert!(!html.contains("id=\"goal-form\""), "the goal is not theirs");
        // The partner's step form offers only their own organisation.
        let select = {
            let start = html
                .find("id=\"step-organisation_id\"")
                .expect("org select");
            let end = html[start..].find("</select>").unwrap() + start;
            html[start..end].to_string()
        };
        assert!(
            select.contains(&format!("<option value=\"{af}\"")),
            "{select}"
        );
        assert_eq!(select.matches("<option").count(), 1, "{select}");
        let pcsrf = hidden_csrf(&html);
        let (status, _, body) = post(
            &partner,
            &app,
            &pcsrf,
            &format!("{plan}/steg/{}", ids[0]),
            &[
                ("version", "1"),
                ("status", "active"),
                ("result_note", "Inskriven hos AF"),
            ],
        )
        .await;
        assert_eq!(status, 303, "{body}");
        // Another organisation's step: refused.
        let (_, html) = page(&cw, &app, &plan).await;
        let all = step_ids(&html);
        let a_step = all.iter().find(|s| **s != ids[0]).unwrap();
        let (status, _, _) = post(
            &partner,
            &app,
            &pcsrf,
            &format!("{plan}/steg/{a_step}"),
            &[("version", "1"), ("status", "active"), ("result_note", "")],
        )
        .await;
        assert_eq!(status, 403);

        // Revoked: gone again, on the next request.
        app.post(
            "cw_a",
            &format!("/api/v1/participants/{id}/consents/{consent}/revoke"),
            json!({ "reason": "Deltagaren återkallade" }),
        )
        .await
        .must(200);
        let (status, _) = page(&partner, &app, &plan).await;
        assert_eq!(status, 404);
    }
);

both_engines!(
    consent_is_recorded_and_revoked_through_the_participant_page,
    |app: TestApp| async move {
        let id = register(&app, 4).await;
        let af = app.org("AF").await.to_string();
        let cw = app.login("cw_a").await;
        let path = format!("/deltagare/{id}");
        let (status, html) = page(&cw, &app, &path).await;
        assert_eq!(status, 200);
        assert!(html.contains("Inga samtycken är registrerade."));
        assert!(html.contains("id=\"consent-form\""));
        let csrf = hidden_csrf(&html);
        let t = app.today();

        // Wrong token: refused.
        let (status, _, _) = post(
            &cw,
            &app,
            "nope",
            &format!("{path}/samtycken"),
            &[
                ("organisation_ids", &af),
                ("categories", "action_plan"),
                ("method", "written"),
            ],
        )
        .await;
        assert_eq!(status, 403);

        // No categories and an end before the start: inline errors, values kept.
        let (status, _, html) = post(
            &cw,
            &app,
            &csrf,
            &format!("{path}/samtycken"),
            &[
                ("organisation_ids", &af),
                ("valid_from", &day(t)),
                ("valid_to", &day(t - Duration::days(1))),
                ("method", "verbal"),
                ("note", "Per telefon"),
            ],
        )
        .await;
        assert_eq!(status, 422);
        assert!(html.contains("id=\"error-summary\""));
        assert!(html.contains("id=\"consent-categories-error\""), "{html}");
        assert!(html.contains("id=\"consent-valid_to-error\""));
        assert!(html.contains(&format!("id=\"consent-org-{af}\" value=\"{af}\" checked")));
        assert!(html.contains("id=\"consent-method-verbal\" value=\"verbal\" checked"));
        assert!(html.contains(">Per telefon</textarea>"));

        let (status, location, _) = post(
            &cw,
            &app,
            &csrf,
            &format!("{path}/samtycken"),
            &[
                ("organisation_ids", &af),
                ("categories", "action_plan"),
                ("categories", "contact_details"),
                ("valid_from", &day(t)),
                ("valid_to", ""),
                ("method", "written"),
                ("note", ""),
            ],
        )
        .await;
        assert_eq!(status, 303);
        let (_, html) = page(&cw, &app, &location).await;
        assert!(html.contains("Samtycket är registrerat."));
        let row = table_text(&html, "consents");
        assert!(row.contains("AF"), "{row}");
        assert!(
            row.contains("Kontaktuppgifter, Handlingsplan")
                || row.contains("Handlingsplan, Kontaktuppgifter"),
            "{row}"
        );
        assert!(row.contains("tills vidare"), "{row}");
        assert!(row.contains("Skriftligt"), "{row}");
        // Who recorded it, by name and organisation, not by username.
        assert!(row.contains("cw_a Testsson (A)"), "{row}");
        assert!(row.contains("Gäller"), "{row}");

        // The partner now sees the person, but not the consent register.
        let partner = app.login("partner").await;
        let (status, phtml) = page(&partner, &app, &path).await;
        assert_eq!(status, 200);
        assert!(!phtml.contains("id=\"consents\""));
        assert!(!phtml.contains("id=\"consent-form\""));
        assert!(!phtml.contains("id=\"handover-form\""));

        // Revoke: a reason is required.
        let start = html.find("/samtycken/").unwrap() + "/samtycken/".len();
        let cid: i64 = html[start..start + html[start..].find('/').unwrap()]
            .parse()
            .unwrap();
        let revoke = format!("{path}/samtycken/{cid}/aterkalla");
        let (status, _, html) = post(&cw, &app, &csrf, &revoke, &[("reason", "  ")]).await;
        assert_eq!(status, 422);
        assert!(
            html.contains(&format!("id=\"r{cid}-reason-error\"")),
            "{html}"
        );
        let (status, _, _) = post(
            &cw,
            &app,
            &csrf,
            &revoke,
            &[("reason", "Deltagaren återkallade muntligt")],
        )
        .await;
        assert_eq!(status, 303);
        let (_, html) = page(&cw, &app, &path).await;
        let row = table_text(&html, "consents");
        assert!(row.contains("Återkallat"), "{row}");
        assert!(row.contains("Deltagaren återkallade muntligt"), "{row}");
        assert!(!html.contains(&revoke), "no second revocation");
        let (status, _) = page(&partner, &app, &path).await;
        assert_eq!(status, 404, "revoked: gone for the partner");

        // Another unit cannot post here.
        let b = app.login("cw_b").await;
        let (_, bhtml) = page(&b, &app, "/deltagare").await;
        let (status, _, _) = post(
            &b,
            &app,
            &hidden_csrf(&bhtml),
            &format!("{path}/samtycken"),
            &[
                ("organisation_ids", &af),
                ("categories", "action_plan"),
                ("method", "written"),
            ],
        )
        .await;
        assert_eq!(status, 404);
    }
);

both_engines!(
    a_participant_is_handed_over_to_another_caseworker,
    |app: TestApp| async move {
        let id = app
            .create(
                "cw_a",
                json!({ "identity_number": common::pnr(5), "first_name": "Över",
                    "last_name": "Lämning",
                        "responsible_caseworker_id": app.user_ids["cw_a"] }),
            )
            .await["id"]
            .as_i64()
            .unwrap();
        let cw = app.login("cw_a").await;
        let path = format!("/deltagare/{id}");
        let (_, html) = page(&cw, &app, &path).await;
        assert!(html.contains("id=\"handover-form\""));
        let csrf = hidden_csrf(&html);
        let (status, _, html) = post(
            &cw,
            &app,
            &csrf,
            &format!("{path}/overlamna"),
            &[("to_user_id", "")],
        )
        .await;
        assert_eq!(status, 422);
        assert!(html.contains("id=\"handover-to_user_id-error\""));
        let to = app.user_ids["cw_b"].to_string();
        let (status, location, _) = post(
            &cw,
            &app,
            &csrf,
            &format!("{path}/overlamna"),
            &[("to_user_id", &to)],
        )
        .await;
        assert_eq!(status, 303);
        let (_, html) = page(&cw, &app, &location).await;
        assert!(html.contains("Deltagaren är överlämnad."));
        assert!(
            html.contains("cw_b Testsson"),
            "the new caseworker is shown"
        );
        // cw_b (another unit) now holds the caseload.
        let b = app.login("cw_b").await;
        let (status, _) = page(&b, &app, &path).await;
        assert_eq!(status, 200);
    }
);

both_engines!(
    the_common_entry_registers_or_attaches_without_disclosing_more,
    |app: TestApp| async move {
        let af = app.org("AF").await.to_string();
        let cw = app.login("cw_a").await;
        let (status, html) = page(&cw, &app, "/inskrivning").await;
        assert_eq!(status, 200);
        assert!(html.contains("href=\"/inskrivning\" aria-current=\"page\""));
        let csrf = hidden_csrf(&html);

        // Missing referring organisation and a bad number: inline errors.
        let (status, _, html) = post(
            &cw,
            &app,
            &csrf,
            "/inskrivning",
            &[
                ("identity_number", "123"),
                ("first_name", "Ny"),
                ("last_name", "Ingång"),
                ("referred_by_organisation_id", ""),
                ("note", "Remiss från AF"),
            ],
        )
        .await;
        assert_eq!(status, 422);
        assert!(
            html.contains("id=\"referred_by_organisation_id-error\""),
            "{html}"
        );
        assert!(html.contains("id=\"identity_number-error\""));
        assert!(html.contains(">Remiss från AF</textarea>"));
        assert!(html.contains("value=\"Ingång\""));

        // A new person: registered and shown.
        let number = common::pnr(9);
        let (status, location, _) = post(
            &cw,
            &app,
            &csrf,
            "/inskrivning",
            &[
                ("identity_number", &number),
                ("first_name", "Ny"),
                ("last_name", "Ingång"),
                ("referred_by_organisation_id", &af),
                ("note", ""),
            ],
        )
        .await;
        assert_eq!(status, 303);
        assert!(location.ends_with("?inskriven=ny"), "{location}");
        let (_, html) = page(&cw, &app, &location).await;
        assert!(html.contains("Personen är registrerad och inskriven."));
        let id = location
            .trim_start_matches("/deltagare/")
            .split('?')
            .next()
            .unwrap()
            .to_string();

        // The same number again (another spelling): attached, same person.
        let compact = number.replace('-', "");
        let (status, location, _) = post(
            &cw,
            &app,
            &csrf,
            "/inskrivning",
            &[
                ("identity_number", &compact),
                ("first_name", "Ny"),
                ("last_name", "Ingång"),
                ("referred_by_organisation_id", &af),
            ],
        )
        .await;
        assert_eq!(status, 303);
        assert_eq!(location, format!("/deltagare/{id}?inskriven=befintlig"));

        // Another unit's caseworker: attached, but told nothing more.
        let b = app.login("cw_b").await;
        let (_, bhtml) = page(&b, &app, "/inskrivning").await;
        let (status, _, html) = post(
            &b,
            &app,
            &hidden_csrf(&bhtml),
            "/inskrivning",
            &[
                ("identity_number", &number),
                ("first_name", "Annat"),
                ("last_name", "Namn"),
                ("referred_by_organisation_id", &af),
            ],
        )
        .await;
        assert_eq!(status, 200);
        assert!(html.contains("role=\"status\""));
        assert!(html.contains("du har inte behörighet att se den"));
        assert!(!html.contains(&format!("/deltagare/{id}")));
        assert!(!html.contains("Ingång"));

        // A partner may not use the common entry.
        let partner = app.login("partner").await;
        let (status, _) = page(&partner, &app, "/inskrivning").await;
        assert_eq!(status, 403);
    }
);

both_engines!(
    the_between_chairs_page_lists_whom_the_reader_may_see_with_reasons,
    |app: TestApp| async move {
        let id = register(&app, 11).await;
        let cw = app.login("cw_a").await;
        let (status, html) = page(&cw, &app, "/mellan-stolarna").await;
        assert_eq!(status, 200);
        assert!(html.contains("href=\"/mellan-stolarna\" aria-current=\"page\""));
        assert_eq!(html.matches("<h1").count(), 1);
        let rows = table_text(&html, "alerts");
        assert!(rows.contains("Stegsson, Plan"), "{rows}");
        assert!(rows.contains("Inget pågående steg"), "{rows}");
        assert!(html.contains(&format!("href=\"/deltagare/{id}\"")));
        assert!(html.contains("role=\"status\""));

        // Filtered to a reason that does not apply: nobody.
        let (status, html) = page(&cw, &app, "/mellan-stolarna?reason=overdue_step&days=30").await;
        assert_eq!(status, 200);
        assert!(!html.contains("id=\"alerts\""));
        assert!(html.contains("id=\"reason-overdue_step\" value=\"overdue_step\" checked"));

        // Days out of range: an inline error.
        let (status, html) = page(&cw, &app, "/mellan-stolarna?days=0").await;
        assert_eq!(status, 422);
        assert!(html.contains("id=\"days-error\""));

        // Another unit sees nobody of unit A.
        let b = app.login("cw_b").await;
        let (_, html) = page(&b, &app, "/mellan-stolarna").await;
        assert!(!html.contains("Stegsson"));
    }
);

/// Message keys the page printed instead of text (a missing translation).
fn raw_keys(html: &str) -> Vec<String> {
    let prefixes = [
        "plan-",
        "step-status-",
        "activity-",
        "goal-kind-",
        "history-",
        "contact-",
        "contacts-",
        "consent-",
        "consents-",
        "category-",
        "method-",
        "handover-",
        "intake-",
        "alerts-",
        "reason-",
        "err-",
        "nav-",
        "field-",
    ];
    let text: String = {
        let mut out = String::new();
        let mut in_tag = false;
        for ch in html.chars() {
            match ch {
                '<' => {
                    in_tag = true;
                    out.push(' ');
                }
                '>' => in_tag = false,
                c if !in_tag => out.push(c),
                _ => {}
            }
        }
        out
    };
    text.split_whitespace()
        .filter(|w| prefixes.iter().any(|p| w.starts_with(p)))
        .map(str::to_string)
        .collect()
}

both_engines!(
    every_new_page_is_translated_in_both_languages,
    |app: TestApp| async move {
        let id = register(&app, 12).await;
        let af = app.org("AF").await;
        let t = app.today();
        for (path, body) in [(
            format!("/api/v1/participants/{id}/plan"),
            json!({"goal_kind": "education", "goal_title": "Komvux"}),
        )] {
            app.put("cw_a", &path, body).await.must(201);
        }
        app.post(
            "cw_a",
            &format!("/api/v1/participants/{id}/plan/steps"),
            json!({"activity_type": "sfi", "organisation_id": af,
                        "start_date": day(t), "due_date": day(t + Duration::days(5))}),
        )
        .await
        .must(201);
        let consent =
            json!({"organisation_ids": [af], "categories": ["action_plan"], "method": "digital"});
        app.post(
            "cw_a",
            &format!("/api/v1/participants/{id}/consents"),
            consent,
        )
        .await
        .must(201);
        let cw = app.login("cw_a").await;
        for lang in ["sv", "en"] {
            let res = cw
                .get(app.url(&format!("/sprak/{lang}?tillbaka=%2F")))
                .send()
                .await
                .unwrap();
            assert_eq!(res.status().as_u16(), 303);
            for path in [
                format!("/deltagare/{id}"),
                format!("/deltagare/{id}/plan"),
                "/inskrivning".to_string(),
                "/mellan-stolarna".to_string(),
            ] {
                let (status, html) = page(&cw, &app, &path).await;
                assert_eq!(status, 200, "{path}");
                assert!(html.contains(&format!("<html lang=\"{lang}\"")), "{path}");
                assert_eq!(raw_keys(&html), Vec::<String>::new(), "{lang} {path}");
                assert_eq!(html.matches("<h1").count(), 1, "{path}");
            }
        }
    }
);
