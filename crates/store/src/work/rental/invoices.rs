//! Monthly invoices from the approved weeks, each week marked with the
//! newest invoice it is on; the approved days they are made from.

use super::{Invoice, InvoiceLineRow};
use crate::access::rental::RentalTarget;
use crate::audit::Tx;
use crate::kernel::{date_at, date_text};
use crate::{from_micros, get, micros, Ctx, Result, Store, StoreError};
use chrono::{Datelike, Duration, NaiveDate};
use std::collections::BTreeMap;
use vagar_domain::work::rental::access::RentalAction;
use vagar_domain::work::rental::invoice::{
    due_date, invoice_number, totals, vat_number, InvoiceKind, LineKind, PAYMENT_TERMS_DAYS,
};
use vagar_domain::work::rental::InvoiceLine;
use vagar_domain::work::rental::{
    amount_ore, invoice_lines, wage_cost_ore, ApprovedWeek, Month, PendingWeek, TimesheetStatus,
};
use vagar_domain::{OrganisationNumber, ValidationErrors};

pub(super) async fn invoiced(
    tx: &mut Tx,
    intervention_id: i64,
    employer_id: i64,
    month: Month,
) -> Result<bool> {
    Ok(find_invoice(tx, intervention_id, employer_id, month)
        .await?
        .is_some())
}

/// Open invoices: issued, of kind invoice, and not credited.
pub(super) const OPEN_INVOICE: &str = "v.kind = 'invoice' AND NOT EXISTS \
     (SELECT 1 FROM invoices c WHERE c.credits_invoice_id = v.id)";

/// The seller at issue: the intervention's lead organisation, or else the
/// organisation of the one who invoices (the operator's own staff).
pub(super) struct Seller {
    pub(super) name: String,
    pub(super) organisation_number: String,
    pub(super) vat_number: String,
}

/// The seller of an intervention's invoices, `None` when the organisation
/// has no valid organisation number recorded.
pub(super) async fn seller_of(
    tx: &mut Tx,
    intervention_id: i64,
    fallback_organisation: Option<i64>,
) -> Result<Option<Seller>> {
    let r = sqlx::query(
        "SELECT o.name, o.org_number FROM organisations o WHERE o.id = COALESCE( \
         (SELECT io.organisation_id FROM intervention_organisations io WHERE io.intervention_id = $1 \
          AND io.role = 'lead' ORDER BY io.organisation_id LIMIT 1), $2)",
    )
    .bind(intervention_id)
    .bind(fallback_organisation)
    .fetch_optional(&mut **tx)
    .await?;
    let Some(r) = r else { return Ok(None) };
    let number: Option<String> = get(&r, "org_number")?;
    let Some(org) = number.and_then(|n| OrganisationNumber::parse(&n).ok()) else {
        return Ok(None);
    };
    Ok(Some(Seller {
        name: get(&r, "name")?,
        organisation_number: org.as_str().to_string(),
        vat_number: vat_number(&org),
    }))
}

/// What an invoice or credit note is issued from.
pub(super) struct Issue<'a> {
    pub(super) intervention_id: i64,
    pub(super) employer_id: i64,
    pub(super) month: Month,
    pub(super) kind: InvoiceKind,
    pub(super) credits: Option<i64>,
    pub(super) invoice_date: NaiveDate,
    pub(super) lines: &'a [InvoiceLine],
    pub(super) seller: &'a Seller,
    pub(super) created_by: Option<i64>,
    pub(super) created_at: i64,
}

