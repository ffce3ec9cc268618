//! The HTML interface as a browser without JavaScript sees it: login and its
//! CSRF, session cookies, renewal, throttling, idle and absolute timeouts,
//! logout, security headers, the participant forms (errors, optimistic
//! locking), the language switch and role checks. Both engines.

use crate::common;
use crate::common::form::{browser, get, hidden_value, location, tag_with_id, text};

use reqwest::header::{HeaderMap, COOKIE, SET_COOKIE};
use reqwest::{Client, Response, StatusCode};

// ---------------------------------------------------------------------------
// Helpers

/// The `Set-Cookie` header that sets `name`, if any.
fn set_cookie(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(SET_COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|v| v.starts_with(&format!("{name}=")))
        .map(str::to_string)
}

/// The value a `Set-Cookie` header gives its cookie.
fn cookie_value(set_cookie: &str) -> String {
    let first = set_cookie.split(';').next().unwrap();
    first.split_once('=').unwrap().1.to_string()
}

/// The attributes of a `Set-Cookie` header, lower-cased, without the value.
fn cookie_attrs(set_cookie: &str) -> Vec<String> {
    set_cookie
        .split(';')
        .skip(1)
        .map(|a| a.trim().to_ascii_lowercase())
        .collect()
}

/// A request with exactly the given cookies and no cookie store.
async fn get_with_cookie(app: &common::TestApp, path: &str, cookie: &str) -> Response {
    app.http
        .get(app.url(path))
        .header(COOKIE, cookie)
        .send()
        .await
        .expect("request")
}

/// The login form's CSRF token, fetched with `client` (which keeps the
/// matching cookie).
async fn login_csrf(client: &Client, app: &common::TestApp) -> String {
    let res = get(client, app, "/logga-in").await;
    assert_eq!(res.status(), StatusCode::OK);
    common::hidden_csrf(&text(res).await)
}

async fn post_login(
    client: &Client,
    app: &common::TestApp,
    csrf: &str,
    user: &str,
    password: &str,
) -> Response {
    client
        .post(app.url("/logga-in"))
        .form(&[("csrf", csrf), ("username", user), ("password", password)])
        .send()
        .await
        .expect("login request")
}

/// Log in by hand and return the raw session id, for tests that send the
/// cookie themselves (reqwest's cookie store does not hand values out).
async fn login_raw(app: &common::TestApp, user: &str) -> String {
    let client = browser();
    let csrf = login_csrf(&client, app).await;
    let res = post_login(&client, app, &csrf, user, common::PASSWORD).await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let sc = set_cookie(res.headers(), "vagar_session").expect("session cookie");
    cookie_value(&sc)
}

fn session(raw: &str) -> String {
    format!("vagar_session={raw}")
}

/// The page's `csrf` field, read from a page that has one.
async fn page_csrf(client: &Client, app: &common::TestApp, path: &str) -> String {
    let res = get(client, app, path).await;
    assert_eq!(res.status(), StatusCode::OK, "GET {path}");
    common::hidden_csrf(&text(res).await)
}

/// The fields of the participant form, as a browser would send them.
fn participant_fields<'a>(
    csrf: &'a str,
    identity: &'a str,
    first: &'a str,
    last: &'a str,
) -> Vec<(&'static str, &'a str)> {
    vec![
        ("csrf", csrf),
        ("identity_number", identity),
        ("first_name", first),
        ("last_name", last),
        ("gender", "woman"),
        ("birth_region", "sweden"),
        ("education_level", "secondary"),
        ("disability", ""),
        ("target_groups", "youth"),
        ("target_groups", "sfi"),
        ("municipality_code", "0180"),
        ("district", "Rinkeby-Kista"),
        ("swedish_level", ""),
        ("languages", "sv, ar"),
        ("driving_licences", "B"),
        ("email", ""),
        ("phone", ""),
        ("registered_on", ""),
        ("responsible_caseworker_id", ""),
    ]
}

/// Create a participant through the form; returns its id.
async fn create_via_form(
    client: &Client,
    app: &common::TestApp,
    identity: &str,
    first: &str,
    last: &str,
) -> i64 {
    let csrf = page_csrf(client, app, "/deltagare/ny").await;
    let res = client
        .post(app.url("/deltagare/ny"))
        .form(&participant_fields(&csrf, identity, first, last))
        .send()
        .await
        .expect("create");
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let loc = location(&res);
    let rest = loc.strip_prefix("/deltagare/").expect("to the participant");
    rest.split('?').next().unwrap().parse().expect("an id")
}

// ---------------------------------------------------------------------------
// Login

