//! `TestApp`: a real Vägar server on a fresh database per test, reached over
//! HTTP like any client. Every test runs on SQLite and on PostgreSQL.
//!
//! PostgreSQL comes from `VAGAR_TEST_PG` (an admin URL of a throwaway cluster,
//! set by `./scripts/test`). Without it the PostgreSQL half is skipped with a
//! message, except under `CI=true`, where a skip is a failure.
#![allow(dead_code)]

pub mod api;
pub mod browser;
pub mod form;
pub mod work;

pub use api::day;

use std::collections::HashMap;
use std::net::SocketAddr;
use vagar_domain::{OrgKind, Role};
use vagar_store::sqlx::{self, Connection};
use vagar_store::Store;
use vagar_web::{AppState, Clock};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Engine {
    Sqlite,
    Postgres,
}

pub const PASSWORD: &str = "correct-horse-battery";

pub struct TestApp {
    pub addr: SocketAddr,
    pub base: String,
    pub store: Store,
    pub clock: Clock,
    /// Bearer tokens by username.
    pub tokens: HashMap<String, String>,
    /// User ids by username.
    pub user_ids: HashMap<String, i64>,
    pub org_a: i64,
    pub org_b: i64,
    pub http: reqwest::Client,
    dir: Option<std::sync::Arc<tempfile::TempDir>>,
}

/// The users every test gets: two caseworkers in unit A, one in unit B, and
/// one user of every other role.
pub const USERS: &[(&str, Role, &str)] = &[
    ("cw_a", Role::Caseworker, "A"),
    ("cw_a2", Role::Caseworker, "A"),
    ("cw_b", Role::Caseworker, "B"),
    ("admin", Role::Admin, "A"),
    ("analyst", Role::Analyst, "A"),
    ("partner", Role::Partner, "AF"),
    ("coordinator", Role::EmployerCoordinator, "A"),
    ("employer", Role::Employer, "Employer"),
];

pub fn ci() -> bool {
    std::env::var("CI")
        .map(|v| v == "true" || v == "1")
        .unwrap_or(false)
}

async fn database_url(engine: Engine) -> Option<(String, Option<tempfile::TempDir>)> {
    match engine {
        Engine::Sqlite => {
            let dir = tempfile::tempdir().expect("temp dir");
            let url = format!("sqlite://{}", dir.path().join("test.db").display());
            Some((url, Some(dir)))
        }
        Engine::Postgres => {
            let Ok(admin) = std::env::var("VAGAR_TEST_PG") else {
                if ci() {
                    panic!(
                        "CI=true but VAGAR_TEST_PG is not set: PostgreSQL tests may not be skipped"
                    );
                }
                eprintln!(
                    "skipping the PostgreSQL half: VAGAR_TEST_PG is not set (run ./scripts/test)"
                );
                return None;
            };
            sqlx::any::install_default_drivers();
            let name = format!("vagar_test_{}", uuid::Uuid::new_v4().simple());
            let mut conn = sqlx::AnyConnection::connect(&admin)
                .await
                .expect("connect to VAGAR_TEST_PG");
            sqlx::query(&format!("CREATE DATABASE {name}"))
                .execute(&mut conn)
                .await
                .expect("create test database");
            let _ = conn.close().await;
            let base = admin.rsplit_once('/').map(|(b, _)| b).unwrap_or(&admin);
            Some((format!("{base}/{name}"), None))
        }
    }
}

