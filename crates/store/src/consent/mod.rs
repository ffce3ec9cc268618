//! Consent (samtycke). Every function decides through `access` and writes
//! its audit events in the same transaction as the work. (The common entry
//! and handover are in [`crate::intake`].)
//!
//! A consent's terms never change; revocation fills its `revoked_*` columns
//! once (database triggers refuse anything else), and every change is also a
//! row in the append-only `consent_events`.

use crate::audit::Tx;
use crate::kernel::parse_date;
use crate::kernel::sql::{Arg, Sql};
use crate::{from_micros, get, micros, Ctx, Result, Store, StoreError};
use chrono::{DateTime, Utc};
use std::collections::HashMap;
use vagar_domain::access::ParticipantAction;
use vagar_domain::consent::{
    ConsentInput, ConsentMethod, ConsentState, ConsentTerms, DataCategory,
};
use vagar_domain::ValidationErrors;

/// A stored consent with who recorded and who revoked it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoredConsent {
    pub id: i64,
    pub participant_id: i64,
    pub state: ConsentState,
    pub recorded_by: i64,
    pub recorded_at: DateTime<Utc>,
    pub revoked_by: Option<i64>,
    pub revoke_reason: Option<String>,
}

/// One entry of a consent's history.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConsentEvent {
    pub id: i64,
    pub consent_id: i64,
    /// `created` or `revoked`.
    pub kind: String,
    pub user_id: i64,
    pub username: String,
    /// Who, as people are named on the pages: "name (organisation)".
    pub who: String,
    pub organisation_id: i64,
    pub at: DateTime<Utc>,
    pub reason: Option<String>,
}

#[derive(Debug, Clone)]
pub struct ConsentHistory {
    pub consents: Vec<StoredConsent>,
    pub events: Vec<ConsentEvent>,
}

fn one_error(field: &str, code: &str, message: &str) -> StoreError {
    let mut e = ValidationErrors::new();
    e.add(field, code, message);
    StoreError::Validation(e)
}

