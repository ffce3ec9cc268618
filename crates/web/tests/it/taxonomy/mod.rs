//! The classification data (occupations, skills, languages, code lists).

mod api;
