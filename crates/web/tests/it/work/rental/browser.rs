//! Issue 6: a host approves a week's timesheet on a phone-sized window (see
//! `common::browser`). The page must fit 375 px without horizontal
//! scrolling and work by plain form posts; the API then reports the week
//! approved.

use crate::common::browser::{self, attr, check_page, log_in, wait_at, wait_for, widths, Window};
use crate::common::TestApp;
use fantoccini::{Client, Locator};
use serde_json::Value;
use std::sync::Arc;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_host_approves_a_timesheet_on_a_phone() {
    let Some((webdriver, app)) = browser::app().await else {
        return;
    };
    let s = super::api::setup(&app, "2120001355", 18_000).await;
    let week = super::api::submitted(
        &app,
        s.placement,
        "2026-03-09",
        [480, 480, 450, 480, 240, 0, 0],
    )
    .await;
    browser::run(&webdriver, Window::Desktop, app, move |c, app| {
        errand(c, app, week)
    })
    .await;
}

async fn errand(c: Client, app: Arc<TestApp>, week: i64) {
    c.set_window_size(375, 740)
        .await
        .expect("phone-sized window");
    log_in(&c, &app, "employer").await;
    c.goto(&app.url("/tidrapporter")).await.unwrap();
    let card = wait_for(&c, Locator::Id(&format!("week-{week}"))).await;
    check_page(&c, "host timesheets").await;
    let (scroll, inner) = widths(&c).await;
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
    let (scroll, inner) = widths(&c).await;
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