both_engines!(
    login_page_and_wrong_password,
    |app: common::TestApp| async move {
        let client = browser();
        let res = get(&client, &app, "/logga-in").await;
        assert_eq!(res.status(), StatusCode::OK);
        let sc = set_cookie(res.headers(), "vagar_login_csrf").expect("login CSRF cookie");
        let attrs = cookie_attrs(&sc);
        assert!(attrs.contains(&"httponly".into()), "{sc}");
        assert!(attrs.contains(&"samesite=lax".into()), "{sc}");
        let html = text(res).await;
        assert!(html.contains("<html lang=\"sv\""));
        let csrf = common::hidden_csrf(&html);
        assert!(csrf.len() >= 32, "a long token");
        assert_eq!(
            csrf,
            cookie_value(&sc),
            "double submit: field matches cookie"
        );
        assert!(html.contains("for=\"username\"") && html.contains("for=\"password\""));

        let res = post_login(&client, &app, &csrf, "cw_a", "wrong-password!").await;
        assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
        assert!(set_cookie(res.headers(), "vagar_session").is_none());
        let html = text(res).await;
        assert!(html.contains("Fel användarnamn eller lösenord"), "{html}");
        assert!(html.contains("value=\"cw_a\""), "the username is kept");
        assert!(
            !html.contains("wrong-password!"),
            "the password is not echoed"
        );

        // An unknown user gets the very same answer.
        let csrf = common::hidden_csrf(&html);
        let res = post_login(&client, &app, &csrf, "nobody", "wrong-password!").await;
        assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
        assert!(text(res).await.contains("Fel användarnamn eller lösenord"));
    }
);

both_engines!(login_csrf_is_required, |app: common::TestApp| async move {
    let client = browser();
    let csrf = login_csrf(&client, &app).await;
    // No token in the form.
    let res = client
        .post(app.url("/logga-in"))
        .form(&[("username", "cw_a"), ("password", common::PASSWORD)])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    assert!(set_cookie(res.headers(), "vagar_session").is_none());
    // A wrong token.
    let res = post_login(
        &client,
        &app,
        "x".repeat(43).as_str(),
        "cw_a",
        common::PASSWORD,
    )
    .await;
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    assert!(set_cookie(res.headers(), "vagar_session").is_none());
    assert!(text(res).await.contains("Formuläret hade gått ut"));
    // A valid-looking token but no cookie to match (another client's token).
    let res = post_login(&app.http, &app, &csrf, "cw_a", common::PASSWORD).await;
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    assert!(set_cookie(res.headers(), "vagar_session").is_none());
});

