//! Interventions (insatser) and placements (deltagande): validation, the
//! status rules, the programme types' rules and the enrolment check. Pure
//! code; the store loads the facts and calls these functions, so every rule
//! can be tested without a database. Displacement risk is in
//! [`super::displacement`].
//!
//! An intervention is `draft` → `open` → `closed`. It opens only when at
//! least one planned indicator and the follow-up plan are set (results are
//! planned before the start). A placement is refused unless the
//! intervention is open, its dates are inside the intervention's period,
//! there is a free place, and the programme type's rules hold (age at the
//! start date, longest duration, study share, target group).

use crate::org::code_enum;
use crate::participants::TargetGroup;
use crate::validation::{optional_text, required_text, ValidationErrors};
use chrono::{Datelike, Months, NaiveDate};

code_enum!(
    /// The four work models of the report (SPEC.md, "The four work models").
    InterventionModel {
        Rental = "rental",
        Collaboration = "collaboration",
        Staffing = "staffing",
        Employer = "employer",
    }
);

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

code_enum!(
    /// Who employs and sells: the municipality itself or its company.
    OperatorKind {
        Municipality = "municipality",
        MunicipalCompany = "municipal_company",
    }
);

code_enum!(InterventionStatus {
    Draft = "draft",
    Open = "open",
    Closed = "closed",
});

impl InterventionStatus {
    /// draft → open → closed; closed is final (a new intervention is made).
    pub fn may_become(self, to: InterventionStatus) -> bool {
        use InterventionStatus::*;
        self == to || matches!((self, to), (Draft, Open) | (Open, Closed) | (Draft, Closed))
    }
}

code_enum!(
    /// Who employs the participant during the placement.
    EmploymentForm {
        Municipality = "municipality",
        Host = "host",
        WorkPractice = "work_practice",
    }
);

code_enum!(
    /// How a placement ended (SPEC.md, "Outcomes").
    ExitOutcome {
        WorkUnsubsidised = "work_unsubsidised",
        WorkSubsidised = "work_subsidised",
        Studies = "studies",
        OtherProgramme = "other_programme",
        Unemployed = "unemployed",
        SickOrParentalLeave = "sick_or_parental_leave",
        Moved = "moved",
        Unknown = "unknown",
    }
);

code_enum!(
    /// The outcome a planned indicator counts: an exit outcome or the
    /// combined `work_or_studies` (unsubsidised or subsidised work, studies).
    IndicatorOutcome {
        WorkUnsubsidised = "work_unsubsidised",
        WorkSubsidised = "work_subsidised",
        Studies = "studies",
        OtherProgramme = "other_programme",
        WorkOrStudies = "work_or_studies",
        AnyWork = "any_work",
    }
);

code_enum!(PlacementStatus {
    Planned = "planned",
    Active = "active",
    Ended = "ended",
    Cancelled = "cancelled",
});

impl PlacementStatus {
    /// Planned and active placements take a place and a slot of the need.
    pub fn is_open(self) -> bool {
        matches!(self, PlacementStatus::Planned | PlacementStatus::Active)
    }
    /// The status a new placement gets: active once it has started.
    pub fn for_start(start: NaiveDate, today: NaiveDate) -> PlacementStatus {
        if start <= today {
            PlacementStatus::Active
        } else {
            PlacementStatus::Planned
        }
    }
}

