//! The shapes `vagar seed` exchanges between its pure generator and the
//! store: plain data, no rules of their own.

use super::ProgrammeType;
use crate::participants::TargetGroup;
use crate::work::placements::{EmploymentForm, ExitOutcome, PlacementTerms};
use chrono::NaiveDate;

/// A participant the store offers: (id, birth date, target groups).
pub type Candidate = (i64, NaiveDate, Vec<TargetGroup>);

#[derive(Debug, Clone, PartialEq)]
pub struct SeedIntervention {
    pub name: &'static str,
    pub programme_type: ProgrammeType,
    pub target_groups: &'static [TargetGroup],
    pub capacity: i64,
    pub period_from: NaiveDate,
    pub funding: &'static str,
    pub description: &'static str,
    pub follow_up_plan: &'static str,
    /// (outcome, measured after days, target percent)
    pub indicators: Vec<(&'static str, i64, i64)>,
    /// The occupations its placements are in (SSYK 4, role).
    pub occupations: &'static [(&'static str, &'static str)],
    pub employment_form: EmploymentForm,
    pub study_percent: i64,
    pub months: u32,
    pub hours_minutes: i64,
    pub monthly_wage_ore: Option<i64>,
    pub monthly_subsidy_ore: Option<i64>,
    pub subsidy_kind: Option<&'static str>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct SeedPlacement {
    pub intervention: usize,
    pub participant_id: i64,
    /// Index into the hosts the store offers.
    pub host: usize,
    pub terms: PlacementTerms,
    pub exit: Option<(NaiveDate, ExitOutcome)>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct SeedReduction {
    pub host: usize,
    pub occupation_ssyk: &'static str,
    pub dismissal: bool,
    pub occurred_on: NaiveDate,
    pub persons: i64,
    pub note: &'static str,
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct WorkSeed {
    pub interventions: Vec<SeedIntervention>,
    pub placements: Vec<SeedPlacement>,
    pub reductions: Vec<SeedReduction>,
}
