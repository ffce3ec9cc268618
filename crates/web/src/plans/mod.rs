//! Shared action plans and contacts: the JSON API (`api`) and the pages (`ui`).

pub mod api;
pub(crate) mod ui;