code_enum!(
    /// A staff reduction at a host: notice (varsel) or dismissal (uppsägning).
    ReductionKind {
        Notice = "notice",
        Dismissal = "dismissal",
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

pub const NAME_MAX: usize = 200;
pub const TEXT_MAX: usize = 4000;
pub const MAX_CAPACITY: i64 = 10_000;
/// An indicator is measured at most three years after exit.
pub const MAX_MEASURED_AFTER_DAYS: i64 = 1095;

fn parse_date(
    e: &mut ValidationErrors,
    field: &str,
    v: Option<&str>,
    required: bool,
) -> Option<NaiveDate> {
    let Some(v) = v.map(str::trim).filter(|v| !v.is_empty()) else {
        if required {
            e.add(field, "required", format!("{field} is required"));
        }
        return None;
    };
    match NaiveDate::parse_from_str(v, "%Y-%m-%d") {
        Ok(d) if (2000..=2100).contains(&d.year()) => Some(d),
        _ => {
            e.add(
                field,
                "invalid_date",
                format!("{field} must be a date as YYYY-MM-DD"),
            );
            None
        }
    }
}

fn choice<T: Copy>(
    e: &mut ValidationErrors,
    field: &str,
    v: Option<&str>,
    parse: fn(&str) -> Option<T>,
    all: &[&str],
    required: bool,
) -> Option<T> {
    match v.map(str::trim).filter(|s| !s.is_empty()) {
        None => {
            if required {
                e.add(
                    field,
                    "required",
                    format!("{field} is required: {}", all.join(", ")),
                );
            }
            None
        }
        Some(s) => {
            let r = parse(s);
            if r.is_none() {
                e.add(
                    field,
                    "invalid_choice",
                    format!("{field} must be one of: {}", all.join(", ")),
                );
            }
            r
        }
    }
}

fn codes<T: Copy>(all: &[T], f: fn(T) -> &'static str) -> Vec<&'static str> {
    all.iter().map(|v| f(*v)).collect()
}

/// Raw input for an intervention (the API's JSON or the form).
#[derive(Debug, Clone, Default)]
pub struct InterventionInput {
    pub name: Option<String>,
    pub model: Option<String>,
    pub programme_type: Option<String>,
    pub description: Option<String>,
    pub target_groups: Vec<String>,
    pub capacity: Option<i64>,
    pub period_from: Option<String>,
    pub period_to: Option<String>,
    pub funding: Option<String>,
    pub operator_kind: Option<String>,
    pub follow_up_plan: Option<String>,
    pub organisation_ids: Vec<i64>,
}

/// A validated intervention.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InterventionData {
    pub name: String,
    pub model: Option<InterventionModel>,
    pub programme_type: Option<ProgrammeType>,
    pub description: Option<String>,
    pub target_groups: Vec<TargetGroup>,
    pub capacity: i64,
    pub period_from: NaiveDate,
    pub period_to: Option<NaiveDate>,
    pub funding: Option<String>,
    pub operator_kind: OperatorKind,
    pub follow_up_plan: Option<String>,
    pub organisation_ids: Vec<i64>,
}

impl InterventionData {
    pub fn from_input(i: &InterventionInput) -> Result<InterventionData, ValidationErrors> {
        let mut e = ValidationErrors::new();
        let name = required_text(&mut e, "name", i.name.as_deref(), NAME_MAX);
        let model = choice(
            &mut e,
            "model",
            i.model.as_deref(),
            InterventionModel::parse,
            &codes(InterventionModel::ALL, InterventionModel::as_str),
            false,
        );
        let programme_type = choice(
            &mut e,
            "programme_type",
            i.programme_type.as_deref(),
            ProgrammeType::parse,
            &codes(ProgrammeType::ALL, ProgrammeType::as_str),
            false,
        );
        let model_given = i.model.as_deref().is_some_and(|s| !s.trim().is_empty());
        let type_given = i
            .programme_type
            .as_deref()
            .is_some_and(|s| !s.trim().is_empty());
        if model_given == type_given {
            e.add(
                "programme_type",
                "one_of",
                "give exactly one of model and programme_type",
            );
        }
        let description = optional_text(&mut e, "description", i.description.as_deref(), TEXT_MAX);
        let mut target_groups = Vec::new();
        for g in &i.target_groups {
            match TargetGroup::parse(g.trim()) {
                Some(t) if !target_groups.contains(&t) => target_groups.push(t),
                Some(_) => {}
                None => {
                    e.add(
                        "target_groups",
                        "invalid_choice",
                        format!(
                            "target_groups must be among: {}",
                            codes(TargetGroup::ALL, TargetGroup::as_str).join(", ")
                        ),
                    );
                    break;
                }
            }
        }
        target_groups.sort();
        if let Some(t) = programme_type {
            let needed = t.rules().target_groups;
            if !needed.is_empty() && !target_groups.iter().any(|g| needed.contains(g)) {
                e.add(
                    "target_groups",
                    "programme_target_group",
                    format!(
                        "a {} intervention must target one of: {}",
                        t.as_str(),
                        codes(needed, TargetGroup::as_str).join(", ")
                    ),
                );
            }
        }
        let capacity = match i.capacity {
            None => {
                e.add("capacity", "required", "capacity is required");
                0
            }
            Some(c) if (1..=MAX_CAPACITY).contains(&c) => c,
            Some(_) => {
                e.add(
                    "capacity",
                    "out_of_range",
                    format!("capacity must be from 1 to {MAX_CAPACITY}"),
                );
                0
            }
        };
        let from = parse_date(&mut e, "period_from", i.period_from.as_deref(), true);
        let to = parse_date(&mut e, "period_to", i.period_to.as_deref(), false);
        if let (Some(f), Some(t)) = (from, to) {
            if t < f {
                e.add(
                    "period_to",
                    "before_start",
                    "period_to must not be before period_from",
                );
            }
        }
        let funding = optional_text(&mut e, "funding", i.funding.as_deref(), TEXT_MAX);
        let operator_kind = match i
            .operator_kind
            .as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty())
        {
            None => Some(OperatorKind::Municipality),
            v => choice(
                &mut e,
                "operator_kind",
                v,
                OperatorKind::parse,
                &codes(OperatorKind::ALL, OperatorKind::as_str),
                true,
            ),
        };
        let follow_up_plan = optional_text(
            &mut e,
            "follow_up_plan",
            i.follow_up_plan.as_deref(),
            TEXT_MAX,
        );
        let mut organisation_ids = i.organisation_ids.clone();
        organisation_ids.sort_unstable();
        organisation_ids.dedup();
        if organisation_ids.iter().any(|o| *o <= 0) {
            e.add(
                "organisation_ids",
                "invalid",
                "organisation_ids must be positive ids",
            );
        }
        match (from, operator_kind) {
            (Some(period_from), Some(operator_kind)) if e.is_empty() => Ok(InterventionData {
                name,
                model,
                programme_type,
                description,
                target_groups,
                capacity,
                period_from,
                period_to: to,
                funding,
                operator_kind,
                follow_up_plan,
                organisation_ids,
            }),
            _ => Err(e),
        }
    }
}

/// Raw input for a planned indicator.
#[derive(Debug, Clone, Default)]
pub struct IndicatorInput {
    pub outcome: Option<String>,
    pub measured_after_days: Option<i64>,
    pub target_percent: Option<i64>,
    pub description: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Indicator {
    pub outcome: IndicatorOutcome,
    pub measured_after_days: i64,
    pub target_percent: i64,
    pub description: Option<String>,
}

impl Indicator {
    pub fn from_input(i: &IndicatorInput) -> Result<Indicator, ValidationErrors> {
        let mut e = ValidationErrors::new();
        let outcome = choice(
            &mut e,
            "outcome",
            i.outcome.as_deref(),
            IndicatorOutcome::parse,
            &codes(IndicatorOutcome::ALL, IndicatorOutcome::as_str),
            true,
        );
        let days = match i.measured_after_days {
            Some(d) if (0..=MAX_MEASURED_AFTER_DAYS).contains(&d) => d,
            Some(_) => {
                e.add(
                    "measured_after_days",
                    "out_of_range",
                    format!("measured_after_days must be from 0 to {MAX_MEASURED_AFTER_DAYS}"),
                );
                0
            }
            None => {
                e.add(
                    "measured_after_days",
                    "required",
                    "measured_after_days is required",
                );
                0
            }
        };
        let target = match i.target_percent {
            Some(t) if (0..=100).contains(&t) => t,
            Some(_) => {
                e.add(
                    "target_percent",
                    "out_of_range",
                    "target_percent must be from 0 to 100",
                );
                0
            }
            None => {
                e.add("target_percent", "required", "target_percent is required");
                0
            }
        };
        let description = optional_text(&mut e, "description", i.description.as_deref(), TEXT_MAX);
        match outcome {
            Some(outcome) if e.is_empty() => Ok(Indicator {
                outcome,
                measured_after_days: days,
                target_percent: target,
                description,
            }),
            _ => Err(e),
        }
    }
}

/// May the intervention be opened for enrolment? Names every missing part:
/// `indicators` (none planned) and `follow_up_plan` (not written).
pub fn check_open(
    indicator_count: usize,
    follow_up_plan: Option<&str>,
) -> Result<(), ValidationErrors> {
    let mut e = ValidationErrors::new();
    if indicator_count == 0 {
        e.add(
            "indicators",
            "required_before_open",
            "plan at least one indicator (outcome, when measured, target) before opening",
        );
    }
    if follow_up_plan.map(str::trim).is_none_or(str::is_empty) {
        e.add(
            "follow_up_plan",
            "required_before_open",
            "write the follow-up plan before opening",
        );
    }
    e.into_result(())
}

/// Raw input for a placement.
#[derive(Debug, Clone, Default)]
pub struct PlacementInput {
    pub start_date: Option<String>,
    pub end_date: Option<String>,
    pub employment_form: Option<String>,
    /// Hours per week in minutes.
    pub hours_per_week_minutes: Option<i64>,
    pub planned_work_percent: Option<i64>,
    pub planned_study_percent: Option<i64>,
    pub monthly_wage_ore: Option<i64>,
    pub monthly_subsidy_ore: Option<i64>,
    pub subsidy_kind: Option<String>,
    pub supervisor_name: Option<String>,
    pub supervisor_phone: Option<String>,
    pub supervisor_email: Option<String>,
    pub role_title: Option<String>,
    pub occupation_ssyk: Option<String>,
    pub extra_task: Option<bool>,
}

/// The validated terms of a placement.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlacementTerms {
    pub start_date: NaiveDate,
    pub end_date: NaiveDate,
    pub employment_form: EmploymentForm,
    pub hours_per_week_minutes: i64,
    pub planned_work_percent: i64,
    pub planned_study_percent: i64,
    pub monthly_wage_ore: Option<i64>,
    pub monthly_subsidy_ore: Option<i64>,
    pub subsidy_kind: Option<String>,
    pub supervisor_name: Option<String>,
    pub supervisor_phone: Option<String>,
    pub supervisor_email: Option<String>,
    pub role_title: Option<String>,
    /// SSYK 2012 level 4; required (displacement is judged per occupation),
    /// taken from the need when one is given.
    pub occupation_ssyk: String,
    pub extra_task: bool,
}

/// 60 hours a week, in minutes: more is a typing mistake.
pub const MAX_WEEK_MINUTES: i64 = 60 * 60;
/// 1 000 000 kr a month, in öre.
pub const MAX_MONTHLY_ORE: i64 = 100_000_000;

pub fn is_ssyk4(s: &str) -> bool {
    s.len() == 4 && s.bytes().all(|b| b.is_ascii_digit())
}

impl PlacementTerms {
    pub fn from_input(i: &PlacementInput) -> Result<PlacementTerms, ValidationErrors> {
        let mut e = ValidationErrors::new();
        let start = parse_date(&mut e, "start_date", i.start_date.as_deref(), true);
        let end = parse_date(&mut e, "end_date", i.end_date.as_deref(), true);
        if let (Some(s), Some(t)) = (start, end) {
            if t < s {
                e.add(
                    "end_date",
                    "before_start",
                    "end_date must not be before start_date",
                );
            }
        }
        let form = choice(
            &mut e,
            "employment_form",
            i.employment_form.as_deref(),
            EmploymentForm::parse,
            &codes(EmploymentForm::ALL, EmploymentForm::as_str),
            true,
        );
        let hours = match i.hours_per_week_minutes {
            Some(m) if (60..=MAX_WEEK_MINUTES).contains(&m) => m,
            Some(_) => {
                e.add(
                    "hours_per_week_minutes",
                    "out_of_range",
                    "hours_per_week_minutes must be from 60 (1 hour) to 3600 (60 hours)",
                );
                0
            }
            None => {
                e.add(
                    "hours_per_week_minutes",
                    "required",
                    "hours_per_week_minutes is required",
                );
                0
            }
        };
        let work = i
            .planned_work_percent
            .unwrap_or(100 - i.planned_study_percent.unwrap_or(0));
        let study = i.planned_study_percent.unwrap_or(100 - work);
        for (field, v) in [
            ("planned_work_percent", work),
            ("planned_study_percent", study),
        ] {
            if !(0..=100).contains(&v) {
                e.add(
                    field,
                    "out_of_range",
                    format!("{field} must be from 0 to 100"),
                );
            }
        }
        if work + study != 100 {
            e.add(
                "planned_study_percent",
                "shares_sum",
                "planned_work_percent and planned_study_percent must sum to 100",
            );
        }
        let money = |e: &mut ValidationErrors, field: &str, v: Option<i64>| match v {
            Some(m) if !(0..=MAX_MONTHLY_ORE).contains(&m) => {
                e.add(
                    field,
                    "out_of_range",
                    format!("{field} must be from 0 to {MAX_MONTHLY_ORE} öre"),
                );
                None
            }
            v => v,
        };
        let wage = money(&mut e, "monthly_wage_ore", i.monthly_wage_ore);
        let subsidy = money(&mut e, "monthly_subsidy_ore", i.monthly_subsidy_ore);
        if form == Some(EmploymentForm::WorkPractice) && wage.is_some_and(|w| w > 0) {
            e.add(
                "monthly_wage_ore",
                "no_wage_in_practice",
                "a work practice has no wage (activity support is paid by Arbetsförmedlingen)",
            );
        }
        let subsidy_kind =
            optional_text(&mut e, "subsidy_kind", i.subsidy_kind.as_deref(), NAME_MAX);
        let supervisor_name = optional_text(
            &mut e,
            "supervisor_name",
            i.supervisor_name.as_deref(),
            NAME_MAX,
        );
        let supervisor_phone = optional_text(
            &mut e,
            "supervisor_phone",
            i.supervisor_phone.as_deref(),
            40,
        );
        let supervisor_email = optional_text(
            &mut e,
            "supervisor_email",
            i.supervisor_email.as_deref(),
            254,
        );
        if supervisor_email
            .as_deref()
            .is_some_and(|m| !crate::participants::looks_like_email(m))
        {
            e.add(
                "supervisor_email",
                "invalid",
                "supervisor_email must be an e-mail address",
            );
        }
        if supervisor_name.is_none() {
            e.add(
                "supervisor_name",
                "required",
                "supervisor_name is required: every placement has a supervisor (handledare)",
            );
        }
        let role_title = optional_text(&mut e, "role_title", i.role_title.as_deref(), NAME_MAX);
        let ssyk = match i
            .occupation_ssyk
            .as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty())
        {
            Some(s) if is_ssyk4(s) => s.to_string(),
            Some(_) => {
                e.add(
                    "occupation_ssyk",
                    "invalid",
                    "occupation_ssyk must be an SSYK level-4 code (4 digits)",
                );
                String::new()
            }
            None => {
                e.add(
                    "occupation_ssyk",
                    "required",
                    "occupation_ssyk is required (or give a competence need)",
                );
                String::new()
            }
        };
        match (start, end, form) {
            (Some(start_date), Some(end_date), Some(employment_form)) if e.is_empty() => {
                Ok(PlacementTerms {
                    start_date,
                    end_date,
                    employment_form,
                    hours_per_week_minutes: hours,
                    planned_work_percent: work,
                    planned_study_percent: study,
                    monthly_wage_ore: wage,
                    monthly_subsidy_ore: subsidy,
                    subsidy_kind,
                    supervisor_name,
                    supervisor_phone,
                    supervisor_email,
                    role_title,
                    occupation_ssyk: ssyk,
                    extra_task: i.extra_task.unwrap_or(false),
                })
            }
            _ => Err(e),
        }
    }
}

