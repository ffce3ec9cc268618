//! The work models: interventions, placements, rental, staffing and
//! learning employments.

pub mod interventions;
pub mod learning;
mod placements;
pub mod rental;
mod staffing;
