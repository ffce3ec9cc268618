//! `TestApp`: a real Vägar server on a fresh database per test, reached over
//! HTTP like any client. Every test runs on SQLite and on PostgreSQL.
//!
//! PostgreSQL comes from `VAGAR_TEST_PG` (an admin URL of a throwaway cluster,
//! set by `./scripts/test`). Without it the PostgreSQL half is skipped with a
//! message, except under `CI=true`, where a skip is a failure.
#![allow(dead_code)]

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
    _dir: Option<tempfile::TempDir>,
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
            _dir: dir,
        })
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
        let client = reqwest::Client::builder()
            .cookie_store(true)
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .expect("client");
        let page = client
            .get(self.url("/logga-in"))
            .send()
            .await
            .expect("login page")
            .text()
            .await
            .unwrap();
        let csrf = hidden_csrf(&page);
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
    let marker = "name=\"csrf\" value=\"";
    let start = html.find(marker).expect("page has a csrf field") + marker.len();
    let end = html[start..].find('"').expect("csrf value ends") + start;
    html[start..end].to_string()
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
