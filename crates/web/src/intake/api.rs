//! `/api/v1/intake` (the common entry, gemensam ingång) and
//! `/api/v1/participants/{id}/handover`.

use crate::kernel::error::Problem;
use crate::kernel::json::{Fields, JsonObject};
use crate::kernel::session::ApiCaller;
use crate::participants::api::{parse_id, parse_input, ParticipantOut};
use crate::AppState;
use axum::extract::rejection::PathRejection;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::IntoResponse;
use axum::routing::post;
use axum::{Json, Router};
use serde::Serialize;
use vagar_domain::participants::ParticipantData;
use vagar_domain::ValidationErrors;

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

const INTAKE_ONLY: &[&str] = &["referred_by_organisation_id", "note"];

/// The common entry: register a person, or attach the intake to their
/// existing record when the identity number (any spelling) is registered.
/// 201 when created, 200 when attached.
#[utoipa::path(post, path = "/api/v1/intake", tag = "participants",
    request_body(content = serde_json::Value, description = "The fields of POST /api/v1/participants plus referred_by_organisation_id (required) and note"),
    responses((status = 201, body = IntakeOut), (status = 200, body = IntakeOut),
              (status = 400, body = Problem), (status = 401, body = Problem), (status = 403, body = Problem),
              (status = 415, body = Problem), (status = 422, body = Problem)))]
pub async fn intake(
    State(state): State<AppState>,
    caller: ApiCaller,
    JsonObject(map): JsonObject,
) -> Result<impl IntoResponse, Problem> {
    let mut participant_map = map.clone();
    let mut extra_map = serde_json::Map::new();
    for key in INTAKE_ONLY {
        if let Some(v) = participant_map.remove(*key) {
            extra_map.insert(key.to_string(), v);
        }
    }
    let mut extra = Fields::new(&extra_map, INTAKE_ONLY, &[]);
    let referred_by = extra.nullable_i64("referred_by_organisation_id").flatten();
    let note = extra.nullable_string("note").flatten();
    let mut errors: ValidationErrors = extra.errors;
    let input = match parse_input(participant_map) {
        Ok((input, None)) => Some(input),
        Ok((_, Some(_))) => {
            errors.add("version", "read_only", "version is set by the server");
            None
        }
        Err(p) => {
            for e in p.errors {
                errors.0.push(e);
            }
            None
        }
    };
    // Name every invalid field at once: the record's own rules too.
    if let Some(input) = input.as_ref().filter(|_| !errors.is_empty()) {
        if let Err(e) = ParticipantData::from_input(input, caller.ctx.today()) {
            errors.0.extend(e.0);
        }
    }
    let Some(input) = input.filter(|_| errors.is_empty()) else {
        return Err(Problem::validation(errors));
    };
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

#[allow(dead_code)]
#[derive(utoipa::ToSchema)]
pub struct HandoverIn {
    /// The id of the active caseworker who becomes responsible.
    to_user_id: i64,
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
    JsonObject(map): JsonObject,
) -> Result<Json<ParticipantOut>, Problem> {
    let id = parse_id(id)?;
    let mut f = Fields::new(&map, &["to_user_id"], &[]);
    let to = f.integer("to_user_id", 1, i64::MAX);
    if to.is_none() && f.errors.for_field("to_user_id").is_none() {
        f.errors
            .add("to_user_id", "required", "to_user_id is required");
    }
    let Some(to) = to.filter(|_| f.errors.is_empty()) else {
        return Err(Problem::validation(f.errors));
    };
    let p = state.store.handover(&caller.ctx, id, to).await?;
    Ok(Json(ParticipantOut::new(&p, caller.ctx.today())))
}
