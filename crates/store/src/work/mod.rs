//! Storage of the work models (issue 6), one module per model; every read
//! and write decided and audited through the access policy.

pub mod interventions;
pub mod learning;
pub mod rental;
pub mod staffing;
