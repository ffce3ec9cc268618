//! Competence needs: the public form, the queue and the API.

pub mod api;
mod browser;
mod ui;
