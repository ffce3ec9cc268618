//! Hours a unit reports, the fill rate of its requests and the
//! hourly-share series.

use super::*;

impl Store {
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
        let event = "staffing.unit_hours.list";
        let (mut tx, permit) = self
            .authorize_staffing(ctx, StaffingAction::ReadOrders, StaffingTarget::None, event)
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
        let event = "staffing.fill_rate.read";
        let (mut tx, permit) = self
            .authorize_staffing(
                ctx,
                StaffingAction::ReadStatistics,
                StaffingTarget::None,
                event,
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
            let month = month_of(date_at(r, "work_date")?);
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
        let event = "staffing.hourly_share.read";
        let (mut tx, permit) = self
            .authorize_staffing(
                ctx,
                StaffingAction::ReadStatistics,
                StaffingTarget::None,
                event,
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
            let month = month_of(date_at(&r, "work_date")?);
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
