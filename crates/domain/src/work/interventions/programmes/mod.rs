//! The programme types (Swedish labour-market programmes) and their rules,
//! version by version with the dates each was in force and its source.
//!
//! Every programme type has one or more [`RuleVersion`]s in [`table`]:
//! valid from, valid to (`None`: still in force), for a programme closed to
//! new decisions the last start date it took, the sources (law, ordinance,
//! Arbetsförmedlingen's rules or the municipality's own decision) and the
//! rules Vägar can check from the participant's record, the placement and
//! the host. A placement is judged by the version in force on its **start
//! date** ([`ProgrammeType::rules_on`], [`check_programme`]): a closed
//! programme refuses new starts naming the day it closed, while placements
//! that started before keep their own version. What the record cannot show
//! (months of unemployment, a disability, a residence permit's date) is in
//! each eligibility path's `condition` text and is Arbetsförmedlingen's to
//! judge; where a rule is not confirmed it says so in `uncertain`.
//!
//! | programme | versions (start dates) | age at start | longest | target groups (any path) | employer | source |
//! |---|---|---|---|---|---|---|
//! | `introduction_job` introduktionsjobb | 2018-05-01, 2020-05-01, 2022-01-01– | JoU: any; UGA: 20–24; newly arrived: 20– | 12 + 12 (36 in 2020-05-01–2021-12-31) | long_term_unemployed, youth, newly_arrived | any | SFS 2018:42 |
//! | `new_start_job` nystartsjobb | 2018-05-01, 2025-01-01, 2025-02-01– | 20–24 (12 months), 25– (24 months); 25–66 from 2025 | 12 / 24 | anyone 20–24; long_term_unemployed, newly_arrived | any | SFS 2018:43 |
//! | `wage_subsidy` lönebidrag för anställning | 2000-07-01, 2017-07-01– | – | 12 at a time, 48 in all (uncertain) | (disability: not in the record) | any | SFS 2017:462 |
//! | `sheltered_public_employment` OSA | 2000-07-01, 2017-07-01– | – | 12 at a time | (disability: not in the record) | public only | SFS 2017:462 |
//! | `work_practice` arbetspraktik | 2000-07-01– | 16– | 6 | – | any | SFS 2000:634 7 § |
//! | `vocational_introduction` yrkesintroduktionsanställning | 2014-01-15–2023-12-31, **closed** | 15–24; 25– long-term unemployed; newly arrived | 6–12, ≥ 75 % of full time | anyone 15–24; long_term_unemployed, newly_arrived | any (central collective agreement) | SFS 2013:1157 |
//! | `summer_job` feriejobb (municipal) | 2000-01-01– | 15–19 | 1 | – | any | the municipality |
//! | `trainee_job` traineejobb | 2015-08-01–2017-12-31, **closed** → introduction_job | 20–24; 25– LTU; NA 20– | 12 + 12 | anyone 20–24; long_term_unemployed, newly_arrived | any | SFS 2015:503 |
//! | `education_contract` utbildningskontrakt | 2015-08-01–2019-12-31, **closed** | 20–24 | 24 | – | any | SFS 2015:502 |
//! | `extra_job` extratjänst | 2015-11-01, 2016-12-01, 2017-07-01, 2018-05-01, 2020-05-01–2021-12-31, **closed** | 18– | 12 + 12 (36 in 2020–2021) | long_term_unemployed (+ newly_arrived from 2016-12-01) | welfare, public authority (+ non-profit from 2017-07-01) | SFS 2015:503, 2018:42 |
//! | `fixed_term_job`, `youth_employment`, `tryout_studies` (municipal) | 2000-01-01– | 18– / 16–24 / 16– | 12 / 6 / 6 | – | any | the municipality |
//!
//! Named limits are constants in [`table`] (`FULL_TIME_WEEK_MINUTES`,
//! the closing dates `EXTRA_JOB_LAST_START`, `TRAINEE_JOB_LAST_START`, …).
//! The sector rules ([`SectorRule`]) are judged from the host's SNI code and
//! legal form by [`check_sector`]. The full table with every source and
//! uncertainty is docs/work-models/programmes.md.
//!
//! `ProgrammeType::rules()` is the older undated summary, kept so that
//! `check_enrolment` and the intervention form behave as before (see
//! [`legacy`]); new code uses [`ProgrammeType::rules_on`] and
//! [`check_programme`].

