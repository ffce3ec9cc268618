//! The audit trail: append-only, hash-chained, written inside the same
//! transaction as the work it records. Only [`crate::access`] appends: the
//! writer, `append.rs` beside this file, is part of that module (included
//! there by `#[path]`), so no other module can call it. This module holds
//! the transaction, the chain's hash and the read side.

use crate::{from_micros, get, micros, Result, Store};
use chrono::{DateTime, Utc};
use serde::Serialize;
use sha2::{Digest, Sha256};
use sqlx::{Any, Transaction};
use std::collections::HashMap;

pub type Tx = Transaction<'static, Any>;

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    /// Allowed, with the rule that allowed it.
    Allowed(String),
    Denied,
}

impl Outcome {
    pub(crate) fn as_text(&self) -> String {
        match self {
            Outcome::Allowed(rule) => format!("allowed:{rule}"),
            Outcome::Denied => "denied".into(),
        }
    }
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct AuditEvent {
    pub seq: i64,
    pub at: DateTime<Utc>,
    pub request_id: String,
    pub user_id: Option<i64>,
    pub username: Option<String>,
    pub organisation_id: Option<i64>,
    pub role: Option<String>,
    pub action: String,
    /// `allowed:<rule>` or `denied`.
    pub outcome: String,
    pub detail: String,
    pub participant_ids: Vec<i64>,
    pub hash: String,
}

impl Store {
    /// Begin a transaction that will append audit events. Claiming the chain
    /// head first takes the write lock up front: on SQLite that avoids a
    /// failing lock upgrade under concurrency; on PostgreSQL it orders the
    /// chain by commit.
    pub async fn begin_audited(&self) -> Result<Tx> {
        let mut tx = self.pool.begin().await?;
        sqlx::query("UPDATE audit_head SET seq = seq WHERE id = 1")
            .execute(&mut *tx)
            .await?;
        Ok(tx)
    }
}

pub(crate) fn chain_hash(prev: &str, seq: i64, fields: &[&str]) -> String {
    let mut h = Sha256::new();
    h.update(prev.as_bytes());
    h.update(seq.to_le_bytes());
    for f in fields {
        // Length prefix: no two field lists hash alike by shifting a separator.
        h.update((f.len() as u64).to_le_bytes());
        h.update(f.as_bytes());
    }
    hex::encode(h.finalize())
}

/// Result of checking the chain.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ChainReport {
    pub events: i64,
    /// The first sequence number whose row does not match the chain.
    pub first_broken_seq: Option<i64>,
}

fn row_to_event(row: &sqlx::any::AnyRow) -> Result<(AuditEvent, String)> {
    let targets: String = get(row, "target_ids")?;
    let ev = AuditEvent {
        seq: get(row, "seq")?,
        at: from_micros(get(row, "at")?),
        request_id: get(row, "request_id")?,
        user_id: get(row, "user_id")?,
        username: get(row, "username")?,
        organisation_id: get(row, "organisation_id")?,
        role: get(row, "role")?,
        action: get(row, "action")?,
        outcome: get(row, "outcome")?,
        detail: get(row, "detail")?,
        participant_ids: targets.split(',').filter_map(|s| s.parse().ok()).collect(),
        hash: get(row, "hash")?,
    };
    Ok((ev, get(row, "prev_hash")?))
}

const EVENT_COLUMNS: &str =
    "e.seq, e.at, e.request_id, e.user_id, e.username, e.organisation_id, e.role, \
     e.action, e.outcome, e.detail, e.target_ids, e.prev_hash, e.hash";

impl Store {
    /// Events that touched a participant, newest first. Callers must hold a
    /// permit: see `access::read_audit`.
    pub(crate) async fn audit_for_participant(
        &self,
        tx: &mut Tx,
        participant_id: i64,
        limit: i64,
    ) -> Result<Vec<AuditEvent>> {
        let rows = sqlx::query(&format!(
            "SELECT {EVENT_COLUMNS} FROM audit_events e \
             JOIN audit_event_participants ep ON ep.seq = e.seq \
             WHERE ep.participant_id = $1 ORDER BY e.seq DESC LIMIT $2"
        ))
        .bind(participant_id)
        .bind(limit)
        .fetch_all(&mut **tx)
        .await?;
        rows.iter()
            .map(|r| row_to_event(r).map(|(e, _)| e))
            .collect()
    }

