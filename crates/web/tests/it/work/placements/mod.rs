//! Placements: the weeks of work and study recorded, and their shares.

mod enrolment;
mod weeks;
