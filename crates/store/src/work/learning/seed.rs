//! The synthetic learning employments of `vagar seed` (never a request):
//! employer-model interventions, host-employed placements, their learning
//! employments, plans and the weeks done so far.

use crate::kernel::date_text;
use crate::{get, micros, Result, Store};
use chrono::NaiveDate;
use vagar_domain::participants::TargetGroup;
use vagar_domain::work::learning::{monday_of, plan_weeks, Completion, HireOutcome};
use vagar_domain::ValidationErrors;

/// What `seed_learning` wrote.
#[derive(Debug, Clone, Copy, Default)]
pub struct LearningSeedCounts {
    pub interventions: usize,
    pub learning_employments: usize,
    pub weeks: usize,
    pub weeks_recorded: usize,
}

impl Store {
    /// Write the synthetic learning employments of `vagar seed`: the
    /// employer-model interventions `(name, description)` (led by the first
    /// municipal unit, the school partners as partners), a host-employed
    /// placement per row at a seeded employer for a participant without a
    /// placement, the learning employment, its plan and the weeks done up
    /// to `as_of`. One transaction; nothing when the first intervention
    /// exists already (the seed may run again) or there are no employers.
    pub async fn seed_learning(
        &self,
        interventions: &[(&str, &str)],
        rows: &[vagar_domain::work::learning::LearningSeed],
        as_of: NaiveDate,
    ) -> Result<LearningSeedCounts> {
        use vagar_domain::work::learning::{seed_done_minutes, Split};
        let mut counts = LearningSeedCounts::default();
        let Some((first, _)) = interventions.first() else {
            return Ok(counts);
        };
        let mut tx = self.pool.begin().await?;
        let exists = sqlx::query("SELECT COUNT(*) AS n FROM interventions WHERE name = $1")
            .bind(*first)
            .fetch_one(&mut *tx)
            .await?;
        if get::<i64>(&exists, "n")? > 0 {
            return Ok(counts);
        }
        let lead: Option<i64> = sqlx::query(
            "SELECT id FROM organisations WHERE kind = 'municipal_unit' ORDER BY id LIMIT 1",
        )
        .fetch_optional(&mut *tx)
        .await?
        .map(|r| get(&r, "id"))
        .transpose()?;
        let schools: Vec<(i64, String)> = sqlx::query(
            "SELECT id, name FROM organisations WHERE kind IN ('school', 'adult_education') ORDER BY id",
        )
        .fetch_all(&mut *tx)
        .await?
        .iter()
        .map(|r| Ok((get(r, "id")?, get(r, "name")?)))
        .collect::<Result<_>>()?;
        // Employers linked to an organisation first (the demo employer user
        // then sees its own learning employments), each with a workplace.
        let employers: Vec<(i64, String, Option<i64>)> = sqlx::query(
            "SELECT e.id, COALESCE(e.sni_code, '') AS sni, (SELECT MIN(w.id) FROM employer_workplaces w WHERE w.employer_id = e.id) AS wp \
             FROM employers e ORDER BY CASE WHEN e.organisation_id IS NULL THEN 1 ELSE 0 END, e.id LIMIT 500",
        )
        .fetch_all(&mut *tx)
        .await?
        .iter()
        .map(|r| Ok((get(r, "id")?, get(r, "sni")?, get(r, "wp")?)))
        .collect::<Result<_>>()?;
        // People of the interventions' target groups (long-term unemployed,
        // newly arrived) without a placement.
        let mask =
            TargetGroup::to_mask(&[TargetGroup::LongTermUnemployed, TargetGroup::NewlyArrived]);
        let participants: Vec<i64> = sqlx::query(
            "SELECT p.id FROM participants p WHERE (p.target_mask & $1) <> 0 AND NOT EXISTS \
             (SELECT 1 FROM placements pl WHERE pl.participant_id = p.id) ORDER BY p.id LIMIT 200",
        )
        .bind(mask)
        .fetch_all(&mut *tx)
        .await?
        .iter()
        .map(|r| get(r, "id"))
        .collect::<Result<_>>()?;
        if employers.is_empty() || participants.len() < rows.len() {
            return Ok(counts);
        }
        let at = micros(as_of.and_hms_opt(8, 0, 0).unwrap_or_default().and_utc());
        let mut ids = vec![];
        for (name, description) in interventions {
            let r = sqlx::query(
                "INSERT INTO interventions (name, model, description, target_groups, capacity, period_from, \
                 period_to, funding, operator_kind, follow_up_plan, status, created_at, updated_at) \
                 VALUES ($1, 'employer', $2, 'long_term_unemployed,newly_arrived', 15, $3, $4, $5, 'municipality', $6, 'open', $7, $8) \
                 RETURNING id",
            )
            .bind(*name)
            .bind(*description)
            .bind(date_text(as_of - chrono::Duration::days(400)))
            .bind(date_text(as_of + chrono::Duration::days(365)))
            .bind("Kommunens arbetsmarknadsmedel och lönestöd")
            .bind("Andel i arbete eller studier 90 dagar efter avslut; följs upp av arbetsmarknadsenheten och redovisas i styrgruppen varje kvartal.")
            .bind(at)
            .bind(at)
            .fetch_one(&mut *tx)
            .await?;
            let id: i64 = get(&r, "id")?;
            sqlx::query(
                "INSERT INTO intervention_indicators (intervention_id, outcome, measured_after_days, target_percent, description) \
                 VALUES ($1, 'work_or_studies', 90, 60, 'I arbete eller studier 90 dagar efter avslut')",
            )
            .bind(id)
            .execute(&mut *tx)
            .await?;
            if let Some(lead) = lead {
                sqlx::query(
                    "INSERT INTO intervention_organisations (intervention_id, organisation_id, role) VALUES ($1, $2, 'lead')",
                )
                .bind(id)
                .bind(lead)
                .execute(&mut *tx)
                .await?;
            }
            for (school, _) in &schools {
                sqlx::query(
                    "INSERT INTO intervention_organisations (intervention_id, organisation_id, role) VALUES ($1, $2, 'partner')",
                )
                .bind(id)
                .bind(*school)
                .execute(&mut *tx)
                .await?;
            }
            ids.push(id);
        }
        counts.interventions = ids.len();
        // Care (SNI 86–88) and construction (41–43) employers where there are.
        let by_sni = |prefixes: &[&str]| -> Vec<&(i64, String, Option<i64>)> {
            employers
                .iter()
                .filter(|e| prefixes.iter().any(|p| e.1.starts_with(p)))
                .collect()
        };
        let sectors = [by_sni(&["86", "87", "88"]), by_sni(&["41", "42", "43"])];
        for (i, s) in rows.iter().enumerate() {
            let Some(&intervention) = ids.get(s.intervention) else {
                continue;
            };
            let employer = match sectors.get(s.intervention).filter(|v| !v.is_empty()) {
                Some(v) => v[i % v.len()],
                None => &employers[i % employers.len()],
            };
            // Spread over the list rather than the first few people.
            let participant = participants[(i * 7) % participants.len()];
            let (status, exit_outcome) = match (s.completion, s.hire) {
                (None, _) => ("active", None),
                (Some(_), Some((HireOutcome::Hired, _))) => ("ended", Some("work_unsubsidised")),
                (Some((Completion::Discontinued, _)), _) => ("ended", Some("unemployed")),
                (Some(_), _) => ("ended", Some("unknown")),
            };
            let r = sqlx::query(
                "INSERT INTO placements (participant_id, intervention_id, employer_id, workplace_id, occupation_ssyk, \
                 role_title, start_date, end_date, employment_form, hours_per_week_minutes, planned_work_percent, \
                 planned_study_percent, monthly_wage_ore, supervisor_name, risk_level, risk_explanation, status, \
                 exit_date, exit_outcome, created_at, updated_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 'host', $9, $10, $11, $12, $13, 'low', '[]', $14, $15, $16, $17, $18) \
                 RETURNING id",
            )
            .bind(participant)
            .bind(intervention)
            .bind(employer.0)
            .bind(employer.2)
            .bind(s.ssyk.as_str())
            .bind(s.role_title.as_str())
            .bind(date_text(s.start))
            .bind(date_text(s.end))
            .bind(s.hours_per_week_minutes)
            .bind(s.work_percent)
            .bind(s.study_percent)
            .bind(2_450_000_i64)
            .bind("Handledare på arbetsplatsen")
            .bind(status)
            .bind(s.completion.map(|c| date_text(c.1)))
            .bind(exit_outcome)
            .bind(at)
            .bind(at)
            .fetch_one(&mut *tx)
            .await?;
            let placement: i64 = get(&r, "id")?;
            let school = schools.get(s.school % schools.len().max(1));
            sqlx::query(
                "INSERT INTO learning_employments (placement_id, school_organisation_id, school_name, programme, \
                 work_percent, study_percent, deviation_threshold_pp, completed_on, completion, hired_after, hired_on, \
                 version, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, 5, $7, $8, $9, $10, 1, $11, $12)",
            )
            .bind(placement)
            .bind(school.map(|s| s.0))
            .bind(school.map(|s| s.1.clone()).unwrap_or_else(|| "Vård- och omsorgscollege".into()))
            .bind(s.programme.as_str())
            .bind(s.work_percent)
            .bind(s.study_percent)
            .bind(s.completion.map(|c| date_text(c.1)))
            .bind(s.completion.map(|c| c.0.as_str()))
            .bind(s.hire.map(|h| h.0.as_str()))
            .bind(s.hire.map(|h| date_text(h.1)))
            .bind(at)
            .bind(at)
            .execute(&mut *tx)
            .await?;
            let mut e = ValidationErrors::new();
            let Some(split) = Split::parse(&mut e, Some(s.work_percent), Some(s.study_percent))
            else {
                continue;
            };
            let last = s.completion.map(|c| c.1).unwrap_or(s.end).min(as_of);
            for (wi, w) in plan_weeks(s.start, s.end, s.hours_per_week_minutes, split)
                .iter()
                .enumerate()
            {
                let (pw, ps) = if s.exam_week == Some(wi) {
                    let total = w.work_minutes + w.study_minutes;
                    (total / 2, total - total / 2)
                } else {
                    (w.work_minutes, w.study_minutes)
                };
                let done =
                    (w.week_start <= monday_of(last)).then(|| seed_done_minutes(s, wi, (pw, ps)));
                sqlx::query(
                    "INSERT INTO placement_weeks (placement_id, week_start, planned_work_minutes, planned_study_minutes, \
                     done_work_minutes, done_study_minutes, recorded_at) VALUES ($1, $2, $3, $4, $5, $6, $7)",
                )
                .bind(placement)
                .bind(date_text(w.week_start))
                .bind(pw)
                .bind(ps)
                .bind(done.map(|d| d.0))
                .bind(done.map(|d| d.1))
                .bind(done.map(|_| at))
                .execute(&mut *tx)
                .await?;
                counts.weeks += 1;
                counts.weeks_recorded += usize::from(done.is_some());
            }
            counts.learning_employments += 1;
        }
        tx.commit().await?;
        self.audit_system(
            "learning.seed",
            &format!(
                "synthetic learning employments {}, weeks {} ({} recorded) in {} interventions as of {as_of}",
                counts.learning_employments, counts.weeks, counts.weeks_recorded, counts.interventions
            ),
        )
        .await?;
        Ok(counts)
    }
}
