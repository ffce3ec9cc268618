//! The JSON API under `/api/v1`, described by the OpenAPI document at
//! `/api/v1/openapi.json`. One `router()` per feature.

pub mod alerts;
pub mod assessments;
pub mod audit;
pub mod competence;
pub mod consents;
pub mod employers;
pub mod intake;
pub mod json;
pub mod matching;
pub mod needs;
pub mod params;
pub mod participants;
pub mod plans;
pub mod steering;
pub mod taxonomy;
pub mod work;

use crate::error::Problem;
use crate::AppState;
use axum::extract::State;
use axum::routing::get;
use axum::{Json, Router};
use serde::Serialize;
use utoipa::openapi::security::{ApiKey, ApiKeyValue, HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};

pub fn router() -> Router<AppState> {
    Router::new()
        .route("/health", get(health))
        .route("/openapi.json", get(openapi_json))
        .merge(participants::router())
        .merge(consents::router())
        .merge(intake::router())
        .merge(audit::router())
        .merge(plans::router())
        .merge(assessments::router())
        .merge(steering::router())
        .merge(alerts::router())
        .merge(taxonomy::router())
        .merge(employers::router())
        .merge(needs::router())
        .merge(competence::router())
        .merge(matching::router())
        .merge(work::router())
        .fallback(|| async { Problem::not_found() })
        .method_not_allowed_fallback(|| async {
            Problem::new(
                axum::http::StatusCode::METHOD_NOT_ALLOWED,
                "method-not-allowed",
                "Method not allowed",
                "this resource does not support the method",
            )
        })
}

#[derive(Serialize, utoipa::ToSchema)]
pub struct Health {
    pub status: &'static str,
    pub database: &'static str,
    pub version: &'static str,
}

/// Liveness and database reachability.
#[utoipa::path(get, path = "/api/v1/health", tag = "system",
    responses((status = 200, body = Health), (status = 503, body = Problem)))]
pub async fn health(State(state): State<AppState>) -> Result<Json<Health>, Problem> {
    state.store.ping().await.map_err(|_| {
        Problem::new(
            axum::http::StatusCode::SERVICE_UNAVAILABLE,
            "unavailable",
            "Database unavailable",
            "the database does not answer",
        )
    })?;
    Ok(Json(Health {
        status: "ok",
        database: match state.store.backend() {
            vagar_store::Backend::Sqlite => "sqlite",
            vagar_store::Backend::Postgres => "postgres",
        },
        version: env!("CARGO_PKG_VERSION"),
    }))
}

struct Security;

impl Modify for Security {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "bearer",
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()),
        );
        components.add_security_scheme(
            "session",
            SecurityScheme::ApiKey(ApiKey::Cookie(ApiKeyValue::with_description(
                crate::auth::SESSION_COOKIE,
                "The web session; changes also need the X-CSRF-Token header.",
            ))),
        );
    }
}

