//! Learning employments (the employer model).

pub mod api;
mod refusals;
mod ui;
