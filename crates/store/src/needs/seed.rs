//! Inserting the demo competence needs (`vagar seed`) at the seeded
//! employers' workplaces.

use chrono::{DateTime, NaiveDate, Utc};

use crate::kernel::bulk::{insert_rows, sync_id_sequences};
use crate::kernel::sql::Arg;
use crate::{get, micros, Result, Store};

/// A demo need for the employer at `employer_index` in `employers_with_workplace()`.
#[derive(Debug, Clone)]
pub struct NeedRow {
    pub employer_index: usize,
    pub title: String,
    pub ssyk_code: String,
    pub occupation_id: Option<String>,
    pub occupation_label: String,
    pub positions: i64,
    pub swedish_level: Option<String>,
    pub driving_licences: String,
    pub education_level: Option<String>,
    pub start_date: NaiveDate,
    pub duration_months: i64,
    pub part_time: bool,
    pub forms: String,
    pub skills: Vec<(String, String, bool)>,
    pub status: String,
}

impl Store {
    /// (employer, its first workplace) for every employer with a workplace.
    pub async fn employers_with_workplace(&self) -> Result<Vec<(i64, i64)>> {
        let rows = sqlx::query(
            "SELECT e.id, MIN(w.id) AS workplace FROM employers e \
             JOIN employer_workplaces w ON w.employer_id = e.id GROUP BY e.id ORDER BY e.id",
        )
        .fetch_all(&self.pool)
        .await?;
        rows.iter()
            .map(|r| Ok((get(r, "id")?, get(r, "workplace")?)))
            .collect()
    }

    /// The SNI code of each employer of `employers` (as
    /// `employers_with_workplace` gives them), in the same order; `None`
    /// where none is recorded. The seed fits occupations to these.
    pub async fn seed_employer_industries(
        &self,
        employers: &[(i64, i64)],
    ) -> Result<Vec<Option<String>>> {
        let rows = sqlx::query("SELECT id, sni_code FROM employers")
            .fetch_all(&self.pool)
            .await?;
        let mut sni = std::collections::HashMap::new();
        for r in &rows {
            sni.insert(get::<i64>(r, "id")?, get::<Option<String>>(r, "sni_code")?);
        }
        Ok(employers
            .iter()
            .map(|(e, _)| sni.get(e).cloned().flatten())
            .collect())
    }

    /// Whether demo needs were seeded already (a coordinator's need with no creator).
    pub async fn demo_needs_seeded(&self) -> Result<bool> {
        let row = sqlx::query(
            "SELECT COUNT(*) AS n FROM competence_needs WHERE source = 'coordinator' AND created_by IS NULL",
        )
        .fetch_one(&self.pool)
        .await?;
        Ok(get::<i64>(&row, "n")? > 0)
    }

    /// Insert demo needs; returns how many.
    pub async fn seed_needs(&self, rows: &[NeedRow], now: DateTime<Utc>) -> Result<u64> {
        let employers = self.employers_with_workplace().await?;
        if employers.is_empty() || rows.is_empty() {
            return Ok(0);
        }
        let mut tx = self.pool.begin().await?;
        let first = sqlx::query("SELECT COALESCE(MAX(id), 0) AS m FROM competence_needs")
            .fetch_one(&mut *tx)
            .await?;
        let first: i64 = get::<i64>(&first, "m")? + 1;
        let at = micros(now);
        let mut needs = Vec::with_capacity(rows.len());
        let mut skills = Vec::new();
        for (i, r) in rows.iter().enumerate() {
            let id = first + i as i64;
            let (employer, workplace) = employers[r.employer_index % employers.len()];
            let filled = if r.status == "filled" { r.positions } else { 0 };
            needs.push(vec![
                Arg::I64(id),
                Arg::I64(employer),
                Arg::I64(workplace),
                Arg::Text(r.title.clone()),
                Arg::Text(r.ssyk_code.clone()),
                Arg::OptText(r.occupation_id.clone()),
                Arg::Text(r.occupation_label.clone()),
                Arg::I64(r.positions),
                Arg::I64(filled),
                Arg::OptText(r.swedish_level.clone()),
                Arg::Text(r.driving_licences.clone()),
                Arg::OptText(r.education_level.clone()),
                Arg::Text(r.start_date.format("%Y-%m-%d").to_string()),
                Arg::I64(r.duration_months),
                Arg::Text(
                    if r.part_time {
                        "part_time"
                    } else {
                        "full_time"
                    }
                    .into(),
                ),
                Arg::Text(r.forms.clone()),
                Arg::Text(r.status.clone()),
                Arg::Text("coordinator".into()),
                Arg::I64(at),
                Arg::I64(at),
                Arg::I64(at),
            ]);
            for (skill, label, required) in &r.skills {
                skills.push(vec![
                    Arg::I64(id),
                    Arg::Text(skill.clone()),
                    Arg::Text(label.clone()),
                    Arg::I64(i64::from(*required)),
                ]);
            }
        }
        let n = insert_rows(
            &mut tx,
            "competence_needs",
            &[
                "id",
                "employer_id",
                "workplace_id",
                "title",
                "ssyk_code",
                "occupation_id",
                "occupation_label",
                "positions",
                "filled",
                "swedish_level",
                "driving_licences",
                "education_level",
                "start_date",
                "duration_months",
                "working_time",
                "forms",
                "status",
                "source",
                "triaged_at",
                "created_at",
                "updated_at",
            ],
            needs,
        )
        .await?;
        insert_rows(
            &mut tx,
            "competence_need_skills",
            &["need_id", "skill_id", "label", "required"],
            skills,
        )
        .await?;
        // Explicit ids do not move PostgreSQL's identity sequence.
        sync_id_sequences(&mut tx, self.backend, &["competence_needs"]).await?;
        tx.commit().await?;
        Ok(n)
    }
}
