//! Shared action plans, their steps, the history of every change, and
//! contacts. Rules live in `vagar_domain::plans`; access is the participant
//! policy (`access`): reading needs `ParticipantAction::Read`, changing needs
//! `ParticipantAction::Update`, both decided and audited by
//! [`Store::authorize_participant`] in the transaction that does the work.
//!
//! On top of that decision this module writes a plan-level audit event
//! (`plan.read`, `plan.update`, `plan.step.create`, `plan.step.update`,
//! `plan.history.read`, `contact.list`, `contact.create`) in the same
//! transaction, so the trail says what was read or changed. A consent rule
//! (`Scope::Consent`) reaches a plan only when a consent in force naming the
//! actor's organisation covers `action_plan`; a partner so named may then
//! add and change the steps (and contacts) of their own organisation.

pub(crate) mod linked;
pub mod seed;

use linked::{change_step, insert_step};

use crate::access::plans::PlanPermit;
use crate::audit::Tx;
use crate::{conflict_on, from_micros, get, micros, Ctx, Result, Store, StoreError};
use chrono::{DateTime, NaiveDate, Utc};
use sqlx::any::AnyRow;
use vagar_domain::plans::access::PlanAccess;
use vagar_domain::plans::{
    ActivityType, ContactData, ContactInput, ContactKind, FieldChange, Goal, GoalInput, GoalKind,
    StepData, StepInput, StepStatus,
};
use vagar_domain::ValidationErrors;

#[derive(Debug, Clone)]
pub struct Plan {
    pub id: i64,
    pub participant_id: i64,
    pub goal: Goal,
    pub version: i64,
    pub created_by: i64,
    pub created_at: DateTime<Utc>,
    pub updated_by: i64,
    pub updated_at: DateTime<Utc>,
}

#[derive(Debug, Clone)]
pub struct Step {
    pub id: i64,
    pub plan_id: i64,
    pub data: StepData,
    pub version: i64,
    pub created_by: i64,
    pub created_at: DateTime<Utc>,
    pub updated_by: i64,
    pub updated_at: DateTime<Utc>,
}

/// A plan with its steps (oldest first) and what the reader may change.
#[derive(Debug, Clone)]
pub struct PlanView {
    pub plan: Plan,
    pub steps: Vec<Step>,
    pub access: PlanAccess,
}

/// One changed field of a plan or a step.
#[derive(Debug, Clone)]
pub struct HistoryEntry {
    pub id: i64,
    pub plan_id: i64,
    /// `None` for the goal.
    pub step_id: Option<i64>,
    /// `created` or `updated`.
    pub change: String,
    pub field: String,
    pub old_value: Option<String>,
    pub new_value: Option<String>,
    pub user_id: i64,
    pub username: String,
    /// The user's name as people are named on the pages.
    pub user_name: String,
    pub organisation_id: i64,
    pub at: DateTime<Utc>,
    /// The steering decision that made the change, if one did.
    pub decision_id: Option<i64>,
}

#[derive(Debug, Clone)]
pub struct Contact {
    pub id: i64,
    pub participant_id: i64,
    pub data: ContactData,
    pub recorded_by: i64,
    pub recorded_at: DateTime<Utc>,
}

fn one_error(field: &str, code: &str, message: &str) -> StoreError {
    let mut e = ValidationErrors::new();
    e.add(field, code, message);
    StoreError::Validation(e)
}

fn bad(what: &str) -> StoreError {
    StoreError::Other(format!("stored plan data has an invalid {what}"))
}

fn date_text(d: NaiveDate) -> String {
    d.format("%Y-%m-%d").to_string()
}

impl Store {
    /// The participant's active plan with its steps (audited).
    pub async fn read_plan(&self, ctx: &Ctx, participant_id: i64) -> Result<PlanView> {
        let (mut tx, permit) = self
            .authorize_plan(ctx, participant_id, false, "plan.read")
            .await?;
        let view = load_view(&mut tx, &permit).await?;
        tx.commit().await?;
        view.ok_or(StoreError::NotFound)
    }

