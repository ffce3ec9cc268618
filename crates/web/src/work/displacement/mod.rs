//! Staff reductions and staff counts behind the displacement assessment: the JSON API (`api`) and the pages (`ui`).

pub mod api;
pub mod ui;
