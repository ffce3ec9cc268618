//! `/api/v1/interventions`, `/api/v1/placements` and
//! `/api/v1/employers/{id}/staff-reductions`: interventions (insatser) with
//! planned indicators, placements (deltagande) with their displacement
//! assessment, and the hosts' notices and dismissals.
//!
//! Access (docs/work-models/interventions.md): interventions are read by
//! every staff role and made by caseworkers and employer coordinators;
//! placements follow the participant policy for caseworkers, coordinators
//! act anywhere, admins read, an employer user reads only placements at its
//! own employer with minimal fields (others 404); partners and analysts 403.

use crate::kernel::error::Problem;
use crate::kernel::json::{Fields, JsonObject};
use crate::kernel::session::ApiCaller;
use crate::participants::api::parse_id;
use crate::AppState;
use axum::extract::rejection::PathRejection;
use axum::extract::{Path, Query, State};
use axum::http::{header, StatusCode};
use axum::response::IntoResponse;
use axum::routing::{get, post};
use axum::{Json, Router};
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use vagar_domain::access::{placement_role_may, PlacementAction};
use vagar_domain::work::displacement::{Assessment, Factor, RiskLevel};
use vagar_domain::work::interventions::{
    ExitInput, Indicator, IndicatorInput, InterventionData, InterventionInput, InterventionStatus,
    PlacementInput, PlacementStatus, PlacementTerms, Reduction, ReductionInput,
};
use vagar_domain::work::learning::Shares;
use vagar_domain::work::shares::ShareSummary;
use vagar_domain::ValidationErrors;
use vagar_store::work::interventions::{
    Host, Intervention, NewPlacement, Placement, PlacementFilter, RiskQuery, StaffReduction,
};

pub fn router() -> Router<AppState> {
    Router::new()
        .route(
            "/interventions",
            get(list_interventions).post(create_intervention),
        )
        .route(
            "/interventions/{id}",
            get(read_intervention).patch(update_intervention),
        )
        .route("/interventions/{id}/indicators", post(add_indicator))
        .route("/interventions/{id}/open", post(open_intervention))
        .route("/interventions/{id}/close", post(close_intervention))
        .route("/placements", get(list_placements).post(create_placement))
        .route("/placements/risk", post(assess_risk))
        .route(
            "/placements/{id}",
            get(read_placement).patch(update_placement),
        )
        .route("/placements/{id}/exit", post(exit_placement))
        .route("/placements/{id}/override", post(override_placement))
        .route("/placements/{id}/displacement", get(read_displacement))
        .route(
            "/placements/{id}/weeks/{week_start}",
            axum::routing::put(record_week),
        )
        .route(
            "/employers/{id}/staff-reductions",
            get(list_reductions).post(create_reduction),
        )
        .route(
            "/employers/{id}/workplaces/{workplace_id}/staff-count",
            axum::routing::put(set_staff_count),
        )
}

#[derive(utoipa::OpenApi)]
#[openapi(
    paths(
        list_interventions, create_intervention, read_intervention, update_intervention, add_indicator,
        open_intervention, close_intervention, list_placements, create_placement, assess_risk,
        read_placement, update_placement, exit_placement, override_placement, read_displacement,
        list_reductions, create_reduction, set_staff_count, record_week
    ),
    components(schemas(
        InterventionOut, IndicatorOut, OrganisationRef, InterventionIn, IndicatorIn, PlacementOut,
        PlacementMinimalOut, PlacementAnswer, PlacementIn, VersionIn, ExitIn, OverrideIn, RiskIn, Assessment, Factor,
        RiskLevel, StaffReductionOut, StaffReductionIn, StaffCountIn, WorkplaceStaffOut,
        SharesOut, SharesPlanned, ShareFigures, ShareWeekOut, WeekIn
    )),
    tags((name = "interventions", description = "Interventions (insatser) with planned indicators, placements (deltagande) and their displacement assessment, hosts' staff reductions"))
)]
pub struct Doc;

// ------------------------------------------------------------ shapes

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct IndicatorOut {
    pub id: i64,
    /// work_unsubsidised, work_subsidised, studies, other_programme, work_or_studies, any_work
    pub outcome: String,
    /// Days after exit when the outcome is measured.
    pub measured_after_days: i64,
    pub target_percent: i64,
    pub description: Option<String>,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct OrganisationRef {
    pub organisation_id: i64,
    pub name: String,
    /// lead or partner
    pub role: String,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct InterventionOut {
    pub id: i64,
    pub name: String,
    /// rental, collaboration, staffing, employer (or null when a programme type is set)
    pub model: Option<String>,
    /// fixed_term_job, trainee_job, education_contract, extra_job, work_practice, tryout_studies, youth_employment
    pub programme_type: Option<String>,
    pub description: Option<String>,
    pub target_groups: Vec<String>,
    pub capacity: i64,
    pub period_from: NaiveDate,
    pub period_to: Option<NaiveDate>,
    pub funding: Option<String>,
    /// municipality or municipal_company
    pub operator_kind: String,
    pub follow_up_plan: Option<String>,
    /// draft, open, closed
    pub status: String,
    pub organisations: Vec<OrganisationRef>,
    pub indicators: Vec<IndicatorOut>,
    /// Planned and active placements now.
    pub open_placements: i64,
    pub version: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl From<Intervention> for InterventionOut {
    fn from(i: Intervention) -> InterventionOut {
        InterventionOut {
            id: i.id,
            name: i.name,
            model: i.model,
            programme_type: i.programme_type,
            description: i.description,
            target_groups: i.target_groups,
            capacity: i.capacity,
            period_from: i.period_from,
            period_to: i.period_to,
            funding: i.funding,
            operator_kind: i.operator_kind,
            follow_up_plan: i.follow_up_plan,
            status: i.status,
            organisations: i
                .organisations
                .into_iter()
                .map(|o| OrganisationRef {
                    organisation_id: o.organisation_id,
                    name: o.name,
                    role: o.role,
                })
                .collect(),
            indicators: i
                .indicators
                .into_iter()
                .map(|x| IndicatorOut {
                    id: x.id,
                    outcome: x.outcome,
                    measured_after_days: x.measured_after_days,
                    target_percent: x.target_percent,
                    description: x.description,
                })
                .collect(),
            open_placements: i.open_placements,
            version: i.version,
            created_at: i.created_at,
            updated_at: i.updated_at,
        }
    }
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct PlacementOut {
    pub id: i64,
    pub participant_id: i64,
    pub first_name: String,
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
    /// municipality, host, work_practice
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
    /// low, medium, high, blocked
    pub risk_level: RiskLevel,
    pub risk_factors: Vec<Factor>,
    pub override_reason: Option<String>,
    pub override_by: Option<i64>,
    pub override_at: Option<DateTime<Utc>>,
    /// planned, active, ended, cancelled
    pub status: String,
    pub exit_date: Option<NaiveDate>,
    pub exit_outcome: Option<String>,
    pub plan_step_id: Option<i64>,
    pub version: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    /// Work and study shares, planned and recorded (one placement read only).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub shares: Option<SharesOut>,
}

/// Minutes of work and study and their shares of the sum.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ShareFigures {
    pub work_minutes: i64,
    pub study_minutes: i64,
    /// 100 × work / (work + study), one decimal; null when both are 0.
    pub work_percent: Option<f64>,
    pub study_percent: Option<f64>,
}

impl From<Shares> for ShareFigures {
    fn from(s: Shares) -> Self {
        ShareFigures {
            work_minutes: s.work_minutes,
            study_minutes: s.study_minutes,
            work_percent: s.work_share,
            study_percent: s.study_share,
        }
    }
}

/// The planned shares of the placement (whole percent) and what was recorded.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct SharesPlanned {
    pub work_percent: i64,
    pub study_percent: i64,
}

/// One stored week: planned minutes and, once recorded, the minutes done.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ShareWeekOut {
    pub week_start: NaiveDate,
    pub planned_work_minutes: i64,
    pub planned_study_minutes: i64,
    pub work_minutes: Option<i64>,
    pub study_minutes: Option<i64>,
}

/// Work and study shares: planned on the placement, recorded week by week.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct SharesOut {
    pub planned: SharesPlanned,
    /// The recorded weeks' done minutes summed, with their shares.
    pub recorded: ShareFigures,
    /// The planned minutes of the same recorded weeks.
    pub planned_for_recorded_weeks: ShareFigures,
    pub recorded_weeks: i64,
    pub weeks: Vec<ShareWeekOut>,
}

