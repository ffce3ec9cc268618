//! Shared action plans, steps and contacts.

mod api;
mod ui;
