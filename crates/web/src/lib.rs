//! Vägar's web layer: server-rendered Swedish HTML (`ui`) and the JSON API
//! under `/api/v1` (`api`), sharing one state, one error type per surface and
//! the store's access policy. No state lives in the process that another app
//! server would need: sessions, throttles and audit are in the database.

pub mod api;
pub mod kernel;
pub mod ui;

// The features, each a folder with its JSON API (`api`) and pages (`ui`).
pub mod assessments;
pub mod audit;
pub mod auth;
pub mod between_chairs;
pub mod competence;
pub mod consent;
pub mod employers;
pub mod intake;
pub mod matching;
pub mod needs;
pub mod participants;
pub mod plans;
pub mod steering;
pub mod taxonomy;
pub mod work;

use axum::extract::Request;
use axum::http::{header, HeaderName, HeaderValue};
use axum::middleware::{self, Next};
use axum::response::Response;
use axum::Router;
use chrono::{DateTime, Utc};
use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::Arc;
use vagar_store::Store;

/// Largest request body accepted; bigger ones get 413.
pub const BODY_LIMIT: usize = 64 * 1024;

/// The request clock. Production reads the system time; tests move it with
/// `advance` to exercise timeouts and validity periods without sleeping.
#[derive(Clone, Default)]
pub struct Clock {
    offset_micros: Arc<AtomicI64>,
}

impl Clock {
    pub fn now(&self) -> DateTime<Utc> {
        Utc::now() + chrono::Duration::microseconds(self.offset_micros.load(Ordering::Relaxed))
    }
    pub fn advance(&self, by: chrono::Duration) {
        self.offset_micros
            .fetch_add(by.num_microseconds().unwrap_or(0), Ordering::Relaxed);
    }
}

#[derive(Clone)]
pub struct AppState {
    pub store: Store,
    pub clock: Clock,
    pub templates: Arc<minijinja::Environment<'static>>,
    /// Mark cookies `Secure` even without `X-Forwarded-Proto: https`.
    pub force_secure_cookies: bool,
    /// The in-memory suggestion index (see `matching`).
    pub matching: matching::MatchingCache,
}

impl AppState {
    pub fn new(store: Store) -> AppState {
        AppState {
            store,
            clock: Clock::default(),
            templates: Arc::new(ui::templates()),
            force_secure_cookies: false,
            matching: matching::MatchingCache::default(),
        }
    }
}

#[derive(Debug, Clone)]
pub struct RequestId(pub String);

/// Request id, security headers and `no-store` on everything but static files:
/// almost every page shows personal data, and a cached page outlives a logout.
async fn common_headers(mut req: Request, next: Next) -> Response {
    let id = vagar_store::auth::random_token(16);
    req.extensions_mut().insert(RequestId(id.clone()));
    let is_static = req.uri().path().starts_with("/static/");
    let mut res = next.run(req).await;
    let h = res.headers_mut();
    let set = |h: &mut axum::http::HeaderMap, k: HeaderName, v: &'static str| {
        h.insert(k, HeaderValue::from_static(v));
    };
    set(
        h,
        header::CONTENT_SECURITY_POLICY,
        "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; \
         form-action 'self'; frame-ancestors 'none'; base-uri 'none'; object-src 'none'",
    );
    set(h, header::X_CONTENT_TYPE_OPTIONS, "nosniff");
    set(h, header::REFERRER_POLICY, "no-referrer");
    set(h, header::X_FRAME_OPTIONS, "DENY");
    set(
        h,
        HeaderName::from_static("cross-origin-opener-policy"),
        "same-origin",
    );
    if is_static {
        set(h, header::CACHE_CONTROL, "public, max-age=3600");
    } else {
        set(h, header::CACHE_CONTROL, "no-store");
    }
    if let Ok(v) = HeaderValue::from_str(&id) {
        h.insert(HeaderName::from_static("x-request-id"), v);
    }
    res
}

/// The whole application.
pub fn app(state: AppState) -> Router {
    Router::new()
        .nest("/api/v1", api::router())
        .merge(ui::router())
        .layer(axum::extract::DefaultBodyLimit::max(BODY_LIMIT))
        .layer(middleware::from_fn(common_headers))
        .with_state(state)
}

/// Serve until Ctrl-C.
pub async fn serve(state: AppState, bind: &str) -> anyhow::Result<()> {
    let listener = tokio::net::TcpListener::bind(bind).await?;
    tracing::info!("Vägar listens on http://{}", listener.local_addr()?);
    axum::serve(
        listener,
        app(state).into_make_service_with_connect_info::<std::net::SocketAddr>(),
    )
    .with_graceful_shutdown(async {
        let _ = tokio::signal::ctrl_c().await;
    })
    .await?;
    Ok(())
}
