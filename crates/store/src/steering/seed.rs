//! Bulk insert for the synthetic city's steering groups: `vagar seed` only,
//! never a request. A handful of rows, inserted one by one in a single
//! transaction; a group whose name exists is left alone, so seeding again
//! adds nothing twice.

use crate::{get, Result, Store};
use chrono::NaiveDate;

#[derive(Debug, Clone)]
pub struct SteeringDecisionRow {
    pub text: String,
    pub organisation_ids: Vec<i64>,
    pub status: String,
    pub follow_up_date: Option<NaiveDate>,
    /// Link the decision to a step of the participant's active plan.
    pub concerns_step: bool,
}

#[derive(Debug, Clone)]
pub struct SteeringCaseRow {
    pub participant_id: i64,
    /// Index into the group's meetings.
    pub meeting: usize,
    pub question: String,
    pub decision: Option<SteeringDecisionRow>,
}

#[derive(Debug, Clone)]
pub struct SteeringGroupRow {
    pub name: String,
    pub organisation_ids: Vec<i64>,
    pub meetings: Vec<NaiveDate>,
    pub cases: Vec<SteeringCaseRow>,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct SteeringCounts {
    pub groups: u64,
    pub meetings: u64,
    pub cases: u64,
    pub decisions: u64,
}

fn day(d: NaiveDate) -> String {
    d.format("%Y-%m-%d").to_string()
}

fn at(d: NaiveDate) -> i64 {
    d.and_hms_opt(14, 0, 0)
        .map(|t| t.and_utc().timestamp_micros())
        .unwrap_or_default()
}

impl Store {
    /// Whether a steering group of this name exists.
    pub async fn seed_steering_group_exists(&self, name: &str) -> Result<bool> {
        let row = sqlx::query("SELECT COUNT(*) AS n FROM steering_groups WHERE name = $1")
            .bind(name)
            .fetch_one(&self.pool)
            .await?;
        Ok(get::<i64>(&row, "n")? > 0)
    }

    /// Up to `limit` participants (lowest ids first) with an active plan and
    /// a consent in force on `as_of` that names `organisation_id`.
    pub async fn seed_steering_candidates(
        &self,
        organisation_id: i64,
        as_of: NaiveDate,
        limit: i64,
    ) -> Result<Vec<i64>> {
        let rows = sqlx::query(
            "SELECT DISTINCT c.participant_id AS id FROM consents c \
             JOIN consent_organisations o ON o.consent_id = c.id \
             WHERE o.organisation_id = $1 AND c.revoked_at IS NULL AND c.valid_from <= $2 \
             AND (c.valid_to IS NULL OR c.valid_to >= $3) \
             AND EXISTS (SELECT 1 FROM action_plans a WHERE a.participant_id = c.participant_id \
                         AND a.status = 'active') \
             ORDER BY c.participant_id LIMIT $4",
        )
        .bind(organisation_id)
        .bind(day(as_of))
        .bind(day(as_of))
        .bind(limit)
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(|r| get::<i64>(r, "id")).collect()
    }

