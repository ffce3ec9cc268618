//! What every feature shares: the server answers, and every page has a
//! short plain title.

mod csp;
mod errors;
mod smoke;
mod titles;
