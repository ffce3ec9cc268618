//! Interventions (insatser): the programmes participants are placed in,
//! with the organisations that run them and their planned indicators.
//! Rules are in `vagar_domain::work::interventions`; the policy in
//! `access::interventions`. Placements are in [`crate::work::placements`],
//! hosts' staff reductions and the displacement assessment in
//! [`crate::work::displacement`].

use crate::audit::Tx;
use crate::kernel::bulk::insert_returning_id;
use crate::kernel::sql::{Arg, Sql};
use crate::kernel::{corrupt, date_at, one_error, opt_date_at, split_list};
use crate::{from_micros, get, micros, Ctx, Result, Store, StoreError};
use chrono::{DateTime, NaiveDate, Utc};
use sqlx::any::AnyRow;
use vagar_domain::access::InterventionAction;
use vagar_domain::work::interventions::{
    check_open, Indicator, InterventionData, InterventionStatus,
};

pub mod seed;

#[derive(Debug, Clone)]
pub struct IndicatorRow {
    pub id: i64,
    pub outcome: String,
    pub measured_after_days: i64,
    pub target_percent: i64,
    pub description: Option<String>,
}

#[derive(Debug, Clone)]
pub struct InterventionOrganisation {
    pub organisation_id: i64,
    pub name: String,
    /// lead or partner
    pub role: String,
}

#[derive(Debug, Clone)]
pub struct Intervention {
    pub id: i64,
    pub name: String,
    pub model: Option<String>,
    pub programme_type: Option<String>,
    pub description: Option<String>,
    pub target_groups: Vec<String>,
    pub capacity: i64,
    pub period_from: NaiveDate,
    pub period_to: Option<NaiveDate>,
    pub funding: Option<String>,
    pub operator_kind: String,
    pub follow_up_plan: Option<String>,
    pub status: String,
    pub version: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub organisations: Vec<InterventionOrganisation>,
    pub indicators: Vec<IndicatorRow>,
    /// Planned and active placements now.
    pub open_placements: i64,
}

impl Intervention {
    /// The input that reproduces this intervention (the base of a change).
    pub fn to_input(&self) -> vagar_domain::work::interventions::InterventionInput {
        vagar_domain::work::interventions::InterventionInput {
            name: Some(self.name.clone()),
            model: self.model.clone(),
            programme_type: self.programme_type.clone(),
            description: self.description.clone(),
            target_groups: self.target_groups.clone(),
            capacity: Some(self.capacity),
            period_from: Some(self.period_from.to_string()),
            period_to: self.period_to.map(|d| d.to_string()),
            funding: self.funding.clone(),
            operator_kind: Some(self.operator_kind.clone()),
            follow_up_plan: self.follow_up_plan.clone(),
            organisation_ids: self
                .organisations
                .iter()
                .map(|o| o.organisation_id)
                .collect(),
        }
    }
}

const INTERVENTION_COLUMNS: &str = "i.id, i.name, i.model, i.programme_type, i.description, i.target_groups, \
     i.capacity, i.period_from, i.period_to, i.funding, i.operator_kind, i.follow_up_plan, i.status, i.version, \
     i.created_at, i.updated_at, \
     (SELECT COUNT(*) FROM placements op WHERE op.intervention_id = i.id AND op.status IN ('planned', 'active')) AS open_placements";

fn intervention_from_row(r: &AnyRow) -> Result<Intervention> {
    let groups: String = get(r, "target_groups")?;
    Ok(Intervention {
        id: get(r, "id")?,
        name: get(r, "name")?,
        model: get(r, "model")?,
        programme_type: get(r, "programme_type")?,
        description: get(r, "description")?,
        target_groups: split_list(&groups),
        capacity: get(r, "capacity")?,
        period_from: date_at(r, "period_from")?,
        period_to: opt_date_at(r, "period_to")?,
        funding: get(r, "funding")?,
        operator_kind: get(r, "operator_kind")?,
        follow_up_plan: get(r, "follow_up_plan")?,
        status: get(r, "status")?,
        version: get(r, "version")?,
        created_at: from_micros(get(r, "created_at")?),
        updated_at: from_micros(get(r, "updated_at")?),
        organisations: vec![],
        indicators: vec![],
        open_placements: get(r, "open_placements")?,
    })
}

