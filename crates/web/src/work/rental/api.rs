//! `/api/v1/rental/...`: the rental model (contracts, assignments, weekly
//! timesheets with the host's approval, monthly invoices with CSV and XLSX
//! exports, the ledger of other costs and subsidies, the economic result)
//! and `/api/v1/interventions/{id}/legal-checks`.
//!
//! Access (`vagar_domain::work::rental::access`): employer coordinators run
//! it (and enter timesheets as supervisors); admins read; the host's
//! `employer` users see and decide their own placements' weeks with minimal
//! fields. Others: 403; another host's week: 404. Every call is audited
//! with the participants and placements it touched.

use crate::kernel::error::Problem;
use crate::kernel::json::Body;
use crate::kernel::params::checked_id;
use crate::kernel::session::ApiCaller;
use crate::participants::api::parse_id;
use crate::AppState;
use axum::extract::rejection::PathRejection;
use axum::extract::{Path, Query, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use vagar_domain::work::legal::{CheckKind, CheckStatus, LegalCheck, Reason};
use vagar_domain::work::rental::{
    check_ledger, ContractInput, EconomicResult, Month, MonthResult, TimesheetStatus,
};
use vagar_domain::ValidationErrors;
use vagar_store::work::rental::{
    Assignment, Contract, Invoice, LedgerEntry, Timesheet, TimesheetFilter, TimesheetInput,
};

pub fn router() -> Router<AppState> {
    Router::new()
        .route(
            "/rental/contracts",
            get(list_contracts).post(create_contract),
        )
        .route(
            "/rental/assignments",
            get(list_assignments).post(create_assignment),
        )
        .route(
            "/rental/timesheets",
            get(list_timesheets).post(submit_timesheet),
        )
        .route("/rental/timesheets/{id}", get(read_timesheet))
        .route("/rental/timesheets/{id}/approve", post(approve_timesheet))
        .route("/rental/timesheets/{id}/reject", post(reject_timesheet))
        .route("/rental/invoices", get(list_invoices).post(create_invoice))
        .route("/rental/invoices/{id}", get(read_invoice))
        .route("/rental/invoices/{id}/credit", post(credit_invoice))
        .route("/rental/invoices/{id}/invoice.csv", get(invoice_csv))
        .route("/rental/invoices/{id}/invoice.xlsx", get(invoice_xlsx))
        .route(
            "/rental/interventions/{id}/ledger",
            get(list_ledger).post(add_ledger),
        )
        .route(
            "/rental/interventions/{id}/economic-result",
            get(economic_result),
        )
        .route("/interventions/{id}/legal-checks", get(legal_checks))
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ContractOut {
    pub id: i64,
    pub participant_id: i64,
    pub participant_name: String,
    pub intervention_id: i64,
    pub period_from: NaiveDate,
    pub period_to: NaiveDate,
    pub hours_per_week_minutes: i64,
    pub hourly_wage_ore: i64,
    /// Employer's fees in per mille of the wage (314 = 31.4 %).
    pub employer_fee_permille: i64,
    pub version: i64,
    pub created_at: DateTime<Utc>,
}

impl From<Contract> for ContractOut {
    fn from(c: Contract) -> Self {
        ContractOut {
            id: c.id,
            participant_id: c.participant_id,
            participant_name: c.participant_name,
            intervention_id: c.intervention_id,
            period_from: c.period.from,
            period_to: c.period.to,
            hours_per_week_minutes: c.hours_per_week_minutes,
            hourly_wage_ore: c.hourly_wage_ore,
            employer_fee_permille: c.employer_fee_permille,
            version: c.version,
            created_at: c.created_at,
        }
    }
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct AssignmentOut {
    pub placement_id: i64,
    pub contract_id: i64,
    pub participant_id: i64,
    pub participant_name: String,
    pub employer_id: i64,
    pub employer_name: String,
    pub role_title: Option<String>,
    pub start_date: NaiveDate,
    pub end_date: NaiveDate,
    pub hourly_rate_ore: i64,
    pub supervisor_name: Option<String>,
}

impl From<Assignment> for AssignmentOut {
    fn from(a: Assignment) -> Self {
        AssignmentOut {
            placement_id: a.placement_id,
            contract_id: a.contract_id,
            participant_id: a.participant_id,
            participant_name: a.participant_name,
            employer_id: a.employer_id,
            employer_name: a.employer_name,
            role_title: a.role_title,
            start_date: a.period.from,
            end_date: a.period.to,
            hourly_rate_ore: a.hourly_rate_ore,
            supervisor_name: a.supervisor_name,
        }
    }
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct DayOut {
    pub date: NaiveDate,
    pub minutes: i64,
}

/// A week. For a host user `participant_id` and `last_name` are absent:
/// first name, role, week and hours only.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct TimesheetOut {
    pub id: i64,
    pub placement_id: i64,
    pub intervention_id: i64,
    pub employer_id: i64,
    pub employer_name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub participant_id: Option<i64>,
    pub first_name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub last_name: Option<String>,
    pub role_title: Option<String>,
    /// The Monday of the week.
    pub week_start: NaiveDate,
    /// submitted, approved or rejected
    pub status: String,
    /// Seven days, Monday first.
    pub days: Vec<DayOut>,
    pub total_minutes: i64,
    pub note: Option<String>,
    /// The host's reason for a rejection.
    pub decision_note: Option<String>,
    pub decided_at: Option<DateTime<Utc>>,
    pub version: i64,
}

impl From<Timesheet> for TimesheetOut {
    fn from(t: Timesheet) -> Self {
        TimesheetOut {
            id: t.id,
            placement_id: t.placement_id,
            intervention_id: t.intervention_id,
            employer_id: t.employer_id,
            employer_name: t.employer_name,
            participant_id: t.participant_id,
            first_name: t.first_name,
            last_name: t.last_name,
            role_title: t.role_title,
            week_start: t.week_start,
            status: t.status.as_str().into(),
            days: (0..7)
                .map(|i| DayOut {
                    date: t.week_start + chrono::Duration::days(i as i64),
                    minutes: t.minutes[i],
                })
                .collect(),
            total_minutes: t.total_minutes,
            note: t.note,
            decision_note: t.decision_note,
            decided_at: t.decided_at,
            version: t.version,
        }
    }
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct InvoiceLineOut {
    pub timesheet_id: i64,
    pub placement_id: i64,
    pub participant_name: String,
    pub role_title: Option<String>,
    pub week_start: NaiveDate,
    /// The week's first and last day inside the month.
    pub period_from: NaiveDate,
    pub period_to: NaiveDate,
    pub minutes: i64,
    pub rate_ore: i64,
    /// minutes × rate / 60, rounded half up to whole öre.
    pub amount_ore: i64,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct InvoiceOut {
    pub id: i64,
    pub number: String,
    pub intervention_id: i64,
    pub intervention_name: String,
    pub employer_id: i64,
    pub employer_name: String,
    pub organisation_number: String,
    /// YYYY-MM
    pub month: String,
    pub total_minutes: i64,
    /// The sum of the lines' amounts: the net total (same as `net_ore`).
    pub total_ore: i64,
    pub created_at: DateTime<Utc>,
    pub lines: Vec<InvoiceLineOut>,
    /// `invoice` or `credit_note` (a credit note has the negated lines of
    /// the invoice it credits).
    #[schema(example = "invoice")]
    pub kind: String,
    /// On a credit note: the invoice it credits.
    pub credits_invoice_id: Option<i64>,
    /// On a credited invoice: its credit note (an invoice is credited once).
    pub credited_by: Option<i64>,
    /// The invoice date (the day it was issued).
    pub invoice_date: NaiveDate,
    /// The invoice date plus the payment terms.
    pub due_date: NaiveDate,
    pub payment_terms_days: i64,
    /// The VAT rate in per mille: 250 = 25 % (staff hire, ML 2023:200).
    pub vat_rate_permille: i64,
    /// The sum of the lines, in öre (negative on a credit note).
    pub net_ore: i64,
    /// VAT on the net total, rounded to whole öre half away from zero.
    pub vat_ore: i64,
    /// net + VAT.
    pub gross_ore: i64,
    /// The seller (the operator: municipality or its company) at issue.
    pub seller_name: String,
    /// 10 digits.
    pub seller_organisation_number: String,
    /// `SE` + organisation number + `01`.
    pub seller_vat_number: String,
    /// The buyer (the host) as registered at issue.
    pub buyer_name: String,
    pub buyer_organisation_number: String,
    /// The host's first workplace address at issue, if recorded.
    pub buyer_address: Option<String>,
}

impl From<Invoice> for InvoiceOut {
    fn from(i: Invoice) -> Self {
        InvoiceOut {
            id: i.id,
            number: i.number,
            intervention_id: i.intervention_id,
            intervention_name: i.intervention_name,
            employer_id: i.employer_id,
            employer_name: i.employer_name,
            organisation_number: i.organisation_number,
            month: i.month,
            total_minutes: i.total_minutes,
            total_ore: i.total_ore,
            created_at: i.created_at,
            kind: i.kind.as_str().to_string(),
            credits_invoice_id: i.credits_invoice_id,
            credited_by: i.credited_by,
            invoice_date: i.invoice_date,
            due_date: i.due_date,
            payment_terms_days: i.payment_terms_days,
            vat_rate_permille: i.vat_rate_permille,
            net_ore: i.net_ore,
            vat_ore: i.vat_ore,
            gross_ore: i.gross_ore,
            seller_name: i.seller_name,
            seller_organisation_number: i.seller_organisation_number,
            seller_vat_number: i.seller_vat_number,
            buyer_name: i.buyer_name,
            buyer_organisation_number: i.buyer_organisation_number,
            buyer_address: i.buyer_address,
            lines: i
                .lines
                .into_iter()
                .map(|l| InvoiceLineOut {
                    timesheet_id: l.timesheet_id,
                    placement_id: l.placement_id,
                    participant_name: l.participant_name,
                    role_title: l.role_title,
                    week_start: l.week_start,
                    period_from: l.period_from,
                    period_to: l.period_to,
                    minutes: l.minutes,
                    rate_ore: l.rate_ore,
                    amount_ore: l.amount_ore,
                })
                .collect(),
        }
    }
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct LedgerOut {
    pub id: i64,
    pub intervention_id: i64,
    pub month: String,
    /// other_cost or subsidy
    pub kind: String,
    pub amount_ore: i64,
    pub note: Option<String>,
    pub created_at: DateTime<Utc>,
}

impl From<LedgerEntry> for LedgerOut {
    fn from(l: LedgerEntry) -> Self {
        LedgerOut {
            id: l.id,
            intervention_id: l.intervention_id,
            month: l.month,
            kind: l.kind,
            amount_ore: l.amount_ore,
            note: l.note,
            created_at: l.created_at,
        }
    }
}

/// A placement made an assignment under a contract.
#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
#[serde(default)]
pub struct AssignmentIn {
    /// A placement with employment_form municipality in a rental-model
    /// intervention, the same participant as the contract, inside its period.
    placement_id: Option<i64>,
    contract_id: Option<i64>,
    /// 1–500000
    hourly_rate_ore: Option<i64>,
}

/// A week as the supervisor enters it.
#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
#[serde(default)]
pub struct TimesheetIn {
    /// An assignment's placement.
    placement_id: Option<i64>,
    /// A Monday, YYYY-MM-DD.
    week_start: Option<String>,
    /// Seven integers, Monday first: minutes worked (0–1440). A day with
    /// minutes outside the placement or the contract is refused, named
    /// `minutes[i]` with its date.
    #[schema(max_items = 7, min_items = 7)]
    minutes: Option<Vec<i64>>,
    note: Option<String>,
}

/// The host's decision on a week.
#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
#[serde(default)]
pub struct DecisionIn {
    /// Required to reject.
    reason: Option<String>,
    /// The version you read (a mismatch gives 409).
    version: Option<i64>,
}

/// One host's invoice for one month.
#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
#[serde(default)]
pub struct InvoiceIn {
    intervention_id: Option<i64>,
    employer_id: Option<i64>,
    /// YYYY-MM
    month: Option<String>,
}

/// Another cost or a subsidy for a month.
#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
#[serde(default)]
pub struct LedgerIn {
    /// YYYY-MM
    month: Option<String>,
    /// other_cost or subsidy
    kind: Option<String>,
    /// Positive, öre.
    amount_ore: Option<i64>,
    note: Option<String>,
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct LegalChecksOut {
    pub intervention_id: i64,
    pub checks: Vec<LegalCheck>,
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
pub struct InterventionQuery {
    /// The rental-model intervention (required).
    pub intervention_id: Option<String>,
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
pub struct TimesheetQuery {
    pub intervention_id: Option<String>,
    pub placement_id: Option<String>,
    /// submitted, approved or rejected
    pub status: Option<String>,
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
pub struct ResultQuery {
    /// First month, YYYY-MM (default: the first with any figure).
    pub from: Option<String>,
    /// Last month, YYYY-MM (default: the last with any figure).
    pub to: Option<String>,
}

fn query_id(
    e: &mut ValidationErrors,
    field: &str,
    v: &Option<String>,
    required: bool,
) -> Option<i64> {
    match v.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        None => {
            if required {
                e.add(field, "required", format!("{field} is required"));
            }
            None
        }
        Some(s) => checked_id(e, field, s),
    }
}

fn required_intervention(q: &InterventionQuery) -> Result<i64, Problem> {
    let mut e = ValidationErrors::new();
    let id = query_id(&mut e, "intervention_id", &q.intervention_id, true);
    match id {
        Some(id) if e.is_empty() => Ok(id),
        _ => Err(Problem::validation(e)),
    }
}

/// Contracts of a rental intervention.
#[utoipa::path(get, path = "/api/v1/rental/contracts", tag = "rental", params(InterventionQuery),
    responses((status = 200, body = Vec<ContractOut>), (status = 401, body = Problem),
              (status = 403, body = Problem), (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn list_contracts(
    State(state): State<AppState>,
    caller: ApiCaller,
    Query(q): Query<InterventionQuery>,
) -> Result<Json<Vec<ContractOut>>, Problem> {
    let id = required_intervention(&q)?;
    let out = state.store.list_contracts(&caller.ctx, id).await?;
    Ok(Json(out.into_iter().map(Into::into).collect()))
}

/// Employ a participant in a rental intervention (the contract).
#[utoipa::path(post, path = "/api/v1/rental/contracts", tag = "rental", request_body = ContractInput,
    responses((status = 201, body = ContractOut), (status = 400, body = Problem), (status = 401, body = Problem),
              (status = 403, body = Problem), (status = 415, body = Problem), (status = 422, body = Problem)))]
pub async fn create_contract(
    State(state): State<AppState>,
    caller: ApiCaller,
    body: Body<ContractInput, ContractOut>,
) -> Result<Response, Problem> {
    let input = body.into_result()?;
    let c = state.store.create_contract(&caller.ctx, &input).await?;
    Ok((StatusCode::CREATED, Json(ContractOut::from(c))).into_response())
}

/// Assignments (priced placements) of a rental intervention.
#[utoipa::path(get, path = "/api/v1/rental/assignments", tag = "rental", params(InterventionQuery),
    responses((status = 200, body = Vec<AssignmentOut>), (status = 401, body = Problem),
              (status = 403, body = Problem), (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn list_assignments(
    State(state): State<AppState>,
    caller: ApiCaller,
    Query(q): Query<InterventionQuery>,
) -> Result<Json<Vec<AssignmentOut>>, Problem> {
    let id = required_intervention(&q)?;
    let out = state.store.list_assignments(&caller.ctx, id).await?;
    Ok(Json(out.into_iter().map(Into::into).collect()))
}

/// Make an existing placement an assignment under a contract, with its hourly rate.
#[utoipa::path(post, path = "/api/v1/rental/assignments", tag = "rental", request_body = AssignmentIn,
    responses((status = 201, body = AssignmentOut), (status = 400, body = Problem), (status = 401, body = Problem),
              (status = 403, body = Problem), (status = 409, body = Problem), (status = 415, body = Problem),
              (status = 422, body = Problem)))]
pub async fn create_assignment(
    State(state): State<AppState>,
    caller: ApiCaller,
    body: Body<AssignmentIn>,
) -> Result<Response, Problem> {
    let AssignmentIn {
        placement_id: placement,
        contract_id: contract,
        hourly_rate_ore: rate,
    } = body.into_result()?;
    let a = state
        .store
        .create_assignment(&caller.ctx, placement, contract, rate)
        .await?;
    Ok((StatusCode::CREATED, Json(AssignmentOut::from(a))).into_response())
}

/// Weeks the caller may see (a host: its own placements' weeks, minimal fields).
#[utoipa::path(get, path = "/api/v1/rental/timesheets", tag = "rental", params(TimesheetQuery),
    responses((status = 200, body = Vec<TimesheetOut>), (status = 401, body = Problem),
              (status = 403, body = Problem), (status = 422, body = Problem)))]
pub async fn list_timesheets(
    State(state): State<AppState>,
    caller: ApiCaller,
    Query(q): Query<TimesheetQuery>,
) -> Result<Json<Vec<TimesheetOut>>, Problem> {
    let mut e = ValidationErrors::new();
    let intervention_id = query_id(&mut e, "intervention_id", &q.intervention_id, false);
    let placement_id = query_id(&mut e, "placement_id", &q.placement_id, false);
    let status = q.status.as_deref().filter(|s| !s.is_empty()).and_then(|s| {
        let st = TimesheetStatus::parse(s);
        if st.is_none() {
            e.add(
                "status",
                "invalid_choice",
                "status must be submitted, approved or rejected",
            );
        }
        st
    });
    if !e.is_empty() {
        return Err(Problem::validation(e));
    }
    let out = state
        .store
        .list_timesheets(
            &caller.ctx,
            &TimesheetFilter {
                intervention_id,
                placement_id,
                status,
                limit: None,
            },
        )
        .await?;
    Ok(Json(out.into_iter().map(Into::into).collect()))
}

/// Enter a week (the supervisor). A submitted or rejected week is replaced;
/// an approved week, a day outside the placement or contract, more than
/// 24 hours or negative minutes are refused naming the day.
#[utoipa::path(post, path = "/api/v1/rental/timesheets", tag = "rental", request_body = TimesheetIn,
    responses((status = 201, body = TimesheetOut), (status = 400, body = Problem), (status = 401, body = Problem),
              (status = 403, body = Problem), (status = 409, body = Problem), (status = 415, body = Problem),
              (status = 422, body = Problem)))]
pub async fn submit_timesheet(
    State(state): State<AppState>,
    caller: ApiCaller,
    body: Body<TimesheetIn, TimesheetOut>,
) -> Result<Response, Problem> {
    let Body {
        value: t,
        mut errors,
        ..
    } = body;
    let minutes = match t.minutes.as_deref() {
        None => None,
        Some(m) => match <[i64; 7]>::try_from(m) {
            Ok(days) => Some(days),
            Err(_) => {
                errors.add(
                    "minutes",
                    "type",
                    "minutes must be seven integers, Monday first",
                );
                None
            }
        },
    };
    if !errors.is_empty() {
        return Err(Problem::validation(errors));
    }
    let (placement_id, week_start, note) = (t.placement_id, t.week_start, t.note);
    let t = state
        .store
        .submit_timesheet(
            &caller.ctx,
            &TimesheetInput {
                placement_id,
                week_start,
                minutes,
                note,
            },
        )
        .await?;
    Ok((StatusCode::CREATED, Json(TimesheetOut::from(t))).into_response())
}

/// One week.
#[utoipa::path(get, path = "/api/v1/rental/timesheets/{id}", tag = "rental", params(("id" = i64, Path)),
    responses((status = 200, body = TimesheetOut), (status = 401, body = Problem),
              (status = 403, body = Problem), (status = 404, body = Problem)))]
pub async fn read_timesheet(
    State(state): State<AppState>,
    caller: ApiCaller,
    id: Result<Path<String>, PathRejection>,
) -> Result<Json<TimesheetOut>, Problem> {
    let id = parse_id(id)?;
    Ok(Json(
        state.store.read_timesheet(&caller.ctx, id).await?.into(),
    ))
}

/// The host approves a submitted week.
#[utoipa::path(post, path = "/api/v1/rental/timesheets/{id}/approve", tag = "rental", params(("id" = i64, Path)),
    request_body = DecisionIn,
    responses((status = 200, body = TimesheetOut), (status = 401, body = Problem), (status = 403, body = Problem),
              (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
pub async fn approve_timesheet(
    State(state): State<AppState>,
    caller: ApiCaller,
    id: Result<Path<String>, PathRejection>,
    body: Body<DecisionIn>,
) -> Result<Json<TimesheetOut>, Problem> {
    let id = parse_id(id)?;
    let DecisionIn { reason, version } = body.into_result()?;
    let t = state
        .store
        .decide_timesheet(&caller.ctx, id, true, reason.as_deref(), version)
        .await?;
    Ok(Json(t.into()))
}

/// The host rejects a submitted week, with a reason.
#[utoipa::path(post, path = "/api/v1/rental/timesheets/{id}/reject", tag = "rental", params(("id" = i64, Path)),
    request_body = DecisionIn,
    responses((status = 200, body = TimesheetOut), (status = 401, body = Problem), (status = 403, body = Problem),
              (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)))]
pub async fn reject_timesheet(
    State(state): State<AppState>,
    caller: ApiCaller,
    id: Result<Path<String>, PathRejection>,
    body: Body<DecisionIn>,
) -> Result<Json<TimesheetOut>, Problem> {
    let id = parse_id(id)?;
    let DecisionIn { reason, version } = body.into_result()?;
    let t = state
        .store
        .decide_timesheet(&caller.ctx, id, false, reason.as_deref(), version)
        .await?;
    Ok(Json(t.into()))
}

/// Invoices of a rental intervention, newest month first.
#[utoipa::path(get, path = "/api/v1/rental/invoices", tag = "rental", params(InterventionQuery),
    responses((status = 200, body = Vec<InvoiceOut>), (status = 401, body = Problem),
              (status = 403, body = Problem), (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn list_invoices(
    State(state): State<AppState>,
    caller: ApiCaller,
    Query(q): Query<InterventionQuery>,
) -> Result<Json<Vec<InvoiceOut>>, Problem> {
    let id = required_intervention(&q)?;
    let out = state.store.list_invoices(&caller.ctx, id).await?;
    Ok(Json(out.into_iter().map(Into::into).collect()))
}

/// Invoice one host for one month: 201 when made now, 200 with the invoice
/// made before for the same intervention, employer and month. Any week of
/// that host touching the month not approved: 409 naming the weeks, and
/// nothing is written.
#[utoipa::path(post, path = "/api/v1/rental/invoices", tag = "rental", request_body = InvoiceIn,
    responses((status = 201, body = InvoiceOut), (status = 200, body = InvoiceOut), (status = 400, body = Problem),
              (status = 401, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem),
              (status = 409, body = Problem), (status = 415, body = Problem), (status = 422, body = Problem)))]
pub async fn create_invoice(
    State(state): State<AppState>,
    caller: ApiCaller,
    body: Body<InvoiceIn>,
) -> Result<Response, Problem> {
    let InvoiceIn {
        intervention_id,
        employer_id,
        month,
    } = body
        .require("intervention_id", |b| b.intervention_id.is_some())
        .into_result()?;
    let (inv, created) = state
        .store
        .create_invoice(
            &caller.ctx,
            intervention_id.unwrap_or(0),
            employer_id,
            month.as_deref(),
        )
        .await?;
    let status = if created {
        StatusCode::CREATED
    } else {
        StatusCode::OK
    };
    Ok((
        status,
        [(
            header::LOCATION,
            format!("/api/v1/rental/invoices/{}", inv.id),
        )],
        Json(InvoiceOut::from(inv)),
    )
        .into_response())
}

/// One invoice with its lines.
#[utoipa::path(get, path = "/api/v1/rental/invoices/{id}", tag = "rental", params(("id" = i64, Path)),
    responses((status = 200, body = InvoiceOut), (status = 401, body = Problem),
              (status = 403, body = Problem), (status = 404, body = Problem)))]
pub async fn read_invoice(
    State(state): State<AppState>,
    caller: ApiCaller,
    id: Result<Path<String>, PathRejection>,
) -> Result<Json<InvoiceOut>, Problem> {
    let id = parse_id(id)?;
    Ok(Json(
        state.store.read_invoice(&caller.ctx, id).await?.into(),
    ))
}

/// Credit an issued invoice: 201 with the credit note (the invoice's lines
/// negated, the next number in the seller's sequence). The invoice itself
/// never changes; its weeks can be invoiced again. 409 when the invoice is
/// already credited or is itself a credit note.
#[utoipa::path(post, path = "/api/v1/rental/invoices/{id}/credit", tag = "rental", params(("id" = i64, Path)),
    responses((status = 201, body = InvoiceOut), (status = 401, body = Problem), (status = 403, body = Problem),
              (status = 404, body = Problem), (status = 409, body = Problem)))]
