//! Staff reductions and staff counts behind the displacement assessment: the JSON API (`api`).

pub mod api;
