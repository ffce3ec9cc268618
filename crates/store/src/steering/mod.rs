//! Steering groups (styrgrupp): member organisations, meetings, cases
//! referred to the group, and decisions with their history. The group policy
//! is `SteeringAction` (decided and audited by
//! [`Store::authorize_steering`]); the participants named in cases and
//! decisions stay behind the participant policy: a reader sees a
//! participant's identity (and a case's question) only where
//! `ParticipantAction::Read` allows, each such read audited, and a decision
//! creates or changes plan steps only for participants the actor may
//! `Update` — in the decision's transaction, through the plan rules, with
//! history rows naming the decision. A decision that names a participant
//! the actor may not work with is refused with 404 and leaves nothing.

pub mod seed;

use crate::access::participants::{check_participants, record_decision};
use crate::access::steering::{steering_filter, SteeringPermit};
use crate::access::Permit;
use crate::audit::Tx;
use crate::kernel::sql::Sql;
use crate::plans::linked::{add_step_for_decision, update_step_for_decision};
use crate::{from_micros, get, micros, Ctx, Result, Store, StoreError};
use chrono::{DateTime, NaiveDate, Utc};
use std::collections::{BTreeSet, HashMap};
use vagar_domain::access::{role_may, ParticipantAction, SteeringAction};
use vagar_domain::plans::{StepData, StepInput};
use vagar_domain::steering::{
    CaseData, CaseInput, CaseStatus, DecisionData, DecisionInput, DecisionPatch, DecisionStatus,
    GroupData, GroupInput, MeetingData, MeetingInput,
};
use vagar_domain::ValidationErrors;

#[derive(Debug, Clone)]
pub struct Group {
    pub id: i64,
    pub name: String,
    pub organisation_ids: Vec<i64>,
    pub created_by: i64,
    pub created_at: DateTime<Utc>,
}

#[derive(Debug, Clone)]
pub struct Meeting {
    pub id: i64,
    pub group_id: i64,
    pub meeting_date: NaiveDate,
    pub notes: Option<String>,
    pub recorded_by: i64,
    pub recorded_at: DateTime<Utc>,
}

/// A participant as a steering reader may see them.
#[derive(Debug, Clone)]
pub struct ParticipantRef {
    pub id: i64,
    pub first_name: String,
    pub last_name: String,
}

#[derive(Debug, Clone)]
pub struct Case {
    pub id: i64,
    pub group_id: i64,
    /// `None` when the reader may not see the participant.
    pub participant: Option<ParticipantRef>,
    /// The question is about the participant: hidden with them.
    pub question: Option<String>,
    pub status: CaseStatus,
    pub referred_by: i64,
    pub referred_by_organisation_id: i64,
    pub referred_at: DateTime<Utc>,
}

/// A plan step a decision created or changed.
#[derive(Debug, Clone)]
pub struct DecisionStep {
    pub participant_id: i64,
    pub step_id: i64,
    /// `created` or `updated`.
    pub change: String,
}

#[derive(Debug, Clone)]
pub struct DecisionHistory {
    pub change: String,
    pub field: String,
    pub old_value: Option<String>,
    pub new_value: Option<String>,
    pub user_id: i64,
    pub at: DateTime<Utc>,
}

#[derive(Debug, Clone)]
pub struct Decision {
    pub id: i64,
    pub group_id: i64,
    pub case_id: Option<i64>,
    pub meeting_id: Option<i64>,
    pub text: String,
    pub follow_up_date: Option<NaiveDate>,
    pub status: DecisionStatus,
    pub version: i64,
    pub recorded_by: i64,
    pub recorded_at: DateTime<Utc>,
    pub updated_by: i64,
    pub updated_at: DateTime<Utc>,
    pub organisation_ids: Vec<i64>,
    /// The participants concerned that the reader may see.
    pub participants: Vec<ParticipantRef>,
    /// How many participants concerned the reader may not see.
    pub hidden_participants: i64,
    /// Steps of visible participants only.
    pub steps: Vec<DecisionStep>,
    pub history: Vec<DecisionHistory>,
}

/// A step a decision creates in a participant's plan.
#[derive(Debug, Clone, Default)]
pub struct StepCreate {
    pub participant_id: i64,
    pub step: StepInput,
}