pub async fn credit_invoice(
    State(state): State<AppState>,
    caller: ApiCaller,
    id: Result<Path<String>, PathRejection>,
) -> Result<Response, Problem> {
    let id = parse_id(id)?;
    let note = state.store.credit_invoice(&caller.ctx, id).await?;
    Ok((
        StatusCode::CREATED,
        [(
            header::LOCATION,
            format!("/api/v1/rental/invoices/{}", note.id),
        )],
        Json(InvoiceOut::from(note)),
    )
        .into_response())
}

/// The invoice as CSV (comma-separated, UTF-8, dot decimals; amounts also in öre).
#[utoipa::path(get, path = "/api/v1/rental/invoices/{id}/invoice.csv", tag = "rental", params(("id" = i64, Path)),
    responses((status = 200, description = "text/csv", content_type = "text/csv"), (status = 401, body = Problem),
              (status = 403, body = Problem), (status = 404, body = Problem)))]
pub async fn invoice_csv(
    State(state): State<AppState>,
    caller: ApiCaller,
    id: Result<Path<String>, PathRejection>,
) -> Result<Response, Problem> {
    let id = parse_id(id)?;
    let inv = state.store.read_invoice(&caller.ctx, id).await?;
    Ok((
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_string()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"faktura-{}.csv\"", inv.number),
            ),
        ],
        export::csv(&inv).map_err(|e| {
            tracing::error!(invoice = id, error = %e, "csv export failed");
            Problem::internal()
        })?,
    )
        .into_response())
}

