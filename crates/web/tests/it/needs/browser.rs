//! An employer states a need on the public form in a real browser (see
//! `common::browser`), the occupation field enhanced with suggestions; a
//! coordinator finds it in the queue, adds a workplace and takes it.

use crate::common::browser::{
    self, attr, check_page, click, fill, log_in, press, select, set_date, submit, wait_at,
    wait_for, Window, WAIT,
};
use crate::common::TestApp;
use fantoccini::{Client, Locator};
use std::sync::Arc;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_employer_states_a_need_and_a_coordinator_takes_it_from_the_queue() {
    let Some((webdriver, app)) = browser::app().await else {
        return;
    };
    app.load_taxonomy().await;
    browser::run(&webdriver, Window::Desktop, app, errand).await;
}

async fn errand(c: Client, app: Arc<TestApp>) {
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
    submit(&c).await;
    wait_for(&c, Locator::Id("forms-error")).await;
    check_page(&c, "public need form with errors").await;
    click(&c, "forms-work_practice").await;
    submit(&c).await;
    let reference = wait_for(&c, Locator::Id("reference")).await;
    let reference = reference.text().await.unwrap();
    assert!(reference.starts_with("K-"), "{reference}");
    check_page(&c, "thank-you page").await;

    // The coordinator finds it in the queue.
    log_in(&c, &app, "coordinator").await;
    press(&c, Locator::LinkText("Kompetensbehov")).await;
    wait_at(&c, &app, "/behov").await;
    click(&c, "queue-tab").await;
    wait_at(&c, &app, "/behov?ko=1").await;
    check_page(&c, "the queue").await;
    press(
        &c,
        Locator::LinkText("Undersköterska, hemtjänst, äldreboende och habilitering"),
    )
    .await;
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
