//! The work models' part of the one access policy: who may do what with
//! interventions, placements, timesheets, staffing and learning employments.

pub mod interventions;
pub mod learning;
pub mod rental;
pub mod staffing;