/// A change a decision makes to a step of a participant's plan.
#[derive(Debug, Clone, Default)]
pub struct StepUpdate {
    pub participant_id: i64,
    pub step_id: i64,
    pub step: StepInput,
}

fn date_text(d: NaiveDate) -> String {
    d.format("%Y-%m-%d").to_string()
}

fn bad(what: &str) -> StoreError {
    StoreError::Other(format!("stored steering data has an invalid {what}"))
}

/// Name a nested input's errors by their place: `create_steps[1].due_date`.
fn prefixed(err: StoreError, prefix: &str) -> StoreError {
    match err {
        StoreError::Validation(mut e) => {
            for f in &mut e.0 {
                f.field = format!("{prefix}.{}", f.field);
            }
            StoreError::Validation(e)
        }
        StoreError::Conflict { field, message } => StoreError::Conflict {
            field: format!("{prefix}.{field}"),
            message,
        },
        StoreError::NotFound => {
            let mut e = ValidationErrors::new();
            e.add(
                &format!("{prefix}.step_id"),
                "unknown_step",
                "step_id must name a step of the participant's active plan",
            );
            StoreError::Validation(e)
        }
        other => other,
    }
}

/// Which of `ids` the actor may read: decided in bulk, each allowed read
/// audited as `participant.read` naming the steering group.
async fn visible(
    tx: &mut Tx,
    ctx: &Ctx,
    group_id: i64,
    ids: &[i64],
) -> Result<HashMap<i64, ParticipantRef>> {
    let ids: Vec<i64> = ids
        .iter()
        .copied()
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect();
    let decisions = check_participants(tx, ctx, ParticipantAction::Read, &ids).await?;
    let mut out = HashMap::new();
    for (id, d) in ids.iter().zip(decisions) {
        if d.is_none() {
            continue;
        }
        record_decision(
            tx,
            ctx,
            ParticipantAction::Read,
            d,
            &format!("steering group {group_id}"),
            &[*id],
        )
        .await?;
        let row = sqlx::query("SELECT first_name, last_name FROM participants WHERE id = $1")
            .bind(*id)
            .fetch_one(&mut **tx)
            .await?;
        out.insert(
            *id,
            ParticipantRef {
                id: *id,
                first_name: get(&row, "first_name")?,
                last_name: get(&row, "last_name")?,
            },
        );
    }
    Ok(out)
}

async fn load_group(tx: &mut Tx, id: i64) -> Result<Option<Group>> {
    let Some(row) =
        sqlx::query("SELECT id, name, created_by, created_at FROM steering_groups WHERE id = $1")
            .bind(id)
            .fetch_optional(&mut **tx)
            .await?
    else {
        return Ok(None);
    };
    let orgs = sqlx::query(
        "SELECT organisation_id FROM steering_group_members WHERE group_id = $1 ORDER BY organisation_id",
    )
    .bind(id)
    .fetch_all(&mut **tx)
    .await?;
    Ok(Some(Group {
        id: get(&row, "id")?,
        name: get(&row, "name")?,
        organisation_ids: orgs
            .iter()
            .map(|r| get::<i64>(r, "organisation_id"))
            .collect::<Result<_>>()?,
        created_by: get(&row, "created_by")?,
        created_at: from_micros(get(&row, "created_at")?),
    }))
}

async fn unknown_organisations(tx: &mut Tx, ids: &[i64]) -> Result<bool> {
    for id in ids {
        let row = sqlx::query("SELECT COUNT(*) AS n FROM organisations WHERE id = $1")
            .bind(*id)
            .fetch_one(&mut **tx)
            .await?;
        if get::<i64>(&row, "n")? == 0 {
            return Ok(true);
        }
    }
    Ok(false)
}

fn one_error(field: &str, code: &str, message: &str) -> StoreError {
    let mut e = ValidationErrors::new();
    e.add(field, code, message);
    StoreError::Validation(e)
}

