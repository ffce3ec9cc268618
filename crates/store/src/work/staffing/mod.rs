//! Storage of the staffing model: pools and their staff (here), units'
//! requests and assignments (`requests.rs`; checked by the domain's
//! conflict rules inside the same transaction that writes them, all or
//! nothing), reported unit hours, fill rate and the hourly-share series
//! (`hours.rs`), and training progress (`training.rs`). Every call is
//! decided and audited through [`Store::authorize_staffing`].

mod hours;
mod requests;
pub mod seed;
mod training;

use crate::access::staffing::{readable_participants, unit_filter, StaffingTarget};
use crate::audit::Tx;
use crate::kernel::sql::{Arg, Sql};
use crate::kernel::{date_at, date_text, one_error, parse_date};
use crate::{from_micros, get, micros, Ctx, Result, Store, StoreError};
use chrono::{DateTime, NaiveDate, Utc};
use std::collections::{BTreeMap, HashMap};
use vagar_domain::work::staffing::access::{staffing_role_may, StaffingAction};
use vagar_domain::work::staffing::{
    check_assignment, check_worked_minutes, hourly_share_series, month_of, Booked, EmploymentForm,
    Fill, Limits, PoolData, Refusal, RequestData, RequestFacts, SharePoint, Shift, Ssyk4,
    StaffData, StaffFacts, StaffPerson, TrainingData, UnitHoursData,
};
use vagar_domain::ValidationErrors;

#[derive(Debug, Clone)]
pub struct Pool {
    pub id: i64,
    pub name: String,
    pub organisation_id: i64,
    pub organisation_name: String,
    pub intervention_id: Option<i64>,
    pub hourly_price_ore: i64,
    pub hourly_week_cap_minutes: i64,
    pub staff_count: i64,
    pub created_at: DateTime<Utc>,
}

#[derive(Debug, Clone)]
pub struct Staff {
    pub id: i64,
    pub pool_id: i64,
    /// Set only when the actor may read the participant.
    pub participant_id: Option<i64>,
    pub is_participant: bool,
    /// The name, or the staff code (B-0012) for a participant the actor may not read.
    pub label: String,
    pub code: String,
    pub employment_form: String,
    pub occupation_ssyk: String,
    pub hourly_wage_ore: i64,
    pub active_from: NaiveDate,
    pub active_to: Option<NaiveDate>,
    pub version: i64,
}

#[derive(Debug, Clone)]
pub struct Assignment {
    pub id: i64,
    pub request_id: i64,
    pub staff_id: i64,
    /// The person's name or staff code (empty for a unit's staff, who see counts only).
    pub label: String,
    pub work_date: NaiveDate,
    pub start_minute: i64,
    pub end_minute: i64,
    pub worked_minutes: Option<i64>,
}

#[derive(Debug, Clone)]
pub struct Request {
    pub id: i64,
    pub pool_id: i64,
    pub unit_id: i64,
    pub unit_name: String,
    pub work_date: NaiveDate,
    pub start_minute: i64,
    pub end_minute: i64,
    pub occupation_ssyk: String,
    pub staff_count: i64,
    pub assigned: i64,
    /// open or cancelled
    pub status: String,
    pub note: Option<String>,
    /// Empty for a unit's staff (they see the fill state, not who).
    pub assignments: Vec<Assignment>,
}

impl Request {
    /// open, partly_filled, filled or cancelled.
    pub fn fill_state(&self) -> &'static str {
        if self.status == "cancelled" {
            "cancelled"
        } else if self.assigned >= self.staff_count {
            "filled"
        } else if self.assigned > 0 {
            "partly_filled"
        } else {
            "open"
        }
    }
}

#[derive(Debug, Clone, Default)]
pub struct RequestFilter {
    pub from: Option<NaiveDate>,
    pub to: Option<NaiveDate>,
    pub unit_id: Option<i64>,
}

#[derive(Debug, Clone)]
pub struct UnitHours {
    pub unit_id: i64,
    pub unit_name: String,
    pub data: UnitHoursData,
}

/// Fill rate of one (pool, unit, month).
#[derive(Debug, Clone, PartialEq)]
pub struct FillRow {
    pub pool_id: i64,
    pub pool_name: String,
    pub unit_id: i64,
    pub unit_name: String,
    pub month: String,
    pub fill: Fill,
}

