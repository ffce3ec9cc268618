//! ALIAS(issue10): the old paths of the work models' rules.

pub mod interventions {
    // ALIAS(issue10)
    pub use crate::work::interventions::access::*; // ALIAS(issue10)
    pub use crate::work::placements::access::*; // ALIAS(issue10)
} // ALIAS(issue10)
pub use crate::work::learning::access as learning; // ALIAS(issue10)
pub use crate::work::rental::access as rental; // ALIAS(issue10)
pub use crate::work::staffing::access as staffing; // ALIAS(issue10)
