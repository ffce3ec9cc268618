//! What every feature shares: identity and organisation numbers, field
//! validation errors, Swedish local time, municipalities and counties, and
//! roles and organisation kinds. Re-exported at the crate root
//! (`vagar_domain::identity`, `vagar_domain::validation`, …).

pub mod geo;
pub mod identity;
pub mod input;
pub mod org;
pub mod time;
pub mod validation;
