//! Errands in a real browser: headless Chromium driven through ChromeDriver
//! (WebDriver). `./scripts/test` starts ChromeDriver and sets
//! `VAGAR_TEST_WEBDRIVER`; without it a browser test is skipped with a
//! message, except under `CI=true`, where a skipped browser test is a failure.
//!
//! SQLite only: the browser checks what the pages do in a browser (forms,
//! focus targets, labels, cookies, CSP-loaded styles, phone widths); the
//! storage engines are covered request by request on both engines by the
//! features' `ui` tests.

use super::TestApp;
use fantoccini::elements::Element;
use fantoccini::wd::Capabilities;
use fantoccini::{Client, ClientBuilder, Locator};
use serde_json::{json, Value};
use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

/// Longest wait for an element; a page of this app renders in milliseconds.
pub const WAIT: Duration = Duration::from_secs(15);
/// Longest time for a whole errand (one takes a few seconds).
const ERRAND_LIMIT: Duration = Duration::from_secs(120);

/// The browser window an errand runs in.
#[derive(Debug, Clone, Copy)]
pub enum Window {
    /// 1280 × 1000.
    Desktop,
    /// A phone's viewport this many pixels wide (780 high), whatever the
    /// window manager allows.
    Phone(u32),
}

/// The WebDriver address and a fresh app on SQLite, or `None` to skip
/// (never under CI).
pub async fn app() -> Option<(String, Arc<TestApp>)> {
    let webdriver = match std::env::var("VAGAR_TEST_WEBDRIVER") {
        Ok(url) if !url.trim().is_empty() => url,
        _ => {
            assert!(
                !super::ci(),
                "CI=true but VAGAR_TEST_WEBDRIVER is not set: browser tests may not be skipped"
            );
            eprintln!(
                "skipping the browser test: VAGAR_TEST_WEBDRIVER is not set (run ./scripts/test)"
            );
            return None;
        }
    };
    let app = TestApp::spawn(super::Engine::Sqlite)
        .await
        .expect("sqlite app");
    Some((webdriver, Arc::new(app)))
}

/// A new headless Chromium with a profile of its own: a Swedish user's
/// browser (the app follows Accept-Language).
async fn start_browser(webdriver: &str, profile: &std::path::Path, window: Window) -> Client {
    let size = match window {
        Window::Desktop => "--window-size=1280,1000".to_string(),
        Window::Phone(width) => format!("--window-size={width},780"),
    };
    let mut options = json!({
        "args": [
            "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
            "--disable-dev-shm-usage", format!("--user-data-dir={}", profile.display()), size,
            "--lang=sv-SE", "--accept-lang=sv-SE,sv",
        ],
        "prefs": { "intl.accept_languages": "sv-SE,sv" },
    });
    if let Window::Phone(width) = window {
        options["mobileEmulation"] =
            json!({ "deviceMetrics": { "width": width, "height": 780, "pixelRatio": 2.0 } });
    }
    let binary = std::env::var("CHROME_BIN").unwrap_or_else(|_| "/usr/bin/chromium".into());
    if std::path::Path::new(&binary).exists() {
        options["binary"] = json!(binary);
    }
    let mut caps = Capabilities::new();
    caps.insert("browserName".into(), json!("chrome"));
    caps.insert("goog:chromeOptions".into(), options);
    let connecting = ClientBuilder::new(hyper_util::client::legacy::connect::HttpConnector::new())
        .capabilities(caps)
        .connect(webdriver)
        .await;
    connecting.unwrap_or_else(|e| panic!("cannot start Chromium through {webdriver}: {e}"))
}