/// What enrolment looks at, loaded by the store.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EnrolmentFacts {
    pub status: InterventionStatus,
    pub programme_type: Option<ProgrammeType>,
    pub period_from: NaiveDate,
    pub period_to: Option<NaiveDate>,
    pub capacity: i64,
    /// Planned and active placements of the intervention overlapping the
    /// new one's period (not counting itself).
    pub taken_places: i64,
    pub birth_date: NaiveDate,
    pub participant_groups: Vec<TargetGroup>,
}

/// Age in completed years on `date`.
pub fn age_on(birth: NaiveDate, date: NaiveDate) -> u32 {
    if date < birth {
        return 0;
    }
    let mut age = date.year() - birth.year();
    if (date.month(), date.day()) < (birth.month(), birth.day()) {
        age -= 1;
    }
    age as u32
}

/// Whether a period from `start` to `end` (inclusive) is longer than `months`.
pub fn longer_than_months(start: NaiveDate, end: NaiveDate, months: u32) -> bool {
    match start.checked_add_months(Months::new(months)) {
        // Inclusive end: start + 6 months − 1 day is exactly six months.
        Some(limit) => end >= limit,
        None => true,
    }
}

/// Check a placement against its intervention and programme rules. Each
/// broken rule is named with its field and a code (`intervention_not_open`,
/// `outside_period`, `capacity_full`, `age_below_minimum`,
/// `age_above_maximum`, `duration_exceeds_maximum`, `study_share_below_minimum`,
/// `study_share_above_maximum`, `employment_form_not_allowed`,
/// `target_group_not_met`); the message names the rule and its limit.
pub fn check_enrolment(f: &EnrolmentFacts, t: &PlacementTerms) -> Result<(), ValidationErrors> {
    let mut e = ValidationErrors::new();
    if f.status != InterventionStatus::Open {
        e.add(
            "intervention_id",
            "intervention_not_open",
            format!(
                "the intervention is {}, not open for enrolment",
                f.status.as_str()
            ),
        );
    }
    if t.start_date < f.period_from {
        e.add(
            "start_date",
            "outside_period",
            format!(
                "start_date is before the intervention's period (from {})",
                f.period_from
            ),
        );
    }
    if let Some(to) = f.period_to {
        if t.end_date > to {
            e.add(
                "end_date",
                "outside_period",
                format!("end_date is after the intervention's period (until {to})"),
            );
        }
    }
    if f.taken_places >= f.capacity {
        e.add(
            "intervention_id",
            "capacity_full",
            format!(
                "the intervention's {} places are taken in that period",
                f.capacity
            ),
        );
    }
    if let Some(p) = f.programme_type {
        let r = p.rules();
        let name = p.as_str();
        let age = age_on(f.birth_date, t.start_date);
        if let Some(min) = r.min_age {
            if age < min {
                e.add(
                    "participant_id",
                    "age_below_minimum",
                    format!("{name}: the participant is {age} at the start date; the youngest age is {min}"),
                );
            }
        }
        if let Some(max) = r.max_age {
            if age > max {
                e.add(
                    "participant_id",
                    "age_above_maximum",
                    format!("{name}: the participant is {age} at the start date; the oldest age is {max}"),
                );
            }
        }
        if let Some(m) = r.max_months {
            if longer_than_months(t.start_date, t.end_date, m) {
                e.add(
                    "end_date",
                    "duration_exceeds_maximum",
                    format!("{name}: a placement lasts at most {m} months"),
                );
            }
        }
        if let Some(min) = r.min_study_percent {
            if t.planned_study_percent < min {
                e.add(
                    "planned_study_percent",
                    "study_share_below_minimum",
                    format!("{name}: the planned study share must be at least {min} %"),
                );
            }
        }
        if let Some(max) = r.max_study_percent {
            if t.planned_study_percent > max {
                e.add(
                    "planned_study_percent",
                    "study_share_above_maximum",
                    format!("{name}: the planned study share may be at most {max} %"),
                );
            }
        }
        if !r.employment_forms.is_empty() && !r.employment_forms.contains(&t.employment_form) {
            e.add(
                "employment_form",
                "employment_form_not_allowed",
                format!(
                    "{name}: the employment form must be one of: {}",
                    codes(r.employment_forms, EmploymentForm::as_str).join(", ")
                ),
            );
        }
        if !r.target_groups.is_empty()
            && !f
                .participant_groups
                .iter()
                .any(|g| r.target_groups.contains(g))
        {
            e.add(
                "participant_id",
                "target_group_not_met",
                format!(
                    "{name}: the participant must belong to one of: {}",
                    codes(r.target_groups, TargetGroup::as_str).join(", ")
                ),
            );
        }
    }
    e.into_result(())
}

