//! The employer register.

pub mod api;
mod ui;