mod check;
mod legacy;
pub mod table;
#[cfg(test)]
mod tests;

pub use check::{check_programme, check_sector, HostFacts, LegalForm, ProgrammeFacts};

use crate::org::code_enum;
use crate::participants::TargetGroup;
use crate::work::placements::EmploymentForm;
use chrono::NaiveDate;

code_enum!(
    /// Swedish labour-market programme types with rules of their own. The
    /// seven old codes stay (their placements stay valid) even where the
    /// programme is closed to new decisions.
    ProgrammeType {
        FixedTermJob = "fixed_term_job",
        TraineeJob = "trainee_job",
        EducationContract = "education_contract",
        ExtraJob = "extra_job",
        WorkPractice = "work_practice",
        TryoutStudies = "tryout_studies",
        YouthEmployment = "youth_employment",
        IntroductionJob = "introduction_job",
        NewStartJob = "new_start_job",
        WageSubsidy = "wage_subsidy",
        ShelteredPublicEmployment = "sheltered_public_employment",
        VocationalIntroduction = "vocational_introduction",
        SummerJob = "summer_job",
    }
);

/// The rules a programme type carries, undated and simplified: what
/// `check_enrolment` and the intervention form use today (see
/// `ProgrammeType::rules`).
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

/// What kind of rule a source is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum SourceKind {
    /// A law passed by the Riksdag (lag, SFS number).
    Law,
    /// A government ordinance (förordning, SFS number).
    Ordinance,
    /// A regulation of an agency (föreskrift, e.g. AFS).
    Regulation,
    /// Arbetsförmedlingen's published rules and decisions.
    Arbetsformedlingen,
    /// The municipality's own decision: no national rule.
    Municipal,
    /// Someone else's summary of a rule (an employers' or municipalities'
    /// organisation): used where the primary text was not at hand.
    Secondary,
}

/// Where a rule version comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub struct Source {
    pub kind: SourceKind,
    /// The citation: the act with its SFS number and sections, or the
    /// page's title.
    pub citation: &'static str,
    /// The address as text, where known ("" otherwise).
    pub url: &'static str,
}

/// Which employers (hosts) a programme allows, judged from the host's SNI
/// code and legal form by [`check_sector`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum SectorRule {
    /// Any employer, private, public or non-profit.
    AnyEmployer,
    /// Public employers only: the state, a region, a municipality or a
    /// municipal federation (OSA). Whether the work is in an activity open
    /// to competition, which is not allowed either, is not judged.
    PublicOnly,
    /// Extratjänst until 2017-06-30: publicly financed welfare (SNI 85–88:
    /// school, health care, care of children, the elderly and the
    /// disabled) in public or private hands, or a public authority (by
    /// legal form) outside market activity.
    WelfareOrPublicAuthority,
    /// Extratjänst from 2017-07-01: as [`SectorRule::WelfareOrPublicAuthority`],
    /// and non-profit employers (ideell förening, stiftelse, registrerat
    /// trossamfund) in culture (SNI 90–91), sport (93), membership and
    /// religious organisations (94) or social work (87–88).
    WelfarePublicOrNonProfit,
}

impl SectorRule {
    pub fn as_str(self) -> &'static str {
        match self {
            SectorRule::AnyEmployer => "any_employer",
            SectorRule::PublicOnly => "public_only",
            SectorRule::WelfareOrPublicAuthority => "welfare_or_public_authority",
            SectorRule::WelfarePublicOrNonProfit => "welfare_public_or_non_profit",
        }
    }
}

