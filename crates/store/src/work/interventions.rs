//! Interventions (insatser), placements (deltagande), hosts' staff
//! reductions and the displacement assessment. Rules are in
//! `vagar_domain::work::{interventions, displacement}`; the policy in
//! `access::interventions`. Every piece of work is one transaction holding
//! its audit events: a refused enrolment writes nothing but the refusal.

use crate::access::interventions::{placement_filter, PlacementPermit};
use crate::access::EmployerPermit;
use crate::audit::{self, Outcome, Tx};
use crate::sql::{Arg, Sql};
use crate::{from_micros, get, micros, Ctx, Result, Store, StoreError};
use chrono::{DateTime, NaiveDate, Utc};
use sqlx::any::AnyRow;
use vagar_domain::access::work::interventions::{InterventionAction, PlacementAction};
use vagar_domain::access::EmployerAction;
use vagar_domain::participant::TargetGroup;
use vagar_domain::work::displacement::{self, Assessment, Facts, ReductionFact, RiskLevel};
use vagar_domain::work::interventions::{
    check_enrolment, check_exit, check_open, check_override_reason, EmploymentForm, EnrolmentFacts,
    ExitInput, Indicator, InterventionData, InterventionStatus, PlacementInput, PlacementStatus,
    PlacementTerms, ProgrammeType, Reduction, ReductionInput,
};
use vagar_domain::work::learning::{monday_of, WeekMinutes};
use vagar_domain::work::shares::{check_record, planned_week, summarise, ShareSummary};
use vagar_domain::ValidationErrors;

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

#[derive(Debug, Clone)]
pub struct Placement {
    pub id: i64,
    pub participant_id: i64,
    pub first_name: String,
    /// Empty in the host's minimal view.
    pub last_name: String,
    pub intervention_id: i64,
    pub intervention_name: String,
    pub employer_id: Option<i64>,
    pub employer_name: Option<String>,
    pub workplace_id: Option<i64>,
    pub workplace_name: Option<String>,
    pub host_organisation_id: Option<i64>,
    pub host_organisation_name: Option<String>,
    pub need_id: Option<i64>,
    pub occupation_ssyk: Option<String>,
    pub role_title: Option<String>,
    pub start_date: NaiveDate,
    pub end_date: NaiveDate,
    pub employment_form: String,
    pub hours_per_week_minutes: i64,
    pub planned_work_percent: i64,
    pub planned_study_percent: i64,
    pub monthly_wage_ore: Option<i64>,
    pub monthly_subsidy_ore: Option<i64>,
    pub subsidy_kind: Option<String>,
    pub supervisor_name: Option<String>,
    pub supervisor_phone: Option<String>,
    pub supervisor_email: Option<String>,
    pub extra_task: bool,
    pub risk: Assessment,
    pub override_reason: Option<String>,
    pub override_by: Option<i64>,
    pub override_at: Option<DateTime<Utc>>,
    pub status: String,
    pub exit_date: Option<NaiveDate>,
    pub exit_outcome: Option<String>,
    pub plan_step_id: Option<i64>,
    pub version: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    /// The host's minimal view: everything but first name, dates, role,
    /// hours and supervisor has been cleared.
    pub minimal: bool,
    /// Planned and recorded work and study shares; loaded when one
    /// placement is read in full (not in lists, not in the minimal view).
    pub shares: Option<ShareSummary>,
}

impl Placement {
    pub fn to_input(&self) -> PlacementInput {
        PlacementInput {
            start_date: Some(self.start_date.to_string()),
            end_date: Some(self.end_date.to_string()),
            employment_form: Some(self.employment_form.clone()),
            hours_per_week_minutes: Some(self.hours_per_week_minutes),
            planned_work_percent: Some(self.planned_work_percent),
            planned_study_percent: Some(self.planned_study_percent),
            monthly_wage_ore: self.monthly_wage_ore,
            monthly_subsidy_ore: self.monthly_subsidy_ore,
            subsidy_kind: self.subsidy_kind.clone(),
            supervisor_name: self.supervisor_name.clone(),
            supervisor_phone: self.supervisor_phone.clone(),
            supervisor_email: self.supervisor_email.clone(),
            role_title: self.role_title.clone(),
            occupation_ssyk: self.occupation_ssyk.clone(),
            extra_task: Some(self.extra_task),
        }
    }

    /// Clear what the host may not see.
    fn into_minimal(mut self) -> Placement {
        self.last_name = String::new();
        self.intervention_name = String::new();
        self.need_id = None;
        self.monthly_wage_ore = None;
        self.monthly_subsidy_ore = None;
        self.subsidy_kind = None;
        self.planned_work_percent = 0;
        self.planned_study_percent = 0;
        self.override_reason = None;
        self.override_by = None;
        self.override_at = None;
        self.exit_outcome = None;
        self.plan_step_id = None;
        self.shares = None;
        self.risk = Assessment {
            level: RiskLevel::Low,
            factors: vec![],
        };
        self.minimal = true;
        self
    }
}

/// Who hosts a placement: an employer (with a workplace), or a municipal unit.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Host {
    pub employer_id: Option<i64>,
    pub workplace_id: Option<i64>,
    pub host_organisation_id: Option<i64>,
}

#[derive(Debug, Clone, Default)]
pub struct NewPlacement {
    pub participant_id: i64,
    pub intervention_id: i64,
    pub host: Host,
    pub need_id: Option<i64>,
    pub terms: PlacementInput,
    /// An employer coordinator's reason to place despite a block.
    pub override_reason: Option<String>,
}

#[derive(Debug, Clone, Default)]
pub struct PlacementFilter {
    pub intervention_id: Option<i64>,
    pub employer_id: Option<i64>,
    pub participant_id: Option<i64>,
    pub status: Option<PlacementStatus>,
}

#[derive(Debug, Clone)]
pub struct StaffReduction {
    pub id: i64,
    pub employer_id: i64,
    pub workplace_id: Option<i64>,
    pub occupation_ssyk: String,
    pub kind: String,
    pub occurred_on: NaiveDate,
    pub persons: i64,
    pub note: Option<String>,
    pub created_at: DateTime<Utc>,
}

/// An employer (and workplace) a placement form offers as host.
#[derive(Debug, Clone)]
pub struct HostOption {
    pub employer_id: i64,
    pub employer_name: String,
    pub workplace_id: Option<i64>,
    pub workplace_name: Option<String>,
}

/// What the displacement dry run and a new placement are assessed on.
#[derive(Debug, Clone, Default)]
pub struct RiskQuery {
    pub host: Host,
    pub occupation_ssyk: Option<String>,
    pub need_id: Option<i64>,
    pub start_date: Option<String>,
    pub end_date: Option<String>,
    pub extra_task: bool,
}

fn one_error(field: &str, code: &str, message: &str) -> StoreError {
    let mut e = ValidationErrors::new();
    e.add(field, code, message);
    StoreError::Validation(e)
}

fn bad(what: &str) -> StoreError {
    StoreError::Other(format!("stored intervention data has an invalid {what}"))
}

fn date(s: &str) -> Result<NaiveDate> {
    crate::access::parse_date(s)
}

fn opt_date(s: Option<String>) -> Result<Option<NaiveDate>> {
    s.as_deref().map(date).transpose()
}

fn share_limit() -> i64 {
    displacement::share_limit_from(
        std::env::var("VAGAR_DISPLACEMENT_SHARE_PERCENT")
            .ok()
            .as_deref(),
    )
}

/// The refusal of a blocked placement: 422 naming the blocking factor.
pub fn blocked_error(a: &Assessment) -> StoreError {
    let f = a.blocking_factor();
    let code = f.map(|f| f.code.as_str()).unwrap_or("recent_dismissals");
    let text = f.map(|f| f.text.as_str()).unwrap_or("");
    let mut e = ValidationErrors::new();
    e.add(
        "displacement",
        "displacement_blocked",
        format!("blocked by the displacement factor {code}: {text}; an employer coordinator may override with a reason"),
    );
    StoreError::Validation(e)
}

// ------------------------------------------------------------ interventions

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
        target_groups: groups
            .split(',')
            .filter(|s| !s.is_empty())
            .map(str::to_string)
            .collect(),
        capacity: get(r, "capacity")?,
        period_from: date(&get::<String>(r, "period_from")?)?,
        period_to: opt_date(get(r, "period_to")?)?,
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

