//! Storage of the rental model: contracts, assignments, weekly timesheets,
//! monthly invoices, the ledger of other costs and subsidies, and what is
//! computed from them (the economic result, the legal checks). Every call
//! is decided and audited by [`Store::authorize_rental`] in the work's
//! transaction; the rules are `vagar_domain::work::{rental, legal}`.

use crate::access::rental::{rental_host_filter, RentalTarget};
use crate::access::{record_system, SYSTEM};
use crate::audit::Tx;
use crate::kernel::parse_date;
use crate::kernel::sql::{Arg, Sql};
use crate::{from_micros, get, micros, Ctx, Result, Store, StoreError};
use chrono::{DateTime, Datelike, Duration, NaiveDate, Utc};
use std::collections::{BTreeMap, HashMap, HashSet};
use vagar_domain::access::work::rental::RentalAction;
use vagar_domain::work::legal::{self, LegalCheck, Sale, YearCosts};
use vagar_domain::work::rental::{
    self as rules, amount_ore, check_assignment, check_decision, check_week, invoice_lines,
    may_enter_over, wage_cost_ore, ApprovedWeek, AssignmentFacts, ContractData, ContractInput,
    EconomicResult, LedgerData, Month, MonthInput, PendingWeek, Period, TimesheetStatus,
};
use vagar_domain::ValidationErrors;

fn date(r: &sqlx::any::AnyRow, col: &str) -> Result<NaiveDate> {
    parse_date(&get::<String>(r, col)?)
}

fn ymd(d: NaiveDate) -> String {
    d.format("%Y-%m-%d").to_string()
}

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
    pub total_ore: i64,
    pub created_at: DateTime<Utc>,
    pub lines: Vec<InvoiceLineRow>,
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
        period_from: date(&r, "period_from")?,
        period_to: to.as_deref().map(parse_date).transpose()?,
        status: get(&r, "status")?,
    })
}

const CONTRACT_COLUMNS: &str = "c.id, c.participant_id, p.first_name, p.last_name, c.intervention_id, \
     c.period_from, c.period_to, c.hours_per_week_minutes, c.hourly_wage_ore, c.employer_fee_permille, \
     c.version, c.created_at FROM rental_contracts c JOIN participants p ON p.id = c.participant_id";

fn row_to_contract(r: &sqlx::any::AnyRow) -> Result<Contract> {
    Ok(Contract {
        id: get(r, "id")?,
        participant_id: get(r, "participant_id")?,
        participant_name: format!(
            "{} {}",
            get::<String>(r, "first_name")?,
            get::<String>(r, "last_name")?
        ),
        intervention_id: get(r, "intervention_id")?,
        period: Period {
            from: date(r, "period_from")?,
            to: date(r, "period_to")?,
        },
        hours_per_week_minutes: get(r, "hours_per_week_minutes")?,
        hourly_wage_ore: get(r, "hourly_wage_ore")?,
        employer_fee_permille: get(r, "employer_fee_permille")?,
        version: get(r, "version")?,
        created_at: from_micros(get(r, "created_at")?),
    })
}

const ASSIGNMENT_COLUMNS: &str = "ra.placement_id, ra.contract_id, pl.participant_id, p.first_name, p.last_name, \
     pl.employer_id, e.name AS employer_name, pl.role_title, pl.start_date, pl.end_date, ra.hourly_rate_ore, \
     pl.supervisor_name, ra.created_at FROM rental_assignments ra \
     JOIN placements pl ON pl.id = ra.placement_id JOIN participants p ON p.id = pl.participant_id \
     JOIN employers e ON e.id = pl.employer_id";

fn row_to_assignment(r: &sqlx::any::AnyRow) -> Result<Assignment> {
    Ok(Assignment {
        placement_id: get(r, "placement_id")?,
        contract_id: get(r, "contract_id")?,
        participant_id: get(r, "participant_id")?,
        participant_name: format!(
            "{} {}",
            get::<String>(r, "first_name")?,
            get::<String>(r, "last_name")?
        ),
        employer_id: get(r, "employer_id")?,
        employer_name: get(r, "employer_name")?,
        role_title: get(r, "role_title")?,
        period: Period {
            from: date(r, "start_date")?,
            to: date(r, "end_date")?,
        },
        hourly_rate_ore: get(r, "hourly_rate_ore")?,
        supervisor_name: get(r, "supervisor_name")?,
        created_at: from_micros(get(r, "created_at")?),
    })
}

