//! The joint assessment (kartläggning), versioned: every save is a new
//! version, never an overwrite. Rules live in `vagar_domain::assessments`.
//!
//! Access is the participant policy: reading needs `ParticipantAction::Read`,
//! saving needs `ParticipantAction::Update` (caseworkers who may update),
//! both decided and audited by [`Store::authorize_participant`] in the
//! transaction that does the work. A reader who holds the participant by a
//! consent rule (`Scope::Consent`) reaches the assessment only when a consent
//! in force naming their organisation covers `assessment` (otherwise 404, as
//! if it did not exist), and sees the health barrier only when such a consent
//! also covers `health`. On top of the decision this module writes
//! `assessment.read`, `assessment.versions.read` or `assessment.create`
//! (the rule names the consent categories used) in the same transaction.

use crate::access::participants::{check_participants, CategoryPermit};
use crate::access::Permit;
use crate::audit::Tx;
use crate::kernel::corrupt;
use crate::kernel::sql::{Arg, Sql};
use crate::{from_micros, get, micros, Ctx, Result, Store, StoreError};
use chrono::{DateTime, Utc};
use sqlx::any::AnyRow;
use vagar_domain::access::ParticipantAction;
use vagar_domain::assessments::{AssessmentData, AssessmentInput, Barrier, BarrierLevel};
use vagar_domain::consent::DataCategory;

/// One version of a participant's assessment.
#[derive(Debug, Clone)]
pub struct Assessment {
    pub participant_id: i64,
    pub version: i64,
    pub data: AssessmentData,
    /// `None` when not assessed — or when withheld from this reader (see
    /// `health_visible`).
    pub health: Option<Barrier>,
    pub created_by: i64,
    pub created_by_username: String,
    pub created_at: DateTime<Utc>,
}

/// An assessment as one reader may see it.
#[derive(Debug, Clone)]
pub struct AssessmentView {
    pub assessment: Assessment,
    /// Whether this reader may see health (false: `health` is withheld).
    pub health_visible: bool,
    /// Whether this reader may save a new version.
    pub may_update: bool,
}

/// One entry of the version list: who saved it and when.
#[derive(Debug, Clone)]
pub struct VersionInfo {
    pub version: i64,
    pub created_by: i64,
    pub created_by_username: String,
    pub created_at: DateTime<Utc>,
}

const SELECT: &str = "SELECT a.participant_id, a.version, a.content, a.health_level, \
     a.health_note, a.created_by, u.username, a.created_at \
     FROM assessments a JOIN users u ON u.id = a.created_by";

fn assessment_from(row: &AnyRow, health_visible: bool) -> Result<Assessment> {
    let content: String = get(row, "content")?;
    let data: AssessmentData =
        serde_json::from_str(&content).map_err(|_| corrupt("assessment", "content"))?;
    let health = if health_visible {
        match get::<Option<String>>(row, "health_level")? {
            None => None,
            Some(l) => Some(Barrier {
                level: BarrierLevel::parse(&l)
                    .ok_or_else(|| corrupt("assessment", "health level"))?,
                note: get(row, "health_note")?,
            }),
        }
    } else {
        None
    };
    Ok(Assessment {
        participant_id: get(row, "participant_id")?,
        version: get(row, "version")?,
        data,
        health,
        created_by: get(row, "created_by")?,
        created_by_username: get(row, "username")?,
        created_at: from_micros(get(row, "created_at")?),
    })
}

impl Store {
    async fn may_update_assessment(tx: &mut Tx, ctx: &Ctx, participant_id: i64) -> Result<bool> {
        // A pure question, not audited: may this reader also save a version?
        Ok(
            check_participants(tx, ctx, ParticipantAction::Update, &[participant_id]).await?[0]
                .is_some(),
        )
    }

    /// The latest version (audited). `NotFound` when there is none yet.
    pub async fn read_assessment(&self, ctx: &Ctx, participant_id: i64) -> Result<AssessmentView> {
        self.read_assessment_version(ctx, participant_id, None)
            .await
    }

    /// Version `version` (`None`: the latest), audited.
    pub async fn read_assessment_version(
        &self,
        ctx: &Ctx,
        participant_id: i64,
        version: Option<i64>,
    ) -> Result<AssessmentView> {
        let (assessment, health_visible, may_update) =
            self.read_version(ctx, participant_id, version).await?;
        Ok(AssessmentView {
            assessment: assessment.ok_or(StoreError::NotFound)?,
            health_visible,
            may_update,
        })
    }

    /// Like [`Store::read_assessment`], but `Ok(None)` when the participant
    /// has no assessment yet (for the page, which then shows only the form).
    pub async fn read_assessment_opt(
        &self,
        ctx: &Ctx,
        participant_id: i64,
    ) -> Result<(Option<Assessment>, bool, bool)> {
        self.read_version(ctx, participant_id, None).await
    }