async fn write_organisations(
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

fn groups_text(d: &InterventionData) -> String {
    d.target_groups
        .iter()
        .map(|g| g.as_str())
        .collect::<Vec<_>>()
        .join(",")
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
        let row = sqlx::query(
            "INSERT INTO interventions (name, model, programme_type, description, target_groups, capacity, \
             period_from, period_to, funding, operator_kind, follow_up_plan, status, version, created_by, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, 'draft', 1, $12, $13, $14) RETURNING id",
        )
        .bind(data.name.as_str())
        .bind(data.model.map(|m| m.as_str()))
        .bind(data.programme_type.map(|p| p.as_str()))
        .bind(data.description.as_deref())
        .bind(groups_text(data))
        .bind(data.capacity)
        .bind(data.period_from.to_string())
        .bind(data.period_to.map(|d| d.to_string()))
        .bind(data.funding.as_deref())
        .bind(data.operator_kind.as_str())
        .bind(data.follow_up_plan.as_deref())
        .bind(ctx.actor.user_id)
        .bind(now)
        .bind(now)
        .fetch_one(&mut *tx)
        .await?;
        let id: i64 = get(&row, "id")?;
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
        let (mut tx, _permit) = self
            .authorize_intervention(
                ctx,
                InterventionAction::Manage,
                Some(id),
                "intervention.update",
            )
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
        let done = sqlx::query(
            "UPDATE interventions SET name = $1, model = $2, programme_type = $3, description = $4, target_groups = $5, \
             capacity = $6, period_from = $7, period_to = $8, funding = $9, operator_kind = $10, follow_up_plan = $11, \
             version = version + 1, updated_at = $12 WHERE id = $13 AND version = $14",
        )
        .bind(data.name.as_str())
        .bind(data.model.map(|m| m.as_str()))
        .bind(data.programme_type.map(|p| p.as_str()))
        .bind(data.description.as_deref())
        .bind(groups_text(data))
        .bind(data.capacity)
        .bind(data.period_from.to_string())
        .bind(data.period_to.map(|d| d.to_string()))
        .bind(data.funding.as_deref())
        .bind(data.operator_kind.as_str())
        .bind(data.follow_up_plan.as_deref())
        .bind(micros(ctx.now))
        .bind(id)
        .bind(version)
        .execute(&mut *tx)
        .await?;
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
        let (mut tx, _permit) = self
            .authorize_intervention(
                ctx,
                InterventionAction::Manage,
                Some(id),
                "intervention.indicator.create",
            )
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
        let from = InterventionStatus::parse(&current.status).ok_or_else(|| bad("status"))?;
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

// ------------------------------------------------------------ placements

const PLACEMENT_COLUMNS: &str = "pl.id, pl.participant_id, p.first_name, p.last_name, pl.intervention_id, \
     i.name AS intervention_name, pl.employer_id, he.name AS employer_name, pl.workplace_id, w.name AS workplace_name, \
     pl.host_organisation_id, ho.name AS host_organisation_name, pl.need_id, pl.occupation_ssyk, pl.role_title, \
     pl.start_date, pl.end_date, pl.employment_form, pl.hours_per_week_minutes, pl.planned_work_percent, \
     pl.planned_study_percent, pl.monthly_wage_ore, pl.monthly_subsidy_ore, pl.subsidy_kind, pl.supervisor_name, \
     pl.supervisor_phone, pl.supervisor_email, pl.extra_task, pl.risk_level, pl.risk_explanation, pl.override_reason, \
     pl.override_by, pl.override_at, pl.status, pl.exit_date, pl.exit_outcome, pl.plan_step_id, pl.version, \
     pl.created_at, pl.updated_at";

const PLACEMENT_FROM: &str = " FROM placements pl JOIN participants p ON p.id = pl.participant_id \
     JOIN interventions i ON i.id = pl.intervention_id LEFT JOIN employers he ON he.id = pl.employer_id \
     LEFT JOIN employer_workplaces w ON w.id = pl.workplace_id LEFT JOIN organisations ho ON ho.id = pl.host_organisation_id";

fn placement_from_row(r: &AnyRow) -> Result<Placement> {
    let level: String = get(r, "risk_level")?;
    let explanation: String = get(r, "risk_explanation")?;
    let factors = serde_json::from_str(&explanation).unwrap_or_default();
    let extra: i64 = get(r, "extra_task")?;
    let override_at: Option<i64> = get(r, "override_at")?;
    Ok(Placement {
        id: get(r, "id")?,
        participant_id: get(r, "participant_id")?,
        first_name: get(r, "first_name")?,
        last_name: get(r, "last_name")?,
        intervention_id: get(r, "intervention_id")?,
        intervention_name: get(r, "intervention_name")?,
        employer_id: get(r, "employer_id")?,
        employer_name: get(r, "employer_name")?,
        workplace_id: get(r, "workplace_id")?,
        workplace_name: get(r, "workplace_name")?,
        host_organisation_id: get(r, "host_organisation_id")?,
        host_organisation_name: get(r, "host_organisation_name")?,
        need_id: get(r, "need_id")?,
        occupation_ssyk: get(r, "occupation_ssyk")?,
        role_title: get(r, "role_title")?,
        start_date: date(&get::<String>(r, "start_date")?)?,
        end_date: date(&get::<String>(r, "end_date")?)?,
        employment_form: get(r, "employment_form")?,
        hours_per_week_minutes: get(r, "hours_per_week_minutes")?,
        planned_work_percent: get(r, "planned_work_percent")?,
        planned_study_percent: get(r, "planned_study_percent")?,
        monthly_wage_ore: get(r, "monthly_wage_ore")?,
        monthly_subsidy_ore: get(r, "monthly_subsidy_ore")?,
        subsidy_kind: get(r, "subsidy_kind")?,
        supervisor_name: get(r, "supervisor_name")?,
        supervisor_phone: get(r, "supervisor_phone")?,
        supervisor_email: get(r, "supervisor_email")?,
        extra_task: extra != 0,
        risk: Assessment {
            level: RiskLevel::parse(&level).ok_or_else(|| bad("risk level"))?,
            factors,
        },
        override_reason: get(r, "override_reason")?,
        override_by: get(r, "override_by")?,
        override_at: override_at.map(from_micros),
        status: get(r, "status")?,
        exit_date: opt_date(get(r, "exit_date")?)?,
        exit_outcome: get(r, "exit_outcome")?,
        plan_step_id: get(r, "plan_step_id")?,
        version: get(r, "version")?,
        created_at: from_micros(get(r, "created_at")?),
        updated_at: from_micros(get(r, "updated_at")?),
        minimal: false,
        shares: None,
    })
}

async fn load_placement(tx: &mut Tx, id: i64) -> Result<Placement> {
    let row = sqlx::query(&format!(
        "SELECT {PLACEMENT_COLUMNS}{PLACEMENT_FROM} WHERE pl.id = $1"
    ))
    .bind(id)
    .fetch_optional(&mut **tx)
    .await?
    .ok_or(StoreError::NotFound)?;
    placement_from_row(&row)
}

/// The placement's stored weeks, summarised against its planned shares.
async fn load_shares(tx: &mut Tx, p: &Placement) -> Result<ShareSummary> {
    let rows = sqlx::query(
        "SELECT week_start, planned_work_minutes, planned_study_minutes, done_work_minutes, \
         done_study_minutes FROM placement_weeks WHERE placement_id = $1 ORDER BY week_start",
    )
    .bind(p.id)
    .fetch_all(&mut **tx)
    .await?;
    let mut weeks = Vec::with_capacity(rows.len());
    for r in &rows {
        let ws: String = get(r, "week_start")?;
        weeks.push(WeekMinutes {
            week_start: date(&ws)?,
            planned_work: get(r, "planned_work_minutes")?,
            planned_study: get(r, "planned_study_minutes")?,
            done_work: get(r, "done_work_minutes")?,
            done_study: get(r, "done_study_minutes")?,
        });
    }
    Ok(summarise(
        weeks,
        p.planned_work_percent,
        p.planned_study_percent,
    ))
}

fn shape(p: Placement, permit: &PlacementPermit) -> Placement {
    if permit.minimal() {
        p.into_minimal()
    } else {
        p
    }
}

/// The host must be an employer (with, optionally, one of its workplaces)
/// or a municipal unit organisation — exactly one of them.
async fn check_host(tx: &mut Tx, host: &Host, e: &mut ValidationErrors) -> Result<()> {
    match (host.employer_id, host.host_organisation_id) {
        (Some(emp), None) => {
            let n = sqlx::query("SELECT COUNT(*) AS n FROM employers WHERE id = $1")
                .bind(emp)
                .fetch_one(&mut **tx)
                .await?;
            if get::<i64>(&n, "n")? == 0 {
                e.add(
                    "employer_id",
                    "unknown_employer",
                    "employer_id must name an employer of the register",
                );
            } else if let Some(w) = host.workplace_id {
                let n = sqlx::query("SELECT COUNT(*) AS n FROM employer_workplaces WHERE id = $1 AND employer_id = $2")
                    .bind(w)
                    .bind(emp)
                    .fetch_one(&mut **tx)
                    .await?;
                if get::<i64>(&n, "n")? == 0 {
                    e.add(
                        "workplace_id",
                        "not_of_employer",
                        "workplace_id must be a workplace of the employer",
                    );
                }
            }
        }
        (None, Some(org)) => {
            if host.workplace_id.is_some() {
                e.add(
                    "workplace_id",
                    "not_of_employer",
                    "a municipal unit host has no workplace_id",
                );
            }
            let n = sqlx::query("SELECT COUNT(*) AS n FROM organisations WHERE id = $1")
                .bind(org)
                .fetch_one(&mut **tx)
                .await?;
            if get::<i64>(&n, "n")? == 0 {
                e.add(
                    "host_organisation_id",
                    "unknown_organisation",
                    "host_organisation_id must name an organisation",
                );
            }
        }
        _ => e.add(
            "employer_id",
            "one_host",
            "give exactly one host: employer_id (and workplace_id) or host_organisation_id",
        ),
    }
    Ok(())
}

/// Shortage of the occupation in the county, by the newest round covering
/// it there (the whole country when the county has no row); `None` when
/// no round covers it. The same verdict as `Store::is_shortage`, read in
/// the work's transaction.
async fn shortage_in(tx: &mut Tx, ssyk: &str, county: &str) -> Result<Option<bool>> {
    let rows = sqlx::query(
        "SELECT round, recruitment_situation, county_code FROM shortage_occupations \
         WHERE ssyk_code = $1 AND county_code IN ($2, '00') ORDER BY round DESC",
    )
    .bind(ssyk)
    .bind(county)
    .fetch_all(&mut **tx)
    .await?;
    let Some(newest) = rows
        .first()
        .map(|r| get::<String>(r, "round"))
        .transpose()?
    else {
        return Ok(None);
    };
    let mut own = Vec::new();
    let mut country = Vec::new();
    for r in &rows {
        if get::<String>(r, "round")? != newest {
            continue;
        }
        let s: String = get(r, "recruitment_situation")?;
        if get::<String>(r, "county_code")? == county {
            own.push(s);
        } else {
            country.push(s);
        }
    }
    let verdict = if own.is_empty() { country } else { own };
    Ok(Some(verdict.iter().any(|s| s == "shortage")))
}

/// Load the facts of a displacement assessment and assess. `exclude` is
/// the placement itself when it is re-assessed.
async fn assess_in(
    tx: &mut Tx,
    host: &Host,
    ssyk: &str,
    start: NaiveDate,
    end: NaiveDate,
    extra_task: bool,
    exclude: Option<i64>,
) -> Result<Assessment> {
    let exclude = exclude.unwrap_or(0);
    // The county: the workplace's, else the host unit's municipality is not
    // recorded, so Stockholm's (as the needs module does).
    let mut county = "01".to_string();
    let mut staff_count = None;
    if let Some(w) = host.workplace_id {
        if let Some(r) = sqlx::query(
            "SELECT municipality_code, staff_count FROM employer_workplaces WHERE id = $1",
        )
        .bind(w)
        .fetch_optional(&mut **tx)
        .await?
        {
            let m: String = get(&r, "municipality_code")?;
            if let Some(c) = vagar_domain::geo::county_of(&m) {
                county = c.to_string();
            }
            staff_count = get(&r, "staff_count")?;
        }
    }
    let shortage = shortage_in(tx, ssyk, &county).await?;
    let mut reductions = Vec::new();
    if let Some(emp) = host.employer_id {
        let rows = sqlx::query(
            "SELECT occurred_on, persons, kind FROM host_staff_reductions WHERE employer_id = $1 AND occupation_ssyk = $2",
        )
        .bind(emp)
        .bind(ssyk)
        .fetch_all(&mut **tx)
        .await?;
        for r in &rows {
            reductions.push(ReductionFact {
                occurred_on: date(&get::<String>(r, "occurred_on")?)?,
                persons: get(r, "persons")?,
                dismissal: get::<String>(r, "kind")? == "dismissal",
            });
        }
    }
    let mut others = 0;
    if let Some(w) = host.workplace_id {
        let r = sqlx::query(
            "SELECT COUNT(*) AS n FROM placements WHERE workplace_id = $1 AND status IN ('planned', 'active') \
             AND start_date <= $2 AND end_date >= $3 AND id <> $4",
        )
        .bind(w)
        .bind(end.to_string())
        .bind(start.to_string())
        .bind(exclude)
        .fetch_one(&mut **tx)
        .await?;
        others = get(&r, "n")?;
    }
    let rows = sqlx::query(
        "SELECT start_date, COALESCE(exit_date, end_date) AS last_day FROM placements \
         WHERE occupation_ssyk = $1 AND status <> 'cancelled' AND id <> $2 \
         AND ((employer_id IS NOT NULL AND employer_id = $3) OR (host_organisation_id IS NOT NULL AND host_organisation_id = $4))",
    )
    .bind(ssyk)
    .bind(exclude)
    .bind(host.employer_id.unwrap_or(0))
    .bind(host.host_organisation_id.unwrap_or(0))
    .fetch_all(&mut **tx)
    .await?;
    let mut earlier = Vec::new();
    for r in &rows {
        earlier.push((
            date(&get::<String>(r, "start_date")?)?,
            date(&get::<String>(r, "last_day")?)?,
        ));
    }
    Ok(displacement::assess(&Facts {
        start_date: start,
        end_date: end,
        shortage,
        reductions,
        other_placements_at_workplace: others,
        staff_count,
        share_limit_percent: share_limit(),
        earlier_in_role: earlier,
        extra_task,
    }))
}

/// Recount a need's open placements and set `filled` / the status: full
/// when the count reaches its positions, open again when a slot frees.
async fn refresh_need(tx: &mut Tx, need_id: i64, now: i64) -> Result<()> {
    let r = sqlx::query(
        "SELECT n.positions, n.status, (SELECT COUNT(*) FROM placements pl WHERE pl.need_id = n.id \
         AND pl.status IN ('planned', 'active')) AS taken FROM competence_needs n WHERE n.id = $1",
    )
    .bind(need_id)
    .fetch_one(&mut **tx)
    .await?;
    let positions: i64 = get(&r, "positions")?;
    let status: String = get(&r, "status")?;
    let taken: i64 = get(&r, "taken")?;
    let new_status = match status.as_str() {
        "open" if taken >= positions => "filled",
        "filled" if taken < positions => "open",
        s => s,
    }
    .to_string();
    sqlx::query("UPDATE competence_needs SET filled = $1, status = $2, version = version + 1, updated_at = $3 WHERE id = $4")
        .bind(taken)
        .bind(new_status)
        .bind(now)
        .bind(need_id)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

async fn host_name(tx: &mut Tx, host: &Host) -> Result<String> {
    let row = match (host.employer_id, host.host_organisation_id) {
        (Some(e), _) => {
            sqlx::query("SELECT name FROM employers WHERE id = $1")
                .bind(e)
                .fetch_optional(&mut **tx)
                .await?
        }
        (None, Some(o)) => {
            sqlx::query("SELECT name FROM organisations WHERE id = $1")
                .bind(o)
                .fetch_optional(&mut **tx)
                .await?
        }
        _ => None,
    };
    Ok(match row {
        Some(r) => get(&r, "name")?,
        None => String::new(),
    })
}

/// Write the placement's step into the participant's action plan (making
/// the plan, with the placement's occupation as its goal, when there is
/// none yet), with its history rows. Returns the step id.
#[allow(clippy::too_many_arguments)]
async fn add_plan_step(
    tx: &mut Tx,
    ctx: &Ctx,
    participant_id: i64,
    terms: &PlacementTerms,
    intervention_name: &str,
    host: &str,
    status: PlacementStatus,
) -> Result<i64> {
    let now = micros(ctx.now);
    let plan =
        sqlx::query("SELECT id FROM action_plans WHERE participant_id = $1 AND status = 'active'")
            .bind(participant_id)
            .fetch_optional(&mut **tx)
            .await?;
    let plan_id: i64 = match plan {
        Some(r) => get(&r, "id")?,
        None => {
            let title = terms
                .role_title
                .clone()
                .unwrap_or_else(|| format!("Arbete (SSYK {})", terms.occupation_ssyk));
            let r = sqlx::query(
                "INSERT INTO action_plans (participant_id, status, goal_kind, ssyk_code, goal_title, version, \
                 created_by, created_at, updated_by, updated_at) VALUES ($1, 'active', 'occupation', $2, $3, 1, $4, $5, $6, $7) RETURNING id",
            )
            .bind(participant_id)
            .bind(terms.occupation_ssyk.as_str())
            .bind(title.as_str())
            .bind(ctx.actor.user_id)
            .bind(now)
            .bind(ctx.actor.user_id)
            .bind(now)
            .fetch_one(&mut **tx)
            .await?;
            let id: i64 = get(&r, "id")?;
            for (field, value) in [
                ("goal_kind", "occupation".to_string()),
                ("ssyk_code", terms.occupation_ssyk.clone()),
                ("goal_title", title),
            ] {
                history(tx, ctx, participant_id, id, None, field, &value).await?;
            }
            id
        }
    };
    let activity = if terms.employment_form == EmploymentForm::WorkPractice {
        "work_practice"
    } else {
        "other"
    };
    let text = format!("{intervention_name} – {host}");
    let step_status = if status == PlacementStatus::Active {
        "active"
    } else {
        "planned"
    };
    let r = sqlx::query(
        "INSERT INTO plan_steps (plan_id, participant_id, activity_type, activity_text, organisation_id, \
         responsible_user_id, start_date, due_date, status, result_note, version, created_by, created_at, updated_by, updated_at) \
         VALUES ($1, $2, $3, $4, $5, NULL, $6, $7, $8, NULL, 1, $9, $10, $11, $12) RETURNING id",
    )
    .bind(plan_id)
    .bind(participant_id)
    .bind(activity)
    .bind(text.as_str())
    .bind(ctx.actor.organisation_id)
    .bind(terms.start_date.to_string())
    .bind(terms.end_date.to_string())
    .bind(step_status)
    .bind(ctx.actor.user_id)
    .bind(now)
    .bind(ctx.actor.user_id)
    .bind(now)
    .fetch_one(&mut **tx)
    .await?;
    let step_id: i64 = get(&r, "id")?;
    for (field, value) in [
        ("activity_type", activity.to_string()),
        ("activity_text", text),
        ("organisation_id", ctx.actor.organisation_id.to_string()),
        ("start_date", terms.start_date.to_string()),
        ("due_date", terms.end_date.to_string()),
        ("status", step_status.to_string()),
    ] {
        history(
            tx,
            ctx,
            participant_id,
            plan_id,
            Some(step_id),
            field,
            &value,
        )
        .await?;
    }
    Ok(step_id)
}

async fn history(
    tx: &mut Tx,
    ctx: &Ctx,
    participant_id: i64,
    plan_id: i64,
    step_id: Option<i64>,
    field: &str,
    value: &str,
) -> Result<()> {
    sqlx::query(
        "INSERT INTO plan_history (participant_id, plan_id, step_id, change, field, old_value, new_value, \
         user_id, organisation_id, at, decision_id) VALUES ($1, $2, $3, 'created', $4, NULL, $5, $6, $7, $8, NULL)",
    )
    .bind(participant_id)
    .bind(plan_id)
    .bind(step_id)
    .bind(field)
    .bind(value)
    .bind(ctx.actor.user_id)
    .bind(ctx.actor.organisation_id)
    .bind(micros(ctx.now))
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// Close the placement's plan step (done) with the outcome as its note.
async fn close_plan_step(tx: &mut Tx, ctx: &Ctx, step_id: i64, note: &str) -> Result<()> {
    let r = sqlx::query("SELECT plan_id, participant_id, status FROM plan_steps WHERE id = $1")
        .bind(step_id)
        .fetch_optional(&mut **tx)
        .await?;
    let Some(r) = r else { return Ok(()) };
    let status: String = get(&r, "status")?;
    if status == "done" || status == "cancelled" {
        return Ok(());
    }
    sqlx::query(
        "UPDATE plan_steps SET status = 'done', result_note = $1, version = version + 1, updated_by = $2, updated_at = $3 WHERE id = $4",
    )
    .bind(note)
    .bind(ctx.actor.user_id)
    .bind(micros(ctx.now))
    .bind(step_id)
    .execute(&mut **tx)
    .await?;
    for (field, old, new) in [
        ("status", Some(status.as_str()), "done"),
        ("result_note", None, note),
    ] {
        sqlx::query(
            "INSERT INTO plan_history (participant_id, plan_id, step_id, change, field, old_value, new_value, \
             user_id, organisation_id, at, decision_id) VALUES ($1, $2, $3, 'updated', $4, $5, $6, $7, $8, $9, NULL)",
        )
        .bind(get::<i64>(&r, "participant_id")?)
        .bind(get::<i64>(&r, "plan_id")?)
        .bind(step_id)
        .bind(field)
        .bind(old)
        .bind(new)
        .bind(ctx.actor.user_id)
        .bind(ctx.actor.organisation_id)
        .bind(micros(ctx.now))
        .execute(&mut **tx)
        .await?;
    }
    Ok(())
}

struct NeedFacts {
    employer_id: i64,
    workplace_id: Option<i64>,
    ssyk: String,
    status: String,
}

async fn load_need_facts(tx: &mut Tx, id: i64) -> Result<Option<NeedFacts>> {
    let r = sqlx::query(
        "SELECT employer_id, workplace_id, ssyk_code, status FROM competence_needs WHERE id = $1",
    )
    .bind(id)
    .fetch_optional(&mut **tx)
    .await?;
    r.map(|r| {
        Ok(NeedFacts {
            employer_id: get(&r, "employer_id")?,
            workplace_id: get(&r, "workplace_id")?,
            ssyk: get(&r, "ssyk_code")?,
            status: get(&r, "status")?,
        })
    })
    .transpose()
}

/// The terms with the need's occupation and host filled in where the
/// input leaves them out; errors for a need that does not fit.
async fn with_need(
    tx: &mut Tx,
    need_id: Option<i64>,
    host: &mut Host,
    input: &mut PlacementInput,
    e: &mut ValidationErrors,
) -> Result<()> {
    let Some(n) = need_id else { return Ok(()) };
    match load_need_facts(tx, n).await? {
        None => e.add(
            "need_id",
            "unknown_need",
            "need_id must name a competence need",
        ),
        Some(need) => {
            if need.status != "open" {
                e.add(
                    "need_id",
                    "need_not_open",
                    format!("the competence need is {}, not open", need.status),
                );
            }
            if host.employer_id.is_none() && host.host_organisation_id.is_none() {
                host.employer_id = Some(need.employer_id);
                host.workplace_id = host.workplace_id.or(need.workplace_id);
            } else if host.employer_id != Some(need.employer_id) {
                e.add(
                    "need_id",
                    "other_employer",
                    "the competence need is another employer's",
                );
            }
            if input
                .occupation_ssyk
                .as_deref()
                .is_none_or(|s| s.trim().is_empty())
            {
                input.occupation_ssyk = Some(need.ssyk);
            }
        }
    }
    Ok(())
}

async fn enrolment_facts(
    tx: &mut Tx,
    intervention_id: i64,
    participant_id: i64,
    terms: &PlacementTerms,
    exclude: Option<i64>,
) -> Result<Option<(EnrolmentFacts, String)>> {
    let Some(i) = sqlx::query("SELECT name, status, programme_type, period_from, period_to, capacity FROM interventions WHERE id = $1")
        .bind(intervention_id)
        .fetch_optional(&mut **tx)
        .await?
    else {
        return Ok(None);
    };
    let taken = sqlx::query(
        "SELECT COUNT(*) AS n FROM placements WHERE intervention_id = $1 AND status IN ('planned', 'active') \
         AND start_date <= $2 AND end_date >= $3 AND id <> $4",
    )
    .bind(intervention_id)
    .bind(terms.end_date.to_string())
    .bind(terms.start_date.to_string())
    .bind(exclude.unwrap_or(0))
    .fetch_one(&mut **tx)
    .await?;
    let p = sqlx::query("SELECT birth_date, target_mask FROM participants WHERE id = $1")
        .bind(participant_id)
        .fetch_one(&mut **tx)
        .await?;
    let status: String = get(&i, "status")?;
    let programme: Option<String> = get(&i, "programme_type")?;
    Ok(Some((
        EnrolmentFacts {
            status: InterventionStatus::parse(&status).ok_or_else(|| bad("status"))?,
            programme_type: programme.as_deref().and_then(ProgrammeType::parse),
            period_from: date(&get::<String>(&i, "period_from")?)?,
            period_to: opt_date(get(&i, "period_to")?)?,
            capacity: get(&i, "capacity")?,
            taken_places: get(&taken, "n")?,
            birth_date: date(&get::<String>(&p, "birth_date")?)?,
            participant_groups: TargetGroup::from_mask(get(&p, "target_mask")?),
        },
        get(&i, "name")?,
    )))
}

impl Store {
    /// Place a participant: the programme's rules, the host, the need and
    /// the displacement assessment are checked; the placement, the need's
    /// slot and the plan step are written in one transaction, or nothing
    /// is. A blocked assessment is refused (422 `displacement_blocked`)
    /// unless an employer coordinator gives `override_reason`.
    pub async fn create_placement(&self, ctx: &Ctx, new: &NewPlacement) -> Result<Placement> {
        match self.place(ctx, new).await {
            // The refusal is audited on its own (the work's transaction is
            // gone): which rules refused it, never the values.
            Err(StoreError::Validation(e)) if new.participant_id > 0 => {
                let mut codes: Vec<&str> = e.0.iter().map(|f| f.code.as_str()).collect();
                codes.dedup();
                self.audit_refusal(
                    ctx,
                    "placement.create",
                    &format!("refused: {}", codes.join(", ")),
                    &[new.participant_id],
                )
                .await?;
                Err(StoreError::Validation(e))
            }
            other => other,
        }
    }

    async fn place(&self, ctx: &Ctx, new: &NewPlacement) -> Result<Placement> {
        // A role that may never place hears 403 whatever it sent.
        if !vagar_domain::access::work::interventions::placement_role_may(
            ctx.actor.role,
            PlacementAction::Create,
        ) {
            let ids: Vec<i64> = (new.participant_id > 0)
                .then_some(new.participant_id)
                .into_iter()
                .collect();
            self.audit_refusal(ctx, "placement.create", "", &ids)
                .await?;
            return Err(StoreError::Forbidden);
        }
        if new.participant_id <= 0 {
            return Err(one_error(
                "participant_id",
                "required",
                "participant_id is required",
            ));
        }
        let wants_override = new
            .override_reason
            .as_deref()
            .is_some_and(|r| !r.trim().is_empty());
        if wants_override
            && !vagar_domain::access::work::interventions::placement_role_may(
                ctx.actor.role,
                PlacementAction::Override,
            )
        {
            self.audit_refusal(ctx, "placement.override", "", &[new.participant_id])
                .await?;
            return Err(StoreError::Forbidden);
        }
        let (mut tx, permit) = self
            .authorize_new_placement(ctx, new.participant_id, "placement.create")
            .await?;
        let mut e = ValidationErrors::new();
        let mut host = new.host;
        let mut input = new.terms.clone();
        with_need(&mut tx, new.need_id, &mut host, &mut input, &mut e).await?;
        check_host(&mut tx, &host, &mut e).await?;
        let terms = match PlacementTerms::from_input(&input) {
            Ok(t) => Some(t),
            Err(te) => {
                e.0.extend(te.0);
                None
            }
        };
        let Some(terms) = terms else {
            return Err(StoreError::Validation(e));
        };
        let Some((facts, intervention_name)) = enrolment_facts(
            &mut tx,
            new.intervention_id,
            new.participant_id,
            &terms,
            None,
        )
        .await?
        else {
            e.add(
                "intervention_id",
                "unknown_intervention",
                "intervention_id must name an intervention",
            );
            return Err(StoreError::Validation(e));
        };
        if let Err(rules) = check_enrolment(&facts, &terms) {
            e.0.extend(rules.0);
        }
        if !e.is_empty() {
            return Err(StoreError::Validation(e));
        }
        let assessment = assess_in(
            &mut tx,
            &host,
            &terms.occupation_ssyk,
            terms.start_date,
            terms.end_date,
            terms.extra_task,
            None,
        )
        .await?;
        let override_reason = if assessment.level == RiskLevel::Blocked {
            if !wants_override {
                return Err(blocked_error(&assessment));
            }
            Some(
                check_override_reason(new.override_reason.as_deref())
                    .map_err(StoreError::Validation)?,
            )
        } else {
            if wants_override {
                return Err(one_error(
                    "override_reason",
                    "not_blocked",
                    "the placement is not blocked: there is nothing to override",
                ));
            }
            None
        };
        let status = PlacementStatus::for_start(terms.start_date, ctx.today());
        let host_label = host_name(&mut tx, &host).await?;
        let step_id = add_plan_step(
            &mut tx,
            ctx,
            new.participant_id,
            &terms,
            &intervention_name,
            &host_label,
            status,
        )
        .await?;
        let now = micros(ctx.now);
        let row = sqlx::query(
            "INSERT INTO placements (participant_id, intervention_id, employer_id, workplace_id, host_organisation_id, need_id, \
             occupation_ssyk, role_title, start_date, end_date, employment_form, hours_per_week_minutes, planned_work_percent, \
             planned_study_percent, monthly_wage_ore, monthly_subsidy_ore, subsidy_kind, supervisor_name, supervisor_phone, \
             supervisor_email, extra_task, risk_level, risk_explanation, override_reason, override_by, override_at, status, \
             plan_step_id, version, created_by, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21, $22, $23, \
             $24, $25, $26, $27, $28, 1, $29, $30, $31) RETURNING id",
        )
        .bind(new.participant_id)
        .bind(new.intervention_id)
        .bind(host.employer_id)
        .bind(host.workplace_id)
        .bind(host.host_organisation_id)
        .bind(new.need_id)
        .bind(terms.occupation_ssyk.as_str())
        .bind(terms.role_title.as_deref())
        .bind(terms.start_date.to_string())
        .bind(terms.end_date.to_string())
        .bind(terms.employment_form.as_str())
        .bind(terms.hours_per_week_minutes)
        .bind(terms.planned_work_percent)
        .bind(terms.planned_study_percent)
        .bind(terms.monthly_wage_ore)
        .bind(terms.monthly_subsidy_ore)
        .bind(terms.subsidy_kind.as_deref())
        .bind(terms.supervisor_name.as_deref())
        .bind(terms.supervisor_phone.as_deref())
        .bind(terms.supervisor_email.as_deref())
        .bind(i64::from(terms.extra_task))
        .bind(assessment.level.as_str())
        .bind(serde_json::to_string(&assessment.factors).unwrap_or_else(|_| "[]".into()))
        .bind(override_reason.as_deref())
        .bind(override_reason.as_ref().map(|_| ctx.actor.user_id))
        .bind(override_reason.as_ref().map(|_| now))
        .bind(status.as_str())
        .bind(step_id)
        .bind(ctx.actor.user_id)
        .bind(now)
        .bind(now)
        .fetch_one(&mut *tx)
        .await?;
        let id: i64 = get(&row, "id")?;
        if let Some(n) = new.need_id {
            refresh_need(&mut tx, n, now).await?;
        }
        permit
            .record_also(
                &mut tx,
                ctx,
                "plan.step.create",
                &format!("placement {id}: step {step_id}"),
            )
            .await?;
        if override_reason.is_some() {
            permit
                .record_also(
                    &mut tx,
                    ctx,
                    "placement.override",
                    &format!("placement {id}"),
                )
                .await?;
        }
        let p = load_placement(&mut tx, id).await?;
        tx.commit().await?;
        Ok(p)
    }

    /// The displacement dry run: what a placement at this host in this
    /// occupation would be assessed as, before placing anyone.
    pub async fn assess_displacement(&self, ctx: &Ctx, q: &RiskQuery) -> Result<Assessment> {
        let permit = self
            .authorize_placement_role(ctx, PlacementAction::Assess, "placement.risk")
            .await?;
        let mut tx = self.begin_audited().await?;
        let mut e = ValidationErrors::new();
        let mut host = q.host;
        let mut input = PlacementInput {
            occupation_ssyk: q.occupation_ssyk.clone(),
            ..Default::default()
        };
        with_need(&mut tx, q.need_id, &mut host, &mut input, &mut e).await?;
        // A need that is filled still explains: only its fit matters here.
        e.0.retain(|f| f.code != "need_not_open");
        check_host(&mut tx, &host, &mut e).await?;
        let ssyk = input.occupation_ssyk.unwrap_or_default();
        if !vagar_domain::work::interventions::is_ssyk4(ssyk.trim()) {
            e.add(
                "occupation_ssyk",
                "required",
                "occupation_ssyk must be an SSYK level-4 code (or give a need)",
            );
        }
        let parse = |field: &str, v: &Option<String>, e: &mut ValidationErrors| {
            let d = v
                .as_deref()
                .and_then(|s| NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d").ok());
            if d.is_none() {
                e.add(
                    field,
                    "invalid_date",
                    format!("{field} must be a date as YYYY-MM-DD"),
                );
            }
            d
        };
        let start = parse("start_date", &q.start_date, &mut e);
        let end = parse("end_date", &q.end_date, &mut e);
        if let (Some(s), Some(t)) = (start, end) {
            if t < s {
                e.add(
                    "end_date",
                    "before_start",
                    "end_date must not be before start_date",
                );
            }
        }
        let (Some(start), Some(end)) = (start, end) else {
            return Err(StoreError::Validation(e));
        };
        if !e.is_empty() {
            return Err(StoreError::Validation(e));
        }
        let a = assess_in(&mut tx, &host, ssyk.trim(), start, end, q.extra_task, None).await?;
        let detail = format!("level {}", a.level.as_str());
        permit
            .record(&mut tx, ctx, "placement.risk", &detail, &[])
            .await?;
        tx.commit().await?;
        Ok(a)
    }

    pub async fn read_placement(&self, ctx: &Ctx, id: i64) -> Result<Placement> {
        let (mut tx, permit) = self
            .authorize_placement(ctx, PlacementAction::Read, id, "placement.read")
            .await?;
        let mut p = load_placement(&mut tx, id).await?;
        if !permit.minimal() {
            p.shares = Some(load_shares(&mut tx, &p).await?);
        }
        tx.commit().await?;
        Ok(shape(p, &permit))
    }

    /// Record the hours actually worked and studied in one Monday week of a
    /// placement (any placement; for a learning employment the week must be
    /// one of its plan and its version moves on, as its own recording
    /// does). Refused, with nothing written, for a week outside the
    /// placement (up to its exit date when it ended early), not a Monday,
    /// ahead of today, or minutes negative or over 7 × 24 h.
    pub async fn record_placement_week(
        &self,
        ctx: &Ctx,
        id: i64,
        week_start: &str,
        work_minutes: Option<i64>,
        study_minutes: Option<i64>,
    ) -> Result<ShareSummary> {
        let (mut tx, _permit) = self
            .authorize_placement(ctx, PlacementAction::Update, id, "placement.week.record")
            .await?;
        let p = load_placement(&mut tx, id).await?;
        if p.status == "cancelled" {
            return Err(StoreError::Conflict {
                field: "status".into(),
                message: "the placement is cancelled; no hours are recorded".into(),
            });
        }
        let last_day = p.exit_date.map_or(p.end_date, |x| x.min(p.end_date));
        let rec = check_record(
            Some(week_start),
            work_minutes,
            study_minutes,
            p.start_date,
            last_day,
            ctx.today(),
        )
        .map_err(StoreError::Validation)?;
        let week = rec.week_start.to_string();
        let learning =
            sqlx::query("SELECT completed_on FROM learning_employments WHERE placement_id = $1")
                .bind(id)
                .fetch_optional(&mut *tx)
                .await?;
        let stored = sqlx::query(
            "SELECT week_start FROM placement_weeks WHERE placement_id = $1 AND week_start = $2",
        )
        .bind(id)
        .bind(&week)
        .fetch_optional(&mut *tx)
        .await?
        .is_some();
        if let Some(l) = &learning {
            // A learning employment keeps its own plan: only its weeks, and
            // none after its completion.
            let completed: Option<NaiveDate> = opt_date(get(l, "completed_on")?)?;
            if !stored || completed.is_some_and(|c| rec.week_start > monday_of(c)) {
                return Err(one_error(
                    "week_start",
                    "outside_placement",
                    "the week is outside the learning employment's plan",
                ));
            }
        }
        if stored {
            sqlx::query(
                "UPDATE placement_weeks SET done_work_minutes = $1, done_study_minutes = $2, \
                 recorded_by = $3, recorded_at = $4 WHERE placement_id = $5 AND week_start = $6",
            )
            .bind(rec.work_minutes)
            .bind(rec.study_minutes)
            .bind(ctx.actor.user_id)
            .bind(micros(ctx.now))
            .bind(id)
            .bind(&week)
            .execute(&mut *tx)
            .await?;
        } else {
            let (pw, ps) = planned_week(
                p.start_date,
                p.end_date,
                p.hours_per_week_minutes,
                p.planned_work_percent,
                p.planned_study_percent,
                rec.week_start,
            );
            sqlx::query(
                "INSERT INTO placement_weeks (placement_id, week_start, planned_work_minutes, \
                 planned_study_minutes, done_work_minutes, done_study_minutes, recorded_by, recorded_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
            )
            .bind(id)
            .bind(&week)
            .bind(pw)
            .bind(ps)
            .bind(rec.work_minutes)
            .bind(rec.study_minutes)
            .bind(ctx.actor.user_id)
            .bind(micros(ctx.now))
            .execute(&mut *tx)
            .await?;
        }
        if learning.is_some() {
            // The learning employment's optimistic lock sees the change.
            sqlx::query(
                "UPDATE learning_employments SET version = version + 1, updated_at = $1 \
                 WHERE placement_id = $2",
            )
            .bind(micros(ctx.now))
            .bind(id)
            .execute(&mut *tx)
            .await?;
        }
        let shares = load_shares(&mut tx, &p).await?;
        tx.commit().await?;
        Ok(shares)
    }

    /// The placement for a reader of the whole record only (the
    /// displacement explanation): the host's minimal view does not open it.
    pub async fn read_placement_full(&self, ctx: &Ctx, id: i64) -> Result<Placement> {
        let (mut tx, _permit) = self
            .authorize_placement(
                ctx,
                PlacementAction::Read,
                id,
                "placement.displacement.read",
            )
            .await?;
        let p = load_placement(&mut tx, id).await?;
        tx.commit().await?;
        Ok(p)
    }

    /// The placements the actor may read (an employer user: its own hosts',
    /// minimal), newest first; the list's participants are audited.
    pub async fn list_placements(&self, ctx: &Ctx, f: &PlacementFilter) -> Result<Vec<Placement>> {
        let permit = self
            .authorize_placement_role(ctx, PlacementAction::Read, "placement.list")
            .await?;
        let mut tx = self.begin_audited().await?;
        let mut sql = Sql::new(&format!(
            "SELECT {PLACEMENT_COLUMNS}{PLACEMENT_FROM} WHERE "
        ));
        placement_filter(ctx, permit.action(), &mut sql);
        if let Some(i) = f.intervention_id {
            sql.push(" AND pl.intervention_id = ").bind(Arg::I64(i));
        }
        if let Some(e) = f.employer_id {
            sql.push(" AND pl.employer_id = ").bind(Arg::I64(e));
        }
        if let Some(p) = f.participant_id {
            sql.push(" AND pl.participant_id = ").bind(Arg::I64(p));
        }
        if let Some(s) = f.status {
            sql.push(" AND pl.status = ")
                .bind(Arg::Text(s.as_str().into()));
        }
        sql.push(" ORDER BY pl.start_date DESC, pl.id DESC LIMIT 1000");
        let rows = sql.query().fetch_all(&mut *tx).await?;
        let list = rows
            .iter()
            .map(placement_from_row)
            .collect::<Result<Vec<_>>>()?;
        let mut ids: Vec<i64> = list.iter().map(|p| p.participant_id).collect();
        ids.sort_unstable();
        ids.dedup();
        permit
            .record(
                &mut tx,
                ctx,
                "placement.list",
                &format!("{} placements", list.len()),
                &ids,
            )
            .await?;
        tx.commit().await?;
        Ok(list.into_iter().map(|p| shape(p, &permit)).collect())
    }

    /// Change a placement's terms (the whole placement validated again
    /// against the programme's rules and re-assessed; `version` must
    /// match). Only planned and active placements change.
    pub async fn update_placement(
        &self,
        ctx: &Ctx,
        id: i64,
        input: &PlacementInput,
        version: i64,
    ) -> Result<Placement> {
        let (mut tx, _permit) = self
            .authorize_placement(ctx, PlacementAction::Update, id, "placement.update")
            .await?;
        let current = load_placement(&mut tx, id).await?;
        if current.version != version {
            return Err(StoreError::StaleVersion);
        }
        if !matches!(current.status.as_str(), "planned" | "active") {
            return Err(StoreError::Conflict {
                field: "status".into(),
                message: format!("the placement is {}; it no longer changes", current.status),
            });
        }
        let terms = PlacementTerms::from_input(input).map_err(StoreError::Validation)?;
        let (mut facts, _) = enrolment_facts(
            &mut tx,
            current.intervention_id,
            current.participant_id,
            &terms,
            Some(id),
        )
        .await?
        .ok_or(StoreError::NotFound)?;
        // The place is already taken and enrolment already happened: a
        // change is checked against the programme's rules and the period.
        facts.status = InterventionStatus::Open;
        facts.taken_places = 0;
        check_enrolment(&facts, &terms).map_err(StoreError::Validation)?;
        let host = Host {
            employer_id: current.employer_id,
            workplace_id: current.workplace_id,
            host_organisation_id: current.host_organisation_id,
        };
        let a = assess_in(
            &mut tx,
            &host,
            &terms.occupation_ssyk,
            terms.start_date,
            terms.end_date,
            terms.extra_task,
            Some(id),
        )
        .await?;
        if a.level == RiskLevel::Blocked && current.override_reason.is_none() {
            return Err(blocked_error(&a));
        }
        let done = sqlx::query(
            "UPDATE placements SET start_date = $1, end_date = $2, employment_form = $3, hours_per_week_minutes = $4, \
             planned_work_percent = $5, planned_study_percent = $6, monthly_wage_ore = $7, monthly_subsidy_ore = $8, \
             subsidy_kind = $9, supervisor_name = $10, supervisor_phone = $11, supervisor_email = $12, role_title = $13, \
             occupation_ssyk = $14, extra_task = $15, risk_level = $16, risk_explanation = $17, version = version + 1, \
             updated_at = $18 WHERE id = $19 AND version = $20",
        )
        .bind(terms.start_date.to_string())
        .bind(terms.end_date.to_string())
        .bind(terms.employment_form.as_str())
        .bind(terms.hours_per_week_minutes)
        .bind(terms.planned_work_percent)
        .bind(terms.planned_study_percent)
        .bind(terms.monthly_wage_ore)
        .bind(terms.monthly_subsidy_ore)
        .bind(terms.subsidy_kind.as_deref())
        .bind(terms.supervisor_name.as_deref())
        .bind(terms.supervisor_phone.as_deref())
        .bind(terms.supervisor_email.as_deref())
        .bind(terms.role_title.as_deref())
        .bind(terms.occupation_ssyk.as_str())
        .bind(i64::from(terms.extra_task))
        .bind(a.level.as_str())
        .bind(serde_json::to_string(&a.factors).unwrap_or_else(|_| "[]".into()))
        .bind(micros(ctx.now))
        .bind(id)
        .bind(version)
        .execute(&mut *tx)
        .await?;
        if done.rows_affected() != 1 {
            return Err(StoreError::StaleVersion);
        }
        let p = load_placement(&mut tx, id).await?;
        tx.commit().await?;
        Ok(p)
    }

    /// End a placement with its outcome: the need's slot frees and the plan
    /// step is closed with the outcome, in the same transaction.
    pub async fn exit_placement(
        &self,
        ctx: &Ctx,
        id: i64,
        input: &ExitInput,
        version: Option<i64>,
    ) -> Result<Placement> {
        let (mut tx, permit) = self
            .authorize_placement(ctx, PlacementAction::Update, id, "placement.exit")
            .await?;
        let current = load_placement(&mut tx, id).await?;
        if version.is_some_and(|v| v != current.version) {
            return Err(StoreError::StaleVersion);
        }
        if !matches!(current.status.as_str(), "planned" | "active") {
            return Err(StoreError::Conflict {
                field: "status".into(),
                message: format!("the placement is already {}", current.status),
            });
        }
        let (exit_date, outcome) =
            check_exit(input, current.start_date).map_err(StoreError::Validation)?;
        let now = micros(ctx.now);
        let done = sqlx::query(
            "UPDATE placements SET status = 'ended', exit_date = $1, exit_outcome = $2, version = version + 1, updated_at = $3 \
             WHERE id = $4 AND version = $5",
        )
        .bind(exit_date.to_string())
        .bind(outcome.as_str())
        .bind(now)
        .bind(id)
        .bind(current.version)
        .execute(&mut *tx)
        .await?;
        if done.rows_affected() != 1 {
            return Err(StoreError::StaleVersion);
        }
        if let Some(n) = current.need_id {
            refresh_need(&mut tx, n, now).await?;
        }
        if let Some(s) = current.plan_step_id {
            close_plan_step(
                &mut tx,
                ctx,
                s,
                &format!("Avslutad {exit_date}: {}", outcome.as_str()),
            )
            .await?;
            permit
                .record_also(
                    &mut tx,
                    ctx,
                    "plan.step.update",
                    &format!("placement {id}: step {s}"),
                )
                .await?;
        }
        let p = load_placement(&mut tx, id).await?;
        tx.commit().await?;
        Ok(p)
    }

    /// An employer coordinator lets a blocked placement stand, with a
    /// recorded reason (who and when are kept beside it, and audited).
    pub async fn override_placement(
        &self,
        ctx: &Ctx,
        id: i64,
        reason: Option<&str>,
        version: Option<i64>,
    ) -> Result<Placement> {
        let (mut tx, _permit) = self
            .authorize_placement(ctx, PlacementAction::Override, id, "placement.override")
            .await?;
        let current = load_placement(&mut tx, id).await?;
        if version.is_some_and(|v| v != current.version) {
            return Err(StoreError::StaleVersion);
        }
        let reason = check_override_reason(reason).map_err(StoreError::Validation)?;
        if current.risk.level != RiskLevel::Blocked || current.override_reason.is_some() {
            return Err(StoreError::Conflict {
                field: "override_reason".into(),
                message: "only a blocked placement without an override can be overridden".into(),
            });
        }
        let now = micros(ctx.now);
        sqlx::query(
            "UPDATE placements SET override_reason = $1, override_by = $2, override_at = $3, version = version + 1, \
             updated_at = $4 WHERE id = $5 AND version = $6",
        )
        .bind(reason.as_str())
        .bind(ctx.actor.user_id)
        .bind(now)
        .bind(now)
        .bind(id)
        .bind(current.version)
        .execute(&mut *tx)
        .await?;
        let p = load_placement(&mut tx, id).await?;
        tx.commit().await?;
        Ok(p)
    }

    /// The hosts a placement form offers: every employer the actor may read
    /// with its workplaces (an employer without one is offered alone).
    pub async fn placement_hosts(&self, ctx: &Ctx) -> Result<Vec<HostOption>> {
        let (mut tx, _permit) = self
            .authorize_employer(ctx, EmployerAction::Read, None, "employer.list")
            .await?;
        let mut sql = Sql::new(
            "SELECT e.id AS employer_id, e.name AS employer_name, w.id AS workplace_id, w.name AS workplace_name \
             FROM employers e LEFT JOIN employer_workplaces w ON w.employer_id = e.id WHERE ",
        );
        crate::access::employer_filter(ctx, EmployerAction::Read, &mut sql);
        sql.push(" ORDER BY e.name_folded, e.id, w.name LIMIT 1000");
        let rows = sql.query().fetch_all(&mut *tx).await?;
        let out = rows
            .iter()
            .map(|r| {
                Ok(HostOption {
                    employer_id: get(r, "employer_id")?,
                    employer_name: get(r, "employer_name")?,
                    workplace_id: get(r, "workplace_id")?,
                    workplace_name: get(r, "workplace_name")?,
                })
            })
            .collect::<Result<Vec<_>>>()?;
        tx.commit().await?;
        Ok(out)
    }

    // -------------------------------------------------- staff reductions

    /// Record a notice or dismissal at an employer (coordinators, as the
    /// employer register's `Manage`). The employer's open placements in that
    /// occupation are assessed again in the same transaction: they become
    /// `blocked` (shown on their pages) until a coordinator overrides or
    /// ends them.
    pub async fn record_staff_reduction(
        &self,
        ctx: &Ctx,
        employer_id: i64,
        input: &ReductionInput,
    ) -> Result<StaffReduction> {
        let (mut tx, permit) = self
            .authorize_employer(
                ctx,
                EmployerAction::Manage,
                Some(employer_id),
                "employer.staff_reduction.create",
            )
            .await?;
        let r = Reduction::from_input(input, ctx.today()).map_err(StoreError::Validation)?;
        if let Some(w) = r.workplace_id {
            let n = sqlx::query(
                "SELECT COUNT(*) AS n FROM employer_workplaces WHERE id = $1 AND employer_id = $2",
            )
            .bind(w)
            .bind(employer_id)
            .fetch_one(&mut *tx)
            .await?;
            if get::<i64>(&n, "n")? == 0 {
                return Err(one_error(
                    "workplace_id",
                    "not_of_employer",
                    "workplace_id must be a workplace of the employer",
                ));
            }
        }
        let row = sqlx::query(
            "INSERT INTO host_staff_reductions (employer_id, workplace_id, occupation_ssyk, kind, occurred_on, persons, note, \
             created_by, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING id",
        )
        .bind(employer_id)
        .bind(r.workplace_id)
        .bind(r.occupation_ssyk.as_str())
        .bind(r.kind.as_str())
        .bind(r.occurred_on.to_string())
        .bind(r.persons)
        .bind(r.note.as_deref())
        .bind(ctx.actor.user_id)
        .bind(micros(ctx.now))
        .fetch_one(&mut *tx)
        .await?;
        let id: i64 = get(&row, "id")?;
        reassess_at(&mut tx, ctx, &permit, employer_id, &r.occupation_ssyk).await?;
        let out = load_reductions(&mut tx, employer_id, Some(id))
            .await?
            .pop()
            .ok_or(StoreError::NotFound)?;
        tx.commit().await?;
        Ok(out)
    }

    /// Record a workplace's head count (the base of the share of subsidised
    /// and programme workers), as the register's `Manage`.
    pub async fn set_staff_count(
        &self,
        ctx: &Ctx,
        employer_id: i64,
        workplace_id: i64,
        staff_count: Option<i64>,
    ) -> Result<WorkplaceStaff> {
        let (mut tx, _permit) = self
            .authorize_employer(
                ctx,
                EmployerAction::Manage,
                Some(employer_id),
                "employer.workplace.staff_count",
            )
            .await?;
        if staff_count.is_some_and(|n| !(1..=1_000_000).contains(&n)) {
            return Err(one_error(
                "staff_count",
                "out_of_range",
                "staff_count must be from 1 to 1000000",
            ));
        }
        let done = sqlx::query(
            "UPDATE employer_workplaces SET staff_count = $1 WHERE id = $2 AND employer_id = $3",
        )
        .bind(staff_count)
        .bind(workplace_id)
        .bind(employer_id)
        .execute(&mut *tx)
        .await?;
        if done.rows_affected() != 1 {
            return Err(StoreError::NotFound);
        }
        let out = load_workplace_staff(&mut tx, employer_id)
            .await?
            .into_iter()
            .find(|w| w.id == workplace_id)
            .ok_or(StoreError::NotFound)?;
        tx.commit().await?;
        Ok(out)
    }

    /// The employer's workplaces with their head counts.
    pub async fn workplace_staff(
        &self,
        ctx: &Ctx,
        employer_id: i64,
    ) -> Result<Vec<WorkplaceStaff>> {
        let (mut tx, _permit) = self
            .authorize_employer(
                ctx,
                EmployerAction::Read,
                Some(employer_id),
                "employer.workplace.list",
            )
            .await?;
        let out = load_workplace_staff(&mut tx, employer_id).await?;
        tx.commit().await?;
        Ok(out)
    }

    pub async fn list_staff_reductions(
        &self,
        ctx: &Ctx,
        employer_id: i64,
    ) -> Result<Vec<StaffReduction>> {
        let (mut tx, _permit) = self
            .authorize_employer(
                ctx,
                EmployerAction::Read,
                Some(employer_id),
                "employer.staff_reduction.list",
            )
            .await?;
        let out = load_reductions(&mut tx, employer_id, None).await?;
        tx.commit().await?;
        Ok(out)
    }
}

async fn reassess_at(
    tx: &mut Tx,
    ctx: &Ctx,
    permit: &EmployerPermit,
    employer_id: i64,
    ssyk: &str,
) -> Result<()> {
    let rows = sqlx::query(
        "SELECT id, participant_id, workplace_id, start_date, end_date, extra_task FROM placements \
         WHERE employer_id = $1 AND occupation_ssyk = $2 AND status IN ('planned', 'active')",
    )
    .bind(employer_id)
    .bind(ssyk)
    .fetch_all(&mut **tx)
    .await?;
    for r in &rows {
        let id: i64 = get(r, "id")?;
        let host = Host {
            employer_id: Some(employer_id),
            workplace_id: get(r, "workplace_id")?,
            host_organisation_id: None,
        };
        let extra: i64 = get(r, "extra_task")?;
        let a = assess_in(
            tx,
            &host,
            ssyk,
            date(&get::<String>(r, "start_date")?)?,
            date(&get::<String>(r, "end_date")?)?,
            extra != 0,
            Some(id),
        )
        .await?;
        sqlx::query("UPDATE placements SET risk_level = $1, risk_explanation = $2, version = version + 1, updated_at = $3 WHERE id = $4")
            .bind(a.level.as_str())
            .bind(serde_json::to_string(&a.factors).unwrap_or_else(|_| "[]".into()))
            .bind(micros(ctx.now))
            .bind(id)
            .execute(&mut **tx)
            .await?;
        audit::append(
            tx,
            Some(ctx),
            ctx.now,
            "placement.reassess",
            &Outcome::Allowed(permit.rule().name()),
            &format!("placement {id}: {}", a.level.as_str()),
            &[get::<i64>(r, "participant_id")?],
        )
        .await?;
    }
    Ok(())
}

/// A workplace and its head count.
#[derive(Debug, Clone)]
pub struct WorkplaceStaff {
    pub id: i64,
    pub name: String,
    pub staff_count: Option<i64>,
}

async fn load_workplace_staff(tx: &mut Tx, employer_id: i64) -> Result<Vec<WorkplaceStaff>> {
    let rows = sqlx::query("SELECT id, name, staff_count FROM employer_workplaces WHERE employer_id = $1 ORDER BY name, id")
        .bind(employer_id)
        .fetch_all(&mut **tx)
        .await?;
    rows.iter()
        .map(|r| {
            Ok(WorkplaceStaff {
                id: get(r, "id")?,
                name: get(r, "name")?,
                staff_count: get(r, "staff_count")?,
            })
        })
        .collect()
}

async fn load_reductions(
    tx: &mut Tx,
    employer_id: i64,
    only: Option<i64>,
) -> Result<Vec<StaffReduction>> {
    let rows = sqlx::query(
        "SELECT id, employer_id, workplace_id, occupation_ssyk, kind, occurred_on, persons, note, created_at \
         FROM host_staff_reductions WHERE employer_id = $1 AND ($2 = 0 OR id = $3) ORDER BY occurred_on DESC, id DESC",
    )
    .bind(employer_id)
    .bind(only.map_or(0_i64, |_| 1))
    .bind(only.unwrap_or(0))
    .fetch_all(&mut **tx)
    .await?;
    rows.iter()
        .map(|r| {
            Ok(StaffReduction {
                id: get(r, "id")?,
                employer_id: get(r, "employer_id")?,
                workplace_id: get(r, "workplace_id")?,
                occupation_ssyk: get(r, "occupation_ssyk")?,
                kind: get(r, "kind")?,
                occurred_on: date(&get::<String>(r, "occurred_on")?)?,
                persons: get(r, "persons")?,
                note: get(r, "note")?,
                created_at: from_micros(get(r, "created_at")?),
            })
        })
        .collect()
}

// ------------------------------------------------------------ seed

/// What `seed_interventions` wrote.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct InterventionSeedCounts {
    pub interventions: u64,
    pub placements: u64,
    pub reductions: u64,
    pub blocked: u64,
}

impl Store {
    /// The demo year of interventions (`vagar seed`): `generate` gets the
    /// participants on offer (id, birth date, target groups; the first
    /// 3 000) and the number of hosts (employers with a workplace), and
    /// returns what to write. Placements are assessed like real ones (after
    /// the reductions, so some are blocked; the first blocked one is
    /// overridden by the demo coordinator) and get their plan step.
    /// Nothing happens when the demo interventions exist already.
    pub async fn seed_interventions(
        &self,
        recorder: i64,
        home_id: i64,
        generate: impl FnOnce(
            &[vagar_domain::work::interventions::seed_rows::Candidate],
            usize,
        ) -> vagar_domain::work::interventions::seed_rows::WorkSeed,
    ) -> Result<InterventionSeedCounts> {
        let mut counts = InterventionSeedCounts::default();
        let done = sqlx::query("SELECT COUNT(*) AS n FROM interventions WHERE funding = 'Kommunens arbetsmarknadsanslag' AND created_by = $1")
            .bind(recorder)
            .fetch_one(&self.pool)
            .await?;
        if get::<i64>(&done, "n")? > 0 {
            return Ok(counts);
        }
        let rows = sqlx::query(
            "SELECT id, birth_date, target_mask FROM participants ORDER BY id LIMIT 3000",
        )
        .fetch_all(&self.pool)
        .await?;
        let mut candidates = Vec::with_capacity(rows.len());
        for r in &rows {
            candidates.push((
                get::<i64>(r, "id")?,
                date(&get::<String>(r, "birth_date")?)?,
                TargetGroup::from_mask(get(r, "target_mask")?),
            ));
        }
        let mut hosts = self.employers_with_workplace().await?;
        hosts.truncate(40);
        let plan = generate(&candidates, hosts.len());
        let now = chrono::Utc::now();
        let ctx = Ctx {
            actor: vagar_domain::access::Actor {
                user_id: recorder,
                username: "seed".into(),
                role: vagar_domain::Role::Caseworker,
                organisation_id: home_id,
            },
            request_id: "seed".into(),
            now,
        };
        let coordinator = sqlx::query(
            "SELECT id FROM users WHERE role = 'employer_coordinator' ORDER BY id LIMIT 1",
        )
        .fetch_optional(&self.pool)
        .await?
        .map(|r| get::<i64>(&r, "id"))
        .transpose()?;
        let today = ctx.today();
        let mut tx = self.pool.begin().await?;
        // The demo employer user's organisation hosts at the first employer,
        // so `/mina-placeringar` has something to show.
        if let Some((first, _)) = hosts.first() {
            sqlx::query(
                "UPDATE employers SET organisation_id = (SELECT id FROM organisations WHERE name = 'Exempelbolaget AB') \
                 WHERE id = $1 AND organisation_id IS NULL \
                 AND NOT EXISTS (SELECT 1 FROM employers e2 WHERE e2.organisation_id = (SELECT id FROM organisations WHERE name = 'Exempelbolaget AB'))",
            )
            .bind(first)
            .execute(&mut *tx)
            .await?;
        }
        for (k, (_, w)) in hosts.iter().enumerate() {
            // Two small workplaces, where one placement is above the share limit.
            let staff = if k == 1 || k == 2 {
                3
            } else {
                6 + (w * 7) % 45
            };
            sqlx::query("UPDATE employer_workplaces SET staff_count = $1 WHERE id = $2 AND staff_count IS NULL")
                .bind(staff)
                .bind(w)
                .execute(&mut *tx)
                .await?;
        }
        let stamp = micros(now);
        let mut ids = Vec::new();
        for iv in &plan.interventions {
            let groups: Vec<&str> = iv.target_groups.iter().map(|g| g.as_str()).collect();
            let r = sqlx::query(
                "INSERT INTO interventions (name, programme_type, description, target_groups, capacity, period_from, \
                 funding, operator_kind, follow_up_plan, status, version, created_by, created_at, updated_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, 'municipality', $8, 'open', 1, $9, $10, $11) RETURNING id",
            )
            .bind(iv.name)
            .bind(iv.programme_type.as_str())
            .bind(iv.description)
            .bind(groups.join(","))
            .bind(iv.capacity)
            .bind(iv.period_from.to_string())
            .bind(iv.funding)
            .bind(iv.follow_up_plan)
            .bind(recorder)
            .bind(stamp)
            .bind(stamp)
            .fetch_one(&mut *tx)
            .await?;
            let id: i64 = get(&r, "id")?;
            write_organisations(&mut tx, id, &[home_id], Some(home_id)).await?;
            for (outcome, days, target) in &iv.indicators {
                sqlx::query(
                    "INSERT INTO intervention_indicators (intervention_id, outcome, measured_after_days, target_percent) VALUES ($1, $2, $3, $4)",
                )
                .bind(id)
                .bind(*outcome)
                .bind(*days)
                .bind(*target)
                .execute(&mut *tx)
                .await?;
            }
            ids.push((id, iv.name));
            counts.interventions += 1;
        }
        for r in &plan.reductions {
            let Some((employer, workplace)) = hosts.get(r.host) else {
                continue;
            };
            sqlx::query(
                "INSERT INTO host_staff_reductions (employer_id, workplace_id, occupation_ssyk, kind, occurred_on, persons, note, created_by, created_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
            )
            .bind(employer)
            .bind(workplace)
            .bind(r.occupation_ssyk)
            .bind(if r.dismissal { "dismissal" } else { "notice" })
            .bind(r.occurred_on.to_string())
            .bind(r.persons)
            .bind(r.note)
            .bind(coordinator.unwrap_or(recorder))
            .bind(stamp)
            .execute(&mut *tx)
            .await?;
            counts.reductions += 1;
        }
        let mut order: Vec<&vagar_domain::work::interventions::seed_rows::SeedPlacement> =
            plan.placements.iter().collect();
        order.sort_by_key(|p| (p.terms.start_date, p.participant_id));
        let mut overridden = false;
        for p in order {
            let (Some(&(employer, workplace)), Some(&(intervention_id, intervention_name))) =
                (hosts.get(p.host), ids.get(p.intervention))
            else {
                continue;
            };
            let host = Host {
                employer_id: Some(employer),
                workplace_id: Some(workplace),
                host_organisation_id: None,
            };
            let t = &p.terms;
            let a = assess_in(
                &mut tx,
                &host,
                &t.occupation_ssyk,
                t.start_date,
                t.end_date,
                t.extra_task,
                None,
            )
            .await?;
            let blocked = a.level == RiskLevel::Blocked;
            let status = match p.exit {
                Some(_) => PlacementStatus::Ended,
                None => PlacementStatus::for_start(t.start_date, today),
            };
            let label = host_name(&mut tx, &host).await?;
            let step = add_plan_step(
                &mut tx,
                &ctx,
                p.participant_id,
                t,
                intervention_name,
                &label,
                PlacementStatus::for_start(t.start_date, today),
            )
            .await?;
            let over = blocked && !overridden && p.exit.is_none() && coordinator.is_some();
            overridden |= over;
            counts.blocked += u64::from(blocked);
            sqlx::query(
                "INSERT INTO placements (participant_id, intervention_id, employer_id, workplace_id, occupation_ssyk, role_title, \
                 start_date, end_date, employment_form, hours_per_week_minutes, planned_work_percent, planned_study_percent, \
                 monthly_wage_ore, monthly_subsidy_ore, subsidy_kind, supervisor_name, supervisor_phone, extra_task, risk_level, \
                 risk_explanation, override_reason, override_by, override_at, status, exit_date, exit_outcome, plan_step_id, version, \
                 created_by, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, \
                 $17, $18, $19, $20, $21, $22, $23, $24, $25, $26, $27, 1, $28, $29, $30)",
            )
            .bind(p.participant_id)
            .bind(intervention_id)
            .bind(employer)
            .bind(workplace)
            .bind(t.occupation_ssyk.as_str())
            .bind(t.role_title.as_deref())
            .bind(t.start_date.to_string())
            .bind(t.end_date.to_string())
            .bind(t.employment_form.as_str())
            .bind(t.hours_per_week_minutes)
            .bind(t.planned_work_percent)
            .bind(t.planned_study_percent)
            .bind(t.monthly_wage_ore)
            .bind(t.monthly_subsidy_ore)
            .bind(t.subsidy_kind.as_deref())
            .bind(t.supervisor_name.as_deref())
            .bind(t.supervisor_phone.as_deref())
            .bind(i64::from(t.extra_task))
            .bind(a.level.as_str())
            .bind(serde_json::to_string(&a.factors).unwrap_or_else(|_| "[]".into()))
            .bind(over.then_some("Varslet gällde en annan enhet hos arbetsgivaren; placeringen är ett extra inslag som bestämdes innan."))
            .bind(if over { coordinator } else { None })
            .bind(over.then_some(stamp))
            .bind(status.as_str())
            .bind(p.exit.map(|(d, _)| d.to_string()))
            .bind(p.exit.map(|(_, o)| o.as_str()))
            .bind(step)
            .bind(recorder)
            .bind(stamp)
            .bind(stamp)
            .execute(&mut *tx)
            .await?;
            if let Some((d, o)) = p.exit {
                close_plan_step(
                    &mut tx,
                    &ctx,
                    step,
                    &format!("Avslutad {d}: {}", o.as_str()),
                )
                .await?;
            }
            counts.placements += 1;
        }
        tx.commit().await?;
        Ok(counts)
    }
}