impl From<ShareSummary> for SharesOut {
    fn from(s: ShareSummary) -> Self {
        SharesOut {
            planned: SharesPlanned {
                work_percent: s.planned_work_percent,
                study_percent: s.planned_study_percent,
            },
            recorded: s.recorded.into(),
            planned_for_recorded_weeks: s.planned_recorded.into(),
            recorded_weeks: s.recorded_weeks as i64,
            weeks: s
                .weeks
                .into_iter()
                .map(|w| ShareWeekOut {
                    week_start: w.week_start,
                    planned_work_minutes: w.planned_work,
                    planned_study_minutes: w.planned_study,
                    work_minutes: w.done_work,
                    study_minutes: w.done_study,
                })
                .collect(),
        }
    }
}

/// The hours done in one week, in minutes.
#[derive(Debug, Deserialize, utoipa::ToSchema)]
pub struct WeekIn {
    pub work_minutes: i64,
    pub study_minutes: i64,
}

/// The host's view of its placed participant: no identity number and no
/// other personal data than the first name.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct PlacementMinimalOut {
    pub id: i64,
    pub first_name: String,
    pub employer_id: Option<i64>,
    pub workplace_name: Option<String>,
    pub role_title: Option<String>,
    pub start_date: NaiveDate,
    pub end_date: NaiveDate,
    pub hours_per_week_minutes: i64,
    pub supervisor_name: Option<String>,
    pub supervisor_phone: Option<String>,
    pub supervisor_email: Option<String>,
    pub status: String,
}

/// A placement as the caller may see it: full, or the host's minimal view.
#[derive(Debug, Serialize, utoipa::ToSchema)]
#[serde(untagged)]
pub enum PlacementAnswer {
    Full(Box<PlacementOut>),
    Minimal(PlacementMinimalOut),
}

