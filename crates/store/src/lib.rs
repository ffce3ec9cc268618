//! Vägar's storage: one `Store` over SQLite (embedded, default) or PostgreSQL
//! (shared deployments), chosen by URL. Both engines run the same SQL through
//! sqlx's `Any` driver; only the migrations differ, one folder per engine with
//! the same file names.
//!
//! Personal data is reached only through functions that take a permit from
//! [`access`], which decides and audits in the same transaction as the work.

pub mod access;
pub mod assessments;
pub mod audit;
pub mod auth;
pub mod between_chairs;
pub mod competence;
pub mod consent;
pub mod employers;
pub mod imports;
pub mod intake;
pub(crate) mod kernel;
pub mod matching;
pub mod needs;
pub mod participants;
pub mod plans;
pub mod steering;
pub mod taxonomy;
pub mod work;

use chrono::{DateTime, Utc};
use sqlx::any::{AnyPoolOptions, AnyRow};
use sqlx::{AnyPool, Executor};
use std::str::FromStr;
use std::time::Duration;
use vagar_domain::access::Actor;
use vagar_domain::ValidationErrors;

pub use sqlx;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("not found")]
    NotFound,
    #[error("forbidden")]
    Forbidden,
    #[error("{message}")]
    Conflict { field: String, message: String },
    #[error("invalid input: {0}")]
    Validation(ValidationErrors),
    #[error("the record was changed by someone else; reload and try again")]
    StaleVersion,
    #[error("database error: {0}")]
    Database(#[from] sqlx::Error),
    #[error("migration error: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    #[error("{0}")]
    Other(String),
}

pub type Result<T, E = StoreError> = std::result::Result<T, E>;

/// What every audited store call needs to know about the request.
#[derive(Debug, Clone)]
pub struct Ctx {
    pub actor: Actor,
    pub request_id: String,
    /// The request's clock: rules and timeouts read time from here, so tests
    /// can move it.
    pub now: DateTime<Utc>,
}

impl Ctx {
    /// The date in Sweden at the request's time.
    pub fn today(&self) -> chrono::NaiveDate {
        vagar_domain::time::swedish_date(self.now)
    }
}

#[derive(Clone)]
pub struct Store {
    pool: AnyPool,
    backend: Backend,
}

impl std::fmt::Debug for Store {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Store")
            .field("backend", &self.backend)
            .finish()
    }
}

pub fn micros(t: DateTime<Utc>) -> i64 {
    t.timestamp_micros()
}

pub fn from_micros(v: i64) -> DateTime<Utc> {
    DateTime::from_timestamp_micros(v).unwrap_or_default()
}

impl Store {
    /// Connect by URL: `sqlite://FILE` (created if missing) or `postgres://…`.
    pub async fn connect(url: &str) -> Result<Store> {
        sqlx::any::install_default_drivers();
        let (backend, url) = if let Some(rest) = url.strip_prefix("sqlite://") {
            let path = rest.split('?').next().unwrap_or(rest);
            let url = if url.contains('?') {
                url.to_string()
            } else {
                format!("sqlite://{path}?mode=rwc")
            };
            (Backend::Sqlite, url)
        } else if url.starts_with("sqlite:") {
            (Backend::Sqlite, url.to_string())
        } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            (Backend::Postgres, url.to_string())
        } else {
            return Err(StoreError::Other(
                "database URL must start with sqlite:// or postgres://".into(),
            ));
        };
        let mut options = AnyPoolOptions::new()
            .max_connections(if backend == Backend::Sqlite { 8 } else { 16 })
            .acquire_timeout(Duration::from_secs(30));
        if backend == Backend::Sqlite {
            // WAL lets readers run beside the one writer; the busy timeout makes
            // a second writer wait instead of failing. Recursive triggers make
            // the rows that `INSERT OR REPLACE` deletes fire the audit tables'
            // delete triggers, which SQLite otherwise skips.
            options = options.after_connect(|conn, _meta| {
                Box::pin(async move {
                    conn.execute(
                        "PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; \
                         PRAGMA foreign_keys = ON; PRAGMA busy_timeout = 10000; \
                         PRAGMA recursive_triggers = ON; PRAGMA cache_size = -32768;",
                    )
                    .await?;
                    Ok(())
                })
            });
        }
        let _ = sqlx::any::AnyConnectOptions::from_str(&url)?;
        let pool = options.connect(&url).await?;
        Ok(Store { pool, backend })
    }

    pub fn backend(&self) -> Backend {
        self.backend
    }

    pub fn pool(&self) -> &AnyPool {
        &self.pool
    }

    /// Apply the migrations for this engine (idempotent).
    pub async fn migrate(&self) -> Result<()> {
        match self.backend {
            Backend::Sqlite => sqlx::migrate!("migrations/sqlite").run(&self.pool).await?,
            Backend::Postgres => {
                sqlx::migrate!("migrations/postgres")
                    .run(&self.pool)
                    .await?
            }
        }
        Ok(())
    }

    pub async fn close(&self) {
        self.pool.close().await;
    }

    /// Liveness of the database, for `/api/v1/health`.
    pub async fn ping(&self) -> Result<()> {
        sqlx::query("SELECT 1").execute(&self.pool).await?;
        Ok(())
    }
}

pub(crate) fn get<'r, T>(row: &'r AnyRow, col: &str) -> Result<T>
where
    T: sqlx::Decode<'r, sqlx::Any> + sqlx::Type<sqlx::Any>,
{
    use sqlx::Row;
    Ok(row.try_get(col)?)
}

/// Map a unique-constraint violation to a conflict on `field`.
pub(crate) fn conflict_on(err: sqlx::Error, field: &str, message: &str) -> StoreError {
    if let sqlx::Error::Database(db) = &err {
        if db.is_unique_violation() {
            return StoreError::Conflict {
                field: field.into(),
                message: message.into(),
            };
        }
    }
    StoreError::Database(err)
}