    /// Create the plan with its long-term goal, or change the goal. `version`
    /// (when given) must match the stored plan's. Returns the plan and
    /// whether it was created.
    pub async fn save_plan(
        &self,
        ctx: &Ctx,
        participant_id: i64,
        input: &GoalInput,
        version: Option<i64>,
    ) -> Result<(PlanView, bool)> {
        let (mut tx, permit) = self
            .authorize_plan(ctx, participant_id, true, "plan.update")
            .await?;
        if !permit.access().may_edit_goal() {
            return Err(permit.refuse(tx, ctx, "plan.update", "goal").await?);
        }
        let goal = Goal::from_input(input).map_err(StoreError::Validation)?;
        let pid = permit.participant_id();
        let current = load_plan(&mut tx, pid).await?;
        let created = current.is_none();
        let (plan_id, changes) = match current {
            None => {
                let row = sqlx::query(
                    "INSERT INTO action_plans (participant_id, status, goal_kind, ssyk_code, goal_title, \
                     version, created_by, created_at, updated_by, updated_at) \
                     VALUES ($1, 'active', $2, $3, $4, 1, $5, $6, $7, $8) RETURNING id",
                )
                .bind(pid)
                .bind(goal.kind.as_str())
                .bind(goal.ssyk_code.as_deref())
                .bind(goal.title.as_str())
                .bind(ctx.actor.user_id)
                .bind(micros(ctx.now))
                .bind(ctx.actor.user_id)
                .bind(micros(ctx.now))
                .fetch_one(&mut *tx)
                .await
                .map_err(|e| conflict_on(e, "plan", "the participant already has an active plan"))?;
                (get::<i64>(&row, "id")?, goal.changes_from(None))
            }
            Some(plan) => {
                if version.is_some_and(|v| v != plan.version) {
                    return Err(StoreError::StaleVersion);
                }
                let changes = goal.changes_from(Some(&plan.goal));
                if !changes.is_empty() {
                    let done = sqlx::query(
                        "UPDATE action_plans SET goal_kind = $1, ssyk_code = $2, goal_title = $3, \
                         version = version + 1, updated_by = $4, updated_at = $5 \
                         WHERE id = $6 AND version = $7",
                    )
                    .bind(goal.kind.as_str())
                    .bind(goal.ssyk_code.as_deref())
                    .bind(goal.title.as_str())
                    .bind(ctx.actor.user_id)
                    .bind(micros(ctx.now))
                    .bind(plan.id)
                    .bind(plan.version)
                    .execute(&mut *tx)
                    .await?;
                    if done.rows_affected() != 1 {
                        return Err(StoreError::StaleVersion);
                    }
                }
                (plan.id, changes)
            }
        };
        let change = if created { "created" } else { "updated" };
        record_history(&mut tx, ctx, pid, plan_id, None, change, &changes).await?;
        let view = load_view(&mut tx, &permit)
            .await?
            .ok_or(StoreError::NotFound)?;
        tx.commit().await?;
        Ok((view, created))
    }

    /// Add a step to the participant's plan (which must exist: 409 `plan`).
    pub async fn add_step(
        &self,
        ctx: &Ctx,
        participant_id: i64,
        input: &StepInput,
    ) -> Result<Step> {
        let (mut tx, permit) = self
            .authorize_plan(ctx, participant_id, true, "plan.step.create")
            .await?;
        let pid = permit.participant_id();
        let data = StepData::new_from(input).map_err(StoreError::Validation)?;
        if !permit.access().may_edit_step(data.organisation_id) {
            return Err(permit
                .refuse(tx, ctx, "plan.step.create", "another organisation's step")
                .await?);
        }
        let step = insert_step(&mut tx, ctx, pid, &data, None).await?;
        tx.commit().await?;
        Ok(step)
    }

