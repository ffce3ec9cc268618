//! Storage of the work models (issue 6), one folder per model; every read
//! and write decided and audited through the access policy.

pub mod displacement;
pub mod interventions;
pub mod learning;
pub mod placements;
pub mod rental;
pub mod staffing;
