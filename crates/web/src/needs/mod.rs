//! Employers' competence needs (kompetensbehov), the public form included: the JSON API (`api`) and the pages (`ui`).

pub mod api;
pub(crate) mod public;
pub(crate) mod ui;
