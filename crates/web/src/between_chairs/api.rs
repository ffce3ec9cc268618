//! `/api/v1/alerts/between-chairs`: participants nobody is carrying.

use crate::kernel::error::Problem;
use crate::kernel::session::ApiCaller;
use crate::AppState;
use axum::extract::{Query, State};
use axum::routing::get;
use axum::{Json, Router};
use chrono::NaiveDate;
use serde::Serialize;
use std::collections::HashMap;
use vagar_domain::between_chairs::{parse_reasons, DEFAULT_DAYS, MAX_DAYS};
use vagar_store::between_chairs::{BetweenChairsQuery, FlaggedParticipant, MAX_PER_PAGE};

pub fn router() -> Router<AppState> {
    Router::new().route("/alerts/between-chairs", get(between_chairs))
}

/// A participant who has fallen between chairs, with every reason that applies.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct FlaggedOut {
    pub participant_id: i64,
    pub first_name: String,
    pub last_name: String,
    pub district: Option<String>,
    /// The owning organisation (unit).
    pub organisation_id: i64,
    pub responsible_caseworker_id: Option<i64>,
    pub registered_on: NaiveDate,
    /// Any of no_caseworker, no_active_step, overdue_step, no_recent_contact.
    pub reasons: Vec<String>,
    /// The earliest due date of a planned or active step past it (overdue_step).
    pub overdue_due_date: Option<NaiveDate>,
    /// The latest contact (null: none recorded; the registration date then counts).
    pub last_contact_date: Option<NaiveDate>,
    pub active_steps: i64,
}

impl From<FlaggedParticipant> for FlaggedOut {
    fn from(f: FlaggedParticipant) -> FlaggedOut {
        FlaggedOut {
            participant_id: f.participant_id,
            first_name: f.first_name,
            last_name: f.last_name,
            district: f.district,
            organisation_id: f.organisation_id,
            responsible_caseworker_id: f.responsible_caseworker_id,
            registered_on: f.registered_on,
            reasons: f.reasons.iter().map(|r| r.as_str().to_string()).collect(),
            overdue_due_date: f.overdue_due_date,
            last_contact_date: f.last_contact_date,
            active_steps: f.active_steps,
        }
    }
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct BetweenChairsOut {
    pub items: Vec<FlaggedOut>,
    /// Participants matching the filters flagged for a selected reason.
    pub total: u64,
    /// Among those, the number flagged for each selected reason.
    pub counts: HashMap<String, u64>,
    pub page: u32,
    pub per_page: u32,
    /// N of no_recent_contact.
    pub days: u32,
    /// The date (in Sweden) the rules were evaluated for.
    pub today: NaiveDate,
}

/// Participants who have fallen between chairs, among those the caller may
/// read: no responsible caseworker, no active step, a step past its due date,
/// or no contact for `days` days (the registration counts as a contact).
/// Every id returned is audited.
#[utoipa::path(get, path = "/api/v1/alerts/between-chairs", tag = "alerts",
    params(("reasons" = Option<String>, Query, description = "Comma-separated: no_caseworker, no_active_step, overdue_step, no_recent_contact (default all); a participant flagged for any is listed"),
           ("organisation_id" = Option<i64>, Query, description = "The owning organisation, or one that owns an open step of the plan"),
           ("district" = Option<String>, Query, description = "Stadsdelsområde"),
           ("days" = Option<u32>, Query, description = "N of no_recent_contact, 1–730, default 30"),
           ("page" = Option<u32>, Query, description = "1-based, default 1"),
           ("per_page" = Option<u32>, Query, description = "1–200, default 50")),
    responses((status = 200, body = BetweenChairsOut), (status = 401, body = Problem),
              (status = 403, body = Problem), (status = 422, body = Problem)))]
pub async fn between_chairs(
    State(state): State<AppState>,
    caller: ApiCaller,
    Query(params): Query<HashMap<String, String>>,
) -> Result<Json<BetweenChairsOut>, Problem> {
    let bad = |field: &str, msg: &str| {
        Problem::field(
            axum::http::StatusCode::UNPROCESSABLE_ENTITY,
            "validation-error",
            "Invalid input",
            field,
            "invalid",
            msg,
        )
    };
    let num = |field: &str, default: u32, max: u32| -> Result<u32, Problem> {
        match params
            .get(field)
            .map(|v| v.trim())
            .filter(|v| !v.is_empty())
        {
            None => Ok(default),
            Some(v) => v
                .parse::<u32>()
                .ok()
                .filter(|v| (1..=max).contains(v))
                .ok_or_else(|| {
                    bad(
                        field,
                        &format!("{field} must be an integer from 1 to {max}"),
                    )
                }),
        }
    };
    let reasons = parse_reasons(params.get("reasons").map(String::as_str).unwrap_or(""))
        .map_err(|r| bad("reasons", &format!("unknown reason: {r}")))?;
    let organisation_id = match params
        .get("organisation_id")
        .map(|v| v.trim())
        .filter(|v| !v.is_empty())
    {
        None => None,
        Some(v) => Some(
            v.parse::<i64>()
                .map_err(|_| bad("organisation_id", "organisation_id must be an id"))?,
        ),
    };
    let query = BetweenChairsQuery {
        reasons,
        organisation_id,
        district: params.get("district").cloned(),
        days: num("days", DEFAULT_DAYS, MAX_DAYS)?,
        page: num("page", 1, u32::MAX)?,
        per_page: num("per_page", 50, MAX_PER_PAGE)?,
    };
    let page = state.store.between_chairs(&caller.ctx, &query).await?;
    Ok(Json(BetweenChairsOut {
        total: page.total,
        counts: page
            .counts
            .iter()
            .map(|(r, n)| (r.as_str().to_string(), *n))
            .collect(),
        page: page.page,
        per_page: page.per_page,
        days: page.days,
        today: page.today,
        items: page.items.into_iter().map(FlaggedOut::from).collect(),
    }))
}