    /// Version `version` (`None`: the latest) if there is one, whether health
    /// is visible, and whether the reader may save a new version (audited).
    async fn read_version(
        &self,
        ctx: &Ctx,
        participant_id: i64,
        version: Option<i64>,
    ) -> Result<(Option<Assessment>, bool, bool)> {
        let (mut tx, permit) = self
            .authorize_assessment_read(ctx, participant_id, "assessment.read")
            .await?;
        let pid = permit.participant_id();
        let mut sql = Sql::new(&format!("{SELECT} WHERE a.participant_id = "));
        sql.bind(Arg::I64(pid));
        match version {
            Some(v) => sql.push(" AND a.version = ").bind(Arg::I64(v)),
            None => sql.push(" ORDER BY a.version DESC LIMIT 1"),
        };
        let row = sql.query().fetch_optional(&mut *tx).await?;
        let health = permit.also_covered();
        let assessment = row.map(|r| assessment_from(&r, health)).transpose()?;
        let may_update = Self::may_update_assessment(&mut tx, ctx, pid).await?;
        tx.commit().await?;
        Ok((assessment, health, may_update))
    }

    /// Decide reading the assessment and audit it as `event`: `Read` on the
    /// participant, and for a consent-based reader a consent covering
    /// `assessment` (else 404, audited as denied); health is visible when
    /// such a consent also covers `health`.
    async fn authorize_assessment_read(
        &self,
        ctx: &Ctx,
        participant_id: i64,
        event: &str,
    ) -> Result<(Tx, CategoryPermit)> {
        self.authorize_category_read(
            ctx,
            participant_id,
            event,
            DataCategory::Assessment,
            Some(DataCategory::Health),
        )
        .await
    }

    /// Every version, newest first: who saved it and when (audited).
    pub async fn list_assessment_versions(
        &self,
        ctx: &Ctx,
        participant_id: i64,
    ) -> Result<Vec<VersionInfo>> {
        let (mut tx, permit) = self
            .authorize_assessment_read(ctx, participant_id, "assessment.versions.read")
            .await?;
        let rows = sqlx::query(
            "SELECT a.version, a.created_by, u.username, a.created_at FROM assessments a \
             JOIN users u ON u.id = a.created_by WHERE a.participant_id = $1 \
             ORDER BY a.version DESC",
        )
        .bind(permit.participant_id())
        .fetch_all(&mut *tx)
        .await?;
        tx.commit().await?;
        rows.iter()
            .map(|r| {
                Ok(VersionInfo {
                    version: get(r, "version")?,
                    created_by: get(r, "created_by")?,
                    created_by_username: get(r, "username")?,
                    created_at: from_micros(get(r, "created_at")?),
                })
            })
            .collect()
    }

    /// Save a new version (never overwrites). Needs `Update` on the
    /// participant; invalid input leaves nothing behind.
    pub async fn create_assessment(
        &self,
        ctx: &Ctx,
        participant_id: i64,
        input: &AssessmentInput,
    ) -> Result<AssessmentView> {
        let (mut tx, permit) = self
            .authorize_participant(ctx, ParticipantAction::Update, participant_id)
            .await?;
        let pid = permit.participant_id();
        // Invalid input rolls the whole transaction back, as in `plans`.
        let (data, health) = AssessmentData::from_input(input).map_err(StoreError::Validation)?;
        permit
            .record(&mut tx, ctx, "assessment.create", "", &[pid])
            .await?;
        let content = serde_json::to_string(&data).map_err(|e| StoreError::Other(e.to_string()))?;
        let row = sqlx::query(
            "SELECT COALESCE(MAX(version), 0) AS v FROM assessments WHERE participant_id = $1",
        )
        .bind(pid)
        .fetch_one(&mut *tx)
        .await?;
        let version = get::<i64>(&row, "v")? + 1;
        sqlx::query(
            "INSERT INTO assessments (participant_id, version, content, health_level, \
             health_note, created_by, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(pid)
        .bind(version)
        .bind(content)
        .bind(health.as_ref().map(|h| h.level.as_str()))
        .bind(health.as_ref().and_then(|h| h.note.clone()))
        .bind(ctx.actor.user_id)
        .bind(micros(ctx.now))
        .execute(&mut *tx)
        .await?;
        let row = sqlx::query(&format!(
            "{SELECT} WHERE a.participant_id = $1 AND a.version = $2"
        ))
        .bind(pid)
        .bind(version)
        .fetch_one(&mut *tx)
        .await?;
        let assessment = assessment_from(&row, true)?;
        tx.commit().await?;
        Ok(AssessmentView {
            assessment,
            health_visible: true,
            may_update: true,
        })
    }
}