/// The invoice as an Excel workbook (XLSX).
#[utoipa::path(get, path = "/api/v1/rental/invoices/{id}/invoice.xlsx", tag = "rental", params(("id" = i64, Path)),
    responses((status = 200, description = "XLSX workbook",
               content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
              (status = 401, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem)))]
pub async fn invoice_xlsx(
    State(state): State<AppState>,
    caller: ApiCaller,
    id: Result<Path<String>, PathRejection>,
) -> Result<Response, Problem> {
    let id = parse_id(id)?;
    let inv = state.store.read_invoice(&caller.ctx, id).await?;
    Ok((
        [
            (
                header::CONTENT_TYPE,
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet".to_string(),
            ),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"faktura-{}.xlsx\"", inv.number),
            ),
        ],
        export::xlsx(&inv).map_err(|e| {
            tracing::error!(invoice = id, error = %e, "xlsx export failed");
            Problem::internal()
        })?,
    )
        .into_response())
}

/// Other costs and subsidies of the intervention.
#[utoipa::path(get, path = "/api/v1/rental/interventions/{id}/ledger", tag = "rental", params(("id" = i64, Path)),
    responses((status = 200, body = Vec<LedgerOut>), (status = 401, body = Problem),
              (status = 403, body = Problem), (status = 404, body = Problem)))]
