//! Short ways to call the JSON API and check its answer, so that a test reads
//! as the requests it makes and the answers it expects: `app.post(user, path,
//! body).await.must(201).id()`, `app.get(user, path).await.assert_problem(…)`.
//! Dates are the app's (its clock, Swedish time); counts and the audit trail
//! are read straight from the database or as the admin reads them.

use super::{Reply, TestApp};
use chrono::{Datelike, Duration, NaiveDate};
use reqwest::Method;
use serde_json::{json, Value};
use vagar_store::sqlx::{self, Row};

/// A date as the API writes it: `YYYY-MM-DD`.
pub fn day(d: NaiveDate) -> String {
    d.format("%Y-%m-%d").to_string()
}

/// The Monday of `d`'s week.
pub fn monday(d: NaiveDate) -> NaiveDate {
    d - Duration::days(d.weekday().num_days_from_monday() as i64)
}

/// A participant's body with the least the API asks for.
pub fn person(number: &str, first: &str, last: &str) -> Value {
    json!({ "identity_number": number, "first_name": first, "last_name": last })
}

/// `/api/v1/participants/{id}` followed by `rest`.
pub fn participant_path(id: i64, rest: &str) -> String {
    format!("/api/v1/participants/{id}{rest}")
}

impl TestApp {
    /// Today in Sweden by the app's clock.
    pub fn today(&self) -> NaiveDate {
        vagar_domain::time::swedish_date(self.clock.now())
    }

    /// The id of the test organisation `name` (A, B, AF, Employer).
    pub async fn org(&self, name: &str) -> i64 {
        let org = self.store.organisation_by_name(name).await.expect("read");
        org.unwrap_or_else(|| panic!("{name} exists")).id
    }

    pub async fn get(&self, user: &str, path: &str) -> Reply {
        self.call(user, Method::GET, path, None).await
    }

    pub async fn post(&self, user: &str, path: &str, body: Value) -> Reply {
        self.call(user, Method::POST, path, Some(&body)).await
    }

    pub async fn put(&self, user: &str, path: &str, body: Value) -> Reply {
        self.call(user, Method::PUT, path, Some(&body)).await
    }

    pub async fn patch(&self, user: &str, path: &str, body: Value) -> Reply {
        self.call(user, Method::PATCH, path, Some(&body)).await
    }

    pub async fn delete(&self, user: &str, path: &str) -> Reply {
        self.call(user, Method::DELETE, path, None).await
    }

    /// The status alone of a request as `user`, with `body` if any.
    pub async fn status(&self, user: &str, method: Method, path: &str, body: Option<Value>) -> u16 {
        self.call(user, method, path, body.as_ref()).await.status
    }

    /// The number a `SELECT COUNT(*) AS n …` query gives.
    pub async fn count(&self, sql: &str) -> i64 {
        let row = sqlx::query(sql).fetch_one(self.store.pool()).await;
        row.expect(sql).try_get::<i64, _>("n").expect("a column n")
    }

    /// The audit events an admin reads at `/api/v1/audit?{query}`, newest first.
    pub async fn audit(&self, query: &str) -> Vec<Value> {
        let r = self.get("admin", &format!("/api/v1/audit?{query}")).await;
        r.must(200).array()
    }

    /// The ids `user` finds by searching for `q` (a name or an identity number).
    pub async fn search_ids(&self, user: &str, q: &str) -> Vec<i64> {
        let r = self
            .post(user, "/api/v1/participants/search", json!({ "q": q }))
            .await;
        assert_eq!(r.status, 200, "search as {user}: {}", r.text);
        r.json["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| p["id"].as_i64().unwrap())
            .collect()
    }

    /// A participant `user` registers with number `pnr(i)`; their id.
    pub async fn register(&self, user: &str, i: u32, first: &str, last: &str) -> i64 {
        self.create(user, person(&super::pnr(i), first, last)).await["id"]
            .as_i64()
            .unwrap()
    }
}

impl Reply {
    /// Asserts the status (showing the body when it differs); the reply, for more.
    #[track_caller]
    pub fn must(self, status: u16) -> Reply {
        assert_eq!(self.status, status, "unexpected status: {}", self.text);
        self
    }

    /// `must`, saying `what` was asked when the status differs (a loop's user, a case).
    #[track_caller]
    pub fn must_as(self, status: u16, what: impl std::fmt::Display) -> Reply {
        assert_eq!(self.status, status, "{what}: {}", self.text);
        self
    }

    /// The `id` of the record answered.
    #[track_caller]
    pub fn id(&self) -> i64 {
        let id = self.json["id"].as_i64();
        id.unwrap_or_else(|| panic!("no id in {}", self.text))
    }

    /// The answer as a JSON array.
    #[track_caller]
    pub fn array(&self) -> Vec<Value> {
        let items = self.json.as_array();
        items
            .unwrap_or_else(|| panic!("not an array: {}", self.text))
            .clone()
    }

    /// Asserts the problem's entry for `field` has this `code`.
    #[track_caller]
    pub fn assert_code(&self, field: &str, code: &str) {
        assert_eq!(
            self.error_code(field).as_deref(),
            Some(code),
            "{}",
            self.text
        );
    }

    /// Asserts a problem with this status naming `field` with this `code`.
    #[track_caller]
    pub fn assert_problem_code(&self, status: u16, field: &str, code: &str) {
        self.assert_problem(status, &[field]);
        self.assert_code(field, code);
    }
}