impl From<Placement> for PlacementAnswer {
    fn from(p: Placement) -> PlacementAnswer {
        if p.minimal {
            return PlacementAnswer::Minimal(PlacementMinimalOut {
                id: p.id,
                first_name: p.first_name,
                employer_id: p.employer_id,
                workplace_name: p.workplace_name,
                role_title: p.role_title,
                start_date: p.start_date,
                end_date: p.end_date,
                hours_per_week_minutes: p.hours_per_week_minutes,
                supervisor_name: p.supervisor_name,
                supervisor_phone: p.supervisor_phone,
                supervisor_email: p.supervisor_email,
                status: p.status,
            });
        }
        PlacementAnswer::Full(Box::new(PlacementOut {
            id: p.id,
            participant_id: p.participant_id,
            first_name: p.first_name,
            last_name: p.last_name,
            intervention_id: p.intervention_id,
            intervention_name: p.intervention_name,
            employer_id: p.employer_id,
            employer_name: p.employer_name,
            workplace_id: p.workplace_id,
            workplace_name: p.workplace_name,
            host_organisation_id: p.host_organisation_id,
            host_organisation_name: p.host_organisation_name,
            need_id: p.need_id,
            occupation_ssyk: p.occupation_ssyk,
            role_title: p.role_title,
            start_date: p.start_date,
            end_date: p.end_date,
            employment_form: p.employment_form,
            hours_per_week_minutes: p.hours_per_week_minutes,
            planned_work_percent: p.planned_work_percent,
            planned_study_percent: p.planned_study_percent,
            monthly_wage_ore: p.monthly_wage_ore,
            monthly_subsidy_ore: p.monthly_subsidy_ore,
            subsidy_kind: p.subsidy_kind,
            supervisor_name: p.supervisor_name,
            supervisor_phone: p.supervisor_phone,
            supervisor_email: p.supervisor_email,
            extra_task: p.extra_task,
            risk_level: p.risk.level,
            risk_factors: p.risk.factors,
            override_reason: p.override_reason,
            override_by: p.override_by,
            override_at: p.override_at,
            status: p.status,
            exit_date: p.exit_date,
            exit_outcome: p.exit_outcome,
            plan_step_id: p.plan_step_id,
            version: p.version,
            created_at: p.created_at,
            updated_at: p.updated_at,
            shares: p.shares.map(Into::into),
        }))
    }
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct StaffReductionOut {
    pub id: i64,
    pub employer_id: i64,
    pub workplace_id: Option<i64>,
    pub occupation_ssyk: String,
    /// notice (varsel) or dismissal (uppsägning)
    pub kind: String,
    pub occurred_on: NaiveDate,
    pub persons: i64,
    pub note: Option<String>,
    pub created_at: DateTime<Utc>,
}

impl From<StaffReduction> for StaffReductionOut {
    fn from(r: StaffReduction) -> Self {
        StaffReductionOut {
            id: r.id,
            employer_id: r.employer_id,
            workplace_id: r.workplace_id,
            occupation_ssyk: r.occupation_ssyk,
            kind: r.kind,
            occurred_on: r.occurred_on,
            persons: r.persons,
            note: r.note,
            created_at: r.created_at,
        }
    }
}

// Request bodies, for the document (read with `Fields`).

#[allow(dead_code)]
#[derive(utoipa::ToSchema)]
pub struct InterventionIn {
    name: String,
    /// Exactly one of model and programme_type.
    model: Option<String>,
    programme_type: Option<String>,
    description: Option<String>,
    /// youth, long_term_unemployed, income_support, sfi, weak_attachment, newly_arrived
    target_groups: Option<Vec<String>>,
    /// 1–10000 places at a time.
    capacity: i64,
    /// YYYY-MM-DD
    period_from: String,
    period_to: Option<String>,
    funding: Option<String>,
    /// municipality (default) or municipal_company
    operator_kind: Option<String>,
    follow_up_plan: Option<String>,
    /// The organisations that run it; the first is the lead (default: yours).
    organisation_ids: Option<Vec<i64>>,
    /// PATCH only: the version you read.
    version: Option<i64>,
}

/// An optional body: the version you read (a mismatch gives 409).
#[allow(dead_code)]
#[derive(utoipa::ToSchema)]
pub struct VersionIn {
    version: Option<i64>,
}

#[allow(dead_code)]
#[derive(utoipa::ToSchema)]
pub struct IndicatorIn {
    outcome: String,
    measured_after_days: i64,
    target_percent: i64,
    description: Option<String>,
}

#[allow(dead_code)]
#[derive(utoipa::ToSchema)]
pub struct PlacementIn {
    /// POST only.
    participant_id: i64,
    /// POST only.
    intervention_id: i64,
    /// The host: employer_id (with workplace_id) or host_organisation_id (POST only).
    employer_id: Option<i64>,
    workplace_id: Option<i64>,
    host_organisation_id: Option<i64>,
    /// A competence need whose slot the placement fills (POST only).
    need_id: Option<i64>,
    start_date: String,
    end_date: String,
    /// municipality, host, work_practice
    employment_form: String,
    hours_per_week_minutes: i64,
    /// Work and study shares sum to 100.
    planned_work_percent: Option<i64>,
    planned_study_percent: Option<i64>,
    monthly_wage_ore: Option<i64>,
    monthly_subsidy_ore: Option<i64>,
    subsidy_kind: Option<String>,
    supervisor_name: String,
    supervisor_phone: Option<String>,
    supervisor_email: Option<String>,
    role_title: Option<String>,
    /// SSYK level 4; defaults to the need's.
    occupation_ssyk: Option<String>,
    /// The task is an extra, not ordinary operations.
    extra_task: Option<bool>,
    /// POST, employer coordinators only: place despite a blocked assessment.
    override_reason: Option<String>,
    /// PATCH only: the version you read.
    version: Option<i64>,
}

#[allow(dead_code)]
#[derive(utoipa::ToSchema)]
pub struct ExitIn {
    exit_date: String,
    /// work_unsubsidised, work_subsidised, studies, other_programme, unemployed, sick_or_parental_leave, moved, unknown
    exit_outcome: String,
    version: Option<i64>,
}

#[allow(dead_code)]
#[derive(utoipa::ToSchema)]
pub struct OverrideIn {
    /// At least 10 characters.
    override_reason: String,
    version: Option<i64>,
}

#[allow(dead_code)]
#[derive(utoipa::ToSchema)]
pub struct RiskIn {
    employer_id: Option<i64>,
    workplace_id: Option<i64>,
    host_organisation_id: Option<i64>,
    need_id: Option<i64>,
    occupation_ssyk: Option<String>,
    start_date: String,
    end_date: String,
    extra_task: Option<bool>,
}

#[allow(dead_code)]
#[derive(utoipa::ToSchema)]
pub struct StaffReductionIn {
    workplace_id: Option<i64>,
    occupation_ssyk: String,
    /// notice or dismissal
    kind: String,
    /// YYYY-MM-DD, not in the future
    occurred_on: String,
    persons: i64,
    note: Option<String>,
}

// ------------------------------------------------------------ helpers

fn text(f: &mut Fields<'_>, key: &str, current: Option<String>) -> Option<String> {
    match f.nullable_string(key) {
        Some(v) => v,
        None if f.map.contains_key(key) => None,
        None => current,
    }
}

fn int(f: &mut Fields<'_>, key: &str, current: Option<i64>) -> Option<i64> {
    match f.nullable_i64(key) {
        Some(v) => v,
        None => current,
    }
}

fn done(f: Fields<'_>) -> Result<(), Problem> {
    if f.errors.is_empty() {
        Ok(())
    } else {
        Err(Problem::validation(f.errors))
    }
}

/// Shape errors first, then the rules' errors for the other fields.
fn merged(mut shape: ValidationErrors, rules: ValidationErrors) -> Problem {
    for e in rules.0 {
        if shape.for_field(&e.field).is_none() {
            shape.0.push(e);
        }
    }
    Problem::validation(shape)
}

const INTERVENTION_FIELDS: &[&str] = &[
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
    "organisation_ids",
];

const INTERVENTION_READ_ONLY: &[&str] = &[
    "id",
    "status",
    "indicators",
    "organisations",
    "open_placements",
    "created_at",
    "updated_at",
];

fn ids(f: &mut Fields<'_>, key: &str) -> Option<Vec<i64>> {
    match f.map.get(key)? {
        serde_json::Value::Null => Some(vec![]),
        serde_json::Value::Array(items) if items.len() <= 20 => {
            let v: Vec<i64> = items.iter().filter_map(|i| i.as_i64()).collect();
            if v.len() != items.len() {
                f.errors
                    .add(key, "type", format!("{key} must be an array of ids"));
                return None;
            }
            Some(v)
        }
        _ => {
            f.errors.add(
                key,
                "type",
                format!("{key} must be an array of at most 20 ids"),
            );
            None
        }
    }
}

fn intervention_overlay(f: &mut Fields<'_>, base: InterventionInput) -> InterventionInput {
    InterventionInput {
        name: text(f, "name", base.name),
        model: text(f, "model", base.model),
        programme_type: text(f, "programme_type", base.programme_type),
        description: text(f, "description", base.description),
        target_groups: if f.map.contains_key("target_groups") {
            f.strings("target_groups").unwrap_or_default()
        } else {
            base.target_groups
        },
        capacity: int(f, "capacity", base.capacity),
        period_from: text(f, "period_from", base.period_from),
        period_to: text(f, "period_to", base.period_to),
        funding: text(f, "funding", base.funding),
        operator_kind: text(f, "operator_kind", base.operator_kind),
        follow_up_plan: text(f, "follow_up_plan", base.follow_up_plan),
        organisation_ids: ids(f, "organisation_ids").unwrap_or(base.organisation_ids),
    }
}

const PLACEMENT_TERMS: &[&str] = &[
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
    "role_title",
    "occupation_ssyk",
    "extra_task",
];

const PLACEMENT_READ_ONLY: &[&str] = &[
    "id",
    "first_name",
    "last_name",
    "intervention_name",
    "employer_name",
    "workplace_name",
    "host_organisation_name",
    "risk_level",
    "risk_factors",
    "override_by",
    "override_at",
    "status",
    "exit_date",
    "exit_outcome",
    "plan_step_id",
    "created_at",
    "updated_at",
];

fn terms_overlay(f: &mut Fields<'_>, base: PlacementInput) -> PlacementInput {
    // Shares: when only one is sent, the other follows from it.
    let work_sent = f.map.contains_key("planned_work_percent");
    let study_sent = f.map.contains_key("planned_study_percent");
    let mut work = int(f, "planned_work_percent", base.planned_work_percent);
    let mut study = int(f, "planned_study_percent", base.planned_study_percent);
    if work_sent && !study_sent {
        study = None;
    }
    if study_sent && !work_sent {
        work = None;
    }
    PlacementInput {
        start_date: text(f, "start_date", base.start_date),
        end_date: text(f, "end_date", base.end_date),
        employment_form: text(f, "employment_form", base.employment_form),
        hours_per_week_minutes: int(f, "hours_per_week_minutes", base.hours_per_week_minutes),
        planned_work_percent: work,
        planned_study_percent: study,
        monthly_wage_ore: int(f, "monthly_wage_ore", base.monthly_wage_ore),
        monthly_subsidy_ore: int(f, "monthly_subsidy_ore", base.monthly_subsidy_ore),
        subsidy_kind: text(f, "subsidy_kind", base.subsidy_kind),
        supervisor_name: text(f, "supervisor_name", base.supervisor_name),
        supervisor_phone: text(f, "supervisor_phone", base.supervisor_phone),
        supervisor_email: text(f, "supervisor_email", base.supervisor_email),
        role_title: text(f, "role_title", base.role_title),
        occupation_ssyk: text(f, "occupation_ssyk", base.occupation_ssyk),
        extra_task: match f.nullable_bool("extra_task") {
            Some(v) => v,
            None => base.extra_task,
        },
    }
}

fn positive(f: &mut Fields<'_>, key: &str) -> Option<i64> {
    match f.nullable_i64(key) {
        Some(Some(v)) if v > 0 => Some(v),
        Some(Some(_)) => {
            f.errors
                .add(key, "invalid", format!("{key} must be a positive id"));
            None
        }
        _ => None,
    }
}

fn query_id(e: &mut ValidationErrors, key: &str, v: Option<&str>) -> Option<i64> {
    let v = v.filter(|s| !s.is_empty())?;
    let id = v.parse::<i64>().ok().filter(|v| *v > 0);
    if id.is_none() {
        e.add(key, "invalid", format!("{key} must be a positive id"));
    }
    id
}

// ------------------------------------------------------------ interventions

#[derive(Debug, Deserialize, utoipa::IntoParams)]
pub struct InterventionQuery {
    /// draft, open or closed
    pub status: Option<String>,
}

/// Every intervention (no personal data), newest period first.
#[utoipa::path(get, path = "/api/v1/interventions", tag = "interventions", params(InterventionQuery),
    responses((status = 200, body = Vec<InterventionOut>), (status = 401, body = Problem),
              (status = 403, body = Problem), (status = 422, body = Problem)))]