pub async fn list_ledger(
    State(state): State<AppState>,
    caller: ApiCaller,
    id: Result<Path<String>, PathRejection>,
) -> Result<Json<Vec<LedgerOut>>, Problem> {
    let id = parse_id(id)?;
    let out = state.store.list_ledger(&caller.ctx, id).await?;
    Ok(Json(out.into_iter().map(Into::into).collect()))
}

/// Record another cost or a subsidy for a month.
#[utoipa::path(post, path = "/api/v1/rental/interventions/{id}/ledger", tag = "rental", params(("id" = i64, Path)),
    request_body = LedgerIn,
    responses((status = 201, body = LedgerOut), (status = 400, body = Problem), (status = 401, body = Problem),
              (status = 403, body = Problem), (status = 404, body = Problem), (status = 415, body = Problem),
              (status = 422, body = Problem)))]
pub async fn add_ledger(
    State(state): State<AppState>,
    caller: ApiCaller,
    id: Result<Path<String>, PathRejection>,
    body: Body<LedgerIn, LedgerOut>,
) -> Result<Response, Problem> {
    let id = parse_id(id)?;
    let Body {
        value:
            LedgerIn {
                month,
                kind,
                amount_ore: amount,
                note,
            },
        mut errors,
        ..
    } = body;
    let data = check_ledger(month.as_deref(), kind.as_deref(), amount, note.as_deref());
    if let Err(e) = &data {
        for fe in &e.0 {
            if errors.for_field(&fe.field).is_none() {
                errors.0.push(fe.clone());
            }
        }
    }
    let data = if errors.is_empty() { data } else { Err(errors) };
    let l = state.store.add_ledger_entry(&caller.ctx, id, data).await?;
    Ok((StatusCode::CREATED, Json(LedgerOut::from(l))).into_response())
}