/// Raw input for ending a placement.
#[derive(Debug, Clone, Default)]
pub struct ExitInput {
    pub exit_date: Option<String>,
    pub exit_outcome: Option<String>,
}

/// Validate an exit against the placement's start date.
pub fn check_exit(
    i: &ExitInput,
    start: NaiveDate,
) -> Result<(NaiveDate, ExitOutcome), ValidationErrors> {
    let mut e = ValidationErrors::new();
    let date = parse_date(&mut e, "exit_date", i.exit_date.as_deref(), true);
    let outcome = choice(
        &mut e,
        "exit_outcome",
        i.exit_outcome.as_deref(),
        ExitOutcome::parse,
        &codes(ExitOutcome::ALL, ExitOutcome::as_str),
        true,
    );
    if date.is_some_and(|d| d < start) {
        e.add(
            "exit_date",
            "before_start",
            "exit_date must not be before the start date",
        );
    }
    match (date, outcome) {
        (Some(d), Some(o)) if e.is_empty() => Ok((d, o)),
        _ => Err(e),
    }
}

/// The reason an authorised user gives to override a blocked placement.
pub fn check_override_reason(reason: Option<&str>) -> Result<String, ValidationErrors> {
    let mut e = ValidationErrors::new();
    let r = required_text(&mut e, "override_reason", reason, TEXT_MAX);
    if e.is_empty() && r.chars().count() < 10 {
        e.add(
            "override_reason",
            "too_short",
            "override_reason must explain the decision (at least 10 characters)",
        );
    }
    e.into_result(r)
}

