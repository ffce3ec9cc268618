//! A caseworker's errand in a real browser: headless Chromium driven through
//! ChromeDriver (WebDriver). `./scripts/test` starts ChromeDriver and sets
//! `VAGAR_TEST_WEBDRIVER`; without it the test is skipped with a message,
//! except under `CI=true`, where a skipped browser test is a failure.
//!
//! SQLite only: the browser checks what the pages do in a browser (forms,
//! focus targets, labels, cookies, CSP-loaded styles); the storage engines are
//! covered request by request on both engines in `ui_session.rs`.

use crate::common;

use fantoccini::elements::Element;
use fantoccini::wd::Capabilities;
use fantoccini::{Client, ClientBuilder, Locator};
use serde_json::{json, Value};
use std::sync::Arc;
use std::time::Duration;

/// Longest wait for an element; a page of this app renders in milliseconds.
const WAIT: Duration = Duration::from_secs(15);
/// Longest time for the whole errand (it takes a few seconds).
const ERRAND_LIMIT: Duration = Duration::from_secs(120);

/// The WebDriver address, or `None` to skip (never under CI).
fn webdriver_url() -> Option<String> {
    match std::env::var("VAGAR_TEST_WEBDRIVER") {
        Ok(url) if !url.trim().is_empty() => Some(url),
        _ => {
            if common::ci() {
                panic!(
                    "CI=true but VAGAR_TEST_WEBDRIVER is not set: browser tests may not be skipped"
                );
            }
            eprintln!(
                "skipping the browser test: VAGAR_TEST_WEBDRIVER is not set (run ./scripts/test)"
            );
            None
        }
    }
}

