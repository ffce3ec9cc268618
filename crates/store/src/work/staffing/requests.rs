//! A unit's staffing requests and the assignments that fill them: checked
//! by the domain's conflict rules in the transaction that writes them, all
//! or nothing; the hours actually worked.

use super::*;

impl Store {
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
        .bind(date_text(data.shift.date))
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
        let event = "staffing.request.list";
        let (mut tx, permit) = self
            .authorize_staffing(ctx, StaffingAction::ReadOrders, StaffingTarget::None, event)
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
            sql.push(" AND r.work_date >= ")
                .bind(Arg::Text(date_text(d)));
        }
        if let Some(d) = f.to {
            sql.push(" AND r.work_date <= ")
                .bind(Arg::Text(date_text(d)));
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
        let event = "staffing.request.read";
        let (mut tx, permit) = self
            .authorize_staffing(
                ctx,
                StaffingAction::ReadOrders,
                StaffingTarget::Request(id),
                event,
            )
            .await?;
        let with_people = staffing_role_may(ctx.actor.role, StaffingAction::Read);
        let (req, pids) = request_by_id(&mut tx, ctx, id, with_people).await?;
        permit.record(&mut tx, ctx, &pids).await?;
        tx.commit().await?;
        Ok(req)
    }

    pub async fn cancel_staffing_request(&self, ctx: &Ctx, id: i64) -> Result<Request> {
        let event = "staffing.request.cancel";
        let (mut tx, permit) = self
            .authorize_staffing(
                ctx,
                StaffingAction::Order,
                StaffingTarget::Request(id),
                event,
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
        let event = "staffing.assignment.create";
        let (mut tx, permit) = self
            .authorize_staffing(
                ctx,
                StaffingAction::Manage,
                StaffingTarget::Request(request_id),
                event,
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
                format!(
                    "staff_ids name no staff of this pool: {}",
                    unknown.join(", ")
                ),
            );
            return refuse(tx, permit, ctx, "unknown staff", &pids, err).await;
        }
        // Shifts a week and a rest period either side are enough for the rules.
        let lo = date_text(shift.date - chrono::Duration::days(8));
        let hi = date_text(shift.date + chrono::Duration::days(8));
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
                    date: date_at(r, "work_date")?,
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
            .bind(date_text(shift.date))
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
        let event = "staffing.assignment.delete";
        let (mut tx, permit) = self
            .authorize_staffing(
                ctx,
                StaffingAction::Manage,
                StaffingTarget::Assignment(id),
                event,
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
        let event = "staffing.assignment.worked";
        let (mut tx, permit) = self
            .authorize_staffing(
                ctx,
                StaffingAction::Manage,
                StaffingTarget::Assignment(id),
                event,
            )
            .await?;
        let row = sqlx::query(
            "SELECT request_id, staff_id, work_date, start_minute, end_minute FROM staffing_assignments WHERE id = $1",
        )
        .bind(id)
        .fetch_one(&mut *tx)
        .await?;
        let shift = Shift {
            date: date_at(&row, "work_date")?,
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
