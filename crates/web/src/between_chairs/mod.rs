//! Nobody between chairs: participants no organisation is carrying: the JSON API (`api`) and the pages (`ui`).

pub mod api;
pub(crate) mod ui;