#[derive(OpenApi)]
#[openapi(
    info(title = "Vägar API", version = "1",
        description = "Vägar's JSON API. Errors are RFC 9457 problem+json naming each invalid field. \
                       Identity numbers are never accepted in URLs: search for them with POST /api/v1/participants/search."),
    paths(
        health,
        openapi_json,
        participants::list,
        participants::search,
        participants::create,
        participants::read,
        participants::update,
        intake::intake,
        intake::handover,
        consents::list,
        consents::record,
        consents::revoke,
        audit::list,
        plans::read,
        plans::save,
        plans::add_step,
        plans::update_step,
        plans::history,
        plans::list_contacts,
        plans::add_contact,
        assessments::read,
        assessments::versions,
        assessments::read_version,
        assessments::create,
        steering::list_groups,
        steering::create_group,
        steering::read_group,
        steering::list_meetings,
        steering::add_meeting,
        steering::list_cases,
        steering::add_case,
        steering::list_decisions,
        steering::add_decision,
        steering::update_decision,
        alerts::between_chairs,
        taxonomy::info,
        taxonomy::occupations,
        taxonomy::skills,
        taxonomy::languages,
        taxonomy::classification,
        employers::list,
        employers::create,
        employers::read,
        employers::update,
        employers::list_workplaces,
        employers::add_workplace,
        employers::list_contacts,
        employers::add_contact,
        employers::list_interactions,
        employers::add_interaction,
        employers::list_partnerships,
        employers::add_partnership,
        employers::add_outcome,
        employers::list_contracts,
        employers::add_contract,
        employers::put_fulfilment,
        employers::put_fulfilment_month,
        needs::list,
        needs::create,
        needs::read,
        needs::update,
        needs::triage,
        competence::read,
        competence::save,
        competence::search,
        matching::suggestions,
        matching::run,
        matching::confirm,
    ),
    components(schemas(
        Health, Problem, vagar_domain::FieldError,
        participants::ParticipantOut, participants::ParticipantIn, participants::ParticipantPage,
        participants::SearchIn, audit::AuditOut,
        consents::ConsentOut, consents::ConsentEventOut, consents::ConsentHistoryOut,
        consents::ConsentIn, consents::RevokeIn, intake::IntakeOut, intake::HandoverIn,
        plans::PlanOut, plans::StepOut, plans::HistoryOut, plans::ContactOut,
        plans::PlanIn, plans::StepIn, plans::ContactIn,
        assessments::AssessmentOut, assessments::WorkOut, assessments::BarrierOut,
        assessments::VersionOut, assessments::AssessmentIn, assessments::WorkIn, assessments::BarrierIn,
        steering::GroupOut, steering::MeetingOut, steering::ParticipantRefOut, steering::CaseOut,
        steering::DecisionStepOut, steering::DecisionHistoryOut, steering::DecisionOut,
        steering::GroupIn, steering::MeetingIn, steering::CaseIn, steering::CreateStepIn,
        steering::UpdateStepIn, steering::DecisionIn, steering::DecisionPatchIn,
        alerts::BetweenChairsOut, alerts::FlaggedOut,
        vagar_store::taxonomy::TaxonomyInfo, vagar_store::taxonomy::OccupationHit,
        vagar_store::taxonomy::ConceptHit, vagar_store::taxonomy::CodeHit,
        employers::EmployerOut, employers::EmployerPageOut, employers::WorkplaceOut,
        employers::EmployerContactOut, employers::InteractionOut, employers::OutcomeOut,
        employers::YearProgressOut, employers::PartnershipOut, employers::FulfilmentMonthOut,
        employers::FulfilmentOut, employers::ProcurementContractOut, employers::EmployerIn,
        employers::EmployerPatchIn, employers::WorkplaceIn, employers::EmployerContactIn,
        employers::InteractionIn, employers::PartnershipIn, employers::OutcomeIn,
        employers::ProcurementContractIn, employers::FulfilmentIn,
        needs::NeedOut, needs::NeedSkillOut, needs::NeedIn, needs::NeedSkillIn, needs::TriageIn,
        competence::ProfileOut, competence::OccupationOut, competence::ExperienceOut,
        competence::ConceptOut, competence::LanguageOut, competence::ProfileIn,
        competence::ExperienceIn, competence::LanguageIn, competence::SearchIn,
        competence::SearchOut, competence::HitOut, competence::HitExperienceOut,
        competence::HitLanguageOut,
        matching::SuggestionsOut, matching::NeedSuggestionOut, matching::ParticipantSuggestionOut,
        matching::RunOut, matching::PairOut, matching::RatesOut, matching::RateOut, matching::RunIn,
        matching::ConfirmIn, matching::ConfirmOut, vagar_domain::scoring::Factor,
    )),
    modifiers(&Security),
    security(("bearer" = []), ("session" = [])),
    tags((name = "participants", description = "The participant registry"),
         (name = "plans", description = "Shared action plans (goal, steps, history) and contacts"),
         (name = "assessment", description = "The joint assessment (kartläggning), versioned; health only under a consent covering it"),
         (name = "steering", description = "Steering groups (styrgrupp): meetings, cases and decisions that change plans"),
         (name = "consents", description = "Consent (samtycke): which organisations may see which data, for how long"),
         (name = "alerts", description = "Nobody between chairs: participants no organisation is carrying"),
         (name = "taxonomy", description = "Classification data (SSYK 2012, JobTech skills and languages, SUN 2020, SNI 2007, municipalities): open data, no login"),
         (name = "employers", description = "The employer register (EfAS): employers, workplaces, contacts, interactions, partnership agreements and social-procurement contracts"),
         (name = "competence-needs", description = "Employers' competence needs (kompetensbehov) and the coordinators' queue of needs from the public form"),
         (name = "competence", description = "The competence database (kompetensdatabas): profiles and a pseudonymous search; names only under a consent naming the employer"),
         (name = "matching", description = "Suggestions (needs for a participant, participants for a need) with explained factors, and batch runs whose confirmed pairs become proposed placements"),
         (name = "audit", description = "The audit trail (admin)"),
         (name = "system", description = "Health and API description"))
)]
pub struct ApiDoc;

/// This document.
#[utoipa::path(get, path = "/api/v1/openapi.json", tag = "system", security(()),
    responses((status = 200, description = "OpenAPI 3.1 document")))]
pub async fn openapi_json() -> Json<utoipa::openapi::OpenApi> {
    let mut doc = ApiDoc::openapi();
    doc.merge(work::openapi());
    Json(doc)
}