    /// Change some fields of a step; the whole step is validated again and
    /// its status must follow the allowed transitions. `version` (when
    /// given) must match the stored step's.
    pub async fn update_step(
        &self,
        ctx: &Ctx,
        participant_id: i64,
        step_id: i64,
        input: &StepInput,
        version: Option<i64>,
    ) -> Result<Step> {
        let (mut tx, permit) = self
            .authorize_plan(ctx, participant_id, true, "plan.step.update")
            .await?;
        let pid = permit.participant_id();
        let plan = load_plan(&mut tx, pid).await?.ok_or(StoreError::NotFound)?;
        let current = load_steps(&mut tx, plan.id, Some(step_id))
            .await?
            .pop()
            .ok_or(StoreError::NotFound)?;
        if !permit.access().may_edit_step(current.data.organisation_id)
            || input
                .organisation_id
                .is_some_and(|o| !permit.access().may_edit_step(o))
        {
            let detail = format!("step {step_id}: another organisation's step");
            return Err(permit.refuse(tx, ctx, "plan.step.update", &detail).await?);
        }
        if version.is_some_and(|v| v != current.version) {
            return Err(StoreError::StaleVersion);
        }
        let step = change_step(&mut tx, ctx, pid, &current, input, None).await?;
        tx.commit().await?;
        Ok(step)
    }

    /// Every change of the participant's plan and its steps, oldest first (audited).
    pub async fn plan_history(&self, ctx: &Ctx, participant_id: i64) -> Result<Vec<HistoryEntry>> {
        let (mut tx, permit) = self
            .authorize_plan(ctx, participant_id, false, "plan.history.read")
            .await?;
        let rows = sqlx::query(
            "SELECT h.id, h.plan_id, h.step_id, h.change, h.field, h.old_value, h.new_value, h.user_id, \
             u.username, u.display_name, h.organisation_id, h.at, h.decision_id \
             FROM plan_history h JOIN users u ON u.id = h.user_id \
             WHERE h.participant_id = $1 ORDER BY h.id",
        )
        .bind(permit.participant_id())
        .fetch_all(&mut *tx)
        .await?;
        let out = rows
            .iter()
            .map(|r| {
                Ok(HistoryEntry {
                    id: get(r, "id")?,
                    plan_id: get(r, "plan_id")?,
                    step_id: get(r, "step_id")?,
                    change: get(r, "change")?,
                    field: get(r, "field")?,
                    old_value: get(r, "old_value")?,
                    new_value: get(r, "new_value")?,
                    user_id: get(r, "user_id")?,
                    username: get(r, "username")?,
                    user_name: get(r, "display_name")?,
                    organisation_id: get(r, "organisation_id")?,
                    at: from_micros(get(r, "at")?),
                    decision_id: get(r, "decision_id")?,
                })
            })
            .collect::<Result<Vec<_>>>()?;
        tx.commit().await?;
        Ok(out)
    }

    /// The participant's contacts, newest first (by date, then by entry).
    pub async fn list_contacts(&self, ctx: &Ctx, participant_id: i64) -> Result<Vec<Contact>> {
        let (mut tx, permit) = self
            .authorize_plan(ctx, participant_id, false, "contact.list")
            .await?;
        let out = load_contacts(&mut tx, permit.participant_id(), None).await?;
        tx.commit().await?;
        Ok(out)
    }

    /// Record a contact that took place. The organisation defaults to the
    /// actor's; a partner records contacts of their own organisation only.
    pub async fn add_contact(
        &self,
        ctx: &Ctx,
        participant_id: i64,
        input: &ContactInput,
    ) -> Result<Contact> {
        let (mut tx, permit) = self
            .authorize_plan(ctx, participant_id, true, "contact.create")
            .await?;
        let data = ContactData::from_input(input, ctx.actor.organisation_id, ctx.today())
            .map_err(StoreError::Validation)?;
        if !permit.access().may_edit_step(data.organisation_id) {
            return Err(permit
                .refuse(tx, ctx, "contact.create", "another organisation's contact")
                .await?);
        }
        if !organisation_exists(&mut tx, data.organisation_id).await? {
            return Err(one_error(
                "organisation_id",
                "unknown_organisation",
                "organisation_id must name an existing organisation",
            ));
        }
        let pid = permit.participant_id();
        let row = sqlx::query(
            "INSERT INTO contacts (participant_id, contact_date, organisation_id, kind, note, recorded_by, \
             recorded_at) VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
        )
        .bind(pid)
        .bind(date_text(data.contact_date))
        .bind(data.organisation_id)
        .bind(data.kind.as_str())
        .bind(data.note.as_deref())
        .bind(ctx.actor.user_id)
        .bind(micros(ctx.now))
        .fetch_one(&mut *tx)
        .await?;
        let id: i64 = get(&row, "id")?;
        let c = load_contacts(&mut tx, pid, Some(id))
            .await?
            .pop()
            .ok_or(StoreError::NotFound)?;
        tx.commit().await?;
        Ok(c)
    }
}