async fn load_meetings(tx: &mut Tx, group_id: i64, only: Option<i64>) -> Result<Vec<Meeting>> {
    let rows = sqlx::query(
        "SELECT id, group_id, meeting_date, notes, recorded_by, recorded_at FROM steering_meetings \
         WHERE group_id = $1 AND ($2 = 0 OR id = $3) ORDER BY meeting_date, id",
    )
    .bind(group_id)
    .bind(only.map_or(0_i64, |_| 1))
    .bind(only.unwrap_or(0))
    .fetch_all(&mut **tx)
    .await?;
    rows.iter()
        .map(|r| {
            Ok(Meeting {
                id: get(r, "id")?,
                group_id: get(r, "group_id")?,
                meeting_date: crate::kernel::parse_date(&get::<String>(r, "meeting_date")?)?,
                notes: get(r, "notes")?,
                recorded_by: get(r, "recorded_by")?,
                recorded_at: from_micros(get(r, "recorded_at")?),
            })
        })
        .collect()
}

/// Cases with each participant shown only where the reader may see them.
/// Returns the cases and the participant ids shown.
async fn load_cases(
    tx: &mut Tx,
    ctx: &Ctx,
    group_id: i64,
    only: Option<i64>,
) -> Result<(Vec<Case>, Vec<i64>)> {
    let rows = sqlx::query(
        "SELECT id, group_id, participant_id, question, status, referred_by, referred_by_organisation_id, \
         referred_at FROM steering_cases WHERE group_id = $1 AND ($2 = 0 OR id = $3) ORDER BY id",
    )
    .bind(group_id)
    .bind(only.map_or(0_i64, |_| 1))
    .bind(only.unwrap_or(0))
    .fetch_all(&mut **tx)
    .await?;
    let ids: Vec<i64> = rows
        .iter()
        .map(|r| get::<i64>(r, "participant_id"))
        .collect::<Result<_>>()?;
    let seen = visible(tx, ctx, group_id, &ids).await?;
    let cases = rows
        .iter()
        .map(|r| {
            let pid: i64 = get(r, "participant_id")?;
            let participant = seen.get(&pid).cloned();
            let status: String = get(r, "status")?;
            Ok(Case {
                id: get(r, "id")?,
                group_id: get(r, "group_id")?,
                question: if participant.is_some() {
                    get(r, "question")?
                } else {
                    None
                },
                participant,
                status: CaseStatus::parse(&status).ok_or_else(|| bad("case status"))?,
                referred_by: get(r, "referred_by")?,
                referred_by_organisation_id: get(r, "referred_by_organisation_id")?,
                referred_at: from_micros(get(r, "referred_at")?),
            })
        })
        .collect::<Result<Vec<_>>>()?;
    let mut shown: Vec<i64> = seen.keys().copied().collect();
    shown.sort_unstable();
    Ok((cases, shown))
}

