//! Plan steps written by other features' work, inside that work's
//! transaction (which has already decided and audited the participant):
//! steering decisions add and change steps (their history naming the
//! decision), and a placement writes its step (making the plan when there
//! is none) and closes it when the placement ends. The same SQL and history
//! as the plan's own changes.

use super::{check_references, load_plan, load_steps, record_history, record_history_from, Step};
use crate::audit::Tx;
use crate::kernel::{date_text, the_one};
use crate::{get, micros, Ctx, Result, StoreError};
use vagar_domain::plans::{FieldChange, StepData, StepInput};
use vagar_domain::work::placements::{EmploymentForm, PlacementStatus, PlacementTerms};

/// Add a step to the participant's active plan on behalf of a steering
/// decision; the history rows name the decision.
pub(crate) async fn add_step_for_decision(
    tx: &mut Tx,
    ctx: &Ctx,
    participant_id: i64,
    input: &StepInput,
    decision_id: i64,
) -> Result<Step> {
    let data = StepData::new_from(input).map_err(StoreError::Validation)?;
    insert_step(tx, ctx, participant_id, &data, Some(decision_id)).await
}

/// Insert a validated step into the participant's active plan with its
/// "created" history rows (naming the steering decision, if any).
pub(super) async fn insert_step(
    tx: &mut Tx,
    ctx: &Ctx,
    participant_id: i64,
    data: &StepData,
    decision_id: Option<i64>,
) -> Result<Step> {
    let plan = load_plan(tx, participant_id)
        .await?
        .ok_or(StoreError::Conflict {
            field: "plan".into(),
            message: "the participant has no action plan yet: create it with its goal first".into(),
        })?;
    check_references(tx, data).await?;
    let row = sqlx::query(
        "INSERT INTO plan_steps (plan_id, participant_id, activity_type, activity_text, organisation_id, \
         responsible_user_id, start_date, due_date, status, result_note, version, created_by, created_at, \
         updated_by, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, 1, $11, $12, $13, $14) RETURNING id",
    )
    .bind(plan.id)
    .bind(participant_id)
    .bind(data.activity_type.as_str())
    .bind(data.activity_text.as_deref())
    .bind(data.organisation_id)
    .bind(data.responsible_user_id)
    .bind(date_text(data.start_date))
    .bind(date_text(data.due_date))
    .bind(data.status.as_str())
    .bind(data.result_note.as_deref())
    .bind(ctx.actor.user_id)
    .bind(micros(ctx.now))
    .bind(ctx.actor.user_id)
    .bind(micros(ctx.now))
    .fetch_one(&mut **tx)
    .await?;
    let step_id: i64 = get(&row, "id")?;
    record_history_from(
        tx,
        ctx,
        participant_id,
        plan.id,
        Some(step_id),
        "created",
        &data.changes_from(None),
        decision_id,
    )
    .await?;
    load_steps(tx, plan.id, Some(step_id))
        .await?
        .pop()
        .ok_or(StoreError::NotFound)
}

/// Change a step of the participant's active plan on behalf of a steering
/// decision (404 for a step that is not in that plan).
pub(crate) async fn update_step_for_decision(
    tx: &mut Tx,
    ctx: &Ctx,
    participant_id: i64,
    step_id: i64,
    input: &StepInput,
    decision_id: i64,
) -> Result<Step> {
    let plan = load_plan(tx, participant_id)
        .await?
        .ok_or(StoreError::NotFound)?;
    let current = the_one(load_steps(tx, plan.id, Some(step_id)).await?)?;
    change_step(tx, ctx, participant_id, &current, input, Some(decision_id)).await
}

/// Apply `input` to the stored step `current`: the whole step validated
/// again, the changed fields written (409 stale if it changed meanwhile)
/// with their history, naming the steering decision if one made the
/// change; the step as stored after.
pub(super) async fn change_step(
    tx: &mut Tx,
    ctx: &Ctx,
    participant_id: i64,
    current: &Step,
    input: &StepInput,
    decision_id: Option<i64>,
) -> Result<Step> {
    let data = current
        .data
        .changed_by(input)
        .map_err(StoreError::Validation)?;
    let changes = data.changes_from(Some(&current.data));
    if !changes.is_empty() {
        check_references(tx, &data).await?;
        let done = sqlx::query(
            "UPDATE plan_steps SET activity_type = $1, activity_text = $2, organisation_id = $3, \
             responsible_user_id = $4, start_date = $5, due_date = $6, status = $7, result_note = $8, \
             version = version + 1, updated_by = $9, updated_at = $10 WHERE id = $11 AND version = $12",
        )
        .bind(data.activity_type.as_str())
        .bind(data.activity_text.as_deref())
        .bind(data.organisation_id)
        .bind(data.responsible_user_id)
        .bind(date_text(data.start_date))
        .bind(date_text(data.due_date))
        .bind(data.status.as_str())
        .bind(data.result_note.as_deref())
        .bind(ctx.actor.user_id)
        .bind(micros(ctx.now))
        .bind(current.id)
        .bind(current.version)
        .execute(&mut **tx)
        .await?;
        if done.rows_affected() != 1 {
            return Err(StoreError::StaleVersion);
        }
        let (plan, step) = (current.plan_id, Some(current.id));
        record_history_from(
            tx,
            ctx,
            participant_id,
            plan,
            step,
            "updated",
            &changes,
            decision_id,
        )
        .await?;
    }
    the_one(load_steps(tx, current.plan_id, Some(current.id)).await?)
}

