//! The audit trail: append-only, hash-chained, written inside the same
//! transaction as the work it records. Only [`crate::access`] appends; this
//! module holds the mechanics and the read side.

use crate::{from_micros, get, micros, Ctx, Result, Store};
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
    fn as_text(&self) -> String {
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

fn chain_hash(prev: &str, seq: i64, fields: &[&str]) -> String {
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

fn ids_text(ids: &[i64]) -> String {
    ids.iter().map(i64::to_string).collect::<Vec<_>>().join(",")
}

/// Append one event. Crate-private: the access module is the only caller.
pub(crate) async fn append(
    tx: &mut Tx,
    ctx: Option<&Ctx>,
    at: DateTime<Utc>,
    action: &str,
    outcome: &Outcome,
    detail: &str,
    participant_ids: &[i64],
) -> Result<i64> {
    let head = sqlx::query("SELECT seq, hash FROM audit_head WHERE id = 1")
        .fetch_one(&mut **tx)
        .await?;
    let prev_seq: i64 = get(&head, "seq")?;
    let prev_hash: String = get(&head, "hash")?;
    let seq = prev_seq + 1;
    let at_us = micros(at);
    let request_id = ctx.map(|c| c.request_id.clone()).unwrap_or_default();
    let user_id = ctx.map(|c| c.actor.user_id);
    let username = ctx.map(|c| c.actor.username.clone());
    let org = ctx.map(|c| c.actor.organisation_id);
    let role = ctx.map(|c| c.actor.role.as_str().to_string());
    let outcome_text = outcome.as_text();
    let targets = ids_text(participant_ids);
    // An access allowed by a consent or a grant names which one (ACCESS.md:
    // "the rule, consent or grant that allowed it").
    let basis = match (ctx, outcome, participant_ids) {
        (Some(ctx), Outcome::Allowed(rule), [participant]) => {
            basis_of(tx, ctx, rule, *participant).await?
        }
        _ => None,
    };
    let detail_text;
    let detail = match basis {
        Some(b) if detail.is_empty() => {
            detail_text = b;
            detail_text.as_str()
        }
        Some(b) => {
            detail_text = format!("{detail}; {b}");
            detail_text.as_str()
        }
        None => detail,
    };
    let hash = chain_hash(
        &prev_hash,
        seq,
        &[
            &at_us.to_string(),
            &request_id,
            &user_id.map(|v| v.to_string()).unwrap_or_default(),
            username.as_deref().unwrap_or(""),
            &org.map(|v| v.to_string()).unwrap_or_default(),
            role.as_deref().unwrap_or(""),
            action,
            &outcome_text,
            detail,
            &targets,
        ],
    );
    sqlx::query(
        "INSERT INTO audit_events (seq, at, request_id, user_id, username, organisation_id, role, \
         action, outcome, detail, target_ids, prev_hash, hash) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)",
    )
    .bind(seq)
    .bind(at_us)
    .bind(request_id)
    .bind(user_id)
    .bind(username)
    .bind(org)
    .bind(role)
    .bind(action)
    .bind(&outcome_text)
    .bind(detail)
    .bind(&targets)
    .bind(&prev_hash)
    .bind(&hash)
    .execute(&mut **tx)
    .await?;
    let mut unique: Vec<i64> = participant_ids.to_vec();
    unique.sort_unstable();
    unique.dedup();
    for chunk in unique.chunks(400) {
        let mut sql =
            String::from("INSERT INTO audit_event_participants (seq, participant_id) VALUES ");
        for i in 0..chunk.len() {
            if i > 0 {
                sql.push(',');
            }
            sql.push_str(&format!("($1, ${})", i + 2));
        }
        let mut q = sqlx::query(&sql).bind(seq);
        for id in chunk {
            q = q.bind(*id);
        }
        q.execute(&mut **tx).await?;
    }
    sqlx::query("UPDATE audit_head SET seq = $1, hash = $2 WHERE id = 1")
        .bind(seq)
        .bind(&hash)
        .execute(&mut **tx)
        .await?;
    Ok(seq)
}

/// Which consents (`consent 12, 15`) or grant (`grant 7`) an allowing rule
/// rests on, for one participant. `None` for rules of role, unit or caseload.
async fn basis_of(tx: &mut Tx, ctx: &Ctx, rule: &str, participant: i64) -> Result<Option<String>> {
    use vagar_domain::consent::{ConsentMethod, ConsentState, ConsentTerms, DataCategory};
    if rule.contains(":grant") {
        let rows = sqlx::query(
            "SELECT id FROM access_grants WHERE participant_id = $1 AND user_id = $2 \
             AND valid_from <= $3 AND valid_until > $4 ORDER BY id",
        )
        .bind(participant)
        .bind(ctx.actor.user_id)
        .bind(micros(ctx.now))
        .bind(micros(ctx.now))
        .fetch_all(&mut **tx)
        .await?;
        let ids: Vec<String> = rows
            .iter()
            .map(|r| get::<i64>(r, "id").map(|v| v.to_string()))
            .collect::<Result<_>>()?;
        return Ok((!ids.is_empty()).then(|| format!("grant {}", ids.join(", "))));
    }
    let Some((_, after)) = rule.split_once(":consent") else {
        return Ok(None);
    };
    let wanted: Vec<DataCategory> = after
        .trim_start_matches(':')
        .split('+')
        .filter_map(DataCategory::parse)
        .collect();
    let rows = sqlx::query(
        "SELECT c.id, c.valid_from, c.valid_to, c.revoked_at, cc.category FROM consents c \
         JOIN consent_organisations co ON co.consent_id = c.id \
         LEFT JOIN consent_categories cc ON cc.consent_id = c.id \
         WHERE co.organisation_id = $1 AND c.participant_id = $2 ORDER BY c.id",
    )
    .bind(ctx.actor.organisation_id)
    .bind(participant)
    .fetch_all(&mut **tx)
    .await?;
    let mut states: Vec<(i64, ConsentState)> = Vec::new();
    for r in &rows {
        let id: i64 = get(r, "id")?;
        if states.last().map(|s| s.0) != Some(id) {
            let valid_to: Option<String> = get(r, "valid_to")?;
            let revoked_at: Option<i64> = get(r, "revoked_at")?;
            states.push((
                id,
                ConsentState {
                    terms: ConsentTerms {
                        organisation_ids: vec![ctx.actor.organisation_id],
                        categories: vec![],
                        valid_from: crate::access::parse_date(&get::<String>(r, "valid_from")?)?,
                        valid_to: valid_to
                            .as_deref()
                            .map(crate::access::parse_date)
                            .transpose()?,
                        method: ConsentMethod::Written,
                        note: None,
                    },
                    revoked_at: revoked_at.map(from_micros),
                },
            ));
        }
        if let Some(c) = get::<Option<String>>(r, "category")?
            .as_deref()
            .and_then(DataCategory::parse)
        {
            if let Some(last) = states.last_mut() {
                last.1.terms.categories.push(c);
            }
        }
    }
    let ids: Vec<String> = states
        .iter()
        .filter(|(_, s)| {
            s.in_force(ctx.now)
                && wanted
                    .iter()
                    .all(|c| s.covers(ctx.actor.organisation_id, *c, ctx.now))
        })
        .map(|(id, _)| id.to_string())
        .collect();
    Ok((!ids.is_empty()).then(|| format!("consent {}", ids.join(", "))))
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