pub async fn list_interventions(
    State(state): State<AppState>,
    caller: ApiCaller,
    Query(q): Query<InterventionQuery>,
) -> Result<Json<Vec<InterventionOut>>, Problem> {
    let status = match q.status.as_deref().filter(|s| !s.is_empty()) {
        None => None,
        Some(s) => Some(InterventionStatus::parse(s).ok_or_else(|| {
            Problem::field(
                StatusCode::UNPROCESSABLE_ENTITY,
                "validation-error",
                "Invalid input",
                "status",
                "invalid_choice",
                "status must be draft, open or closed",
            )
        })?),
    };
    let list = state.store.list_interventions(&caller.ctx, status).await?;
    Ok(Json(list.into_iter().map(Into::into).collect()))
}

/// Create an intervention as a draft.
#[utoipa::path(post, path = "/api/v1/interventions", tag = "interventions", request_body = InterventionIn,
    responses((status = 201, body = InterventionOut, headers(("Location" = String))), (status = 400, body = Problem),
              (status = 401, body = Problem), (status = 403, body = Problem), (status = 415, body = Problem),
              (status = 422, body = Problem)))]
pub async fn create_intervention(
    State(state): State<AppState>,
    caller: ApiCaller,
    JsonObject(map): JsonObject,
) -> Result<impl IntoResponse, Problem> {
    let mut read_only = INTERVENTION_READ_ONLY.to_vec();
    read_only.push("version");
    let mut f = Fields::new(&map, INTERVENTION_FIELDS, &read_only);
    let input = intervention_overlay(&mut f, InterventionInput::default());
    let data = match InterventionData::from_input(&input) {
        Ok(d) if f.errors.is_empty() => d,
        Ok(_) => return Err(Problem::validation(f.errors)),
        Err(e) => return Err(merged(f.errors, e)),
    };
    let i = state.store.create_intervention(&caller.ctx, &data).await?;
    Ok((
        StatusCode::CREATED,
        [(header::LOCATION, format!("/api/v1/interventions/{}", i.id))],
        Json(InterventionOut::from(i)),
    ))
}

