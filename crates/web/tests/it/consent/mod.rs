//! Consent: who sees a participant under which consent.

mod api;