#[derive(Debug, Clone)]
pub struct Training {
    pub id: i64,
    pub staff_id: i64,
    pub staff_label: String,
    pub course: String,
    pub occupation_ssyk: Option<String>,
    /// The occupation is short of people (newest Yrkesbarometer round).
    pub shortage: bool,
    pub credits_total: i64,
    pub credits_done: i64,
    pub started_on: NaiveDate,
    pub completed_on: Option<NaiveDate>,
    pub version: i64,
}

pub fn staff_code(id: i64) -> String {
    format!("B-{id:04}")
}

/// Staff rows with the name shown only where the participant policy allows.
async fn staff_rows(tx: &mut Tx, ctx: &Ctx, mut sql: Sql) -> Result<(Vec<Staff>, Vec<i64>)> {
    sql.push(" ORDER BY s.id");
    let rows = sql.query().fetch_all(&mut **tx).await?;
    let pids: Vec<i64> = rows
        .iter()
        .filter_map(|r| get::<Option<i64>>(r, "participant_id").ok().flatten())
        .collect();
    let readable = readable_participants(tx, ctx, &pids).await?;
    let mut out = Vec::new();
    for r in &rows {
        let id: i64 = get(r, "id")?;
        let pid: Option<i64> = get(r, "participant_id")?;
        let may = pid.is_some_and(|p| readable.get(&p).copied().unwrap_or(false));
        let label = match pid {
            Some(_) if may => format!(
                "{} {}",
                get::<Option<String>>(r, "first_name")?.unwrap_or_default(),
                get::<Option<String>>(r, "last_name")?.unwrap_or_default()
            ),
            Some(_) => staff_code(id),
            None => get::<Option<String>>(r, "name")?.unwrap_or_default(),
        };
        let active_to: Option<String> = get(r, "active_to")?;
        out.push(Staff {
            id,
            pool_id: get(r, "pool_id")?,
            participant_id: pid.filter(|_| may),
            is_participant: pid.is_some(),
            label,
            code: staff_code(id),
            employment_form: get(r, "employment_form")?,
            occupation_ssyk: get(r, "occupation_ssyk")?,
            hourly_wage_ore: get(r, "hourly_wage_ore")?,
            active_from: date_at(r, "active_from")?,
            active_to: active_to.as_deref().map(parse_date).transpose()?,
            version: get(r, "version")?,
        });
    }
    Ok((out, pids))
}

const STAFF_SELECT: &str = "SELECT s.id, s.pool_id, s.participant_id, s.name, s.employment_form, \
     s.occupation_ssyk, s.hourly_wage_ore, s.active_from, s.active_to, s.version, p.first_name, p.last_name \
     FROM staffing_staff s LEFT JOIN participants p ON p.id = s.participant_id WHERE ";

