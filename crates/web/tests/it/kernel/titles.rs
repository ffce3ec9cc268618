//! Every page's <title> is a short plain text: screen readers announce it
//! first, and a template block left open once put a whole section there.

use crate::common;

use common::TestApp;
use serde_json::json;

fn title(html: &str) -> String {
    let start = html.find("<title>").expect("page has a title") + "<title>".len();
    let end = html[start..].find("</title>").expect("title ends") + start;
    html[start..end].to_string()
}

both_engines!(
    page_titles_are_short_plain_text,
    |app: TestApp| async move {
        let p = app
        .create(
            "cw_a",
            json!({"identity_number": common::pnr(7), "first_name": "Tilda", "last_name": "Titel"}),
        )
        .await;
        let id = p["id"].as_i64().unwrap();
        let client = app.login("cw_a").await;
        for path in [
            "/deltagare".to_string(),
            "/deltagare/ny".to_string(),
            format!("/deltagare/{id}"),
            format!("/deltagare/{id}/redigera"),
            format!("/deltagare/{id}/plan"),
            "/inskrivning".to_string(),
            "/mellan-stolarna".to_string(),
        ] {
            let res = client.get(app.url(&path)).send().await.unwrap();
            assert_eq!(res.status().as_u16(), 200, "{path}");
            let t = title(&res.text().await.unwrap());
            assert!(
                t.len() < 120 && !t.contains('<') && !t.contains('{'),
                "{path}: title is {t:?}"
            );
            assert!(t.ends_with("Vägar"), "{path}: {t:?}");
        }
    }
);
