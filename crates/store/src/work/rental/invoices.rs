//! Monthly invoices from the approved weeks, each week marked with the
//! newest invoice it is on; the approved days they are made from.

use super::{Invoice, InvoiceLineRow};
use crate::access::rental::RentalTarget;
use crate::audit::Tx;
use crate::kernel::{date_at, date_text};
use crate::{from_micros, get, micros, Ctx, Result, Store, StoreError};
use chrono::{Duration, NaiveDate};
use std::collections::BTreeMap;
use vagar_domain::work::rental::access::RentalAction;
use vagar_domain::work::rental::{
    amount_ore, invoice_lines, wage_cost_ore, ApprovedWeek, Month, PendingWeek, TimesheetStatus,
};
use vagar_domain::ValidationErrors;

pub(super) async fn invoiced(
    tx: &mut Tx,
    intervention_id: i64,
    employer_id: i64,
    month: Month,
) -> Result<bool> {
    let r = sqlx::query(
        "SELECT COUNT(*) AS n FROM invoices WHERE intervention_id = $1 AND employer_id = $2 AND month = $3",
    )
    .bind(intervention_id)
    .bind(employer_id)
    .bind(month.to_string())
    .fetch_one(&mut **tx)
    .await?;
    Ok(get::<i64>(&r, "n")? > 0)
}

/// The approved days of an intervention with their prices: one row per day.
pub(super) struct ApprovedDay {
    pub(super) timesheet_id: i64,
    pub(super) employer_id: i64,
    pub(super) employer_name: String,
    pub(super) organisation_number: String,
    pub(super) day: NaiveDate,
    pub(super) minutes: i64,
    pub(super) rate_ore: i64,
    pub(super) contract_id: i64,
    pub(super) wage_ore: i64,
    pub(super) fee_permille: i64,
}

pub(super) async fn approved_days(tx: &mut Tx, intervention_id: i64) -> Result<Vec<ApprovedDay>> {
    let rows = sqlx::query(
        "SELECT t.id, t.placement_id, pl.employer_id, e.name AS employer_name, e.organisation_number, \
         t.week_start, d.day, d.minutes, ra.hourly_rate_ore, rc.id AS contract_id, rc.hourly_wage_ore, \
         rc.employer_fee_permille FROM timesheets t JOIN timesheet_days d ON d.timesheet_id = t.id \
         JOIN placements pl ON pl.id = t.placement_id JOIN employers e ON e.id = pl.employer_id \
         JOIN rental_assignments ra ON ra.placement_id = pl.id \
         JOIN rental_contracts rc ON rc.id = ra.contract_id \
         WHERE pl.intervention_id = $1 AND t.status = 'approved' ORDER BY t.id, d.day",
    )
    .bind(intervention_id)
    .fetch_all(&mut **tx)
    .await?;
    rows.iter()
        .map(|r| {
            Ok(ApprovedDay {
                timesheet_id: get(r, "id")?,
                employer_id: get(r, "employer_id")?,
                employer_name: get(r, "employer_name")?,
                organisation_number: get(r, "organisation_number")?,
                day: date_at(r, "day")?,
                minutes: get(r, "minutes")?,
                rate_ore: get(r, "hourly_rate_ore")?,
                contract_id: get(r, "contract_id")?,
                wage_ore: get(r, "hourly_wage_ore")?,
                fee_permille: get(r, "employer_fee_permille")?,
            })
        })
        .collect()
}

/// Revenue per (timesheet, month) week-part, priced as on an invoice.
pub(super) struct WeekPart {
    pub(super) employer_id: i64,
    pub(super) buyer: String,
    pub(super) organisation_number: String,
    pub(super) month: Month,
    pub(super) minutes: i64,
    pub(super) amount_ore: i64,
}

pub(super) fn week_parts(days: &[ApprovedDay]) -> Vec<WeekPart> {
    let mut by: BTreeMap<(i64, Month), (i64, usize)> = BTreeMap::new();
    for (i, d) in days.iter().enumerate() {
        let e = by
            .entry((d.timesheet_id, Month::of(d.day)))
            .or_insert((0, i));
        e.0 += d.minutes;
    }
    by.into_iter()
        .map(|((_, month), (minutes, i))| {
            let d = &days[i];
            WeekPart {
                employer_id: d.employer_id,
                buyer: d.employer_name.clone(),
                organisation_number: d.organisation_number.clone(),
                month,
                minutes,
                amount_ore: amount_ore(minutes, d.rate_ore),
            }
        })
        .collect()
}

