//! `/api/v1/audit`: the audit trail, for administrators.

use crate::kernel::error::Problem;
use crate::kernel::session::ApiCaller;
use crate::AppState;
use axum::extract::{Query, State};
use axum::routing::get;
use axum::{Json, Router};
use chrono::{DateTime, Utc};
use serde::Serialize;
use std::collections::HashMap;
use vagar_store::audit::AuditEvent;

pub fn router() -> Router<AppState> {
    Router::new().route("/audit", get(list))
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct AuditOut {
    pub seq: i64,
    pub at: DateTime<Utc>,
    pub request_id: String,
    pub user_id: Option<i64>,
    pub username: Option<String>,
    pub organisation_id: Option<i64>,
    pub role: Option<String>,
    /// e.g. participant.read, participant.update, participant.create, participant.list
    pub action: String,
    /// allowed:<rule> or denied
    pub outcome: String,
    /// What more the decision recorded, e.g. `attached` for an intake of a
    /// registered person or the parties of a handover.
    pub detail: String,
    pub participant_ids: Vec<i64>,
    pub hash: String,
}

impl From<AuditEvent> for AuditOut {
    fn from(e: AuditEvent) -> AuditOut {
        AuditOut {
            seq: e.seq,
            at: e.at,
            request_id: e.request_id,
            user_id: e.user_id,
            username: e.username,
            organisation_id: e.organisation_id,
            role: e.role,
            action: e.action,
            outcome: e.outcome,
            detail: e.detail,
            participant_ids: e.participant_ids,
            hash: e.hash,
        }
    }
}

/// Audit events, newest first: those that touched one participant, or the
/// whole trail. Admin only; reading the trail is itself audited.
#[utoipa::path(get, path = "/api/v1/audit", tag = "audit",
    params(("participant" = Option<i64>, Query, description = "Only events that touched this participant"),
           ("limit" = Option<i64>, Query, description = "1–1000, default 200")),
    responses((status = 200, body = [AuditOut]), (status = 401, body = Problem),
              (status = 403, body = Problem), (status = 404, body = Problem), (status = 422, body = Problem)))]
pub async fn list(
    State(state): State<AppState>,
    caller: ApiCaller,
    Query(params): Query<HashMap<String, String>>,
) -> Result<Json<Vec<AuditOut>>, Problem> {
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
    let limit = match params.get("limit") {
        None => 200,
        Some(v) => v
            .parse::<i64>()
            .ok()
            .filter(|v| (1..=1000).contains(v))
            .ok_or_else(|| bad("limit", "limit must be an integer from 1 to 1000"))?,
    };
    let events = match params.get("participant") {
        Some(v) => {
            let id = v
                .parse::<i64>()
                .map_err(|_| bad("participant", "participant must be a participant id"))?;
            state
                .store
                .participant_audit(&caller.ctx, id, limit)
                .await?
        }
        None => state.store.recent_audit(&caller.ctx, limit).await?,
    };
    Ok(Json(events.into_iter().map(AuditOut::from).collect()))
}