/// A new headless Chromium with a profile of its own.
async fn start_browser(webdriver: &str, profile: &std::path::Path) -> Client {
    let mut options = json!({
        "args": [
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-dev-shm-usage",
            format!("--user-data-dir={}", profile.display()),
            "--window-size=1280,1000",
            // A Swedish user's browser: the app follows Accept-Language.
            "--lang=sv-SE",
            "--accept-lang=sv-SE,sv",
        ],
        "prefs": { "intl.accept_languages": "sv-SE,sv" },
    });
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

async fn wait_for(c: &Client, locator: Locator<'_>) -> Element {
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

async fn attr(e: &Element, name: &str) -> String {
    e.attr(name).await.expect("attribute").unwrap_or_default()
}

async fn value(e: &Element) -> String {
    e.prop("value").await.expect("value").unwrap_or_default()
}

async fn fill(c: &Client, id: &str, text: &str) {
    let input = c.find(Locator::Id(id)).await.expect(id);
    input.clear().await.expect("clear");
    input.send_keys(text).await.expect("type");
}

/// What every page must get right, checked in the browser's own DOM: one
/// h1, a label for every field, Swedish as the document language, styles
/// loaded under the CSP, every `aria-describedby` pointing at something and
/// the session cookie out of reach of scripts.
async fn check_page(c: &Client, what: &str) {
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
    assert_eq!(get("h1"), json!(1), "{what}: exactly one h1");
    assert_eq!(
        get("unlabelled"),
        json!([]),
        "{what}: fields without a label"
    );
    assert_eq!(get("emptyLabels"), json!([]), "{what}: empty labels");
    assert_eq!(get("lang"), json!("sv"), "{what}: document language");
    assert!(
        get("title")
            .as_str()
            .is_some_and(|t| t.ends_with("– Vägar")),
        "{what}: title {}",
        get("title")
    );
    assert_eq!(get("sheets"), json!(3), "{what}: stylesheets");
    assert_eq!(
        get("emptySheets"),
        json!([]),
        "{what}: stylesheets that did not load"
    );
    assert_eq!(get("bodyMargin"), json!("0px"), "{what}: app.css applies");
    assert_eq!(
        get("dangling"),
        json!([]),
        "{what}: aria-describedby to nothing"
    );
    assert_eq!(get("duplicateIds"), json!([]), "{what}: duplicate ids");
    assert!(
        !get("cookie")
            .as_str()
            .unwrap_or("")
            .contains("vagar_session"),
        "{what}: the session cookie is HttpOnly"
    );
}

async fn current_path(c: &Client) -> String {
    let url = c.current_url().await.expect("url");
    match url.query() {
        Some(q) => format!("{}?{q}", url.path()),
        None => url.path().to_string(),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn caseworker_registers_and_finds_a_participant() {
    let Some(webdriver) = webdriver_url() else {
        return;
    };
    let app = Arc::new(
        common::TestApp::spawn(common::Engine::Sqlite)
            .await
            .expect("sqlite app"),
    );
    // Someone else is in the register already, so a search has to narrow.
    app.create(
        "cw_a",
        json!({"identity_number": common::pnr(2), "first_name": "Bo", "last_name": "Annansson"}),
    )
    .await;
    let profile = tempfile::tempdir().expect("profile dir");
    let c = tokio::time::timeout(
        Duration::from_secs(60),
        start_browser(&webdriver, profile.path()),
    )
    .await
    .expect("Chromium started within a minute");
    // Run the errand as its own task so the browser is closed even when an
    // assertion fails; then fail with that assertion.
    // A hung browser fails the test instead of the whole run.
    let errand = tokio::spawn(errand(c.clone(), app.clone()));
    let outcome = tokio::time::timeout(ERRAND_LIMIT, errand).await;
    let _ = tokio::time::timeout(Duration::from_secs(20), c.close()).await;
    match outcome {
        Ok(Ok(())) => {}
        Ok(Err(e)) => std::panic::resume_unwind(e.into_panic()),
        Err(_) => panic!("the browser errand took longer than {ERRAND_LIMIT:?}"),
    }
}

async fn errand(c: Client, app: Arc<common::TestApp>) {
    let base = url::Url::parse(&app.base).unwrap();

    // The start page sends a stranger to the login.
    c.goto(&app.url("/")).await.expect("open /");
    c.wait()
        .at_most(WAIT)
        .for_url(&base.join("/logga-in").unwrap())
        .await
        .expect("redirected to the login");
    let h1 = wait_for(&c, Locator::Css("h1")).await;
    assert_eq!(h1.text().await.unwrap(), "Logga in");
    check_page(&c, "login").await;

    fill(&c, "username", "cw_a").await;
    fill(&c, "password", common::PASSWORD).await;
    c.find(Locator::Css("main form button[type=submit]"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    c.wait()
        .at_most(WAIT)
        .for_url(&base.join("/deltagare").unwrap())
        .await
        .expect("logged in, at the list");
    wait_for(&c, Locator::Id("q")).await;
    check_page(&c, "participant list").await;

    // "Ny deltagare" in the navigation.
    c.find(Locator::LinkText("Ny deltagare"))
        .await
        .expect("the link to the new-participant form")
        .click()
        .await
        .unwrap();
    let identity = wait_for(&c, Locator::Id("identity_number")).await;
    assert_eq!(current_path(&c).await, "/deltagare/ny");
    check_page(&c, "new participant").await;

    // A number with a wrong check digit.
    let valid = common::pnr(5);
    let mut wrong = valid.clone();
    let last = wrong.pop().unwrap().to_digit(10).unwrap();
    wrong.push(char::from_digit((last + 1) % 10, 10).unwrap());
    identity.send_keys(&wrong).await.unwrap();
    fill(&c, "first_name", "Fatima").await;
    fill(&c, "last_name", "Webbsson").await;
    c.find(Locator::Css("select#gender"))
        .await
        .unwrap()
        .select_by_value("woman")
        .await
        .unwrap();
    c.find(Locator::Id("tg-youth"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    c.find(Locator::Css("main form.app-form button[type=submit]"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();

    // The inline error sits at the field and is tied to it.
    let message = wait_for(&c, Locator::Id("identity_number-error")).await;
    assert!(
        message
            .text()
            .await
            .unwrap()
            .contains("Kontrollsiffran stämmer inte"),
        "inline message"
    );
    assert!(message.is_displayed().await.unwrap());
    let identity = c.find(Locator::Id("identity_number")).await.unwrap();
    assert_eq!(attr(&identity, "aria-invalid").await, "true");
    assert!(attr(&identity, "aria-describedby")
        .await
        .split_whitespace()
        .any(|id| id == "identity_number-error"));
    assert_eq!(value(&identity).await, wrong, "what was typed is kept");
    // The message follows its field in the page.
    let follows: bool = c
        .execute(
            "const f = document.getElementById('identity_number');
             const m = document.getElementById('identity_number-error');
             return f.parentElement === m.parentElement &&
                 !!(f.compareDocumentPosition(m) & Node.DOCUMENT_POSITION_FOLLOWING);",
            vec![],
        )
        .await
        .unwrap()
        .as_bool()
        .unwrap();
    assert!(follows, "the message is next to the field");
    // And the summary at the top links to the field.
    let summary = c.find(Locator::Id("error-summary")).await.unwrap();
    assert!(summary.is_displayed().await.unwrap());
    let link = summary
        .find(Locator::Css("a[href='#identity_number']"))
        .await
        .expect("the summary links to the field");
    assert!(link.text().await.unwrap().contains("Kontrollsiffran"));
    assert_eq!(
        value(&c.find(Locator::Id("first_name")).await.unwrap()).await,
        "Fatima"
    );
    assert!(c
        .find(Locator::Id("tg-youth"))
        .await
        .unwrap()
        .is_selected()
        .await
        .unwrap());
    assert!(c.title().await.unwrap().starts_with("Fel: "));
    check_page(&c, "form with errors").await;

    // Follow the summary's link to the field and correct the number.
    link.click().await.unwrap();
    let identity = c.find(Locator::Id("identity_number")).await.unwrap();
    identity.clear().await.unwrap();
    identity.send_keys(&valid).await.unwrap();
    c.find(Locator::Css("main form.app-form button[type=submit]"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();

    // The participant's own page.
    let shown = wait_for(&c, Locator::Id("identity")).await;
    assert_eq!(shown.text().await.unwrap(), valid);
    let path = current_path(&c).await;
    assert!(
        path.starts_with("/deltagare/") && !path.contains(&valid[..8]),
        "{path}"
    );
    let id: i64 = path
        .trim_start_matches("/deltagare/")
        .split('?')
        .next()
        .unwrap()
        .parse()
        .expect("an id in the address");
    assert_eq!(
        c.find(Locator::Css("h1"))
            .await
            .unwrap()
            .text()
            .await
            .unwrap(),
        "Fatima Webbsson"
    );
    // What the user chose is stored; what they left alone is "unknown".
    for (term, shown) in [
        ("Kön", "Kvinna"),
        ("Utbildningsnivå", "Okänd"),
        ("Födelseregion", "Okänt"),
        ("Målgrupper", "Unga (16–24 år)"),
    ] {
        let xpath = format!("//dt[.='{term}']/following-sibling::dd[1]");
        let dd = c.find(Locator::XPath(&xpath)).await.expect(term);
        assert_eq!(dd.text().await.unwrap(), shown, "{term}");
    }
    let flash = c.find(Locator::Css("[role=status]")).await.unwrap();
    assert!(flash.text().await.unwrap().contains("registrerad"));
    check_page(&c, "participant").await;

    // To the list, and search by name.
    c.find(Locator::LinkText("Deltagare"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    let q = wait_for(&c, Locator::Id("q")).await;
    wait_for(
        &c,
        Locator::XPath("//p[@id='result-count' and normalize-space(.)='2 träffar']"),
    )
    .await;
    q.send_keys("Webbsson").await.unwrap();
    c.find(Locator::Css("form[role=search] button[type=submit]"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    wait_for(
        &c,
        Locator::XPath("//p[@id='result-count' and normalize-space(.)='1 träff']"),
    )
    .await;
    let row = c
        .find(Locator::Css("#results table tbody tr"))
        .await
        .expect("a result row");
    let person = row
        .find(Locator::LinkText("Webbsson, Fatima"))
        .await
        .expect("the new person in the results");
    assert_eq!(attr(&person, "href").await, format!("/deltagare/{id}"));
    assert!(row
        .text()
        .await
        .unwrap()
        .contains(&format!("{}-****", &valid[..8])));
    assert_eq!(
        c.find_all(Locator::Css("#results table tbody tr"))
            .await
            .unwrap()
            .len(),
        1
    );
    // The search went by POST: the name is in no address.
    assert_eq!(current_path(&c).await, "/deltagare");
    assert_eq!(
        value(&c.find(Locator::Id("q")).await.unwrap()).await,
        "Webbsson"
    );
    check_page(&c, "search results").await;

    // And the result leads to the person.
    person.click().await.unwrap();
    let shown = wait_for(&c, Locator::Id("identity")).await;
    assert_eq!(shown.text().await.unwrap(), valid);
}

/// Log in through the form as `username`, ending at the role's start page
/// (the participant list for caseworkers, needs for coordinators, the
/// placed participants for a host).
async fn log_in(c: &Client, app: &common::TestApp, username: &str) {
    let base = url::Url::parse(&app.base).unwrap();
    let role = common::USERS
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
    fill(c, "password", common::PASSWORD).await;
    c.find(Locator::Css("main form button[type=submit]"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    c.wait()
        .at_most(WAIT)
        .for_url(&base.join(start).unwrap())
        .await
        .expect("logged in, at the list");
}

/// Set a date field's value as the date picker would (typing into a date
/// field depends on the browser's locale).
async fn set_date(c: &Client, id: &str, date: &str) {
    c.execute(
        "document.getElementById(arguments[0]).value = arguments[1];",
        vec![json!(id), json!(date)],
    )
    .await
    .expect("set the date");
}

async fn select(c: &Client, id: &str, value: &str) {
    c.find(Locator::Id(id))
        .await
        .unwrap_or_else(|_| panic!("select {id}"))
        .select_by_value(value)
        .await
        .unwrap_or_else(|_| panic!("option {value} of {id}"));
}

async fn click(c: &Client, id: &str) {
    c.find(Locator::Id(id))
        .await
        .unwrap_or_else(|_| panic!("element {id}"))
        .click()
        .await
        .unwrap();
}

/// Wait until the browser is at `path_and_query` on the app.
async fn wait_at(c: &Client, app: &common::TestApp, path_and_query: &str) {
    let url = url::Url::parse(&app.url(path_and_query)).unwrap();
    if let Err(e) = c.wait().at_most(WAIT).for_url(&url).await {
        let source = c.source().await.unwrap_or_default();
        panic!("waited in vain for {path_and_query}: {e}\n{source}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_caseworker_builds_a_plan_with_steps_for_two_organisations_and_sees_the_history() {
    let Some(webdriver) = webdriver_url() else {
        return;
    };
    let app = Arc::new(
        common::TestApp::spawn(common::Engine::Sqlite)
            .await
            .expect("sqlite app"),
    );
    let profile = tempfile::tempdir().expect("profile dir");
    let c = tokio::time::timeout(
        Duration::from_secs(60),
        start_browser(&webdriver, profile.path()),
    )
    .await
    .expect("Chromium started within a minute");
    let errand = tokio::spawn(plan_errand(c.clone(), app.clone()));
    let outcome = tokio::time::timeout(ERRAND_LIMIT, errand).await;
    let _ = tokio::time::timeout(Duration::from_secs(20), c.close()).await;
    match outcome {
        Ok(Ok(())) => {}
        Ok(Err(e)) => std::panic::resume_unwind(e.into_panic()),
        Err(_) => panic!("the browser errand took longer than {ERRAND_LIMIT:?}"),
    }
}

async fn plan_errand(c: Client, app: Arc<common::TestApp>) {
    let id = app
        .create(
            "cw_a",
            json!({"identity_number": common::pnr(7), "first_name": "Amina", "last_name": "Plansson"}),
        )
        .await["id"]
        .as_i64()
        .unwrap();
    let af = app
        .store
        .organisation_by_name("AF")
        .await
        .unwrap()
        .expect("AF")
        .id;
    let today = vagar_domain::time::swedish_date(app.clock.now());
    let day = |d: chrono::NaiveDate| d.format("%Y-%m-%d").to_string();
    let plan = format!("/deltagare/{id}/plan");

    log_in(&c, &app, "cw_a").await;
    c.goto(&app.url(&format!("/deltagare/{id}")))
        .await
        .expect("open the participant");
    wait_for(&c, Locator::Id("plan-link"))
        .await
        .click()
        .await
        .unwrap();
    wait_at(&c, &app, &plan).await;
    wait_for(&c, Locator::Id("no-plan")).await;
    check_page(&c, "an empty plan").await;

    // The long-term goal: an occupation from SSYK.
    click(&c, "goal-kind-occupation").await;
    fill(&c, "goal-ssyk_code", "5321").await;
    fill(&c, "goal-goal_title", "Undersköterska").await;
    click(&c, "goal-submit").await;
    wait_at(&c, &app, &format!("{plan}?sparad=mal")).await;
    let goal = wait_for(&c, Locator::Id("goal-title-value")).await;
    assert_eq!(goal.text().await.unwrap(), "Undersköterska");
    let status = wait_for(&c, Locator::Css("main [role=status]")).await;
    assert_eq!(status.text().await.unwrap(), "Målet är sparat.");

    // A step of the caseworker's own unit, with a responsible colleague.
    select(&c, "step-activity_type", "work_practice").await;
    select(&c, "step-organisation_id", &app.org_a.to_string()).await;
    select(
        &c,
        "step-responsible_user_id",
        &app.user_ids["cw_a2"].to_string(),
    )
    .await;
    set_date(&c, "step-start_date", &day(today)).await;
    set_date(
        &c,
        "step-due_date",
        &day(today + chrono::Duration::days(90)),
    )
    .await;
    click(&c, "step-submit").await;
    wait_at(&c, &app, &format!("{plan}?sparad=steg")).await;
    wait_for(&c, Locator::Css("#steps tbody tr")).await;

    // A step of Arbetsförmedlingen, on the same page.
    select(&c, "step-activity_type", "other").await;
    fill(&c, "step-activity_text", "Validering av vårdkompetens").await;
    select(&c, "step-organisation_id", &af.to_string()).await;
    set_date(
        &c,
        "step-start_date",
        &day(today + chrono::Duration::days(30)),
    )
    .await;
    set_date(
        &c,
        "step-due_date",
        &day(today + chrono::Duration::days(120)),
    )
    .await;
    select(&c, "step-status", "active").await;
    // A fresh page after the redirect: wait for the second row itself.
    click(&c, "step-submit").await;
    let second = wait_for(&c, Locator::Css("#steps tbody tr:nth-child(2)")).await;
    let first = c
        .find(Locator::Css("#steps tbody tr:nth-child(1)"))
        .await
        .unwrap();
    let first_text = first.text().await.unwrap();
    assert!(
        first_text.contains("Arbetsträning eller praktik"),
        "{first_text}"
    );
    assert!(first_text.contains("cw_a2 Testsson"), "{first_text}");
    assert!(first_text.contains("Planerat"), "{first_text}");
    let second_text = second.text().await.unwrap();
    assert!(
        second_text.contains("Annat: Validering av vårdkompetens"),
        "{second_text}"
    );
    assert!(second_text.contains("AF"), "{second_text}");
    assert!(second_text.contains("Pågår"), "{second_text}");
    check_page(&c, "a plan with two steps").await;

    // The first step is done: open its form, choose the status, write the result.
    let form = c
        .find(Locator::Css("form.app-step-edit"))
        .await
        .expect("a form per step");
    let form_id = attr(&form, "id").await;
    let step = form_id
        .trim_start_matches('s')
        .trim_end_matches("-form")
        .to_string();
    c.find(Locator::XPath(&format!(
        "//form[@id='{form_id}']/parent::details/summary"
    )))
    .await
    .expect("the step's summary")
    .click()
    .await
    .unwrap();
    let status_select = wait_for(&c, Locator::Id(&format!("s{step}-status"))).await;
    assert!(status_select.is_displayed().await.unwrap());
    status_select.select_by_value("done").await.unwrap();
    fill(&c, &format!("s{step}-result_note"), "Fick anställning").await;
    click(&c, &format!("s{step}-submit")).await;
    wait_at(&c, &app, &format!("{plan}?sparad=andrat")).await;
    let first = wait_for(&c, Locator::Css("#steps tbody tr:nth-child(1)")).await;
    let first_text = first.text().await.unwrap();
    assert!(first_text.contains("Klart"), "{first_text}");
    assert!(first_text.contains("Fick anställning"), "{first_text}");

    // The history: who, when, what, old → new; the newest first.
    let history = wait_for(&c, Locator::Id("history")).await;
    let rows = history
        .find_all(Locator::Css("tbody tr"))
        .await
        .expect("history rows");
    let mut texts = Vec::new();
    for r in &rows {
        texts.push(r.text().await.unwrap());
    }
    let all = texts.join("\n");
    assert!(
        texts.iter().any(|t| t.contains("cw_a (A)")
            && t.contains("Steg 1")
            && t.contains("Status")
            && t.contains("Planerat → Klart")),
        "{all}"
    );
    assert!(
        texts.iter().any(|t| t.contains("Steg 2")
            && t.contains("Ansvarig organisation")
            && t.contains("AF")),
        "{all}"
    );
    assert!(
        texts
            .iter()
            .any(|t| t.contains("Målet") && t.contains("SSYK-kod") && t.contains("5321")),
        "{all}"
    );
    assert!(texts[0].contains("Steg 1"), "newest first: {all}");
    let when = history
        .find(Locator::Css("tbody tr td"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(when.starts_with(&day(today)) || when.len() == 16, "{when}");
    check_page(&c, "the plan with its history").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_employer_states_a_need_and_a_coordinator_takes_it_from_the_queue() {
    let Some(webdriver) = webdriver_url() else {
        return;
    };
    let app = Arc::new(
        common::TestApp::spawn(common::Engine::Sqlite)
            .await
            .expect("sqlite app"),
    );
    app.load_taxonomy().await;
    let profile = tempfile::tempdir().expect("profile dir");
    let c = tokio::time::timeout(
        Duration::from_secs(60),
        start_browser(&webdriver, profile.path()),
    )
    .await
    .expect("Chromium started within a minute");
    let errand = tokio::spawn(need_errand(c.clone(), app.clone()));
    let outcome = tokio::time::timeout(ERRAND_LIMIT, errand).await;
    let _ = tokio::time::timeout(Duration::from_secs(20), c.close()).await;
    match outcome {
        Ok(Ok(())) => {}
        Ok(Err(e)) => std::panic::resume_unwind(e.into_panic()),
        Err(_) => panic!("the browser errand took longer than {ERRAND_LIMIT:?}"),
    }
}

async fn need_errand(c: Client, app: Arc<common::TestApp>) {
    // The employer, not logged in, on the public form.
    c.goto(&app.url("/arbetsgivare"))
        .await
        .expect("open the form");
    let occupation = wait_for(&c, Locator::Id("occupation")).await;
    check_page(&c, "public need form").await;
    // The script enhances the occupation field with suggestions.
    fill(&c, "occupation", "Underskö").await;
    let list_id = attr(&occupation, "list").await;
    assert!(!list_id.is_empty(), "autocomplete.js attached a datalist");
    c.wait()
        .at_most(WAIT)
        .for_element(Locator::Css(&format!("#{list_id} option")))
        .await
        .expect("suggestions from the taxonomy API");
    fill(
        &c,
        "occupation",
        "Undersköterska, hemtjänst, äldreboende och habilitering",
    )
    .await;
    fill(&c, "organisation_number", "556016-0680").await;
    fill(&c, "employer_name", "Omsorg i Söder AB").await;
    fill(&c, "contact_name", "Eva Exempel").await;
    fill(&c, "contact_email", "eva@example.se").await;
    fill(&c, "positions", "2").await;
    set_date(&c, "start_date", "2027-01-11").await;
    // Forgetting the forms of employment: an inline message, nothing stored.
    c.find(Locator::Css("main form button[type=submit]"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    wait_for(&c, Locator::Id("forms-error")).await;
    check_page(&c, "public need form with errors").await;
    click(&c, "forms-work_practice").await;
    c.find(Locator::Css("main form button[type=submit]"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    let reference = wait_for(&c, Locator::Id("reference")).await;
    let reference = reference.text().await.unwrap();
    assert!(reference.starts_with("K-"), "{reference}");
    check_page(&c, "thank-you page").await;

    // The coordinator finds it in the queue.
    log_in(&c, &app, "coordinator").await;
    c.find(Locator::LinkText("Kompetensbehov"))
        .await
        .expect("the nav link")
        .click()
        .await
        .unwrap();
    wait_at(&c, &app, "/behov").await;
    click(&c, "queue-tab").await;
    wait_at(&c, &app, "/behov?ko=1").await;
    check_page(&c, "the queue").await;
    c.find(Locator::LinkText(
        "Undersköterska, hemtjänst, äldreboende och habilitering",
    ))
    .await
    .expect("the need in the queue")
    .click()
    .await
    .unwrap();
    let shown = wait_for(&c, Locator::Id("need-reference")).await;
    assert_eq!(shown.text().await.unwrap(), reference);
    check_page(&c, "the need").await;

    // No workplace yet: add one, then take the need with it.
    fill(&c, "workplace-name", "Hemtjänsten Söder").await;
    fill(&c, "workplace-city", "Stockholm").await;
    click(&c, "workplace-submit").await;
    let select_el = wait_for(
        &c,
        Locator::Css("#triage-workplace_id option[value]:not([value=''])"),
    )
    .await;
    let wp = attr(&select_el, "value").await;
    select(&c, "triage-workplace_id", &wp).await;
    click(&c, "triage-submit").await;
    // The page after taking it names the workplace.
    wait_for(
        &c,
        Locator::XPath("//dd[@id='need-workplace' and normalize-space()='Hemtjänsten Söder']"),
    )
    .await;
    let state = c.find(Locator::Id("need-triage-state")).await.unwrap();
    assert!(state.text().await.unwrap().starts_with("Omhändertaget"));
    assert!(
        c.find(Locator::Id("triage-submit")).await.is_err(),
        "no longer in the queue"
    );
    c.goto(&app.url("/behov?ko=1")).await.unwrap();
    wait_for(&c, Locator::Id("needs-none")).await;
}

/// Issue 6: a host approves a week's timesheet on a phone-sized window.
/// The page must fit 375 px without horizontal scrolling and work by plain
/// form posts; the API then reports the week approved.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_host_approves_a_timesheet_on_a_phone() {
    let Some(webdriver) = webdriver_url() else {
        return;
    };
    let app = Arc::new(
        common::TestApp::spawn(common::Engine::Sqlite)
            .await
            .expect("sqlite app"),
    );
    let s = crate::work::rental::api::setup(&app, "2120001355", 18_000).await;
    let week = crate::work::rental::api::submitted(
        &app,
        s.placement,
        "2026-03-09",
        [480, 480, 450, 480, 240, 0, 0],
    )
    .await;
    let profile = tempfile::tempdir().expect("profile dir");
    let c = tokio::time::timeout(
        Duration::from_secs(60),
        start_browser(&webdriver, profile.path()),
    )
    .await
    .expect("Chromium started within a minute");
    let errand = tokio::spawn(host_errand(c.clone(), app.clone(), week));
    let outcome = tokio::time::timeout(ERRAND_LIMIT, errand).await;
    let _ = tokio::time::timeout(Duration::from_secs(20), c.close()).await;
    match outcome {
        Ok(Ok(())) => {}
        Ok(Err(e)) => std::panic::resume_unwind(e.into_panic()),
        Err(_) => panic!("the browser errand took longer than {ERRAND_LIMIT:?}"),
    }
}

/// Whether the page scrolls sideways, and the viewport's width.
async fn overflow(c: &Client) -> (i64, i64) {
    let v = c
        .execute(
            "return [document.documentElement.scrollWidth, window.innerWidth];",
            vec![],
        )
        .await
        .expect("script");
    (v[0].as_i64().unwrap(), v[1].as_i64().unwrap())
}

async fn host_errand(c: Client, app: Arc<common::TestApp>, week: i64) {
    c.set_window_size(375, 740)
        .await
        .expect("phone-sized window");
    log_in(&c, &app, "employer").await;
    c.goto(&app.url("/tidrapporter")).await.unwrap();
    let card = wait_for(&c, Locator::Id(&format!("week-{week}"))).await;
    check_page(&c, "host timesheets").await;
    let (scroll, inner) = overflow(&c).await;
    assert!(inner <= 400, "a phone-sized viewport, got {inner}");
    assert!(
        scroll <= inner,
        "no horizontal scrolling: {scroll} > {inner}"
    );
    let text = card.text().await.unwrap();
    assert!(text.contains("Amina") && !text.contains("Hyrén"), "{text}");
    assert!(text.contains("35,5 tim"), "the week's total: {text}");
    // A large touch target.
    let button = c
        .find(Locator::Id(&format!("approve-{week}")))
        .await
        .expect("the approve button");
    let size: Value = c
        .execute(
            "const r = arguments[0].getBoundingClientRect(); return [r.width, r.height];",
            vec![serde_json::to_value(&button).unwrap()],
        )
        .await
        .unwrap();
    assert!(
        size[1].as_f64().unwrap() >= 44.0,
        "the approve button is at least 44 px high: {size}"
    );
    button.click().await.unwrap();
    wait_at(&c, &app, "/tidrapporter?klart=godkand").await;
    let done = wait_for(&c, Locator::Id(&format!("decided-{week}"))).await;
    assert_eq!(attr(&done, "data-status").await, "approved");
    assert!(done.text().await.unwrap().contains("Godkänd"));
    wait_for(&c, Locator::Id("none-waiting")).await;
    let flash = c.find(Locator::Css("[role=status]")).await.unwrap();
    assert!(flash.text().await.unwrap().contains("godkänd"));
    let (scroll, inner) = overflow(&c).await;
    assert!(
        scroll <= inner,
        "no horizontal scrolling after approving: {scroll} > {inner}"
    );
    check_page(&c, "host timesheets, decided").await;
    // The API agrees.
    let (status, t) = app
        .get_json("employer", &format!("/api/v1/rental/timesheets/{week}"))
        .await;
    assert_eq!(status, 200);
    assert_eq!(t["status"], "approved");
    assert!(t["decided_at"].is_string());
}
