//! The rental model's synthetic year (`vagar seed`, never a request):
//! contracts, assignments, weeks, invoices and the ledger, recorded as one
//! system event.

use super::invoices::{issue, seller_of, Issue};
use vagar_domain::work::rental::invoice::InvoiceKind;

/// The demo seller's organisation number (made up, checksum valid): given
/// to the seeding organisation when it has none, so its invoices carry one.
const DEMO_SELLER_ORG_NUMBER: &str = "2120009994";
use crate::access::{record_system, SYSTEM};
use crate::kernel::date_text;
use crate::{get, micros, Result, Store, StoreError};
use chrono::{DateTime, Duration, NaiveDate, Utc};
use std::collections::BTreeMap;
use vagar_domain::work::rental::{
    invoice_lines, ApprovedWeek, Month, PendingWeek, TimesheetStatus,
};

#[derive(Debug, Clone)]
pub struct RentalSeedHost {
    pub organisation_number: String,
    pub name: String,
    pub link_organisation: Option<String>,
    /// SNI code recorded on the employer when it has none.
    pub sni: Option<String>,
}

#[derive(Debug, Clone)]
pub struct RentalSeedContract {
    pub participant_id: i64,
    pub from: NaiveDate,
    pub to: NaiveDate,
    pub hours_per_week_minutes: i64,
    pub hourly_wage_ore: i64,
    pub employer_fee_permille: i64,
    pub host: usize,
    pub role_title: String,
    pub occupation_ssyk: String,
    pub hourly_rate_ore: i64,
    pub supervisor: String,
}

#[derive(Debug, Clone)]
pub struct RentalSeedWeek {
    pub contract: usize,
    pub monday: NaiveDate,
    pub minutes: [i64; 7],
    pub status: String,
    pub reason: Option<String>,
}

#[derive(Debug, Clone)]
pub struct RentalSeed {
    pub name: String,
    pub period_from: NaiveDate,
    pub period_to: NaiveDate,
    pub hosts: Vec<RentalSeedHost>,
    pub contracts: Vec<RentalSeedContract>,
    pub weeks: Vec<RentalSeedWeek>,
    /// (month, kind, amount in öre, note)
    pub ledger: Vec<(String, String, i64, String)>,
}

#[derive(Debug, Clone, Copy, Default)]
pub struct RentalSeedCounts {
    pub contracts: u64,
    pub weeks: u64,
    pub invoices: u64,
    pub ledger: u64,
}

impl Store {
    /// The first `limit` participants of an organisation, by id, who are
    /// young (16–29, the youth target group, over the whole demo year up
    /// to `as_of`) and hold no other placement: the seed's employees.
    pub async fn rental_seed_participants(
        &self,
        organisation_id: i64,
        limit: i64,
        as_of: NaiveDate,
    ) -> Result<Vec<i64>> {
        use vagar_domain::work::placements::enrolment::{YOUTH_MAX_AGE, YOUTH_MIN_AGE};
        let years = |n: u32| {
            as_of
                .checked_sub_months(chrono::Months::new(12 * n))
                .unwrap_or(as_of)
        };
        // 16 a year before as_of, and not yet 30 on as_of.
        let youngest = years(YOUTH_MIN_AGE + 1);
        let oldest = years(YOUTH_MAX_AGE + 1);
        let rows = sqlx::query(
            "SELECT id FROM participants p WHERE organisation_id = $1 AND birth_date <= $2 AND birth_date > $3 \
             AND NOT EXISTS (SELECT 1 FROM placements pl WHERE pl.participant_id = p.id \
             AND pl.status IN ('planned', 'active')) ORDER BY id LIMIT $4",
        )
        .bind(organisation_id)
        .bind(date_text(youngest))
        .bind(date_text(oldest))
        .bind(limit)
        .fetch_all(&self.pool)
        .await?;
        rows.iter().map(|r| get::<i64>(r, "id")).collect()
    }

    /// Whether the rental demo intervention exists already.
    pub async fn rental_seeded(&self, name: &str) -> Result<bool> {
        let r = sqlx::query("SELECT COUNT(*) AS n FROM interventions WHERE name = $1")
            .bind(name)
            .fetch_one(&self.pool)
            .await?;
        Ok(get::<i64>(&r, "n")? > 0)
    }

