//! Arrange-only fixtures for the work-model tests: an intervention, a host
//! employer and a placement written straight to the tables, so a test of
//! timesheets or learning plans need not go through enrolment first. What a
//! test asserts still goes through HTTP.

use super::TestApp;
use vagar_store::sqlx;

/// An intervention with the given `model` (rental, staffing, employer,
/// collaboration), open for enrolment from 2024-01-01.
pub async fn insert_intervention(app: &TestApp, name: &str, model: &str) -> i64 {
    let row: (i64,) = sqlx::query_as(
        "INSERT INTO interventions (name, model, capacity, period_from, period_to, operator_kind, \
         follow_up_plan, status, created_at, updated_at) \
         VALUES ($1, $2, 20, '2024-01-01', '2026-12-31', 'municipal_company', 'Uppföljning efter 90 dagar', 'open', 0, 0) \
         RETURNING id",
    )
    .bind(name)
    .bind(model)
    .fetch_one(app.store.pool())
    .await
    .expect("insert intervention");
    sqlx::query(
        "INSERT INTO intervention_indicators (intervention_id, outcome, measured_after_days, target_percent) \
         VALUES ($1, 'work_or_studies', 90, 50)",
    )
    .bind(row.0)
    .execute(app.store.pool())
    .await
    .expect("insert indicator");
    row.0
}

/// A host employer linked to the test organisation "Employer" (whose user
/// is `employer`) when `linked`, with one workplace. Returns (employer, workplace).
pub async fn insert_host(app: &TestApp, org_number: &str, name: &str, linked: bool) -> (i64, i64) {
    let org: Option<i64> = if linked {
        let r: (i64,) = sqlx::query_as("SELECT id FROM organisations WHERE name = 'Employer'")
            .fetch_one(app.store.pool())
            .await
            .expect("employer org");
        Some(r.0)
    } else {
        None
    };
    let e: (i64,) = sqlx::query_as(
        "INSERT INTO employers (organisation_number, name, name_folded, size_class, organisation_id, \
         source, created_at, updated_at) VALUES ($1, $2, $3, 'small', $4, 'coordinator', 0, 0) RETURNING id",
    )
    .bind(org_number)
    .bind(name)
    .bind(name.to_lowercase())
    .bind(org)
    .fetch_one(app.store.pool())
    .await
    .expect("insert employer");
    let w: (i64,) = sqlx::query_as(
        "INSERT INTO employer_workplaces (employer_id, name, municipality_code, district, staff_count, created_at) \
         VALUES ($1, $2, '0180', 'Södermalm', 20, 0) RETURNING id",
    )
    .bind(e.0)
    .bind(format!("{name} Södermalm"))
    .fetch_one(app.store.pool())
    .await
    .expect("insert workplace");
    (e.0, w.0)
}

/// A placement of `participant_id` in `intervention_id` at the host, from
/// `start` to `end` (YYYY-MM-DD), active, low risk.
pub async fn insert_placement(
    app: &TestApp,
    participant_id: i64,
    intervention_id: i64,
    host: (i64, i64),
    start: &str,
    end: &str,
    employment_form: &str,
) -> i64 {
    let row: (i64,) = sqlx::query_as(
        "INSERT INTO placements (participant_id, intervention_id, employer_id, workplace_id, \
         occupation_ssyk, role_title, start_date, end_date, employment_form, hours_per_week_minutes, \
         supervisor_name, risk_level, risk_explanation, status, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, '5321', 'Vårdbiträde', $5, $6, $7, 2400, 'Handledare Hansson', \
         'low', '[]', 'active', 0, 0) RETURNING id",
    )
    .bind(participant_id)
    .bind(intervention_id)
    .bind(host.0)
    .bind(host.1)
    .bind(start)
    .bind(end)
    .bind(employment_form)
    .fetch_one(app.store.pool())
    .await
    .expect("insert placement");
    row.0
}
