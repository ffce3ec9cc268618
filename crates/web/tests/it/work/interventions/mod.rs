//! Interventions and enrolment.

pub mod api;
mod ui;
