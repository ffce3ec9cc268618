//! Shared action plans, steps and contacts.

mod api;
mod browser;
mod ui;