impl TestApp {
    /// A migrated database with organisations and users, and the app serving
    /// it on a free port. `None` only when PostgreSQL is skipped locally.
    pub async fn spawn(engine: Engine) -> Option<TestApp> {
        let (url, dir) = database_url(engine).await?;
        let store = Store::connect(&url).await.expect("connect");
        store.migrate().await.expect("migrate");
        let mut orgs = HashMap::new();
        for (name, kind) in [
            ("A", OrgKind::MunicipalUnit),
            ("B", OrgKind::MunicipalUnit),
            ("AF", OrgKind::Arbetsformedlingen),
            ("Employer", OrgKind::Employer),
        ] {
            orgs.insert(
                name,
                store.ensure_organisation(name, kind).await.expect("org").id,
            );
        }
        let mut tokens = HashMap::new();
        let mut user_ids = HashMap::new();
        for (username, role, org) in USERS {
            let u = store
                .create_user(
                    username,
                    &format!("{username} Testsson"),
                    PASSWORD,
                    *role,
                    orgs[org],
                )
                .await
                .expect("user");
            user_ids.insert(username.to_string(), u.id);
            tokens.insert(
                username.to_string(),
                store.create_token(username, "test").await.expect("token"),
            );
        }
        let state = AppState::new(store.clone());
        let clock = state.clock.clone();
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind");
        let addr = listener.local_addr().expect("addr");
        tokio::spawn(async move {
            axum::serve(
                listener,
                vagar_web::app(state).into_make_service_with_connect_info::<SocketAddr>(),
            )
            .await
            .expect("serve");
        });
        let http = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .expect("client");
        Some(TestApp {
            addr,
            base: format!("http://{addr}"),
            store,
            clock,
            tokens,
            user_ids,
            org_a: orgs["A"],
            org_b: orgs["B"],
            http,
            dir: dir.map(std::sync::Arc::new),
        })
    }

    /// Load the shipped classification data, as `vagar migrate`/`serve` do.
    /// Only tests that need it pay for it (about a third of a second).
    pub async fn load_taxonomy(&self) {
        self.store
            .ensure_taxonomy(chrono::Utc::now())
            .await
            .expect("taxonomy");
    }

    /// Keeps the SQLite file's folder alive: a test body that moves only some
    /// fields of the app must not let the rest (and the folder) drop early.
    pub fn keep_alive(&self) -> Option<std::sync::Arc<tempfile::TempDir>> {
        self.dir.clone()
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.base, path)
    }

    /// A request as `user` with their bearer token.
    pub fn api(&self, user: &str, method: reqwest::Method, path: &str) -> reqwest::RequestBuilder {
        self.http
            .request(method, self.url(path))
            .bearer_auth(&self.tokens[user])
    }

    pub async fn get_json(&self, user: &str, path: &str) -> (u16, serde_json::Value) {
        let res = self
            .api(user, reqwest::Method::GET, path)
            .send()
            .await
            .expect("request");
        let status = res.status().as_u16();
        (status, res.json().await.unwrap_or(serde_json::Value::Null))
    }

    pub async fn send_json(
        &self,
        user: &str,
        method: reqwest::Method,
        path: &str,
        body: &serde_json::Value,
    ) -> (u16, serde_json::Value) {
        let res = self
            .api(user, method, path)
            .json(body)
            .send()
            .await
            .expect("request");
        let status = res.status().as_u16();
        (status, res.json().await.unwrap_or(serde_json::Value::Null))
    }

    /// Create a participant as `user`; panics unless 201.
    pub async fn create(&self, user: &str, body: serde_json::Value) -> serde_json::Value {
        let (status, json) = self
            .send_json(user, reqwest::Method::POST, "/api/v1/participants", &body)
            .await;
        assert_eq!(status, 201, "create failed: {json}");
        json
    }

    /// A browser-like client with a cookie store, logged in as `user`.
    pub async fn login(&self, user: &str) -> reqwest::Client {
        let client = form::browser();
        let csrf = form::page_csrf(&client, self, "/logga-in").await;
        let res = client
            .post(self.url("/logga-in"))
            .form(&[
                ("csrf", csrf.as_str()),
                ("username", user),
                ("password", PASSWORD),
            ])
            .send()
            .await
            .expect("login");
        assert_eq!(res.status().as_u16(), 303, "login as {user} failed");
        client
    }
}

/// The value of the first `name="csrf"` hidden field on a page.
pub fn hidden_csrf(html: &str) -> String {
    form::hidden_value(html, "csrf")
}

/// Valid identity numbers for tests (fictitious; Luhn-correct).
pub fn pnr(i: u32) -> String {
    // Born 1990-01-01 + i days, serial 100 + i % 800.
    let date =
        chrono::NaiveDate::from_ymd_opt(1990, 1, 1).unwrap() + chrono::Duration::days(i as i64);
    let serial = 100 + (i % 800);
    let nine: Vec<u8> = format!("{}{:03}", date.format("%y%m%d"), serial)
        .bytes()
        .map(|b| b - b'0')
        .collect();
    let check = vagar_domain::identity::luhn_check_digit(&nine);
    format!("{}-{:03}{}", date.format("%Y%m%d"), serial, check)
}