/// Revenue − wages − other costs + subsidies, month by month, with the
/// cumulative result and break-even. Revenue is the invoiced amounts plus
/// approved hours not yet invoiced × the hourly rate (each week-part rounded
/// as on an invoice); wages are approved hours × hourly wage × (1 + fees).
#[utoipa::path(get, path = "/api/v1/rental/interventions/{id}/economic-result", tag = "rental",
    params(("id" = i64, Path), ResultQuery),
    responses((status = 200, body = EconomicResult), (status = 401, body = Problem),
              (status = 403, body = Problem), (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn economic_result(
    State(state): State<AppState>,
    caller: ApiCaller,
    id: Result<Path<String>, PathRejection>,
    Query(q): Query<ResultQuery>,
) -> Result<Json<EconomicResult>, Problem> {
    let id = parse_id(id)?;
    let mut e = ValidationErrors::new();
    let mut month = |field: &str, v: &Option<String>| {
        v.as_deref().filter(|s| !s.is_empty()).and_then(|s| {
            let m = Month::parse(s);
            if m.is_none() {
                e.add(field, "invalid", format!("{field} must be YYYY-MM"));
            }
            m
        })
    };
    let from = month("from", &q.from);
    let to = month("to", &q.to);
    if let (Some(a), Some(b)) = (from, to) {
        if b < a || a.through(b).len() > 120 {
            e.add(
                "to",
                "out_of_range",
                "to must be on or after from, at most 120 months",
            );
        }
    }
    if !e.is_empty() {
        return Err(Problem::validation(e));
    }
    Ok(Json(
        state
            .store
            .economic_result(&caller.ctx, id, from, to)
            .await?,
    ))
}

/// The legal checks of an intervention (rental and staffing sales): the
/// self-cost principle, the LOU in-house criterion, competition neutrality.
#[utoipa::path(get, path = "/api/v1/interventions/{id}/legal-checks", tag = "rental", params(("id" = i64, Path)),
    responses((status = 200, body = LegalChecksOut), (status = 401, body = Problem),
              (status = 403, body = Problem), (status = 404, body = Problem)))]
