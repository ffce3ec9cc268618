//! The JSON API under `/api/v1`, described by the OpenAPI document at
//! `/api/v1/openapi.json`. One `router()` per feature.

use crate::kernel::error::Problem;
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
        .merge(crate::participants::api::router())
        .merge(crate::consent::api::router())
        .merge(crate::intake::api::router())
        .merge(crate::audit::api::router())
        .merge(crate::plans::api::router())
        .merge(crate::assessments::api::router())
        .merge(crate::steering::api::router())
        .merge(crate::between_chairs::api::router())
        .merge(crate::taxonomy::api::router())
        .merge(crate::employers::api::router())
        .merge(crate::needs::api::router())
        .merge(crate::competence::api::router())
        .merge(crate::matching::api::router())
        .merge(crate::work::routes::api_router())
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
                crate::kernel::session::SESSION_COOKIE,
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
        crate::participants::api::list,
        crate::participants::api::search,
        crate::participants::api::create,
        crate::participants::api::read,
        crate::participants::api::update,
        crate::intake::api::intake,
        crate::intake::api::handover,
        crate::consent::api::list,
        crate::consent::api::record,
        crate::consent::api::revoke,
        crate::audit::api::list,
        crate::plans::api::read,
        crate::plans::api::save,
        crate::plans::api::add_step,
        crate::plans::api::update_step,
        crate::plans::api::history,
        crate::plans::api::list_contacts,
        crate::plans::api::add_contact,
        crate::assessments::api::read,
        crate::assessments::api::versions,
        crate::assessments::api::read_version,
        crate::assessments::api::create,
        crate::steering::api::list_groups,
        crate::steering::api::create_group,
        crate::steering::api::read_group,
        crate::steering::api::list_meetings,
        crate::steering::api::add_meeting,
        crate::steering::api::list_cases,
        crate::steering::api::add_case,
        crate::steering::api::list_decisions,
        crate::steering::api::add_decision,
        crate::steering::api::update_decision,
        crate::between_chairs::api::between_chairs,
        crate::taxonomy::api::info,
        crate::taxonomy::api::occupations,
        crate::taxonomy::api::skills,
        crate::taxonomy::api::languages,
        crate::taxonomy::api::classification,
        crate::employers::api::list,
        crate::employers::api::create,
        crate::employers::api::read,
        crate::employers::api::update,
        crate::employers::api::list_workplaces,
        crate::employers::api::add_workplace,
        crate::employers::api::list_contacts,
        crate::employers::api::add_contact,
        crate::employers::api::list_interactions,
        crate::employers::api::add_interaction,
        crate::employers::api::list_partnerships,
        crate::employers::api::add_partnership,
        crate::employers::api::add_outcome,
        crate::employers::api::list_contracts,
        crate::employers::api::add_contract,
        crate::employers::api::put_fulfilment,
        crate::employers::api::put_fulfilment_month,
        crate::needs::api::list,
        crate::needs::api::create,
        crate::needs::api::read,
        crate::needs::api::update,
        crate::needs::api::triage,
        crate::competence::api::read,
        crate::competence::api::save,
        crate::competence::api::search,
        crate::matching::api::suggestions,
        crate::matching::api::run,
        crate::matching::api::confirm,
    ),
    components(schemas(
        Health, Problem, vagar_domain::FieldError,
        crate::participants::api::ParticipantOut, crate::participants::api::ParticipantIn, crate::participants::api::ParticipantPage,
        crate::participants::api::SearchIn, crate::audit::api::AuditOut,
        crate::consent::api::ConsentOut, crate::consent::api::ConsentEventOut, crate::consent::api::ConsentHistoryOut,
        vagar_domain::consent::ConsentInput, crate::consent::api::RevokeIn, crate::intake::api::IntakeOut, crate::intake::api::IntakeIn, crate::intake::api::HandoverIn,
        crate::plans::api::PlanOut, crate::plans::api::StepOut, crate::plans::api::HistoryOut, crate::plans::api::ContactOut,
        crate::plans::api::PlanIn, crate::plans::api::StepIn, vagar_domain::plans::ContactInput,
        crate::assessments::api::AssessmentOut, crate::assessments::api::WorkOut, crate::assessments::api::BarrierOut,
        crate::assessments::api::VersionOut, crate::assessments::api::AssessmentIn, crate::assessments::api::WorkIn, vagar_domain::assessments::BarrierInput,
        crate::steering::api::GroupOut, crate::steering::api::MeetingOut, crate::steering::api::ParticipantRefOut, crate::steering::api::CaseOut,
        crate::steering::api::DecisionStepOut, crate::steering::api::DecisionHistoryOut, crate::steering::api::DecisionOut,
        vagar_domain::steering::GroupInput, vagar_domain::steering::MeetingInput, vagar_domain::steering::CaseInput,
        crate::steering::api::DecisionStepIn, crate::steering::api::DecisionIn, crate::steering::api::DecisionPatchIn,
        crate::between_chairs::api::BetweenChairsOut, crate::between_chairs::api::FlaggedOut,
        vagar_store::taxonomy::TaxonomyInfo, vagar_store::taxonomy::OccupationHit,
        vagar_store::taxonomy::ConceptHit, vagar_store::taxonomy::CodeHit,
        crate::employers::api::EmployerOut, crate::employers::api::EmployerPageOut, crate::employers::api::WorkplaceOut,
        crate::employers::api::EmployerContactOut, crate::employers::api::InteractionOut, crate::employers::api::OutcomeOut,
        crate::employers::api::YearProgressOut, crate::employers::api::PartnershipOut, crate::employers::api::FulfilmentMonthOut,
        crate::employers::api::FulfilmentOut, crate::employers::api::ProcurementContractOut, vagar_domain::employers::EmployerInput,
        vagar_domain::employers::EmployerPatch, vagar_domain::employers::WorkplaceInput, vagar_domain::employers::ContactInput,
        vagar_domain::employers::InteractionInput, vagar_domain::employers::PartnershipInput, vagar_domain::employers::OutcomeInput,
        vagar_domain::employers::ProcurementInput, crate::employers::api::FulfilmentIn,
        crate::needs::api::NeedOut, crate::needs::api::NeedSkillOut, crate::needs::api::NeedIn, crate::needs::api::NeedSkillIn, crate::needs::api::TriageIn,
        crate::competence::api::ProfileOut, crate::competence::api::OccupationOut, crate::competence::api::ExperienceOut,
        crate::competence::api::ConceptOut, crate::competence::api::LanguageOut, crate::competence::api::ProfileIn,
        vagar_domain::competence::ExperienceInput, vagar_domain::competence::LanguageInput, vagar_store::competence::SearchInput,
        crate::competence::api::SearchOut, crate::competence::api::HitOut, crate::competence::api::HitExperienceOut,
        crate::competence::api::HitLanguageOut,
        crate::matching::api::SuggestionsOut, crate::matching::api::NeedSuggestionOut, crate::matching::api::ParticipantSuggestionOut,
        crate::matching::api::RunOut, crate::matching::api::PairOut, crate::matching::api::RatesOut, crate::matching::api::RateOut, crate::matching::api::RunIn,
        crate::matching::api::ConfirmIn, crate::matching::api::ConfirmOut, vagar_domain::matching::Factor,
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
    doc.merge(crate::work::routes::openapi());
    Json(doc)
}
