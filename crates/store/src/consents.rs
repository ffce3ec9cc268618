//! Consent (samtycke), the common entry (intake) and handover of a
//! participant to another caseworker. Every function decides through
//! `access` and writes its audit events in the same transaction as the work.
//!
//! A consent's terms never change; revocation fills its `revoked_*` columns
//! once (database triggers refuse anything else), and every change is also a
//! row in the append-only `consent_events`.

use crate::access::{check_participants, parse_date, record_decision};
use crate::audit::Tx;
use crate::participants::{fetch, insert_participant, Participant};
use crate::sql::{Arg, Sql};
use crate::{from_micros, get, micros, Ctx, Result, Store, StoreError};
use chrono::{DateTime, Duration, Utc};
use std::collections::HashMap;
use vagar_domain::access::{GlobalAction, ParticipantAction};
use vagar_domain::consent::{
    ConsentInput, ConsentMethod, ConsentState, ConsentTerms, DataCategory,
};
use vagar_domain::participant::{ParticipantData, ParticipantInput};
use vagar_domain::ValidationErrors;

/// How long the former caseworker keeps read access after a handover.
pub const HANDOVER_GRACE_DAYS: i64 = 30;

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
    pub organisation_id: i64,
    pub at: DateTime<Utc>,
    pub reason: Option<String>,
}

#[derive(Debug, Clone)]
pub struct ConsentHistory {
    pub consents: Vec<StoredConsent>,
    pub events: Vec<ConsentEvent>,
}

/// What the common entry did.
#[derive(Debug, Clone)]
pub struct IntakeOutcome {
    pub intake_id: i64,
    /// The person was already registered; the intake was attached.
    pub existing: bool,
    /// The record, when the caller may read it (always when created).
    pub participant: Option<Participant>,
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
        "SELECT e.id, e.consent_id, e.kind, e.user_id, u.username, e.organisation_id, e.at, e.reason \
         FROM consent_events e JOIN users u ON u.id = e.user_id \
         WHERE e.participant_id = $1 ORDER BY e.id",
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

    /// The common entry: find the person by identity number (any spelling)
    /// and attach the intake, or register them in the actor's organisation.
    ///
    /// An existing record is returned only if the actor may read it by the
    /// ordinary rules; otherwise the answer says just that the person is
    /// registered — what a duplicate registration (409) already says.
    pub async fn intake(
        &self,
        ctx: &Ctx,
        input: &ParticipantInput,
        referred_by_organisation_id: Option<i64>,
        note: Option<String>,
    ) -> Result<IntakeOutcome> {
        let permit = self.authorize_global(ctx, GlobalAction::Intake).await?;
        let data = ParticipantData::from_input(input, ctx.today());
        let mut errors = data.as_ref().err().cloned().unwrap_or_default();
        if referred_by_organisation_id.is_none() {
            errors.add(
                "referred_by_organisation_id",
                "required",
                "referred_by_organisation_id is required",
            );
        }
        let note = note.map(|n| n.trim().to_string()).filter(|n| !n.is_empty());
        if note.as_ref().is_some_and(|n| n.chars().count() > 2000) {
            errors.add("note", "too_long", "note must be at most 2000 characters");
        }
        let mut tx = self.begin_audited().await?;
        if let Some(org) = referred_by_organisation_id {
            let row = sqlx::query("SELECT COUNT(*) AS n FROM organisations WHERE id = $1")
                .bind(org)
                .fetch_one(&mut *tx)
                .await?;
            if get::<i64>(&row, "n")? == 0 {
                errors.add(
                    "referred_by_organisation_id",
                    "unknown_organisation",
                    "referred_by_organisation_id must name an existing organisation",
                );
            }
        }
        let (Ok(data), true, Some(referred_by)) =
            (data, errors.is_empty(), referred_by_organisation_id)
        else {
            return Err(StoreError::Validation(errors));
        };
        let holder = self
            .identity_holder(&mut tx, &data.identity_number, 0)
            .await?;
        let (participant_id, existing) = match holder {
            Some(id) => (id, true),
            None => {
                self.check_caseworker(&mut tx, data.responsible_caseworker_id)
                    .await?;
                (insert_participant(&mut tx, ctx, &data).await?, false)
            }
        };
        let row = sqlx::query(
            "INSERT INTO intakes (participant_id, referred_by_organisation_id, note, created_new, recorded_by, recorded_at) \
             VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
        )
        .bind(participant_id)
        .bind(referred_by)
        .bind(note.as_deref())
        .bind(i64::from(!existing))
        .bind(ctx.actor.user_id)
        .bind(micros(ctx.now))
        .fetch_one(&mut *tx)
        .await?;
        let intake_id: i64 = get(&row, "id")?;
        permit
            .record(
                &mut tx,
                ctx,
                if existing { "attached" } else { "created" },
                &[participant_id],
            )
            .await?;
        let participant = if existing {
            // Returning the record is a read, decided and audited as one.
            let action = ParticipantAction::Read;
            let d = check_participants(&mut tx, ctx, action, &[participant_id]).await?[0];
            record_decision(&mut tx, ctx, action, d, "intake", &[participant_id]).await?;
            match d {
                Some(_) => {
                    let mut p = vec![fetch(&mut tx, participant_id).await?];
                    crate::participants::apply_contact_rule(&mut tx, ctx, &mut p).await?;
                    p.pop()
                }
                None => None,
            }
        } else {
            Some(fetch(&mut tx, participant_id).await?)
        };
        tx.commit().await?;
        Ok(IntakeOutcome {
            intake_id,
            existing,
            participant,
        })
    }

