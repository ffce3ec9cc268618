//! Vägar's domain: the rules of the labour-market service as pure code.
//!
//! Nothing here does I/O. Storage, web and CLI depend on this crate, never the
//! other way round, so every rule can be tested without a database.

pub mod access;
pub mod assessment;
pub mod between_chairs;
pub mod competence;
pub mod competence_need;
pub mod consent;
pub mod employer;
pub mod imports;
pub mod kernel;
pub mod participant;
pub mod plan;
pub mod scoring;
pub mod steering;
pub mod taxonomy;
pub mod work;

pub use kernel::{geo, identity, org, time, validation};

pub use identity::{IdentityError, IdentityKind, IdentityNumber, OrganisationNumber};
pub use org::{OrgKind, Role};
pub use validation::{FieldError, ValidationErrors};
