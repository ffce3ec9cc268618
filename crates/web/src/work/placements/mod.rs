//! Placements (deltagande): the JSON API (`api`).

pub mod api;