/// Runs `errand` in a new browser: as a task of its own, so that the browser
/// is closed even when an assertion fails (the test then fails with that
/// assertion), and within a time limit, so that a hung browser fails the
/// test instead of the whole run.
pub async fn run<F, Fut>(webdriver: &str, window: Window, app: Arc<TestApp>, errand: F)
where
    F: FnOnce(Client, Arc<TestApp>) -> Fut,
    Fut: Future<Output = ()> + Send + 'static,
{
    let profile = tempfile::tempdir().expect("profile dir");
    let c = tokio::time::timeout(
        Duration::from_secs(60),
        start_browser(webdriver, profile.path(), window),
    )
    .await
    .expect("Chromium started within a minute");
    let errand = tokio::spawn(errand(c.clone(), app));
    let outcome = tokio::time::timeout(ERRAND_LIMIT, errand).await;
    let _ = tokio::time::timeout(Duration::from_secs(20), c.close()).await;
    match outcome {
        Ok(Ok(())) => {}
        Ok(Err(e)) => std::panic::resume_unwind(e.into_panic()),
        Err(_) => panic!("the browser errand took longer than {ERRAND_LIMIT:?}"),
    }
}

pub async fn wait_for(c: &Client, locator: Locator<'_>) -> Element {
    let what = format!("{locator:?}");
    match c.wait().at_most(WAIT).for_element(locator).await {
        Ok(e) => e,
        Err(err) => {
            let url = c
                .current_url()
                .await
                .map(|u| u.to_string())
                .unwrap_or_default();
            let source = c.source().await.unwrap_or_default();
            panic!("waited in vain for {what} on {url}: {err}\n{source}");
        }
    }
}

/// Wait until the browser is at `path_and_query` on the app.
pub async fn wait_at(c: &Client, app: &TestApp, path_and_query: &str) {
    let url = url::Url::parse(&app.url(path_and_query)).unwrap();
    if let Err(e) = c.wait().at_most(WAIT).for_url(&url).await {
        let source = c.source().await.unwrap_or_default();
        panic!("waited in vain for {path_and_query}: {e}\n{source}");
    }
}

pub async fn attr(e: &Element, name: &str) -> String {
    e.attr(name).await.expect("attribute").unwrap_or_default()
}

pub async fn value(e: &Element) -> String {
    e.prop("value").await.expect("value").unwrap_or_default()
}

pub async fn text_of(c: &Client, locator: Locator<'_>) -> String {
    let e = c.find(locator).await.expect("the element");
    e.text().await.expect("its text")
}

pub async fn fill(c: &Client, id: &str, text: &str) {
    let input = c.find(Locator::Id(id)).await.expect(id);
    input.clear().await.expect("clear");
    input.send_keys(text).await.expect("type");
}

/// Set a date field's value as the date picker would (typing into a date
/// field depends on the browser's locale).
pub async fn set_date(c: &Client, id: &str, date: &str) {
    c.execute(
        "document.getElementById(arguments[0]).value = arguments[1];",
        vec![json!(id), json!(date)],
    )
    .await
    .expect("set the date");
}

pub async fn select(c: &Client, id: &str, value: &str) {
    let e = c.find(Locator::Id(id)).await;
    let e = e.unwrap_or_else(|_| panic!("select {id}"));
    let chosen = e.select_by_value(value).await;
    chosen.unwrap_or_else(|_| panic!("option {value} of {id}"));
}

/// Click what `locator` finds (it must be there already).
pub async fn press(c: &Client, locator: Locator<'_>) {
    let what = format!("{locator:?}");
    let e = c.find(locator).await;
    e.unwrap_or_else(|_| panic!("element {what}"))
        .click()
        .await
        .unwrap();
}

pub async fn click(c: &Client, id: &str) {
    press(c, Locator::Id(id)).await;
}

/// Press the submit button of the page's main form.
pub async fn submit(c: &Client) {
    press(c, Locator::Css("main form button[type=submit]")).await;
}

pub async fn current_path(c: &Client) -> String {
    let url = c.current_url().await.expect("url");
    match url.query() {
        Some(q) => format!("{}?{q}", url.path()),
        None => url.path().to_string(),
    }
}