/// Takes the seller's number series for the year (in PostgreSQL the row
/// stays locked to the end of the transaction, so issuing is serialised per
/// seller; SQLite serialises every writer anyway).
pub(super) async fn lock_series(tx: &mut Tx, seller: &Seller, year: i32) -> Result<()> {
    sqlx::query(
        "INSERT INTO invoice_number_series (seller_organisation_number, year, last_number) VALUES ($1, $2, 0) \
         ON CONFLICT (seller_organisation_number, year) DO UPDATE SET last_number = invoice_number_series.last_number",
    )
    .bind(&seller.organisation_number)
    .bind(i64::from(year))
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// Issues an invoice or credit note: the next number in the seller's
/// sequence, totals and VAT, the buyer's snapshot, the lines; weeks on an
/// invoice are marked with it. Returns the id.
pub(super) async fn issue(tx: &mut Tx, n: Issue<'_>) -> Result<i64> {
    let year = n.invoice_date.year();
    lock_series(tx, n.seller, year).await?;
    let r = sqlx::query(
        "UPDATE invoice_number_series SET last_number = last_number + 1 \
         WHERE seller_organisation_number = $1 AND year = $2 RETURNING last_number",
    )
    .bind(&n.seller.organisation_number)
    .bind(i64::from(year))
    .fetch_one(&mut **tx)
    .await?;
    let number = invoice_number(year, get(&r, "last_number")?);
    let buyer = sqlx::query(
        "SELECT e.name, e.organisation_number, \
         (SELECT w.street_address FROM employer_workplaces w WHERE w.employer_id = e.id ORDER BY w.id LIMIT 1) AS street, \
         (SELECT w.postal_code FROM employer_workplaces w WHERE w.employer_id = e.id ORDER BY w.id LIMIT 1) AS postal, \
         (SELECT w.city FROM employer_workplaces w WHERE w.employer_id = e.id ORDER BY w.id LIMIT 1) AS city \
         FROM employers e WHERE e.id = $1",
    )
    .bind(n.employer_id)
    .fetch_one(&mut **tx)
    .await?;
    let address: Vec<String> = ["street", "postal", "city"]
        .iter()
        .map(|c| get::<Option<String>>(&buyer, c))
        .collect::<Result<Vec<_>>>()?
        .into_iter()
        .flatten()
        .filter(|s| !s.trim().is_empty())
        .collect();
    let address = (!address.is_empty()).then(|| address.join(", "));
    let permille = LineKind::StaffHire.vat_permille();
    let amounts: Vec<i64> = n.lines.iter().map(|l| l.amount_ore).collect();
    let t = totals(&amounts, permille);
    let total_minutes: i64 = n.lines.iter().map(|l| l.minutes).sum();
    let r = sqlx::query(
        "INSERT INTO invoices (intervention_id, employer_id, month, kind, credits_invoice_id, number, \
         invoice_date, due_date, payment_terms_days, vat_rate_permille, net_ore, vat_ore, gross_ore, \
         total_minutes, total_ore, seller_name, seller_organisation_number, seller_vat_number, buyer_name, \
         buyer_organisation_number, buyer_address, created_by, created_at) VALUES ($1, $2, $3, $4, $5, $6, \
         $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21, $22, $23) RETURNING id",
    )
    .bind(n.intervention_id)
    .bind(n.employer_id)
    .bind(n.month.to_string())
    .bind(n.kind.as_str())
    .bind(n.credits)
    .bind(&number)
    .bind(date_text(n.invoice_date))
    .bind(date_text(due_date(n.invoice_date, PAYMENT_TERMS_DAYS)))
    .bind(PAYMENT_TERMS_DAYS)
    .bind(permille)
    .bind(t.net_ore)
    .bind(t.vat_ore)
    .bind(t.gross_ore)
    .bind(total_minutes)
    .bind(t.net_ore)
    .bind(&n.seller.name)
    .bind(&n.seller.organisation_number)
    .bind(&n.seller.vat_number)
    .bind(get::<String>(&buyer, "name")?)
    .bind(get::<String>(&buyer, "organisation_number")?)
    .bind(address)
    .bind(n.created_by)
    .bind(n.created_at)
    .fetch_one(&mut **tx)
    .await
    .map_err(|err| crate::conflict_on(err, "id", "this invoice was credited at the same time; reload"))?;
    let id: i64 = get(&r, "id")?;
    insert_invoice_lines(tx, id, n.lines, n.kind == InvoiceKind::Invoice).await?;
    Ok(id)
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
        let Some(seller) =
            seller_of(&mut tx, intervention_id, Some(ctx.actor.organisation_id)).await?
        else {
            return Err(StoreError::Conflict {
                field: "seller".into(),
                message: "the seller (the intervention's lead organisation) has no valid organisation number recorded".into(),
            });
        };
        let invoice_date = ctx.now.date_naive();
        // Serialises issuing for the seller before looking for the month's invoice.
        lock_series(&mut tx, &seller, invoice_date.year()).await?;
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
        let id = issue(
            &mut tx,
            Issue {
                intervention_id,
                employer_id,
                month,
                kind: InvoiceKind::Invoice,
                credits: None,
                invoice_date,
                lines: &lines,
                seller: &seller,
                created_by: Some(ctx.actor.user_id),
                created_at: micros(ctx.now),
            },
        )
        .await?;
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

impl Store {
    /// A credit note for an issued invoice: the invoice's lines negated, the
    /// next number in the seller's sequence, naming the invoice. An invoice
    /// is credited once (a conflict after); a credit note is not credited.
    /// The invoice's weeks are no longer marked with it, and its month can
    /// be invoiced again (a new invoice, a new number).
    pub async fn credit_invoice(&self, ctx: &Ctx, id: i64) -> Result<Invoice> {
        let event = "rental.invoice.credit";
        let (mut tx, permit) = self
            .authorize_rental(ctx, RentalAction::Manage, RentalTarget::Invoice(id), event)
            .await?;
        let inv = load_invoice(&mut tx, id).await?;
        if inv.kind != InvoiceKind::Invoice {
            return Err(StoreError::Conflict {
                field: "id".into(),
                message: "a credit note cannot be credited".into(),
            });
        }
        let seller = if inv.seller_organisation_number.is_empty() {
            seller_of(
                &mut tx,
                inv.intervention_id,
                Some(ctx.actor.organisation_id),
            )
            .await?
        } else {
            Some(Seller {
                name: inv.seller_name.clone(),
                organisation_number: inv.seller_organisation_number.clone(),
                vat_number: inv.seller_vat_number.clone(),
            })
        };
        let Some(seller) = seller else {
            return Err(StoreError::Conflict {
                field: "seller".into(),
                message: "the seller has no valid organisation number recorded".into(),
            });
        };
        let invoice_date = ctx.now.date_naive();
        lock_series(&mut tx, &seller, invoice_date.year()).await?;
        if let Some(c) = sqlx::query("SELECT id FROM invoices WHERE credits_invoice_id = $1")
            .bind(id)
            .fetch_optional(&mut *tx)
            .await?
        {
            return Err(StoreError::Conflict {
                field: "id".into(),
                message: format!(
                    "this invoice has already been credited (credit note {})",
                    get::<i64>(&c, "id")?
                ),
            });
        }
        let month = Month::parse(&inv.month)
            .ok_or_else(|| StoreError::Other("invalid stored month".into()))?;
        let lines: Vec<InvoiceLine> = inv
            .lines
            .iter()
            .map(|l| InvoiceLine {
                timesheet_id: l.timesheet_id,
                placement_id: l.placement_id,
                week_start: l.week_start,
                period_from: l.period_from,
                period_to: l.period_to,
                minutes: -l.minutes,
                rate_ore: l.rate_ore,
                amount_ore: -l.amount_ore,
            })
            .collect();
        let credit = issue(
            &mut tx,
            Issue {
                intervention_id: inv.intervention_id,
                employer_id: inv.employer_id,
                month,
                kind: InvoiceKind::CreditNote,
                credits: Some(id),
                invoice_date,
                lines: &lines,
                seller: &seller,
                created_by: Some(ctx.actor.user_id),
                created_at: micros(ctx.now),
            },
        )
        .await?;
        // The weeks are free to be invoiced again.
        sqlx::query("UPDATE timesheets SET invoice_id = NULL WHERE invoice_id = $1")
            .bind(id)
            .execute(&mut *tx)
            .await?;
        let ids = line_participants(&mut tx, id).await?;
        permit
            .record(
                &mut tx,
                ctx,
                "rental.invoice.credited",
                &format!("credit note {credit} for invoice {id}"),
                &ids,
            )
            .await?;
        let note = load_invoice(&mut tx, credit).await?;
        tx.commit().await?;
        Ok(note)
    }
}

async fn find_invoice(
    tx: &mut Tx,
    intervention_id: i64,
    employer_id: i64,
    month: Month,
) -> Result<Option<i64>> {
    let r = sqlx::query(&format!(
        "SELECT v.id FROM invoices v WHERE v.intervention_id = $1 AND v.employer_id = $2 \
             AND v.month = $3 AND {OPEN_INVOICE}"
    ))
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
         e.organisation_number, v.month, v.total_minutes, v.total_ore, v.created_at, v.kind, \
         v.credits_invoice_id, (SELECT c.id FROM invoices c WHERE c.credits_invoice_id = v.id) AS credited_by, \
         v.invoice_date, v.due_date, v.payment_terms_days, v.vat_rate_permille, v.net_ore, v.vat_ore, \
         v.gross_ore, v.seller_name, v.seller_organisation_number, v.seller_vat_number, v.buyer_name, \
         v.buyer_organisation_number, v.buyer_address FROM invoices v \
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
        kind: InvoiceKind::parse(&get::<String>(&r, "kind")?)
            .ok_or_else(|| StoreError::Other("invalid stored invoice kind".into()))?,
        credits_invoice_id: get(&r, "credits_invoice_id")?,
        credited_by: get(&r, "credited_by")?,
        invoice_date: date_at(&r, "invoice_date")?,
        due_date: date_at(&r, "due_date")?,
        payment_terms_days: get(&r, "payment_terms_days")?,
        vat_rate_permille: get(&r, "vat_rate_permille")?,
        net_ore: get(&r, "net_ore")?,
        vat_ore: get(&r, "vat_ore")?,
        gross_ore: get(&r, "gross_ore")?,
        seller_name: get(&r, "seller_name")?,
        seller_organisation_number: get(&r, "seller_organisation_number")?,
        seller_vat_number: get(&r, "seller_vat_number")?,
        buyer_name: get(&r, "buyer_name")?,
        buyer_organisation_number: get(&r, "buyer_organisation_number")?,
        buyer_address: get(&r, "buyer_address")?,
    })
}

/// An invoice's lines, each week marked with the newest invoice it is on
/// (a week across two months is on two) when `mark` (not on a credit note).
async fn insert_invoice_lines(
    tx: &mut Tx,
    invoice: i64,
    lines: &[InvoiceLine],
    mark: bool,
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
        if !mark {
            continue;
        }
        sqlx::query("UPDATE timesheets SET invoice_id = $1 WHERE id = $2")
            .bind(invoice)
            .bind(l.timesheet_id)
            .execute(&mut **tx)
            .await?;
    }
    Ok(())
}
