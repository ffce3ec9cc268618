//! The staffing model's synthetic year (`vagar seed`, never a request).

use super::*;

/// What `seed_staffing` wrote.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct StaffingSeedCounts {
    pub staff: u64,
    pub requests: u64,
    pub assignments: u64,
    pub unit_months: u64,
    pub training: u64,
}

impl std::fmt::Display for StaffingSeedCounts {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "seeded a staffing pool: {} staff, {} requests, {} assignments, {} unit months, {} training records",
            self.staff, self.requests, self.assignments, self.unit_months, self.training
        )
    }
}

impl Store {
    /// The synthetic staffing model (`vagar seed`): `plan` is asked for with
    /// the number of participants available (the first ten by id are
    /// employed by the pool). Written in one transaction; nothing when the
    /// pool already exists. Linked to the first staffing-model intervention
    /// if there is one.
    pub async fn seed_staffing(
        &self,
        plan: impl FnOnce(usize) -> vagar_domain::work::staffing::StaffingPlan,
        now: DateTime<Utc>,
    ) -> Result<StaffingSeedCounts> {
        use vagar_domain::work::staffing::SeedPerson;
        let mut counts = StaffingSeedCounts::default();
        let participants: Vec<i64> =
            sqlx::query("SELECT id FROM participants ORDER BY id LIMIT 10")
                .fetch_all(&self.pool)
                .await?
                .iter()
                .map(|r| get::<i64>(r, "id"))
                .collect::<Result<_>>()?;
        let plan = plan(participants.len());
        let exists = sqlx::query("SELECT COUNT(*) AS n FROM staffing_pools WHERE name = $1")
            .bind(&plan.pool_name)
            .fetch_one(&self.pool)
            .await?;
        if get::<i64>(&exists, "n")? > 0 {
            return Ok(counts);
        }
        let mut units = Vec::new();
        for u in &plan.units {
            units.push(
                self.ensure_organisation(u, vagar_domain::OrgKind::MunicipalUnit)
                    .await?
                    .id,
            );
        }
        // The pool is run by the city's own staffing unit when there is one.
        let runner = match self
            .organisation_by_name("Stockholms stads bemanningspool")
            .await?
        {
            Some(o) => o.id,
            None => *units.first().ok_or(StoreError::NotFound)?,
        };
        let at = micros(now);
        let mut tx = self.pool.begin().await?;
        let intervention =
            sqlx::query("SELECT id FROM interventions WHERE model = 'staffing' ORDER BY id")
                .fetch_optional(&mut *tx)
                .await?
                .map(|r| get::<i64>(&r, "id"))
                .transpose()?;
        let row = sqlx::query(
            "INSERT INTO staffing_pools (intervention_id, name, organisation_id, hourly_price_ore, \
             hourly_week_cap_minutes, created_at) VALUES ($1, $2, $3, 32000, 2400, $4) RETURNING id",
        )
        .bind(intervention)
        .bind(&plan.pool_name)
        .bind(runner)
        .bind(at)
        .fetch_one(&mut *tx)
        .await?;
        let pool_id: i64 = get(&row, "id")?;
        let mut staff_ids = Vec::new();
        for s in &plan.staff {
            let (pid, name) = match &s.person {
                SeedPerson::Participant(i) => (participants.get(*i).copied(), None),
                SeedPerson::Regular(n) => (None, Some(n.clone())),
            };
            let row = sqlx::query(
                "INSERT INTO staffing_staff (pool_id, participant_id, name, employment_form, occupation_ssyk, \
                 hourly_wage_ore, active_from, active_to, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id",
            )
            .bind(pool_id)
            .bind(pid)
            .bind(name.or_else(|| pid.is_none().then(|| "Okänd".to_string())))
            .bind(s.employment_form.as_str())
            .bind(&s.occupation)
            .bind(s.hourly_wage_ore)
            .bind(date_text(s.active_from))
            .bind(s.active_to.map(date_text))
            .bind(at)
            .fetch_one(&mut *tx)
            .await?;
            staff_ids.push(get::<i64>(&row, "id")?);
            counts.staff += 1;
        }
        for r in &plan.requests {
            let row = sqlx::query(
                "INSERT INTO staffing_requests (pool_id, unit_organisation_id, work_date, start_minute, end_minute, \
                 occupation_ssyk, staff_count, status, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, 'open', $8) RETURNING id",
            )
            .bind(pool_id)
            .bind(units[r.unit])
            .bind(date_text(r.shift.date))
            .bind(r.shift.start_minute)
            .bind(r.shift.end_minute)
            .bind(&r.occupation)
            .bind(r.staff_count)
            .bind(at)
            .fetch_one(&mut *tx)
            .await?;
            let request_id: i64 = get(&row, "id")?;
            counts.requests += 1;
            for (a, worked) in r.assigned.iter().zip(&r.worked) {
                sqlx::query(
                    "INSERT INTO staffing_assignments (request_id, staff_id, work_date, start_minute, end_minute, \
                     worked_minutes, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7)",
                )
                .bind(request_id)
                .bind(staff_ids[*a])
                .bind(date_text(r.shift.date))
                .bind(r.shift.start_minute)
                .bind(r.shift.end_minute)
                .bind(*worked)
                .bind(at)
                .execute(&mut *tx)
                .await?;
                counts.assignments += 1;
            }
        }
        for h in &plan.unit_hours {
            sqlx::query(
                "INSERT INTO unit_monthly_hours (unit_organisation_id, month, total_minutes, hourly_minutes, reported_at) \
                 VALUES ($1, $2, $3, $4, $5)",
            )
            .bind(units[h.unit])
            .bind(&h.month)
            .bind(h.total_minutes)
            .bind(h.hourly_minutes)
            .bind(at)
            .execute(&mut *tx)
            .await?;
            counts.unit_months += 1;
        }
        for t in &plan.training {
            sqlx::query(
                "INSERT INTO training_progress (staff_id, course, occupation_ssyk, credits_total, credits_done, \
                 started_on, completed_on, version, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, 1, $8)",
            )
            .bind(staff_ids[t.staff])
            .bind(&t.course)
            .bind(&t.occupation)
            .bind(t.credits_total)
            .bind(t.credits_done)
            .bind(date_text(t.started_on))
            .bind(t.completed_on.map(date_text))
            .bind(at)
            .execute(&mut *tx)
            .await?;
            counts.training += 1;
        }
        tx.commit().await?;
        Ok(counts)
    }
}