pub async fn legal_checks(
    State(state): State<AppState>,
    caller: ApiCaller,
    id: Result<Path<String>, PathRejection>,
) -> Result<Json<LegalChecksOut>, Problem> {
    let id = parse_id(id)?;
    let checks = state.store.legal_checks(&caller.ctx, id).await?;
    Ok(Json(LegalChecksOut {
        intervention_id: id,
        checks,
    }))
}

/// Invoice exports: CSV through the `csv` crate, XLSX through
/// `rust_xlsxwriter`, from the same rows so the two always agree.
pub(crate) mod export {
    use rust_xlsxwriter::{Format, Workbook, XlsxError};
    use vagar_store::work::rental::Invoice;

    fn sek(ore: i64) -> String {
        let sign = if ore < 0 { "-" } else { "" };
        format!("{sign}{}.{:02}", ore.abs() / 100, ore.abs() % 100)
    }

    fn hours(minutes: i64) -> String {
        // Minutes to hours with two decimals, half up.
        let hundredths = (minutes * 100 + 30) / 60;
        format!("{}.{:02}", hundredths / 100, hundredths % 100)
    }

    /// A text cell that a spreadsheet would read as a formula is defused.
    fn text(s: &str) -> String {
        if s.starts_with(['=', '+', '-', '@']) {
            format!("'{s}")
        } else {
            s.to_string()
        }
    }