async fn load_decisions(
    tx: &mut Tx,
    ctx: &Ctx,
    group_id: i64,
    only: Option<i64>,
) -> Result<(Vec<Decision>, Vec<i64>)> {
    let rows = sqlx::query(
        "SELECT id, group_id, case_id, meeting_id, text, follow_up_date, status, version, recorded_by, \
         recorded_at, updated_by, updated_at FROM steering_decisions \
         WHERE group_id = $1 AND ($2 = 0 OR id = $3) ORDER BY id",
    )
    .bind(group_id)
    .bind(only.map_or(0_i64, |_| 1))
    .bind(only.unwrap_or(0))
    .fetch_all(&mut **tx)
    .await?;
    let mut out = Vec::with_capacity(rows.len());
    let mut concerned: Vec<Vec<i64>> = Vec::with_capacity(rows.len());
    for r in &rows {
        let id: i64 = get(r, "id")?;
        let orgs = sqlx::query(
            "SELECT organisation_id FROM steering_decision_organisations WHERE decision_id = $1 \
             ORDER BY organisation_id",
        )
        .bind(id)
        .fetch_all(&mut **tx)
        .await?;
        let parts = sqlx::query(
            "SELECT participant_id FROM steering_decision_participants WHERE decision_id = $1 \
             ORDER BY participant_id",
        )
        .bind(id)
        .fetch_all(&mut **tx)
        .await?;
        let steps = sqlx::query(
            "SELECT participant_id, step_id, change FROM steering_decision_steps WHERE decision_id = $1 \
             ORDER BY step_id",
        )
        .bind(id)
        .fetch_all(&mut **tx)
        .await?;
        let history = sqlx::query(
            "SELECT change, field, old_value, new_value, user_id, at FROM steering_decision_history \
             WHERE decision_id = $1 ORDER BY id",
        )
        .bind(id)
        .fetch_all(&mut **tx)
        .await?;
        let status: String = get(r, "status")?;
        let follow: Option<String> = get(r, "follow_up_date")?;
        concerned.push(
            parts
                .iter()
                .map(|p| get::<i64>(p, "participant_id"))
                .collect::<Result<_>>()?,
        );
        out.push(Decision {
            id,
            group_id: get(r, "group_id")?,
            case_id: get(r, "case_id")?,
            meeting_id: get(r, "meeting_id")?,
            text: get(r, "text")?,
            follow_up_date: follow
                .as_deref()
                .map(crate::kernel::parse_date)
                .transpose()?,
            status: DecisionStatus::parse(&status).ok_or_else(|| bad("decision status"))?,
            version: get(r, "version")?,
            recorded_by: get(r, "recorded_by")?,
            recorded_at: from_micros(get(r, "recorded_at")?),
            updated_by: get(r, "updated_by")?,
            updated_at: from_micros(get(r, "updated_at")?),
            organisation_ids: orgs
                .iter()
                .map(|o| get::<i64>(o, "organisation_id"))
                .collect::<Result<_>>()?,
            participants: vec![],
            hidden_participants: 0,
            steps: steps
                .iter()
                .map(|s| {
                    Ok(DecisionStep {
                        participant_id: get(s, "participant_id")?,
                        step_id: get(s, "step_id")?,
                        change: get(s, "change")?,
                    })
                })
                .collect::<Result<_>>()?,
            history: history
                .iter()
                .map(|h| {
                    Ok(DecisionHistory {
                        change: get(h, "change")?,
                        field: get(h, "field")?,
                        old_value: get(h, "old_value")?,
                        new_value: get(h, "new_value")?,
                        user_id: get(h, "user_id")?,
                        at: from_micros(get(h, "at")?),
                    })
                })
                .collect::<Result<_>>()?,
        });
    }
    let all: Vec<i64> = concerned.iter().flatten().copied().collect();
    let seen = visible(tx, ctx, group_id, &all).await?;
    for (d, ids) in out.iter_mut().zip(concerned) {
        d.participants = ids.iter().filter_map(|i| seen.get(i).cloned()).collect();
        d.hidden_participants = (ids.len() - d.participants.len()) as i64;
        d.steps.retain(|s| seen.contains_key(&s.participant_id));
    }
    let mut shown: Vec<i64> = seen.keys().copied().collect();
    shown.sort_unstable();
    Ok((out, shown))
}