const TIMESHEET_COLUMNS: &str = "t.id, t.placement_id, pl.intervention_id, pl.employer_id, e.name AS employer_name, \
     pl.participant_id, p.first_name, p.last_name, pl.role_title, t.week_start, t.status, t.total_minutes, \
     t.note, t.decision_note, t.decided_at, t.version FROM timesheets t \
     JOIN placements pl ON pl.id = t.placement_id JOIN participants p ON p.id = pl.participant_id \
     JOIN employers e ON e.id = pl.employer_id";

/// A host sees the first name, role, week and hours only.
fn minimal_for(ctx: &Ctx) -> bool {
    ctx.actor.role == vagar_domain::Role::Employer
}

fn row_to_timesheet(r: &sqlx::any::AnyRow, minimal: bool) -> Result<Timesheet> {
    let status: String = get(r, "status")?;
    Ok(Timesheet {
        id: get(r, "id")?,
        placement_id: get(r, "placement_id")?,
        intervention_id: get(r, "intervention_id")?,
        employer_id: get(r, "employer_id")?,
        employer_name: get(r, "employer_name")?,
        participant_id: if minimal {
            None
        } else {
            Some(get(r, "participant_id")?)
        },
        first_name: get(r, "first_name")?,
        last_name: if minimal {
            None
        } else {
            Some(get(r, "last_name")?)
        },
        role_title: get(r, "role_title")?,
        week_start: date(r, "week_start")?,
        status: TimesheetStatus::parse(&status)
            .ok_or_else(|| StoreError::Other("stored timesheet has an invalid status".into()))?,
        minutes: [0; 7],
        total_minutes: get(r, "total_minutes")?,
        note: get(r, "note")?,
        decision_note: get(r, "decision_note")?,
        decided_at: get::<Option<i64>>(r, "decided_at")?.map(from_micros),
        version: get(r, "version")?,
    })
}

async fn fill_days(tx: &mut Tx, sheets: &mut [Timesheet]) -> Result<()> {
    for chunk in sheets.chunks_mut(400) {
        let mut sql = Sql::new(
            "SELECT timesheet_id, day, minutes FROM timesheet_days WHERE timesheet_id IN (",
        );
        for (i, t) in chunk.iter().enumerate() {
            if i > 0 {
                sql.push(",");
            }
            sql.bind(Arg::I64(t.id));
        }
        sql.push(")");
        let rows = sql.query().fetch_all(&mut **tx).await?;
        let mut by: HashMap<i64, usize> = HashMap::new();
        for (i, t) in chunk.iter().enumerate() {
            by.insert(t.id, i);
        }
        for r in rows {
            let id: i64 = get(&r, "timesheet_id")?;
            let day = date(&r, "day")?;
            if let Some(&i) = by.get(&id) {
                let offset = (day - chunk[i].week_start).num_days();
                if (0..7).contains(&offset) {
                    chunk[i].minutes[offset as usize] = get(&r, "minutes")?;
                }
            }
        }
    }
    Ok(())
}

async fn load_timesheet(tx: &mut Tx, id: i64, minimal: bool) -> Result<Timesheet> {
    let r = sqlx::query(&format!("SELECT {TIMESHEET_COLUMNS} WHERE t.id = $1"))
        .bind(id)
        .fetch_optional(&mut **tx)
        .await?
        .ok_or(StoreError::NotFound)?;
    let mut t = [row_to_timesheet(&r, minimal)?];
    fill_days(tx, &mut t).await?;
    let [t] = t;
    Ok(t)
}

