//! The public form `/arbetsgivare` and the coordinators' queue `/behov`:
//! a submission creates employer and need in the queue, a second one with
//! the same organisation number links the same employer, bad or over-long
//! input is refused with inline messages and nothing written, the honeypot
//! stores nothing, the rate limit answers 429, CSRF is checked; then a
//! coordinator finds the need in the queue, adds a workplace and takes it.

use crate::common::form;
use crate::common::{self, hidden_csrf, TestApp};
use crate::needs::api::{audit_count, count, org_number};

fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .cookie_store(true)
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

/// Open the form (for the CSRF cookie) and post `fields`.
async fn submit(app: &TestApp, c: &reqwest::Client, fields: &[(&str, &str)]) -> (u16, String) {
    let page = c.get(app.url("/arbetsgivare")).send().await.unwrap();
    assert_eq!(page.status().as_u16(), 200);
    let csrf = hidden_csrf(&page.text().await.unwrap());
    let mut form: Vec<(&str, &str)> = vec![("csrf", csrf.as_str())];
    form.extend_from_slice(fields);
    let res = c
        .post(app.url("/arbetsgivare"))
        .form(&form)
        .send()
        .await
        .unwrap();
    let status = res.status().as_u16();
    (status, res.text().await.unwrap())
}

const OCCUPATION: &str = "Undersköterska, hemtjänst, äldreboende och habilitering";

fn valid(org: &str) -> Vec<(&'static str, String)> {
    vec![
        ("organisation_number", org.to_string()),
        ("employer_name", "Omsorg i Söder AB".into()),
        ("contact_name", "Eva Exempel".into()),
        ("contact_email", "eva@example.se".into()),
        ("contact_phone", "08-123 456 78".into()),
        ("occupation", OCCUPATION.into()),
        ("positions", "2".into()),
        ("start_date", "2027-01-11".into()),
        ("description", "Kvällar och helger".into()),
        ("forms", "work_practice".into()),
        ("forms", "fixed_term_job".into()),
        ("swedish_level", "b1".into()),
        ("website", "".into()),
    ]
}

