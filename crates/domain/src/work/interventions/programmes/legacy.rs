//! The undated, simplified rules of the seven programme types Vägar had
//! before the dated rule table ([`super::table`]), frozen as they were.
//!
//! `ProgrammeType::rules()` still answers these for the seven old codes so
//! that `check_enrolment` and the intervention form behave exactly as
//! before until the wiring step moves them to
//! [`super::check_programme`] (which judges by the dated version in force on
//! the start date). Remove this file then. The assumptions behind these
//! values are in docs/work-models/interventions.md ("Programme rules").

use super::{ProgrammeRules, ProgrammeType};
use crate::participants::TargetGroup;
use crate::work::placements::EmploymentForm;

const NONE: ProgrammeRules = ProgrammeRules {
    min_age: None,
    max_age: None,
    max_months: None,
    min_study_percent: None,
    max_study_percent: None,
    target_groups: &[],
    employment_forms: &[],
};

/// The frozen rules of an old programme type; `None` for the types added
/// with the dated table (their `rules()` is the latest version's summary).
pub(super) fn rules(p: ProgrammeType) -> Option<ProgrammeRules> {
    use ProgrammeType::*;
    Some(match p {
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
        IntroductionJob
        | NewStartJob
        | WageSubsidy
        | ShelteredPublicEmployment
        | VocationalIntroduction
        | SummerJob => return None,
    })
}
