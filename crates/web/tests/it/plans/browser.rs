//! A caseworker builds a plan in a real browser (see `common::browser`): the
//! goal, a step of the own unit and one of AF, a step done with its result,
//! and the history, newest first.

use crate::common::browser::{
    self, attr, check_page, click, fill, log_in, press, select, set_date, wait_at, wait_for, Window,
};
use crate::common::{day, TestApp};
use fantoccini::{Client, Locator};
use std::sync::Arc;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_caseworker_builds_a_plan_with_steps_for_two_organisations_and_sees_the_history() {
    let Some((webdriver, app)) = browser::app().await else {
        return;
    };
    browser::run(&webdriver, Window::Desktop, app, errand).await;
}

async fn errand(c: Client, app: Arc<TestApp>) {
    let id = app.register("cw_a", 7, "Amina", "Plansson").await;
    let af = app.org("AF").await;
    let today = app.today();
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
    // AF has no consent: the page warns first, the typed values kept.
    click(&c, "step-submit").await;
    let warning = wait_for(&c, Locator::Id("no-consent")).await;
    assert!(warning.text().await.unwrap().contains("samtycke"));
    let typed = c.find(Locator::Id("step-activity_text")).await.unwrap();
    assert_eq!(
        typed.prop("value").await.unwrap().as_deref(),
        Some("Validering av vårdkompetens")
    );
    // Going on knowingly; a fresh page after the redirect: wait for the second row.
    click(&c, "without_consent").await;
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
    press(
        &c,
        Locator::XPath(&format!("//form[@id='{form_id}']/parent::details/summary")),
    )
    .await;
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
        texts.iter().any(|t| t.contains("cw_a Testsson (A)")
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
