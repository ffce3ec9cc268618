//! The audit trail's writer: one event appended to the hash chain, in the
//! caller's transaction. Part of [`crate::access`] (included there by
//! `#[path]` as `access::trail`) so that only the access module writes to
//! the trail; the chain's hash and the read side are in [`crate::audit`].

use super::participants::consents_naming_actor;
use crate::audit::{chain_hash, Outcome, Tx};
use crate::{get, micros, Ctx, Result};
use chrono::{DateTime, Utc};
use vagar_domain::consent::DataCategory;

fn ids_text(ids: &[i64]) -> String {
    ids.iter().map(i64::to_string).collect::<Vec<_>>().join(",")
}

/// Append one event. Visible to the access module only.
pub(super) async fn append(
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
    let states = consents_naming_actor(tx, ctx, &[participant]).await?;
    let ids: Vec<String> = states
        .iter()
        .filter(|(_, _, s)| {
            s.in_force(ctx.now)
                && wanted
                    .iter()
                    .all(|c| s.covers(ctx.actor.organisation_id, *c, ctx.now))
        })
        .map(|(id, _, _)| id.to_string())
        .collect();
    Ok((!ids.is_empty()).then(|| format!("consent {}", ids.join(", "))))
}
