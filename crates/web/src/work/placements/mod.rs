//! Placements (deltagande): the JSON API (`api`) and the pages (`ui`).

pub mod api;
pub mod ui;
