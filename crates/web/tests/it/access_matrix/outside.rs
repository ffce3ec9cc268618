//! The operations outside the matrix, each with its reason, and the test
//! that every operation of the API is in the matrix or named here.

use super::globals::GLOBALS;
use super::participants::ENDPOINTS;
use super::*;

/// Operations outside the matrix, and why.
const OUTSIDE: &[(&str, &str, &str)] = &[
    ("get", "/api/v1/health", "no personal data, no login"),
    (
        "get",
        "/api/v1/matching/suggestions",
        "participant Read / need Read, filtered per result; covered by api_matching",
    ),
    (
        "post",
        "/api/v1/matching/runs",
        "role-decided per participant and need; covered by api_matching (runs: caseworker/admin, others 403)",
    ),
    (
        "post",
        "/api/v1/matching/runs/{id}/confirm",
        "Update on every participant or nothing; covered by api_matching (admin 403, other unit refused)",
    ),
    ("get", "/api/v1/openapi.json", "no personal data, no login"),
    ("post", "/api/v1/competence-search", "pseudonymous search by role; names only under a consent naming the employer (api_competence)"),
    ("get", "/api/v1/participants/{id}/competence", "the participant policy as for the assessment; own/other unit, consent, revoked, expired tested in api_competence"),
    ("put", "/api/v1/participants/{id}/competence", "the participant policy as for the assessment; tested in api_competence"),
    (
        "get",
        "/api/v1/competence-needs",
        "a competence need, no participant: role and employer scope tested in api_needs",
    ),
    (
        "post",
        "/api/v1/competence-needs",
        "a competence need, no participant: role and employer scope tested in api_needs",
    ),
    (
        "get",
        "/api/v1/competence-needs/{id}",
        "a competence need, no participant: role and employer scope tested in api_needs",
    ),
    (
        "patch",
        "/api/v1/competence-needs/{id}",
        "a competence need, no participant: role and employer scope tested in api_needs",
    ),
    (
        "post",
        "/api/v1/competence-needs/{id}/triage",
        "a competence need, no participant: role and employer scope tested in api_needs",
    ),
    (
        "get",
        "/api/v1/employers",
        "the employer register, no participant: role and employer scope tested in api_employers",
    ),
    (
        "post",
        "/api/v1/employers",
        "the employer register, no participant: role and employer scope tested in api_employers",
    ),
    (
        "get",
        "/api/v1/employers/{id}",
        "the employer register, no participant: role and employer scope tested in api_employers",
    ),
    (
        "patch",
        "/api/v1/employers/{id}",
        "the employer register, no participant: role and employer scope tested in api_employers",
    ),
    (
        "get",
        "/api/v1/employers/{id}/contacts",
        "the employer register, no participant: role and employer scope tested in api_employers",
    ),
    (
        "post",
        "/api/v1/employers/{id}/contacts",
        "the employer register, no participant: role and employer scope tested in api_employers",
    ),
    (
        "get",
        "/api/v1/employers/{id}/interactions",
        "the employer register, no participant: role and employer scope tested in api_employers",
    ),
    (
        "post",
        "/api/v1/employers/{id}/interactions",
        "the employer register, no participant: role and employer scope tested in api_employers",
    ),
    (
        "get",
        "/api/v1/employers/{id}/partnerships",
        "the employer register, no participant: role and employer scope tested in api_employers",
    ),
    (
        "post",
        "/api/v1/employers/{id}/partnerships",
        "the employer register, no participant: role and employer scope tested in api_employers",
    ),
    (
        "post",
        "/api/v1/employers/{id}/partnerships/{aid}/outcomes",
        "the employer register, no participant: role and employer scope tested in api_employers",
    ),
    (
        "get",
        "/api/v1/employers/{id}/procurement-contracts",
        "the employer register, no participant: role and employer scope tested in api_employers",
    ),
    (
        "post",
        "/api/v1/employers/{id}/procurement-contracts",
        "the employer register, no participant: role and employer scope tested in api_employers",
    ),
    (
        "put",
        "/api/v1/employers/{id}/procurement-contracts/{cid}/fulfilment",
        "the employer register, no participant: role and employer scope tested in api_employers",
    ),
    (
        "put",
        "/api/v1/employers/{id}/procurement-contracts/{cid}/fulfilment/{month}",
        "the employer register, no participant: role and employer scope tested in api_employers",
    ),
    (
        "get",
        "/api/v1/employers/{id}/workplaces",
        "the employer register, no participant: role and employer scope tested in api_employers",
    ),
    (
        "post",
        "/api/v1/employers/{id}/workplaces",
        "the employer register, no participant: role and employer scope tested in api_employers",
    ),
    (
        "get",
        "/api/v1/taxonomy",
        "open classification data, no login (api_taxonomy)",
    ),
    (
        "get",
        "/api/v1/taxonomy/occupations",
        "open classification data, no login (api_taxonomy)",
    ),
    (
        "get",
        "/api/v1/taxonomy/skills",
        "open classification data, no login (api_taxonomy)",
    ),
    (
        "get",
        "/api/v1/taxonomy/languages",
        "open classification data, no login (api_taxonomy)",
    ),
    (
        "get",
        "/api/v1/taxonomy/classifications/{name}",
        "open classification data, no login (api_taxonomy)",
    ),
    (
        "get",
        "/api/v1/steering-groups/{id}",
        "a group and its members; no participant (api_steering)",
    ),
    (
        "get",
        "/api/v1/steering-groups/{id}/meetings",
        "meetings name no participant (api_steering)",
    ),
    (
        "post",
        "/api/v1/steering-groups/{id}/meetings",
        "meetings name no participant (api_steering)",
    ),
    (
        "get",
        "/api/v1/steering-groups/{id}/decisions",
        "hides participants like the case list (api_steering)",
    ),
    (
        "patch",
        "/api/v1/steering-groups/{id}/decisions/{decision_id}",
        "status of a decision; no participant (api_steering)",
    ),
    // Learning employments (issue 6.5): LearningAction, tested role by role in
    // work_learning_api::access_follows_the_participant_the_host_and_the_school_and_is_audited.
    ("get", "/api/v1/learning-employments", "LearningAction::Read per row (participant Read, own host, school under consent); analyst 403 (work_learning_api access test)"),
    ("post", "/api/v1/learning-employments", "LearningAction::Create: coordinator, caseworker with participant Update; host, partner, analyst 403; other unit 404 (work_learning_api access test)"),
    ("get", "/api/v1/learning-employments/{placement_id}", "LearningAction::Read: host and school minimal fields; other unit, other host, school without consent 404 (work_learning_api access test)"),
    ("put", "/api/v1/learning-employments/{placement_id}/weeks/{week_start}", "LearningAction::Plan: coordinator, caseworker with Update; host and school 403 (work_learning_api access and rules tests)"),
    ("put", "/api/v1/learning-employments/{placement_id}/weeks/{week_start}/done", "LearningAction::RecordDone: host own, school study only under consent, other unit 404 (work_learning_api access test)"),
    ("post", "/api/v1/learning-employments/{placement_id}/completion", "LearningAction::Complete: coordinator, caseworker with Update; host 403 (work_learning_api access and rules tests)"),
    ("post", "/api/v1/learning-employments/{placement_id}/hire-outcome", "LearningAction::RecordHire: coordinator, caseworker with Update; host 403 (work_learning_api access and rules tests)"),
    ("get", "/api/v1/learning-summaries/{intervention_id}", "LearningAction::Summary: counts only, no person; host and partner 403 (work_learning_api access and summary tests)"),
    (
        "get",
        "/api/v1/rental/contracts",
        "rental contracts: coordinator/admin, others 403, non-rental 404; work_rental_api::assignments_check_the_contract_and_the_model",
    ),
    (
        "post",
        "/api/v1/rental/contracts",
        "rental contracts: coordinator only; work_rental_api::assignments_check_the_contract_and_the_model",
    ),
    (
        "get",
        "/api/v1/rental/assignments",
        "rental assignments: coordinator/admin; work_rental_api::assignments_check_the_contract_and_the_model",
    ),
    (
        "post",
        "/api/v1/rental/assignments",
        "rental assignments: coordinator only; work_rental_api::assignments_check_the_contract_and_the_model",
    ),
    (
        "get",
        "/api/v1/rental/timesheets",
        "timesheets: a host sees only its own placements' weeks, minimal fields; work_rental_api::a_host_sees_only_its_own_placed_participants_with_minimal_fields",
    ),
    (
        "post",
        "/api/v1/rental/timesheets",
        "timesheets: the supervisor (coordinator) enters, host 403; work_rental_api::a_host_sees_only_its_own_placed_participants_with_minimal_fields",
    ),
    (
        "get",
        "/api/v1/rental/timesheets/{id}",
        "timesheets: another host's week 404; work_rental_api::a_host_sees_only_its_own_placed_participants_with_minimal_fields",
    ),
    (
        "post",
        "/api/v1/rental/timesheets/{id}/approve",
        "the host only (own placements, others 404, other roles 403); work_rental_api::a_host_sees_only_its_own_placed_participants_with_minimal_fields",
    ),
    (
        "post",
        "/api/v1/rental/timesheets/{id}/reject",
        "the host only, with a reason; work_rental_api::timesheets_outside_the_placement_are_refused_naming_the_day",
    ),
    (
        "get",
        "/api/v1/rental/invoices",
        "rental invoices: coordinator/admin; work_rental_api::an_invoice_with_an_unapproved_week_is_refused_and_its_total_agrees",
    ),
    (
        "post",
        "/api/v1/rental/invoices",
        "rental invoices: coordinator only, host 403; work_rental_api::an_invoice_with_an_unapproved_week_is_refused_and_its_total_agrees",
    ),
    (
        "get",
        "/api/v1/rental/invoices/{id}",
        "rental invoices: coordinator/admin; work_rental_api::an_invoice_with_an_unapproved_week_is_refused_and_its_total_agrees",
    ),
    (
        "post",
        "/api/v1/rental/invoices/{id}/credit",
        "rental invoices: coordinator only, host 403; work_rental_api::a_credit_note_restores_the_balance_once_and_frees_the_weeks",
    ),
    (
        "get",
        "/api/v1/rental/invoices/{id}/invoice.csv",
        "rental invoices: coordinator/admin; work_rental_api::an_invoice_with_an_unapproved_week_is_refused_and_its_total_agrees",
    ),
    (
        "get",
        "/api/v1/rental/invoices/{id}/invoice.xlsx",
        "rental invoices: coordinator/admin; work_rental_api::an_invoice_with_an_unapproved_week_is_refused_and_its_total_agrees",
    ),
    (
        "get",
        "/api/v1/rental/interventions/{id}/ledger",
        "an intervention's costs and subsidies, no participant: coordinator/admin; work_rental_api::the_monthly_economic_result_agrees_with_an_independent_computation",
    ),
    (
        "post",
        "/api/v1/rental/interventions/{id}/ledger",
        "an intervention's costs and subsidies, no participant: coordinator only; work_rental_api::the_monthly_economic_result_agrees_with_an_independent_computation",
    ),
    (
        "get",
        "/api/v1/rental/interventions/{id}/economic-result",
        "aggregates, no participant: coordinator/admin, host 403; work_rental_api::a_host_sees_only_its_own_placed_participants_with_minimal_fields",
    ),
    (
        "get",
        "/api/v1/interventions/{id}/legal-checks",
        "aggregates by buyer, no participant: coordinator/admin, caseworker 403, unknown 404; work_rental_api::the_monthly_economic_result_agrees_with_an_independent_computation, legal_checks_count_the_staffing_models_sales_to_municipal_units",
    ),
    // Interventions (issue 6): no personal data, decided by role.
    ("get", "/api/v1/interventions", "interventions carry no personal data: roles tested in work_interventions_api"),
    ("post", "/api/v1/interventions", "interventions carry no personal data: roles tested in work_interventions_api"),
    ("get", "/api/v1/interventions/{id}", "interventions carry no personal data: roles tested in work_interventions_api"),
    ("patch", "/api/v1/interventions/{id}", "interventions carry no personal data: tested in work_interventions_api"),
    ("post", "/api/v1/interventions/{id}/indicators", "interventions carry no personal data: tested in work_interventions_api"),
    ("post", "/api/v1/interventions/{id}/open", "interventions carry no personal data: roles tested in work_interventions_api"),
    ("post", "/api/v1/interventions/{id}/close", "interventions carry no personal data: tested in work_interventions_api"),
    ("post", "/api/v1/placements/risk", "the displacement dry run names no participant: work_interventions_api (dismissals)"),
    ("get", "/api/v1/employers/{id}/staff-reductions", "the employer register's Read, no participant: work_interventions_api"),
    ("post", "/api/v1/employers/{id}/staff-reductions", "the employer register's Manage, no participant: work_interventions_api (caseworker 403)"),
    ("put", "/api/v1/employers/{id}/workplaces/{workplace_id}/staff-count", "the employer register's Manage, no participant: work_interventions_api (share factor)"),
    // Placements: every role × own host / other host in the placement matrix below.
    ("get", "/api/v1/placements", "placement matrix: placements_by_role_and_host"),
    ("post", "/api/v1/placements", "placement matrix: placements_by_role_and_host"),
    ("get", "/api/v1/placements/{id}", "placement matrix: placements_by_role_and_host"),
    ("patch", "/api/v1/placements/{id}", "placement matrix: placements_by_role_and_host"),
    ("post", "/api/v1/placements/{id}/exit", "placement matrix: placements_by_role_and_host"),
    ("post", "/api/v1/placements/{id}/override", "placement matrix: placements_by_role_and_host"),
    ("get", "/api/v1/placements/{id}/displacement", "placement matrix: placements_by_role_and_host"),
    ("put", "/api/v1/placements/{id}/weeks/{week_start}", "placement matrix: placements_by_role_and_host"),
    (
        "get",
        "/api/v1/staffing/pools",
        "StaffingAction::Read (coordinator, caseworker, admin; analyst and employer 403): work_staffing_api::staffing_access_names_participants_only_to_their_readers_and_audits",
    ),
    (
        "post",
        "/api/v1/staffing/pools",
        "StaffingAction::Manage: work_staffing_api::staffing_access_names_participants_only_to_their_readers_and_audits",
    ),
    (
        "get",
        "/api/v1/staffing/pools/{id}",
        "StaffingAction::Read, unknown pool 404: work_staffing_api::staffing_access_names_participants_only_to_their_readers_and_audits",
    ),
    (
        "get",
        "/api/v1/staffing/pools/{id}/staff",
        "StaffingAction::Read; participants named only under participant Read, else a staff code: work_staffing_api::staffing_access_names_participants_only_to_their_readers_and_audits",
    ),
    (
        "post",
        "/api/v1/staffing/pools/{id}/staff",
        "StaffingAction::Manage; a participant only if the actor may read them (else 422): work_staffing_api::staffing_access_names_participants_only_to_their_readers_and_audits",
    ),
    (
        "get",
        "/api/v1/staffing/pools/{id}/requests",
        "StaffingAction::ReadOrders; a unit's staff see their own unit's only: work_staffing_api::staffing_access_names_participants_only_to_their_readers_and_audits",
    ),
    (
        "post",
        "/api/v1/staffing/pools/{id}/requests",
        "StaffingAction::Order (own unit for a unit's staff, employer 403): work_staffing_api::staffing_access_names_participants_only_to_their_readers_and_audits",
    ),
    (
        "get",
        "/api/v1/staffing/pools/{id}/training",
        "StaffingAction::Read; names as for staff: work_staffing_api::staffing_access_names_participants_only_to_their_readers_and_audits",
    ),
    (
        "get",
        "/api/v1/staffing/requests/{id}",
        "StaffingAction::ReadOrders; another unit's request 404: work_staffing_api::staffing_access_names_participants_only_to_their_readers_and_audits",
    ),
    (
        "post",
        "/api/v1/staffing/requests/{id}/cancel",
        "StaffingAction::Order: work_staffing_api::the_hourly_share_and_fill_rate_agree_with_an_independent_computation",
    ),
    (
        "post",
        "/api/v1/staffing/requests/{id}/assignments",
        "StaffingAction::Manage (partner 403), all or nothing: work_staffing_api::overlapping_assignments_are_refused_naming_the_conflict_and_nothing_partial_is_written",
    ),
    (
        "delete",
        "/api/v1/staffing/assignments/{id}",
        "StaffingAction::Manage (partner 403, gone 404): work_staffing_api::staffing_access_names_participants_only_to_their_readers_and_audits",
    ),
    (
        "put",
        "/api/v1/staffing/assignments/{id}/worked",
        "StaffingAction::Manage: work_staffing_api::the_hourly_share_and_fill_rate_agree_with_an_independent_computation",
    ),
    (
        "get",
        "/api/v1/staffing/unit-hours",
        "StaffingAction::ReadOrders (employer 403): work_staffing_api::staffing_access_names_participants_only_to_their_readers_and_audits",
    ),
    (
        "put",
        "/api/v1/staffing/unit-hours",
        "StaffingAction::Order, a unit's own hours: work_staffing_api::the_hourly_share_and_fill_rate_agree_with_an_independent_computation",
    ),
    (
        "get",
        "/api/v1/staffing/fill-rate",
        "StaffingAction::ReadStatistics, aggregates only (analyst 200, employer 403): work_staffing_api::staffing_access_names_participants_only_to_their_readers_and_audits, work_staffing_api::the_hourly_share_and_fill_rate_agree_with_an_independent_computation",
    ),
    (
        "get",
        "/api/v1/staffing/hourly-share",
        "StaffingAction::ReadStatistics, aggregates only: work_staffing_api::the_hourly_share_and_fill_rate_agree_with_an_independent_computation",
    ),
    (
        "post",
        "/api/v1/staffing/staff/{id}/training",
        "StaffingAction::Manage; participant named in the audit: work_staffing_api::staffing_access_names_participants_only_to_their_readers_and_audits",
    ),
    (
        "patch",
        "/api/v1/staffing/staff/{id}",
        "StaffingAction::Manage (analyst 403), optimistic locking; the end of employment then refuses shifts: work_staffing_api::overlapping_assignments_are_refused_naming_the_conflict_and_nothing_partial_is_written",
    ),
    (
        "patch",
        "/api/v1/staffing/training/{id}",
        "StaffingAction::Manage, optimistic locking: work_staffing_api::staffing_access_names_participants_only_to_their_readers_and_audits",
    ),
];