    enum Cell {
        Text(String),
        /// A number: its exact text for CSV, its value for the sheet.
        Num(String),
    }

    const HEADER: [&str; 11] = [
        "invoice",
        "month",
        "period_from",
        "period_to",
        "participant",
        "role",
        "hours",
        "minutes",
        "rate_sek",
        "amount_sek",
        "amount_ore",
    ];

    /// One row per line, then the total.
    fn rows(inv: &Invoice) -> Vec<Vec<Cell>> {
        let mut out = vec![];
        for l in &inv.lines {
            out.push(vec![
                Cell::Text(inv.number.clone()),
                Cell::Text(inv.month.clone()),
                Cell::Text(l.period_from.to_string()),
                Cell::Text(l.period_to.to_string()),
                Cell::Text(l.participant_name.clone()),
                Cell::Text(l.role_title.clone().unwrap_or_default()),
                Cell::Num(hours(l.minutes)),
                Cell::Num(l.minutes.to_string()),
                Cell::Num(sek(l.rate_ore)),
                Cell::Num(sek(l.amount_ore)),
                Cell::Num(l.amount_ore.to_string()),
            ]);
        }
        out.push(vec![
            Cell::Text(inv.number.clone()),
            Cell::Text(inv.month.clone()),
            Cell::Text(String::new()),
            Cell::Text(String::new()),
            Cell::Text("TOTAL".into()),
            Cell::Text(inv.employer_name.clone()),
            Cell::Num(hours(inv.total_minutes)),
            Cell::Num(inv.total_minutes.to_string()),
            Cell::Text(String::new()),
            Cell::Num(sek(inv.net_ore)),
            Cell::Num(inv.net_ore.to_string()),
        ]);
        // The invoice's own fields, one per row after the lines and the net
        // total (the table stays one table): the key in the participant
        // column, a text value in the role column, amounts in the amount ones.
        let field = |key: &str, value: String| {
            let mut row = vec![
                Cell::Text(inv.number.clone()),
                Cell::Text(inv.month.clone()),
                Cell::Text(String::new()),
                Cell::Text(String::new()),
                Cell::Text(key.into()),
                Cell::Text(value),
            ];
            row.extend((0..5).map(|_| Cell::Text(String::new())));
            row
        };
        let amount = |key: &str, label: String, ore: i64| {
            let mut row = field(key, label);
            row[9] = Cell::Num(sek(ore));
            row[10] = Cell::Num(ore.to_string());
            row
        };
        out.push(amount(
            "VAT",
            format!("{} %", rate_percent(inv.vat_rate_permille)),
            inv.vat_ore,
        ));
        out.push(amount("GROSS", String::new(), inv.gross_ore));
        out.push(field("KIND", inv.kind.as_str().into()));
        if let Some(c) = inv.credits_invoice_id {
            out.push(field("CREDITS_INVOICE_ID", c.to_string()));
        }
        out.push(field("INVOICE_DATE", inv.invoice_date.to_string()));
        out.push(field("DUE_DATE", inv.due_date.to_string()));
        out.push(field(
            "PAYMENT_TERMS_DAYS",
            inv.payment_terms_days.to_string(),
        ));
        out.push(field("SELLER", inv.seller_name.clone()));
        out.push(field(
            "SELLER_ORGANISATION_NUMBER",
            inv.seller_organisation_number.clone(),
        ));
        out.push(field("SELLER_VAT_NUMBER", inv.seller_vat_number.clone()));
        out.push(field("BUYER", inv.buyer_name.clone()));
        out.push(field(
            "BUYER_ORGANISATION_NUMBER",
            inv.buyer_organisation_number.clone(),
        ));
        out.push(field(
            "BUYER_ADDRESS",
            inv.buyer_address.clone().unwrap_or_default(),
        ));
        out
    }

