//! Placements (deltagande): a participant placed in an intervention at a
//! host, with the terms, the displacement assessment it got, the plan step
//! it wrote and the weeks actually worked and studied. Rules are in
//! `vagar_domain::work::interventions`; the policy in `access::placements`.
//! Every piece of work is one transaction holding its audit events: a
//! refused enrolment writes nothing but the refusal.

mod change;
pub(crate) mod create;

use crate::access::placements::{placement_filter, PlacementPermit};
use crate::audit::Tx;
use crate::kernel::bulk::insert_returning_id;
use crate::kernel::sql::{Arg, Sql};
use crate::kernel::{corrupt, date_at, opt_date_at};
use crate::{from_micros, get, Ctx, Result, Store, StoreError};
use chrono::{DateTime, NaiveDate, Utc};
use sqlx::any::AnyRow;
use vagar_domain::access::EmployerAction;
use vagar_domain::access::PlacementAction;
use vagar_domain::work::displacement::{Assessment, RiskLevel};
use vagar_domain::work::learning::WeekMinutes;
use vagar_domain::work::placements::shares::{summarise, ShareSummary};
use vagar_domain::work::placements::{PlacementInput, PlacementStatus, PlacementTerms};

pub(crate) use create::host_name;

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

/// Who hosts a placement: an employer (with a workplace), or a municipal
/// unit (read flattened into the API body).
#[derive(
    Debug,
    Clone,
    Copy,
    Default,
    PartialEq,
    Eq,
    serde::Serialize,
    serde::Deserialize,
    utoipa::ToSchema,
)]
#[serde(default)]
pub struct Host {
    #[schema(minimum = 1)]
    pub employer_id: Option<i64>,
    #[schema(minimum = 1)]
    pub workplace_id: Option<i64>,
    #[schema(minimum = 1)]
    pub host_organisation_id: Option<i64>,
}

/// A new placement: the body of `POST /api/v1/placements` and what the
/// store places. The host is an employer (with a workplace) or a
/// municipal unit.
#[derive(Debug, Clone, Default, serde::Serialize, serde::Deserialize, utoipa::ToSchema)]
#[serde(default)]
pub struct NewPlacement {
    #[schema(minimum = 1)]
    pub participant_id: i64,
    #[schema(minimum = 1)]
    pub intervention_id: i64,
    #[serde(flatten)]
    #[schema(inline)]
    pub host: Host,
    /// A competence need whose slot the placement fills.
    #[schema(minimum = 1)]
    pub need_id: Option<i64>,
    #[serde(flatten)]
    #[schema(inline)]
    pub terms: PlacementInput,
    /// Employer coordinators only: place despite a blocked assessment
    /// (the reason is recorded).
    pub override_reason: Option<String>,
}

#[derive(Debug, Clone, Default)]
pub struct PlacementFilter {
    pub intervention_id: Option<i64>,
    pub employer_id: Option<i64>,
    pub participant_id: Option<i64>,
    pub status: Option<PlacementStatus>,
}

/// An employer (and workplace) a placement form offers as host.
#[derive(Debug, Clone)]
pub struct HostOption {
    pub employer_id: i64,
    pub employer_name: String,
    pub workplace_id: Option<i64>,
    pub workplace_name: Option<String>,
}

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
        start_date: date_at(r, "start_date")?,
        end_date: date_at(r, "end_date")?,
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
            level: RiskLevel::parse(&level).ok_or_else(|| corrupt("placement", "risk level"))?,
            factors,
        },
        override_reason: get(r, "override_reason")?,
        override_by: get(r, "override_by")?,
        override_at: override_at.map(from_micros),
        status: get(r, "status")?,
        exit_date: opt_date_at(r, "exit_date")?,
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

/// The columns a placement's terms and assessment are stored in, in the
/// order of [`terms_args`].
pub(crate) const TERMS_COLUMNS: &[&str] = &[
    "occupation_ssyk",
    "role_title",
    "start_date",
    "end_date",
    "employment_form",
    "hours_per_week_minutes",
    "planned_work_percent",
    "planned_study_percent",
    "monthly_wage_ore",
    "monthly_subsidy_ore",
    "subsidy_kind",
    "supervisor_name",
    "supervisor_phone",
    "supervisor_email",
    "extra_task",
    "risk_level",
    "risk_explanation",
];