/// One intervention with its organisations and indicators.
#[utoipa::path(get, path = "/api/v1/interventions/{id}", tag = "interventions", params(("id" = i64, Path)),
    responses((status = 200, body = InterventionOut), (status = 401, body = Problem),
              (status = 403, body = Problem), (status = 404, body = Problem)))]
pub async fn read_intervention(
    State(state): State<AppState>,
    caller: ApiCaller,
    id: Result<Path<String>, PathRejection>,
) -> Result<Json<InterventionOut>, Problem> {
    let id = parse_id(id)?;
    Ok(Json(
        state.store.read_intervention(&caller.ctx, id).await?.into(),
    ))
}

/// Change an intervention: the fields sent replace the stored ones; `version` is required.
#[utoipa::path(patch, path = "/api/v1/interventions/{id}", tag = "interventions", params(("id" = i64, Path)),
    request_body = InterventionIn,
    responses((status = 200, body = InterventionOut), (status = 400, body = Problem), (status = 401, body = Problem),
              (status = 403, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem),
              (status = 415, body = Problem), (status = 422, body = Problem)))]
pub async fn update_intervention(
    State(state): State<AppState>,
    caller: ApiCaller,
    id: Result<Path<String>, PathRejection>,
    JsonObject(map): JsonObject,
) -> Result<Json<InterventionOut>, Problem> {
    let id = parse_id(id)?;
    let mut known = INTERVENTION_FIELDS.to_vec();
    known.push("version");
    let mut f = Fields::new(&map, &known, INTERVENTION_READ_ONLY);
    let version = f.integer("version", 1, i64::MAX);
    if !map.contains_key("version") {
        f.errors.add("version", "required", "version is required");
    }
    let current = state.store.read_intervention(&caller.ctx, id).await?;
    let input = intervention_overlay(&mut f, current.to_input());
    let data = match InterventionData::from_input(&input) {
        Ok(d) if f.errors.is_empty() => d,
        Ok(_) => return Err(Problem::validation(f.errors)),
        Err(e) => return Err(merged(f.errors, e)),
    };
    let i = state
        .store
        .update_intervention(&caller.ctx, id, &data, version.unwrap_or(0))
        .await?;
    Ok(Json(i.into()))
}

/// Plan an indicator: which outcome, measured how many days after exit, the target level.
#[utoipa::path(post, path = "/api/v1/interventions/{id}/indicators", tag = "interventions",
    params(("id" = i64, Path)), request_body = IndicatorIn,
    responses((status = 201, body = InterventionOut), (status = 400, body = Problem), (status = 401, body = Problem),
              (status = 403, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem),
              (status = 415, body = Problem), (status = 422, body = Problem)))]
pub async fn add_indicator(
    State(state): State<AppState>,
    caller: ApiCaller,
    id: Result<Path<String>, PathRejection>,
    JsonObject(map): JsonObject,
) -> Result<impl IntoResponse, Problem> {
    let id = parse_id(id)?;
    let mut f = Fields::new(
        &map,
        &[
            "outcome",
            "measured_after_days",
            "target_percent",
            "description",
        ],
        &["id"],
    );
    let input = IndicatorInput {
        outcome: text(&mut f, "outcome", None),
        measured_after_days: int(&mut f, "measured_after_days", None),
        target_percent: int(&mut f, "target_percent", None),
        description: text(&mut f, "description", None),
    };
    let ind = match Indicator::from_input(&input) {
        Ok(i) if f.errors.is_empty() => i,
        Ok(_) => return Err(Problem::validation(f.errors)),
        Err(e) => return Err(merged(f.errors, e)),
    };
    let i = state.store.add_indicator(&caller.ctx, id, &ind).await?;
    Ok((StatusCode::CREATED, Json(InterventionOut::from(i))))
}

/// An optional body `{"version": n}` (empty: no check).
fn version_only(body: &[u8]) -> Result<Option<i64>, Problem> {
    if body.iter().all(u8::is_ascii_whitespace) {
        return Ok(None);
    }
    let map = match serde_json::from_slice::<serde_json::Value>(body) {
        Ok(serde_json::Value::Object(m)) => m,
        _ => {
            return Err(Problem::new(
                StatusCode::BAD_REQUEST,
                "malformed-json",
                "Malformed JSON",
                "the body must be empty or a JSON object",
            ))
        }
    };
    let mut f = Fields::new(&map, &["version"], &[]);
    let v = f.nullable_i64("version").flatten();
    done(f)?;
    Ok(v)
}

/// Open for enrolment: 422 naming `indicators` and/or `follow_up_plan` when they are not set.
#[utoipa::path(post, path = "/api/v1/interventions/{id}/open", tag = "interventions", params(("id" = i64, Path)), request_body = VersionIn,
    responses((status = 200, body = InterventionOut), (status = 401, body = Problem), (status = 403, body = Problem),
              (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
pub async fn open_intervention(
    State(state): State<AppState>,
    caller: ApiCaller,
    id: Result<Path<String>, PathRejection>,
    body: bytes::Bytes,
) -> Result<Json<InterventionOut>, Problem> {
    let id = parse_id(id)?;
    let version = version_only(&body)?;
    let i = state
        .store
        .set_intervention_status(&caller.ctx, id, InterventionStatus::Open, version)
        .await?;
    Ok(Json(i.into()))
}

/// Close: no more enrolment.
#[utoipa::path(post, path = "/api/v1/interventions/{id}/close", tag = "interventions", params(("id" = i64, Path)), request_body = VersionIn,
    responses((status = 200, body = InterventionOut), (status = 401, body = Problem), (status = 403, body = Problem),
              (status = 404, body = Problem), (status = 409, body = Problem)))]
pub async fn close_intervention(
    State(state): State<AppState>,
    caller: ApiCaller,
    id: Result<Path<String>, PathRejection>,
    body: bytes::Bytes,
) -> Result<Json<InterventionOut>, Problem> {
    let id = parse_id(id)?;
    let version = version_only(&body)?;
    let i = state
        .store
        .set_intervention_status(&caller.ctx, id, InterventionStatus::Closed, version)
        .await?;
    Ok(Json(i.into()))
}