both_engines!(
    login_sets_a_safe_session_cookie,
    |app: common::TestApp| async move {
        let client = browser();
        let csrf = login_csrf(&client, &app).await;
        let res = post_login(&client, &app, &csrf, "cw_a", common::PASSWORD).await;
        assert_eq!(res.status(), StatusCode::SEE_OTHER);
        assert_eq!(location(&res), "/deltagare");
        let sc = set_cookie(res.headers(), "vagar_session").expect("session cookie");
        let attrs = cookie_attrs(&sc);
        assert!(attrs.contains(&"httponly".into()), "{sc}");
        assert!(attrs.contains(&"samesite=lax".into()), "{sc}");
        assert!(attrs.contains(&"path=/".into()), "{sc}");
        assert!(!attrs.contains(&"secure".into()), "plain HTTP: {sc}");
        assert!(
            !attrs
                .iter()
                .any(|a| a.starts_with("max-age") || a.starts_with("expires")),
            "a browser-session cookie: {sc}"
        );
        assert!(cookie_value(&sc).len() >= 32);
        let res = get(&client, &app, "/deltagare").await;
        assert_eq!(res.status(), StatusCode::OK);
        assert!(text(res).await.contains("cw_a Testsson"));

        // Behind a TLS-terminating proxy the cookies are Secure.
        let client = browser();
        let res = client
            .get(app.url("/logga-in"))
            .header("x-forwarded-proto", "https")
            .send()
            .await
            .unwrap();
        let sc = set_cookie(res.headers(), "vagar_login_csrf").unwrap();
        assert!(cookie_attrs(&sc).contains(&"secure".into()), "{sc}");
        let csrf = common::hidden_csrf(&text(res).await);
        let res = client
            .post(app.url("/logga-in"))
            .header("x-forwarded-proto", "https")
            .form(&[
                ("csrf", csrf.as_str()),
                ("username", "cw_a"),
                ("password", common::PASSWORD),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::SEE_OTHER);
        let sc = set_cookie(res.headers(), "vagar_session").unwrap();
        let attrs = cookie_attrs(&sc);
        assert!(attrs.contains(&"secure".into()), "{sc}");
        assert!(attrs.contains(&"httponly".into()), "{sc}");
    }
);

both_engines!(
    login_renews_the_session_id,
    |app: common::TestApp| async move {
        let first = login_raw(&app, "cw_a").await;
        let second = login_raw(&app, "cw_a").await;
        assert_ne!(first, second, "every login gets a new id");

        // The same client logs in again while it still holds `first`: the old
        // id is replaced, and dead on the server.
        let fresh = app.http.get(app.url("/logga-in")).send().await.unwrap();
        let login_cookie = cookie_value(&set_cookie(fresh.headers(), "vagar_login_csrf").unwrap());
        let csrf = common::hidden_csrf(&text(fresh).await);
        let res = app
            .http
            .post(app.url("/logga-in"))
            .header(
                COOKIE,
                format!("{}; vagar_login_csrf={login_cookie}", session(&first)),
            )
            .form(&[
                ("csrf", csrf.as_str()),
                ("username", "cw_a2"),
                ("password", common::PASSWORD),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::SEE_OTHER);
        let third = cookie_value(&set_cookie(res.headers(), "vagar_session").unwrap());
        assert_ne!(third, first);
        let res = get_with_cookie(&app, "/deltagare", &session(&first)).await;
        assert_eq!(res.status(), StatusCode::SEE_OTHER, "the old id is dead");
        assert!(location(&res).starts_with("/logga-in"));
        let res = get_with_cookie(&app, "/deltagare", &session(&third)).await;
        assert_eq!(res.status(), StatusCode::OK);
        assert!(text(res).await.contains("cw_a2 Testsson"));
        // Another login's session is untouched.
        let res = get_with_cookie(&app, "/deltagare", &session(&second)).await;
        assert_eq!(res.status(), StatusCode::OK);
    }
);

both_engines!(
    login_is_throttled_after_five_failures,
    |app: common::TestApp| async move {
        let client = browser();
        let mut csrf = login_csrf(&client, &app).await;
        for i in 0..5 {
            let res = post_login(&client, &app, &csrf, "cw_a", "wrong-password!").await;
            assert_eq!(res.status(), StatusCode::UNAUTHORIZED, "failure {i}");
            csrf = common::hidden_csrf(&text(res).await);
        }
        // Now even the right password is refused, with a wait to respect.
        let res = post_login(&client, &app, &csrf, "cw_a", common::PASSWORD).await;
        assert_eq!(res.status(), StatusCode::TOO_MANY_REQUESTS);
        assert!(set_cookie(res.headers(), "vagar_session").is_none());
        let retry: i64 = res
            .headers()
            .get("retry-after")
            .expect("Retry-After")
            .to_str()
            .unwrap()
            .parse()
            .expect("seconds");
        assert!((1..=30).contains(&retry), "Retry-After {retry}");
        let html = text(res).await;
        assert!(
            html.contains("För många misslyckade inloggningar"),
            "{html}"
        );
        assert!(html.contains(&format!("{retry} sekunder")));
        csrf = common::hidden_csrf(&html);

        // Still refused a moment before the wait is over...
        app.clock.advance(chrono::Duration::seconds(retry - 1));
        let res = post_login(&client, &app, &csrf, "cw_a", common::PASSWORD).await;
        assert_eq!(res.status(), StatusCode::TOO_MANY_REQUESTS);
        csrf = common::hidden_csrf(&text(res).await);
        // ...and let in after it.
        app.clock.advance(chrono::Duration::seconds(2));
        let res = post_login(&client, &app, &csrf, "cw_a", common::PASSWORD).await;
        assert_eq!(res.status(), StatusCode::SEE_OTHER);
        assert_eq!(location(&res), "/deltagare");
        let res = get(&client, &app, "/deltagare").await;
        assert_eq!(res.status(), StatusCode::OK);
    }
);

// ---------------------------------------------------------------------------
// Session lifetime and logout

both_engines!(idle_session_expires, |app: common::TestApp| async move {
    let client = app.login("cw_a").await;
    // Used every 29 minutes, a session stays.
    for _ in 0..2 {
        app.clock.advance(chrono::Duration::minutes(29));
        assert_eq!(
            get(&client, &app, "/deltagare").await.status(),
            StatusCode::OK
        );
    }
    app.clock.advance(chrono::Duration::minutes(31));
    let res = get(&client, &app, "/deltagare").await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&res), "/logga-in?utgangen=1");
    let res = get(&client, &app, "/logga-in?utgangen=1").await;
    assert_eq!(res.status(), StatusCode::OK);
    assert!(text(res).await.contains("Din session har gått ut"));
    // And it stays dead.
    let res = get(&client, &app, "/deltagare/ny").await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
});

both_engines!(
    session_has_an_absolute_limit,
    |app: common::TestApp| async move {
        let client = app.login("cw_a").await;
        // Every 20 minutes for 11 h 40 min, then once more at 11 h 59 min.
        for i in 1..=35 {
            app.clock.advance(chrono::Duration::minutes(20));
            let res = get(&client, &app, "/deltagare").await;
            assert_eq!(res.status(), StatusCode::OK, "after {} min", i * 20);
        }
        app.clock.advance(chrono::Duration::minutes(19));
        assert_eq!(
            get(&client, &app, "/deltagare").await.status(),
            StatusCode::OK
        );
        app.clock.advance(chrono::Duration::minutes(20));
        let res = get(&client, &app, "/deltagare").await;
        assert_eq!(res.status(), StatusCode::SEE_OTHER, "12 h is the most");
        assert_eq!(location(&res), "/logga-in?utgangen=1");
    }
);

