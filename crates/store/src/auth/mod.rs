//! Organisations, users, passwords, sessions, API tokens and login throttling.
//! Sessions live in the database so several app servers can share one
//! PostgreSQL; only hashes of session ids and tokens are stored.

use crate::{conflict_on, from_micros, get, micros, Result, Store, StoreError};
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::Argon2;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use chrono::{DateTime, Duration, Utc};
use rand::RngCore;
use sha2::{Digest, Sha256};
use vagar_domain::access::Actor;
use vagar_domain::{OrgKind, Role};

pub const SESSION_IDLE: Duration = Duration::minutes(30);
pub const SESSION_ABSOLUTE: Duration = Duration::hours(12);
/// Failures allowed within the window before logins are refused for a while.
pub const THROTTLE_FREE_FAILURES: i64 = 5;
/// Per client address the limit is higher: colleagues behind one NAT share it.
pub const THROTTLE_FREE_FAILURES_PER_ADDRESS: i64 = 20;
pub const THROTTLE_WINDOW: Duration = Duration::minutes(15);

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Organisation {
    pub id: i64,
    pub name: String,
    pub kind: OrgKind,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct User {
    pub id: i64,
    pub username: String,
    pub display_name: String,
    pub role: Role,
    pub organisation_id: i64,
    pub organisation_name: String,
}

impl User {
    pub fn actor(&self) -> Actor {
        Actor {
            user_id: self.id,
            username: self.username.clone(),
            role: self.role,
            organisation_id: self.organisation_id,
        }
    }
}

#[derive(Debug, Clone)]
pub struct Session {
    pub user: User,
    pub csrf_token: String,
    pub created_at: DateTime<Utc>,
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum LoginError {
    #[error("wrong username or password")]
    Invalid,
    #[error("too many failed logins; try again in {retry_after_secs} seconds")]
    Throttled { retry_after_secs: i64 },
}

pub fn random_token(bytes: usize) -> String {
    let mut buf = vec![0u8; bytes];
    rand::thread_rng().fill_bytes(&mut buf);
    URL_SAFE_NO_PAD.encode(buf)
}

pub fn sha256_hex(s: &str) -> String {
    hex::encode(Sha256::digest(s.as_bytes()))
}

pub fn hash_password(password: &str) -> Result<String> {
    let salt = SaltString::generate(&mut rand::rngs::OsRng);
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| StoreError::Other(format!("password hashing failed: {e}")))
}

fn verify_password(password: &str, hash: &str) -> bool {
    PasswordHash::new(hash)
        .map(|h| {
            Argon2::default()
                .verify_password(password.as_bytes(), &h)
                .is_ok()
        })
        .unwrap_or(false)
}

/// Checked against when the username is unknown, so a wrong name costs as
/// long as a wrong password and names cannot be probed by timing.
fn dummy_hash() -> &'static str {
    static H: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    H.get_or_init(|| hash_password("not-a-real-password").unwrap_or_default())
}

const USER_COLUMNS: &str =
    "u.id, u.username, u.display_name, u.role, u.organisation_id, o.name AS organisation_name";

fn row_to_user(row: &sqlx::any::AnyRow) -> Result<User> {
    let role: String = get(row, "role")?;
    Ok(User {
        id: get(row, "id")?,
        username: get(row, "username")?,
        display_name: get(row, "display_name")?,
        role: Role::parse(&role)
            .ok_or_else(|| StoreError::Other("stored user has an unknown role".into()))?,
        organisation_id: get(row, "organisation_id")?,
        organisation_name: get(row, "organisation_name")?,
    })
}

impl Store {
    /// Find an organisation by name or create it.
    pub async fn ensure_organisation(&self, name: &str, kind: OrgKind) -> Result<Organisation> {
        if let Some(org) = self.organisation_by_name(name).await? {
            return Ok(org);
        }
        sqlx::query("INSERT INTO organisations (name, kind, created_at) VALUES ($1, $2, $3) ON CONFLICT (name) DO NOTHING")
            .bind(name)
            .bind(kind.as_str())
            .bind(micros(Utc::now()))
            .execute(&self.pool)
            .await?;
        self.organisation_by_name(name)
            .await?
            .ok_or_else(|| StoreError::Other("organisation vanished".into()))
    }