/// Requests with their assignments. `with_people`: the actor may see who
/// is assigned (otherwise counts only).
async fn request_rows(
    tx: &mut Tx,
    ctx: &Ctx,
    sql: Sql,
    with_people: bool,
) -> Result<(Vec<Request>, Vec<i64>)> {
    let rows = sql.query().fetch_all(&mut **tx).await?;
    let mut out = Vec::new();
    for r in &rows {
        out.push(Request {
            id: get(r, "id")?,
            pool_id: get(r, "pool_id")?,
            unit_id: get(r, "unit_organisation_id")?,
            unit_name: get(r, "unit_name")?,
            work_date: date_at(r, "work_date")?,
            start_minute: get(r, "start_minute")?,
            end_minute: get(r, "end_minute")?,
            occupation_ssyk: get(r, "occupation_ssyk")?,
            staff_count: get(r, "staff_count")?,
            assigned: get(r, "assigned")?,
            status: get(r, "status")?,
            note: get(r, "note")?,
            assignments: vec![],
        });
    }
    let mut pids = Vec::new();
    if with_people && !out.is_empty() {
        let mut sql = Sql::new(
            "SELECT a.id, a.request_id, a.staff_id, a.work_date, a.start_minute, a.end_minute, \
             a.worked_minutes FROM staffing_assignments a WHERE a.request_id IN (",
        );
        for (i, r) in out.iter().enumerate() {
            if i > 0 {
                sql.push(",");
            }
            sql.bind(Arg::I64(r.id));
        }
        sql.push(") ORDER BY a.id");
        let arows = sql.query().fetch_all(&mut **tx).await?;
        let staff_ids: Vec<i64> = arows
            .iter()
            .map(|r| get::<i64>(r, "staff_id"))
            .collect::<Result<_>>()?;
        let mut labels = HashMap::new();
        if !staff_ids.is_empty() {
            let mut ssql = Sql::new(STAFF_SELECT);
            ssql.push("s.id IN (");
            for (i, id) in staff_ids.iter().enumerate() {
                if i > 0 {
                    ssql.push(",");
                }
                ssql.bind(Arg::I64(*id));
            }
            ssql.push(")");
            let (staff, p) = staff_rows(tx, ctx, ssql).await?;
            pids = p;
            for s in staff {
                labels.insert(s.id, s.label);
            }
        }
        let mut by_request: HashMap<i64, Vec<Assignment>> = HashMap::new();
        for r in &arows {
            let staff_id: i64 = get(r, "staff_id")?;
            let a = Assignment {
                id: get(r, "id")?,
                request_id: get(r, "request_id")?,
                staff_id,
                label: labels.get(&staff_id).cloned().unwrap_or_default(),
                work_date: date_at(r, "work_date")?,
                start_minute: get(r, "start_minute")?,
                end_minute: get(r, "end_minute")?,
                worked_minutes: get(r, "worked_minutes")?,
            };
            by_request.entry(a.request_id).or_default().push(a);
        }
        for r in &mut out {
            r.assignments = by_request.remove(&r.id).unwrap_or_default();
        }
    }
    Ok((out, pids))
}

const REQUEST_SELECT: &str = "SELECT r.id, r.pool_id, r.unit_organisation_id, o.name AS unit_name, \
     r.work_date, r.start_minute, r.end_minute, r.occupation_ssyk, r.staff_count, r.status, r.note, \
     (SELECT COUNT(*) FROM staffing_assignments a WHERE a.request_id = r.id) AS assigned \
     FROM staffing_requests r JOIN organisations o ON o.id = r.unit_organisation_id WHERE ";

impl Store {
    /// An SSYK level-4 group of the taxonomy, or a 422 naming `field`.
    async fn check_ssyk(&self, field: &str, code: &Ssyk4) -> Result<()> {
        match self.occupation(code.as_str()).await? {
            Some(hit) if hit.kind == "ssyk_group" => Ok(()),
            _ => Err(one_error(
                field,
                "unknown_occupation",
                format!("{field} must be an SSYK level-4 group of the taxonomy"),
            )),
        }
    }

    pub async fn create_staffing_pool(&self, ctx: &Ctx, data: &PoolData) -> Result<Pool> {
        let event = "staffing.pool.create";
        let (mut tx, permit) = self
            .authorize_staffing(ctx, StaffingAction::Manage, StaffingTarget::None, event)
            .await?;
        let mut e = ValidationErrors::new();
        let org = sqlx::query("SELECT COUNT(*) AS n FROM organisations WHERE id = $1")
            .bind(data.organisation_id)
            .fetch_one(&mut *tx)
            .await?;
        if get::<i64>(&org, "n")? == 0 {
            e.add(
                "organisation_id",
                "unknown",
                "organisation_id must name an organisation",
            );
        }
        if let Some(i) = data.intervention_id {
            let row = sqlx::query("SELECT model FROM interventions WHERE id = $1")
                .bind(i)
                .fetch_optional(&mut *tx)
                .await?;
            match row {
                None => e.add(
                    "intervention_id",
                    "unknown",
                    "intervention_id must name an intervention",
                ),
                Some(r) => {
                    let model: Option<String> = get(&r, "model")?;
                    if model.as_deref() != Some("staffing") {
                        e.add(
                            "intervention_id",
                            "wrong_model",
                            "intervention_id must name an intervention of the staffing model",
                        );
                    }
                }
            }
        }
        if !e.is_empty() {
            return Err(StoreError::Validation(e));
        }
        let row = sqlx::query(
            "INSERT INTO staffing_pools (intervention_id, name, organisation_id, hourly_price_ore, \
             hourly_week_cap_minutes, created_by, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
        )
        .bind(data.intervention_id)
        .bind(&data.name)
        .bind(data.organisation_id)
        .bind(data.hourly_price_ore)
        .bind(data.hourly_week_cap_minutes)
        .bind(ctx.actor.user_id)
        .bind(micros(ctx.now))
        .fetch_one(&mut *tx)
        .await?;
        let id: i64 = get(&row, "id")?;
        permit.record(&mut tx, ctx, &[]).await?;
        let pool = pool_by_id(&mut tx, id).await?;
        tx.commit().await?;
        Ok(pool)
    }