/// Raw input for a staff reduction at a host.
#[derive(Debug, Clone, Default)]
pub struct ReductionInput {
    pub workplace_id: Option<i64>,
    pub occupation_ssyk: Option<String>,
    pub kind: Option<String>,
    pub occurred_on: Option<String>,
    pub persons: Option<i64>,
    pub note: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reduction {
    pub workplace_id: Option<i64>,
    pub occupation_ssyk: String,
    pub kind: ReductionKind,
    pub occurred_on: NaiveDate,
    pub persons: i64,
    pub note: Option<String>,
}

impl Reduction {
    pub fn from_input(i: &ReductionInput, today: NaiveDate) -> Result<Reduction, ValidationErrors> {
        let mut e = ValidationErrors::new();
        let ssyk = match i.occupation_ssyk.as_deref().map(str::trim) {
            Some(s) if is_ssyk4(s) => s.to_string(),
            None | Some("") => {
                e.add("occupation_ssyk", "required", "occupation_ssyk is required");
                String::new()
            }
            Some(_) => {
                e.add(
                    "occupation_ssyk",
                    "invalid",
                    "occupation_ssyk must be an SSYK level-4 code (4 digits)",
                );
                String::new()
            }
        };
        let kind = choice(
            &mut e,
            "kind",
            i.kind.as_deref(),
            ReductionKind::parse,
            &codes(ReductionKind::ALL, ReductionKind::as_str),
            true,
        );
        let date = parse_date(&mut e, "occurred_on", i.occurred_on.as_deref(), true);
        if date.is_some_and(|d| d > today) {
            e.add(
                "occurred_on",
                "in_future",
                "occurred_on must not be in the future",
            );
        }
        let persons = match i.persons {
            Some(p) if (1..=100_000).contains(&p) => p,
            Some(_) => {
                e.add(
                    "persons",
                    "out_of_range",
                    "persons must be from 1 to 100000",
                );
                0
            }
            None => {
                e.add("persons", "required", "persons is required");
                0
            }
        };
        let note = optional_text(&mut e, "note", i.note.as_deref(), TEXT_MAX);
        match (kind, date) {
            (Some(kind), Some(occurred_on)) if e.is_empty() => Ok(Reduction {
                workplace_id: i.workplace_id,
                occupation_ssyk: ssyk,
                kind,
                occurred_on,
                persons,
                note,
            }),
            _ => Err(e),
        }
    }
}

/// The shapes `vagar seed` exchanges between its pure generator and the
/// store: plain data, no rules of their own.
pub mod seed_rows {
    use super::{EmploymentForm, ExitOutcome, PlacementTerms, ProgrammeType};
    use crate::participants::TargetGroup;
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
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    fn terms(start: &str, end: &str, study: i64, form: EmploymentForm) -> PlacementTerms {
        PlacementTerms {
            start_date: d(start),
            end_date: d(end),
            employment_form: form,
            hours_per_week_minutes: 2400,
            planned_work_percent: 100 - study,
            planned_study_percent: study,
            monthly_wage_ore: None,
            monthly_subsidy_ore: None,
            subsidy_kind: None,
            supervisor_name: Some("H".into()),
            supervisor_phone: None,
            supervisor_email: None,
            role_title: None,
            occupation_ssyk: "5321".into(),
            extra_task: false,
        }
    }

