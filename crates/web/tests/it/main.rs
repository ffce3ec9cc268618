//! Every web test in one binary: one link instead of sixteen keeps CI fast and
//! its disk use small. Each module is one area of the public surface.

#[macro_use]
mod common;

mod access_matrix;
mod api_access;
mod api_alerts;
mod api_assessment;
mod api_audit;
mod api_competence;
mod api_consent;
mod api_employers;
mod api_intake;
mod api_matching;
mod api_needs;
mod api_participants;
mod api_plans;
mod api_steering;
mod api_taxonomy;
mod browser;
mod smoke;
mod ui_employers;
mod ui_matching;
mod ui_needs;
mod ui_plans;
mod ui_session;
mod ui_steering;
mod ui_titles;
mod work_interventions_api;
mod work_interventions_pages;
mod work_interventions_shares;
mod work_learning_api;
mod work_learning_ui;
mod work_rental_api;
mod work_rental_ui;
mod work_staffing_api;
mod work_staffing_browser;
mod work_staffing_ui;