    /// Insert steering groups with their members, meetings, cases and
    /// decisions, recorded by `user_id` of `organisation_id`. Groups whose
    /// name exists are skipped.
    pub async fn seed_steering(
        &self,
        groups: &[SteeringGroupRow],
        user_id: i64,
        organisation_id: i64,
    ) -> Result<SteeringCounts> {
        let mut counts = SteeringCounts::default();
        let mut tx = self.pool.begin().await?;
        for g in groups {
            let row = sqlx::query("SELECT COUNT(*) AS n FROM steering_groups WHERE name = $1")
                .bind(&g.name)
                .fetch_one(&mut *tx)
                .await?;
            if get::<i64>(&row, "n")? > 0 {
                continue;
            }
            let created = g.meetings.first().map(|d| at(*d) - 86_400_000_000 * 14);
            let created = created.unwrap_or_default();
            let row = sqlx::query(
                "INSERT INTO steering_groups (name, created_by, created_at) VALUES ($1, $2, $3) RETURNING id",
            )
            .bind(&g.name)
            .bind(user_id)
            .bind(created)
            .fetch_one(&mut *tx)
            .await?;
            let group_id: i64 = get(&row, "id")?;
            counts.groups += 1;
            for o in &g.organisation_ids {
                sqlx::query(
                    "INSERT INTO steering_group_members (group_id, organisation_id) VALUES ($1, $2)",
                )
                .bind(group_id)
                .bind(*o)
                .execute(&mut *tx)
                .await?;
            }
            let mut meeting_ids = vec![];
            for d in &g.meetings {
                let row = sqlx::query(
                    "INSERT INTO steering_meetings (group_id, meeting_date, notes, recorded_by, recorded_at) \
                     VALUES ($1, $2, $3, $4, $5) RETURNING id",
                )
                .bind(group_id)
                .bind(day(*d))
                .bind(format!("Månadsmöte {}", day(*d)))
                .bind(user_id)
                .bind(at(*d))
                .fetch_one(&mut *tx)
                .await?;
                meeting_ids.push(get::<i64>(&row, "id")?);
                counts.meetings += 1;
            }
            for c in &g.cases {
                let (Some(meeting_id), Some(meeting_date)) =
                    (meeting_ids.get(c.meeting), g.meetings.get(c.meeting))
                else {
                    continue;
                };
                let referred = at(*meeting_date) - 86_400_000_000 * 7;
                let status = if c.decision.is_some() {
                    "decided"
                } else {
                    "open"
                };
                let row = sqlx::query(
                    "INSERT INTO steering_cases (group_id, participant_id, question, status, referred_by, \
                     referred_by_organisation_id, referred_at) VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
                )
                .bind(group_id)
                .bind(c.participant_id)
                .bind(&c.question)
                .bind(status)
                .bind(user_id)
                .bind(organisation_id)
                .bind(referred)
                .fetch_one(&mut *tx)
                .await?;
                let case_id: i64 = get(&row, "id")?;
                counts.cases += 1;
                let Some(d) = &c.decision else { continue };
                let t = at(*meeting_date);
                let row = sqlx::query(
                    "INSERT INTO steering_decisions (group_id, case_id, meeting_id, text, follow_up_date, \
                     status, version, recorded_by, recorded_at, updated_by, updated_at) \
                     VALUES ($1, $2, $3, $4, $5, $6, 1, $7, $8, $9, $10) RETURNING id",
                )
                .bind(group_id)
                .bind(case_id)
                .bind(*meeting_id)
                .bind(&d.text)
                .bind(d.follow_up_date.map(day))
                .bind(&d.status)
                .bind(user_id)
                .bind(t)
                .bind(user_id)
                .bind(t)
                .fetch_one(&mut *tx)
                .await?;
                let decision_id: i64 = get(&row, "id")?;
                counts.decisions += 1;
                let mut orgs = d.organisation_ids.clone();
                orgs.sort_unstable();
                orgs.dedup();
                for o in orgs {
                    sqlx::query(
                        "INSERT INTO steering_decision_organisations (decision_id, organisation_id) \
                         VALUES ($1, $2)",
                    )
                    .bind(decision_id)
                    .bind(o)
                    .execute(&mut *tx)
                    .await?;
                }
                sqlx::query(
                    "INSERT INTO steering_decision_participants (decision_id, participant_id) VALUES ($1, $2)",
                )
                .bind(decision_id)
                .bind(c.participant_id)
                .execute(&mut *tx)
                .await?;
                if d.concerns_step {
                    let step = sqlx::query(
                        "SELECT s.id FROM plan_steps s JOIN action_plans a ON a.id = s.plan_id \
                         WHERE a.participant_id = $1 AND a.status = 'active' ORDER BY s.id LIMIT 1",
                    )
                    .bind(c.participant_id)
                    .fetch_optional(&mut *tx)
                    .await?;
                    if let Some(step) = step {
                        sqlx::query(
                            "INSERT INTO steering_decision_steps (decision_id, participant_id, step_id, change) \
                             VALUES ($1, $2, $3, 'updated')",
                        )
                        .bind(decision_id)
                        .bind(c.participant_id)
                        .bind(get::<i64>(&step, "id")?)
                        .execute(&mut *tx)
                        .await?;
                    }
                }
                let mut history: Vec<(&str, Option<String>)> = vec![
                    ("text", Some(d.text.clone())),
                    ("status", Some("open".into())),
                ];
                if let Some(f) = d.follow_up_date {
                    history.push(("follow_up_date", Some(day(f))));
                }
                for (field, value) in history {
                    sqlx::query(
                        "INSERT INTO steering_decision_history (decision_id, change, field, old_value, \
                         new_value, user_id, at) VALUES ($1, 'created', $2, NULL, $3, $4, $5)",
                    )
                    .bind(decision_id)
                    .bind(field)
                    .bind(value)
                    .bind(user_id)
                    .bind(t)
                    .execute(&mut *tx)
                    .await?;
                }
                if d.status != "open" {
                    sqlx::query(
                        "INSERT INTO steering_decision_history (decision_id, change, field, old_value, \
                         new_value, user_id, at) VALUES ($1, 'updated', 'status', 'open', $2, $3, $4)",
                    )
                    .bind(decision_id)
                    .bind(&d.status)
                    .bind(user_id)
                    .bind(t + 86_400_000_000 * 14)
                    .execute(&mut *tx)
                    .await?;
                    sqlx::query(
                        "UPDATE steering_decisions SET version = 2, updated_at = $1 WHERE id = $2",
                    )
                    .bind(t + 86_400_000_000 * 14)
                    .bind(decision_id)
                    .execute(&mut *tx)
                    .await?;
                }
            }
        }
        tx.commit().await?;
        Ok(counts)
    }
}