/// One way into a programme: who qualifies. A participant must fit at
/// least one of a version's paths (none: anyone).
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub struct Eligibility {
    /// Youngest age at the start date (completed years).
    pub min_age: Option<u32>,
    /// Oldest age at the start date.
    pub max_age: Option<u32>,
    /// The record's target groups that stand for this path; one is needed
    /// (empty: the record cannot tell, anyone of the age passes).
    pub target_groups: &'static [TargetGroup],
    /// The legal condition in words, including what the record cannot show
    /// (Arbetsförmedlingen judges that).
    pub condition: &'static str,
    /// Longest placement in months on this path, when it differs from the
    /// version's `max_months`.
    pub max_months: Option<u32>,
    /// Most working time a week in minutes on this path, when it differs
    /// from the version's `max_week_minutes`.
    pub max_week_minutes: Option<i64>,
}

/// The rules of a programme type in force for placements starting from
/// `valid_from` to `valid_to`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub struct RuleVersion {
    pub programme: ProgrammeType,
    /// First start date this version governs.
    pub valid_from: NaiveDate,
    /// Last start date this version governs; `None`: still in force.
    pub valid_to: Option<NaiveDate>,
    /// For a programme closed to new decisions: the last start date it
    /// took (only on its last version, equal to `valid_to`).
    pub last_start: Option<NaiveDate>,
    /// The programme that took over, where one did.
    pub replaced_by: Option<ProgrammeType>,
    /// What changed with this version, in a line.
    pub summary: &'static str,
    /// At least one.
    pub sources: &'static [Source],
    /// Who qualifies (empty: anyone).
    pub eligibility: &'static [Eligibility],
    /// The target groups an intervention of the programme must aim at:
    /// the union of the paths' groups, empty when a path has none.
    pub target_groups: &'static [TargetGroup],
    /// Months a decision covers at a time (extensions may follow).
    pub decision_months: Option<u32>,
    /// Shortest placement in months.
    pub min_months: Option<u32>,
    /// Longest placement in months, extensions included.
    pub max_months: Option<u32>,
    /// Smallest planned study share (percent of the time).
    pub min_study_percent: Option<i64>,
    /// Largest planned study share.
    pub max_study_percent: Option<i64>,
    /// Employment forms allowed (empty: any).
    pub employment_forms: &'static [EmploymentForm],
    /// Least working time a week in minutes.
    pub min_week_minutes: Option<i64>,
    /// Most working time a week in minutes.
    pub max_week_minutes: Option<i64>,
    /// Which hosts may employ.
    pub sector: SectorRule,
    /// Conditions on the employer Vägar does not check (collective
    /// agreement, no recent redundancies, …); "" when none.
    pub employer_conditions: &'static str,
    /// What is not confirmed about this version; "" when nothing.
    pub uncertain: &'static str,
}

impl RuleVersion {
    /// Whether the version governs a placement starting on `date`.
    pub fn governs(&self, date: NaiveDate) -> bool {
        self.valid_from <= date && self.valid_to.is_none_or(|to| date <= to)
    }

    /// The undated summary of this version: the widest age span and the
    /// version's limits.
    pub fn summary_rules(&self) -> ProgrammeRules {
        let paths = self.eligibility;
        let min_age = if paths.is_empty() {
            None
        } else {
            paths
                .iter()
                .map(|p| p.min_age)
                .try_fold(u32::MAX, |m, a| a.map(|a| m.min(a)))
        };
        let max_age = if paths.is_empty() {
            None
        } else {
            paths
                .iter()
                .map(|p| p.max_age)
                .try_fold(0, |m, a| a.map(|a| m.max(a)))
        };
        ProgrammeRules {
            min_age,
            max_age,
            max_months: self.max_months,
            min_study_percent: self.min_study_percent,
            max_study_percent: self.max_study_percent,
            target_groups: self.target_groups,
            employment_forms: self.employment_forms,
        }
    }
}

/// Why a programme takes no placement starting on a date.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ProgrammeClosed {
    /// The date is before the programme's first day.
    NotStarted {
        programme: ProgrammeType,
        first_day: NaiveDate,
    },
    /// The programme is closed to new decisions: `last_start` was the last
    /// start date it took; it closed the day after.
    Closed {
        programme: ProgrammeType,
        last_start: NaiveDate,
        replaced_by: Option<ProgrammeType>,
    },
}