    pub async fn list_staffing_pools(&self, ctx: &Ctx) -> Result<Vec<Pool>> {
        let event = "staffing.pool.list";
        let (mut tx, permit) = self
            .authorize_staffing(ctx, StaffingAction::Read, StaffingTarget::None, event)
            .await?;
        let rows = sqlx::query("SELECT id FROM staffing_pools ORDER BY name, id")
            .fetch_all(&mut *tx)
            .await?;
        let mut out = Vec::new();
        for r in &rows {
            out.push(pool_by_id(&mut tx, get(r, "id")?).await?);
        }
        permit.record(&mut tx, ctx, &[]).await?;
        tx.commit().await?;
        Ok(out)
    }

    /// The pools a unit's staff may order from (names only), for the order form.
    pub async fn staffing_pools_for_orders(&self, ctx: &Ctx) -> Result<Vec<(i64, String)>> {
        let event = "staffing.pool.names";
        let (mut tx, permit) = self
            .authorize_staffing(ctx, StaffingAction::ReadOrders, StaffingTarget::None, event)
            .await?;
        let rows = sqlx::query("SELECT id, name FROM staffing_pools ORDER BY name, id")
            .fetch_all(&mut *tx)
            .await?;
        permit.record(&mut tx, ctx, &[]).await?;
        tx.commit().await?;
        rows.iter()
            .map(|r| Ok((get(r, "id")?, get(r, "name")?)))
            .collect()
    }

    pub async fn read_staffing_pool(&self, ctx: &Ctx, id: i64) -> Result<Pool> {
        let event = "staffing.pool.read";
        let (mut tx, permit) = self
            .authorize_staffing(ctx, StaffingAction::Read, StaffingTarget::Pool(id), event)
            .await?;
        let pool = pool_by_id(&mut tx, id).await?;
        permit.record(&mut tx, ctx, &[]).await?;
        tx.commit().await?;
        Ok(pool)
    }

    pub async fn add_staffing_staff(
        &self,
        ctx: &Ctx,
        pool_id: i64,
        data: &StaffData,
    ) -> Result<Staff> {
        self.check_ssyk("occupation", &data.occupation).await?;
        let event = "staffing.staff.create";
        let (mut tx, permit) = self
            .authorize_staffing(
                ctx,
                StaffingAction::Manage,
                StaffingTarget::Pool(pool_id),
                event,
            )
            .await?;
        let (pid, name) = match &data.person {
            StaffPerson::Participant(p) => {
                // Only a participant the actor may read can be added; any
                // other answers as if it did not exist.
                let ok = readable_participants(&mut tx, ctx, &[*p]).await?;
                if !ok.get(p).copied().unwrap_or(false) {
                    let err = one_error(
                        "participant_id",
                        "unknown",
                        "participant_id must name a participant you may read",
                    );
                    return refuse(tx, permit, ctx, "participant not readable", &[*p], err).await;
                }
                (Some(*p), None)
            }
            StaffPerson::Regular(n) => (None, Some(n.clone())),
        };
        let row = sqlx::query(
            "INSERT INTO staffing_staff (pool_id, participant_id, name, employment_form, occupation_ssyk, \
             hourly_wage_ore, active_from, active_to, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id",
        )
        .bind(pool_id)
        .bind(pid)
        .bind(name)
        .bind(data.employment_form.as_str())
        .bind(data.occupation.as_str())
        .bind(data.hourly_wage_ore)
        .bind(date_text(data.active_from))
        .bind(data.active_to.map(date_text))
        .bind(micros(ctx.now))
        .fetch_one(&mut *tx)
        .await?;
        let id: i64 = get(&row, "id")?;
        let mut sql = Sql::new(STAFF_SELECT);
        sql.push("s.id = ").bind(Arg::I64(id));
        let (mut staff, pids) = staff_rows(&mut tx, ctx, sql).await?;
        permit.record(&mut tx, ctx, &pids).await?;
        tx.commit().await?;
        staff.pop().ok_or(StoreError::NotFound)
    }

