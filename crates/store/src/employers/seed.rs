//! Bulk insert for the synthetic city's employer register: `vagar seed`
//! only, never a request (the seed is audited as one system event). An
//! employer whose organisation number is already registered is left alone,
//! so seeding again adds nothing twice.

use crate::employers::upsert_employer;
use crate::{get, micros, Result, Store};
use chrono::{DateTime, NaiveDate, Utc};
use vagar_domain::employer::{accessibility_text, month_text, EmployerRecord, Requirement};

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct EmployerSeedCounts {
    pub employers: u64,
    pub workplaces: u64,
    pub contacts: u64,
    pub interactions: u64,
    pub partnerships: u64,
    pub outcomes: u64,
    pub contracts: u64,
    pub fulfilment_months: u64,
}

fn day(d: NaiveDate) -> String {
    d.format("%Y-%m-%d").to_string()
}

impl Store {
    /// Insert the employers not yet registered, with everything recorded
    /// about them, in one transaction; `recorder` is named as their author.
    pub async fn seed_employers(
        &self,
        records: &[EmployerRecord],
        recorder: Option<i64>,
        now: DateTime<Utc>,
    ) -> Result<EmployerSeedCounts> {
        let mut c = EmployerSeedCounts::default();
        let mut tx = self.pool.begin().await?;
        let at = micros(now);
        for r in records {
            let e = &r.employer;
            let (id, created) = upsert_employer(
                &mut tx,
                &e.organisation_number,
                &e.name,
                "coordinator",
                recorder,
                now,
            )
            .await?;
            if !created {
                continue;
            }
            c.employers += 1;
            sqlx::query("UPDATE employers SET sni_code = $1, size_class = $2 WHERE id = $3")
                .bind(e.sni_code.as_deref())
                .bind(e.size_class.as_str())
                .bind(id)
                .execute(&mut *tx)
                .await?;
            for w in &r.workplaces {
                sqlx::query(
                    "INSERT INTO employer_workplaces (employer_id, name, street_address, postal_code, \
                     city, municipality_code, district, accessibility, accessibility_note, created_at) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
                )
                .bind(id)
                .bind(w.name.as_str())
                .bind(w.street_address.as_deref())
                .bind(w.postal_code.as_deref())
                .bind(w.city.as_deref())
                .bind(w.municipality_code.as_str())
                .bind(w.district.as_deref())
                .bind(accessibility_text(&w.accessibility))
                .bind(w.accessibility_note.as_deref())
                .bind(at)
                .execute(&mut *tx)
                .await?;
                c.workplaces += 1;
            }
            for k in &r.contacts {
                sqlx::query(
                    "INSERT INTO employer_contacts (employer_id, name, title, email, phone, created_at) \
                     VALUES ($1, $2, $3, $4, $5, $6)",
                )
                .bind(id)
                .bind(k.name.as_str())
                .bind(k.title.as_deref())
                .bind(k.email.as_deref())
                .bind(k.phone.as_deref())
                .bind(at)
                .execute(&mut *tx)
                .await?;
                c.contacts += 1;
            }
            for i in &r.interactions {
                sqlx::query(
                    "INSERT INTO employer_interactions (employer_id, occurred_on, kind, note, created_by, created_at) \
                     VALUES ($1, $2, $3, $4, $5, $6)",
                )
                .bind(id)
                .bind(day(i.occurred_on))
                .bind(i.kind.as_str())
                .bind(i.note.as_str())
                .bind(recorder)
                .bind(at)
                .execute(&mut *tx)
                .await?;
                c.interactions += 1;
            }
            for (p, outcomes) in &r.partnerships {
                let row = sqlx::query(
                    "INSERT INTO partnership_agreements (employer_id, name, valid_from, valid_to, \
                     target_placements_per_year, target_hires_per_year, note, created_by, created_at) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id",
                )
                .bind(id)
                .bind(p.name.as_str())
                .bind(day(p.valid_from))
                .bind(p.valid_to.map(day))
                .bind(p.target_placements_per_year)
                .bind(p.target_hires_per_year)
                .bind(p.note.as_deref())
                .bind(recorder)
                .bind(at)
                .fetch_one(&mut *tx)
                .await?;
                let aid: i64 = get(&row, "id")?;
                c.partnerships += 1;
                for (on, kind) in outcomes {
                    sqlx::query(
                        "INSERT INTO partnership_outcomes (agreement_id, occurred_on, kind, created_by, created_at) \
                         VALUES ($1, $2, $3, $4, $5)",
                    )
                    .bind(aid)
                    .bind(day(*on))
                    .bind(kind.as_str())
                    .bind(recorder)
                    .bind(at)
                    .execute(&mut *tx)
                    .await?;
                    c.outcomes += 1;
                }
            }
            for (k, months) in &r.contracts {
                let (placements, share) = match k.requirement {
                    Requirement::Placements(n) => (Some(n), None),
                    Requirement::HoursShare(n) => (None, Some(n)),
                };
                let row = sqlx::query(
                    "INSERT INTO procurement_contracts (employer_id, contract_name, contract_reference, \
                     procuring_unit, period_from, period_to, requirement_kind, required_placements, \
                     required_hours_share_permille, note, created_by, created_at) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) RETURNING id",
                )
                .bind(id)
                .bind(k.contract_name.as_str())
                .bind(k.contract_reference.as_deref())
                .bind(k.procuring_unit.as_str())
                .bind(day(k.period_from))
                .bind(day(k.period_to))
                .bind(k.requirement.kind().as_str())
                .bind(placements)
                .bind(share)
                .bind(k.note.as_deref())
                .bind(recorder)
                .bind(at)
                .fetch_one(&mut *tx)
                .await?;
                let cid: i64 = get(&row, "id")?;
                c.contracts += 1;
                for m in months {
                    sqlx::query(
                        "INSERT INTO procurement_fulfilment (contract_id, month, placements, contract_hours, \
                         target_group_hours, created_by, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7)",
                    )
                    .bind(cid)
                    .bind(month_text(m.month))
                    .bind(m.placements)
                    .bind(m.contract_hours)
                    .bind(m.target_group_hours)
                    .bind(recorder)
                    .bind(at)
                    .execute(&mut *tx)
                    .await?;
                    c.fulfilment_months += 1;
                }
            }
        }
        tx.commit().await?;
        Ok(c)
    }
}
