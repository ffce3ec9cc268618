//! The joint assessment (kartläggning): the JSON API (`api`) and the pages (`ui`).

pub mod api;
pub(crate) mod ui;
