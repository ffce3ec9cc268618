//! Training progress of a pool's staff, with the occupation's shortage.

use super::*;

impl Store {
    pub async fn add_staffing_training(
        &self,
        ctx: &Ctx,
        staff_id: i64,
        data: &TrainingData,
    ) -> Result<Training> {
        if let Some(o) = &data.occupation {
            self.check_ssyk("occupation", o).await?;
        }
        let event = "staffing.training.create";
        let (mut tx, permit) = self
            .authorize_staffing(
                ctx,
                StaffingAction::Manage,
                StaffingTarget::Staff(staff_id),
                event,
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
        .bind(date_text(data.started_on))
        .bind(data.completed_on.map(date_text))
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
        let event = "staffing.training.update";
        let (mut tx, permit) = self
            .authorize_staffing(
                ctx,
                StaffingAction::Manage,
                StaffingTarget::Training(id),
                event,
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
        .bind(date_text(data.started_on))
        .bind(data.completed_on.map(date_text))
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
        let event = "staffing.training.list";
        let (mut tx, permit) = self
            .authorize_staffing(
                ctx,
                StaffingAction::Read,
                StaffingTarget::Pool(pool_id),
                event,
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
            started_on: date_at(r, "started_on")?,
            completed_on: completed.as_deref().map(parse_date).transpose()?,
            version: get(r, "version")?,
        });
    }
    Ok((out, pids))
}
