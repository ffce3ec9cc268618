//! What every feature shares: the server answers, and every page has a
//! short plain title.

mod csp;
mod smoke;
mod titles;