async fn insert_event(
    tx: &mut Tx,
    ctx: &Ctx,
    consent_id: i64,
    participant_id: i64,
    kind: &str,
    reason: Option<&str>,
) -> Result<()> {
    sqlx::query(
        "INSERT INTO consent_events (consent_id, participant_id, kind, user_id, organisation_id, at, reason) \
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(consent_id)
    .bind(participant_id)
    .bind(kind)
    .bind(ctx.actor.user_id)
    .bind(ctx.actor.organisation_id)
    .bind(micros(ctx.now))
    .bind(reason)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

async fn load_consents(
    tx: &mut Tx,
    participant_id: i64,
    only: Option<i64>,
) -> Result<Vec<StoredConsent>> {
    let mut sql = Sql::new(
        "SELECT id, participant_id, valid_from, valid_to, method, note, recorded_by, recorded_at, \
         revoked_at, revoked_by, revoke_reason FROM consents WHERE participant_id = ",
    );
    sql.bind(Arg::I64(participant_id));
    if let Some(id) = only {
        sql.push(" AND id = ").bind(Arg::I64(id));
    }
    sql.push(" ORDER BY id");
    let mut out = Vec::new();
    for row in sql.query().fetch_all(&mut **tx).await? {
        let valid_to: Option<String> = get(&row, "valid_to")?;
        let method: String = get(&row, "method")?;
        let revoked_at: Option<i64> = get(&row, "revoked_at")?;
        out.push(StoredConsent {
            id: get(&row, "id")?,
            participant_id: get(&row, "participant_id")?,
            state: ConsentState {
                terms: ConsentTerms {
                    organisation_ids: vec![],
                    categories: vec![],
                    valid_from: parse_date(&get::<String>(&row, "valid_from")?)?,
                    valid_to: valid_to.as_deref().map(parse_date).transpose()?,
                    method: ConsentMethod::parse(&method)
                        .ok_or_else(|| StoreError::Other("stored consent method".into()))?,
                    note: get(&row, "note")?,
                },
                revoked_at: revoked_at.map(from_micros),
            },
            recorded_by: get(&row, "recorded_by")?,
            recorded_at: from_micros(get(&row, "recorded_at")?),
            revoked_by: get(&row, "revoked_by")?,
            revoke_reason: get(&row, "revoke_reason")?,
        });
    }
    if out.is_empty() {
        return Ok(out);
    }
    let index: HashMap<i64, usize> = out.iter().enumerate().map(|(i, c)| (c.id, i)).collect();
    let rows = sqlx::query(
        "SELECT co.consent_id, co.organisation_id FROM consent_organisations co \
         JOIN consents c ON c.id = co.consent_id WHERE c.participant_id = $1 \
         ORDER BY co.organisation_id",
    )
    .bind(participant_id)
    .fetch_all(&mut **tx)
    .await?;
    for row in rows {
        if let Some(i) = index.get(&get::<i64>(&row, "consent_id")?) {
            out[*i]
                .state
                .terms
                .organisation_ids
                .push(get(&row, "organisation_id")?);
        }
    }
    let rows = sqlx::query(
        "SELECT cc.consent_id, cc.category FROM consent_categories cc \
         JOIN consents c ON c.id = cc.consent_id WHERE c.participant_id = $1",
    )
    .bind(participant_id)
    .fetch_all(&mut **tx)
    .await?;
    for row in rows {
        if let Some(i) = index.get(&get::<i64>(&row, "consent_id")?) {
            if let Some(c) = DataCategory::parse(&get::<String>(&row, "category")?) {
                out[*i].state.terms.categories.push(c);
            }
        }
    }
    for c in &mut out {
        c.state.terms.categories.sort();
    }
    Ok(out)
}

async fn load_events(tx: &mut Tx, participant_id: i64) -> Result<Vec<ConsentEvent>> {
    let rows = sqlx::query(
        "SELECT e.id, e.consent_id, e.kind, e.user_id, u.username, u.display_name, o.name AS organisation_name, \
         e.organisation_id, e.at, e.reason FROM consent_events e JOIN users u ON u.id = e.user_id \
         JOIN organisations o ON o.id = e.organisation_id WHERE e.participant_id = $1 ORDER BY e.id",
    )
    .bind(participant_id)
    .fetch_all(&mut **tx)
    .await?;
    rows.iter()
        .map(|row| {
            Ok(ConsentEvent {
                id: get(row, "id")?,
                consent_id: get(row, "consent_id")?,
                kind: get(row, "kind")?,
                user_id: get(row, "user_id")?,
                username: get(row, "username")?,
                who: crate::kernel::who(row)?,
                organisation_id: get(row, "organisation_id")?,
                at: from_micros(get(row, "at")?),
                reason: get(row, "reason")?,
            })
        })
        .collect()
}

impl Store {
    /// Every consent of a participant, revoked and expired ones included,
    /// with the history of changes (audited).
    pub async fn consent_history(&self, ctx: &Ctx, participant_id: i64) -> Result<ConsentHistory> {
        let (mut tx, permit) = self
            .authorize_participant(ctx, ParticipantAction::ReadConsents, participant_id)
            .await?;
        let consents = load_consents(&mut tx, permit.participant_id(), None).await?;
        let events = load_events(&mut tx, permit.participant_id()).await?;
        tx.commit().await?;
        Ok(ConsentHistory { consents, events })
    }

    /// Record a consent given by the participant. Organisations must exist.
    pub async fn record_consent(
        &self,
        ctx: &Ctx,
        participant_id: i64,
        input: &ConsentInput,
    ) -> Result<StoredConsent> {
        let (mut tx, permit) = self
            .authorize_participant(ctx, ParticipantAction::RecordConsent, participant_id)
            .await?;
        let terms = ConsentTerms::from_input(input, ctx.today()).map_err(StoreError::Validation)?;
        for org in &terms.organisation_ids {
            let row = sqlx::query("SELECT COUNT(*) AS n FROM organisations WHERE id = $1")
                .bind(*org)
                .fetch_one(&mut *tx)
                .await?;
            if get::<i64>(&row, "n")? == 0 {
                return Err(one_error(
                    "organisation_ids",
                    "unknown_organisation",
                    "organisation_ids must name existing organisations",
                ));
            }
        }
        let pid = permit.participant_id();
        let row = sqlx::query(
            "INSERT INTO consents (participant_id, valid_from, valid_to, method, note, recorded_by, recorded_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
        )
        .bind(pid)
        .bind(terms.valid_from.format("%Y-%m-%d").to_string())
        .bind(terms.valid_to.map(|d| d.format("%Y-%m-%d").to_string()))
        .bind(terms.method.as_str())
        .bind(terms.note.as_deref())
        .bind(ctx.actor.user_id)
        .bind(micros(ctx.now))
        .fetch_one(&mut *tx)
        .await?;
        let id: i64 = get(&row, "id")?;
        for org in &terms.organisation_ids {
            sqlx::query(
                "INSERT INTO consent_organisations (consent_id, organisation_id) VALUES ($1, $2)",
            )
            .bind(id)
            .bind(*org)
            .execute(&mut *tx)
            .await?;
        }
        for c in &terms.categories {
            sqlx::query("INSERT INTO consent_categories (consent_id, category) VALUES ($1, $2)")
                .bind(id)
                .bind(c.as_str())
                .execute(&mut *tx)
                .await?;
        }
        insert_event(&mut tx, ctx, id, pid, "created", None).await?;
        let stored = load_consents(&mut tx, pid, Some(id))
            .await?
            .pop()
            .ok_or(StoreError::NotFound)?;
        tx.commit().await?;
        Ok(stored)
    }

    /// Revoke a consent from the request's time on; the next request no
    /// longer sees what it opened. A consent is revoked once.
    pub async fn revoke_consent(
        &self,
        ctx: &Ctx,
        participant_id: i64,
        consent_id: i64,
        reason: &str,
    ) -> Result<StoredConsent> {
        let (mut tx, permit) = self
            .authorize_participant(ctx, ParticipantAction::RevokeConsent, participant_id)
            .await?;
        let pid = permit.participant_id();
        let reason = reason.trim();
        if reason.is_empty() {
            return Err(one_error(
                "reason",
                "required",
                "reason is required when revoking a consent",
            ));
        }
        if reason.chars().count() > 500 {
            return Err(one_error(
                "reason",
                "too_long",
                "reason must be at most 500 characters",
            ));
        }
        let current = load_consents(&mut tx, pid, Some(consent_id))
            .await?
            .pop()
            .ok_or(StoreError::NotFound)?;
        if current.state.revoked_at.is_some() {
            return Err(StoreError::Conflict {
                field: "consent".into(),
                message: "the consent is already revoked".into(),
            });
        }
        sqlx::query(
            "UPDATE consents SET revoked_at = $1, revoked_by = $2, revoke_reason = $3 \
             WHERE id = $4 AND revoked_at IS NULL",
        )
        .bind(micros(ctx.now))
        .bind(ctx.actor.user_id)
        .bind(reason)
        .bind(consent_id)
        .execute(&mut *tx)
        .await?;
        insert_event(&mut tx, ctx, consent_id, pid, "revoked", Some(reason)).await?;
        let stored = load_consents(&mut tx, pid, Some(consent_id))
            .await?
            .pop()
            .ok_or(StoreError::NotFound)?;
        tx.commit().await?;
        Ok(stored)
    }
}
