//! Every web test in one binary: one link instead of many keeps CI fast and
//! its disk use small. One module per feature (the same names as in the
//! crates' source), each with its `api`, `ui` and `browser` tests as it has
//! them; `common` is the harness and the fixtures every feature shares.

#[macro_use]
mod common;

mod access_matrix;
mod assessments;
mod audit;
mod auth;
mod between_chairs;
mod competence;
mod consent;
mod employers;
mod intake;
mod kernel;
mod matching;
mod needs;
mod participants;
mod plans;
mod steering;
mod taxonomy;
mod work;