// ------------------------------------------------------------ placements

#[derive(Debug, Deserialize, utoipa::IntoParams)]
pub struct PlacementQuery {
    pub intervention_id: Option<String>,
    pub employer_id: Option<String>,
    pub participant_id: Option<String>,
    /// planned, active, ended, cancelled
    pub status: Option<String>,
}

/// The placements the caller may read; an employer user gets its own hosts' placements, minimal.
#[utoipa::path(get, path = "/api/v1/placements", tag = "interventions", params(PlacementQuery),
    responses((status = 200, body = Vec<PlacementAnswer>), (status = 401, body = Problem),
              (status = 403, body = Problem), (status = 422, body = Problem)))]
pub async fn list_placements(
    State(state): State<AppState>,
    caller: ApiCaller,
    Query(q): Query<PlacementQuery>,
) -> Result<Json<Vec<PlacementAnswer>>, Problem> {
    let mut e = ValidationErrors::new();
    let filter = PlacementFilter {
        intervention_id: query_id(&mut e, "intervention_id", q.intervention_id.as_deref()),
        employer_id: query_id(&mut e, "employer_id", q.employer_id.as_deref()),
        participant_id: query_id(&mut e, "participant_id", q.participant_id.as_deref()),
        status: q.status.as_deref().filter(|s| !s.is_empty()).and_then(|s| {
            let p = PlacementStatus::parse(s);
            if p.is_none() {
                e.add(
                    "status",
                    "invalid_choice",
                    "status must be planned, active, ended or cancelled",
                );
            }
            p
        }),
    };
    if !e.is_empty() {
        return Err(Problem::validation(e));
    }
    let list = state.store.list_placements(&caller.ctx, &filter).await?;
    Ok(Json(list.into_iter().map(Into::into).collect()))
}

/// Place a participant. Breaking a programme rule: 422 naming the rule; a
/// blocked displacement assessment: 422 `displacement_blocked` naming the
/// factor, unless an employer coordinator sends `override_reason`. Fills a
/// slot of the need and writes a step into the participant's action plan.
#[utoipa::path(post, path = "/api/v1/placements", tag = "interventions", request_body = PlacementIn,
    responses((status = 201, body = PlacementOut, headers(("Location" = String))), (status = 400, body = Problem),
              (status = 401, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem),
              (status = 415, body = Problem), (status = 422, body = Problem)))]
pub async fn create_placement(
    State(state): State<AppState>,
    caller: ApiCaller,
    JsonObject(map): JsonObject,
) -> Result<impl IntoResponse, Problem> {
    let mut known = PLACEMENT_TERMS.to_vec();
    known.extend([
        "participant_id",
        "intervention_id",
        "employer_id",
        "workplace_id",
        "host_organisation_id",
        "need_id",
        "override_reason",
    ]);
    let mut read_only = PLACEMENT_READ_ONLY.to_vec();
    read_only.push("version");
    let mut f = Fields::new(&map, &known, &read_only);
    let participant_id = positive(&mut f, "participant_id");
    if participant_id.is_none() && f.errors.for_field("participant_id").is_none() {
        f.errors
            .add("participant_id", "required", "participant_id is required");
    }
    let intervention_id = positive(&mut f, "intervention_id");
    if intervention_id.is_none() && f.errors.for_field("intervention_id").is_none() {
        f.errors
            .add("intervention_id", "required", "intervention_id is required");
    }
    let new = NewPlacement {
        participant_id: participant_id.unwrap_or(0),
        intervention_id: intervention_id.unwrap_or(0),
        host: Host {
            employer_id: positive(&mut f, "employer_id"),
            workplace_id: positive(&mut f, "workplace_id"),
            host_organisation_id: positive(&mut f, "host_organisation_id"),
        },
        need_id: positive(&mut f, "need_id"),
        override_reason: text(&mut f, "override_reason", None),
        terms: terms_overlay(&mut f, PlacementInput::default()),
    };
    if !placement_role_may(caller.ctx.actor.role, PlacementAction::Create) {
        // Decided (and audited) by the store before the input is looked at.
        state.store.create_placement(&caller.ctx, &new).await?;
    }
    if !f.errors.is_empty() {
        // Nothing is written: the shape errors and the pure rules' errors.
        let mut rules = PlacementTerms::from_input(&new.terms)
            .err()
            .unwrap_or_default();
        if new.need_id.is_some() {
            rules.0.retain(|e| e.field != "occupation_ssyk");
        }
        return Err(merged(f.errors, rules));
    }
    let p = state.store.create_placement(&caller.ctx, &new).await?;
    Ok((
        StatusCode::CREATED,
        [(header::LOCATION, format!("/api/v1/placements/{}", p.id))],
        Json(PlacementAnswer::from(p)),
    ))
}

/// The displacement dry run: the assessment a placement at this host in
/// this occupation would get, factor by factor, before anyone is placed.
#[utoipa::path(post, path = "/api/v1/placements/risk", tag = "interventions", request_body = RiskIn,
    responses((status = 200, body = Assessment), (status = 400, body = Problem), (status = 401, body = Problem),
              (status = 403, body = Problem), (status = 415, body = Problem), (status = 422, body = Problem)))]
pub async fn assess_risk(
    State(state): State<AppState>,
    caller: ApiCaller,
    JsonObject(map): JsonObject,
) -> Result<Json<Assessment>, Problem> {
    let mut f = Fields::new(
        &map,
        &[
            "employer_id",
            "workplace_id",
            "host_organisation_id",
            "need_id",
            "occupation_ssyk",
            "start_date",
            "end_date",
            "extra_task",
        ],
        &[],
    );
    let q = RiskQuery {
        host: Host {
            employer_id: positive(&mut f, "employer_id"),
            workplace_id: positive(&mut f, "workplace_id"),
            host_organisation_id: positive(&mut f, "host_organisation_id"),
        },
        need_id: positive(&mut f, "need_id"),
        occupation_ssyk: text(&mut f, "occupation_ssyk", None),
        start_date: text(&mut f, "start_date", None),
        end_date: text(&mut f, "end_date", None),
        extra_task: f.nullable_bool("extra_task").flatten().unwrap_or(false),
    };
    if !placement_role_may(caller.ctx.actor.role, PlacementAction::Assess) || f.errors.is_empty() {
        // The store decides (and audits) the role first.
        return Ok(Json(
            state.store.assess_displacement(&caller.ctx, &q).await?,
        ));
    }
    Err(Problem::validation(f.errors))
}

