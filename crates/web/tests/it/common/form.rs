//! The pages as a browser without JavaScript uses them: a client with a
//! cookie store that does not follow redirects, a page read, a form posted
//! with the page's CSRF token, and what the tests look at in the answer
//! (Location, a tag by id, a hidden field).

use super::TestApp;
use reqwest::header::LOCATION;
use reqwest::{Client, Response};

/// A cookie-holding client that does not follow redirects, logged in as
/// nobody (`app.login` logs one in).
pub fn browser() -> Client {
    Client::builder()
        .cookie_store(true)
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("client")
}

pub async fn get(client: &Client, app: &TestApp, path: &str) -> Response {
    client.get(app.url(path)).send().await.expect("request")
}

pub async fn text(res: Response) -> String {
    res.text().await.expect("body")
}

/// A page: its status and body.
pub async fn page(client: &Client, app: &TestApp, path: &str) -> (u16, String) {
    let res = get(client, app, path).await;
    (res.status().as_u16(), text(res).await)
}

/// A page's body, asserting its status.
pub async fn read(client: &Client, app: &TestApp, path: &str, status: u16) -> String {
    let (got, html) = page(client, app, path).await;
    assert_eq!(got, status, "GET {path}: {html}");
    html
}

/// The body of the answer to posting `fields` as they are, asserting its status.
pub async fn sent<T: serde::Serialize + ?Sized>(
    client: &Client,
    app: &TestApp,
    path: &str,
    fields: &T,
    status: u16,
) -> String {
    let res = client.post(app.url(path)).form(fields).send().await;
    let res = res.expect("post");
    assert_eq!(res.status().as_u16(), status, "POST {path}");
    text(res).await
}

/// The page's `csrf` field, read from a page that answers 200.
pub async fn page_csrf(client: &Client, app: &TestApp, path: &str) -> String {
    let (status, html) = page(client, app, path).await;
    assert_eq!(status, 200, "GET {path}");
    hidden_value(&html, "csrf")
}

/// Post a form with `csrf` first; returns status, Location ("" if none) and body.
pub async fn post(
    client: &Client,
    app: &TestApp,
    csrf: &str,
    path: &str,
    fields: &[(&str, &str)],
) -> (u16, String, String) {
    let mut body: Vec<(&str, &str)> = vec![("csrf", csrf)];
    body.extend_from_slice(fields);
    send_form(client, app, path, &body).await
}

/// Post `fields` as they are (the caller brings the CSRF token); returns
/// status, Location ("" if none) and body.
pub async fn send_form(
    client: &Client,
    app: &TestApp,
    path: &str,
    fields: &[(&str, &str)],
) -> (u16, String, String) {
    let res = client
        .post(app.url(path))
        .form(fields)
        .send()
        .await
        .expect("post");
    let status = res.status().as_u16();
    let location = res
        .headers()
        .get(LOCATION)
        .map(|v| v.to_str().unwrap().to_string());
    (status, location.unwrap_or_default(), text(res).await)
}

/// Read `page` for its CSRF token, then post `fields` to `action`.
pub async fn submit(
    client: &Client,
    app: &TestApp,
    page: &str,
    action: &str,
    fields: &[(&str, &str)],
) -> (u16, String, String) {
    let csrf = page_csrf(client, app, page).await;
    post(client, app, &csrf, action, fields).await
}

/// Fields with owned values as the `&str` pairs a form post takes.
pub fn refs<'a>(v: &'a [(&'static str, String)]) -> Vec<(&'static str, &'a str)> {
    v.iter().map(|(k, v)| (*k, v.as_str())).collect()
}

/// The `Location` of a redirect. Every redirect a test reads through here is
/// checked to carry no identity number: no run of ten or more digits
/// (ignoring the separators a number may be written with).
pub fn location(res: &Response) -> String {
    let loc = res
        .headers()
        .get(LOCATION)
        .unwrap_or_else(|| panic!("{} has no Location", res.url()))
        .to_str()
        .expect("ascii Location")
        .to_string();
    let mut run = 0;
    for c in loc.chars() {
        if c.is_ascii_digit() {
            run += 1;
            assert!(run < 10, "a redirect carries an identity number: {loc}");
        } else if c != '-' && c != '+' {
            run = 0;
        }
    }
    loc
}

/// The HTML tag that carries `id="{id}"`.
pub fn tag_with_id<'a>(html: &'a str, id: &str) -> &'a str {
    let marker = format!("id=\"{id}\"");
    let at = html
        .find(&marker)
        .unwrap_or_else(|| panic!("no element with {marker}"));
    let start = html[..at].rfind('<').unwrap();
    let end = at + html[at..].find('>').unwrap() + 1;
    &html[start..end]
}

/// The value of the first field `name` with its value right after the name
/// (the hidden fields: `csrf`, `version`).
pub fn hidden_value(html: &str, name: &str) -> String {
    let marker = format!("name=\"{name}\" value=\"");
    let start = html
        .find(&marker)
        .unwrap_or_else(|| panic!("the page has no {name} field"))
        + marker.len();
    let end = html[start..].find('"').expect("the value ends") + start;
    html[start..end].to_string()
}