async fn load_intervention(tx: &mut Tx, id: i64) -> Result<Intervention> {
    let row = sqlx::query(&format!(
        "SELECT {INTERVENTION_COLUMNS} FROM interventions i WHERE i.id = $1"
    ))
    .bind(id)
    .fetch_optional(&mut **tx)
    .await?
    .ok_or(StoreError::NotFound)?;
    let mut i = intervention_from_row(&row)?;
    let orgs = sqlx::query(
        "SELECT io.organisation_id, o.name, io.role FROM intervention_organisations io \
         JOIN organisations o ON o.id = io.organisation_id WHERE io.intervention_id = $1 \
         ORDER BY CASE io.role WHEN 'lead' THEN 0 ELSE 1 END, o.name",
    )
    .bind(id)
    .fetch_all(&mut **tx)
    .await?;
    for r in &orgs {
        i.organisations.push(InterventionOrganisation {
            organisation_id: get(r, "organisation_id")?,
            name: get(r, "name")?,
            role: get(r, "role")?,
        });
    }
    let inds = sqlx::query(
        "SELECT id, outcome, measured_after_days, target_percent, description FROM intervention_indicators \
         WHERE intervention_id = $1 ORDER BY id",
    )
    .bind(id)
    .fetch_all(&mut **tx)
    .await?;
    for r in &inds {
        i.indicators.push(IndicatorRow {
            id: get(r, "id")?,
            outcome: get(r, "outcome")?,
            measured_after_days: get(r, "measured_after_days")?,
            target_percent: get(r, "target_percent")?,
            description: get(r, "description")?,
        });
    }
    Ok(i)
}

async fn check_organisations(tx: &mut Tx, ids: &[i64]) -> Result<()> {
    for id in ids {
        let n = sqlx::query("SELECT COUNT(*) AS n FROM organisations WHERE id = $1")
            .bind(id)
            .fetch_one(&mut **tx)
            .await?;
        if get::<i64>(&n, "n")? == 0 {
            return Err(one_error(
                "organisation_ids",
                "unknown_organisation",
                "organisation_ids must name existing organisations",
            ));
        }
    }
    Ok(())
}

pub(crate) async fn write_organisations(
    tx: &mut Tx,
    intervention_id: i64,
    ids: &[i64],
    lead: Option<i64>,
) -> Result<()> {
    sqlx::query("DELETE FROM intervention_organisations WHERE intervention_id = $1")
        .bind(intervention_id)
        .execute(&mut **tx)
        .await?;
    let lead = lead.filter(|l| ids.contains(l)).or(ids.first().copied());
    for id in ids {
        sqlx::query("INSERT INTO intervention_organisations (intervention_id, organisation_id, role) VALUES ($1, $2, $3)")
            .bind(intervention_id)
            .bind(id)
            .bind(if Some(*id) == lead { "lead" } else { "partner" })
            .execute(&mut **tx)
            .await?;
    }
    Ok(())
}

/// The columns an intervention's data is stored in, in the order of
/// [`data_args`].
const DATA_COLUMNS: &[&str] = &[
    "name",
    "model",
    "programme_type",
    "description",
    "target_groups",
    "capacity",
    "period_from",
    "period_to",
    "funding",
    "operator_kind",
    "follow_up_plan",
];

fn data_args(d: &InterventionData) -> Vec<Arg> {
    let groups: Vec<&str> = d.target_groups.iter().map(|g| g.as_str()).collect();
    vec![
        d.name.as_str().into(),
        d.model.map(|m| m.as_str()).into(),
        d.programme_type.map(|p| p.as_str()).into(),
        d.description.as_deref().into(),
        groups.join(",").into(),
        d.capacity.into(),
        d.period_from.to_string().into(),
        d.period_to.map(|t| t.to_string()).into(),
        d.funding.as_deref().into(),
        d.operator_kind.as_str().into(),
        d.follow_up_plan.as_deref().into(),
    ]
}