    /// The newest events of the whole trail.
    pub(crate) async fn audit_recent(&self, tx: &mut Tx, limit: i64) -> Result<Vec<AuditEvent>> {
        let rows = sqlx::query(&format!(
            "SELECT {EVENT_COLUMNS} FROM audit_events e ORDER BY e.seq DESC LIMIT $1"
        ))
        .bind(limit)
        .fetch_all(&mut **tx)
        .await?;
        rows.iter()
            .map(|r| row_to_event(r).map(|(e, _)| e))
            .collect()
    }

    /// Recompute the hash chain over every event (`vagar audit verify`).
    pub async fn verify_audit_chain(&self) -> Result<ChainReport> {
        let mut prev = "0".repeat(64);
        let mut expected_seq = 1;
        let mut last_seq = 0;
        loop {
            let rows = sqlx::query(&format!(
                "SELECT {EVENT_COLUMNS} FROM audit_events e WHERE e.seq >= $1 ORDER BY e.seq LIMIT 5000"
            ))
            .bind(expected_seq)
            .fetch_all(&self.pool)
            .await?;
            if rows.is_empty() {
                break;
            }
            // The per-participant index must name exactly the event's targets,
            // or a removed row there would hide the event from a person's trail.
            let mut links: HashMap<i64, Vec<i64>> = HashMap::new();
            let link_rows = sqlx::query(
                "SELECT seq, participant_id FROM audit_event_participants \
                 WHERE seq >= $1 AND seq <= $2",
            )
            .bind(get::<i64>(&rows[0], "seq")?)
            .bind(get::<i64>(&rows[rows.len() - 1], "seq")?)
            .fetch_all(&self.pool)
            .await?;
            for l in &link_rows {
                links
                    .entry(get(l, "seq")?)
                    .or_default()
                    .push(get(l, "participant_id")?);
            }
            for row in &rows {
                let (ev, prev_hash) = row_to_event(row)?;
                let at_us = micros(ev.at);
                // The stored text, not the ids parsed from it: junk between
                // the ids is a change too.
                let targets: String = get(row, "target_ids")?;
                let mut expected_links = ev.participant_ids.clone();
                expected_links.sort_unstable();
                expected_links.dedup();
                let mut found_links = links.remove(&ev.seq).unwrap_or_default();
                found_links.sort_unstable();
                let recomputed = chain_hash(
                    &prev,
                    ev.seq,
                    &[
                        &at_us.to_string(),
                        &ev.request_id,
                        &ev.user_id.map(|v| v.to_string()).unwrap_or_default(),
                        ev.username.as_deref().unwrap_or(""),
                        &ev.organisation_id
                            .map(|v| v.to_string())
                            .unwrap_or_default(),
                        ev.role.as_deref().unwrap_or(""),
                        &ev.action,
                        &ev.outcome,
                        &ev.detail,
                        &targets,
                    ],
                );
                if ev.seq != expected_seq
                    || prev_hash != prev
                    || recomputed != ev.hash
                    || found_links != expected_links
                {
                    return Ok(ChainReport {
                        events: last_seq,
                        first_broken_seq: Some(expected_seq),
                    });
                }
                prev = ev.hash;
                last_seq = ev.seq;
                expected_seq += 1;
            }
        }
        // A removed tail shows as a head that is ahead of the last row.
        let head = sqlx::query("SELECT seq FROM audit_head WHERE id = 1")
            .fetch_one(&self.pool)
            .await?;
        let head_seq: i64 = get(&head, "seq")?;
        Ok(ChainReport {
            events: last_seq,
            first_broken_seq: (head_seq != last_seq).then_some(last_seq + 1),
        })
    }
}
