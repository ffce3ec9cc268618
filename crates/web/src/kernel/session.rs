//! Who is asking: extractors that turn a bearer token or a session cookie
//! into the store's request context (actor, request id, clock).

use crate::kernel::error::Problem;
use crate::kernel::i18n::Lang;
use crate::{AppState, RequestId};
use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::{header, Method};
use axum::response::{IntoResponse, Redirect, Response};
use axum_extra::extract::cookie::{Cookie, CookieJar, SameSite};
use subtle::ConstantTimeEq;
use vagar_store::auth::{Session, User};
use vagar_store::Ctx;

pub const SESSION_COOKIE: &str = "vagar_session";
pub const LANG_COOKIE: &str = "vagar_lang";
pub const LOGIN_CSRF_COOKIE: &str = "vagar_login_csrf";
pub const CSRF_HEADER: &str = "x-csrf-token";

pub fn ctx_for(user: &User, parts: &Parts, state: &AppState) -> Ctx {
    let request_id = parts
        .extensions
        .get::<RequestId>()
        .map(|r| r.0.clone())
        .unwrap_or_default();
    Ctx {
        actor: user.actor(),
        request_id,
        now: state.clock.now(),
    }
}

pub fn constant_time_eq(a: &str, b: &str) -> bool {
    a.len() == b.len() && bool::from(a.as_bytes().ct_eq(b.as_bytes()))
}

/// The one CSRF check: the token `sent` with a form or header against the
/// one `expected` (the session's, or a pre-session cookie's), in constant
/// time. No expected token means no match.
pub fn csrf_matches(sent: &str, expected: &str) -> bool {
    !expected.is_empty() && constant_time_eq(sent, expected)
}

/// Whether cookies get `Secure`: behind a TLS proxy, or when configured.
pub fn is_secure(parts: &Parts, state: &AppState) -> bool {
    state.force_secure_cookies
        || parts
            .headers
            .get("x-forwarded-proto")
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.eq_ignore_ascii_case("https"))
}

pub fn cookie(name: &'static str, value: String, secure: bool) -> Cookie<'static> {
    Cookie::build((name, value))
        .path("/")
        .http_only(true)
        .same_site(SameSite::Lax)
        .secure(secure)
        .build()
}

/// The caller of an API endpoint.
pub struct ApiCaller {
    pub ctx: Ctx,
    pub user: User,
}

impl FromRequestParts<AppState> for ApiCaller {
    type Rejection = Problem;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Problem> {
        let now = state.clock.now();
        if let Some(value) = parts.headers.get(header::AUTHORIZATION) {
            let token = value
                .to_str()
                .ok()
                // The scheme name is case-insensitive (RFC 9110).
                .and_then(|v| v.split_once(' '))
                .filter(|(scheme, _)| scheme.eq_ignore_ascii_case("bearer"))
                .map(|(_, token)| token)
                .map(str::trim)
                .ok_or_else(Problem::unauthorized)?;
            let user = state
                .store
                .user_by_token(token, now)
                .await?
                .ok_or_else(Problem::unauthorized)?;
            let ctx = ctx_for(&user, parts, state);
            return Ok(ApiCaller { ctx, user });
        }
        // The UI's session works for the API too; changes then need the
        // session's CSRF token in a header, since a cookie alone proves nothing.
        let jar = CookieJar::from_headers(&parts.headers);
        let raw = jar
            .get(SESSION_COOKIE)
            .ok_or_else(Problem::unauthorized)?
            .value()
            .to_string();
        let session = state
            .store
            .session(&raw, now)
            .await?
            .ok_or_else(Problem::unauthorized)?;
        if !matches!(parts.method, Method::GET | Method::HEAD | Method::OPTIONS) {
            let sent = parts
                .headers
                .get(CSRF_HEADER)
                .and_then(|v| v.to_str().ok())
                .unwrap_or("");
            if !csrf_matches(sent, &session.csrf_token) {
                return Err(Problem::new(
                    axum::http::StatusCode::FORBIDDEN,
                    "csrf",
                    "Missing CSRF token",
                    "requests with a session cookie must send the X-CSRF-Token header",
                ));
            }
        }
        let ctx = ctx_for(&session.user, parts, state);
        Ok(ApiCaller {
            ctx,
            user: session.user,
        })
    }
}

pub fn lang_from(parts: &Parts) -> Lang {
    let jar = CookieJar::from_headers(&parts.headers);
    if let Some(l) = jar.get(LANG_COOKIE).and_then(|c| Lang::parse(c.value())) {
        return l;
    }
    let accept = parts
        .headers
        .get(header::ACCEPT_LANGUAGE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    if accept.trim_start().starts_with("en") {
        Lang::En
    } else {
        Lang::Sv
    }
}

/// The language of the page (cookie, then Accept-Language, then Swedish).
pub struct PageLang(pub Lang);

impl FromRequestParts<AppState> for PageLang {
    type Rejection = std::convert::Infallible;
    async fn from_request_parts(parts: &mut Parts, _: &AppState) -> Result<Self, Self::Rejection> {
        Ok(PageLang(lang_from(parts)))
    }
}

/// A logged-in user of the HTML interface.
#[derive(Clone)]
pub struct UiUser {
    pub ctx: Ctx,
    pub session: Session,
    pub lang: Lang,
}

pub struct ToLogin {
    expired: bool,
}

impl IntoResponse for ToLogin {
    fn into_response(self) -> Response {
        Redirect::to(if self.expired {
            "/logga-in?utgangen=1"
        } else {
            "/logga-in"
        })
        .into_response()
    }
}

impl FromRequestParts<AppState> for UiUser {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, Response> {
        // Read once per request: a handler's `UiUser` and its `CsrfForm`
        // share the session.
        if let Some(user) = parts.extensions.get::<UiUser>() {
            return Ok(user.clone());
        }
        let jar = CookieJar::from_headers(&parts.headers);
        let Some(raw) = jar.get(SESSION_COOKIE).map(|c| c.value().to_string()) else {
            return Err(ToLogin { expired: false }.into_response());
        };
        let session = match state.store.session(&raw, state.clock.now()).await {
            Ok(Some(s)) => s,
            Ok(None) => return Err(ToLogin { expired: true }.into_response()),
            Err(e) => return Err(crate::ui::error_page(lang_from(parts), e.into()).into_response()),
        };
        let ctx = ctx_for(&session.user, parts, state);
        let user = UiUser {
            ctx,
            session,
            lang: lang_from(parts),
        };
        parts.extensions.insert(user.clone());
        Ok(user)
    }
}
