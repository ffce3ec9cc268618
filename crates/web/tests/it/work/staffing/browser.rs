//! The staffing board on a phone: headless Chromium at 360 px wide, through
//! ChromeDriver (`VAGAR_TEST_WEBDRIVER`; skipped without it, except under
//! `CI=true`). A coordinator assigns staff with the select, sees a double
//! booking refused inline, and the page never scrolls sideways. SQLite only,
//! like `browser.rs`: the engines are covered by `work_staffing_ui`.

use crate::common;
use fantoccini::wd::Capabilities;
use fantoccini::{Client, ClientBuilder, Locator};
use reqwest::Method;
use serde_json::json;
use std::sync::Arc;
use std::time::Duration;

const WAIT: Duration = Duration::from_secs(15);
const WIDTH: u32 = 360;

fn webdriver_url() -> Option<String> {
    match std::env::var("VAGAR_TEST_WEBDRIVER") {
        Ok(url) if !url.trim().is_empty() => Some(url),
        _ => {
            assert!(
                !common::ci(),
                "CI=true but VAGAR_TEST_WEBDRIVER is not set: browser tests may not be skipped"
            );
            eprintln!("skipping the staffing browser test: VAGAR_TEST_WEBDRIVER is not set");
            None
        }
    }
}

async fn phone_browser(webdriver: &str, profile: &std::path::Path) -> Client {
    let mut options = json!({
        "args": [
            "--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
            "--disable-background-networking",
            format!("--user-data-dir={}", profile.display()),
            format!("--window-size={WIDTH},780"),
            "--lang=sv-SE", "--accept-lang=sv-SE,sv",
        ],
        "prefs": { "intl.accept_languages": "sv-SE,sv" },
        // A phone's viewport, whatever the window manager allows.
        "mobileEmulation": { "deviceMetrics": { "width": WIDTH, "height": 780, "pixelRatio": 2.0 } },
    });
    let binary = std::env::var("CHROME_BIN").unwrap_or_else(|_| "/usr/bin/chromium".into());
    if std::path::Path::new(&binary).exists() {
        options["binary"] = json!(binary);
    }
    let mut caps = Capabilities::new();
    caps.insert("browserName".into(), json!("chrome"));
    caps.insert("goog:chromeOptions".into(), options);
    ClientBuilder::new(hyper_util::client::legacy::connect::HttpConnector::new())
        .capabilities(caps)
        .connect(webdriver)
        .await
        .unwrap_or_else(|e| panic!("cannot start Chromium through {webdriver}: {e}"))
}