/// Wages per month: approved minutes per contract and month, priced once.
pub(super) fn wages_by_month(days: &[ApprovedDay]) -> BTreeMap<Month, i64> {
    let mut by: BTreeMap<(i64, Month), (i64, i64, i64)> = BTreeMap::new();
    for d in days {
        let e =
            by.entry((d.contract_id, Month::of(d.day)))
                .or_insert((0, d.wage_ore, d.fee_permille));
        e.0 += d.minutes;
    }
    let mut out = BTreeMap::new();
    for ((_, m), (minutes, wage, fee)) in by {
        *out.entry(m).or_insert(0) += wage_cost_ore(minutes, wage, fee);
    }
    out
}

impl Store {
    /// The month's invoice to one host: approved weeks only, the days of
    /// each week inside the month. Refused, with nothing written, while any
    /// week of that host touching the month is submitted or rejected. The
    /// same (intervention, employer, month) again returns the invoice made
    /// before (`false`: not created now).
    pub async fn create_invoice(
        &self,
        ctx: &Ctx,
        intervention_id: i64,
        employer_id: Option<i64>,
        month: Option<&str>,
    ) -> Result<(Invoice, bool)> {
        let event = "rental.invoice.create";
        let (mut tx, permit) = self
            .authorize_rental(
                ctx,
                RentalAction::Manage,
                RentalTarget::Intervention(intervention_id),
                event,
            )
            .await?;
        let mut e = ValidationErrors::new();
        let month = match month.map(str::trim).filter(|s| !s.is_empty()) {
            None => {
                e.add("month", "required", "month is required");
                None
            }
            Some(s) => {
                let m = Month::parse(s);
                if m.is_none() {
                    e.add("month", "invalid", "month must be YYYY-MM");
                }
                m
            }
        };
        let employer = match employer_id {
            None => {
                e.add("employer_id", "required", "employer_id is required");
                None
            }
            Some(id) => {
                let r = sqlx::query("SELECT COUNT(*) AS n FROM employers WHERE id = $1")
                    .bind(id)
                    .fetch_one(&mut *tx)
                    .await?;
                if get::<i64>(&r, "n")? == 0 {
                    e.add(
                        "employer_id",
                        "unknown",
                        "employer_id must name an employer",
                    );
                    None
                } else {
                    Some(id)
                }
            }
        };
        let (Some(month), Some(employer_id)) = (month, employer) else {
            return Err(StoreError::Validation(e));
        };
        if let Some(id) = find_invoice(&mut tx, intervention_id, employer_id, month).await? {
            let inv = load_invoice(&mut tx, id).await?;
            let ids = line_participants(&mut tx, id).await?;
            permit
                .record(
                    &mut tx,
                    ctx,
                    "rental.invoice.read",
                    &format!("invoice {id} (already made)"),
                    &ids,
                )
                .await?;
            tx.commit().await?;
            return Ok((inv, false));
        }
        // Every week of this host's placements that touches the month.
        let rows = sqlx::query(
            "SELECT t.id, t.placement_id, t.week_start, t.status, ra.hourly_rate_ore FROM timesheets t \
             JOIN placements pl ON pl.id = t.placement_id JOIN rental_assignments ra ON ra.placement_id = pl.id \
             WHERE pl.intervention_id = $1 AND pl.employer_id = $2 AND t.week_start >= $3 AND t.week_start <= $4 \
             ORDER BY t.week_start, t.id",
        )
        .bind(intervention_id)
        .bind(employer_id)
        .bind(date_text(month.first_day() - Duration::days(6)))
        .bind(date_text(month.last_day()))
        .fetch_all(&mut *tx)
        .await?;
        let mut approved = vec![];
        let mut pending = vec![];
        for r in &rows {
            let status = TimesheetStatus::parse(&get::<String>(r, "status")?)
                .ok_or_else(|| StoreError::Other("invalid stored status".into()))?;
            let week_start = date_at(r, "week_start")?;
            let placement_id: i64 = get(r, "placement_id")?;
            if status == TimesheetStatus::Approved {
                approved.push(ApprovedWeek {
                    timesheet_id: get(r, "id")?,
                    placement_id,
                    week_start,
                    days: vec![],
                    rate_ore: get(r, "hourly_rate_ore")?,
                });
            } else {
                pending.push(PendingWeek {
                    week_start,
                    placement_id,
                    status,
                });
            }
        }
        for w in &mut approved {
            let days = sqlx::query(
                "SELECT day, minutes FROM timesheet_days WHERE timesheet_id = $1 ORDER BY day",
            )
            .bind(w.timesheet_id)
            .fetch_all(&mut *tx)
            .await?;
            for d in days {
                w.days.push((date_at(&d, "day")?, get(&d, "minutes")?));
            }
        }
        let lines = match invoice_lines(month, &approved, &pending) {
            Ok(l) => l,
            Err(err) => {
                // The refusal is recorded on its own; nothing of the invoice is.
                drop(tx);
                let msg = err.0[0].message.clone();
                self.audit_refusal(
                    ctx,
                    "rental.invoice.refused",
                    &format!(
                        "intervention {intervention_id}, employer {employer_id}, month {month}"
                    ),
                    &[],
                )
                .await?;
                if err.0[0].code == "unapproved_weeks" {
                    return Err(StoreError::Conflict {
                        field: "month".into(),
                        message: msg,
                    });
                }
                return Err(StoreError::Validation(err));
            }
        };
        let total_minutes: i64 = lines.iter().map(|l| l.minutes).sum();
        let total_ore: i64 = lines.iter().map(|l| l.amount_ore).sum();
        let number = format!(
            "{}{:02}-{intervention_id}-{employer_id}",
            month.year, month.month
        );
        let r = sqlx::query(
            "INSERT INTO invoices (intervention_id, employer_id, month, number, total_minutes, total_ore, \
             created_by, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id",
        )
        .bind(intervention_id)
        .bind(employer_id)
        .bind(month.to_string())
        .bind(&number)
        .bind(total_minutes)
        .bind(total_ore)
        .bind(ctx.actor.user_id)
        .bind(micros(ctx.now))
        .fetch_one(&mut *tx)
        .await
        .map_err(|err| crate::conflict_on(err, "month", "this month was invoiced at the same time; reload"))?;
        let id: i64 = get(&r, "id")?;
        insert_invoice_lines(&mut tx, id, &lines).await?;
        let ids = line_participants(&mut tx, id).await?;
        let placements: Vec<String> = lines.iter().map(|l| l.placement_id.to_string()).collect();
        permit
            .record(
                &mut tx,
                ctx,
                "rental.invoice.created",
                &format!("invoice {id}, placements {}", placements.join(",")),
                &ids,
            )
            .await?;
        let inv = load_invoice(&mut tx, id).await?;
        tx.commit().await?;
        Ok((inv, true))
    }

