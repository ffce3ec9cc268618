//! A caseworker's errand in a real browser (see `common::browser`): the login,
//! a new participant with a wrong check digit first (the inline error, the
//! summary linking to the field, the values kept), then found by name.

use crate::common::browser::{
    self, attr, check_page, current_path, fill, press, submit, value, wait_at, wait_for, Window,
};
use crate::common::{self, TestApp};
use fantoccini::{Client, Locator};
use serde_json::json;
use std::sync::Arc;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn caseworker_registers_and_finds_a_participant() {
    let Some((webdriver, app)) = browser::app().await else {
        return;
    };
    // Someone else is in the register already, so a search has to narrow.
    app.create(
        "cw_a",
        json!({"identity_number": common::pnr(2), "first_name": "Bo", "last_name": "Annansson"}),
    )
    .await;
    browser::run(&webdriver, Window::Desktop, app, errand).await;
}

async fn errand(c: Client, app: Arc<TestApp>) {
    // The start page sends a stranger to the login.
    c.goto(&app.url("/")).await.expect("open /");
    wait_at(&c, &app, "/logga-in").await;
    let h1 = wait_for(&c, Locator::Css("h1")).await;
    assert_eq!(h1.text().await.unwrap(), "Logga in");
    check_page(&c, "login").await;

    fill(&c, "username", "cw_a").await;
    fill(&c, "password", common::PASSWORD).await;
    submit(&c).await;
    wait_at(&c, &app, "/deltagare").await;
    wait_for(&c, Locator::Id("q")).await;
    check_page(&c, "participant list").await;

    // "Ny deltagare" in the navigation.
    press(&c, Locator::LinkText("Ny deltagare")).await;
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
    press(&c, Locator::Id("tg-youth")).await;
    press(&c, Locator::Css("main form.app-form button[type=submit]")).await;

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
    press(&c, Locator::Css("main form.app-form button[type=submit]")).await;

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
    press(&c, Locator::LinkText("Deltagare")).await;
    let q = wait_for(&c, Locator::Id("q")).await;
    wait_for(
        &c,
        Locator::XPath("//p[@id='result-count' and normalize-space(.)='2 träffar']"),
    )
    .await;
    q.send_keys("Webbsson").await.unwrap();
    press(&c, Locator::Css("form[role=search] button[type=submit]")).await;
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
