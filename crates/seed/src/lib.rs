//! `vagar-seed`: a synthetic Stockholm for demos and benchmarks.
//!
//! Pure and deterministic: no I/O, no clock, no global state. A participant
//! is a function of `(seed, index, today)`, so `vagar seed --size N --seed S`
//! can generate chunks independently (and in parallel) and still produce the
//! same city every time. Identity numbers are valid (Luhn, real dates) and
//! unique across all indices below [`INDEX_SPACE`] for a seed, because they
//! come from a bijection of the index, not from a random draw.
//!
//! * [`participant`] — one synthetic participant.
//! * [`organisations`] — the city's units, agencies, employers and schools.
//! * [`demo_users`] — one login per role, plus extra caseworkers.
//! * [`collaboration`] — consents, an action plan with steps, and contacts.
//! * [`employer`] — one employer of the register, with workplaces, contacts,
//!   interactions and agreements.

mod competence;
mod employers;
mod kernel;
pub mod needs;
mod participants;
mod plans;
pub mod shortage;
mod steering;
pub mod work;

pub use competence::competence_profile;
pub use employers::{employer, employer_count, employer_org_number};
pub use kernel::ident::INDEX_SPACE;
pub use kernel::occupations;
pub use kernel::org::{demo_users, organisations, DemoUser, HOME_UNIT};
pub use participants::participant;
pub use plans::{
    collaboration, Collaboration, Party, SeedConsent, SeedContact, SeedPlan, SeedStep,
};
pub use steering::{steering_cases, steering_groups, SeedCase, SeedDecision, SeedGroup};

#[cfg(test)]
mod codes_tests;