    fn facts(p: ProgrammeType, birth: &str) -> EnrolmentFacts {
        EnrolmentFacts {
            status: InterventionStatus::Open,
            programme_type: Some(p),
            period_from: d("2026-01-01"),
            period_to: Some(d("2027-12-31")),
            capacity: 10,
            taken_places: 0,
            birth_date: d(birth),
            participant_groups: vec![],
        }
    }

    fn codes_of(r: Result<(), ValidationErrors>) -> Vec<String> {
        r.err()
            .map(|e| e.0.into_iter().map(|f| f.code).collect())
            .unwrap_or_default()
    }

    #[test]
    fn youth_employment_takes_16_to_24_at_the_start_date() {
        let t = terms("2026-03-01", "2026-08-31", 0, EmploymentForm::Municipality);
        let p = ProgrammeType::YouthEmployment;
        // 25 the day before the start: refused; 24 until the start: fine.
        assert_eq!(
            codes_of(check_enrolment(&facts(p, "2001-02-28"), &t)),
            vec!["age_above_maximum"]
        );
        assert!(check_enrolment(&facts(p, "2001-03-02"), &t).is_ok());
        assert_eq!(
            codes_of(check_enrolment(&facts(p, "2010-03-02"), &t)),
            vec!["age_below_minimum"]
        );
    }

