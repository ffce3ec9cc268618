//! Steering groups: meetings, cases and decisions.

mod api;
mod ui;
