//! The ledger of other costs and subsidies, and what is computed from the
//! approved weeks, the invoices and the ledger: the economic result and the
//! legal checks.

use super::invoices::{approved_days, wages_by_month, week_parts, OPEN_INVOICE};
use super::{load_intervention, LedgerEntry};
use crate::access::rental::RentalTarget;
use crate::audit::Tx;
use crate::kernel::{date_at, date_text};
use crate::{from_micros, get, micros, Ctx, Result, Store, StoreError};
use chrono::Datelike;
use std::collections::{BTreeMap, HashSet};
use vagar_domain::work::legal::{self, LegalCheck, Sale, YearCosts};
use vagar_domain::work::rental::access::RentalAction;
use vagar_domain::work::rental::{
    self as rules, amount_ore, EconomicResult, LedgerData, Month, MonthInput,
};
use vagar_domain::ValidationErrors;

async fn ledger_rows(tx: &mut Tx, intervention_id: i64) -> Result<Vec<LedgerEntry>> {
    let rows = sqlx::query(
        "SELECT id, intervention_id, month, kind, amount_ore, note, created_at FROM intervention_ledger \
         WHERE intervention_id = $1 ORDER BY month, id",
    )
    .bind(intervention_id)
    .fetch_all(&mut **tx)
    .await?;
    rows.iter()
        .map(|r| {
            Ok(LedgerEntry {
                id: get(r, "id")?,
                intervention_id: get(r, "intervention_id")?,
                month: get(r, "month")?,
                kind: get(r, "kind")?,
                amount_ore: get(r, "amount_ore")?,
                note: get(r, "note")?,
                created_at: from_micros(get(r, "created_at")?),
            })
        })
        .collect()
}

impl Store {
    /// Record another cost or a subsidy (validated after the decision, so
    /// a role that may not gets 403 whatever it sent).
    pub async fn add_ledger_entry(
        &self,
        ctx: &Ctx,
        intervention_id: i64,
        d: Result<LedgerData, ValidationErrors>,
    ) -> Result<LedgerEntry> {
        let event = "rental.ledger.add";
        let (mut tx, _permit) = self
            .authorize_rental(
                ctx,
                RentalAction::Manage,
                RentalTarget::Intervention(intervention_id),
                event,
            )
            .await?;
        let d = d.map_err(StoreError::Validation)?;
        let r = sqlx::query(
            "INSERT INTO intervention_ledger (intervention_id, month, kind, amount_ore, note, created_by, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
        )
        .bind(intervention_id)
        .bind(d.month.to_string())
        .bind(d.kind.as_str())
        .bind(d.amount_ore)
        .bind(d.note.as_deref())
        .bind(ctx.actor.user_id)
        .bind(micros(ctx.now))
        .fetch_one(&mut *tx)
        .await?;
        let id: i64 = get(&r, "id")?;
        let entry = ledger_rows(&mut tx, intervention_id)
            .await?
            .into_iter()
            .find(|l| l.id == id)
            .ok_or(StoreError::NotFound)?;
        tx.commit().await?;
        Ok(entry)
    }

    pub async fn list_ledger(&self, ctx: &Ctx, intervention_id: i64) -> Result<Vec<LedgerEntry>> {
        let event = "rental.ledger.list";
        let (mut tx, _permit) = self
            .authorize_rental(
                ctx,
                RentalAction::Read,
                RentalTarget::Intervention(intervention_id),
                event,
            )
            .await?;
        let out = ledger_rows(&mut tx, intervention_id).await?;
        tx.commit().await?;
        Ok(out)
    }

