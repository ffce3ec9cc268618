//! Competence profiles and the competence search.

mod api;