    pub async fn list_invoices(&self, ctx: &Ctx, intervention_id: i64) -> Result<Vec<Invoice>> {
        let event = "rental.invoice.list";
        let (mut tx, permit) = self
            .authorize_rental(
                ctx,
                RentalAction::Read,
                RentalTarget::Intervention(intervention_id),
                event,
            )
            .await?;
        let rows = sqlx::query(
            "SELECT id FROM invoices WHERE intervention_id = $1 ORDER BY month DESC, id DESC",
        )
        .bind(intervention_id)
        .fetch_all(&mut *tx)
        .await?;
        let mut out = vec![];
        let mut ids = vec![];
        for r in rows {
            let id: i64 = get(&r, "id")?;
            out.push(load_invoice(&mut tx, id).await?);
            ids.extend(line_participants(&mut tx, id).await?);
        }
        let listed: Vec<String> = out.iter().map(|i| i.id.to_string()).collect();
        permit
            .record(
                &mut tx,
                ctx,
                "rental.invoice.list.returned",
                &format!("invoices {}", listed.join(",")),
                &ids,
            )
            .await?;
        tx.commit().await?;
        Ok(out)
    }

    pub async fn read_invoice(&self, ctx: &Ctx, id: i64) -> Result<Invoice> {
        let event = "rental.invoice.read";
        let (mut tx, permit) = self
            .authorize_rental(ctx, RentalAction::Read, RentalTarget::Invoice(id), event)
            .await?;
        let inv = load_invoice(&mut tx, id).await?;
        let ids = line_participants(&mut tx, id).await?;
        permit
            .record(
                &mut tx,
                ctx,
                "rental.invoice.read.lines",
                &format!("invoice {id}"),
                &ids,
            )
            .await?;
        tx.commit().await?;
        Ok(inv)
    }
}