    #[test]
    fn duration_study_share_form_and_group_are_checked_with_named_rules() {
        let p = ProgrammeType::WorkPractice;
        let long = terms("2026-03-01", "2026-09-01", 0, EmploymentForm::WorkPractice);
        let err = check_enrolment(&facts(p, "1990-01-01"), &long).unwrap_err();
        assert_eq!(err.0[0].code, "duration_exceeds_maximum");
        assert!(err.0[0].message.contains("6 months"));
        let six = terms("2026-03-01", "2026-08-31", 0, EmploymentForm::WorkPractice);
        assert!(check_enrolment(&facts(p, "1990-01-01"), &six).is_ok());
        let wrong_form = terms("2026-03-01", "2026-04-01", 0, EmploymentForm::Host);
        assert_eq!(
            codes_of(check_enrolment(&facts(p, "1990-01-01"), &wrong_form)),
            vec!["employment_form_not_allowed"]
        );
        let tryout = terms("2026-03-01", "2026-04-01", 25, EmploymentForm::Municipality);
        assert_eq!(
            codes_of(check_enrolment(
                &facts(ProgrammeType::TryoutStudies, "1990-01-01"),
                &tryout
            )),
            vec!["study_share_below_minimum"]
        );
        let extra = terms("2026-03-01", "2026-04-01", 0, EmploymentForm::Municipality);
        let mut f = facts(ProgrammeType::ExtraJob, "1980-01-01");
        assert_eq!(
            codes_of(check_enrolment(&f, &extra)),
            vec!["target_group_not_met"]
        );
        f.participant_groups = vec![TargetGroup::NewlyArrived];
        assert!(check_enrolment(&f, &extra).is_ok());
    }

