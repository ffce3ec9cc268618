//! `/api/v1/intake` (the common entry, gemensam ingång) and
//! `/api/v1/participants/{id}/handover`.

use crate::kernel::error::Problem;
use crate::kernel::json::Body;
use crate::kernel::session::ApiCaller;
use crate::participants::api::{parse_id, ParticipantIn, ParticipantOut};
use crate::AppState;
use axum::extract::rejection::PathRejection;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::IntoResponse;
use axum::routing::post;
use axum::{Json, Router};
use serde::{Deserialize, Serialize};
use vagar_domain::participants::ParticipantData;

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/intake", post(intake))
        .route("/participants/{id}/handover", post(handover))
}

#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct IntakeOut {
    pub intake_id: i64,
    /// True when the person was already registered and the intake was attached.
    pub existing: bool,
    /// The participant's id; null when the person exists but the caller may
    /// not read them (the answer then says only that the number is
    /// registered, as a duplicate registration's 409 does).
    pub id: Option<i64>,
    /// The record, when the caller may read it.
    pub participant: Option<ParticipantOut>,
}

/// The common entry: the fields of `POST /api/v1/participants` and the
/// intake's own.
#[derive(Debug, Default, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(default)]
pub struct IntakeIn {
    /// The organisation that referred the person (required).
    referred_by_organisation_id: Option<i64>,
    note: Option<String>,
    #[serde(flatten)]
    #[schema(inline)]
    participant: ParticipantIn,
}

/// The common entry: register a person, or attach the intake to their
/// existing record when the identity number (any spelling) is registered.
/// 201 when created, 200 when attached.
#[utoipa::path(post, path = "/api/v1/intake", tag = "participants",
    request_body = IntakeIn,
    responses((status = 201, body = IntakeOut), (status = 200, body = IntakeOut),
              (status = 400, body = Problem), (status = 401, body = Problem), (status = 403, body = Problem),
              (status = 415, body = Problem), (status = 422, body = Problem)))]
pub async fn intake(
    State(state): State<AppState>,
    caller: ApiCaller,
    body: Body<IntakeIn, ParticipantOut>,
) -> Result<impl IntoResponse, Problem> {
    let Body {
        value, mut errors, ..
    } = body.read_only("version", |b| b.participant.version.is_some());
    let (referred_by, note) = (value.referred_by_organisation_id, value.note);
    let (input, _) = value.participant.into_input();
    if !errors.is_empty() {
        // Name every invalid field at once: the record's own rules too.
        if let Err(e) = ParticipantData::from_input(&input, caller.ctx.today()) {
            for e in e.0 {
                if errors.for_field(&e.field).is_none() {
                    errors.0.push(e);
                }
            }
        }
        return Err(Problem::validation(errors));
    }
    let out = state
        .store
        .intake(&caller.ctx, &input, referred_by, note)
        .await?;
    let today = caller.ctx.today();
    let status = if out.existing {
        StatusCode::OK
    } else {
        StatusCode::CREATED
    };
    Ok((
        status,
        Json(IntakeOut {
            intake_id: out.intake_id,
            existing: out.existing,
            id: out.participant.as_ref().map(|p| p.id),
            participant: out
                .participant
                .as_ref()
                .map(|p| ParticipantOut::new(p, today)),
        }),
    ))
}

#[derive(Debug, Default, Deserialize, utoipa::ToSchema)]
#[serde(default)]
pub struct HandoverIn {
    /// The id of the active caseworker who becomes responsible.
    #[schema(nullable = false, minimum = 1)]
    to_user_id: Option<i64>,
}

/// Hand a participant over to another caseworker. The former responsible
/// caseworker keeps read access (not change) for 30 days.
#[utoipa::path(post, path = "/api/v1/participants/{id}/handover", tag = "participants",
    params(("id" = i64, Path)), request_body = HandoverIn,
    responses((status = 200, body = ParticipantOut), (status = 400, body = Problem),
              (status = 401, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem),
              (status = 422, body = Problem)))]
pub async fn handover(
    State(state): State<AppState>,
    caller: ApiCaller,
    id: Result<Path<String>, PathRejection>,
    body: Body<HandoverIn>,
) -> Result<Json<ParticipantOut>, Problem> {
    let id = parse_id(id)?;
    let to = body
        .require("to_user_id", |b| b.to_user_id.is_some())
        .into_result()?
        .to_user_id
        .unwrap_or_default();
    let p = state.store.handover(&caller.ctx, id, to).await?;
    Ok(Json(ParticipantOut::new(&p, caller.ctx.today())))
}
