//! The work models (issue 6), one folder each: interventions, placements,
//! the rental, staffing and employer (learning employment) models,
//! displacement risk; and the legal checks of an intervention that sells
//! work, which judge the rental and the staffing models' sales together.
//! Each model's access rules are beside it (`<model>/access.rs`). Pure
//! rules, no I/O.

pub mod displacement;
pub mod interventions;
pub mod learning;
pub mod legal;
pub mod placements;
pub mod rental;
pub mod staffing;