    /// Revenue − wages − other costs + subsidies, month by month, from the
    /// first to the last month with any figure (or `from`..`to`).
    pub async fn economic_result(
        &self,
        ctx: &Ctx,
        intervention_id: i64,
        from: Option<Month>,
        to: Option<Month>,
    ) -> Result<EconomicResult> {
        let event = "rental.economic_result.read";
        let (mut tx, permit) = self
            .authorize_rental(
                ctx,
                RentalAction::Read,
                RentalTarget::Intervention(intervention_id),
                event,
            )
            .await?;
        let days = approved_days(&mut tx, intervention_id).await?;
        // Net totals of invoices and credit notes (negative) sum to what is
        // invoiced; a month is invoiced while an open invoice covers it.
        let invoices = sqlx::query(&format!(
            "SELECT v.employer_id, v.month, v.total_ore, CASE WHEN {OPEN_INVOICE} THEN 1 ELSE 0 END AS open \
             FROM invoices v WHERE v.intervention_id = $1"
        ))
        .bind(intervention_id)
        .fetch_all(&mut *tx)
        .await?;
        let ledger = ledger_rows(&mut tx, intervention_id).await?;
        let mut by: BTreeMap<Month, MonthInput> = BTreeMap::new();
        let mut invoiced: HashSet<(i64, Month)> = HashSet::new();
        for r in &invoices {
            let m = Month::parse(&get::<String>(r, "month")?)
                .ok_or_else(|| StoreError::Other("invalid stored month".into()))?;
            if get::<i64>(r, "open")? == 1 {
                invoiced.insert((get(r, "employer_id")?, m));
            }
            by.entry(m).or_default().revenue_invoiced_ore += get::<i64>(r, "total_ore")?;
        }
        for p in week_parts(&days) {
            let e = by.entry(p.month).or_default();
            e.approved_minutes += p.minutes;
            if !invoiced.contains(&(p.employer_id, p.month)) {
                e.revenue_uninvoiced_ore += p.amount_ore;
            }
        }
        for (m, w) in wages_by_month(&days) {
            by.entry(m).or_default().wages_ore += w;
        }
        for l in &ledger {
            let m = Month::parse(&l.month)
                .ok_or_else(|| StoreError::Other("invalid stored month".into()))?;
            let e = by.entry(m).or_default();
            if l.kind == "subsidy" {
                e.subsidies_ore += l.amount_ore;
            } else {
                e.other_costs_ore += l.amount_ore;
            }
        }
        let first = from.or_else(|| by.keys().next().copied());
        let last = to.or_else(|| by.keys().next_back().copied());
        let months: Vec<(Month, MonthInput)> = match (first, last) {
            (Some(a), Some(b)) => a
                .through(b)
                .into_iter()
                .map(|m| (m, by.get(&m).cloned().unwrap_or_default()))
                .collect(),
            _ => vec![],
        };
        let _ = permit.rule();
        tx.commit().await?;
        Ok(rules::economic_result(&months))
    }

    /// The self-cost, in-house and competition-neutrality checks of an
    /// intervention, from its rental sales (approved hours) and the staffing
    /// model's worked shifts in pools of the same intervention.
    pub async fn legal_checks(&self, ctx: &Ctx, intervention_id: i64) -> Result<Vec<LegalCheck>> {
        let event = "intervention.legal_checks.read";
        let (mut tx, permit) = self
            .authorize_rental(
                ctx,
                RentalAction::Read,
                RentalTarget::AnyIntervention(intervention_id),
                event,
            )
            .await?;
        let i = load_intervention(&mut tx, intervention_id).await?;
        let days = approved_days(&mut tx, intervention_id).await?;
        let mut sales = vec![];
        for p in week_parts(&days) {
            sales.push(Sale {
                year: p.month.year,
                buyer: p.buyer.clone(),
                owner: legal::is_public_buyer(&p.organisation_number),
                amount_ore: p.amount_ore,
            });
            let _ = p.employer_id;
        }
        let mut costs: BTreeMap<i32, (i64, i64)> = BTreeMap::new();
        for (m, w) in wages_by_month(&days) {
            costs.entry(m.year).or_default().0 += w;
        }
        for l in ledger_rows(&mut tx, intervention_id).await? {
            if l.kind == "other_cost" {
                if let Some(m) = Month::parse(&l.month) {
                    costs.entry(m.year).or_default().1 += l.amount_ore;
                }
            }
        }
        // The staffing model's sales: its buyers are municipal units (owners).
        let staffing = sqlx::query(
            "SELECT sa.work_date, sa.worked_minutes, sa.start_minute, sa.end_minute, sp.hourly_price_ore, \
             st.hourly_wage_ore, o.name AS unit_name FROM staffing_assignments sa \
             JOIN staffing_requests sr ON sr.id = sa.request_id JOIN staffing_pools sp ON sp.id = sr.pool_id \
             JOIN staffing_staff st ON st.id = sa.staff_id JOIN organisations o ON o.id = sr.unit_organisation_id \
             WHERE sp.intervention_id = $1 AND sa.work_date <= $2",
        )
        .bind(intervention_id)
        .bind(date_text(ctx.today()))
        .fetch_all(&mut *tx)
        .await?;
        for r in &staffing {
            let worked: Option<i64> = get(r, "worked_minutes")?;
            let minutes =
                worked.unwrap_or(get::<i64>(r, "end_minute")? - get::<i64>(r, "start_minute")?);
            let year = date_at(r, "work_date")?.year();
            sales.push(Sale {
                year,
                buyer: get(r, "unit_name")?,
                owner: true,
                amount_ore: amount_ore(minutes, get(r, "hourly_price_ore")?),
            });
            costs.entry(year).or_default().0 += amount_ore(minutes, get(r, "hourly_wage_ore")?);
        }
        let costs: Vec<YearCosts> = costs
            .into_iter()
            .map(|(year, (w, o))| YearCosts {
                year,
                wages_ore: w,
                other_costs_ore: o,
            })
            .collect();
        let _ = permit.rule();
        tx.commit().await?;
        Ok(legal::legal_checks(&i.operator_kind, &sales, &costs))
    }
}
