//! The interventions model: the JSON API (`api`) and the pages (`ui`).

pub mod api;
pub(crate) mod ui;