async fn organisation_exists(tx: &mut Tx, id: i64) -> Result<bool> {
    let row = sqlx::query("SELECT COUNT(*) AS n FROM organisations WHERE id = $1")
        .bind(id)
        .fetch_one(&mut **tx)
        .await?;
    Ok(get::<i64>(&row, "n")? > 0)
}

/// The step's organisation must exist; its responsible person must be an
/// active user of that organisation.
async fn check_references(tx: &mut Tx, data: &StepData) -> Result<()> {
    let mut e = ValidationErrors::new();
    if !organisation_exists(tx, data.organisation_id).await? {
        e.add(
            "organisation_id",
            "unknown_organisation",
            "organisation_id must name an existing organisation",
        );
    } else if let Some(user) = data.responsible_user_id {
        let row = sqlx::query(
            "SELECT COUNT(*) AS n FROM users WHERE id = $1 AND organisation_id = $2 AND active = 1",
        )
        .bind(user)
        .bind(data.organisation_id)
        .fetch_one(&mut **tx)
        .await?;
        if get::<i64>(&row, "n")? == 0 {
            e.add(
                "responsible_user_id",
                "not_in_organisation",
                "responsible_user_id must be an active user of the step's organisation",
            );
        }
    }
    e.into_result(()).map_err(StoreError::Validation)
}

async fn record_history(
    tx: &mut Tx,
    ctx: &Ctx,
    participant_id: i64,
    plan_id: i64,
    step_id: Option<i64>,
    change: &str,
    changes: &[FieldChange],
) -> Result<()> {
    record_history_from(
        tx,
        ctx,
        participant_id,
        plan_id,
        step_id,
        change,
        changes,
        None,
    )
    .await
}

/// `record_history`, naming the steering decision that made the change.
#[allow(clippy::too_many_arguments)]
async fn record_history_from(
    tx: &mut Tx,
    ctx: &Ctx,
    participant_id: i64,
    plan_id: i64,
    step_id: Option<i64>,
    change: &str,
    changes: &[FieldChange],
    decision_id: Option<i64>,
) -> Result<()> {
    for c in changes {
        sqlx::query(
            "INSERT INTO plan_history (participant_id, plan_id, step_id, change, field, old_value, new_value, \
             user_id, organisation_id, at, decision_id) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
        )
        .bind(participant_id)
        .bind(plan_id)
        .bind(step_id)
        .bind(change)
        .bind(c.field)
        .bind(c.old.as_deref())
        .bind(c.new.as_deref())
        .bind(ctx.actor.user_id)
        .bind(ctx.actor.organisation_id)
        .bind(micros(ctx.now))
        .bind(decision_id)
        .execute(&mut **tx)
        .await?;
    }
    Ok(())
}

fn plan_from_row(r: &AnyRow) -> Result<Plan> {
    let kind: String = get(r, "goal_kind")?;
    Ok(Plan {
        id: get(r, "id")?,
        participant_id: get(r, "participant_id")?,
        goal: Goal {
            kind: GoalKind::parse(&kind).ok_or_else(|| bad("goal kind"))?,
            ssyk_code: get(r, "ssyk_code")?,
            title: get(r, "goal_title")?,
        },
        version: get(r, "version")?,
        created_by: get(r, "created_by")?,
        created_at: from_micros(get(r, "created_at")?),
        updated_by: get(r, "updated_by")?,
        updated_at: from_micros(get(r, "updated_at")?),
    })
}