    pub async fn organisation_by_name(&self, name: &str) -> Result<Option<Organisation>> {
        let row = sqlx::query("SELECT id, name, kind FROM organisations WHERE name = $1")
            .bind(name)
            .fetch_optional(&self.pool)
            .await?;
        row.map(|r| {
            let kind: String = get(&r, "kind")?;
            Ok(Organisation {
                id: get(&r, "id")?,
                name: get(&r, "name")?,
                kind: OrgKind::parse(&kind).unwrap_or(OrgKind::MunicipalUnit),
            })
        })
        .transpose()
    }

    pub async fn list_organisations(&self) -> Result<Vec<Organisation>> {
        let rows = sqlx::query("SELECT id, name, kind FROM organisations ORDER BY name")
            .fetch_all(&self.pool)
            .await?;
        rows.iter()
            .map(|r| {
                let kind: String = get(r, "kind")?;
                Ok(Organisation {
                    id: get(r, "id")?,
                    name: get(r, "name")?,
                    kind: OrgKind::parse(&kind).unwrap_or(OrgKind::MunicipalUnit),
                })
            })
            .collect()
    }

    /// Create a user; the username is unique (case-insensitively: stored lower-case).
    pub async fn create_user(
        &self,
        username: &str,
        display_name: &str,
        password: &str,
        role: Role,
        organisation_id: i64,
    ) -> Result<User> {
        let username = username.trim().to_lowercase();
        if username.is_empty()
            || username.len() > 64
            || !username
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || "._-@".contains(c))
        {
            return Err(StoreError::Other(
                "username must be 1-64 characters of a-z, 0-9, '.', '_', '-' or '@'".into(),
            ));
        }
        if password.chars().count() < 10 {
            return Err(StoreError::Other(
                "password must be at least 10 characters".into(),
            ));
        }
        let hash = hash_password(password)?;
        sqlx::query(
            "INSERT INTO users (username, display_name, password_hash, role, organisation_id, active, created_at) \
             VALUES ($1, $2, $3, $4, $5, 1, $6)",
        )
        .bind(&username)
        .bind(display_name)
        .bind(hash)
        .bind(role.as_str())
        .bind(organisation_id)
        .bind(micros(Utc::now()))
        .execute(&self.pool)
        .await
        .map_err(|e| conflict_on(e, "username", "a user with this username already exists"))?;
        self.user_by_name(&username)
            .await?
            .ok_or(StoreError::NotFound)
    }

    /// Set a user's password (used by the demo to reset its printed logins).
    pub async fn set_password(&self, username: &str, password: &str) -> Result<()> {
        let hash = hash_password(password)?;
        sqlx::query("UPDATE users SET password_hash = $1 WHERE username = $2")
            .bind(hash)
            .bind(username)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    pub async fn user_by_name(&self, username: &str) -> Result<Option<User>> {
        let row = sqlx::query(&format!(
            "SELECT {USER_COLUMNS} FROM users u JOIN organisations o ON o.id = u.organisation_id \
             WHERE u.username = $1 AND u.active = 1"
        ))
        .bind(username.trim().to_lowercase())
        .fetch_optional(&self.pool)
        .await?;
        row.as_ref().map(row_to_user).transpose()
    }

    pub async fn list_caseworkers(&self, organisation_id: i64) -> Result<Vec<User>> {
        let rows = sqlx::query(&format!(
            "SELECT {USER_COLUMNS} FROM users u JOIN organisations o ON o.id = u.organisation_id \
             WHERE u.role = 'caseworker' AND u.active = 1 AND u.organisation_id = $1 ORDER BY u.display_name"
        ))
        .bind(organisation_id)
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(row_to_user).collect()
    }

    async fn throttle_blocked_until(&self, key: &str) -> Result<i64> {
        let row = sqlx::query("SELECT blocked_until FROM login_throttle WHERE throttle_key = $1")
            .bind(key)
            .fetch_optional(&self.pool)
            .await?;
        Ok(match row {
            Some(r) => get(&r, "blocked_until")?,
            None => 0,
        })
    }

    async fn record_failure(&self, key: &str, free: i64, now: DateTime<Utc>) -> Result<()> {
        let now_us = micros(now);
        let mut tx = self.pool.begin().await?;
        // Claim the row before reading it. On PostgreSQL that locks it, so
        // concurrent failures are all counted instead of overwriting each
        // other; on SQLite it takes the write lock up front, since a read
        // that later writes fails under concurrency instead of waiting.
        sqlx::query(
            "INSERT INTO login_throttle (throttle_key, failures, window_start, blocked_until) \
             VALUES ($1, 0, $2, 0) \
             ON CONFLICT (throttle_key) DO UPDATE SET failures = login_throttle.failures",
        )
        .bind(key)
        .bind(now_us)
        .execute(&mut *tx)
        .await?;
        let row = sqlx::query(
            "SELECT failures, window_start FROM login_throttle WHERE throttle_key = $1",
        )
        .bind(key)
        .fetch_optional(&mut *tx)
        .await?;
        let (mut failures, mut window_start) = match row {
            Some(r) => (get::<i64>(&r, "failures")?, get::<i64>(&r, "window_start")?),
            None => (0, now_us),
        };
        if now_us - window_start > THROTTLE_WINDOW.num_microseconds().unwrap_or(i64::MAX) {
            failures = 0;
            window_start = now_us;
        }
        failures += 1;
        // After the free failures, wait 30 s, doubling each time, at most 15 min.
        let blocked_until = if failures >= free {
            let exp = (failures - free).min(5) as u32;
            now_us + (30_000_000i64 * 2i64.pow(exp)).min(900_000_000)
        } else {
            0
        };
        sqlx::query(
            "INSERT INTO login_throttle (throttle_key, failures, window_start, blocked_until) VALUES ($1, $2, $3, $4) \
             ON CONFLICT (throttle_key) DO UPDATE SET failures = $2, window_start = $3, blocked_until = $4",
        )
        .bind(key)
        .bind(failures)
        .bind(window_start)
        .bind(blocked_until)
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Check a username and password. Failures count per username and per
    /// client address; past the limit every answer is `Throttled`, whether or
    /// not the password is right, until the wait is over.
    pub async fn authenticate(
        &self,
        username: &str,
        password: &str,
        client: &str,
        now: DateTime<Utc>,
    ) -> Result<Result<User, LoginError>> {
        let user_key = format!("user:{}", username.trim().to_lowercase());
        let client_key = format!("addr:{client}");
        let now_us = micros(now);
        let blocked = self
            .throttle_blocked_until(&user_key)
            .await?
            .max(self.throttle_blocked_until(&client_key).await?);
        if blocked > now_us {
            return Ok(Err(LoginError::Throttled {
                retry_after_secs: ((blocked - now_us) / 1_000_000).max(1),
            }));
        }
        let row = sqlx::query(
            "SELECT u.password_hash FROM users u WHERE u.username = $1 AND u.active = 1",
        )
        .bind(username.trim().to_lowercase())
        .fetch_optional(&self.pool)
        .await?;
        let hash: Option<String> = row.map(|r| get(&r, "password_hash")).transpose()?;
        let password = password.to_string();
        let ok = tokio::task::spawn_blocking(move || match hash {
            Some(h) => verify_password(&password, &h),
            None => {
                verify_password(&password, dummy_hash());
                false
            }
        })
        .await
        .map_err(|e| StoreError::Other(e.to_string()))?;
        if !ok {
            self.record_failure(&user_key, THROTTLE_FREE_FAILURES, now)
                .await?;
            self.record_failure(&client_key, THROTTLE_FREE_FAILURES_PER_ADDRESS, now)
                .await?;
            return Ok(Err(LoginError::Invalid));
        }
        sqlx::query("DELETE FROM login_throttle WHERE throttle_key = $1")
            .bind(&user_key)
            .execute(&self.pool)
            .await?;
        Ok(self
            .user_by_name(username)
            .await?
            .ok_or(LoginError::Invalid))
    }

    /// Start a session; returns the raw session id for the cookie.
    pub async fn create_session(
        &self,
        user_id: i64,
        now: DateTime<Utc>,
    ) -> Result<(String, String)> {
        let id = random_token(32);
        let csrf = random_token(32);
        sqlx::query(
            "INSERT INTO sessions (id_hash, user_id, csrf_token, created_at, last_seen_at) VALUES ($1, $2, $3, $4, $4)",
        )
        .bind(sha256_hex(&id))
        .bind(user_id)
        .bind(&csrf)
        .bind(micros(now))
        .execute(&self.pool)
        .await?;
        Ok((id, csrf))
    }

    /// Look up a live session and mark it used. An idle or too old session is
    /// deleted and treated as absent.
    pub async fn session(&self, raw_id: &str, now: DateTime<Utc>) -> Result<Option<Session>> {
        let id_hash = sha256_hex(raw_id);
        let row = sqlx::query(&format!(
            "SELECT {USER_COLUMNS}, s.csrf_token, s.created_at, s.last_seen_at FROM sessions s \
             JOIN users u ON u.id = s.user_id JOIN organisations o ON o.id = u.organisation_id \
             WHERE s.id_hash = $1 AND u.active = 1"
        ))
        .bind(&id_hash)
        .fetch_optional(&self.pool)
        .await?;
        let Some(row) = row else { return Ok(None) };
        let created = from_micros(get(&row, "created_at")?);
        let last_seen = from_micros(get(&row, "last_seen_at")?);
        if now - last_seen > SESSION_IDLE || now - created > SESSION_ABSOLUTE {
            self.delete_session(raw_id).await?;
            return Ok(None);
        }
        // Write at most once a minute: a page view should not always be a write.
        if now - last_seen > Duration::minutes(1) {
            sqlx::query("UPDATE sessions SET last_seen_at = $1 WHERE id_hash = $2")
                .bind(micros(now))
                .bind(&id_hash)
                .execute(&self.pool)
                .await?;
        }
        Ok(Some(Session {
            user: row_to_user(&row)?,
            csrf_token: get(&row, "csrf_token")?,
            created_at: created,
        }))
    }

    pub async fn delete_session(&self, raw_id: &str) -> Result<()> {
        sqlx::query("DELETE FROM sessions WHERE id_hash = $1")
            .bind(sha256_hex(raw_id))
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    /// Create an API token for a user; returns the raw token (shown once).
    pub async fn create_token(&self, username: &str, name: &str) -> Result<String> {
        let user = self
            .user_by_name(username)
            .await?
            .ok_or(StoreError::NotFound)?;
        let token = format!("vgr_{}", random_token(32));
        sqlx::query("INSERT INTO api_tokens (token_hash, user_id, name, created_at) VALUES ($1, $2, $3, $4)")
            .bind(sha256_hex(&token))
            .bind(user.id)
            .bind(name)
            .bind(micros(Utc::now()))
            .execute(&self.pool)
            .await?;
        Ok(token)
    }

    pub async fn user_by_token(&self, token: &str, now: DateTime<Utc>) -> Result<Option<User>> {
        let hash = sha256_hex(token);
        let row = sqlx::query(&format!(
            "SELECT {USER_COLUMNS}, t.last_used_at FROM api_tokens t JOIN users u ON u.id = t.user_id \
             JOIN organisations o ON o.id = u.organisation_id \
             WHERE t.token_hash = $1 AND t.revoked_at IS NULL AND u.active = 1"
        ))
        .bind(&hash)
        .fetch_optional(&self.pool)
        .await?;
        let Some(row) = row else { return Ok(None) };
        let last: Option<i64> = get(&row, "last_used_at")?;
        if last.is_none_or(|l| micros(now) - l > 60_000_000) {
            sqlx::query("UPDATE api_tokens SET last_used_at = $1 WHERE token_hash = $2")
                .bind(micros(now))
                .bind(&hash)
                .execute(&self.pool)
                .await?;
        }
        Ok(Some(row_to_user(&row)?))
    }
}
