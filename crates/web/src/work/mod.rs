//! The work models: interventions and placements, and the rental, staffing
//! and employer (learning employment) models — each a folder with its JSON
//! API (`api`) and pages (`ui`); `routes` merges them for the two routers.

pub mod displacement;
pub mod interventions;
pub mod learning;
pub mod placements;
pub mod rental;
pub mod routes;
pub mod staffing;
