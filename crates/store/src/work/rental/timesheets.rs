//! Weekly timesheets: the supervisor enters a week, the host decides it;
//! hosts see only their own placements' weeks.

use super::invoices::invoiced;
use super::{Timesheet, TimesheetFilter, TimesheetInput};
use crate::access::rental::{rental_host_filter, RentalTarget};
use crate::audit::Tx;
use crate::kernel::sql::{Arg, Sql};
use crate::kernel::{date_at, date_text};
use crate::{from_micros, get, micros, Ctx, Result, Store, StoreError};
use std::collections::{HashMap, HashSet};
use vagar_domain::work::rental::access::RentalAction;
use vagar_domain::work::rental::{
    self as rules, check_decision, check_week, may_enter_over, Month, Period, TimesheetStatus,
};
use vagar_domain::ValidationErrors;

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
        week_start: date_at(r, "week_start")?,
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
            let day = date_at(&r, "day")?;
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
impl Store {
    /// The supervisor enters one week. A new, submitted or rejected week is
    /// (re)placed and waits for the host; an approved week, a day outside
    /// the placement or the contract, or a day in a month already invoiced
    /// is refused, and nothing is written.
    pub async fn submit_timesheet(&self, ctx: &Ctx, input: &TimesheetInput) -> Result<Timesheet> {
        let event = "rental.timesheet.enter";
        let (mut tx, permit) = self
            .authorize_rental(ctx, RentalAction::EnterTimesheet, RentalTarget::None, event)
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
            from: date_at(&p, "start_date")?,
            to: date_at(&p, "end_date")?,
        };
        let contract = Period {
            from: date_at(&p, "period_from")?,
            to: date_at(&p, "period_to")?,
        };
        let days = check_week(week_start, &minutes, placement, contract)
            .map_err(StoreError::Validation)?;
        let existing = sqlx::query(
            "SELECT id, status FROM timesheets WHERE placement_id = $1 AND week_start = $2",
        )
        .bind(placement_id)
        .bind(date_text(week_start))
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
                .bind(date_text(week_start))
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
            .bind(date_text(*d))
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
        let event = "rental.timesheet.list";
        let (mut tx, permit) = self
            .authorize_rental(ctx, RentalAction::ReadTimesheet, RentalTarget::None, event)
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
        let event = "rental.timesheet.counts";
        let (mut tx, _permit) = self
            .authorize_rental(
                ctx,
                RentalAction::Read,
                RentalTarget::Intervention(intervention_id),
                event,
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
        let event = "rental.timesheet.read";
        let (mut tx, _permit) = self
            .authorize_rental(
                ctx,
                RentalAction::ReadTimesheet,
                RentalTarget::Timesheet(id),
                event,
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
}
