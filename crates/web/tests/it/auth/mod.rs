//! Login, sessions and the basic access rules: who may do what with a
//! participant through the API, and the session as a browser sees it.

mod access;
mod ui;