both_engines!(logout_ends_the_session, |app: common::TestApp| async move {
    let raw = login_raw(&app, "cw_a").await;
    let cookie = session(&raw);
    let html = text(get_with_cookie(&app, "/deltagare", &cookie).await).await;
    let csrf = common::hidden_csrf(&html);
    assert!(html.contains("action=\"/logga-ut\""));

    // Without the token, or with a wrong one, nothing happens.
    for form in [vec![], vec![("csrf", "not-the-token")]] {
        let res = app
            .http
            .post(app.url("/logga-ut"))
            .header(COOKIE, &cookie)
            .form(&form)
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::FORBIDDEN);
        assert!(text(res).await.contains("<h1"));
        let res = get_with_cookie(&app, "/deltagare", &cookie).await;
        assert_eq!(res.status(), StatusCode::OK, "still logged in");
    }

    let res = app
        .http
        .post(app.url("/logga-ut"))
        .header(COOKIE, &cookie)
        .form(&[("csrf", csrf.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&res), "/logga-in");
    let sc = set_cookie(res.headers(), "vagar_session").expect("the cookie is cleared");
    assert!(cookie_value(&sc).is_empty(), "{sc}");
    // The old value is refused by the server, not only forgotten by the browser.
    let res = get_with_cookie(&app, "/deltagare", &cookie).await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert!(location(&res).starts_with("/logga-in"));
    let res = app
        .http
        .get(app.url("/api/v1/participants"))
        .header(COOKIE, &cookie)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
});

// ---------------------------------------------------------------------------
// Headers

fn assert_security_headers(res: &Response, what: &str) {
    let h = res.headers();
    let csp = h
        .get("content-security-policy")
        .unwrap_or_else(|| panic!("{what}: CSP"))
        .to_str()
        .unwrap();
    assert!(csp.contains("frame-ancestors 'none'"), "{what}: {csp}");
    assert!(csp.contains("default-src 'self'"), "{what}: {csp}");
    assert!(!csp.contains("unsafe-inline"), "{what}: {csp}");
    assert_eq!(h["x-content-type-options"], "nosniff", "{what}");
    let referrer = h
        .get("referrer-policy")
        .unwrap_or_else(|| panic!("{what}: Referrer-Policy"))
        .to_str()
        .unwrap();
    assert!(
        [
            "no-referrer",
            "same-origin",
            "strict-origin",
            "strict-origin-when-cross-origin"
        ]
        .contains(&referrer),
        "{what}: {referrer}"
    );
}