impl Store {
    /// Create an intervention (as a draft). The organisations that run it
    /// default to the creator's; the first named is the lead.
    pub async fn create_intervention(
        &self,
        ctx: &Ctx,
        data: &InterventionData,
    ) -> Result<Intervention> {
        let (mut tx, _permit) = self
            .authorize_intervention(ctx, InterventionAction::Create, None, "intervention.create")
            .await?;
        let mut orgs = data.organisation_ids.clone();
        if orgs.is_empty() {
            orgs.push(ctx.actor.organisation_id);
        }
        check_organisations(&mut tx, &orgs).await?;
        let now = micros(ctx.now);
        let mut columns = DATA_COLUMNS.to_vec();
        columns.extend([
            "status",
            "version",
            "created_by",
            "created_at",
            "updated_at",
        ]);
        let mut values = data_args(data);
        let by = ctx.actor.user_id;
        values.extend(["draft".into(), 1.into(), by.into(), now.into(), now.into()]);
        let id = insert_returning_id(&mut tx, "interventions", &columns, values).await?;
        write_organisations(&mut tx, id, &orgs, data.organisation_ids.first().copied()).await?;
        let i = load_intervention(&mut tx, id).await?;
        tx.commit().await?;
        Ok(i)
    }

    pub async fn list_interventions(
        &self,
        ctx: &Ctx,
        status: Option<InterventionStatus>,
    ) -> Result<Vec<Intervention>> {
        let (mut tx, _permit) = self
            .authorize_intervention(ctx, InterventionAction::Read, None, "intervention.list")
            .await?;
        let mut sql = Sql::new(&format!(
            "SELECT {INTERVENTION_COLUMNS} FROM interventions i WHERE 1 = 1"
        ));
        if let Some(s) = status {
            sql.push(" AND i.status = ")
                .bind(Arg::Text(s.as_str().into()));
        }
        sql.push(" ORDER BY i.period_from DESC, i.id DESC LIMIT 500");
        let rows = sql.query().fetch_all(&mut *tx).await?;
        let out = rows
            .iter()
            .map(intervention_from_row)
            .collect::<Result<Vec<_>>>()?;
        tx.commit().await?;
        Ok(out)
    }

    pub async fn read_intervention(&self, ctx: &Ctx, id: i64) -> Result<Intervention> {
        let (mut tx, _permit) = self
            .authorize_intervention(ctx, InterventionAction::Read, Some(id), "intervention.read")
            .await?;
        let i = load_intervention(&mut tx, id).await?;
        tx.commit().await?;
        Ok(i)
    }

    /// Change an intervention (whole record validated again; `version` must
    /// match). An open one keeps its follow-up plan.
    pub async fn update_intervention(
        &self,
        ctx: &Ctx,
        id: i64,
        data: &InterventionData,
        version: i64,
    ) -> Result<Intervention> {
        let event = "intervention.update";
        let (mut tx, _permit) = self
            .authorize_intervention(ctx, InterventionAction::Manage, Some(id), event)
            .await?;
        let current = load_intervention(&mut tx, id).await?;
        if current.version != version {
            return Err(StoreError::StaleVersion);
        }
        if current.status != "draft" {
            check_open(current.indicators.len(), data.follow_up_plan.as_deref())
                .map_err(StoreError::Validation)?;
        }
        let mut orgs = data.organisation_ids.clone();
        if orgs.is_empty() {
            orgs = current
                .organisations
                .iter()
                .map(|o| o.organisation_id)
                .collect();
        }
        check_organisations(&mut tx, &orgs).await?;
        let mut sql = Sql::new("UPDATE interventions SET ");
        sql.bind_assignments(DATA_COLUMNS, data_args(data))
            .push(", version = version + 1, updated_at = ")
            .bind(Arg::I64(micros(ctx.now)))
            .push(" WHERE id = ")
            .bind(Arg::I64(id))
            .push(" AND version = ")
            .bind(Arg::I64(version));
        let done = sql.query().execute(&mut *tx).await?;
        if done.rows_affected() != 1 {
            return Err(StoreError::StaleVersion);
        }
        let lead = current
            .organisations
            .iter()
            .find(|o| o.role == "lead")
            .map(|o| o.organisation_id);
        write_organisations(
            &mut tx,
            id,
            &orgs,
            data.organisation_ids.first().copied().or(lead),
        )
        .await?;
        let i = load_intervention(&mut tx, id).await?;
        tx.commit().await?;
        Ok(i)
    }