async fn find_invoice(
    tx: &mut Tx,
    intervention_id: i64,
    employer_id: i64,
    month: Month,
) -> Result<Option<i64>> {
    let r = sqlx::query(
        "SELECT id FROM invoices WHERE intervention_id = $1 AND employer_id = $2 AND month = $3",
    )
    .bind(intervention_id)
    .bind(employer_id)
    .bind(month.to_string())
    .fetch_optional(&mut **tx)
    .await?;
    r.map(|r| get::<i64>(&r, "id")).transpose()
}

async fn line_participants(tx: &mut Tx, invoice_id: i64) -> Result<Vec<i64>> {
    let rows = sqlx::query(
        "SELECT DISTINCT pl.participant_id FROM invoice_lines l JOIN placements pl ON pl.id = l.placement_id \
         WHERE l.invoice_id = $1",
    )
    .bind(invoice_id)
    .fetch_all(&mut **tx)
    .await?;
    rows.iter()
        .map(|r| get::<i64>(r, "participant_id"))
        .collect()
}

async fn load_invoice(tx: &mut Tx, id: i64) -> Result<Invoice> {
    let r = sqlx::query(
        "SELECT v.id, v.number, v.intervention_id, i.name AS intervention_name, v.employer_id, e.name AS employer_name, \
         e.organisation_number, v.month, v.total_minutes, v.total_ore, v.created_at FROM invoices v \
         JOIN interventions i ON i.id = v.intervention_id JOIN employers e ON e.id = v.employer_id WHERE v.id = $1",
    )
    .bind(id)
    .fetch_optional(&mut **tx)
    .await?
    .ok_or(StoreError::NotFound)?;
    let month_text: String = get(&r, "month")?;
    let month = Month::parse(&month_text)
        .ok_or_else(|| StoreError::Other("invalid stored month".into()))?;
    let rows = sqlx::query(
        "SELECT l.timesheet_id, l.placement_id, p.first_name, p.last_name, pl.role_title, t.week_start, \
         l.minutes, l.rate_ore, l.amount_ore FROM invoice_lines l JOIN timesheets t ON t.id = l.timesheet_id \
         JOIN placements pl ON pl.id = l.placement_id JOIN participants p ON p.id = pl.participant_id \
         WHERE l.invoice_id = $1 ORDER BY t.week_start, l.placement_id, l.id",
    )
    .bind(id)
    .fetch_all(&mut **tx)
    .await?;
    let mut lines = vec![];
    for l in &rows {
        let week_start = date_at(l, "week_start")?;
        lines.push(InvoiceLineRow {
            timesheet_id: get(l, "timesheet_id")?,
            placement_id: get(l, "placement_id")?,
            participant_name: format!(
                "{} {}",
                get::<String>(l, "first_name")?,
                get::<String>(l, "last_name")?
            ),
            role_title: get(l, "role_title")?,
            week_start,
            period_from: month.first_day().max(week_start),
            period_to: month.last_day().min(week_start + Duration::days(6)),
            minutes: get(l, "minutes")?,
            rate_ore: get(l, "rate_ore")?,
            amount_ore: get(l, "amount_ore")?,
        });
    }
    Ok(Invoice {
        id: get(&r, "id")?,
        number: get(&r, "number")?,
        intervention_id: get(&r, "intervention_id")?,
        intervention_name: get(&r, "intervention_name")?,
        employer_id: get(&r, "employer_id")?,
        employer_name: get(&r, "employer_name")?,
        organisation_number: get(&r, "organisation_number")?,
        month: month_text,
        total_minutes: get(&r, "total_minutes")?,
        total_ore: get(&r, "total_ore")?,
        created_at: from_micros(get(&r, "created_at")?),
        lines,
    })
}

/// An invoice's lines, each week marked with the newest invoice it is on
/// (a week across two months is on two); shared by invoicing and the seed.
pub(super) async fn insert_invoice_lines(
    tx: &mut Tx,
    invoice: i64,
    lines: &[vagar_domain::work::rental::InvoiceLine],
) -> Result<()> {
    for l in lines {
        sqlx::query(
            "INSERT INTO invoice_lines (invoice_id, timesheet_id, placement_id, minutes, rate_ore, amount_ore) \
             VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(invoice)
        .bind(l.timesheet_id)
        .bind(l.placement_id)
        .bind(l.minutes)
        .bind(l.rate_ore)
        .bind(l.amount_ore)
        .execute(&mut **tx)
        .await?;
        sqlx::query("UPDATE timesheets SET invoice_id = $1 WHERE id = $2")
            .bind(invoice)
            .bind(l.timesheet_id)
            .execute(&mut **tx)
            .await?;
    }
    Ok(())
}
