//! Nobody between chairs: who is flagged, for which reasons, and who sees it.

mod api;
