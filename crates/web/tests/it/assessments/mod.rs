//! The joint assessment (kartläggning).

mod api;
