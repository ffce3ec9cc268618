//! The work models (issue 6): interventions and placements, the rental,
//! staffing and employer (learning employment) models, displacement risk and
//! the legal checks. Pure rules, no I/O.

pub mod displacement;
pub mod interventions;
pub mod learning;
pub mod legal;
pub mod rental;
pub mod shares;
pub mod staffing;
