//! The staffing board on a phone: headless Chromium at 360 px wide (see
//! `common::browser`). A coordinator assigns staff with the select, sees a
//! double booking refused inline, and the page never scrolls sideways. The
//! engines are covered by `work::staffing::ui`.

use crate::common::browser::{self, log_in, overflow, press, wait_for, Window};
use crate::common::TestApp;
use fantoccini::{Client, Locator};
use serde_json::json;
use std::sync::Arc;

const WIDTH: u32 = 360;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_coordinator_staffs_shifts_on_a_phone_sized_board() {
    let Some((webdriver, app)) = browser::app().await else {
        return;
    };
    app.load_taxonomy().await;
    let pool = app
        .post(
            "coordinator",
            "/api/v1/staffing/pools",
            json!({ "name": "Poolen", "organisation_id": app.org_a, "hourly_price_ore": 30000 }),
        )
        .await
        .id();
    for name in ["Anna Andersson-Långnamnsdotter", "Bo Berg"] {
        app.post(
            "coordinator",
            &format!("/api/v1/staffing/pools/{pool}/staff"),
            json!({ "name": name, "employment_form": "full_time", "occupation": "5321",
                                "hourly_wage_ore": 19000, "active_from": "2026-01-01" }),
        )
        .await
        .must(201);
    }
    let mut reqs = vec![];
    for (date, start, end) in [
        ("2026-03-02", "22:00", "06:00"),
        ("2026-03-03", "05:00", "13:00"),
    ] {
        let r = app
            .post(
                "coordinator",
                &format!("/api/v1/staffing/pools/{pool}/requests"),
                json!({ "unit_id": app.org_a, "work_date": date, "start_time": start,
                        "end_time": end, "occupation": "5321", "staff_count": 1,
                        "note": "Avdelning Solrosen, rapport i personalrummet på plan två" }),
            )
            .await;
        reqs.push(r.id());
    }
    browser::run(&webdriver, Window::Phone(WIDTH), app, move |c, app| {
        errand(c, app, pool, reqs)
    })
    .await;
}

async fn errand(c: Client, app: Arc<TestApp>, pool: i64, reqs: Vec<i64>) {
    log_in(&c, &app, "coordinator").await;

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
    wait_for(&c, Locator::Id(&format!("staff-{}", reqs[0]))).await;
    assert_eq!(
        overflow(&c).await,
        0,
        "the board scrolls sideways at {WIDTH} px"
    );
    assign_first(&c, reqs[0]).await;
    let card = wait_for(
        &c,
        Locator::Css(&format!("#request-{}[data-state='filled']", reqs[0])),
    )
    .await;
    assert!(card.text().await.unwrap().contains("1 av 1 tillsatta"));

    // The next morning overlaps the night: refused inline, on the phone.
    c.goto(&app.url(&format!("/bemanning?pool={pool}&datum=2026-03-03")))
        .await
        .unwrap();
    assign_first(&c, reqs[1]).await;
    let alert = wait_for(&c, Locator::Id(&format!("conflicts-{}", reqs[1]))).await;
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
    let j = app
        .get(
            "coordinator",
            &format!("/api/v1/staffing/requests/{}", reqs[1]),
        )
        .await
        .json;
    assert_eq!(j["assigned"], 0, "nothing written");
    // The week view and the statistics page fit too.
    c.goto(&app.url(&format!("/bemanning?pool={pool}&datum=2026-03-03&vy=vecka")))
        .await
        .unwrap();
    wait_for(&c, Locator::Id("requests")).await;
    assert_eq!(overflow(&c).await, 0, "the week view scrolls sideways");
}

/// Choose the first of the staff offered for request `req` on the board, and assign.
async fn assign_first(c: &Client, req: i64) {
    let select = wait_for(c, Locator::Id(&format!("staff-{req}"))).await;
    select.select_by_index(1).await.expect("choose the first");
    press(
        c,
        Locator::Css(&format!("#request-{req} form[action$='/tilldela'] button")),
    )
    .await;
}
