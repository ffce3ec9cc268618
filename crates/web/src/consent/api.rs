//! `/api/v1/participants/{id}/consents`: consent (samtycke) — the
//! participant's permission for named organisations to see named categories
//! of their data, for a period, until revoked. The history keeps every consent
//! and every change (created, revoked) with who and when.

use crate::kernel::error::Problem;
use crate::kernel::json::Body;
use crate::kernel::session::ApiCaller;
use crate::participants::api::parse_id;
use crate::AppState;
use axum::extract::rejection::PathRejection;
use axum::extract::{Path, State};
use axum::http::{header, StatusCode};
use axum::response::IntoResponse;
use axum::routing::{get, post};
use axum::{Json, Router};
use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use vagar_domain::consent::ConsentInput;
use vagar_store::consent::{ConsentEvent, ConsentHistory, StoredConsent};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/participants/{id}/consents", get(list).post(record))
        .route("/participants/{id}/consents/{cid}/revoke", post(revoke))
}

/// A consent as the API returns it.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ConsentOut {
    pub id: i64,
    pub participant_id: i64,
    /// The organisations the consent lets see the data.
    pub organisation_ids: Vec<i64>,
    /// Any of contact_details, action_plan, assessment, health.
    pub categories: Vec<String>,
    pub valid_from: NaiveDate,
    /// Inclusive last day; null means until revoked.
    pub valid_to: Option<NaiveDate>,
    /// written, verbal or digital
    pub method: String,
    pub note: Option<String>,
    pub recorded_by: i64,
    pub recorded_at: DateTime<Utc>,
    pub revoked_at: Option<DateTime<Utc>>,
    pub revoked_by: Option<i64>,
    pub revoke_reason: Option<String>,
    /// In force at the time of this request: started, not past its last day, not revoked.
    pub in_force: bool,
}

impl ConsentOut {
    fn new(c: &StoredConsent, now: DateTime<Utc>) -> ConsentOut {
        let t = &c.state.terms;
        ConsentOut {
            id: c.id,
            participant_id: c.participant_id,
            organisation_ids: t.organisation_ids.clone(),
            categories: t.categories.iter().map(|c| c.as_str().into()).collect(),
            valid_from: t.valid_from,
            valid_to: t.valid_to,
            method: t.method.as_str().into(),
            note: t.note.clone(),
            recorded_by: c.recorded_by,
            recorded_at: c.recorded_at,
            revoked_at: c.state.revoked_at,
            revoked_by: c.revoked_by,
            revoke_reason: c.revoke_reason.clone(),
            in_force: c.state.in_force(now),
        }
    }
}

/// One change of a consent.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ConsentEventOut {
    pub id: i64,
    pub consent_id: i64,
    /// created or revoked
    pub kind: String,
    pub user_id: i64,
    pub username: String,
    pub organisation_id: i64,
    pub at: DateTime<Utc>,
    /// The reason given for a revocation.
    pub reason: Option<String>,
}

impl From<ConsentEvent> for ConsentEventOut {
    fn from(e: ConsentEvent) -> ConsentEventOut {
        ConsentEventOut {
            id: e.id,
            consent_id: e.consent_id,
            kind: e.kind,
            user_id: e.user_id,
            username: e.username,
            organisation_id: e.organisation_id,
            at: e.at,
            reason: e.reason,
        }
    }
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct ConsentHistoryOut {
    /// Every consent, oldest first, revoked and expired ones included.
    pub consents: Vec<ConsentOut>,
    /// Every change, oldest first.
    pub events: Vec<ConsentEventOut>,
}

fn history_out(h: ConsentHistory, now: DateTime<Utc>) -> ConsentHistoryOut {
    ConsentHistoryOut {
        consents: h.consents.iter().map(|c| ConsentOut::new(c, now)).collect(),
        events: h.events.into_iter().map(Into::into).collect(),
    }
}

/// Why the consent is revoked: the body of `POST …/revoke`.
#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
#[serde(default)]
pub struct RevokeIn {
    /// Why the consent is revoked (required, at most 500 characters).
    #[schema(nullable = false)]
    reason: Option<String>,
}

/// The consents of a participant and their history. Caseworkers who may read
/// the participant through their unit, caseload or a grant, and admins.
#[utoipa::path(get, path = "/api/v1/participants/{id}/consents", tag = "consents",
    params(("id" = i64, Path)),
    responses((status = 200, body = ConsentHistoryOut), (status = 401, body = Problem),
              (status = 403, body = Problem), (status = 404, body = Problem)))]
pub async fn list(
    State(state): State<AppState>,
    caller: ApiCaller,
    id: Result<Path<String>, PathRejection>,
) -> Result<Json<ConsentHistoryOut>, Problem> {
    let id = parse_id(id)?;
    let h = state.store.consent_history(&caller.ctx, id).await?;
    Ok(Json(history_out(h, caller.ctx.now)))
}

/// Record a consent given by the participant (caseworkers who may change the participant).
#[utoipa::path(post, path = "/api/v1/participants/{id}/consents", tag = "consents",
    params(("id" = i64, Path)), request_body = ConsentInput,
    responses((status = 201, body = ConsentOut, headers(("Location" = String))),
              (status = 400, body = Problem), (status = 401, body = Problem), (status = 403, body = Problem),
              (status = 404, body = Problem), (status = 415, body = Problem), (status = 422, body = Problem)))]
pub async fn record(
    State(state): State<AppState>,
    caller: ApiCaller,
    id: Result<Path<String>, PathRejection>,
    body: Body<ConsentInput, ConsentOut>,
) -> Result<impl IntoResponse, Problem> {
    let id = parse_id(id)?;
    // Type errors are answered before access is decided (as for PATCH): they
    // depend on the body alone and say nothing about the participant.
    let input = body.into_result()?;
    let c = state.store.record_consent(&caller.ctx, id, &input).await?;
    Ok((
        StatusCode::CREATED,
        [(
            header::LOCATION,
            format!("/api/v1/participants/{id}/consents"),
        )],
        Json(ConsentOut::new(&c, caller.ctx.now)),
    ))
}

/// Revoke a consent. It stops opening anything from the next request on;
/// the consent and its revocation stay in the history.
#[utoipa::path(post, path = "/api/v1/participants/{id}/consents/{cid}/revoke", tag = "consents",
    params(("id" = i64, Path), ("cid" = i64, Path)), request_body = RevokeIn,
    responses((status = 200, body = ConsentOut), (status = 400, body = Problem),
              (status = 401, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem),
              (status = 409, body = Problem), (status = 422, body = Problem)))]
pub async fn revoke(
    State(state): State<AppState>,
    caller: ApiCaller,
    ids: Result<Path<(String, String)>, PathRejection>,
    body: Body<RevokeIn>,
) -> Result<Json<ConsentOut>, Problem> {
    let (id, cid) = ids
        .ok()
        .and_then(|Path((a, b))| Some((a.parse::<i64>().ok()?, b.parse::<i64>().ok()?)))
        .filter(|(a, b)| *a > 0 && *b > 0)
        .ok_or_else(Problem::not_found)?;
    let reason = body.into_result()?.reason.unwrap_or_default();
    let c = state
        .store
        .revoke_consent(&caller.ctx, id, cid, &reason)
        .await?;
    Ok(Json(ConsentOut::new(&c, caller.ctx.now)))
}