/// Log in through the form as `username`, ending at the role's start page
/// (the participant list for caseworkers, needs for coordinators, the
/// placed participants for a host).
pub async fn log_in(c: &Client, app: &TestApp, username: &str) {
    let role = super::USERS
        .iter()
        .find(|(u, _, _)| *u == username)
        .map(|(_, r, _)| *r)
        .expect("a test user");
    let start = match role {
        vagar_domain::Role::Employer => "/mina-placeringar",
        vagar_domain::Role::EmployerCoordinator => "/behov",
        vagar_domain::Role::Analyst => "/insatser",
        _ => "/deltagare",
    };
    c.goto(&app.url("/logga-in")).await.expect("open the login");
    wait_for(c, Locator::Id("username")).await;
    fill(c, "username", username).await;
    fill(c, "password", super::PASSWORD).await;
    submit(c).await;
    wait_at(c, app, start).await;
}

/// How far the page is wider than its viewport (0: no sideways scrolling).
pub async fn overflow(c: &Client) -> i64 {
    let script =
        "return document.documentElement.scrollWidth - document.documentElement.clientWidth;";
    let v = c.execute(script, vec![]).await.expect("measure");
    v.as_i64().unwrap_or(i64::MAX)
}

/// The page's scroll width and the window's inner width.
pub async fn widths(c: &Client) -> (i64, i64) {
    let script = "return [document.documentElement.scrollWidth, window.innerWidth];";
    let v = c.execute(script, vec![]).await.expect("script");
    (v[0].as_i64().unwrap(), v[1].as_i64().unwrap())
}

/// What every page must get right, checked in the browser's own DOM: one
/// h1, a label for every field, Swedish as the document language, styles
/// loaded under the CSP, every `aria-describedby` pointing at something and
/// the session cookie out of reach of scripts.
pub async fn check_page(c: &Client, what: &str) {
    let report = c
        .execute(
            r#"
            const fields = [...document.querySelectorAll(
                'input:not([type=hidden]), select, textarea')];
            const described = [...document.querySelectorAll('[aria-describedby]')]
                .flatMap(e => e.getAttribute('aria-describedby').split(/\s+/));
            return {
                h1: document.querySelectorAll('h1').length,
                unlabelled: fields.filter(f => !f.labels || f.labels.length === 0)
                    .map(f => f.id || f.name),
                emptyLabels: fields.filter(f => f.labels && f.labels.length > 0
                    && [...f.labels].every(l => l.textContent.trim() === ''))
                    .map(f => f.id || f.name),
                lang: document.documentElement.lang,
                title: document.title,
                sheets: document.styleSheets.length,
                emptySheets: [...document.styleSheets].filter(s => s.cssRules.length === 0)
                    .map(s => s.href),
                bodyMargin: getComputedStyle(document.body).marginTop,
                dangling: described.filter(id => !document.getElementById(id)),
                duplicateIds: [...document.querySelectorAll('[id]')].map(e => e.id)
                    .filter((id, i, all) => all.indexOf(id) !== i),
                cookie: document.cookie,
            };
            "#,
            vec![],
        )
        .await
        .expect("script");
    let get = |k: &str| report.get(k).cloned().unwrap_or(Value::Null);
    let title = get("title");
    let cookie = get("cookie");
    for (key, want, problem) in [
        ("h1", json!(1), "exactly one h1"),
        ("unlabelled", json!([]), "fields without a label"),
        ("emptyLabels", json!([]), "empty labels"),
        ("lang", json!("sv"), "document language"),
        ("sheets", json!(3), "stylesheets"),
        ("emptySheets", json!([]), "stylesheets that did not load"),
        ("bodyMargin", json!("0px"), "app.css applies"),
        ("dangling", json!([]), "aria-describedby to nothing"),
        ("duplicateIds", json!([]), "duplicate ids"),
    ] {
        assert_eq!(get(key), want, "{what}: {problem}");
    }
    let title_ok = title.as_str().is_some_and(|t| t.ends_with("– Vägar"));
    assert!(title_ok, "{what}: title {title}");
    let session_visible = cookie.as_str().unwrap_or("").contains("vagar_session");
    assert!(!session_visible, "{what}: the session cookie is HttpOnly");
}
