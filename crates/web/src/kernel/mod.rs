//! What every feature of the web layer shares: the one problem type, the
//! language, the session extractors, reading JSON bodies and query
//! parameters, and the HTML forms' helpers.

pub mod error;
pub(crate) mod forms;
pub mod i18n;
pub mod json;
pub mod params;
pub mod session;
