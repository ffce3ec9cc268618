//! The audit trail (read side, admin): the JSON API (`api`) and the pages (`ui`).

pub mod api;