/// Run an async test body on both engines.
#[macro_export]
macro_rules! both_engines {
    ($name:ident, $body:expr) => {
        mod $name {
            use super::*;
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn sqlite() {
                let app = common::TestApp::spawn(common::Engine::Sqlite)
                    .await
                    .expect("sqlite app");
                let _dir = app.keep_alive();
                ($body)(app).await;
            }
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn postgres() {
                if let Some(app) = common::TestApp::spawn(common::Engine::Postgres).await {
                    ($body)(app).await;
                }
            }
        }
    };
}

/// A response read whole: status, content type and body (JSON when it parses).
#[derive(Debug)]
pub struct Reply {
    pub status: u16,
    pub content_type: String,
    pub headers: reqwest::header::HeaderMap,
    pub text: String,
    pub json: serde_json::Value,
}

impl Reply {
    pub async fn read(res: reqwest::Response) -> Reply {
        let status = res.status().as_u16();
        let headers = res.headers().clone();
        let content_type = headers
            .get(reqwest::header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .to_string();
        let text = res.text().await.expect("response body");
        let json = serde_json::from_str(&text).unwrap_or(serde_json::Value::Null);
        Reply {
            status,
            content_type,
            headers,
            text,
            json,
        }
    }

    /// The `field` of every entry of a problem's `errors`.
    pub fn error_fields(&self) -> Vec<String> {
        self.json["errors"]
            .as_array()
            .map(|errs| {
                errs.iter()
                    .filter_map(|e| e["field"].as_str().map(str::to_string))
                    .collect()
            })
            .unwrap_or_default()
    }

    /// The `code` of the error entry for `field`, if any.
    pub fn error_code(&self, field: &str) -> Option<String> {
        self.json["errors"].as_array()?.iter().find_map(|e| {
            (e["field"] == field).then(|| e["code"].as_str().unwrap_or("").to_string())
        })
    }

    /// Asserts an RFC 9457 problem with this status, naming `fields`.
    #[track_caller]
    pub fn assert_problem(&self, status: u16, fields: &[&str]) {
        assert_eq!(self.status, status, "unexpected status: {}", self.text);
        assert!(
            self.content_type.starts_with("application/problem+json"),
            "not problem+json ({}): {}",
            self.content_type,
            self.text
        );
        assert_eq!(self.json["status"], status, "problem status: {}", self.text);
        let named = self.error_fields();
        for f in fields {
            assert!(
                named.iter().any(|n| n == f),
                "{f} not named in {}",
                self.text
            );
        }
    }
}

impl TestApp {
    /// Send `body` (if any) as JSON as `user` and read the whole reply.
    pub async fn call(
        &self,
        user: &str,
        method: reqwest::Method,
        path: &str,
        body: Option<&serde_json::Value>,
    ) -> Reply {
        let mut req = self.api(user, method, path);
        if let Some(b) = body {
            req = req.json(b);
        }
        Reply::read(req.send().await.expect("request")).await
    }

    /// Every participant id `user` gets from the list, following pages.
    pub async fn list_ids(&self, user: &str, query: &str) -> Vec<i64> {
        let mut ids = Vec::new();
        for page in 1.. {
            let sep = if query.is_empty() { "" } else { "&" };
            let (status, json) = self
                .get_json(
                    user,
                    &format!("/api/v1/participants?{query}{sep}per_page=100&page={page}"),
                )
                .await;
            assert_eq!(status, 200, "list as {user}: {json}");
            let items = json["items"].as_array().expect("items").clone();
            ids.extend(items.iter().map(|p| p["id"].as_i64().expect("id")));
            if items.len() < 100 {
                break;
            }
        }
        ids
    }
}

/// A valid identity number for a given birth date and serial (fictitious).
/// Returns (12 digits, 10 digits) without separators.
pub fn pnr_on(date: chrono::NaiveDate, serial: u32) -> (String, String) {
    let ten9 = format!("{}{:03}", date.format("%y%m%d"), serial);
    let nine: Vec<u8> = ten9.bytes().map(|b| b - b'0').collect();
    let check = vagar_domain::identity::luhn_check_digit(&nine);
    (
        format!("{}{:03}{}", date.format("%Y%m%d"), serial, check),
        format!("{ten9}{check}"),
    )
}
