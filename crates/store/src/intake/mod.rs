//! The common entry (intake) and handover of a participant to another
//! caseworker. Every function decides through `access` and writes its audit
//! events in the same transaction as the work.

use crate::access::participants::{check_participants, record_decision};
use crate::participants::{fetch, insert_participant, Participant};
use crate::{get, micros, Ctx, Result, Store, StoreError};
use chrono::Duration;
use vagar_domain::access::{GlobalAction, ParticipantAction};
use vagar_domain::participants::{ParticipantData, ParticipantInput};
use vagar_domain::ValidationErrors;

/// How long the former caseworker keeps read access after a handover.
pub const HANDOVER_GRACE_DAYS: i64 = 30;

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

impl Store {
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
