//! What every feature shares: the server answers, and every page has a
//! short plain title.

mod smoke;
mod titles;
