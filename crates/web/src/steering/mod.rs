//! Steering groups, their meetings, cases and decisions: the JSON API (`api`) and the pages (`ui`).

pub mod api;
pub(crate) mod ui;
