//! The employer register's pages for a coordinator on both engines: the nav
//! link, registering an employer with an inline error first (bad
//! organisation number, values kept), then adding a workplace (an unknown
//! municipality first); the English page; and the pages closed to partners.

use crate::common;

use crate::common::form::{page, post};
use common::{hidden_csrf, TestApp};

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
        let good = crate::employers::api::org_number(42);
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

both_engines!(
    coordinator_changes_an_employers_details,
    |app: TestApp| async move {
        // Arrange: an employer registered through the API.
        app.load_taxonomy().await;
        let created = crate::employers::api::employer(&app, 7, "Gamla Namnet AB").await["id"]
            .as_i64()
            .unwrap();
        let path = format!("/arbetsgivarregister/{created}");
        let c = app.login("coordinator").await;
        let (status, html) = page(&c, &app, &path).await;
        assert_eq!(status, 200);
        assert!(html.contains("Ändra uppgifter"), "{html}");
        assert!(
            html.contains("value=\"Gamla Namnet AB\""),
            "the form starts filled in"
        );
        let csrf = hidden_csrf(&html);
        let version = html
            .split("name=\"version\" value=\"")
            .nth(1)
            .unwrap()
            .split('"')
            .next()
            .unwrap()
            .to_string();
        let employer_org = html
            .split("<option value=\"")
            .filter_map(|s| s.split_once("\">Employer</option>"))
            .map(|(id, _)| id.to_string())
            .next()
            .expect("the employer organisation is offered");

        // Act/Assert: an unknown SNI and a blank name are refused inline,
        // values kept, nothing changed.
        let (status, _, html) = post(
            &c,
            &app,
            &csrf,
            &format!("{path}/uppgifter"),
            &[
                ("version", &version),
                ("name", ""),
                ("sni_code", "00"),
                ("size_class", "medium"),
                ("organisation_id", ""),
            ],
        )
        .await;
        assert_eq!(status, 422, "{html}");
        assert!(html.contains("id=\"uppgifter-name-error\""), "{html}");
        let (status, _, html) = post(
            &c,
            &app,
            &csrf,
            &format!("{path}/uppgifter"),
            &[
                ("version", &version),
                ("name", "Nytt AB"),
                ("sni_code", "00"),
                ("size_class", "medium"),
            ],
        )
        .await;
        assert_eq!(status, 422, "{html}");
        assert!(html.contains("id=\"uppgifter-sni_code-error\""), "{html}");
        assert!(html.contains("value=\"Nytt AB\""), "values kept");
        assert!(html.contains("Välj en bransch enligt SNI 2007."));
        assert!(html.contains("<details id=\"uppgifter\" open>"));
        let stored = app
            .get("coordinator", &format!("/api/v1/employers/{created}"))
            .await
            .json;
        assert_eq!(stored["name"], "Gamla Namnet AB");

        // A good change: name, industry, size and the linked organisation.
        let (status, location, html) = post(
            &c,
            &app,
            &csrf,
            &format!("{path}/uppgifter"),
            &[
                ("version", &version),
                ("name", "Nya Namnet AB"),
                ("sni_code", "56"),
                ("size_class", "medium"),
                ("organisation_id", &employer_org),
            ],
        )
        .await;
        assert_eq!(status, 303, "{html}");
        let (_, html) = page(&c, &app, &location).await;
        assert!(html.contains("<h1 class=\"ds-heading\" data-size=\"lg\">Nya Namnet AB</h1>"));
        assert!(html.contains("Medelstor (50–249)"));
        assert!(html.contains("<dd>Employer</dd>"), "{html}");
        let stored = app
            .get("coordinator", &format!("/api/v1/employers/{created}"))
            .await
            .json;
        assert_eq!(stored["sni_code"], "56");
        assert_eq!(
            stored["organisation_id"].as_i64().unwrap().to_string(),
            employer_org
        );
        // The linked organisation's employer user now sees it.
        app.get("employer", &format!("/api/v1/employers/{created}"))
            .await
            .must(200);

        // The old version again: a warning, the latest details, no change.
        let (status, _, html) = post(
            &c,
            &app,
            &csrf,
            &format!("{path}/uppgifter"),
            &[
                ("version", &version),
                ("name", "Tredje Namnet AB"),
                ("size_class", "large"),
            ],
        )
        .await;
        assert_eq!(status, 409);
        assert!(
            html.contains("Någon annan har ändrat uppgifterna"),
            "{html}"
        );
        assert!(html.contains("value=\"Nya Namnet AB\""));
        let stored = app
            .get("coordinator", &format!("/api/v1/employers/{created}"))
            .await
            .json;
        assert_eq!(stored["name"], "Nya Namnet AB");

        // Unlinking: the employer user no longer sees it.
        let version = stored["version"].as_i64().unwrap().to_string();
        let (status, _, _) = post(
            &c,
            &app,
            &csrf,
            &format!("{path}/uppgifter"),
            &[
                ("version", &version),
                ("name", "Nya Namnet AB"),
                ("sni_code", "56"),
                ("size_class", "medium"),
                ("organisation_id", ""),
            ],
        )
        .await;
        assert_eq!(status, 303);
        app.get("employer", &format!("/api/v1/employers/{created}"))
            .await
            .must(404);

        // A partner gets no form and may not post one.
        let p = app.login("partner").await;
        let (status, _, _) = post(
            &p,
            &app,
            &hidden_csrf(&page(&p, &app, "/deltagare").await.1),
            &format!("{path}/uppgifter"),
            &[("version", &version), ("name", "Kapad AB")],
        )
        .await;
        assert_eq!(status, 403);
    }
);