/// One placement: full, or for the host's employer user the minimal view.
#[utoipa::path(get, path = "/api/v1/placements/{id}", tag = "interventions", params(("id" = i64, Path)),
    responses((status = 200, body = PlacementAnswer), (status = 401, body = Problem),
              (status = 403, body = Problem), (status = 404, body = Problem)))]
pub async fn read_placement(
    State(state): State<AppState>,
    caller: ApiCaller,
    id: Result<Path<String>, PathRejection>,
) -> Result<Json<PlacementAnswer>, Problem> {
    let id = parse_id(id)?;
    Ok(Json(
        state.store.read_placement(&caller.ctx, id).await?.into(),
    ))
}

/// The stored displacement assessment, factor by factor (with any override).
#[utoipa::path(get, path = "/api/v1/placements/{id}/displacement", tag = "interventions",
    params(("id" = i64, Path)),
    responses((status = 200, body = Assessment), (status = 401, body = Problem),
              (status = 403, body = Problem), (status = 404, body = Problem)))]
pub async fn read_displacement(
    State(state): State<AppState>,
    caller: ApiCaller,
    id: Result<Path<String>, PathRejection>,
) -> Result<Json<Assessment>, Problem> {
    let id = parse_id(id)?;
    // The host's minimal view carries no assessment: 403 for its role.
    let p = state.store.read_placement_full(&caller.ctx, id).await?;
    Ok(Json(p.risk))
}

/// Change a placement's terms; validated again against the programme's
/// rules and re-assessed. `version` is required.
#[utoipa::path(patch, path = "/api/v1/placements/{id}", tag = "interventions", params(("id" = i64, Path)),
    request_body = PlacementIn,
    responses((status = 200, body = PlacementOut), (status = 400, body = Problem), (status = 401, body = Problem),
              (status = 403, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem),
              (status = 415, body = Problem), (status = 422, body = Problem)))]
pub async fn update_placement(
    State(state): State<AppState>,
    caller: ApiCaller,
    id: Result<Path<String>, PathRejection>,
    JsonObject(map): JsonObject,
) -> Result<Json<PlacementAnswer>, Problem> {
    let id = parse_id(id)?;
    let mut known = PLACEMENT_TERMS.to_vec();
    known.push("version");
    let mut read_only = PLACEMENT_READ_ONLY.to_vec();
    read_only.extend([
        "participant_id",
        "intervention_id",
        "employer_id",
        "workplace_id",
        "host_organisation_id",
        "need_id",
        "override_reason",
    ]);
    if !placement_role_may(caller.ctx.actor.role, PlacementAction::Update) {
        // Decided and audited by the store before anything is read.
        state
            .store
            .update_placement(&caller.ctx, id, &PlacementInput::default(), 0)
            .await?;
    }
    let mut f = Fields::new(&map, &known, &read_only);
    let version = f.integer("version", 1, i64::MAX);
    if !map.contains_key("version") {
        f.errors.add("version", "required", "version is required");
    }
    let current = state.store.read_placement(&caller.ctx, id).await?;
    let input = terms_overlay(&mut f, current.to_input());
    done(f)?;
    let p = state
        .store
        .update_placement(&caller.ctx, id, &input, version.unwrap_or(0))
        .await?;
    Ok(Json(p.into()))
}

/// End a placement with its outcome: the need's slot frees and the plan step closes.
#[utoipa::path(post, path = "/api/v1/placements/{id}/exit", tag = "interventions", params(("id" = i64, Path)),
    request_body = ExitIn,
    responses((status = 200, body = PlacementOut), (status = 400, body = Problem), (status = 401, body = Problem),
              (status = 403, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem),
              (status = 415, body = Problem), (status = 422, body = Problem)))]
pub async fn exit_placement(
    State(state): State<AppState>,
    caller: ApiCaller,
    id: Result<Path<String>, PathRejection>,
    JsonObject(map): JsonObject,
) -> Result<Json<PlacementAnswer>, Problem> {
    let id = parse_id(id)?;
    let mut f = Fields::new(&map, &["exit_date", "exit_outcome", "version"], &[]);
    let input = ExitInput {
        exit_date: text(&mut f, "exit_date", None),
        exit_outcome: text(&mut f, "exit_outcome", None),
    };
    let version = f.nullable_i64("version").flatten();
    done(f)?;
    let p = state
        .store
        .exit_placement(&caller.ctx, id, &input, version)
        .await?;
    Ok(Json(p.into()))
}

/// Let a blocked placement stand (employer coordinators), with a recorded reason.
#[utoipa::path(post, path = "/api/v1/placements/{id}/override", tag = "interventions", params(("id" = i64, Path)),
    request_body = OverrideIn,
    responses((status = 200, body = PlacementOut), (status = 400, body = Problem), (status = 401, body = Problem),
              (status = 403, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem),
              (status = 415, body = Problem), (status = 422, body = Problem)))]
pub async fn override_placement(
    State(state): State<AppState>,
    caller: ApiCaller,
    id: Result<Path<String>, PathRejection>,
    JsonObject(map): JsonObject,
) -> Result<Json<PlacementAnswer>, Problem> {
    let id = parse_id(id)?;
    let mut f = Fields::new(&map, &["override_reason", "version"], &[]);
    let reason = text(&mut f, "override_reason", None);
    let version = f.nullable_i64("version").flatten();
    done(f)?;
    let p = state
        .store
        .override_placement(&caller.ctx, id, reason.as_deref(), version)
        .await?;
    Ok(Json(p.into()))
}

/// Record the hours actually worked and studied in one Monday week of the
/// placement (minutes). Refused with 422 naming the field for a week outside
/// the placement, not a Monday or ahead of today, and for minutes negative
/// or over 7 × 24 h together; nothing is written then.
#[utoipa::path(put, path = "/api/v1/placements/{id}/weeks/{week_start}", tag = "interventions",
    params(("id" = i64, Path), ("week_start" = String, Path, description = "The week's Monday, YYYY-MM-DD")),
    request_body = WeekIn,
    responses((status = 200, body = SharesOut), (status = 400, body = Problem), (status = 401, body = Problem),
              (status = 403, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem),
              (status = 415, body = Problem), (status = 422, body = Problem)))]