/// The values of [`TERMS_COLUMNS`]: the terms and the assessment they got.
pub(crate) fn terms_args(t: &PlacementTerms, risk: &Assessment) -> Vec<Arg> {
    vec![
        t.occupation_ssyk.as_str().into(),
        t.role_title.as_deref().into(),
        t.start_date.to_string().into(),
        t.end_date.to_string().into(),
        t.employment_form.as_str().into(),
        t.hours_per_week_minutes.into(),
        t.planned_work_percent.into(),
        t.planned_study_percent.into(),
        t.monthly_wage_ore.into(),
        t.monthly_subsidy_ore.into(),
        t.subsidy_kind.as_deref().into(),
        t.supervisor_name.as_deref().into(),
        t.supervisor_phone.as_deref().into(),
        t.supervisor_email.as_deref().into(),
        i64::from(t.extra_task).into(),
        risk.level.as_str().into(),
        serde_json::to_string(&risk.factors)
            .unwrap_or_else(|_| "[]".into())
            .into(),
    ]
}

/// A placement to insert: a new one, or the seed's.
pub(crate) struct NewRow<'a> {
    pub participant_id: i64,
    pub intervention_id: i64,
    pub host: Host,
    pub need_id: Option<i64>,
    pub terms: &'a PlacementTerms,
    pub risk: &'a Assessment,
    /// The override of a block: reason, by whom.
    pub override_by: Option<(&'a str, i64)>,
    pub status: &'a str,
    pub exit: Option<(NaiveDate, &'a str)>,
    pub plan_step_id: i64,
    pub created_by: i64,
    pub at: i64,
}

/// Insert a placement; its id.
pub(crate) async fn insert_placement(tx: &mut Tx, r: &NewRow<'_>) -> Result<i64> {
    let mut columns = vec![
        "participant_id",
        "intervention_id",
        "employer_id",
        "workplace_id",
        "host_organisation_id",
        "need_id",
    ];
    columns.extend(TERMS_COLUMNS);
    columns.extend([
        "override_reason",
        "override_by",
        "override_at",
        "status",
        "exit_date",
        "exit_outcome",
        "plan_step_id",
        "version",
        "created_by",
        "created_at",
        "updated_at",
    ]);
    let mut values: Vec<Arg> = vec![
        r.participant_id.into(),
        r.intervention_id.into(),
        r.host.employer_id.into(),
        r.host.workplace_id.into(),
        r.host.host_organisation_id.into(),
        r.need_id.into(),
    ];
    values.extend(terms_args(r.terms, r.risk));
    values.extend([
        r.override_by.map(|o| o.0).into(),
        r.override_by.map(|o| o.1).into(),
        r.override_by.map(|_| r.at).into(),
        r.status.into(),
        r.exit.map(|e| e.0.to_string()).into(),
        r.exit.map(|e| e.1).into(),
        r.plan_step_id.into(),
        1.into(),
        r.created_by.into(),
        r.at.into(),
        r.at.into(),
    ]);
    insert_returning_id(tx, "placements", &columns, values).await
}

/// A placement's stored weeks, planned and done, oldest first.
pub(crate) async fn load_weeks(tx: &mut Tx, placement_id: i64) -> Result<Vec<WeekMinutes>> {
    let rows = sqlx::query(
        "SELECT week_start, planned_work_minutes, planned_study_minutes, done_work_minutes, \
         done_study_minutes FROM placement_weeks WHERE placement_id = $1 ORDER BY week_start",
    )
    .bind(placement_id)
    .fetch_all(&mut **tx)
    .await?;
    rows.iter()
        .map(|r| {
            Ok(WeekMinutes {
                week_start: date_at(r, "week_start")?,
                planned_work: get(r, "planned_work_minutes")?,
                planned_study: get(r, "planned_study_minutes")?,
                done_work: get(r, "done_work_minutes")?,
                done_study: get(r, "done_study_minutes")?,
            })
        })
        .collect()
}

/// The placement's stored weeks, summarised against its planned shares.
async fn load_shares(tx: &mut Tx, p: &Placement) -> Result<ShareSummary> {
    let weeks = load_weeks(tx, p.id).await?;
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

impl Store {
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

    /// The placement for a reader of the whole record only (the
    /// displacement explanation): the host's minimal view does not open it.
    pub async fn read_placement_full(&self, ctx: &Ctx, id: i64) -> Result<Placement> {
        let event = "placement.displacement.read";
        let (mut tx, _permit) = self
            .authorize_placement(ctx, PlacementAction::Read, id, event)
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
        crate::access::employers::employer_filter(ctx, EmployerAction::Read, &mut sql);
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
}
