//! Matching participants and competence needs.

mod api;
mod ui;