both_engines!(security_headers, |app: common::TestApp| async move {
    let client = app.login("cw_a").await;
    let id = create_via_form(&client, &app, &common::pnr(1), "Ada", "Headersson").await;
    for path in [
        "/deltagare".to_string(),
        format!("/deltagare/{id}"),
        format!("/deltagare/{id}/redigera"),
        "/deltagare/ny".to_string(),
        "/finns-inte".to_string(),
    ] {
        let res = get(&client, &app, &path).await;
        assert!(res.status() == StatusCode::OK || res.status() == StatusCode::NOT_FOUND);
        assert_security_headers(&res, &path);
        assert_eq!(res.headers()["cache-control"], "no-store", "{path}");
        assert!(res.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/html"));
    }
    // The login page and redirects are not cached either.
    let res = get(&app.http, &app, "/logga-in").await;
    assert_security_headers(&res, "/logga-in");
    assert_eq!(res.headers()["cache-control"], "no-store");
    // Static files may be cached.
    for path in [
        "/static/app.css",
        "/static/vendor/designsystemet/designsystemet.css",
    ] {
        let res = get(&app.http, &app, path).await;
        assert_eq!(res.status(), StatusCode::OK, "{path}");
        assert_security_headers(&res, path);
        let cc = res.headers()["cache-control"].to_str().unwrap();
        assert!(
            cc.contains("max-age=") && !cc.contains("no-store"),
            "{path}: {cc}"
        );
        assert!(res.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/css"));
    }
});

// ---------------------------------------------------------------------------
// Participant forms

both_engines!(create_participant_form, |app: common::TestApp| async move {
    let client = app.login("cw_a").await;
    let form_page = text(get(&client, &app, "/deltagare/ny").await).await;
    assert!(form_page.contains("<html lang=\"sv\""));
    let csrf = common::hidden_csrf(&form_page);
    // Nothing is chosen for the user: the selects start at "unknown".
    for field in ["gender", "birth_region", "education_level"] {
        let at = form_page
            .find(&format!("<select class=\"ds-input\" id=\"{field}\""))
            .unwrap();
        let select = &form_page[at..at + form_page[at..].find("</select>").unwrap()];
        assert_eq!(select.matches(" selected").count(), 1, "{field}");
        assert!(
            select.contains("<option value=\"unknown\" selected>"),
            "{field}: {select}"
        );
    }

    // A wrong check digit: the form comes back with the field marked.
    let valid = common::pnr(7);
    let mut wrong = valid.clone();
    let last = wrong.pop().unwrap().to_digit(10).unwrap();
    wrong.push(char::from_digit((last + 1) % 10, 10).unwrap());
    let res = client
        .post(app.url("/deltagare/ny"))
        .form(&participant_fields(&csrf, &wrong, "Fatima", "Formsson"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(res.headers()["cache-control"], "no-store");
    let html = text(res).await;
    let input = tag_with_id(&html, "identity_number");
    assert!(input.starts_with("<input"), "{input}");
    assert!(input.contains("aria-invalid=\"true\""), "{input}");
    assert!(
        input.contains("aria-describedby=\"identity_number-hint identity_number-error\""),
        "{input}"
    );
    assert!(
        input.contains(&format!("value=\"{wrong}\"")),
        "typed value kept: {input}"
    );
    let message = tag_with_id(&html, "identity_number-error");
    assert!(message.starts_with("<p"), "{message}");
    assert!(
        html.contains("Kontrollsiffran stämmer inte"),
        "Swedish inline message"
    );
    // The error summary links to the field.
    assert!(html.contains("id=\"error-summary\""));
    assert!(html.contains("href=\"#identity_number\""));
    assert!(html.contains("Formuläret innehåller fel"));
    // Everything else typed is kept.
    assert!(tag_with_id(&html, "first_name").contains("value=\"Fatima\""));
    assert!(tag_with_id(&html, "last_name").contains("value=\"Formsson\""));
    assert!(tag_with_id(&html, "tg-youth").contains("checked"));
    assert!(tag_with_id(&html, "tg-sfi").contains("checked"));
    assert!(!tag_with_id(&html, "tg-newly_arrived").contains("checked"));
    assert!(tag_with_id(&html, "dl-B").contains("checked"));
    assert!(tag_with_id(&html, "languages").contains("value=\"sv, ar\""));
    assert!(tag_with_id(&html, "district").contains("value=\"Rinkeby-Kista\""));
    assert!(html.contains("<option value=\"woman\" selected>"));
    // Fields without errors are not marked.
    assert!(!tag_with_id(&html, "first_name").contains("aria-invalid"));
    assert_eq!(html.matches("<h1").count(), 1);

    // Corrected: saved, and to the participant's page.
    let csrf = common::hidden_csrf(&html);
    let res = client
        .post(app.url("/deltagare/ny"))
        .form(&participant_fields(&csrf, &valid, "Fatima", "Formsson"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let loc = location(&res);
    let id: i64 = loc
        .strip_prefix("/deltagare/")
        .and_then(|r| r.split('?').next())
        .and_then(|r| r.parse().ok())
        .unwrap_or_else(|| panic!("to the participant: {loc}"));
    let res = get(&client, &app, &loc).await;
    assert_eq!(res.status(), StatusCode::OK);
    let html = text(res).await;
    assert!(html.contains("Fatima Formsson"));
    assert!(
        html.contains(&valid),
        "the full number on the person's own page"
    );
    assert!(html.contains("Deltagaren är registrerad"));

    // The same number again is a conflict on the field, not a crash.
    let csrf = common::hidden_csrf(&html);
    let res = client
        .post(app.url("/deltagare/ny"))
        .form(&participant_fields(&csrf, &valid, "Other", "Person"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = text(res).await;
    assert!(tag_with_id(&html, "identity_number").contains("aria-invalid=\"true\""));
    assert!(html.contains("En deltagare med detta personnummer finns redan"));

    // The list finds the new person by name, with a masked number only.
    let csrf = page_csrf(&client, &app, "/deltagare").await;
    let res = client
        .post(app.url("/deltagare"))
        .form(&[("csrf", csrf.as_str()), ("q", "Formsson"), ("page", "1")])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    let html = text(res).await;
    assert!(
        html.contains(&format!("href=\"/deltagare/{id}\"")),
        "{html}"
    );
    assert!(html.contains("Formsson, Fatima"));
    assert!(html.contains(&format!("{}-****", &valid[..8])));
    assert!(!html.contains(&valid), "lists mask the number");
    assert!(html.contains(">1 träff</p>"), "one hit, singular: {html}");
    // ...and by the whole identity number, still through POST.
    let res = client
        .post(app.url("/deltagare"))
        .form(&[("csrf", csrf.as_str()), ("q", valid.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    assert!(text(res)
        .await
        .contains(&format!("href=\"/deltagare/{id}\"")));
    // A search without the token is refused.
    let res = client
        .post(app.url("/deltagare"))
        .form(&[("q", "Formsson")])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    // A create without the token is refused.
    let res = client
        .post(app.url("/deltagare/ny"))
        .form(&participant_fields("", &common::pnr(8), "No", "Token"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
});

both_engines!(
    edit_form_uses_optimistic_locking,
    |app: common::TestApp| async move {
        let client = app.login("cw_a").await;
        let pnr = common::pnr(11);
        let id = create_via_form(&client, &app, &pnr, "Olle", "Lasson").await;
        let edit = format!("/deltagare/{id}/redigera");
        let html = text(get(&client, &app, &edit).await).await;
        let csrf = common::hidden_csrf(&html);
        let version = hidden_value(&html, "version");
        assert!(tag_with_id(&html, "identity_number").contains(&format!("value=\"{pnr}\"")));
        assert!(tag_with_id(&html, "first_name").contains("value=\"Olle\""));

        // Someone else saves first (a second caseworker of the unit, or the same
        // person in another tab).
        let mut fields = participant_fields(&csrf, &pnr, "Olof", "Lasson");
        fields.push(("version", &version));
        let res = client
            .post(app.url(&edit))
            .form(&fields)
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::SEE_OTHER);
        assert_eq!(location(&res), format!("/deltagare/{id}?sparad=1"));
        let res = get(&client, &app, &format!("/deltagare/{id}?sparad=1")).await;
        let html = text(res).await;
        assert!(html.contains("Olof Lasson") && html.contains("Uppgifterna är sparade"));

        // The stale form is refused, and shows the latest data to redo the change.
        let mut fields = participant_fields(&csrf, &pnr, "Olle-Stale", "Lasson");
        fields.push(("version", &version));
        let res = client
            .post(app.url(&edit))
            .form(&fields)
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::CONFLICT);
        let html = text(res).await;
        assert!(
            html.contains("Någon annan har ändrat uppgifterna"),
            "{html}"
        );
        assert!(tag_with_id(&html, "first_name").contains("value=\"Olof\""));
        let newer = hidden_value(&html, "version");
        assert_ne!(newer, version);
        assert!(
            html.contains("Olof Lasson"),
            "the heading names the stored record"
        );
        assert!(!html.contains("Olle-Stale"));
        // Submitting the refreshed form works.
        let csrf = common::hidden_csrf(&html);
        let mut fields = participant_fields(&csrf, &pnr, "Olle", "Lasson");
        fields.push(("version", &newer));
        let res = client
            .post(app.url(&edit))
            .form(&fields)
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::SEE_OTHER);
        let html = text(get(&client, &app, &format!("/deltagare/{id}")).await).await;
        assert!(html.contains("Olle Lasson"));

        // An invalid edit comes back with the field marked and the version kept.
        let mut fields = participant_fields(&csrf, &pnr, "", "Lasson");
        let current = {
            let html = text(get(&client, &app, &edit).await).await;
            hidden_value(&html, "version")
        };
        fields.push(("version", &current));
        let res = client
            .post(app.url(&edit))
            .form(&fields)
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let html = text(res).await;
        assert!(tag_with_id(&html, "first_name").contains("aria-invalid=\"true\""));
        assert!(html.contains("Fältet måste fyllas i"));
        assert!(html.contains("href=\"#first_name\""));
        assert_eq!(hidden_value(&html, "version"), current);
    }
);

// ---------------------------------------------------------------------------
// Language

both_engines!(language_switch, |app: common::TestApp| async move {
    let client = app.login("cw_a").await;
    let html = text(get(&client, &app, "/deltagare").await).await;
    assert!(html.contains("<html lang=\"sv\""));
    // The page links to the switch with itself as the way back (HTML-escaped).
    let link = html.replace("&#x2f;", "/");
    assert!(
        link.contains("href=\"/sprak/en?tillbaka=/deltagare\" lang=\"en\""),
        "the switch link"
    );

    let res = get(&client, &app, "/sprak/en?tillbaka=%2Fdeltagare").await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&res), "/deltagare");
    let sc = set_cookie(res.headers(), "vagar_lang").expect("language cookie");
    assert_eq!(cookie_value(&sc), "en");
    assert!(cookie_attrs(&sc).contains(&"path=/".into()));
    let html = text(get(&client, &app, "/deltagare").await).await;
    assert!(html.contains("<html lang=\"en\""), "{html}");
    assert!(html.contains("Participants"));
    let html = text(get(&client, &app, "/deltagare/ny").await).await;
    assert!(html.contains("<html lang=\"en\""));
    // Error pages too.
    let html = text(get(&client, &app, "/deltagare/999999").await).await;
    assert!(html.contains("<html lang=\"en\""));
    // An English validation message.
    let csrf = page_csrf(&client, &app, "/deltagare/ny").await;
    let res = client
        .post(app.url("/deltagare/ny"))
        .form(&participant_fields(&csrf, "12345", "Eng", "Lish"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = text(res).await;
    assert!(html.contains("<html lang=\"en\""));
    assert!(!html.contains("Ange 10 eller 12 siffror"));

    // Back to Swedish.
    let res = get(&client, &app, "/sprak/sv?tillbaka=%2Fdeltagare%2Fny").await;
    assert_eq!(location(&res), "/deltagare/ny");
    let html = text(get(&client, &app, "/deltagare/ny").await).await;
    assert!(html.contains("<html lang=\"sv\""));

    // Behind TLS the language cookie is Secure like the others.
    let res = app
        .http
        .get(app.url("/sprak/en"))
        .header("x-forwarded-proto", "https")
        .send()
        .await
        .unwrap();
    let sc = set_cookie(res.headers(), "vagar_lang").unwrap();
    assert!(cookie_attrs(&sc).contains(&"secure".into()), "{sc}");

    // Without a cookie, Accept-Language decides; Swedish by default.
    let res = app
        .http
        .get(app.url("/logga-in"))
        .header("accept-language", "en-GB,en;q=0.8")
        .send()
        .await
        .unwrap();
    assert!(text(res).await.contains("<html lang=\"en\""));
    assert!(text(get(&app.http, &app, "/logga-in").await)
        .await
        .contains("<html lang=\"sv\""));
});

both_engines!(
    language_switch_is_no_open_redirect,
    |app: common::TestApp| async move {
        for evil in [
            "//evil.example",
            "//evil.example/deltagare",
            "https://evil.example",
            "http:evil.example",
            "/\\evil.example",
            "\\\\evil.example",
            "/\t/evil.example",
            "/\n/evil.example",
            "/\r\n/evil.example",
            " //evil.example",
            "evil.example",
            "javascript:alert(1)",
            "",
        ] {
            let path = format!("/sprak/en?tillbaka={}", urlencoding(evil));
            let res = get(&app.http, &app, &path).await;
            assert_eq!(res.status(), StatusCode::SEE_OTHER, "{evil:?}");
            assert_eq!(location(&res), "/", "{evil:?}");
        }
        // Unknown languages fall back to Swedish; local paths are kept.
        let res = get(&app.http, &app, "/sprak/xx?tillbaka=%2Fdeltagare%2F3").await;
        assert_eq!(location(&res), "/deltagare/3");
        assert_eq!(
            cookie_value(&set_cookie(res.headers(), "vagar_lang").unwrap()),
            "sv"
        );
        let res = get(&app.http, &app, "/sprak/en").await;
        assert_eq!(location(&res), "/");
    }
);

fn urlencoding(s: &str) -> String {
    let mut out = String::new();
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

// ---------------------------------------------------------------------------
// Roles

both_engines!(
    roles_see_only_their_pages,
    |app: common::TestApp| async move {
        let cw_a = app.login("cw_a").await;
        let id = create_via_form(&cw_a, &app, &common::pnr(21), "Ronja", "Rollsson").await;

        // The analyst works with statistics, not with people.
        let analyst = app.login("analyst").await;
        let res = get(&analyst, &app, "/deltagare").await;
        assert_eq!(res.status(), StatusCode::FORBIDDEN);
        let html = text(res).await;
        assert!(html.contains("Din roll har inte behörighet"), "{html}");
        assert!(!html.contains("Rollsson"));
        let res = get(&analyst, &app, &format!("/deltagare/{id}")).await;
        assert!(
            res.status() == StatusCode::FORBIDDEN || res.status() == StatusCode::NOT_FOUND,
            "{}",
            res.status()
        );
        assert!(!text(res).await.contains("Rollsson"));
        let res = get(&analyst, &app, "/deltagare/ny").await;
        assert_eq!(res.status(), StatusCode::FORBIDDEN);

        // A caseworker of another unit cannot tell A's participant from none.
        let cw_b = app.login("cw_b").await;
        let res = get(&cw_b, &app, &format!("/deltagare/{id}")).await;
        assert_eq!(res.status(), StatusCode::NOT_FOUND);
        let html = text(res).await;
        assert!(html.contains("Sidan eller deltagaren finns inte"));
        assert!(!html.contains("Rollsson"));
        assert!(
            html.contains("Logga ut"),
            "a logged-in user keeps the navigation"
        );
        let res = get(&cw_b, &app, "/deltagare/987654").await;
        assert_eq!(res.status(), StatusCode::NOT_FOUND);
        assert_eq!(text(res).await, html.clone(), "same page as a missing id");
        let res = get(&cw_b, &app, &format!("/deltagare/{id}/redigera")).await;
        assert_eq!(res.status(), StatusCode::NOT_FOUND);
        // Nor change it.
        let csrf = page_csrf(&cw_b, &app, "/deltagare").await;
        let res = cw_b
            .post(app.url(&format!("/deltagare/{id}/redigera")))
            .form(&participant_fields(
                &csrf,
                &common::pnr(21),
                "Hacked",
                "Rollsson",
            ))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::NOT_FOUND);
        // Nor find it.
        let res = cw_b
            .post(app.url("/deltagare"))
            .form(&[("csrf", csrf.as_str()), ("q", "Rollsson")])
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::OK);
        let html = text(res).await;
        assert!(html.contains("0 träffar"), "{html}");
        assert!(!html.contains(&format!("/deltagare/{id}\"")));
        let html = text(get(&cw_a, &app, &format!("/deltagare/{id}")).await).await;
        assert!(html.contains("Ronja Rollsson") && !html.contains("Hacked"));

        // Not logged in: to the login page, never the data.
        let res = get(&app.http, &app, &format!("/deltagare/{id}")).await;
        assert_eq!(res.status(), StatusCode::SEE_OTHER);
        assert_eq!(location(&res), "/logga-in");
        let res = get(&app.http, &app, "/").await;
        assert_eq!(res.status(), StatusCode::SEE_OTHER);
        assert_eq!(location(&res), "/logga-in");
        // Logged in, "/" is the role's start page.
        let res = get(&cw_a, &app, "/").await;
        assert_eq!(location(&res), "/deltagare");
        let coordinator = app.login("coordinator").await;
        assert_eq!(location(&get(&coordinator, &app, "/").await), "/behov");
        let host = app.login("employer").await;
        assert_eq!(location(&get(&host, &app, "/").await), "/mina-placeringar");
    }
);

both_engines!(
    error_messages_fit_the_field,
    |app: common::TestApp| async move {
        let client = app.login("cw_a").await;
        let csrf = page_csrf(&client, &app, "/deltagare/ny").await;
        let tomorrow = (chrono::Utc::now().date_naive() + chrono::Duration::days(2)).to_string();
        let mut fields = participant_fields(&csrf, "", "Fel", "Faltsson");
        for (k, v) in fields.iter_mut() {
            match *k {
                "registered_on" => *v = &tomorrow,
                "email" => *v = "inte-en-adress",
                _ => {}
            }
        }
        let res = client
            .post(app.url("/deltagare/ny"))
            .form(&fields)
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let html = text(res).await;
        // The title tells a screen reader user at once that the form failed.
        assert!(
            html.contains("<title>Fel: Registrera ny deltagare"),
            "{html}"
        );
        // Every error is in the summary, linked to its field, and at the field.
        for (field, message) in [
            ("identity_number", "Fältet måste fyllas i."),
            (
                "registered_on",
                "Inskrivningsdatumet kan inte ligga i framtiden.",
            ),
            ("email", "Ange en e-postadress"),
        ] {
            assert!(html.contains(&format!("href=\"#{field}\"")), "{field}");
            let input = tag_with_id(&html, field);
            assert!(input.contains("aria-invalid=\"true\""), "{input}");
            assert!(input.contains(&format!("{field}-error")), "{input}");
            let at = html.find(&format!("id=\"{field}-error\"")).unwrap();
            assert!(html[at..].contains(message), "{field}: {message}");
        }
        assert!(
            !html.contains("Födelsedatumet ligger i framtiden"),
            "not a birth date"
        );
        // Every link of the summary leads to an element of the page.
        for target in html.split("href=\"#").skip(1) {
            let id = &target[..target.find('"').unwrap()];
            if id != "main" {
                tag_with_id(&html, id);
            }
        }

        // A search the app cannot read says how to search, at the field.
        let csrf = page_csrf(&client, &app, "/deltagare").await;
        let res = client
            .post(app.url("/deltagare"))
            .form(&[("csrf", csrf.as_str()), ("q", "19991399")])
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let html = text(res).await;
        let input = tag_with_id(&html, "q");
        assert!(input.contains("aria-invalid=\"true\""), "{input}");
        assert!(
            input.contains("aria-describedby=\"q-hint q-error\""),
            "{input}"
        );
        assert!(html.contains("Sök på namn, födelsedatum (ÅÅÅÅMMDD) eller ett helt personnummer."));
        assert!(html.contains("<title>Fel: Deltagare"));
    }
);

both_engines!(typed_text_is_escaped, |app: common::TestApp| async move {
    let client = app.login("cw_a").await;
    let csrf = page_csrf(&client, &app, "/deltagare/ny").await;
    let evil = "<script>alert(1)</script>\"'";
    // Echoed on a page with errors...
    let res = client
        .post(app.url("/deltagare/ny"))
        .form(&participant_fields(&csrf, "", evil, "Escape"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = text(res).await;
    assert!(!html.contains("<script>"), "{html}");
    assert!(tag_with_id(&html, "first_name").contains("value=\"&lt;script&gt;"));
    // ...and shown once saved, if the domain accepts it.
    let res = client
        .post(app.url("/deltagare/ny"))
        .form(&participant_fields(&csrf, &common::pnr(31), evil, "Escape"))
        .send()
        .await
        .unwrap();
    if res.status() == StatusCode::SEE_OTHER {
        let loc = location(&res);
        let html = text(get(&client, &app, &loc).await).await;
        assert!(!html.contains("<script>"), "{html}");
        assert!(html.contains("&lt;script&gt;"));
    }
});

both_engines!(
    wrong_method_gets_a_page,
    |app: common::TestApp| async move {
        let client = app.login("cw_a").await;
        for path in ["/logga-ut", "/sprak/en"] {
            let res = match path {
                "/logga-ut" => get(&client, &app, path).await,
                _ => client.post(app.url(path)).send().await.unwrap(),
            };
            assert_eq!(res.status(), StatusCode::METHOD_NOT_ALLOWED, "{path}");
            assert_security_headers(&res, path);
            let html = text(res).await;
            assert!(
                html.contains("<html lang=\"sv\"") && html.contains("<h1"),
                "{path}: {html}"
            );
        }
        // Still logged in: a GET of the logout address logs nobody out.
        assert_eq!(
            get(&client, &app, "/deltagare").await.status(),
            StatusCode::OK
        );
    }
);