    /// Make `to_user_id` the responsible caseworker. The former one keeps
    /// read access for 30 days through a grant row; one transaction.
    pub async fn handover(
        &self,
        ctx: &Ctx,
        participant_id: i64,
        to_user_id: i64,
    ) -> Result<Participant> {
        let (mut tx, permit) = self
            .authorize_participant(ctx, ParticipantAction::Handover, participant_id)
            .await?;
        let pid = permit.participant_id();
        let current = fetch(&mut tx, pid).await?;
        let row = sqlx::query(
            "SELECT COUNT(*) AS n FROM users WHERE id = $1 AND role = 'caseworker' AND active = 1",
        )
        .bind(to_user_id)
        .fetch_one(&mut *tx)
        .await?;
        if get::<i64>(&row, "n")? == 0 {
            return Err(one_error(
                "to_user_id",
                "unknown_caseworker",
                "to_user_id must be the id of an active caseworker",
            ));
        }
        let former = current.data.responsible_caseworker_id;
        if former == Some(to_user_id) {
            return Err(one_error(
                "to_user_id",
                "unchanged",
                "to_user_id is already the responsible caseworker",
            ));
        }
        let now = micros(ctx.now);
        sqlx::query(
            "UPDATE participants SET responsible_caseworker_id = $1, version = version + 1, \
             updated_at = $2 WHERE id = $3",
        )
        .bind(to_user_id)
        .bind(now)
        .bind(pid)
        .execute(&mut *tx)
        .await?;
        if let Some(former) = former {
            sqlx::query(
                "INSERT INTO access_grants (participant_id, user_id, reason, valid_from, valid_until, created_by, created_at) \
                 VALUES ($1, $2, 'handover', $3, $4, $5, $3)",
            )
            .bind(pid)
            .bind(former)
            .bind(now)
            .bind(micros(ctx.now + Duration::days(HANDOVER_GRACE_DAYS)))
            .bind(ctx.actor.user_id)
            .execute(&mut *tx)
            .await?;
        }
        let detail = match former {
            Some(f) => {
                format!("to_user={to_user_id} from_user={f} grant_days={HANDOVER_GRACE_DAYS}")
            }
            None => format!("to_user={to_user_id}"),
        };
        record_decision(
            &mut tx,
            ctx,
            ParticipantAction::Handover,
            Some(permit.rule()),
            &detail,
            &[pid],
        )
        .await?;
        let p = fetch(&mut tx, pid).await?;
        tx.commit().await?;
        Ok(p)
    }
}
