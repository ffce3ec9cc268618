//! The demo year of interventions, placements and staff reductions
//! (`vagar seed`, never a request): placements are assessed like real ones
//! and get their plan step.

use super::write_organisations;
use crate::kernel::date_at;
use crate::plans::linked::{add_plan_step, close_plan_step};
use crate::work::displacement::assess_in;
use crate::work::placements::{host_name, insert_placement, Host, NewRow};
use crate::{get, micros, Ctx, Result, Store};
use vagar_domain::participants::TargetGroup;
use vagar_domain::work::displacement::RiskLevel;
use vagar_domain::work::placements::PlacementStatus;

/// What `seed_interventions` wrote.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct InterventionSeedCounts {
    pub interventions: u64,
    pub placements: u64,
    pub reductions: u64,
    pub blocked: u64,
}

impl Store {
    /// The demo year of interventions (`vagar seed`): `generate` gets the
    /// participants on offer (id, birth date, target groups; the first
    /// 3 000) and the hosts' SNI codes (employers with a workplace, by
    /// index), and returns what to write. Placements are assessed like real ones (after
    /// the reductions, so some are blocked; the first blocked one is
    /// overridden by the demo coordinator) and get their plan step.
    /// Nothing happens when the demo interventions exist already.
    pub async fn seed_interventions(
        &self,
        recorder: i64,
        home_id: i64,
        generate: impl FnOnce(
            &[vagar_domain::work::interventions::seed_rows::Candidate],
            &[Option<String>],
        ) -> vagar_domain::work::interventions::seed_rows::WorkSeed,
    ) -> Result<InterventionSeedCounts> {
        let mut counts = InterventionSeedCounts::default();
        let done = sqlx::query("SELECT COUNT(*) AS n FROM interventions WHERE funding = 'Kommunens arbetsmarknadsanslag' AND created_by = $1")
            .bind(recorder)
            .fetch_one(&self.pool)
            .await?;
        if get::<i64>(&done, "n")? > 0 {
            return Ok(counts);
        }
        let rows = sqlx::query(
            "SELECT id, birth_date, target_mask FROM participants ORDER BY id LIMIT 3000",
        )
        .fetch_all(&self.pool)
        .await?;
        let mut candidates = Vec::with_capacity(rows.len());
        for r in &rows {
            candidates.push((
                get::<i64>(r, "id")?,
                date_at(r, "birth_date")?,
                TargetGroup::from_mask(get(r, "target_mask")?),
            ));
        }
        let mut hosts = self.employers_with_workplace().await?;
        hosts.truncate(40);
        let industries = self.seed_employer_industries(&hosts).await?;
        let plan = generate(&candidates, &industries);
        let now = chrono::Utc::now();
        let ctx = Ctx {
            actor: vagar_domain::access::Actor {
                user_id: recorder,
                username: "seed".into(),
                role: vagar_domain::Role::Caseworker,
                organisation_id: home_id,
            },
            request_id: "seed".into(),
            now,
        };
        let coordinator = sqlx::query(
            "SELECT id FROM users WHERE role = 'employer_coordinator' ORDER BY id LIMIT 1",
        )
        .fetch_optional(&self.pool)
        .await?
        .map(|r| get::<i64>(&r, "id"))
        .transpose()?;
        let today = ctx.today();
        let mut tx = self.pool.begin().await?;
        // The demo employer user's organisation hosts at the first employer,
        // so `/mina-placeringar` has something to show.
        if let Some((first, _)) = hosts.first() {
            sqlx::query(
                "UPDATE employers SET organisation_id = (SELECT id FROM organisations WHERE name = 'Exempelbolaget AB') \
                 WHERE id = $1 AND organisation_id IS NULL \
                 AND NOT EXISTS (SELECT 1 FROM employers e2 WHERE e2.organisation_id = (SELECT id FROM organisations WHERE name = 'Exempelbolaget AB'))",
            )
            .bind(first)
            .execute(&mut *tx)
            .await?;
        }
        for (k, (_, w)) in hosts.iter().enumerate() {
            // Two small workplaces, where one placement is above the share limit.
            let staff = if k == 1 || k == 2 {
                3
            } else {
                6 + (w * 7) % 45
            };
            sqlx::query("UPDATE employer_workplaces SET staff_count = $1 WHERE id = $2 AND staff_count IS NULL")
                .bind(staff)
                .bind(w)
                .execute(&mut *tx)
                .await?;
        }
        let stamp = micros(now);
        let mut ids = Vec::new();
        for iv in &plan.interventions {
            let groups: Vec<&str> = iv.target_groups.iter().map(|g| g.as_str()).collect();
            let r = sqlx::query(
                "INSERT INTO interventions (name, programme_type, description, target_groups, capacity, period_from, \
                 funding, operator_kind, follow_up_plan, status, version, created_by, created_at, updated_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, 'municipality', $8, 'open', 1, $9, $10, $11) RETURNING id",
            )
            .bind(iv.name)
            .bind(iv.programme_type.as_str())
            .bind(iv.description)
            .bind(groups.join(","))
            .bind(iv.capacity)
            .bind(iv.period_from.to_string())
            .bind(iv.funding)
            .bind(iv.follow_up_plan)
            .bind(recorder)
            .bind(stamp)
            .bind(stamp)
            .fetch_one(&mut *tx)
            .await?;
            let id: i64 = get(&r, "id")?;
            write_organisations(&mut tx, id, &[home_id], Some(home_id)).await?;
            for (outcome, days, target) in &iv.indicators {
                sqlx::query(
                    "INSERT INTO intervention_indicators (intervention_id, outcome, measured_after_days, target_percent) VALUES ($1, $2, $3, $4)",
                )
                .bind(id)
                .bind(*outcome)
                .bind(*days)
                .bind(*target)
                .execute(&mut *tx)
                .await?;
            }
            ids.push((id, iv.name));
            counts.interventions += 1;
        }
        for r in &plan.reductions {
            let Some((employer, workplace)) = hosts.get(r.host) else {
                continue;
            };
            sqlx::query(
                "INSERT INTO host_staff_reductions (employer_id, workplace_id, occupation_ssyk, kind, occurred_on, persons, note, created_by, created_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
            )
            .bind(employer)
            .bind(workplace)
            .bind(r.occupation_ssyk)
            .bind(if r.dismissal { "dismissal" } else { "notice" })
            .bind(r.occurred_on.to_string())
            .bind(r.persons)
            .bind(r.note)
            .bind(coordinator.unwrap_or(recorder))
            .bind(stamp)
            .execute(&mut *tx)
            .await?;
            counts.reductions += 1;
        }
        let mut order: Vec<&vagar_domain::work::interventions::seed_rows::SeedPlacement> =
            plan.placements.iter().collect();
        order.sort_by_key(|p| (p.terms.start_date, p.participant_id));
        let mut overridden = false;
        for p in order {
            let (Some(&(employer, workplace)), Some(&(intervention_id, intervention_name))) =
                (hosts.get(p.host), ids.get(p.intervention))
            else {
                continue;
            };
            let host = Host {
                employer_id: Some(employer),
                workplace_id: Some(workplace),
                host_organisation_id: None,
            };
            let t = &p.terms;
            let a = assess_in(
                &mut tx,
                &host,
                &t.occupation_ssyk,
                t.start_date,
                t.end_date,
                t.extra_task,
                None,
            )
            .await?;
            let blocked = a.level == RiskLevel::Blocked;
            let status = match p.exit {
                Some(_) => PlacementStatus::Ended,
                None => PlacementStatus::for_start(t.start_date, today),
            };
            let label = host_name(&mut tx, &host).await?;
            let step = add_plan_step(
                &mut tx,
                &ctx,
                p.participant_id,
                t,
                intervention_name,
                &label,
                PlacementStatus::for_start(t.start_date, today),
            )
            .await?;
            let over = blocked && !overridden && p.exit.is_none() && coordinator.is_some();
            overridden |= over;
            counts.blocked += u64::from(blocked);
            const OVERRIDE: &str = "Varslet gällde en annan enhet hos arbetsgivaren; placeringen är ett extra inslag som bestämdes innan.";
            let row = NewRow {
                participant_id: p.participant_id,
                intervention_id,
                host,
                need_id: None,
                terms: t,
                risk: &a,
                override_by: coordinator.filter(|_| over).map(|c| (OVERRIDE, c)),
                status: status.as_str(),
                exit: p.exit.map(|(d, o)| (d, o.as_str())),
                plan_step_id: step,
                created_by: recorder,
                at: stamp,
            };
            insert_placement(&mut tx, &row).await?;
            if let Some((d, o)) = p.exit {
                close_plan_step(
                    &mut tx,
                    &ctx,
                    step,
                    &format!("Avslutad {d}: {}", o.as_str()),
                )
                .await?;
            }
            counts.placements += 1;
        }
        tx.commit().await?;
        Ok(counts)
    }
}