pub async fn record_week(
    State(state): State<AppState>,
    caller: ApiCaller,
    path: Result<Path<(String, String)>, PathRejection>,
    JsonObject(map): JsonObject,
) -> Result<Json<SharesOut>, Problem> {
    let Ok(Path((id, week))) = path else {
        return Err(Problem::not_found());
    };
    let id = id
        .parse::<i64>()
        .ok()
        .filter(|v| *v > 0)
        .ok_or_else(Problem::not_found)?;
    if !placement_role_may(caller.ctx.actor.role, PlacementAction::Update) {
        // Decided and audited by the store before the body is looked at.
        state
            .store
            .record_placement_week(&caller.ctx, id, &week, None, None)
            .await?;
    }
    let mut f = Fields::new(&map, &["work_minutes", "study_minutes"], &[]);
    let work = f.nullable_i64("work_minutes").flatten();
    let study = f.nullable_i64("study_minutes").flatten();
    done(f)?;
    let s = state
        .store
        .record_placement_week(&caller.ctx, id, &week, work, study)
        .await?;
    Ok(Json(s.into()))
}

// ------------------------------------------------------------ staff reductions

/// The employer's recorded notices and dismissals (as the register's read).
#[utoipa::path(get, path = "/api/v1/employers/{id}/staff-reductions", tag = "interventions",
    params(("id" = i64, Path)),
    responses((status = 200, body = Vec<StaffReductionOut>), (status = 401, body = Problem),
              (status = 403, body = Problem), (status = 404, body = Problem)))]
pub async fn list_reductions(
    State(state): State<AppState>,
    caller: ApiCaller,
    id: Result<Path<String>, PathRejection>,
) -> Result<Json<Vec<StaffReductionOut>>, Problem> {
    let id = parse_id(id)?;
    let list = state.store.list_staff_reductions(&caller.ctx, id).await?;
    Ok(Json(list.into_iter().map(Into::into).collect()))
}

/// Record a notice or dismissal (employer coordinators). Open placements
/// at the employer in that occupation are assessed again (and so blocked).
#[utoipa::path(post, path = "/api/v1/employers/{id}/staff-reductions", tag = "interventions",
    params(("id" = i64, Path)), request_body = StaffReductionIn,
    responses((status = 201, body = StaffReductionOut), (status = 400, body = Problem), (status = 401, body = Problem),
              (status = 403, body = Problem), (status = 404, body = Problem), (status = 415, body = Problem),
              (status = 422, body = Problem)))]
pub async fn create_reduction(
    State(state): State<AppState>,
    caller: ApiCaller,
    id: Result<Path<String>, PathRejection>,
    JsonObject(map): JsonObject,
) -> Result<impl IntoResponse, Problem> {
    let id = parse_id(id)?;
    let mut f = Fields::new(
        &map,
        &[
            "workplace_id",
            "occupation_ssyk",
            "kind",
            "occurred_on",
            "persons",
            "note",
        ],
        &["id", "employer_id", "created_at"],
    );
    let input = ReductionInput {
        workplace_id: positive(&mut f, "workplace_id"),
        occupation_ssyk: text(&mut f, "occupation_ssyk", None),
        kind: text(&mut f, "kind", None),
        occurred_on: text(&mut f, "occurred_on", None),
        persons: int(&mut f, "persons", None),
        note: text(&mut f, "note", None),
    };
    if !f.errors.is_empty() {
        let today = vagar_domain::time::swedish_date(caller.ctx.now);
        let rules = Reduction::from_input(&input, today)
            .err()
            .unwrap_or_default();
        return Err(merged(f.errors, rules));
    }
    let r = state
        .store
        .record_staff_reduction(&caller.ctx, id, &input)
        .await?;
    Ok((StatusCode::CREATED, Json(StaffReductionOut::from(r))))
}

/// A workplace's head count.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct WorkplaceStaffOut {
    pub id: i64,
    pub name: String,
    pub staff_count: Option<i64>,
}

#[allow(dead_code)]
#[derive(utoipa::ToSchema)]
pub struct StaffCountIn {
    /// 1–1000000, or null when not known.
    staff_count: Option<i64>,
}

/// Record a workplace's head count (employer coordinators): the base of the
/// share of subsidised and programme workers in the displacement assessment.
#[utoipa::path(put, path = "/api/v1/employers/{id}/workplaces/{workplace_id}/staff-count", tag = "interventions",
    params(("id" = i64, Path), ("workplace_id" = i64, Path)), request_body = StaffCountIn,
    responses((status = 200, body = WorkplaceStaffOut), (status = 400, body = Problem), (status = 401, body = Problem),
              (status = 403, body = Problem), (status = 404, body = Problem), (status = 415, body = Problem),
              (status = 422, body = Problem)))]
pub async fn set_staff_count(
    State(state): State<AppState>,
    caller: ApiCaller,
    ids: Result<Path<(String, String)>, PathRejection>,
    JsonObject(map): JsonObject,
) -> Result<Json<WorkplaceStaffOut>, Problem> {
    let (id, workplace_id) = ids
        .ok()
        .and_then(|Path((a, b))| Some((a.parse::<i64>().ok()?, b.parse::<i64>().ok()?)))
        .filter(|(a, b)| *a > 0 && *b > 0)
        .ok_or_else(Problem::not_found)?;
    let mut f = Fields::new(&map, &["staff_count"], &["id", "name"]);
    let count = f.nullable_i64("staff_count");
    if !map.contains_key("staff_count") {
        f.errors.add(
            "staff_count",
            "required",
            "staff_count is required (null: not known)",
        );
    }
    if !vagar_domain::access::employer_role_may(
        caller.ctx.actor.role,
        vagar_domain::access::EmployerAction::Manage,
    ) {
        // Decided (and audited) by the store first.
        state
            .store
            .set_staff_count(&caller.ctx, id, workplace_id, None)
            .await?;
    }
    done(f)?;
    let w = state
        .store
        .set_staff_count(&caller.ctx, id, workplace_id, count.flatten())
        .await?;
    Ok(Json(WorkplaceStaffOut {
        id: w.id,
        name: w.name,
        staff_count: w.staff_count,
    }))
}