/// Every operation of the API is in the matrix or named, with its reason,
/// in `OUTSIDE`: a new endpoint cannot be added without deciding which.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_api_operation_is_in_the_matrix_or_named_outside_it() {
    let app = TestApp::spawn(common::Engine::Sqlite)
        .await
        .expect("sqlite app");
    let _dir = app.keep_alive();
    let doc: Value = app
        .http
        .get(app.url("/api/v1/openapi.json"))
        .send()
        .await
        .expect("openapi")
        .json()
        .await
        .expect("openapi json");
    let covered: Vec<(&str, &str)> = ENDPOINTS
        .iter()
        .map(|e| e.route())
        .chain(GLOBALS.iter().map(|g| g.route()))
        .chain(OUTSIDE.iter().map(|(m, p, _)| (*m, *p)))
        .collect();
    let mut missing = Vec::new();
    let mut operations = Vec::new();
    for (path, item) in doc["paths"].as_object().expect("paths") {
        for method in item.as_object().expect("path item").keys() {
            if !["get", "post", "put", "patch", "delete"].contains(&method.as_str()) {
                continue;
            }
            operations.push((method.clone(), path.clone()));
            if !covered.contains(&(method.as_str(), path.as_str())) {
                missing.push(format!("{} {path}", method.to_uppercase()));
            }
        }
    }
    assert!(operations.len() >= 30, "the document lists {operations:?}");
    assert!(
        missing.is_empty(),
        "not in the access matrix (add a row, or name it in OUTSIDE with a reason):\n{}",
        missing.join("\n")
    );
    let stale: Vec<_> = covered
        .iter()
        .filter(|(m, p)| !operations.iter().any(|(om, op)| om == m && op == p))
        .collect();
    assert!(stale.is_empty(), "routes the API does not have: {stale:?}");
}
