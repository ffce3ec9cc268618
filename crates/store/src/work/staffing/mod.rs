//! Storage of the staffing model: pools and their staff, units' requests,
//! assignments (checked by the domain's conflict rules inside the same
//! transaction that writes them, all or nothing), reported unit hours, fill
//! rate, the hourly-share series and training progress. Every call is
//! decided and audited through [`Store::authorize_staffing`].

use crate::access::staffing::{readable_participants, unit_filter, StaffingTarget};
use crate::audit::Tx;
use crate::kernel::sql::{Arg, Sql};
use crate::{from_micros, get, micros, Ctx, Result, Store, StoreError};
use chrono::{DateTime, NaiveDate, Utc};
use std::collections::{BTreeMap, HashMap};
use vagar_domain::access::work::staffing::{staffing_role_may, StaffingAction};
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

fn one_error(field: &str, code: &str, message: &str) -> StoreError {
    let mut e = ValidationErrors::new();
    e.add(field, code, message);
    StoreError::Validation(e)
}

fn date(s: &str) -> Result<NaiveDate> {
    crate::kernel::parse_date(s)
}

fn ymd(d: NaiveDate) -> String {
    d.format("%Y-%m-%d").to_string()
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
            active_from: date(&get::<String>(r, "active_from")?)?,
            active_to: active_to.as_deref().map(date).transpose()?,
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
            work_date: date(&get::<String>(r, "work_date")?)?,
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
                work_date: date(&get::<String>(r, "work_date")?)?,
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
                &format!("{field} must be an SSYK level-4 group of the taxonomy"),
            )),
        }
    }

    pub async fn create_staffing_pool(&self, ctx: &Ctx, data: &PoolData) -> Result<Pool> {
        let (mut tx, permit) = self
            .authorize_staffing(
                ctx,
                StaffingAction::Manage,
                StaffingTarget::None,
                "staffing.pool.create",
            )
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
        let (mut tx, permit) = self
            .authorize_staffing(
                ctx,
                StaffingAction::Read,
                StaffingTarget::None,
                "staffing.pool.list",
            )
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
        let (mut tx, permit) = self
            .authorize_staffing(
                ctx,
                StaffingAction::ReadOrders,
                StaffingTarget::None,
                "staffing.pool.names",
            )
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
        let (mut tx, permit) = self
            .authorize_staffing(
                ctx,
                StaffingAction::Read,
                StaffingTarget::Pool(id),
                "staffing.pool.read",
            )
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
        let (mut tx, permit) = self
            .authorize_staffing(
                ctx,
                StaffingAction::Manage,
                StaffingTarget::Pool(pool_id),
                "staffing.staff.create",
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
        .bind(ymd(data.active_from))
        .bind(data.active_to.map(ymd))
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
        let (mut tx, permit) = self
            .authorize_staffing(
                ctx,
                StaffingAction::Manage,
                StaffingTarget::Staff(id),
                "staffing.staff.update",
            )
            .await?;
        let done = sqlx::query(
            "UPDATE staffing_staff SET employment_form = $1, occupation_ssyk = $2, hourly_wage_ore = $3, \
             active_from = $4, active_to = $5, version = version + 1 WHERE id = $6 AND version = $7",
        )
        .bind(data.employment_form.as_str())
        .bind(data.occupation.as_str())
        .bind(data.hourly_wage_ore)
        .bind(ymd(data.active_from))
        .bind(data.active_to.map(ymd))
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
        let (mut tx, permit) = self
            .authorize_staffing(
                ctx,
                StaffingAction::Read,
                StaffingTarget::Pool(pool_id),
                "staffing.staff.list",
            )
            .await?;
        let mut sql = Sql::new(STAFF_SELECT);
        sql.push("s.pool_id = ").bind(Arg::I64(pool_id));
        let (staff, pids) = staff_rows(&mut tx, ctx, sql).await?;
        permit.record(&mut tx, ctx, &pids).await?;
        tx.commit().await?;
        Ok(staff)
    }

    pub async fn create_staffing_request(
        &self,
        ctx: &Ctx,
        pool_id: i64,
        data: &RequestData,
    ) -> Result<Request> {
        self.check_ssyk("occupation", &data.occupation).await?;
        let (mut tx, permit) = self
            .authorize_staffing(
                ctx,
                StaffingAction::Order,
                StaffingTarget::Unit(data.unit_id),
                "staffing.request.create",
            )
            .await
            .map_err(|e| match e {
                // An unknown unit (or not a municipal unit) is a field error for whoever may order anywhere.
                StoreError::NotFound
                    if staffing_role_may(ctx.actor.role, StaffingAction::Manage) =>
                {
                    one_error("unit_id", "unknown", "unit_id must name a municipal unit")
                }
                other => other,
            })?;
        let pool = sqlx::query("SELECT COUNT(*) AS n FROM staffing_pools WHERE id = $1")
            .bind(pool_id)
            .fetch_one(&mut *tx)
            .await?;
        if get::<i64>(&pool, "n")? == 0 {
            return refuse(tx, permit, ctx, "no such pool", &[], StoreError::NotFound).await;
        }
        let row = sqlx::query(
            "INSERT INTO staffing_requests (pool_id, unit_organisation_id, work_date, start_minute, end_minute, \
             occupation_ssyk, staff_count, status, note, created_by, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, 'open', $8, $9, $10) RETURNING id",
        )
        .bind(pool_id)
        .bind(data.unit_id)
        .bind(ymd(data.shift.date))
        .bind(data.shift.start_minute)
        .bind(data.shift.end_minute)
        .bind(data.occupation.as_str())
        .bind(data.staff_count)
        .bind(data.note.as_deref())
        .bind(ctx.actor.user_id)
        .bind(micros(ctx.now))
        .fetch_one(&mut *tx)
        .await?;
        let id: i64 = get(&row, "id")?;
        permit.record(&mut tx, ctx, &[]).await?;
        let req = request_by_id(&mut tx, ctx, id, false).await?.0;
        tx.commit().await?;
        Ok(req)
    }

    pub async fn list_staffing_requests(
        &self,
        ctx: &Ctx,
        pool_id: i64,
        f: &RequestFilter,
    ) -> Result<Vec<Request>> {
        let (mut tx, permit) = self
            .authorize_staffing(
                ctx,
                StaffingAction::ReadOrders,
                StaffingTarget::None,
                "staffing.request.list",
            )
            .await?;
        let pool = sqlx::query("SELECT COUNT(*) AS n FROM staffing_pools WHERE id = $1")
            .bind(pool_id)
            .fetch_one(&mut *tx)
            .await?;
        if get::<i64>(&pool, "n")? == 0 {
            permit.record(&mut tx, ctx, &[]).await?;
            tx.commit().await?;
            return Err(StoreError::NotFound);
        }
        let mut sql = Sql::new(REQUEST_SELECT);
        sql.push("r.pool_id = ")
            .bind(Arg::I64(pool_id))
            .push(" AND ");
        unit_filter(
            ctx,
            StaffingAction::ReadOrders,
            "r.unit_organisation_id",
            &mut sql,
        );
        if let Some(d) = f.from {
            sql.push(" AND r.work_date >= ").bind(Arg::Text(ymd(d)));
        }
        if let Some(d) = f.to {
            sql.push(" AND r.work_date <= ").bind(Arg::Text(ymd(d)));
        }
        if let Some(u) = f.unit_id {
            sql.push(" AND r.unit_organisation_id = ").bind(Arg::I64(u));
        }
        sql.push(" ORDER BY r.work_date, r.start_minute, r.id");
        let with_people = staffing_role_may(ctx.actor.role, StaffingAction::Read);
        let (reqs, pids) = request_rows(&mut tx, ctx, sql, with_people).await?;
        permit.record(&mut tx, ctx, &pids).await?;
        tx.commit().await?;
        Ok(reqs)
    }

    pub async fn read_staffing_request(&self, ctx: &Ctx, id: i64) -> Result<Request> {
        let (mut tx, permit) = self
            .authorize_staffing(
                ctx,
                StaffingAction::ReadOrders,
                StaffingTarget::Request(id),
                "staffing.request.read",
            )
            .await?;
        let with_people = staffing_role_may(ctx.actor.role, StaffingAction::Read);
        let (req, pids) = request_by_id(&mut tx, ctx, id, with_people).await?;
        permit.record(&mut tx, ctx, &pids).await?;
        tx.commit().await?;
        Ok(req)
    }

    pub async fn cancel_staffing_request(&self, ctx: &Ctx, id: i64) -> Result<Request> {
        let (mut tx, permit) = self
            .authorize_staffing(
                ctx,
                StaffingAction::Order,
                StaffingTarget::Request(id),
                "staffing.request.cancel",
            )
            .await?;
        let (req, _) = request_by_id(&mut tx, ctx, id, false).await?;
        if req.status == "cancelled" {
            let err = StoreError::Conflict {
                field: "status".into(),
                message: "the request is already cancelled".into(),
            };
            return refuse(tx, permit, ctx, "already cancelled", &[], err).await;
        }
        sqlx::query("UPDATE staffing_requests SET status = 'cancelled' WHERE id = $1")
            .bind(id)
            .execute(&mut *tx)
            .await?;
        permit.record(&mut tx, ctx, &[]).await?;
        let with_people = staffing_role_may(ctx.actor.role, StaffingAction::Read);
        let (req, _) = request_by_id(&mut tx, ctx, id, with_people).await?;
        tx.commit().await?;
        Ok(req)
    }

    /// Assign staff to a request: every person is checked against the
    /// domain's conflict rules inside this transaction; one refusal refuses
    /// them all and nothing is written (`Ok(Err(refusals))`, the attempt audited).
    pub async fn assign_staffing(
        &self,
        ctx: &Ctx,
        request_id: i64,
        staff_ids: &[i64],
    ) -> Result<std::result::Result<Request, Vec<Refusal>>> {
        if staff_ids.is_empty() || staff_ids.len() > 50 {
            return Err(one_error(
                "staff_ids",
                "count",
                "staff_ids must list 1 to 50 staff",
            ));
        }
        let (mut tx, permit) = self
            .authorize_staffing(
                ctx,
                StaffingAction::Manage,
                StaffingTarget::Request(request_id),
                "staffing.assignment.create",
            )
            .await?;
        let pool_id = permit.pool_id().ok_or(StoreError::NotFound)?;
        let (req, _) = request_by_id(&mut tx, ctx, request_id, false).await?;
        let assigned =
            sqlx::query("SELECT staff_id FROM staffing_assignments WHERE request_id = $1")
                .bind(request_id)
                .fetch_all(&mut *tx)
                .await?
                .iter()
                .map(|r| get::<i64>(r, "staff_id"))
                .collect::<Result<Vec<_>>>()?;
        let cap_row =
            sqlx::query("SELECT hourly_week_cap_minutes FROM staffing_pools WHERE id = $1")
                .bind(pool_id)
                .fetch_one(&mut *tx)
                .await?;
        let limits = Limits {
            hourly_week_cap_minutes: get(&cap_row, "hourly_week_cap_minutes")?,
            ..Limits::default()
        };
        let shift = Shift {
            date: req.work_date,
            start_minute: req.start_minute,
            end_minute: req.end_minute,
        };
        let facts = RequestFacts {
            request_id,
            shift,
            occupation: Ssyk4::parse(&req.occupation_ssyk).ok_or(StoreError::NotFound)?,
            staff_count: req.staff_count,
            cancelled: req.status == "cancelled",
            assigned,
        };
        let mut sql = Sql::new(STAFF_SELECT);
        sql.push("s.pool_id = ")
            .bind(Arg::I64(pool_id))
            .push(" AND s.id IN (");
        for (i, id) in staff_ids.iter().enumerate() {
            if i > 0 {
                sql.push(",");
            }
            sql.bind(Arg::I64(*id));
        }
        sql.push(")");
        let (staff, pids) = staff_rows(&mut tx, ctx, sql).await?;
        let by_id: HashMap<i64, &Staff> = staff.iter().map(|s| (s.id, s)).collect();
        let unknown: Vec<String> = staff_ids
            .iter()
            .filter(|id| !by_id.contains_key(id))
            .map(|id| id.to_string())
            .collect();
        if !unknown.is_empty() {
            let err = one_error(
                "staff_ids",
                "unknown",
                &format!(
                    "staff_ids name no staff of this pool: {}",
                    unknown.join(", ")
                ),
            );
            return refuse(tx, permit, ctx, "unknown staff", &pids, err).await;
        }
        // Shifts a week and a rest period either side are enough for the rules.
        let lo = ymd(shift.date - chrono::Duration::days(8));
        let hi = ymd(shift.date + chrono::Duration::days(8));
        let mut candidates = Vec::new();
        for id in staff_ids {
            let s = by_id[id];
            let rows = sqlx::query(
                "SELECT a.request_id, a.work_date, a.start_minute, a.end_minute, a.worked_minutes \
                 FROM staffing_assignments a JOIN staffing_requests r ON r.id = a.request_id \
                 WHERE a.staff_id = $1 AND r.status = 'open' AND a.work_date >= $2 AND a.work_date <= $3",
            )
            .bind(*id)
            .bind(&lo)
            .bind(&hi)
            .fetch_all(&mut *tx)
            .await?;
            let mut booked = Vec::new();
            for r in &rows {
                let shift = Shift {
                    date: date(&get::<String>(r, "work_date")?)?,
                    start_minute: get(r, "start_minute")?,
                    end_minute: get(r, "end_minute")?,
                };
                let worked: Option<i64> = get(r, "worked_minutes")?;
                booked.push(Booked {
                    request_id: get(r, "request_id")?,
                    shift,
                    minutes: worked.unwrap_or(shift.minutes()),
                });
            }
            candidates.push((
                StaffFacts {
                    staff_id: s.id,
                    label: s.label.clone(),
                    employment_form: EmploymentForm::parse(&s.employment_form)
                        .unwrap_or(EmploymentForm::FullTime),
                    occupation: Ssyk4::parse(&s.occupation_ssyk).ok_or(StoreError::NotFound)?,
                    active_from: s.active_from,
                    active_to: s.active_to,
                },
                booked,
            ));
        }
        if let Err(refusals) = check_assignment(&facts, &candidates, &limits) {
            // Nothing is written; the attempt and its refusal are audited.
            let detail: Vec<String> = refusals
                .iter()
                .map(|r| {
                    format!(
                        "staff {}: {}",
                        r.staff_id,
                        r.conflicts
                            .iter()
                            .map(|c| c.code())
                            .collect::<Vec<_>>()
                            .join(",")
                    )
                })
                .collect();
            permit
                .record_refused(&mut tx, ctx, &detail.join("; "), &pids)
                .await?;
            tx.commit().await?;
            return Ok(Err(refusals));
        }
        for id in staff_ids {
            sqlx::query(
                "INSERT INTO staffing_assignments (request_id, staff_id, work_date, start_minute, end_minute, \
                 created_by, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7)",
            )
            .bind(request_id)
            .bind(*id)
            .bind(ymd(shift.date))
            .bind(shift.start_minute)
            .bind(shift.end_minute)
            .bind(ctx.actor.user_id)
            .bind(micros(ctx.now))
            .execute(&mut *tx)
            .await?;
        }
        let (req, more) = request_by_id(&mut tx, ctx, request_id, true).await?;
        let mut all = pids;
        all.extend(more);
        permit.record(&mut tx, ctx, &all).await?;
        tx.commit().await?;
        Ok(Ok(req))
    }

    pub async fn remove_staffing_assignment(&self, ctx: &Ctx, id: i64) -> Result<()> {
        let (mut tx, permit) = self
            .authorize_staffing(
                ctx,
                StaffingAction::Manage,
                StaffingTarget::Assignment(id),
                "staffing.assignment.delete",
            )
            .await?;
        let pids = assignment_participants(&mut tx, id).await?;
        sqlx::query("DELETE FROM staffing_assignments WHERE id = $1")
            .bind(id)
            .execute(&mut *tx)
            .await?;
        permit.record(&mut tx, ctx, &pids).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Report the minutes actually worked on an assignment.
    pub async fn report_staffing_worked(
        &self,
        ctx: &Ctx,
        id: i64,
        worked_minutes: Option<i64>,
    ) -> Result<Assignment> {
        let (mut tx, permit) = self
            .authorize_staffing(
                ctx,
                StaffingAction::Manage,
                StaffingTarget::Assignment(id),
                "staffing.assignment.worked",
            )
            .await?;
        let row = sqlx::query(
            "SELECT request_id, staff_id, work_date, start_minute, end_minute FROM staffing_assignments WHERE id = $1",
        )
        .bind(id)
        .fetch_one(&mut *tx)
        .await?;
        let shift = Shift {
            date: date(&get::<String>(&row, "work_date")?)?,
            start_minute: get(&row, "start_minute")?,
            end_minute: get(&row, "end_minute")?,
        };
        let worked = match check_worked_minutes(&shift, worked_minutes) {
            Ok(v) => v,
            Err(e) => {
                let err = StoreError::Validation(e);
                return refuse(tx, permit, ctx, "invalid worked_minutes", &[], err).await;
            }
        };
        sqlx::query("UPDATE staffing_assignments SET worked_minutes = $1 WHERE id = $2")
            .bind(worked)
            .bind(id)
            .execute(&mut *tx)
            .await?;
        let pids = assignment_participants(&mut tx, id).await?;
        permit.record(&mut tx, ctx, &pids).await?;
        tx.commit().await?;
        Ok(Assignment {
            id,
            request_id: get(&row, "request_id")?,
            staff_id: get(&row, "staff_id")?,
            label: String::new(),
            work_date: shift.date,
            start_minute: shift.start_minute,
            end_minute: shift.end_minute,
            worked_minutes: Some(worked),
        })
    }

    /// A unit's monthly hours (replacing an earlier report of the month).
    pub async fn report_unit_hours(&self, ctx: &Ctx, data: &UnitHoursData) -> Result<UnitHours> {
        let (mut tx, permit) = self
            .authorize_staffing(
                ctx,
                StaffingAction::Order,
                StaffingTarget::Unit(data.unit_id),
                "staffing.unit_hours.report",
            )
            .await
            .map_err(|e| match e {
                StoreError::NotFound
                    if staffing_role_may(ctx.actor.role, StaffingAction::Manage) =>
                {
                    one_error("unit_id", "unknown", "unit_id must name a municipal unit")
                }
                other => other,
            })?;
        sqlx::query(
            "DELETE FROM unit_monthly_hours WHERE unit_organisation_id = $1 AND month = $2",
        )
        .bind(data.unit_id)
        .bind(&data.month)
        .execute(&mut *tx)
        .await?;
        sqlx::query(
            "INSERT INTO unit_monthly_hours (unit_organisation_id, month, total_minutes, hourly_minutes, \
             reported_by, reported_at) VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(data.unit_id)
        .bind(&data.month)
        .bind(data.total_minutes)
        .bind(data.hourly_minutes)
        .bind(ctx.actor.user_id)
        .bind(micros(ctx.now))
        .execute(&mut *tx)
        .await?;
        permit.record(&mut tx, ctx, &[]).await?;
        let name = sqlx::query("SELECT name FROM organisations WHERE id = $1")
            .bind(data.unit_id)
            .fetch_one(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(UnitHours {
            unit_id: data.unit_id,
            unit_name: get(&name, "name")?,
            data: data.clone(),
        })
    }

    pub async fn list_unit_hours(&self, ctx: &Ctx, unit_id: Option<i64>) -> Result<Vec<UnitHours>> {
        let (mut tx, permit) = self
            .authorize_staffing(
                ctx,
                StaffingAction::ReadOrders,
                StaffingTarget::None,
                "staffing.unit_hours.list",
            )
            .await?;
        let out = unit_hours_rows(&mut tx, ctx, StaffingAction::ReadOrders, unit_id).await?;
        permit.record(&mut tx, ctx, &[]).await?;
        tx.commit().await?;
        Ok(out)
    }

    /// Fill rate per pool, unit and month (cancelled requests left out).
    pub async fn staffing_fill_rate(
        &self,
        ctx: &Ctx,
        pool_id: Option<i64>,
    ) -> Result<Vec<FillRow>> {
        let (mut tx, permit) = self
            .authorize_staffing(
                ctx,
                StaffingAction::ReadStatistics,
                StaffingTarget::None,
                "staffing.fill_rate.read",
            )
            .await?;
        let mut sql = Sql::new(
            "SELECT r.pool_id, p.name AS pool_name, r.unit_organisation_id, o.name AS unit_name, r.work_date, \
             r.staff_count, (SELECT COUNT(*) FROM staffing_assignments a WHERE a.request_id = r.id) AS assigned \
             FROM staffing_requests r JOIN organisations o ON o.id = r.unit_organisation_id \
             JOIN staffing_pools p ON p.id = r.pool_id WHERE r.status = 'open'",
        );
        if let Some(p) = pool_id {
            sql.push(" AND r.pool_id = ").bind(Arg::I64(p));
        }
        let rows = sql.query().fetch_all(&mut *tx).await?;
        let mut agg: BTreeMap<(i64, i64, String), (String, String, Fill)> = BTreeMap::new();
        for r in &rows {
            let month = month_of(date(&get::<String>(r, "work_date")?)?);
            let e = agg
                .entry((get(r, "pool_id")?, get(r, "unit_organisation_id")?, month))
                .or_insert_with(|| (String::new(), String::new(), Fill::default()));
            e.0 = get(r, "unit_name")?;
            e.1 = get(r, "pool_name")?;
            e.2.add(get(r, "staff_count")?, get(r, "assigned")?);
        }
        permit.record(&mut tx, ctx, &[]).await?;
        tx.commit().await?;
        Ok(agg
            .into_iter()
            .map(
                |((pool_id, unit_id, month), (unit_name, pool_name, fill))| FillRow {
                    pool_id,
                    pool_name,
                    unit_id,
                    unit_name,
                    month,
                    fill,
                },
            )
            .collect())
    }

    /// The units' share of hours worked by hourly employees, month by month
    /// (`hourly_share_series`: the pool's shifts at a unit added to its report).
    pub async fn staffing_hourly_share(
        &self,
        ctx: &Ctx,
        unit_id: Option<i64>,
    ) -> Result<Vec<(String, SharePoint)>> {
        let (mut tx, permit) = self
            .authorize_staffing(
                ctx,
                StaffingAction::ReadStatistics,
                StaffingTarget::None,
                "staffing.hourly_share.read",
            )
            .await?;
        let reported =
            unit_hours_rows(&mut tx, ctx, StaffingAction::ReadStatistics, unit_id).await?;
        let names: HashMap<i64, String> = reported
            .iter()
            .map(|u| (u.unit_id, u.unit_name.clone()))
            .collect();
        let mut sql = Sql::new(
            "SELECT r.unit_organisation_id, a.work_date, a.start_minute, a.end_minute, a.worked_minutes, \
             s.employment_form FROM staffing_assignments a JOIN staffing_requests r ON r.id = a.request_id \
             JOIN staffing_staff s ON s.id = a.staff_id WHERE r.status = 'open'",
        );
        if let Some(u) = unit_id {
            sql.push(" AND r.unit_organisation_id = ").bind(Arg::I64(u));
        }
        let mut pool: BTreeMap<(i64, String, bool), i64> = BTreeMap::new();
        for r in sql.query().fetch_all(&mut *tx).await? {
            let start: i64 = get(&r, "start_minute")?;
            let end: i64 = get(&r, "end_minute")?;
            let worked: Option<i64> = get(&r, "worked_minutes")?;
            let form: String = get(&r, "employment_form")?;
            let month = month_of(date(&get::<String>(&r, "work_date")?)?);
            *pool
                .entry((get(&r, "unit_organisation_id")?, month, form == "hourly"))
                .or_default() += worked.unwrap_or(end - start);
        }
        let data: Vec<UnitHoursData> = reported.into_iter().map(|u| u.data).collect();
        let series = hourly_share_series(&data, &pool);
        permit.record(&mut tx, ctx, &[]).await?;
        tx.commit().await?;
        Ok(series
            .into_iter()
            .map(|p| (names.get(&p.unit_id).cloned().unwrap_or_default(), p))
            .collect())
    }

    pub async fn add_staffing_training(
        &self,
        ctx: &Ctx,
        staff_id: i64,
        data: &TrainingData,
    ) -> Result<Training> {
        if let Some(o) = &data.occupation {
            self.check_ssyk("occupation", o).await?;
        }
        let (mut tx, permit) = self
            .authorize_staffing(
                ctx,
                StaffingAction::Manage,
                StaffingTarget::Staff(staff_id),
                "staffing.training.create",
            )
            .await?;
        let row = sqlx::query(
            "INSERT INTO training_progress (staff_id, course, occupation_ssyk, credits_total, credits_done, \
             started_on, completed_on, version, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, 1, $8) RETURNING id",
        )
        .bind(staff_id)
        .bind(&data.course)
        .bind(data.occupation.as_ref().map(|o| o.as_str().to_string()))
        .bind(data.credits_total)
        .bind(data.credits_done)
        .bind(ymd(data.started_on))
        .bind(data.completed_on.map(ymd))
        .bind(micros(ctx.now))
        .fetch_one(&mut *tx)
        .await?;
        let id: i64 = get(&row, "id")?;
        let (mut list, pids) = training_rows(&mut tx, ctx, "t.id", id).await?;
        permit.record(&mut tx, ctx, &pids).await?;
        tx.commit().await?;
        let mut t = list.pop().ok_or(StoreError::NotFound)?;
        self.mark_training_shortage(std::slice::from_mut(&mut t))
            .await?;
        Ok(t)
    }

    pub async fn update_staffing_training(
        &self,
        ctx: &Ctx,
        id: i64,
        data: &TrainingData,
        version: i64,
    ) -> Result<Training> {
        if let Some(o) = &data.occupation {
            self.check_ssyk("occupation", o).await?;
        }
        let (mut tx, permit) = self
            .authorize_staffing(
                ctx,
                StaffingAction::Manage,
                StaffingTarget::Training(id),
                "staffing.training.update",
            )
            .await?;
        let done = sqlx::query(
            "UPDATE training_progress SET course = $1, occupation_ssyk = $2, credits_total = $3, credits_done = $4, \
             started_on = $5, completed_on = $6, version = version + 1, updated_at = $7 WHERE id = $8 AND version = $9",
        )
        .bind(&data.course)
        .bind(data.occupation.as_ref().map(|o| o.as_str().to_string()))
        .bind(data.credits_total)
        .bind(data.credits_done)
        .bind(ymd(data.started_on))
        .bind(data.completed_on.map(ymd))
        .bind(micros(ctx.now))
        .bind(id)
        .bind(version)
        .execute(&mut *tx)
        .await?;
        if done.rows_affected() == 0 {
            let err = StoreError::StaleVersion;
            return refuse(tx, permit, ctx, "stale version", &[], err).await;
        }
        let (mut list, pids) = training_rows(&mut tx, ctx, "t.id", id).await?;
        permit.record(&mut tx, ctx, &pids).await?;
        tx.commit().await?;
        let mut t = list.pop().ok_or(StoreError::NotFound)?;
        self.mark_training_shortage(std::slice::from_mut(&mut t))
            .await?;
        Ok(t)
    }

    /// Training progress of a pool's staff.
    pub async fn list_staffing_training(&self, ctx: &Ctx, pool_id: i64) -> Result<Vec<Training>> {
        let (mut tx, permit) = self
            .authorize_staffing(
                ctx,
                StaffingAction::Read,
                StaffingTarget::Pool(pool_id),
                "staffing.training.list",
            )
            .await?;
        let (mut list, pids) = training_rows(&mut tx, ctx, "s.pool_id", pool_id).await?;
        permit.record(&mut tx, ctx, &pids).await?;
        tx.commit().await?;
        self.mark_training_shortage(&mut list).await?;
        Ok(list)
    }

    /// The shortage mark, by the newest round (Stockholm's county: pools
    /// have no address of their own).
    async fn mark_training_shortage(&self, list: &mut [Training]) -> Result<()> {
        let mut cache = HashMap::new();
        for t in list {
            if let Some(o) = &t.occupation_ssyk {
                t.shortage = self.shortage_at(&mut cache, o, None).await?;
            }
        }
        Ok(())
    }
}

impl crate::access::staffing::StaffingPermit {
    /// The allowed attempt that the domain refused (nothing written), with
    /// the refusal in the detail.
    pub async fn record_refused(
        self,
        tx: &mut Tx,
        ctx: &Ctx,
        refusal: &str,
        ids: &[i64],
    ) -> Result<()> {
        self.record_with_detail(tx, ctx, &format!("refused: {refusal}"), ids)
            .await
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

async fn assignment_participants(tx: &mut Tx, id: i64) -> Result<Vec<i64>> {
    let rows = sqlx::query(
        "SELECT s.participant_id FROM staffing_assignments a JOIN staffing_staff s ON s.id = a.staff_id \
         WHERE a.id = $1 AND s.participant_id IS NOT NULL",
    )
    .bind(id)
    .fetch_all(&mut **tx)
    .await?;
    rows.iter()
        .map(|r| get::<i64>(r, "participant_id"))
        .collect()
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

async fn request_by_id(
    tx: &mut Tx,
    ctx: &Ctx,
    id: i64,
    with_people: bool,
) -> Result<(Request, Vec<i64>)> {
    let mut sql = Sql::new(REQUEST_SELECT);
    sql.push("r.id = ").bind(Arg::I64(id));
    let (mut reqs, pids) = request_rows(tx, ctx, sql, with_people).await?;
    Ok((reqs.pop().ok_or(StoreError::NotFound)?, pids))
}

async fn unit_hours_rows(
    tx: &mut Tx,
    ctx: &Ctx,
    action: StaffingAction,
    unit_id: Option<i64>,
) -> Result<Vec<UnitHours>> {
    let mut sql = Sql::new(
        "SELECT h.unit_organisation_id, o.name AS unit_name, h.month, h.total_minutes, h.hourly_minutes \
         FROM unit_monthly_hours h JOIN organisations o ON o.id = h.unit_organisation_id WHERE ",
    );
    unit_filter(ctx, action, "h.unit_organisation_id", &mut sql);
    if let Some(u) = unit_id {
        sql.push(" AND h.unit_organisation_id = ").bind(Arg::I64(u));
    }
    sql.push(" ORDER BY o.name, h.unit_organisation_id, h.month");
    let rows = sql.query().fetch_all(&mut **tx).await?;
    rows.iter()
        .map(|r| {
            let unit_id: i64 = get(r, "unit_organisation_id")?;
            Ok(UnitHours {
                unit_id,
                unit_name: get(r, "unit_name")?,
                data: UnitHoursData {
                    unit_id,
                    month: get(r, "month")?,
                    total_minutes: get(r, "total_minutes")?,
                    hourly_minutes: get(r, "hourly_minutes")?,
                },
            })
        })
        .collect()
}

async fn training_rows(
    tx: &mut Tx,
    ctx: &Ctx,
    column: &str,
    id: i64,
) -> Result<(Vec<Training>, Vec<i64>)> {
    let mut sql = Sql::new(
        "SELECT t.id, t.staff_id, t.course, t.occupation_ssyk, t.credits_total, t.credits_done, t.started_on, \
         t.completed_on, t.version FROM training_progress t JOIN staffing_staff s ON s.id = t.staff_id WHERE ",
    );
    sql.push(column)
        .push(" = ")
        .bind(Arg::I64(id))
        .push(" ORDER BY t.id");
    let rows = sql.query().fetch_all(&mut **tx).await?;
    let staff_ids: Vec<i64> = rows
        .iter()
        .map(|r| get::<i64>(r, "staff_id"))
        .collect::<Result<_>>()?;
    let mut labels = HashMap::new();
    let mut pids = Vec::new();
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
        labels = staff.into_iter().map(|s| (s.id, s.label)).collect();
    }
    let mut out = Vec::new();
    for r in &rows {
        let staff_id: i64 = get(r, "staff_id")?;
        let completed: Option<String> = get(r, "completed_on")?;
        out.push(Training {
            id: get(r, "id")?,
            staff_id,
            staff_label: labels.get(&staff_id).cloned().unwrap_or_default(),
            course: get(r, "course")?,
            occupation_ssyk: get(r, "occupation_ssyk")?,
            shortage: false,
            credits_total: get(r, "credits_total")?,
            credits_done: get(r, "credits_done")?,
            started_on: date(&get::<String>(r, "started_on")?)?,
            completed_on: completed.as_deref().map(date).transpose()?,
            version: get(r, "version")?,
        });
    }
    Ok((out, pids))
}

/// What `seed_staffing` wrote.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct StaffingSeedCounts {
    pub staff: u64,
    pub requests: u64,
    pub assignments: u64,
    pub unit_months: u64,
    pub training: u64,
}

impl std::fmt::Display for StaffingSeedCounts {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "seeded a staffing pool: {} staff, {} requests, {} assignments, {} unit months, {} training records",
            self.staff, self.requests, self.assignments, self.unit_months, self.training
        )
    }
}

impl Store {
    /// The synthetic staffing model (`vagar seed`): `plan` is asked for with
    /// the number of participants available (the first ten by id are
    /// employed by the pool). Written in one transaction; nothing when the
    /// pool already exists. Linked to the first staffing-model intervention
    /// if there is one.
    pub async fn seed_staffing(
        &self,
        plan: impl FnOnce(usize) -> vagar_domain::work::staffing::StaffingPlan,
        now: DateTime<Utc>,
    ) -> Result<StaffingSeedCounts> {
        use vagar_domain::work::staffing::SeedPerson;
        let mut counts = StaffingSeedCounts::default();
        let participants: Vec<i64> =
            sqlx::query("SELECT id FROM participants ORDER BY id LIMIT 10")
                .fetch_all(&self.pool)
                .await?
                .iter()
                .map(|r| get::<i64>(r, "id"))
                .collect::<Result<_>>()?;
        let plan = plan(participants.len());
        let exists = sqlx::query("SELECT COUNT(*) AS n FROM staffing_pools WHERE name = $1")
            .bind(&plan.pool_name)
            .fetch_one(&self.pool)
            .await?;
        if get::<i64>(&exists, "n")? > 0 {
            return Ok(counts);
        }
        let mut units = Vec::new();
        for u in &plan.units {
            units.push(
                self.ensure_organisation(u, vagar_domain::OrgKind::MunicipalUnit)
                    .await?
                    .id,
            );
        }
        // The pool is run by the city's own staffing unit when there is one.
        let runner = match self
            .organisation_by_name("Stockholms stads bemanningspool")
            .await?
        {
            Some(o) => o.id,
            None => *units.first().ok_or(StoreError::NotFound)?,
        };
        let at = micros(now);
        let mut tx = self.pool.begin().await?;
        let intervention =
            sqlx::query("SELECT id FROM interventions WHERE model = 'staffing' ORDER BY id")
                .fetch_optional(&mut *tx)
                .await?
                .map(|r| get::<i64>(&r, "id"))
                .transpose()?;
        let row = sqlx::query(
            "INSERT INTO staffing_pools (intervention_id, name, organisation_id, hourly_price_ore, \
             hourly_week_cap_minutes, created_at) VALUES ($1, $2, $3, 32000, 2400, $4) RETURNING id",
        )
        .bind(intervention)
        .bind(&plan.pool_name)
        .bind(runner)
        .bind(at)
        .fetch_one(&mut *tx)
        .await?;
        let pool_id: i64 = get(&row, "id")?;
        let mut staff_ids = Vec::new();
        for s in &plan.staff {
            let (pid, name) = match &s.person {
                SeedPerson::Participant(i) => (participants.get(*i).copied(), None),
                SeedPerson::Regular(n) => (None, Some(n.clone())),
            };
            let row = sqlx::query(
                "INSERT INTO staffing_staff (pool_id, participant_id, name, employment_form, occupation_ssyk, \
                 hourly_wage_ore, active_from, active_to, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id",
            )
            .bind(pool_id)
            .bind(pid)
            .bind(name.or_else(|| pid.is_none().then(|| "Okänd".to_string())))
            .bind(s.employment_form.as_str())
            .bind(&s.occupation)
            .bind(s.hourly_wage_ore)
            .bind(ymd(s.active_from))
            .bind(s.active_to.map(ymd))
            .bind(at)
            .fetch_one(&mut *tx)
            .await?;
            staff_ids.push(get::<i64>(&row, "id")?);
            counts.staff += 1;
        }
        for r in &plan.requests {
            let row = sqlx::query(
                "INSERT INTO staffing_requests (pool_id, unit_organisation_id, work_date, start_minute, end_minute, \
                 occupation_ssyk, staff_count, status, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, 'open', $8) RETURNING id",
            )
            .bind(pool_id)
            .bind(units[r.unit])
            .bind(ymd(r.shift.date))
            .bind(r.shift.start_minute)
            .bind(r.shift.end_minute)
            .bind(&r.occupation)
            .bind(r.staff_count)
            .bind(at)
            .fetch_one(&mut *tx)
            .await?;
            let request_id: i64 = get(&row, "id")?;
            counts.requests += 1;
            for (a, worked) in r.assigned.iter().zip(&r.worked) {
                sqlx::query(
                    "INSERT INTO staffing_assignments (request_id, staff_id, work_date, start_minute, end_minute, \
                     worked_minutes, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7)",
                )
                .bind(request_id)
                .bind(staff_ids[*a])
                .bind(ymd(r.shift.date))
                .bind(r.shift.start_minute)
                .bind(r.shift.end_minute)
                .bind(*worked)
                .bind(at)
                .execute(&mut *tx)
                .await?;
                counts.assignments += 1;
            }
        }
        for h in &plan.unit_hours {
            sqlx::query(
                "INSERT INTO unit_monthly_hours (unit_organisation_id, month, total_minutes, hourly_minutes, reported_at) \
                 VALUES ($1, $2, $3, $4, $5)",
            )
            .bind(units[h.unit])
            .bind(&h.month)
            .bind(h.total_minutes)
            .bind(h.hourly_minutes)
            .bind(at)
            .execute(&mut *tx)
            .await?;
            counts.unit_months += 1;
        }
        for t in &plan.training {
            sqlx::query(
                "INSERT INTO training_progress (staff_id, course, occupation_ssyk, credits_total, credits_done, \
                 started_on, completed_on, version, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, 1, $8)",
            )
            .bind(staff_ids[t.staff])
            .bind(&t.course)
            .bind(&t.occupation)
            .bind(t.credits_total)
            .bind(t.credits_done)
            .bind(ymd(t.started_on))
            .bind(t.completed_on.map(ymd))
            .bind(at)
            .execute(&mut *tx)
            .await?;
            counts.training += 1;
        }
        tx.commit().await?;
        Ok(counts)
    }
}
