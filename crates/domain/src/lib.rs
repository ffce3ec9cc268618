//! Vägar's domain: the rules of the labour-market service as pure code.
//!
//! Nothing here does I/O. Storage, web and CLI depend on this crate, never the
//! other way round, so every rule can be tested without a database.
//!
//! One folder per feature (`participants`, `consent`, `assessments`, `plans`,
//! `steering`, `between_chairs`, `employers`, `needs`, `competence`,
//! `taxonomy`, `matching`, `imports`, and under `work/` the work models),
//! each with its access rules beside it (`<feature>/access.rs`); `kernel`
//! holds what every feature shares; `access` holds the parts of the one
//! policy that every feature shares.

pub mod access;
pub mod assessments;
pub mod between_chairs;
pub mod competence;
pub mod consent;
pub mod employers;
pub mod imports;
pub mod kernel;
pub mod matching;
pub mod needs;
pub mod participants;
pub mod plans;
pub mod steering;
pub mod taxonomy;
pub mod work;

pub use kernel::{geo, identity, input, org, time, validation};

pub use identity::{IdentityError, IdentityKind, IdentityNumber, OrganisationNumber};
pub use org::{OrgKind, Role};
pub use validation::{FieldError, ValidationErrors};
