//! The staffing model: pools, staff, requests and assignments.

mod api;
mod browser;
mod ui;
