//! Storage of the rental model: contracts and assignments
//! (`contracts.rs`), weekly timesheets (`timesheets.rs`), monthly invoices
//! (`invoices.rs`), the ledger of other costs and subsidies and what is
//! computed from them — the economic result, the legal checks
//! (`economy.rs`) — and the seed. Every call is decided and audited by
//! [`Store::authorize_rental`] in the work's transaction; the rules are
//! `vagar_domain::work::{rental, legal}`.

mod contracts;
mod economy;
mod invoices;
pub mod seed;
mod timesheets;

use crate::access::rental::RentalTarget;
use crate::audit::Tx;
use crate::kernel::{date_at, opt_date};
use crate::{get, Ctx, Result, Store, StoreError};
use chrono::{DateTime, NaiveDate, Utc};
use vagar_domain::work::rental::access::RentalAction;
use vagar_domain::work::rental::invoice::InvoiceKind;
use vagar_domain::work::rental::{Period, TimesheetStatus};

#[derive(Debug, Clone)]
pub struct Intervention {
    pub id: i64,
    pub name: String,
    pub operator_kind: String,
    pub period_from: NaiveDate,
    pub period_to: Option<NaiveDate>,
    pub status: String,
}

#[derive(Debug, Clone)]
pub struct Contract {
    pub id: i64,
    pub participant_id: i64,
    pub participant_name: String,
    pub intervention_id: i64,
    pub period: Period,
    pub hours_per_week_minutes: i64,
    pub hourly_wage_ore: i64,
    pub employer_fee_permille: i64,
    pub version: i64,
    pub created_at: DateTime<Utc>,
}

#[derive(Debug, Clone)]
pub struct Assignment {
    pub placement_id: i64,
    pub contract_id: i64,
    pub participant_id: i64,
    pub participant_name: String,
    pub employer_id: i64,
    pub employer_name: String,
    pub role_title: Option<String>,
    pub period: Period,
    pub hourly_rate_ore: i64,
    pub supervisor_name: Option<String>,
    pub created_at: DateTime<Utc>,
}

/// A week's timesheet. For a host the participant is reduced to a first
/// name: `participant_id` and `last_name` are `None`.
#[derive(Debug, Clone)]
pub struct Timesheet {
    pub id: i64,
    pub placement_id: i64,
    pub intervention_id: i64,
    pub employer_id: i64,
    pub employer_name: String,
    pub participant_id: Option<i64>,
    pub first_name: String,
    pub last_name: Option<String>,
    pub role_title: Option<String>,
    pub week_start: NaiveDate,
    pub status: TimesheetStatus,
    /// Monday first, seven days.
    pub minutes: [i64; 7],
    pub total_minutes: i64,
    pub note: Option<String>,
    pub decision_note: Option<String>,
    pub decided_at: Option<DateTime<Utc>>,
    pub version: i64,
}

#[derive(Debug, Clone, Default)]
pub struct TimesheetFilter {
    pub intervention_id: Option<i64>,
    pub placement_id: Option<i64>,
    pub status: Option<TimesheetStatus>,
    /// At most this many, newest week first (default and ceiling 1000).
    pub limit: Option<i64>,
}

#[derive(Debug, Clone)]
pub struct InvoiceLineRow {
    pub timesheet_id: i64,
    pub placement_id: i64,
    pub participant_name: String,
    pub role_title: Option<String>,
    pub week_start: NaiveDate,
    pub period_from: NaiveDate,
    pub period_to: NaiveDate,
    pub minutes: i64,
    pub rate_ore: i64,
    pub amount_ore: i64,
}

#[derive(Debug, Clone)]
pub struct Invoice {
    pub id: i64,
    pub number: String,
    pub intervention_id: i64,
    pub intervention_name: String,
    pub employer_id: i64,
    pub employer_name: String,
    pub organisation_number: String,
    pub month: String,
    pub total_minutes: i64,
    /// The net total (kept under its old name for readers of the economy).
    pub total_ore: i64,
    pub created_at: DateTime<Utc>,
    pub lines: Vec<InvoiceLineRow>,
    /// An invoice or a credit note (negated lines, naming the invoice).
    pub kind: InvoiceKind,
    pub credits_invoice_id: Option<i64>,
    /// The credit note that corrects this invoice, if any.
    pub credited_by: Option<i64>,
    pub invoice_date: NaiveDate,
    pub due_date: NaiveDate,
    pub payment_terms_days: i64,
    pub vat_rate_permille: i64,
    pub net_ore: i64,
    pub vat_ore: i64,
    pub gross_ore: i64,
    /// Seller and buyer as they were at issue.
    pub seller_name: String,
    pub seller_organisation_number: String,
    pub seller_vat_number: String,
    pub buyer_name: String,
    pub buyer_organisation_number: String,
    pub buyer_address: Option<String>,
}

#[derive(Debug, Clone)]
pub struct LedgerEntry {
    pub id: i64,
    pub intervention_id: i64,
    pub month: String,
    pub kind: String,
    pub amount_ore: i64,
    pub note: Option<String>,
    pub created_at: DateTime<Utc>,
}

/// The timesheet as entered by the supervisor.
#[derive(Debug, Clone, Default)]
pub struct TimesheetInput {
    pub placement_id: Option<i64>,
    pub week_start: Option<String>,
    pub minutes: Option<[i64; 7]>,
    pub note: Option<String>,
}

async fn load_intervention(tx: &mut Tx, id: i64) -> Result<Intervention> {
    let r = sqlx::query(
        "SELECT id, name, operator_kind, period_from, period_to, status FROM interventions WHERE id = $1",
    )
    .bind(id)
    .fetch_optional(&mut **tx)
    .await?
    .ok_or(StoreError::NotFound)?;
    let to: Option<String> = get(&r, "period_to")?;
    Ok(Intervention {
        id: get(&r, "id")?,
        name: get(&r, "name")?,
        operator_kind: get(&r, "operator_kind")?,
        period_from: date_at(&r, "period_from")?,
        period_to: opt_date(to)?,
        status: get(&r, "status")?,
    })
}

impl Store {
    /// The rental-model interventions (for the overview's index).
    pub async fn list_rental_interventions(&self, ctx: &Ctx) -> Result<Vec<Intervention>> {
        let event = "rental.intervention.list";
        let (mut tx, permit) = self
            .authorize_rental(ctx, RentalAction::Read, RentalTarget::None, event)
            .await?;
        let rows = sqlx::query(
            "SELECT id FROM interventions WHERE model = 'rental' ORDER BY period_from DESC, id DESC LIMIT 200",
        )
        .fetch_all(&mut *tx)
        .await?;
        let mut out = vec![];
        for r in rows {
            out.push(load_intervention(&mut tx, get(&r, "id")?).await?);
        }
        let _ = permit.rule();
        tx.commit().await?;
        Ok(out)
    }

    /// One rental-model intervention (404 for any other).
    pub async fn rental_intervention(&self, ctx: &Ctx, id: i64) -> Result<Intervention> {
        let event = "rental.intervention.read";
        let (mut tx, _permit) = self
            .authorize_rental(
                ctx,
                RentalAction::Read,
                RentalTarget::Intervention(id),
                event,
            )
            .await?;
        let i = load_intervention(&mut tx, id).await?;
        tx.commit().await?;
        Ok(i)
    }
}