    /// Write the rental demo in one transaction: the intervention and its
    /// placements (straight to the tables, as the interventions part's own
    /// seed does), contracts, assignments, weeks, the months' invoices where
    /// every week of a host is approved (made by the app's rules), and the
    /// ledger. Audited as one system event.
    pub async fn seed_rental(
        &self,
        s: &RentalSeed,
        recorder: Option<i64>,
        as_of: NaiveDate,
        now: DateTime<Utc>,
    ) -> Result<RentalSeedCounts> {
        let mut counts = RentalSeedCounts::default();
        if s.contracts.is_empty() || self.rental_seeded(&s.name).await? {
            return Ok(counts);
        }
        let at = micros(now);
        let mut tx = self.begin_audited().await?;
        let r = sqlx::query(
            "INSERT INTO interventions (name, model, description, target_groups, capacity, period_from, period_to, \
             funding, operator_kind, follow_up_plan, status, created_by, created_at, updated_at) \
             VALUES ($1, 'rental', $2, 'youth', 20, $3, $4, $5, 'municipal_company', $6, 'open', $7, $8, $9) RETURNING id",
        )
        .bind(&s.name)
        .bind("Unga anställs av det kommunala bolaget och hyrs ut till arbetsgivare med handledning.")
        .bind(date_text(s.period_from))
        .bind(date_text(s.period_to))
        .bind("Kommunens arbetsmarknadsanslag och anställningsstöd")
        .bind("Arbete eller studier 90 och 365 dagar efter avslut, följs upp av bolaget varje kvartal.")
        .bind(recorder)
        .bind(at)
        .bind(at)
        .fetch_one(&mut *tx)
        .await?;
        let intervention: i64 = get(&r, "id")?;
        for (days, target) in [(90, 50), (365, 60)] {
            sqlx::query(
                "INSERT INTO intervention_indicators (intervention_id, outcome, measured_after_days, target_percent, description) \
                 VALUES ($1, 'work_or_studies', $2, $3, 'Andel i arbete eller studier')",
            )
            .bind(intervention)
            .bind(days)
            .bind(target)
            .execute(&mut *tx)
            .await?;
        }
        let mut hosts = vec![];
        for h in &s.hosts {
            let org = vagar_domain::OrganisationNumber::from_canonical(&h.organisation_number)
                .map_err(|_| {
                    StoreError::Other("seed host has an invalid organisation number".into())
                })?;
            let (employer, _) = crate::employers::upsert_employer(
                &mut tx,
                &org,
                &h.name,
                "coordinator",
                recorder,
                now,
            )
            .await?;
            if let Some(sni) = &h.sni {
                sqlx::query(
                    "UPDATE employers SET sni_code = $1 WHERE id = $2 AND sni_code IS NULL",
                )
                .bind(sni)
                .bind(employer)
                .execute(&mut *tx)
                .await?;
            }
            if let Some(link) = &h.link_organisation {
                // The demo host's organisation may already act for another
                // employer (the interventions seed links one): a group with two
                // organisation numbers, so its user sees placements and weeks.
                sqlx::query(
                    "UPDATE employers SET organisation_id = (SELECT id FROM organisations WHERE name = $1) \
                     WHERE id = $2 AND organisation_id IS NULL",
                )
                .bind(link)
                .bind(employer)
                .execute(&mut *tx)
                .await?;
            }
            let w =
                sqlx::query("SELECT MIN(id) AS id FROM employer_workplaces WHERE employer_id = $1")
                    .bind(employer)
                    .fetch_one(&mut *tx)
                    .await?;
            let workplace = match get::<Option<i64>>(&w, "id")? {
                Some(w) => w,
                None => {
                    let r = sqlx::query(
                        "INSERT INTO employer_workplaces (employer_id, name, municipality_code, created_at) \
                         VALUES ($1, $2, '0180', $3) RETURNING id",
                    )
                    .bind(employer)
                    .bind(&h.name)
                    .bind(at)
                    .fetch_one(&mut *tx)
                    .await?;
                    get::<i64>(&r, "id")?
                }
            };
            hosts.push((employer, workplace));
        }
        let mut placements = vec![];
        for c in &s.contracts {
            let r = sqlx::query(
                "INSERT INTO rental_contracts (participant_id, intervention_id, period_from, period_to, \
                 hours_per_week_minutes, hourly_wage_ore, employer_fee_permille, created_by, created_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id",
            )
            .bind(c.participant_id)
            .bind(intervention)
            .bind(date_text(c.from))
            .bind(date_text(c.to))
            .bind(c.hours_per_week_minutes)
            .bind(c.hourly_wage_ore)
            .bind(c.employer_fee_permille)
            .bind(recorder)
            .bind(at)
            .fetch_one(&mut *tx)
            .await?;
            let contract: i64 = get(&r, "id")?;
            let (employer, workplace) = hosts[c.host % hosts.len()];
            let r = sqlx::query(
                "INSERT INTO placements (participant_id, intervention_id, employer_id, workplace_id, occupation_ssyk, \
                 role_title, start_date, end_date, employment_form, hours_per_week_minutes, supervisor_name, \
                 risk_level, risk_explanation, status, created_by, created_at, updated_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 'municipality', $9, $10, 'low', '[]', $11, $12, $13, $14) RETURNING id",
            )
            .bind(c.participant_id)
            .bind(intervention)
            .bind(employer)
            .bind(workplace)
            .bind(&c.occupation_ssyk)
            .bind(&c.role_title)
            .bind(date_text(c.from))
            .bind(date_text(c.to))
            .bind(c.hours_per_week_minutes)
            .bind(&c.supervisor)
            .bind(if c.to < as_of { "ended" } else { "active" })
            .bind(recorder)
            .bind(at)
            .bind(at)
            .fetch_one(&mut *tx)
            .await?;
            let placement: i64 = get(&r, "id")?;
            sqlx::query(
                "INSERT INTO rental_assignments (placement_id, contract_id, hourly_rate_ore, created_at) VALUES ($1, $2, $3, $4)",
            )
            .bind(placement)
            .bind(contract)
            .bind(c.hourly_rate_ore)
            .bind(at)
            .execute(&mut *tx)
            .await?;
            placements.push((placement, employer, c.hourly_rate_ore));
            counts.contracts += 1;
        }
        // Weeks, and what the invoices need from them.
        let mut by_host: BTreeMap<i64, (Vec<ApprovedWeek>, Vec<PendingWeek>)> = BTreeMap::new();
        for w in &s.weeks {
            let (placement, employer, rate) = placements[w.contract];
            let days: Vec<(NaiveDate, i64)> = (0..7)
                .map(|i| (w.monday + Duration::days(i as i64), w.minutes[i]))
                .filter(|(_, m)| *m > 0)
                .collect();
            let total: i64 = days.iter().map(|(_, m)| m).sum();
            let decided = w.status != "submitted";
            let r = sqlx::query(
                "INSERT INTO timesheets (placement_id, week_start, status, total_minutes, entered_by, entered_at, \
                 decided_at, decision_note) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id",
            )
            .bind(placement)
            .bind(date_text(w.monday))
            .bind(&w.status)
            .bind(total)
            .bind(recorder)
            .bind(at)
            .bind(decided.then_some(at))
            .bind(w.reason.as_deref())
            .fetch_one(&mut *tx)
            .await?;
            let id: i64 = get(&r, "id")?;
            for (d, m) in &days {
                sqlx::query(
                    "INSERT INTO timesheet_days (timesheet_id, day, minutes) VALUES ($1, $2, $3)",
                )
                .bind(id)
                .bind(date_text(*d))
                .bind(*m)
                .execute(&mut *tx)
                .await?;
            }
            let entry = by_host.entry(employer).or_default();
            if w.status == "approved" {
                entry.0.push(ApprovedWeek {
                    timesheet_id: id,
                    placement_id: placement,
                    week_start: w.monday,
                    days,
                    rate_ore: rate,
                });
            } else {
                entry.1.push(PendingWeek {
                    week_start: w.monday,
                    placement_id: placement,
                    status: TimesheetStatus::parse(&w.status).unwrap_or(TimesheetStatus::Submitted),
                });
            }
            counts.weeks += 1;
        }
        // Invoices for every finished month a host can be invoiced for, sold
        // by the recorder's organisation (the seed names no lead), which is
        // given a demo organisation number if it has none.
        let seller_org: Option<i64> = match recorder {
            None => None,
            Some(u) => {
                let r = sqlx::query("SELECT organisation_id FROM users WHERE id = $1")
                    .bind(u)
                    .fetch_optional(&mut *tx)
                    .await?;
                r.map(|r| get::<i64>(&r, "organisation_id")).transpose()?
            }
        };
        if let Some(org) = seller_org {
            sqlx::query(
                "UPDATE organisations SET org_number = $1 WHERE id = $2 AND org_number IS NULL \
                 AND NOT EXISTS (SELECT 1 FROM organisations o WHERE o.org_number = $1)",
            )
            .bind(DEMO_SELLER_ORG_NUMBER)
            .bind(org)
            .execute(&mut *tx)
            .await?;
        }
        let seller = seller_of(&mut tx, intervention, seller_org).await?;
        let this_month = Month::of(as_of);
        let first = Month::of(s.period_from);
        for (employer, (approved, pending)) in &by_host {
            for month in first.through(this_month) {
                if month >= this_month {
                    break;
                }
                let Ok(lines) = invoice_lines(month, approved, pending) else {
                    continue;
                };
                let Some(seller) = &seller else { continue };
                // Dated the first day after the month, as a monthly invoice is.
                issue(
                    &mut tx,
                    Issue {
                        intervention_id: intervention,
                        employer_id: *employer,
                        month,
                        kind: InvoiceKind::Invoice,
                        credits: None,
                        invoice_date: month.next().first_day(),
                        lines: &lines,
                        seller,
                        created_by: recorder,
                        created_at: at,
                    },
                )
                .await?;
                counts.invoices += 1;
            }
        }
        for (month, kind, amount, note) in &s.ledger {
            sqlx::query(
                "INSERT INTO intervention_ledger (intervention_id, month, kind, amount_ore, note, created_by, created_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7)",
            )
            .bind(intervention)
            .bind(month)
            .bind(kind)
            .bind(*amount)
            .bind(note)
            .bind(recorder)
            .bind(at)
            .execute(&mut *tx)
            .await?;
            counts.ledger += 1;
        }
        let detail = format!(
            "intervention {intervention}: contracts {}, weeks {}, invoices {}, ledger {}",
            counts.contracts, counts.weeks, counts.invoices, counts.ledger
        );
        record_system(&mut tx, now, "rental.seed", SYSTEM, &detail).await?;
        tx.commit().await?;
        Ok(counts)
    }
}
