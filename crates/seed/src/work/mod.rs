//! A year of plausible history for the work models.

pub mod interventions;
pub mod learning;
pub mod rental;
pub mod staffing;