    /// Plan an indicator (outcome, when measured, target level).
    pub async fn add_indicator(&self, ctx: &Ctx, id: i64, ind: &Indicator) -> Result<Intervention> {
        let event = "intervention.indicator.create";
        let (mut tx, _permit) = self
            .authorize_intervention(ctx, InterventionAction::Manage, Some(id), event)
            .await?;
        let current = load_intervention(&mut tx, id).await?;
        if current.status == "closed" {
            return Err(StoreError::Conflict {
                field: "status".into(),
                message: "the intervention is closed".into(),
            });
        }
        if current.indicators.len() >= 20 {
            return Err(one_error("indicators", "too_many", "at most 20 indicators"));
        }
        sqlx::query(
            "INSERT INTO intervention_indicators (intervention_id, outcome, measured_after_days, target_percent, description) \
             VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(id)
        .bind(ind.outcome.as_str())
        .bind(ind.measured_after_days)
        .bind(ind.target_percent)
        .bind(ind.description.as_deref())
        .execute(&mut *tx)
        .await?;
        sqlx::query(
            "UPDATE interventions SET version = version + 1, updated_at = $1 WHERE id = $2",
        )
        .bind(micros(ctx.now))
        .bind(id)
        .execute(&mut *tx)
        .await?;
        let i = load_intervention(&mut tx, id).await?;
        tx.commit().await?;
        Ok(i)
    }

    /// Open (needs indicators and the follow-up plan: 422 naming the
    /// missing parts) or close. `version` must match when given.
    pub async fn set_intervention_status(
        &self,
        ctx: &Ctx,
        id: i64,
        to: InterventionStatus,
        version: Option<i64>,
    ) -> Result<Intervention> {
        let event = match to {
            InterventionStatus::Open => "intervention.open",
            InterventionStatus::Closed => "intervention.close",
            InterventionStatus::Draft => "intervention.update",
        };
        let (mut tx, _permit) = self
            .authorize_intervention(ctx, InterventionAction::Manage, Some(id), event)
            .await?;
        let current = load_intervention(&mut tx, id).await?;
        if version.is_some_and(|v| v != current.version) {
            return Err(StoreError::StaleVersion);
        }
        let from = InterventionStatus::parse(&current.status)
            .ok_or_else(|| corrupt("intervention", "status"))?;
        if !from.may_become(to) {
            return Err(StoreError::Conflict {
                field: "status".into(),
                message: format!(
                    "an intervention that is {} cannot become {}",
                    from.as_str(),
                    to.as_str()
                ),
            });
        }
        if to == InterventionStatus::Open {
            check_open(current.indicators.len(), current.follow_up_plan.as_deref())
                .map_err(StoreError::Validation)?;
        }
        sqlx::query("UPDATE interventions SET status = $1, version = version + 1, updated_at = $2 WHERE id = $3 AND version = $4")
            .bind(to.as_str())
            .bind(micros(ctx.now))
            .bind(id)
            .bind(current.version)
            .execute(&mut *tx)
            .await?;
        let i = load_intervention(&mut tx, id).await?;
        tx.commit().await?;
        Ok(i)
    }
}
