//! The audit trail.

mod api;