    /// 250 per mille as "25", 120 as "12", 60 as "6".
    pub fn rate_percent(permille: i64) -> String {
        if permille % 10 == 0 {
            (permille / 10).to_string()
        } else {
            format!("{}.{}", permille / 10, permille % 10)
        }
    }

    pub fn csv(inv: &Invoice) -> Result<String, csv::Error> {
        let mut w = csv::WriterBuilder::new()
            .terminator(csv::Terminator::CRLF)
            .from_writer(vec![]);
        w.write_record(HEADER)?;
        for row in rows(inv) {
            w.write_record(row.iter().map(|c| match c {
                Cell::Text(t) => text(t),
                Cell::Num(n) => n.clone(),
            }))?;
        }
        let bytes = w.into_inner().map_err(|e| e.into_error())?;
        Ok(String::from_utf8(bytes).expect("the rows are UTF-8"))
    }

    pub fn xlsx(inv: &Invoice) -> Result<Vec<u8>, XlsxError> {
        let mut book = Workbook::new();
        let bold = Format::new().set_bold();
        let sheet = book.add_worksheet();
        sheet.set_name("Faktura")?;
        for (c, h) in HEADER.iter().enumerate() {
            sheet.write_string_with_format(0, c as u16, *h, &bold)?;
        }
        for (r, row) in rows(inv).iter().enumerate() {
            let r = r as u32 + 1;
            for (c, cell) in row.iter().enumerate() {
                let c = c as u16;
                match cell {
                    Cell::Text(t) => {
                        sheet.write_string(r, c, text(t))?;
                    }
                    Cell::Num(n) => {
                        let v: f64 = n.parse().expect("a number we formatted");
                        sheet.write_number(r, c, v)?;
                    }
                }
            }
        }
        sheet.autofit();
        book.save_to_buffer()
    }

    #[cfg(test)]
    mod tests {
        #[test]
        fn numbers_and_defused_text() {
            assert_eq!(super::hours(90), "1.50");
            assert_eq!(super::sek(123_405), "1234.05");
            assert_eq!(super::sek(-5), "-0.05");
            assert_eq!(super::text("=SUM(A1)"), "'=SUM(A1)");
            assert_eq!(super::text("Anna"), "Anna");
        }
    }
}

#[derive(utoipa::OpenApi)]
#[openapi(
    paths(
        list_contracts,
        create_contract,
        list_assignments,
        create_assignment,
        list_timesheets,
        submit_timesheet,
        read_timesheet,
        approve_timesheet,
        reject_timesheet,
        list_invoices,
        create_invoice,
        read_invoice,
        credit_invoice,
        invoice_csv,
        invoice_xlsx,
        list_ledger,
        add_ledger,
        economic_result,
        legal_checks,
    ),
    components(schemas(
        ContractOut, AssignmentOut, DayOut, TimesheetOut, InvoiceLineOut, InvoiceOut, LedgerOut,
        vagar_domain::work::rental::ContractInput, AssignmentIn, TimesheetIn, DecisionIn, InvoiceIn, LedgerIn, LegalChecksOut,
        EconomicResult, MonthResult, LegalCheck, Reason, CheckKind, CheckStatus,
    )),
    tags((name = "rental", description = "The rental model: employment contracts, assignments at host employers, weekly timesheets approved by the host, monthly invoices (CSV, XLSX), the economic result and the legal checks"))
)]
pub struct Doc;