/// Write the placement's step into the participant's action plan (making
/// the plan, with the placement's occupation as its goal, when there is
/// none yet), with its history rows. Returns the step id.
#[allow(clippy::too_many_arguments)]
pub(crate) async fn add_plan_step(
    tx: &mut Tx,
    ctx: &Ctx,
    participant_id: i64,
    terms: &PlacementTerms,
    intervention_name: &str,
    host: &str,
    status: PlacementStatus,
) -> Result<i64> {
    let now = micros(ctx.now);
    let plan =
        sqlx::query("SELECT id FROM action_plans WHERE participant_id = $1 AND status = 'active'")
            .bind(participant_id)
            .fetch_optional(&mut **tx)
            .await?;
    let plan_id: i64 = match plan {
        Some(r) => get(&r, "id")?,
        None => {
            let title = terms
                .role_title
                .clone()
                .unwrap_or_else(|| format!("Arbete (SSYK {})", terms.occupation_ssyk));
            let r = sqlx::query(
                "INSERT INTO action_plans (participant_id, status, goal_kind, ssyk_code, goal_title, version, \
                 created_by, created_at, updated_by, updated_at) VALUES ($1, 'active', 'occupation', $2, $3, 1, $4, $5, $6, $7) RETURNING id",
            )
            .bind(participant_id)
            .bind(terms.occupation_ssyk.as_str())
            .bind(title.as_str())
            .bind(ctx.actor.user_id)
            .bind(now)
            .bind(ctx.actor.user_id)
            .bind(now)
            .fetch_one(&mut **tx)
            .await?;
            let id: i64 = get(&r, "id")?;
            let goal = created([
                ("goal_kind", "occupation".to_string()),
                ("ssyk_code", terms.occupation_ssyk.clone()),
                ("goal_title", title),
            ]);
            record_history(tx, ctx, participant_id, id, None, "created", &goal).await?;
            id
        }
    };
    let activity = if terms.employment_form == EmploymentForm::WorkPractice {
        "work_practice"
    } else {
        "other"
    };
    let text = format!("{intervention_name} – {host}");
    let step_status = if status == PlacementStatus::Active {
        "active"
    } else {
        "planned"
    };
    let r = sqlx::query(
        "INSERT INTO plan_steps (plan_id, participant_id, activity_type, activity_text, organisation_id, \
         responsible_user_id, start_date, due_date, status, result_note, version, created_by, created_at, updated_by, updated_at) \
         VALUES ($1, $2, $3, $4, $5, NULL, $6, $7, $8, NULL, 1, $9, $10, $11, $12) RETURNING id",
    )
    .bind(plan_id)
    .bind(participant_id)
    .bind(activity)
    .bind(text.as_str())
    .bind(ctx.actor.organisation_id)
    .bind(terms.start_date.to_string())
    .bind(terms.end_date.to_string())
    .bind(step_status)
    .bind(ctx.actor.user_id)
    .bind(now)
    .bind(ctx.actor.user_id)
    .bind(now)
    .fetch_one(&mut **tx)
    .await?;
    let step_id: i64 = get(&r, "id")?;
    let step = created([
        ("activity_type", activity.to_string()),
        ("activity_text", text),
        ("organisation_id", ctx.actor.organisation_id.to_string()),
        ("start_date", terms.start_date.to_string()),
        ("due_date", terms.end_date.to_string()),
        ("status", step_status.to_string()),
    ]);
    record_history(
        tx,
        ctx,
        participant_id,
        plan_id,
        Some(step_id),
        "created",
        &step,
    )
    .await?;
    Ok(step_id)
}

/// "Created" history rows: each field with its first value.
fn created<const N: usize>(fields: [(&'static str, String); N]) -> Vec<FieldChange> {
    fields
        .into_iter()
        .map(|(field, value)| FieldChange {
            field,
            old: None,
            new: Some(value),
        })
        .collect()
}

/// Close a placement's plan step (done) with the outcome as its note.
pub(crate) async fn close_plan_step(
    tx: &mut Tx,
    ctx: &Ctx,
    step_id: i64,
    note: &str,
) -> Result<()> {
    let r = sqlx::query("SELECT plan_id, participant_id, status FROM plan_steps WHERE id = $1")
        .bind(step_id)
        .fetch_optional(&mut **tx)
        .await?;
    let Some(r) = r else { return Ok(()) };
    let status: String = get(&r, "status")?;
    if status == "done" || status == "cancelled" {
        return Ok(());
    }
    sqlx::query(
        "UPDATE plan_steps SET status = 'done', result_note = $1, version = version + 1, updated_by = $2, updated_at = $3 WHERE id = $4",
    )
    .bind(note)
    .bind(ctx.actor.user_id)
    .bind(micros(ctx.now))
    .bind(step_id)
    .execute(&mut **tx)
    .await?;
    let changes = [
        FieldChange {
            field: "status",
            old: Some(status),
            new: Some("done".into()),
        },
        FieldChange {
            field: "result_note",
            old: None,
            new: Some(note.into()),
        },
    ];
    record_history(
        tx,
        ctx,
        get(&r, "participant_id")?,
        get(&r, "plan_id")?,
        Some(step_id),
        "updated",
        &changes,
    )
    .await
}