fn refs<'a>(v: &'a [(&'static str, String)]) -> Vec<(&'static str, &'a str)> {
    v.iter().map(|(k, v)| (*k, v.as_str())).collect()
}

both_engines!(
    a_public_need_lands_in_the_queue_and_links_the_employer,
    |app: TestApp| async move {
        app.load_taxonomy().await;
        let c = client();
        let org = org_number("556016068");
        let (status, html) = submit(&app, &c, &refs(&valid(&org))).await;
        assert_eq!(status, 200, "{html}");
        assert!(html.contains("id=\"reference\">K-"), "{html}");
        // Same organisation number, written differently: the same employer.
        let mut second = valid(&org.replace('-', ""));
        second[1].1 = "Omsorg i Söder Aktiebolag".into();
        let (status, _) = submit(&app, &c, &refs(&second)).await;
        assert_eq!(status, 200);
        assert_eq!(count(&app, "SELECT COUNT(*) AS n FROM employers").await, 1);
        assert_eq!(
            count(&app, "SELECT COUNT(*) AS n FROM competence_needs WHERE source = 'public_form' AND triaged_at IS NULL AND created_by IS NULL").await,
            2
        );
        assert_eq!(
            audit_count(&app, "competence_need.public_submit", "allowed:public_form").await,
            2
        );
        let queue = app
            .get("coordinator", "/api/v1/competence-needs?queue=true")
            .await
            .json;
        let queue = queue.as_array().unwrap();
        assert_eq!(queue.len(), 2);
        assert_eq!(queue[0]["contact_email"], "eva@example.se");
        assert_eq!(queue[0]["ssyk_code"], "5321");
        assert_eq!(queue[0]["positions"], 2);
        assert_eq!(
            queue[0]["forms"],
            serde_json::json!(["work_practice", "fixed_term_job"])
        );
        assert!(
            html.contains(queue[1]["reference"].as_str().unwrap()),
            "the first reference was shown"
        );

        // The coordinator's queue page, then the need: add a workplace, take it.
        let coord = app.login("coordinator").await;
        let page = form::page(&coord, &app, "/behov?ko=1").await.1;
        assert!(page.contains("Omsorg i Söder AB"), "{page}");
        let id = queue[0]["id"].as_i64().unwrap();
        let page = form::page(&coord, &app, &format!("/behov/{id}")).await.1;
        assert!(page.contains("Ta hand om"), "{page}");
        let csrf = hidden_csrf(&page);
        let html = form::sent(
            &coord,
            &app,
            &format!("/behov/{id}/arbetsplatser"),
            &[("csrf", csrf.as_str()), ("name", ""), ("postal_code", "12")],
            422,
        )
        .await;
        assert!(html.contains("id=\"workplace-name-error\""), "{html}");
        assert!(
            html.contains("id=\"workplace-postal_code-error\""),
            "{html}"
        );
        let res = coord
            .post(app.url(&format!("/behov/{id}/arbetsplatser")))
            .form(&[
                ("csrf", csrf.as_str()),
                ("name", "Hemtjänsten Söder"),
                ("postal_code", "118 20"),
                ("city", "Stockholm"),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(res.status().as_u16(), 303);
        let page = form::page(&coord, &app, &format!("/behov/{id}")).await.1;
        let wp = count(&app, "SELECT MAX(id) AS n FROM employer_workplaces").await;
        assert!(page.contains(&format!("<option value=\"{wp}\"")), "{page}");
        let res = coord
            .post(app.url(&format!("/behov/{id}/ta-hand-om")))
            .form(&[
                ("csrf", csrf.as_str()),
                ("version", "1"),
                ("workplace_id", &wp.to_string()),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(res.status().as_u16(), 303);
        let n = app
            .get("coordinator", &format!("/api/v1/competence-needs/{id}"))
            .await
            .json;
        assert_eq!(n["workplace_id"], wp);
        assert!(n["triaged_at"].is_string());
        let page = form::page(&coord, &app, "/behov?ko=1").await.1;
        assert!(
            !page.contains(&format!("href=\"/behov/{id}\"")),
            "taken: out of the queue"
        );
        let left = queue[1]["id"].as_i64().unwrap();
        assert!(
            page.contains(&format!("href=\"/behov/{left}\"")),
            "the other is still queued"
        );
        // A status change through the page.
        let res = coord
            .post(app.url(&format!("/behov/{id}/status")))
            .form(&[
                ("csrf", csrf.as_str()),
                ("version", "1"),
                ("status", "filled"),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(res.status().as_u16(), 409, "a stale form is a conflict");
        let res = coord
            .post(app.url(&format!("/behov/{id}/status")))
            .form(&[
                ("csrf", csrf.as_str()),
                ("version", "2"),
                ("status", "filled"),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(res.status().as_u16(), 303);
    }
);

both_engines!(
    bad_and_over_long_input_is_refused_inline_and_nothing_is_written,
    |app: TestApp| async move {
        app.load_taxonomy().await;
        let c = client();
        let long = "x".repeat(4001);
        let mut bad = valid(&org_number("556016068"));
        bad[0].1 = "556016-0681".into();
        bad[1].1 = "y".repeat(201);
        bad[2].1 = "".into();
        bad[3].1 = "inte-en-adress".into();
        bad[5].1 = "Drakvaktare".into();
        bad[6].1 = "0".into();
        bad[8].1 = long.clone();
        bad.retain(|(k, _)| *k != "forms");
        let (status, html) = submit(&app, &c, &refs(&bad)).await;
        assert_eq!(status, 422, "{html}");
        for f in [
            "organisation_number",
            "employer_name",
            "contact_name",
            "contact_email",
            "positions",
            "description",
            "forms",
        ] {
            assert!(
                html.contains(&format!("id=\"{f}-error\"")),
                "{f} not marked: {html}"
            );
        }
        assert!(
            html.contains("Kontrollsiffran stämmer inte"),
            "Swedish messages"
        );
        assert!(html.contains("id=\"error-summary\""));
        // Valid shape, but the occupation is unknown: named too.
        let mut unknown = valid(&org_number("556016068"));
        unknown[5].1 = "Drakvaktare".into();
        let (status, html) = submit(&app, &c, &refs(&unknown)).await;
        assert_eq!(status, 422);
        assert!(html.contains("id=\"occupation-error\""), "{html}");
        assert_eq!(count(&app, "SELECT COUNT(*) AS n FROM employers").await, 0);
        assert_eq!(
            count(&app, "SELECT COUNT(*) AS n FROM competence_needs").await,
            0
        );
        // English on request.
        let en = client();
        let page = en
            .get(app.url("/arbetsgivare"))
            .header("accept-language", "en")
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(page.contains("Tell us what staff you need"), "{page}");
        // Without the CSRF cookie: refused, nothing written.
        let res = client()
            .post(app.url("/arbetsgivare"))
            .form(&refs(&valid(&org_number("556016068"))))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status().as_u16(), 403);
        // Over the body limit: refused before anything runs.
        let huge = "z".repeat(70 * 1024);
        let mut big = valid(&org_number("556016068"));
        big[8].1 = huge;
        let page = form::page(&c, &app, "/arbetsgivare").await.1;
        let csrf = hidden_csrf(&page);
        let mut form = refs(&big);
        form.push(("csrf", csrf.as_str()));
        let res = c
            .post(app.url("/arbetsgivare"))
            .form(&form)
            .send()
            .await
            .unwrap();
        assert_eq!(res.status().as_u16(), 413);
        assert_eq!(
            count(&app, "SELECT COUNT(*) AS n FROM competence_needs").await,
            0
        );
    }
);

both_engines!(the_honeypot_and_the_rate_limit, |app: TestApp| async move {
    app.load_taxonomy().await;
    let c = client();
    let mut bot = valid(&org_number("556016068"));
    bot.last_mut().unwrap().1 = "http://spam.example".into();
    let (status, html) = submit(&app, &c, &refs(&bot)).await;
    assert_eq!(status, 200, "the bot sees the same thank-you page");
    assert!(html.contains("id=\"reference\">K-"));
    assert_eq!(count(&app, "SELECT COUNT(*) AS n FROM employers").await, 0);
    assert_eq!(
        count(&app, "SELECT COUNT(*) AS n FROM competence_needs").await,
        0
    );
    // Four more (five in all) are accepted, the sixth within the hour is 429.
    for _ in 0..4 {
        let (status, html) = submit(&app, &c, &refs(&valid(&org_number("556016068")))).await;
        assert_eq!(status, 200, "{html}");
    }
    let (status, html) = submit(&app, &c, &refs(&valid(&org_number("556016068")))).await;
    assert_eq!(status, 429, "{html}");
    assert!(html.contains("Vänta en stund"), "{html}");
    assert_eq!(
        count(&app, "SELECT COUNT(*) AS n FROM competence_needs").await,
        4
    );
    // An hour later the address may submit again.
    app.clock.advance(chrono::Duration::minutes(61));
    let (status, _) = submit(&app, &c, &refs(&valid(&org_number("556016068")))).await;
    assert_eq!(status, 200);
    assert_eq!(
        count(&app, "SELECT COUNT(*) AS n FROM competence_needs").await,
        5
    );
    // The stored counter holds no address.
    assert_eq!(
        count(
            &app,
            "SELECT COUNT(*) AS n FROM login_throttle WHERE throttle_key LIKE '%127.0.0.1%'"
        )
        .await,
        0
    );
    let _ = common::ci();
});

both_engines!(
    the_queue_pages_follow_the_policy_and_the_script_is_served,
    |app: TestApp| async move {
        for user in ["partner", "analyst"] {
            let c = app.login(user).await;
            let res = c.get(app.url("/behov")).send().await.unwrap();
            assert_eq!(res.status().as_u16(), 403, "{user}");
        }
        let cw = app.login("cw_a").await;
        let page = form::page(&cw, &app, "/behov").await.1;
        assert!(page.contains("href=\"/behov\""), "nav link for readers");
        let res = cw.get(app.url("/behov/ny")).send().await.unwrap();
        assert_eq!(res.status().as_u16(), 403);
        let res = client()
            .get(app.url("/static/autocomplete.js"))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status().as_u16(), 200);
        assert!(res.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/javascript"));
        let page = client().get(app.url("/arbetsgivare")).send().await.unwrap();
        let csp = page.headers()["content-security-policy"]
            .to_str()
            .unwrap()
            .to_string();
        assert!(csp.contains("script-src 'self'"));
        let html = page.text().await.unwrap();
        assert!(html.contains("<script src=\"/static/autocomplete.js\" defer></script>"));
        assert!(html.contains("data-autocomplete=\"/api/v1/taxonomy/occupations\""));
    }
);

both_engines!(
    a_short_occupation_offers_a_choice_without_javascript,
    |app: TestApp| async move {
        app.load_taxonomy().await;
        let c = client();
        let org = org_number("556016068");
        // "Undersköterska", as the hint says: several occupations in two SSYK
        // groups. The form asks which, values kept, nothing written.
        let mut fields = valid(&org);
        fields[5].1 = "Undersköterska".into();
        let (status, html) = submit(&app, &c, &refs(&fields)).await;
        assert_eq!(status, 422, "{html}");
        assert!(html.contains("id=\"occupation-choices\""), "{html}");
        assert!(
            html.contains("Vilket yrke menar du med ”Undersköterska”?"),
            "{html}"
        );
        assert!(
            html.contains("SSYK 5321") && html.contains("SSYK 5323"),
            "{html}"
        );
        assert!(
            html.contains("value=\"Omsorg i Söder AB\""),
            "the values are kept"
        );
        let needs = "SELECT COUNT(*) AS n FROM competence_needs";
        assert_eq!(count(&app, needs).await, 0);
        // Picking one (its concept id, as the radio sends it) files the need.
        let start = html
            .find("name=\"occupation\" id=\"occupation-1\" value=\"")
            .unwrap();
        let rest = &html[start + "name=\"occupation\" id=\"occupation-1\" value=\"".len()..];
        let picked = rest[..rest.find('"').unwrap()].to_string();
        fields[5].1 = picked;
        let (status, html) = submit(&app, &c, &refs(&fields)).await;
        assert_eq!(status, 200, "{html}");
        let ssyk: (String,) = vagar_store::sqlx::query_as("SELECT ssyk_code FROM competence_needs")
            .fetch_one(app.store.pool())
            .await
            .unwrap();
        assert!(ssyk.0 == "5321" || ssyk.0 == "5323", "{}", ssyk.0);
        // A word that lies in one SSYK group only resolves to it directly.
        let mut fields = valid(&org);
        fields[5].1 = "Vårdbiträde".into();
        let (status, html) = submit(&app, &c, &refs(&fields)).await;
        assert_eq!(status, 200, "{html}");
    }
);
