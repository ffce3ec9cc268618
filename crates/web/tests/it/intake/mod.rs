//! The common entry and handover.

mod api;