/// Whether an invoice exists for the intervention, employer and month.
async fn invoiced(
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
struct ApprovedDay {
    timesheet_id: i64,
    employer_id: i64,
    employer_name: String,
    organisation_number: String,
    day: NaiveDate,
    minutes: i64,
    rate_ore: i64,
    contract_id: i64,
    wage_ore: i64,
    fee_permille: i64,
}

async fn approved_days(tx: &mut Tx, intervention_id: i64) -> Result<Vec<ApprovedDay>> {
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
                day: date(r, "day")?,
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
struct WeekPart {
    employer_id: i64,
    buyer: String,
    organisation_number: String,
    month: Month,
    minutes: i64,
    amount_ore: i64,
}

fn week_parts(days: &[ApprovedDay]) -> Vec<WeekPart> {
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
fn wages_by_month(days: &[ApprovedDay]) -> BTreeMap<Month, i64> {
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
    /// The rental-model interventions (for the overview's index).
    pub async fn list_rental_interventions(&self, ctx: &Ctx) -> Result<Vec<Intervention>> {
        let (mut tx, permit) = self
            .authorize_rental(
                ctx,
                RentalAction::Read,
                RentalTarget::None,
                "rental.intervention.list",
            )
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
        let (mut tx, _permit) = self
            .authorize_rental(
                ctx,
                RentalAction::Read,
                RentalTarget::Intervention(id),
                "rental.intervention.read",
            )
            .await?;
        let i = load_intervention(&mut tx, id).await?;
        tx.commit().await?;
        Ok(i)
    }

    /// An employment contract with the municipality or its company.
    pub async fn create_contract(&self, ctx: &Ctx, input: &ContractInput) -> Result<Contract> {
        let (mut tx, permit) = self
            .authorize_rental(
                ctx,
                RentalAction::Manage,
                RentalTarget::None,
                "rental.contract.create",
            )
            .await?;
        let d = ContractData::from_input(input).map_err(StoreError::Validation)?;
        let mut e = ValidationErrors::new();
        let row = sqlx::query("SELECT COUNT(*) AS n FROM participants WHERE id = $1")
            .bind(d.participant_id)
            .fetch_one(&mut *tx)
            .await?;
        if get::<i64>(&row, "n")? == 0 {
            e.add(
                "participant_id",
                "unknown",
                "participant_id must name a participant",
            );
        }
        let row = sqlx::query("SELECT model FROM interventions WHERE id = $1")
            .bind(d.intervention_id)
            .fetch_optional(&mut *tx)
            .await?;
        match row {
            None => e.add(
                "intervention_id",
                "unknown",
                "intervention_id must name an intervention",
            ),
            Some(r) if get::<Option<String>>(&r, "model")?.as_deref() != Some("rental") => e.add(
                "intervention_id",
                "not_rental",
                "the intervention does not follow the rental model",
            ),
            Some(_) => {}
        }
        // One contract at a time per participant and intervention: an
        // assignment's contract is then never ambiguous.
        let overlapping = sqlx::query(
            "SELECT COUNT(*) AS n FROM rental_contracts WHERE participant_id = $1 AND intervention_id = $2 \
             AND period_from <= $3 AND period_to >= $4",
        )
        .bind(d.participant_id)
        .bind(d.intervention_id)
        .bind(ymd(d.period.to))
        .bind(ymd(d.period.from))
        .fetch_one(&mut *tx)
        .await?;
        if get::<i64>(&overlapping, "n")? > 0 {
            e.add(
                "period_from",
                "overlaps",
                "the participant already has a contract in this intervention for part of this period",
            );
        }
        if !e.is_empty() {
            return Err(StoreError::Validation(e));
        }
        let r = sqlx::query(
            "INSERT INTO rental_contracts (participant_id, intervention_id, period_from, period_to, \
             hours_per_week_minutes, hourly_wage_ore, employer_fee_permille, created_by, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id",
        )
        .bind(d.participant_id)
        .bind(d.intervention_id)
        .bind(ymd(d.period.from))
        .bind(ymd(d.period.to))
        .bind(d.hours_per_week_minutes)
        .bind(d.hourly_wage_ore)
        .bind(d.employer_fee_permille)
        .bind(ctx.actor.user_id)
        .bind(micros(ctx.now))
        .fetch_one(&mut *tx)
        .await?;
        let id: i64 = get(&r, "id")?;
        permit
            .record(
                &mut tx,
                ctx,
                "rental.contract.created",
                &format!("contract {id}, intervention {}", d.intervention_id),
                &[d.participant_id],
            )
            .await?;
        let r = sqlx::query(&format!("SELECT {CONTRACT_COLUMNS} WHERE c.id = $1"))
            .bind(id)
            .fetch_one(&mut *tx)
            .await?;
        let c = row_to_contract(&r)?;
        tx.commit().await?;
        Ok(c)
    }

    pub async fn list_contracts(&self, ctx: &Ctx, intervention_id: i64) -> Result<Vec<Contract>> {
        let (mut tx, permit) = self
            .authorize_rental(
                ctx,
                RentalAction::Read,
                RentalTarget::Intervention(intervention_id),
                "rental.contract.list",
            )
            .await?;
        let rows = sqlx::query(&format!(
            "SELECT {CONTRACT_COLUMNS} WHERE c.intervention_id = $1 ORDER BY p.last_name, p.first_name, c.id"
        ))
        .bind(intervention_id)
        .fetch_all(&mut *tx)
        .await?;
        let out = rows
            .iter()
            .map(row_to_contract)
            .collect::<Result<Vec<_>>>()?;
        let ids: Vec<i64> = out.iter().map(|c| c.participant_id).collect();
        permit
            .record(
                &mut tx,
                ctx,
                "rental.contract.list.returned",
                &format!("intervention {intervention_id}"),
                &ids,
            )
            .await?;
        tx.commit().await?;
        Ok(out)
    }

    /// Price an existing placement as an assignment under a contract.
    pub async fn create_assignment(
        &self,
        ctx: &Ctx,
        placement_id: Option<i64>,
        contract_id: Option<i64>,
        hourly_rate_ore: Option<i64>,
    ) -> Result<Assignment> {
        let (mut tx, permit) = self
            .authorize_rental(
                ctx,
                RentalAction::Manage,
                RentalTarget::None,
                "rental.assignment.create",
            )
            .await?;
        let mut e = ValidationErrors::new();
        for (f, v) in [
            ("placement_id", placement_id),
            ("contract_id", contract_id),
            ("hourly_rate_ore", hourly_rate_ore),
        ] {
            if v.is_none() {
                e.add(f, "required", format!("{f} is required"));
            }
        }
        if !e.is_empty() {
            return Err(StoreError::Validation(e));
        }
        let (placement_id, contract_id, rate) = (
            placement_id.unwrap_or(0),
            contract_id.unwrap_or(0),
            hourly_rate_ore.unwrap_or(0),
        );
        let p = sqlx::query(
            "SELECT pl.participant_id, pl.intervention_id, pl.start_date, pl.end_date, pl.employment_form, \
             pl.employer_id, i.model FROM placements pl JOIN interventions i ON i.id = pl.intervention_id \
             WHERE pl.id = $1",
        )
        .bind(placement_id)
        .fetch_optional(&mut *tx)
        .await?;
        let c = sqlx::query(
            "SELECT participant_id, intervention_id, period_from, period_to FROM rental_contracts WHERE id = $1",
        )
        .bind(contract_id)
        .fetch_optional(&mut *tx)
        .await?;
        if p.is_none() {
            e.add(
                "placement_id",
                "unknown",
                "placement_id must name a placement",
            );
        }
        if c.is_none() {
            e.add(
                "contract_id",
                "unknown",
                "contract_id must name a rental contract",
            );
        }
        let (Some(p), Some(c)) = (p, c) else {
            return Err(StoreError::Validation(e));
        };
        let facts = AssignmentFacts {
            placement_participant_id: get(&p, "participant_id")?,
            placement_intervention_id: get(&p, "intervention_id")?,
            placement_period: Period {
                from: date(&p, "start_date")?,
                to: date(&p, "end_date")?,
            },
            employment_form: get(&p, "employment_form")?,
            has_employer: get::<Option<i64>>(&p, "employer_id")?.is_some(),
            intervention_model: get(&p, "model")?,
            contract_participant_id: get(&c, "participant_id")?,
            contract_intervention_id: get(&c, "intervention_id")?,
            contract_period: Period {
                from: date(&c, "period_from")?,
                to: date(&c, "period_to")?,
            },
        };
        check_assignment(&facts, rate).map_err(StoreError::Validation)?;
        sqlx::query(
            "INSERT INTO rental_assignments (placement_id, contract_id, hourly_rate_ore, created_at) \
             VALUES ($1, $2, $3, $4)",
        )
        .bind(placement_id)
        .bind(contract_id)
        .bind(rate)
        .bind(micros(ctx.now))
        .execute(&mut *tx)
        .await
        .map_err(|err| {
            crate::conflict_on(err, "placement_id", "the placement is already an assignment")
        })?;
        permit
            .record(
                &mut tx,
                ctx,
                "rental.assignment.created",
                &format!("placement {placement_id}, contract {contract_id}"),
                &[facts.placement_participant_id],
            )
            .await?;
        let r = sqlx::query(&format!(
            "SELECT {ASSIGNMENT_COLUMNS} WHERE ra.placement_id = $1"
        ))
        .bind(placement_id)
        .fetch_one(&mut *tx)
        .await?;
        let a = row_to_assignment(&r)?;
        tx.commit().await?;
        Ok(a)
    }

    pub async fn list_assignments(
        &self,
        ctx: &Ctx,
        intervention_id: i64,
    ) -> Result<Vec<Assignment>> {
        let (mut tx, permit) = self
            .authorize_rental(
                ctx,
                RentalAction::Read,
                RentalTarget::Intervention(intervention_id),
                "rental.assignment.list",
            )
            .await?;
        let rows = sqlx::query(&format!(
            "SELECT {ASSIGNMENT_COLUMNS} WHERE pl.intervention_id = $1 ORDER BY e.name, p.last_name, ra.placement_id"
        ))
        .bind(intervention_id)
        .fetch_all(&mut *tx)
        .await?;
        let out = rows
            .iter()
            .map(row_to_assignment)
            .collect::<Result<Vec<_>>>()?;
        let ids: Vec<i64> = out.iter().map(|a| a.participant_id).collect();
        let placements: Vec<String> = out.iter().map(|a| a.placement_id.to_string()).collect();
        permit
            .record(
                &mut tx,
                ctx,
                "rental.assignment.list.returned",
                &format!(
                    "intervention {intervention_id}, placements {}",
                    placements.join(",")
                ),
                &ids,
            )
            .await?;
        tx.commit().await?;
        Ok(out)
    }

    /// The supervisor enters one week. A new, submitted or rejected week is
    /// (re)placed and waits for the host; an approved week, a day outside
    /// the placement or the contract, or a day in a month already invoiced
    /// is refused, and nothing is written.
    pub async fn submit_timesheet(&self, ctx: &Ctx, input: &TimesheetInput) -> Result<Timesheet> {
        let (mut tx, permit) = self
            .authorize_rental(
                ctx,
                RentalAction::EnterTimesheet,
                RentalTarget::None,
                "rental.timesheet.enter",
            )
            .await?;
        let mut e = ValidationErrors::new();
        if input.placement_id.is_none() {
            e.add("placement_id", "required", "placement_id is required");
        }
        let week_start = rules::parse_week_start(&mut e, input.week_start.as_deref());
        if input.minutes.is_none() {
            e.add(
                "minutes",
                "required",
                "minutes must list seven days, Monday first",
            );
        }
        let note =
            vagar_domain::validation::optional_text(&mut e, "note", input.note.as_deref(), 1000);
        let placement_id = input.placement_id.unwrap_or(0);
        let p = sqlx::query(
            "SELECT pl.participant_id, pl.intervention_id, pl.employer_id, pl.start_date, pl.end_date, \
             c.period_from, c.period_to FROM placements pl JOIN rental_assignments ra ON ra.placement_id = pl.id \
             JOIN rental_contracts c ON c.id = ra.contract_id WHERE pl.id = $1",
        )
        .bind(placement_id)
        .fetch_optional(&mut *tx)
        .await?;
        if p.is_none() && input.placement_id.is_some() {
            e.add(
                "placement_id",
                "unknown",
                "placement_id must name a placement that is a rental assignment",
            );
        }
        let (Some(p), Some(week_start), Some(minutes), true) =
            (p, week_start, input.minutes, e.is_empty())
        else {
            return Err(StoreError::Validation(e));
        };
        let participant_id: i64 = get(&p, "participant_id")?;
        let intervention_id: i64 = get(&p, "intervention_id")?;
        let employer_id: i64 = get(&p, "employer_id")?;
        let placement = Period {
            from: date(&p, "start_date")?,
            to: date(&p, "end_date")?,
        };
        let contract = Period {
            from: date(&p, "period_from")?,
            to: date(&p, "period_to")?,
        };
        let days = check_week(week_start, &minutes, placement, contract)
            .map_err(StoreError::Validation)?;
        let existing = sqlx::query(
            "SELECT id, status FROM timesheets WHERE placement_id = $1 AND week_start = $2",
        )
        .bind(placement_id)
        .bind(ymd(week_start))
        .fetch_optional(&mut *tx)
        .await?;
        let existing = match existing {
            None => None,
            Some(r) => Some((
                get::<i64>(&r, "id")?,
                TimesheetStatus::parse(&get::<String>(&r, "status")?)
                    .ok_or_else(|| StoreError::Other("invalid stored status".into()))?,
            )),
        };
        if let Err(err) = may_enter_over(existing.map(|x| x.1)) {
            let msg = err.0[0].message.clone();
            return Err(StoreError::Conflict {
                field: "week_start".into(),
                message: msg,
            });
        }
        let mut months: Vec<Month> = days.iter().map(|(d, _)| Month::of(*d)).collect();
        months.dedup();
        for m in months {
            if invoiced(&mut tx, intervention_id, employer_id, m).await? {
                return Err(StoreError::Conflict {
                    field: "week_start".into(),
                    message: format!(
                        "{m} has already been invoiced to this host; its hours cannot change"
                    ),
                });
            }
        }
        let total: i64 = days.iter().map(|(_, m)| m).sum();
        let now = micros(ctx.now);
        let id = match existing {
            Some((id, _)) => {
                let done = sqlx::query(
                    "UPDATE timesheets SET status = 'submitted', total_minutes = $1, note = $2, entered_by = $3, \
                     entered_at = $4, decided_by = NULL, decided_at = NULL, decision_note = NULL, \
                     version = version + 1 WHERE id = $5 AND status <> 'approved'",
                )
                .bind(total)
                .bind(note.as_deref())
                .bind(ctx.actor.user_id)
                .bind(now)
                .bind(id)
                .execute(&mut *tx)
                .await?;
                if done.rows_affected() != 1 {
                    return Err(StoreError::StaleVersion);
                }
                sqlx::query("DELETE FROM timesheet_days WHERE timesheet_id = $1")
                    .bind(id)
                    .execute(&mut *tx)
                    .await?;
                id
            }
            None => {
                let r = sqlx::query(
                    "INSERT INTO timesheets (placement_id, week_start, status, total_minutes, note, entered_by, \
                     entered_at) VALUES ($1, $2, 'submitted', $3, $4, $5, $6) RETURNING id",
                )
                .bind(placement_id)
                .bind(ymd(week_start))
                .bind(total)
                .bind(note.as_deref())
                .bind(ctx.actor.user_id)
                .bind(now)
                .fetch_one(&mut *tx)
                .await
                .map_err(|err| crate::conflict_on(err, "week_start", "this week was entered at the same time; reload"))?;
                get::<i64>(&r, "id")?
            }
        };
        for (d, m) in &days {
            sqlx::query(
                "INSERT INTO timesheet_days (timesheet_id, day, minutes) VALUES ($1, $2, $3)",
            )
            .bind(id)
            .bind(ymd(*d))
            .bind(*m)
            .execute(&mut *tx)
            .await?;
        }
        permit
            .record(
                &mut tx,
                ctx,
                "rental.timesheet.submitted",
                &format!("timesheet {id}, placement {placement_id}, week {week_start}"),
                &[participant_id],
            )
            .await?;
        let t = load_timesheet(&mut tx, id, minimal_for(ctx)).await?;
        tx.commit().await?;
        Ok(t)
    }

    /// Timesheets the actor may see: a host its own placements' weeks only.
    pub async fn list_timesheets(&self, ctx: &Ctx, f: &TimesheetFilter) -> Result<Vec<Timesheet>> {
        let (mut tx, permit) = self
            .authorize_rental(
                ctx,
                RentalAction::ReadTimesheet,
                RentalTarget::None,
                "rental.timesheet.list",
            )
            .await?;
        let mut sql = Sql::new(&format!("SELECT {TIMESHEET_COLUMNS} WHERE "));
        rental_host_filter(ctx, RentalAction::ReadTimesheet, &mut sql);
        if let Some(i) = f.intervention_id {
            sql.push(" AND pl.intervention_id = ").bind(Arg::I64(i));
        }
        if let Some(p) = f.placement_id {
            sql.push(" AND t.placement_id = ").bind(Arg::I64(p));
        }
        if let Some(s) = f.status {
            sql.push(" AND t.status = ")
                .bind(Arg::Text(s.as_str().into()));
        }
        let limit = f.limit.unwrap_or(1000).clamp(1, 1000);
        sql.push(" ORDER BY t.week_start DESC, p.first_name, t.id LIMIT ")
            .bind(Arg::I64(limit));
        let rows = sql.query().fetch_all(&mut *tx).await?;
        let minimal = minimal_for(ctx);
        let mut out = rows
            .iter()
            .map(|r| row_to_timesheet(r, minimal))
            .collect::<Result<Vec<_>>>()?;
        let ids: Vec<i64> = rows
            .iter()
            .map(|r| get::<i64>(r, "participant_id"))
            .collect::<Result<_>>()?;
        fill_days(&mut tx, &mut out).await?;
        let placements: HashSet<i64> = out.iter().map(|t| t.placement_id).collect();
        let mut placements: Vec<String> = placements.iter().map(i64::to_string).collect();
        placements.sort();
        permit
            .record(
                &mut tx,
                ctx,
                "rental.timesheet.list.returned",
                &format!("placements {}", placements.join(",")),
                &ids,
            )
            .await?;
        tx.commit().await?;
        Ok(out)
    }

    /// How many weeks of an intervention are submitted, approved and
    /// rejected (an aggregate: no participant is named).
    pub async fn timesheet_counts(&self, ctx: &Ctx, intervention_id: i64) -> Result<[i64; 3]> {
        let (mut tx, _permit) = self
            .authorize_rental(
                ctx,
                RentalAction::Read,
                RentalTarget::Intervention(intervention_id),
                "rental.timesheet.counts",
            )
            .await?;
        let rows = sqlx::query(
            "SELECT t.status, COUNT(*) AS n FROM timesheets t JOIN placements pl ON pl.id = t.placement_id \
             WHERE pl.intervention_id = $1 GROUP BY t.status",
        )
        .bind(intervention_id)
        .fetch_all(&mut *tx)
        .await?;
        let mut out = [0i64; 3];
        for r in &rows {
            let n: i64 = get(r, "n")?;
            match TimesheetStatus::parse(&get::<String>(r, "status")?) {
                Some(TimesheetStatus::Submitted) => out[0] = n,
                Some(TimesheetStatus::Approved) => out[1] = n,
                Some(TimesheetStatus::Rejected) => out[2] = n,
                None => {}
            }
        }
        tx.commit().await?;
        Ok(out)
    }

    pub async fn read_timesheet(&self, ctx: &Ctx, id: i64) -> Result<Timesheet> {
        let (mut tx, _permit) = self
            .authorize_rental(
                ctx,
                RentalAction::ReadTimesheet,
                RentalTarget::Timesheet(id),
                "rental.timesheet.read",
            )
            .await?;
        let t = load_timesheet(&mut tx, id, minimal_for(ctx)).await?;
        tx.commit().await?;
        Ok(t)
    }

    /// The host approves or rejects (with a reason) a submitted week.
    pub async fn decide_timesheet(
        &self,
        ctx: &Ctx,
        id: i64,
        approve: bool,
        reason: Option<&str>,
        version: Option<i64>,
    ) -> Result<Timesheet> {
        let event = if approve {
            "rental.timesheet.approve"
        } else {
            "rental.timesheet.reject"
        };
        let (mut tx, permit) = self
            .authorize_rental(
                ctx,
                RentalAction::DecideTimesheet,
                RentalTarget::Timesheet(id),
                event,
            )
            .await?;
        let current = load_timesheet(&mut tx, id, true).await?;
        if version.is_some_and(|v| v != current.version) {
            return Err(StoreError::StaleVersion);
        }
        let reason = match check_decision(current.status, approve, reason) {
            Ok(r) => r,
            Err(e) if e.for_field("status").is_some() => {
                return Err(StoreError::Conflict {
                    field: "status".into(),
                    message: e.0[0].message.clone(),
                })
            }
            Err(e) => return Err(StoreError::Validation(e)),
        };
        let status = if approve {
            TimesheetStatus::Approved
        } else {
            TimesheetStatus::Rejected
        };
        let done = sqlx::query(
            "UPDATE timesheets SET status = $1, decided_by = $2, decided_at = $3, decision_note = $4, \
             version = version + 1 WHERE id = $5 AND version = $6 AND status = 'submitted'",
        )
        .bind(status.as_str())
        .bind(ctx.actor.user_id)
        .bind(micros(ctx.now))
        .bind(reason.as_deref())
        .bind(id)
        .bind(current.version)
        .execute(&mut *tx)
        .await?;
        if done.rows_affected() != 1 {
            return Err(StoreError::StaleVersion);
        }
        permit
            .record(
                &mut tx,
                ctx,
                &format!("rental.timesheet.{}", status.as_str()),
                &format!("timesheet {id}, placement {}", current.placement_id),
                &permit.participant_id().into_iter().collect::<Vec<_>>(),
            )
            .await?;
        let t = load_timesheet(&mut tx, id, minimal_for(ctx)).await?;
        tx.commit().await?;
        Ok(t)
    }

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
        let (mut tx, permit) = self
            .authorize_rental(
                ctx,
                RentalAction::Manage,
                RentalTarget::Intervention(intervention_id),
                "rental.invoice.create",
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
        .bind(ymd(month.first_day() - Duration::days(6)))
        .bind(ymd(month.last_day()))
        .fetch_all(&mut *tx)
        .await?;
        let mut approved = vec![];
        let mut pending = vec![];
        for r in &rows {
            let status = TimesheetStatus::parse(&get::<String>(r, "status")?)
                .ok_or_else(|| StoreError::Other("invalid stored status".into()))?;
            let week_start = date(r, "week_start")?;
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
                w.days.push((date(&d, "day")?, get(&d, "minutes")?));
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
        let (mut tx, permit) = self
            .authorize_rental(
                ctx,
                RentalAction::Read,
                RentalTarget::Intervention(intervention_id),
                "rental.invoice.list",
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
        let (mut tx, permit) = self
            .authorize_rental(
                ctx,
                RentalAction::Read,
                RentalTarget::Invoice(id),
                "rental.invoice.read",
            )
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

    /// Record another cost or a subsidy (validated after the decision, so
    /// a role that may not gets 403 whatever it sent).
    pub async fn add_ledger_entry(
        &self,
        ctx: &Ctx,
        intervention_id: i64,
        d: Result<LedgerData, ValidationErrors>,
    ) -> Result<LedgerEntry> {
        let (mut tx, _permit) = self
            .authorize_rental(
                ctx,
                RentalAction::Manage,
                RentalTarget::Intervention(intervention_id),
                "rental.ledger.add",
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
        let (mut tx, _permit) = self
            .authorize_rental(
                ctx,
                RentalAction::Read,
                RentalTarget::Intervention(intervention_id),
                "rental.ledger.list",
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
        let (mut tx, permit) = self
            .authorize_rental(
                ctx,
                RentalAction::Read,
                RentalTarget::Intervention(intervention_id),
                "rental.economic_result.read",
            )
            .await?;
        let days = approved_days(&mut tx, intervention_id).await?;
        let invoices = sqlx::query(
            "SELECT employer_id, month, total_ore FROM invoices WHERE intervention_id = $1",
        )
        .bind(intervention_id)
        .fetch_all(&mut *tx)
        .await?;
        let ledger = ledger_rows(&mut tx, intervention_id).await?;
        let mut by: BTreeMap<Month, MonthInput> = BTreeMap::new();
        let mut invoiced: HashSet<(i64, Month)> = HashSet::new();
        for r in &invoices {
            let m = Month::parse(&get::<String>(r, "month")?)
                .ok_or_else(|| StoreError::Other("invalid stored month".into()))?;
            invoiced.insert((get(r, "employer_id")?, m));
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
        let (mut tx, permit) = self
            .authorize_rental(
                ctx,
                RentalAction::Read,
                RentalTarget::AnyIntervention(intervention_id),
                "intervention.legal_checks.read",
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
        .bind(ymd(ctx.today()))
        .fetch_all(&mut *tx)
        .await?;
        for r in &staffing {
            let worked: Option<i64> = get(r, "worked_minutes")?;
            let minutes =
                worked.unwrap_or(get::<i64>(r, "end_minute")? - get::<i64>(r, "start_minute")?);
            let year = date(r, "work_date")?.year();
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
        let week_start = date(l, "week_start")?;
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

/// A host of the rental seed: found or registered by organisation number,
/// linked to the organisation named `link_organisation` when that
/// organisation has no employer linked yet.
#[derive(Debug, Clone)]
pub struct RentalSeedHost {
    pub organisation_number: String,
    pub name: String,
    pub link_organisation: Option<String>,
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
    /// The first `limit` participants of an organisation, by id (the
    /// seed's employees).
    pub async fn rental_seed_participants(
        &self,
        organisation_id: i64,
        limit: i64,
    ) -> Result<Vec<i64>> {
        let rows = sqlx::query(
            "SELECT id FROM participants WHERE organisation_id = $1 ORDER BY id LIMIT $2",
        )
        .bind(organisation_id)
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
        .bind(ymd(s.period_from))
        .bind(ymd(s.period_to))
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
            .bind(ymd(c.from))
            .bind(ymd(c.to))
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
            .bind(ymd(c.from))
            .bind(ymd(c.to))
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
            .bind(ymd(w.monday))
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
                .bind(ymd(*d))
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
        // Invoices for every finished month a host can be invoiced for.
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
                let total_minutes: i64 = lines.iter().map(|l| l.minutes).sum();
                let total_ore: i64 = lines.iter().map(|l| l.amount_ore).sum();
                let r = sqlx::query(
                    "INSERT INTO invoices (intervention_id, employer_id, month, number, total_minutes, total_ore, \
                     created_by, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id",
                )
                .bind(intervention)
                .bind(*employer)
                .bind(month.to_string())
                .bind(format!("{}{:02}-{intervention}-{employer}", month.year, month.month))
                .bind(total_minutes)
                .bind(total_ore)
                .bind(recorder)
                .bind(at)
                .fetch_one(&mut *tx)
                .await?;
                let invoice: i64 = get(&r, "id")?;
                insert_invoice_lines(&mut tx, invoice, &lines).await?;
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

/// An invoice's lines, each week marked with the newest invoice it is on
/// (a week across two months is on two); shared by invoicing and the seed.
async fn insert_invoice_lines(
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