    #[test]
    fn closed_full_and_out_of_period_interventions_refuse() {
        let t = terms("2025-12-01", "2028-01-01", 0, EmploymentForm::Municipality);
        let mut f = facts(ProgrammeType::FixedTermJob, "1990-01-01");
        f.status = InterventionStatus::Draft;
        f.taken_places = 10;
        let c = codes_of(check_enrolment(&f, &t));
        for want in [
            "intervention_not_open",
            "outside_period",
            "capacity_full",
            "duration_exceeds_maximum",
        ] {
            assert!(c.contains(&want.to_string()), "{want} in {c:?}");
        }
    }

    #[test]
    fn opening_needs_indicators_and_follow_up_plan() {
        let e = check_open(0, Some("  ")).unwrap_err();
        let fields: Vec<_> = e.0.iter().map(|f| f.field.as_str()).collect();
        assert_eq!(fields, vec!["indicators", "follow_up_plan"]);
        assert!(check_open(1, Some("Uppföljning")).is_ok());
        assert!(InterventionStatus::Draft.may_become(InterventionStatus::Open));
        assert!(!InterventionStatus::Closed.may_become(InterventionStatus::Open));
    }

    #[test]
    fn exactly_one_of_model_and_programme_type() {
        let base = InterventionInput {
            name: Some("Ungdomsjobb".into()),
            capacity: Some(10),
            period_from: Some("2026-01-01".into()),
            ..Default::default()
        };
        let both = InterventionInput {
            model: Some("rental".into()),
            programme_type: Some("work_practice".into()),
            ..base.clone()
        };
        assert_eq!(
            InterventionData::from_input(&both).unwrap_err().0[0].code,
            "one_of"
        );
        assert!(InterventionData::from_input(&base).is_err());
        let extra = InterventionInput {
            programme_type: Some("extra_job".into()),
            ..base.clone()
        };
        assert_eq!(
            InterventionData::from_input(&extra).unwrap_err().0[0].code,
            "programme_target_group"
        );
        let ok = InterventionInput {
            model: Some("rental".into()),
            ..base
        };
        assert_eq!(
            InterventionData::from_input(&ok).unwrap().operator_kind,
            OperatorKind::Municipality
        );
    }

    #[test]
    fn shares_must_sum_to_100_and_practice_has_no_wage() {
        let i = PlacementInput {
            start_date: Some("2026-01-01".into()),
            end_date: Some("2026-02-01".into()),
            employment_form: Some("work_practice".into()),
            hours_per_week_minutes: Some(2400),
            planned_work_percent: Some(70),
            planned_study_percent: Some(20),
            monthly_wage_ore: Some(100),
            supervisor_name: Some("Hansson".into()),
            occupation_ssyk: Some("5321".into()),
            ..Default::default()
        };
        let e = PlacementTerms::from_input(&i).unwrap_err();
        let codes: Vec<_> = e.0.iter().map(|f| f.code.as_str()).collect();
        assert_eq!(codes, vec!["shares_sum", "no_wage_in_practice"]);
        let ok = PlacementInput {
            planned_work_percent: Some(75),
            planned_study_percent: None,
            monthly_wage_ore: None,
            ..i
        };
        assert_eq!(
            PlacementTerms::from_input(&ok)
                .unwrap()
                .planned_study_percent,
            25
        );
    }

    proptest! {
        #[test]
        fn age_matches_the_calendar(y in 1950i32..2010, doy in 0u32..365, later in 0i64..30000) {
            let birth = NaiveDate::from_yo_opt(y, doy % 365 + 1).unwrap();
            let date = birth + chrono::Duration::days(later);
            let age = age_on(birth, date);
            // The birthday of `age` is on or before the date, of `age + 1` after.
            let on = |n: u32| birth.checked_add_months(Months::new(12 * n)).unwrap();
            prop_assert!(on(age) <= date);
            prop_assert!(on(age + 1) > date);
        }

        #[test]
        fn duration_rule_is_monotone(days in 0i64..1000, months in 1u32..36) {
            let start = d("2026-01-31");
            let end = start + chrono::Duration::days(days);
            let longer = longer_than_months(start, end, months);
            let later = longer_than_months(start, end + chrono::Duration::days(1), months);
            prop_assert!(!longer || later);
            prop_assert_eq!(longer_than_months(start, start, months), false);
        }
    }
}