/// How far the page is wider than the viewport (0: no sideways scrolling).
async fn overflow(c: &Client) -> i64 {
    c.execute(
        "return document.documentElement.scrollWidth - document.documentElement.clientWidth;",
        vec![],
    )
    .await
    .expect("measure")
    .as_i64()
    .unwrap_or(i64::MAX)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_coordinator_staffs_shifts_on_a_phone_sized_board() {
    let Some(webdriver) = webdriver_url() else {
        return;
    };
    let app = Arc::new(
        common::TestApp::spawn(common::Engine::Sqlite)
            .await
            .expect("sqlite app"),
    );
    app.load_taxonomy().await;
    let r = app
        .call("coordinator", Method::POST, "/api/v1/staffing/pools",
              Some(&json!({ "name": "Poolen", "organisation_id": app.org_a, "hourly_price_ore": 30000 })))
        .await;
    let pool = r.json["id"].as_i64().unwrap();
    for name in ["Anna Andersson-Långnamnsdotter", "Bo Berg"] {
        let r = app
            .call(
                "coordinator",
                Method::POST,
                &format!("/api/v1/staffing/pools/{pool}/staff"),
                Some(
                    &json!({ "name": name, "employment_form": "full_time", "occupation": "5321",
                                "hourly_wage_ore": 19000, "active_from": "2026-01-01" }),
                ),
            )
            .await;
        assert_eq!(r.status, 201, "{}", r.text);
    }
    let mut reqs = vec![];
    for (date, start, end) in [
        ("2026-03-02", "22:00", "06:00"),
        ("2026-03-03", "05:00", "13:00"),
    ] {
        let r = app
            .call("coordinator", Method::POST, &format!("/api/v1/staffing/pools/{pool}/requests"),
                  Some(&json!({ "unit_id": app.org_a, "work_date": date, "start_time": start, "end_time": end,
                                "occupation": "5321", "staff_count": 1,
                                "note": "Avdelning Solrosen, rapport i personalrummet på plan två" })))
            .await;
        reqs.push(r.json["id"].as_i64().unwrap());
    }
    let profile = tempfile::tempdir().expect("profile dir");
    let c = tokio::time::timeout(
        Duration::from_secs(60),
        phone_browser(&webdriver, profile.path()),
    )
    .await
    .expect("Chromium started within a minute");
    let errand = tokio::spawn(errand(c.clone(), app.clone(), pool, reqs));
    let outcome = tokio::time::timeout(Duration::from_secs(120), errand).await;
    let _ = tokio::time::timeout(Duration::from_secs(20), c.close()).await;
    match outcome {
        Ok(Ok(())) => {}
        Ok(Err(e)) => std::panic::resume_unwind(e.into_panic()),
        Err(_) => panic!("the staffing errand took too long"),
    }
}

async fn errand(c: Client, app: Arc<common::TestApp>, pool: i64, reqs: Vec<i64>) {
    c.goto(&app.url("/logga-in")).await.expect("login page");
    c.wait()
        .at_most(WAIT)
        .for_element(Locator::Id("username"))
        .await
        .expect("login form");
    c.find(Locator::Id("username"))
        .await
        .unwrap()
        .send_keys("coordinator")
        .await
        .unwrap();
    c.find(Locator::Id("password"))
        .await
        .unwrap()
        .send_keys(common::PASSWORD)
        .await
        .unwrap();
    c.find(Locator::Css("main form button[type=submit]"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    c.wait()
        .at_most(WAIT)
        .for_url(&url::Url::parse(&app.url("/deltagare")).unwrap())
        .await
        .ok();

    let width = c
        .execute("return window.innerWidth;", vec![])
        .await
        .unwrap();
    assert!(
        width.as_i64().unwrap() <= WIDTH as i64 + 20,
        "a phone-sized viewport: {width}"
    );
    c.goto(&app.url(&format!("/bemanning?pool={pool}&datum=2026-03-02")))
        .await
        .unwrap();
    let select = c
        .wait()
        .at_most(WAIT)
        .for_element(Locator::Id(&format!("staff-{}", reqs[0])))
        .await
        .expect("the assign select");
    assert_eq!(
        overflow(&c).await,
        0,
        "the board scrolls sideways at {WIDTH} px"
    );
    select.select_by_index(1).await.expect("choose Anna");
    c.find(Locator::Css(&format!(
        "#request-{} form[action$='/tilldela'] button",
        reqs[0]
    )))
    .await
    .unwrap()
    .click()
    .await
    .unwrap();
    let card = c
        .wait()
        .at_most(WAIT)
        .for_element(Locator::Css(&format!(
            "#request-{}[data-state='filled']",
            reqs[0]
        )))
        .await
        .expect("the night is filled");
    assert!(card.text().await.unwrap().contains("1 av 1 tillsatta"));

    // The next morning overlaps the night: refused inline, on the phone.
    c.goto(&app.url(&format!("/bemanning?pool={pool}&datum=2026-03-03")))
        .await
        .unwrap();
    let select = c
        .wait()
        .at_most(WAIT)
        .for_element(Locator::Id(&format!("staff-{}", reqs[1])))
        .await
        .unwrap();
    select.select_by_index(1).await.unwrap();
    c.find(Locator::Css(&format!(
        "#request-{} form[action$='/tilldela'] button",
        reqs[1]
    )))
    .await
    .unwrap()
    .click()
    .await
    .unwrap();
    let alert = c
        .wait()
        .at_most(WAIT)
        .for_element(Locator::Id(&format!("conflicts-{}", reqs[1])))
        .await
        .expect("the conflict inline");
    let text = alert.text().await.unwrap();
    assert!(
        text.contains("dubbelbokning") && text.contains("2026-03-02 22:00–06:00"),
        "{text}"
    );
    assert_eq!(
        overflow(&c).await,
        0,
        "the refused board scrolls sideways at {WIDTH} px"
    );
    let (_, j) = app
        .get_json(
            "coordinator",
            &format!("/api/v1/staffing/requests/{}", reqs[1]),
        )
        .await;
    assert_eq!(j["assigned"], 0, "nothing written");
    // The week view and the statistics page fit too.
    c.goto(&app.url(&format!("/bemanning?pool={pool}&datum=2026-03-03&vy=vecka")))
        .await
        .unwrap();
    c.wait()
        .at_most(WAIT)
        .for_element(Locator::Id("requests"))
        .await
        .unwrap();
    assert_eq!(overflow(&c).await, 0, "the week view scrolls sideways");
}
