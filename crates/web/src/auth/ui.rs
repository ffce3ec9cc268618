//! Logging in and out. Sessions are renewed at login (a new id, the old one
//! deleted) so a planted session id is worthless.

use crate::kernel::forms::{CsrfForm, NoFields};
use crate::kernel::i18n::Lang;
use crate::kernel::session::{
    cookie, csrf_matches, is_secure, PageLang, UiUser, LOGIN_CSRF_COOKIE, SESSION_COOKIE,
};
use crate::ui::{base_context, error_page, render};
use crate::AppState;
use axum::extract::{ConnectInfo, FromRequestParts, Query, State};
use axum::http::request::Parts;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::{Form, Router};
use axum_extra::extract::cookie::{Cookie, CookieJar};
use serde::Deserialize;
use serde_json::json;
use std::collections::HashMap;
use std::net::SocketAddr;
use vagar_store::auth::{random_token, LoginError};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/logga-in", get(login_page).post(login))
        .route("/logga-ut", post(logout))
}

/// Whether the request came over TLS (for the `Secure` cookie attribute).
pub struct Secure(pub bool);

impl FromRequestParts<AppState> for Secure {
    type Rejection = std::convert::Infallible;
    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        Ok(Secure(is_secure(parts, state)))
    }
}

/// The client's address as the socket saw it (not X-Forwarded-For, which a
/// client could set to dodge the throttle).
pub struct ClientAddr(pub String);

impl FromRequestParts<AppState> for ClientAddr {
    type Rejection = std::convert::Infallible;
    async fn from_request_parts(parts: &mut Parts, _: &AppState) -> Result<Self, Self::Rejection> {
        Ok(ClientAddr(
            parts
                .extensions
                .get::<ConnectInfo<SocketAddr>>()
                .map(|c| c.0.ip().to_string())
                .unwrap_or_else(|| "unknown".into()),
        ))
    }
}

fn login_form(
    lang: Lang,
    csrf: &str,
    message: Option<&str>,
    username: &str,
    seconds: i64,
    status: StatusCode,
) -> Response {
    let mut ctx = base_context(lang, None, "/logga-in", "login");
    ctx.insert("csrf".into(), json!(csrf));
    ctx.insert("message".into(), json!(message));
    ctx.insert("username".into(), json!(username));
    ctx.insert("seconds".into(), json!(seconds));
    render(&crate::ui::ERROR_ENV, "auth/login.html", ctx, status)
}

async fn login_page(
    State(state): State<AppState>,
    PageLang(lang): PageLang,
    Secure(secure): Secure,
    Query(q): Query<HashMap<String, String>>,
    jar: CookieJar,
) -> Response {
    if let Some(raw) = jar.get(SESSION_COOKIE) {
        if let Ok(Some(s)) = state.store.session(raw.value(), state.clock.now()).await {
            return Redirect::to(crate::ui::home(s.user.role)).into_response();
        }
    }
    // Login CSRF: a double-submit token, since there is no session yet.
    let token = jar
        .get(LOGIN_CSRF_COOKIE)
        .map(|c| c.value().to_string())
        .filter(|v| v.len() >= 32)
        .unwrap_or_else(|| random_token(32));
    let message = q.contains_key("utgangen").then_some("login-expired");
    let jar = jar.add(cookie(LOGIN_CSRF_COOKIE, token.clone(), secure));
    (
        jar,
        login_form(lang, &token, message, "", 0, StatusCode::OK),
    )
        .into_response()
}

#[derive(Deserialize)]
struct LoginForm {
    #[serde(default)]
    csrf: String,
    #[serde(default)]
    username: String,
    #[serde(default)]
    password: String,
}

async fn login(
    State(state): State<AppState>,
    PageLang(lang): PageLang,
    Secure(secure): Secure,
    ClientAddr(client): ClientAddr,
    jar: CookieJar,
    Form(form): Form<LoginForm>,
) -> Response {
    let expected = jar
        .get(LOGIN_CSRF_COOKIE)
        .map(|c| c.value().to_string())
        .unwrap_or_default();
    let fresh = random_token(32);
    if !csrf_matches(&form.csrf, &expected) {
        let jar = jar.add(cookie(LOGIN_CSRF_COOKIE, fresh.clone(), secure));
        return (
            jar,
            login_form(
                lang,
                &fresh,
                Some("login-csrf"),
                &form.username,
                0,
                StatusCode::FORBIDDEN,
            ),
        )
            .into_response();
    }
    let now = state.clock.now();
    let outcome = match state
        .store
        .authenticate(&form.username, &form.password, &client, now)
        .await
    {
        Ok(o) => o,
        Err(e) => return error_page(lang, e.into()),
    };
    match outcome {
        Ok(user) => {
            if let Some(old) = jar.get(SESSION_COOKIE) {
                let _ = state.store.delete_session(old.value()).await;
            }
            let (session_id, _csrf) = match state.store.create_session(user.id, now).await {
                Ok(s) => s,
                Err(e) => return error_page(lang, e.into()),
            };
            let jar = jar
                .remove(Cookie::build(LOGIN_CSRF_COOKIE).path("/"))
                .add(cookie(SESSION_COOKIE, session_id, secure));
            (jar, Redirect::to(crate::ui::home(user.role))).into_response()
        }
        Err(LoginError::Invalid) => {
            let jar = jar.add(cookie(LOGIN_CSRF_COOKIE, fresh.clone(), secure));
            (
                jar,
                login_form(
                    lang,
                    &fresh,
                    Some("login-invalid"),
                    &form.username,
                    0,
                    StatusCode::UNAUTHORIZED,
                ),
            )
                .into_response()
        }
        Err(LoginError::Throttled { retry_after_secs }) => {
            let jar = jar.add(cookie(LOGIN_CSRF_COOKIE, fresh.clone(), secure));
            let mut res = login_form(
                lang,
                &fresh,
                Some("login-throttled"),
                &form.username,
                retry_after_secs,
                StatusCode::TOO_MANY_REQUESTS,
            );
            if let Ok(v) = retry_after_secs.to_string().parse() {
                res.headers_mut().insert(axum::http::header::RETRY_AFTER, v);
            }
            (jar, res).into_response()
        }
    }
}

async fn logout(
    State(state): State<AppState>,
    _user: UiUser,
    jar: CookieJar,
    CsrfForm(_): CsrfForm<NoFields>,
) -> Response {
    if let Some(raw) = jar.get(SESSION_COOKIE) {
        let _ = state.store.delete_session(raw.value()).await;
    }
    let jar = jar.remove(Cookie::build(SESSION_COOKIE).path("/"));
    (jar, Redirect::to("/logga-in")).into_response()
}
