//! The employer register's pages for a coordinator on both engines: the nav
//! link, registering an employer with an inline error first (bad
//! organisation number, values kept), then adding a workplace (an unknown
//! municipality first); the English page; and the pages closed to partners.

use crate::common;

use common::{hidden_csrf, TestApp};

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
    coordinator_registers_an_employer_and_a_workplace,
    |app: TestApp| async move {
        app.load_taxonomy().await;
        let c = app.login("coordinator").await;
        let (status, html) = page(&c, &app, "/arbetsgivarregister").await;
        assert_eq!(status, 200, "{html}");
        assert!(
            html.contains("href=\"/arbetsgivarregister\" aria-current=\"page\""),
            "nav link"
        );
        assert!(html.contains("Ny arbetsgivare"));
        let csrf = hidden_csrf(&html);

        // Without the token nothing happens.
        let (status, _, _) =
            post(&c, &app, "wrong", "/arbetsgivarregister", &[("name", "X")]).await;
        assert_eq!(status, 403);

        // A wrong check digit: inline error and summary, values kept.
        let good = crate::api_employers::org_number(42);
        let mut bad = good.clone().into_bytes();
        bad[9] = b'0' + (bad[9] - b'0' + 1) % 10;
        let bad = String::from_utf8(bad).unwrap();
        let (status, _, html) = post(
            &c,
            &app,
            &csrf,
            "/arbetsgivarregister",
            &[
                ("organisation_number", &bad),
                ("name", "Söderbageriet AB"),
                ("sni_code", "10"),
                ("size_class", "small"),
            ],
        )
        .await;
        assert_eq!(status, 422, "{html}");
        assert!(
            html.contains("id=\"employer-organisation_number-error\""),
            "{html}"
        );
        assert!(html.contains("Kontrollsiffran stämmer inte"));
        assert!(html.contains("id=\"error-summary\""));
        assert!(html.contains("href=\"#employer-organisation_number\""));
        assert!(html.contains("value=\"Söderbageriet AB\""));

        let (status, location, _) = post(
            &c,
            &app,
            &csrf,
            "/arbetsgivarregister",
            &[
                ("organisation_number", &good),
                ("name", "Söderbageriet AB"),
                ("sni_code", "10"),
                ("size_class", "small"),
            ],
        )
        .await;
        assert_eq!(status, 303, "{location}");
        assert!(location.starts_with("/arbetsgivarregister/"));
        let path = location.split('?').next().unwrap().to_string();
        let (status, html) = page(&c, &app, &location).await;
        assert_eq!(status, 200);
        assert!(html.contains("<h1 class=\"ds-heading\" data-size=\"lg\">Söderbageriet AB</h1>"));
        assert!(html.contains("Liten (10–49)"));

        // The same number again: inline conflict.
        let (status, _, html) = post(
            &c,
            &app,
            &csrf,
            "/arbetsgivarregister",
            &[("organisation_number", &good), ("name", "Igen AB")],
        )
        .await;
        assert_eq!(status, 422);
        assert!(html.contains("En arbetsgivare med detta organisationsnummer finns redan."));

        // A workplace: an unknown municipality first.
        let (status, _, html) = post(
            &c,
            &app,
            &csrf,
            &format!("{path}/arbetsstallen"),
            &[
                ("name", "Bageriet Hornsgatan"),
                ("municipality_code", "9999"),
                ("postal_code", "11721"),
                ("accessibility", "lift"),
            ],
        )
        .await;
        assert_eq!(status, 422);
        assert!(
            html.contains("id=\"arbetsstallen-municipality_code-error\""),
            "{html}"
        );
        assert!(html.contains("value=\"Bageriet Hornsgatan\""));
        let (status, location, _) = post(
            &c,
            &app,
            &csrf,
            &format!("{path}/arbetsstallen"),
            &[
                ("name", "Bageriet Hornsgatan"),
                ("municipality_code", "0180"),
                ("district", "Södermalm"),
                ("postal_code", "11721"),
                ("accessibility", "lift"),
                ("accessibility", "quiet_room"),
            ],
        )
        .await;
        assert_eq!(status, 303);
        let (_, html) = page(&c, &app, &location).await;
        assert!(html.contains("Bageriet Hornsgatan"));
        assert!(html.contains("117 21"));
        assert!(html.contains("Hiss, Tyst rum"), "{html}");

        // A contact and a logged call.
        let (status, _, _) = post(
            &c,
            &app,
            &csrf,
            &format!("{path}/kontakter"),
            &[("name", "Maja Deg"), ("email", "maja@bageriet.se")],
        )
        .await;
        assert_eq!(status, 303);
        let today = vagar_domain::time::swedish_date(app.clock.now()).to_string();
        let (status, _, _) = post(
            &c,
            &app,
            &csrf,
            &format!("{path}/kontakthandelser"),
            &[
                ("occurred_on", &today),
                ("kind", "call"),
                ("note", "Intresserade av praktik"),
            ],
        )
        .await;
        assert_eq!(status, 303);
        let (_, html) = page(&c, &app, &path).await;
        assert!(html.contains("maja@bageriet.se"));
        assert!(html.contains("Samtal: Intresserade av praktik"));

        // Agreements: a partnership with an outcome, a contract with a month.
        let (status, _, html) = post(
            &c,
            &app,
            &csrf,
            &format!("{path}/partnerskap"),
            &[
                ("name", "Branschpartnerskap Bageri"),
                ("valid_from", "2024-01-01"),
                ("valid_to", "2024-12-31"),
                ("target_placements_per_year", "4"),
                ("target_hires_per_year", ""),
            ],
        )
        .await;
        assert_eq!(status, 303, "{html}");
        let (_, html) = page(&c, &app, &path).await;
        let aid = html
            .split("name=\"agreement_id\"><option value=\"")
            .nth(1)
            .unwrap()
            .split('"')
            .next()
            .unwrap()
            .to_string();
        let (status, _, _) = post(
            &c,
            &app,
            &csrf,
            &format!("{path}/utfall"),
            &[
                ("agreement_id", &aid),
                ("occurred_on", "2024-05-02"),
                ("kind", "placement"),
            ],
        )
        .await;
        assert_eq!(status, 303);
        let (status, _, _) = post(
            &c,
            &app,
            &csrf,
            &format!("{path}/upphandlingar"),
            &[
                ("contract_name", "Bröd till skolor"),
                ("procuring_unit", "Utbildningsförvaltningen"),
                ("period_from", "2024-01-01"),
                ("period_to", "2024-12-31"),
                ("requirement_kind", "placements"),
                ("required_placements", "4"),
            ],
        )
        .await;
        assert_eq!(status, 303);
        let (_, html) = page(&c, &app, &path).await;
        let cid = html
            .split("name=\"contract_id\"><option value=\"")
            .nth(1)
            .unwrap()
            .split('"')
            .next()
            .unwrap()
            .to_string();
        let (status, _, html) = post(
            &c,
            &app,
            &csrf,
            &format!("{path}/uppfyllelse"),
            &[
                ("contract_id", &cid),
                ("month", "2025-01"),
                ("placements", "1"),
            ],
        )
        .await;
        assert_eq!(status, 422);
        assert!(html.contains("id=\"uppfyllelse-month-error\""), "{html}");
        let (status, _, _) = post(
            &c,
            &app,
            &csrf,
            &format!("{path}/uppfyllelse"),
            &[
                ("contract_id", &cid),
                ("month", "2024-03"),
                ("placements", "1"),
            ],
        )
        .await;
        assert_eq!(status, 303);
        let (_, html) = page(&c, &app, &path).await;
        assert!(html.contains("1 / 4 (25 %)"), "{html}");
        assert!(html.contains("Hittills 1, förväntat hittills 4."), "{html}");
        assert!(html.contains("Leverantören ligger efter kravet."));

        // In English.
        let res = c
            .get(app.url("/sprak/en?tillbaka=/arbetsgivarregister"))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status().as_u16(), 303);
        let (_, html) = page(&c, &app, "/arbetsgivarregister").await;
        assert!(html.contains("New employer"), "{html}");
        assert!(html.contains("Register employer"));

        // The list finds it by name prefix.
        let (_, html) = page(&c, &app, "/arbetsgivarregister?q=soderb").await;
        assert!(html.contains("Söderbageriet AB"));

        // Partners have no such page.
        let p = app.login("partner").await;
        let (status, html) = page(&p, &app, "/arbetsgivarregister").await;
        assert_eq!(status, 403);
        assert!(!html.contains("href=\"/arbetsgivarregister\""));
    }
);
