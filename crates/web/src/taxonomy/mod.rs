//! Classification data (open, no login): the JSON API (`api`) and the pages (`ui`).

pub mod api;
