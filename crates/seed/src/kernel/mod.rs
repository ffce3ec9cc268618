//! What every feature's generator shares: identity numbers from a bijection
//! of the index, the name lists and the city's organisations and logins.

pub mod ident;
pub mod names;
pub mod occupations;
pub mod org;
