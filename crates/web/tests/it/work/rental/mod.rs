//! The rental model: contracts, assignments, timesheets and invoices.

pub mod api;
mod browser;
mod ui;