    /// New terms for a member of staff (form, occupation, wage, active
    /// period); who they are stays. `version` must be the one read.
    pub async fn update_staffing_staff(
        &self,
        ctx: &Ctx,
        id: i64,
        data: &StaffData,
        version: i64,
    ) -> Result<Staff> {
        self.check_ssyk("occupation", &data.occupation).await?;
        let event = "staffing.staff.update";
        let (mut tx, permit) = self
            .authorize_staffing(
                ctx,
                StaffingAction::Manage,
                StaffingTarget::Staff(id),
                event,
            )
            .await?;
        let done = sqlx::query(
            "UPDATE staffing_staff SET employment_form = $1, occupation_ssyk = $2, hourly_wage_ore = $3, \
             active_from = $4, active_to = $5, version = version + 1 WHERE id = $6 AND version = $7",
        )
        .bind(data.employment_form.as_str())
        .bind(data.occupation.as_str())
        .bind(data.hourly_wage_ore)
        .bind(date_text(data.active_from))
        .bind(data.active_to.map(date_text))
        .bind(id)
        .bind(version)
        .execute(&mut *tx)
        .await?;
        if done.rows_affected() == 0 {
            return refuse(
                tx,
                permit,
                ctx,
                "stale version",
                &[],
                StoreError::StaleVersion,
            )
            .await;
        }
        let mut sql = Sql::new(STAFF_SELECT);
        sql.push("s.id = ").bind(Arg::I64(id));
        let (mut staff, pids) = staff_rows(&mut tx, ctx, sql).await?;
        permit.record(&mut tx, ctx, &pids).await?;
        tx.commit().await?;
        staff.pop().ok_or(StoreError::NotFound)
    }

    pub async fn list_staffing_staff(&self, ctx: &Ctx, pool_id: i64) -> Result<Vec<Staff>> {
        let event = "staffing.staff.list";
        let (mut tx, permit) = self
            .authorize_staffing(
                ctx,
                StaffingAction::Read,
                StaffingTarget::Pool(pool_id),
                event,
            )
            .await?;
        let mut sql = Sql::new(STAFF_SELECT);
        sql.push("s.pool_id = ").bind(Arg::I64(pool_id));
        let (staff, pids) = staff_rows(&mut tx, ctx, sql).await?;
        permit.record(&mut tx, ctx, &pids).await?;
        tx.commit().await?;
        Ok(staff)
    }
}

/// A permitted attempt that the rules refuse: the refusal is audited and
/// committed (nothing else was written), and `err` returned.
async fn refuse<T>(
    mut tx: Tx,
    permit: crate::access::staffing::StaffingPermit,
    ctx: &Ctx,
    reason: &str,
    ids: &[i64],
    err: StoreError,
) -> Result<T> {
    permit.record_refused(&mut tx, ctx, reason, ids).await?;
    tx.commit().await?;
    Err(err)
}

async fn pool_by_id(tx: &mut Tx, id: i64) -> Result<Pool> {
    let r = sqlx::query(
        "SELECT p.id, p.name, p.organisation_id, o.name AS organisation_name, p.intervention_id, \
         p.hourly_price_ore, p.hourly_week_cap_minutes, p.created_at, \
         (SELECT COUNT(*) FROM staffing_staff s WHERE s.pool_id = p.id) AS staff_count \
         FROM staffing_pools p JOIN organisations o ON o.id = p.organisation_id WHERE p.id = $1",
    )
    .bind(id)
    .fetch_optional(&mut **tx)
    .await?
    .ok_or(StoreError::NotFound)?;
    Ok(Pool {
        id: get(&r, "id")?,
        name: get(&r, "name")?,
        organisation_id: get(&r, "organisation_id")?,
        organisation_name: get(&r, "organisation_name")?,
        intervention_id: get(&r, "intervention_id")?,
        hourly_price_ore: get(&r, "hourly_price_ore")?,
        hourly_week_cap_minutes: get(&r, "hourly_week_cap_minutes")?,
        staff_count: get(&r, "staff_count")?,
        created_at: from_micros(get(&r, "created_at")?),
    })
}
