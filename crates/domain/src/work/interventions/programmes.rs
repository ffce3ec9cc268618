//! The programme types (Swedish labour-market programmes) and the rules
//! each carries: the table a placement's enrolment is checked against
//! (`super::super::placements::check_enrolment`).

use crate::org::code_enum;
use crate::participants::TargetGroup;
use crate::work::placements::EmploymentForm;

code_enum!(
    /// Swedish labour-market programme types with rules of their own.
    ProgrammeType {
        FixedTermJob = "fixed_term_job",
        TraineeJob = "trainee_job",
        EducationContract = "education_contract",
        ExtraJob = "extra_job",
        WorkPractice = "work_practice",
        TryoutStudies = "tryout_studies",
        YouthEmployment = "youth_employment",
    }
);

/// The rules a programme type carries. Sources and assumptions are in
/// docs/work-models/interventions.md; values are the common national rules
/// as Arbetsförmedlingen describes them, simplified to what can be checked
/// from the participant's record and the placement.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub struct ProgrammeRules {
    /// Youngest age at the start date (completed years).
    pub min_age: Option<u32>,
    /// Oldest age at the start date.
    pub max_age: Option<u32>,
    /// Longest placement in months.
    pub max_months: Option<u32>,
    /// Smallest planned study share (percent of the time).
    pub min_study_percent: Option<i64>,
    /// Largest planned study share.
    pub max_study_percent: Option<i64>,
    /// The participant must belong to one of these target groups (empty: any).
    pub target_groups: &'static [TargetGroup],
    /// Employment forms allowed (empty: any).
    pub employment_forms: &'static [EmploymentForm],
}

impl ProgrammeType {
    pub fn rules(self) -> ProgrammeRules {
        use ProgrammeType::*;
        const NONE: ProgrammeRules = ProgrammeRules {
            min_age: None,
            max_age: None,
            max_months: None,
            min_study_percent: None,
            max_study_percent: None,
            target_groups: &[],
            employment_forms: &[],
        };
        match self {
            // A municipal fixed-term job: an adult's ordinary employment for
            // at most a year.
            FixedTermJob => ProgrammeRules {
                min_age: Some(18),
                max_months: Some(12),
                employment_forms: &[EmploymentForm::Municipality, EmploymentForm::Host],
                ..NONE
            },
            // Traineejobb: 20–24 years, at most 12 months, work of at least
            // half time combined with vocational training.
            TraineeJob => ProgrammeRules {
                min_age: Some(20),
                max_age: Some(24),
                max_months: Some(12),
                min_study_percent: Some(15),
                max_study_percent: Some(50),
                employment_forms: &[EmploymentForm::Host, EmploymentForm::Municipality],
                ..NONE
            },
            // Utbildningskontrakt: 20–24 years without upper secondary
            // school; studies are the main part, at most 24 months.
            EducationContract => ProgrammeRules {
                min_age: Some(20),
                max_age: Some(24),
                max_months: Some(24),
                min_study_percent: Some(50),
                ..NONE
            },
            // Extratjänst: long-term unemployed or newly arrived, 12 months
            // that may be extended to 24.
            ExtraJob => ProgrammeRules {
                min_age: Some(18),
                max_months: Some(24),
                target_groups: &[TargetGroup::LongTermUnemployed, TargetGroup::NewlyArrived],
                employment_forms: &[EmploymentForm::Municipality, EmploymentForm::Host],
                ..NONE
            },
            // Arbetspraktik: at most 6 months, no wage from the host.
            WorkPractice => ProgrammeRules {
                min_age: Some(16),
                max_months: Some(6),
                max_study_percent: Some(50),
                employment_forms: &[EmploymentForm::WorkPractice],
                ..NONE
            },
            // Studiemotiverande insats: trying studies, at least half the
            // time, at most 6 months.
            TryoutStudies => ProgrammeRules {
                min_age: Some(16),
                max_months: Some(6),
                min_study_percent: Some(50),
                ..NONE
            },
            // Kommunala ungdomsjobb: 16–24 years, at most 6 months.
            YouthEmployment => ProgrammeRules {
                min_age: Some(16),
                max_age: Some(24),
                max_months: Some(6),
                ..NONE
            },
        }
    }
}