impl ProgrammeClosed {
    /// `programme_not_started` or `programme_closed`.
    pub fn code(&self) -> &'static str {
        match self {
            ProgrammeClosed::NotStarted { .. } => "programme_not_started",
            ProgrammeClosed::Closed { .. } => "programme_closed",
        }
    }

    /// The first day without new starts, for a closed programme.
    pub fn closed_on(&self) -> Option<NaiveDate> {
        match self {
            ProgrammeClosed::Closed { last_start, .. } => last_start.succ_opt(),
            ProgrammeClosed::NotStarted { .. } => None,
        }
    }
}

impl std::fmt::Display for ProgrammeClosed {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match *self {
            ProgrammeClosed::NotStarted {
                programme,
                first_day,
            } => write!(
                f,
                "{} ({}) takes placements starting from {first_day}",
                programme.as_str(),
                programme.swedish_name()
            ),
            ProgrammeClosed::Closed {
                programme,
                last_start,
                replaced_by,
            } => {
                let closed = last_start.succ_opt().unwrap_or(last_start);
                write!(
                    f,
                    "{} ({}) closed to new decisions on {closed}: the last start date was {last_start}",
                    programme.as_str(),
                    programme.swedish_name()
                )?;
                if let Some(r) = replaced_by {
                    write!(f, "; use {} ({}) instead", r.as_str(), r.swedish_name())?;
                }
                Ok(())
            }
        }
    }
}

impl std::error::Error for ProgrammeClosed {}

impl ProgrammeType {
    /// The Swedish name, for messages and the docs (pages translate the code).
    pub fn swedish_name(self) -> &'static str {
        use ProgrammeType::*;
        match self {
            FixedTermJob => "kommunal visstidsanställning",
            TraineeJob => "traineejobb",
            EducationContract => "utbildningskontrakt",
            ExtraJob => "extratjänst",
            WorkPractice => "arbetspraktik",
            TryoutStudies => "prova-på-studier",
            YouthEmployment => "kommunala ungdomsjobb",
            IntroductionJob => "introduktionsjobb",
            NewStartJob => "nystartsjobb",
            WageSubsidy => "lönebidrag för anställning",
            ShelteredPublicEmployment => "skyddat arbete hos offentlig arbetsgivare (OSA)",
            VocationalIntroduction => "yrkesintroduktionsanställning",
            SummerJob => "feriejobb",
        }
    }

    /// Every rule version of the programme, oldest first; they do not
    /// overlap and follow each other without gaps.
    pub fn versions(self) -> &'static [RuleVersion] {
        table::versions(self)
    }

    /// The newest version (the one in force today, or the last one of a
    /// closed programme).
    pub fn latest(self) -> &'static RuleVersion {
        self.versions()
            .last()
            .expect("every programme has a rule version")
    }

    /// The version in force for a placement starting on `start`: refused
    /// before the programme's first day and after its last start date.
    pub fn rules_on(self, start: NaiveDate) -> Result<&'static RuleVersion, ProgrammeClosed> {
        let versions = self.versions();
        if let Some(v) = versions.iter().find(|v| v.governs(start)) {
            return Ok(v);
        }
        let first = versions
            .first()
            .expect("every programme has a rule version");
        if start < first.valid_from {
            return Err(ProgrammeClosed::NotStarted {
                programme: self,
                first_day: first.valid_from,
            });
        }
        let last = self.latest();
        Err(ProgrammeClosed::Closed {
            programme: self,
            last_start: last.last_start.or(last.valid_to).unwrap_or(start),
            replaced_by: last.replaced_by,
        })
    }

    /// Whether the programme is closed to new decisions (for good).
    pub fn is_closed(self) -> bool {
        self.latest().last_start.is_some()
    }

    /// The undated rules: for the seven old codes the frozen values
    /// `check_enrolment` has always used (see the `legacy` module), for the
    /// others the summary of the latest version. Use [`Self::rules_on`] and
    /// [`check_programme`] to judge a placement.
    pub fn rules(self) -> ProgrammeRules {
        legacy::rules(self).unwrap_or_else(|| self.latest().summary_rules())
    }
}
