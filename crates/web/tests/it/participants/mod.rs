//! The participant register.

mod api;
mod browser;