async fn load_plan(tx: &mut Tx, participant_id: i64) -> Result<Option<Plan>> {
    let row = sqlx::query(
        "SELECT id, participant_id, goal_kind, ssyk_code, goal_title, version, created_by, created_at, \
         updated_by, updated_at FROM action_plans WHERE participant_id = $1 AND status = 'active'",
    )
    .bind(participant_id)
    .fetch_optional(&mut **tx)
    .await?;
    row.as_ref().map(plan_from_row).transpose()
}

async fn load_steps(tx: &mut Tx, plan_id: i64, only: Option<i64>) -> Result<Vec<Step>> {
    let rows = sqlx::query(
        "SELECT id, plan_id, activity_type, activity_text, organisation_id, responsible_user_id, start_date, \
         due_date, status, result_note, version, created_by, created_at, updated_by, updated_at \
         FROM plan_steps WHERE plan_id = $1 AND ($2 = 0 OR id = $3) ORDER BY start_date, id",
    )
    .bind(plan_id)
    .bind(only.map_or(0_i64, |_| 1))
    .bind(only.unwrap_or(0))
    .fetch_all(&mut **tx)
    .await?;
    rows.iter()
        .map(|r| {
            let activity: String = get(r, "activity_type")?;
            let status: String = get(r, "status")?;
            Ok(Step {
                id: get(r, "id")?,
                plan_id: get(r, "plan_id")?,
                data: StepData {
                    activity_type: ActivityType::parse(&activity)
                        .ok_or_else(|| bad("activity type"))?,
                    activity_text: get(r, "activity_text")?,
                    organisation_id: get(r, "organisation_id")?,
                    responsible_user_id: get(r, "responsible_user_id")?,
                    start_date: crate::kernel::parse_date(&get::<String>(r, "start_date")?)?,
                    due_date: crate::kernel::parse_date(&get::<String>(r, "due_date")?)?,
                    status: StepStatus::parse(&status).ok_or_else(|| bad("step status"))?,
                    result_note: get(r, "result_note")?,
                },
                version: get(r, "version")?,
                created_by: get(r, "created_by")?,
                created_at: from_micros(get(r, "created_at")?),
                updated_by: get(r, "updated_by")?,
                updated_at: from_micros(get(r, "updated_at")?),
            })
        })
        .collect()
}

async fn load_view(tx: &mut Tx, permit: &PlanPermit) -> Result<Option<PlanView>> {
    let Some(plan) = load_plan(tx, permit.participant_id()).await? else {
        return Ok(None);
    };
    let steps = load_steps(tx, plan.id, None).await?;
    Ok(Some(PlanView {
        plan,
        steps,
        access: permit.access(),
    }))
}

async fn load_contacts(
    tx: &mut Tx,
    participant_id: i64,
    only: Option<i64>,
) -> Result<Vec<Contact>> {
    let rows = sqlx::query(
        "SELECT id, participant_id, contact_date, organisation_id, kind, note, recorded_by, recorded_at \
         FROM contacts WHERE participant_id = $1 AND ($2 = 0 OR id = $3) \
         ORDER BY contact_date DESC, id DESC",
    )
    .bind(participant_id)
    .bind(only.map_or(0_i64, |_| 1))
    .bind(only.unwrap_or(0))
    .fetch_all(&mut **tx)
    .await?;
    rows.iter()
        .map(|r| {
            let kind: String = get(r, "kind")?;
            Ok(Contact {
                id: get(r, "id")?,
                participant_id: get(r, "participant_id")?,
                data: ContactData {
                    contact_date: crate::kernel::parse_date(&get::<String>(r, "contact_date")?)?,
                    organisation_id: get(r, "organisation_id")?,
                    kind: ContactKind::parse(&kind).ok_or_else(|| bad("contact kind"))?,
                    note: get(r, "note")?,
                },
                recorded_by: get(r, "recorded_by")?,
                recorded_at: from_micros(get(r, "recorded_at")?),
            })
        })
        .collect()
}