#[allow(clippy::too_many_arguments)]
async fn decision_history(
    tx: &mut Tx,
    ctx: &Ctx,
    decision_id: i64,
    change: &str,
    field: &str,
    old: Option<&str>,
    new: Option<&str>,
) -> Result<()> {
    sqlx::query(
        "INSERT INTO steering_decision_history (decision_id, change, field, old_value, new_value, user_id, at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(decision_id)
    .bind(change)
    .bind(field)
    .bind(old)
    .bind(new)
    .bind(ctx.actor.user_id)
    .bind(micros(ctx.now))
    .execute(&mut **tx)
    .await?;
    Ok(())
}

impl Store {
    /// Decide `action` on one steering group, audited as `event`.
    async fn on_group(
        &self,
        ctx: &Ctx,
        action: SteeringAction,
        group_id: i64,
        event: &str,
    ) -> Result<(Tx, SteeringPermit)> {
        self.authorize_steering(ctx, action, Some(group_id), event)
            .await
    }

    /// Create a steering group with its member organisations.
    pub async fn create_steering_group(&self, ctx: &Ctx, input: &GroupInput) -> Result<Group> {
        let data = GroupData::from_input(input).map_err(StoreError::Validation)?;
        let (mut tx, permit) = self
            .authorize_steering(ctx, SteeringAction::Create, None, "steering.group.create")
            .await?;
        let _ = permit.rule();
        if unknown_organisations(&mut tx, &data.organisation_ids).await? {
            return Err(one_error(
                "organisation_ids",
                "unknown_organisation",
                "organisation_ids must name existing organisations",
            ));
        }
        let row = sqlx::query(
            "INSERT INTO steering_groups (name, created_by, created_at) VALUES ($1, $2, $3) RETURNING id",
        )
        .bind(data.name.as_str())
        .bind(ctx.actor.user_id)
        .bind(micros(ctx.now))
        .fetch_one(&mut *tx)
        .await?;
        let id: i64 = get(&row, "id")?;
        for o in &data.organisation_ids {
            sqlx::query(
                "INSERT INTO steering_group_members (group_id, organisation_id) VALUES ($1, $2)",
            )
            .bind(id)
            .bind(*o)
            .execute(&mut *tx)
            .await?;
        }
        let g = load_group(&mut tx, id).await?.ok_or(StoreError::NotFound)?;
        tx.commit().await?;
        Ok(g)
    }

    /// The groups the actor may read (members: their groups; admins: all).
    pub async fn list_steering_groups(&self, ctx: &Ctx) -> Result<Vec<Group>> {
        let (mut tx, _permit) = self
            .authorize_steering(ctx, SteeringAction::Read, None, "steering.group.list")
            .await?;
        let mut sql = Sql::new("SELECT g.id FROM steering_groups g WHERE ");
        steering_filter(ctx, SteeringAction::Read, &mut sql);
        sql.push(" ORDER BY g.id");
        let ids: Vec<i64> = sql
            .query()
            .fetch_all(&mut *tx)
            .await?
            .iter()
            .map(|r| get::<i64>(r, "id"))
            .collect::<Result<_>>()?;
        let mut out = vec![];
        for id in ids {
            out.extend(load_group(&mut tx, id).await?);
        }
        tx.commit().await?;
        Ok(out)
    }

    /// One group with its members.
    pub async fn read_steering_group(&self, ctx: &Ctx, group_id: i64) -> Result<Group> {
        let event = "steering.group.read";
        let (mut tx, _) = self
            .on_group(ctx, SteeringAction::Read, group_id, event)
            .await?;
        let g = load_group(&mut tx, group_id)
            .await?
            .ok_or(StoreError::NotFound)?;
        tx.commit().await?;
        Ok(g)
    }

    pub async fn list_steering_meetings(&self, ctx: &Ctx, group_id: i64) -> Result<Vec<Meeting>> {
        let event = "steering.meeting.list";
        let (mut tx, _) = self
            .on_group(ctx, SteeringAction::Read, group_id, event)
            .await?;
        let m = load_meetings(&mut tx, group_id, None).await?;
        tx.commit().await?;
        Ok(m)
    }

    pub async fn add_steering_meeting(
        &self,
        ctx: &Ctx,
        group_id: i64,
        input: &MeetingInput,
    ) -> Result<Meeting> {
        let data = MeetingData::from_input(input).map_err(StoreError::Validation)?;
        let event = "steering.meeting.create";
        let (mut tx, _) = self
            .on_group(ctx, SteeringAction::Manage, group_id, event)
            .await?;
        let row = sqlx::query(
            "INSERT INTO steering_meetings (group_id, meeting_date, notes, recorded_by, recorded_at) \
             VALUES ($1, $2, $3, $4, $5) RETURNING id",
        )
        .bind(group_id)
        .bind(date_text(data.meeting_date))
        .bind(data.notes.as_deref())
        .bind(ctx.actor.user_id)
        .bind(micros(ctx.now))
        .fetch_one(&mut *tx)
        .await?;
        let id: i64 = get(&row, "id")?;
        let m = load_meetings(&mut tx, group_id, Some(id))
            .await?
            .pop()
            .ok_or(StoreError::NotFound)?;
        tx.commit().await?;
        Ok(m)
    }

    /// The group's cases; participants the reader may not see are hidden
    /// (with the question), each shown participant's read audited.
    pub async fn list_steering_cases(&self, ctx: &Ctx, group_id: i64) -> Result<Vec<Case>> {
        let event = "steering.case.list";
        let (mut tx, permit) = self
            .on_group(ctx, SteeringAction::Read, group_id, event)
            .await?;
        let (cases, _shown) = load_cases(&mut tx, ctx, group_id, None).await?;
        let _ = permit.group_id();
        tx.commit().await?;
        Ok(cases)
    }

    /// Refer a participant the actor may read to the group.
    pub async fn add_steering_case(
        &self,
        ctx: &Ctx,
        group_id: i64,
        input: &CaseInput,
    ) -> Result<Case> {
        let data = CaseData::from_input(input).map_err(StoreError::Validation)?;
        let event = "steering.case.create";
        let (mut tx, permit) = self
            .on_group(ctx, SteeringAction::Manage, group_id, event)
            .await?;
        let d = check_participants(
            &mut tx,
            ctx,
            ParticipantAction::Read,
            &[data.participant_id],
        )
        .await?[0];
        let detail = format!("steering group {group_id}");
        record_decision(
            &mut tx,
            ctx,
            ParticipantAction::Read,
            d,
            &detail,
            &[data.participant_id],
        )
        .await?;
        if d.is_none() {
            tx.commit().await?;
            return Err(StoreError::NotFound);
        }
        let row = sqlx::query(
            "INSERT INTO steering_cases (group_id, participant_id, question, status, referred_by, \
             referred_by_organisation_id, referred_at) VALUES ($1, $2, $3, 'open', $4, $5, $6) RETURNING id",
        )
        .bind(group_id)
        .bind(data.participant_id)
        .bind(data.question.as_str())
        .bind(ctx.actor.user_id)
        .bind(ctx.actor.organisation_id)
        .bind(micros(ctx.now))
        .fetch_one(&mut *tx)
        .await?;
        let id: i64 = get(&row, "id")?;
        permit
            .record(
                &mut tx,
                ctx,
                "steering.case.referred",
                &detail,
                &[data.participant_id],
            )
            .await?;
        let (mut cases, _) = load_cases(&mut tx, ctx, group_id, Some(id)).await?;
        let c = cases.pop().ok_or(StoreError::NotFound)?;
        tx.commit().await?;
        Ok(c)
    }

    pub async fn list_steering_decisions(&self, ctx: &Ctx, group_id: i64) -> Result<Vec<Decision>> {
        let event = "steering.decision.list";
        let (mut tx, _) = self
            .on_group(ctx, SteeringAction::Read, group_id, event)
            .await?;
        let (d, _) = load_decisions(&mut tx, ctx, group_id, None).await?;
        tx.commit().await?;
        Ok(d)
    }

    /// Record a decision and apply its step changes in one transaction.
    /// Every participant concerned must be readable by the actor, and every
    /// participant whose plan it changes updatable; otherwise 404 and
    /// nothing is written (the denial is audited). Errors of a step name it:
    /// `create_steps[1].due_date`.
    pub async fn create_steering_decision(
        &self,
        ctx: &Ctx,
        group_id: i64,
        input: &DecisionInput,
        creates: &[StepCreate],
        updates: &[StepUpdate],
    ) -> Result<Decision> {
        // Everything that can be checked without the database, at once.
        let mut errors = ValidationErrors::new();
        let data = match DecisionData::from_input(input) {
            Ok(d) => Some(d),
            Err(e) => {
                errors.0.extend(e.0);
                None
            }
        };
        for (i, c) in creates.iter().enumerate() {
            if let Err(e) = StepData::new_from(&c.step) {
                for mut f in e.0 {
                    f.field = format!("create_steps[{i}].{}", f.field);
                    errors.0.push(f);
                }
            }
        }
        let Some(data) = data.filter(|_| errors.is_empty()) else {
            return Err(StoreError::Validation(errors));
        };
        let event = "steering.decision.create";
        let (mut tx, permit) = self
            .on_group(ctx, SteeringAction::Manage, group_id, event)
            .await?;
        let detail = format!("steering group {group_id}");
        // The participants whose plans change: Update; all concerned: Read.
        let changed: Vec<i64> = creates
            .iter()
            .map(|c| c.participant_id)
            .chain(updates.iter().map(|u| u.participant_id))
            .collect::<BTreeSet<_>>()
            .into_iter()
            .collect();
        let mut concerned: BTreeSet<i64> = data.participant_ids.iter().copied().collect();
        concerned.extend(changed.iter().copied());
        if let Some(case_id) = data.case_id {
            let row = sqlx::query(
                "SELECT participant_id FROM steering_cases WHERE id = $1 AND group_id = $2",
            )
            .bind(case_id)
            .bind(group_id)
            .fetch_optional(&mut *tx)
            .await?;
            match row {
                Some(r) => {
                    concerned.insert(get(&r, "participant_id")?);
                }
                None => {
                    return Err(one_error(
                        "case_id",
                        "unknown_case",
                        "case_id must name a case of this group",
                    ));
                }
            }
        }
        if let Some(meeting_id) = data.meeting_id {
            if load_meetings(&mut tx, group_id, Some(meeting_id))
                .await?
                .is_empty()
            {
                return Err(one_error(
                    "meeting_id",
                    "unknown_meeting",
                    "meeting_id must name a meeting of this group",
                ));
            }
        }
        if unknown_organisations(&mut tx, &data.organisation_ids).await? {
            return Err(one_error(
                "organisation_ids",
                "unknown_organisation",
                "organisation_ids must name existing organisations",
            ));
        }
        let concerned: Vec<i64> = concerned.into_iter().collect();
        let reads = check_participants(&mut tx, ctx, ParticipantAction::Read, &concerned).await?;
        let writes = check_participants(&mut tx, ctx, ParticipantAction::Update, &changed).await?;
        let denied_read: Vec<i64> = concerned
            .iter()
            .zip(&reads)
            .filter(|(_, d)| d.is_none())
            .map(|(i, _)| *i)
            .collect();
        let denied_write: Vec<i64> = changed
            .iter()
            .zip(&writes)
            .filter(|(_, d)| d.is_none())
            .map(|(i, _)| *i)
            .collect();
        if !denied_read.is_empty() || !denied_write.is_empty() {
            // Nothing is written; the refusals are (the group event too).
            if !denied_read.is_empty() {
                record_decision(
                    &mut tx,
                    ctx,
                    ParticipantAction::Read,
                    None,
                    &detail,
                    &denied_read,
                )
                .await?;
            }
            if !denied_write.is_empty() {
                record_decision(
                    &mut tx,
                    ctx,
                    ParticipantAction::Update,
                    None,
                    &detail,
                    &denied_write,
                )
                .await?;
            }
            tx.commit().await?;
            // A role that may never change a plan (an admin) learns nothing
            // about the person from a 403 either.
            return Err(
                if role_may(ctx.actor.role, ParticipantAction::Update) || changed.is_empty() {
                    StoreError::NotFound
                } else {
                    StoreError::Forbidden
                },
            );
        }
        for (id, d) in concerned.iter().zip(&reads) {
            record_decision(&mut tx, ctx, ParticipantAction::Read, *d, &detail, &[*id]).await?;
        }
        for (id, d) in changed.iter().zip(&writes) {
            record_decision(&mut tx, ctx, ParticipantAction::Update, *d, &detail, &[*id]).await?;
        }
        let row = sqlx::query(
            "INSERT INTO steering_decisions (group_id, case_id, meeting_id, text, follow_up_date, status, version, \
             recorded_by, recorded_at, updated_by, updated_at) VALUES ($1, $2, $3, $4, $5, $6, 1, $7, $8, $9, $10) \
             RETURNING id",
        )
        .bind(group_id)
        .bind(data.case_id)
        .bind(data.meeting_id)
        .bind(data.text.as_str())
        .bind(data.follow_up_date.map(date_text))
        .bind(data.status.as_str())
        .bind(ctx.actor.user_id)
        .bind(micros(ctx.now))
        .bind(ctx.actor.user_id)
        .bind(micros(ctx.now))
        .fetch_one(&mut *tx)
        .await?;
        let id: i64 = get(&row, "id")?;
        for o in &data.organisation_ids {
            sqlx::query("INSERT INTO steering_decision_organisations (decision_id, organisation_id) VALUES ($1, $2)")
                .bind(id)
                .bind(*o)
                .execute(&mut *tx)
                .await?;
        }
        for p in &concerned {
            sqlx::query("INSERT INTO steering_decision_participants (decision_id, participant_id) VALUES ($1, $2)")
                .bind(id)
                .bind(*p)
                .execute(&mut *tx)
                .await?;
        }
        decision_history(&mut tx, ctx, id, "created", "text", None, Some(&data.text)).await?;
        decision_history(
            &mut tx,
            ctx,
            id,
            "created",
            "status",
            None,
            Some(data.status.as_str()),
        )
        .await?;
        if let Some(f) = data.follow_up_date {
            decision_history(
                &mut tx,
                ctx,
                id,
                "created",
                "follow_up_date",
                None,
                Some(&date_text(f)),
            )
            .await?;
        }
        let mut steps: Vec<(i64, i64, &str)> = vec![];
        for (i, c) in creates.iter().enumerate() {
            let s = add_step_for_decision(&mut tx, ctx, c.participant_id, &c.step, id)
                .await
                .map_err(|e| prefixed(e, &format!("create_steps[{i}]")))?;
            steps.push((c.participant_id, s.id, "created"));
        }
        for (i, u) in updates.iter().enumerate() {
            let s =
                update_step_for_decision(&mut tx, ctx, u.participant_id, u.step_id, &u.step, id)
                    .await
                    .map_err(|e| prefixed(e, &format!("update_steps[{i}]")))?;
            steps.push((u.participant_id, s.id, "updated"));
        }
        for (p, s, change) in &steps {
            sqlx::query(
                "INSERT INTO steering_decision_steps (decision_id, participant_id, step_id, change) \
                 VALUES ($1, $2, $3, $4)",
            )
            .bind(id)
            .bind(*p)
            .bind(*s)
            .bind(*change)
            .execute(&mut *tx)
            .await
            .map_err(|e| {
                crate::conflict_on(e, "update_steps", "a decision changes each step at most once")
            })?;
        }
        if let Some(case_id) = data.case_id {
            sqlx::query(
                "UPDATE steering_cases SET status = 'decided' WHERE id = $1 AND status = 'open'",
            )
            .bind(case_id)
            .execute(&mut *tx)
            .await?;
        }
        permit
            .record(
                &mut tx,
                ctx,
                "steering.decision.recorded",
                &format!("decision {id}"),
                &concerned,
            )
            .await?;
        let (mut d, _) = load_decisions(&mut tx, ctx, group_id, Some(id)).await?;
        let d = d.pop().ok_or(StoreError::NotFound)?;
        tx.commit().await?;
        Ok(d)
    }

    /// Change a decision's status and/or follow-up date; the change is kept
    /// as history. `version` (when given) must match.
    pub async fn update_steering_decision(
        &self,
        ctx: &Ctx,
        group_id: i64,
        decision_id: i64,
        patch: &DecisionPatch,
        version: Option<i64>,
    ) -> Result<Decision> {
        let event = "steering.decision.update";
        let (mut tx, _) = self
            .on_group(ctx, SteeringAction::Manage, group_id, event)
            .await?;
        let row = sqlx::query(
            "SELECT status, follow_up_date, version FROM steering_decisions WHERE id = $1 AND group_id = $2",
        )
        .bind(decision_id)
        .bind(group_id)
        .fetch_optional(&mut *tx)
        .await?
        .ok_or(StoreError::NotFound)?;
        let status: String = get(&row, "status")?;
        let status = DecisionStatus::parse(&status).ok_or_else(|| bad("decision status"))?;
        let follow: Option<String> = get(&row, "follow_up_date")?;
        let follow = follow
            .as_deref()
            .map(crate::kernel::parse_date)
            .transpose()?;
        let current_version: i64 = get(&row, "version")?;
        if version.is_some_and(|v| v != current_version) {
            return Err(StoreError::StaleVersion);
        }
        let (st, fu, changes) = patch
            .apply(status, follow)
            .map_err(StoreError::Validation)?;
        if !changes.is_empty() {
            let done = sqlx::query(
                "UPDATE steering_decisions SET status = $1, follow_up_date = $2, version = version + 1, \
                 updated_by = $3, updated_at = $4 WHERE id = $5 AND version = $6",
            )
            .bind(st.as_str())
            .bind(fu.map(date_text))
            .bind(ctx.actor.user_id)
            .bind(micros(ctx.now))
            .bind(decision_id)
            .bind(current_version)
            .execute(&mut *tx)
            .await?;
            if done.rows_affected() != 1 {
                return Err(StoreError::StaleVersion);
            }
            for c in &changes {
                decision_history(
                    &mut tx,
                    ctx,
                    decision_id,
                    "updated",
                    c.field,
                    c.old.as_deref(),
                    c.new.as_deref(),
                )
                .await?;
            }
        }
        let (mut d, _) = load_decisions(&mut tx, ctx, group_id, Some(decision_id)).await?;
        let d = d.pop().ok_or(StoreError::NotFound)?;
        tx.commit().await?;
        Ok(d)
    }
}
