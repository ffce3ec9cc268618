//! The common entry (gemensam ingång) and handover: the JSON API (`api`) and the pages (`ui`).

pub mod api;
pub(crate) mod ui;
