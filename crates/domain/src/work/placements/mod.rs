//! Placements (deltagande) of participants in an intervention: their
//! terms, the status rules, the enrolment check against the intervention
//! and its programme type's rules (age at the start date, longest duration,
//! study share, employment form, target group), the exit and the override
//! of a blocked displacement assessment. Work and study shares recorded
//! week by week are in [`shares`]; who may do what in [`access`]. Pure
//! code: the store loads the facts and calls these functions.

pub mod access;
pub mod enrolment;
pub mod shares;

pub use enrolment::OtherPlacement;

use super::interventions::programmes::{check_programme, HostFacts, LegalForm, ProgrammeFacts};
use super::interventions::{InterventionStatus, ProgrammeType, DATES, NAME_MAX, TEXT_MAX};
use crate::org::code_enum;
use crate::participants::TargetGroup;
use crate::taxonomy::ssyk4_field;
use crate::validation::{choice, optional_text, required_text, ValidationErrors};
use chrono::{Months, NaiveDate};

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

/// Raw input for a placement's terms: what a form and the API body send
/// (the API reads it flattened into its body).
#[derive(Debug, Clone, Default, serde::Serialize, serde::Deserialize, utoipa::ToSchema)]
#[serde(default)]
pub struct PlacementInput {
    /// YYYY-MM-DD
    pub start_date: Option<String>,
    /// YYYY-MM-DD
    pub end_date: Option<String>,
    /// municipality, host, work_practice
    pub employment_form: Option<String>,
    /// Hours per week in minutes.
    pub hours_per_week_minutes: Option<i64>,
    /// Work and study shares sum to 100 (one sent alone: the other follows).
    pub planned_work_percent: Option<i64>,
    pub planned_study_percent: Option<i64>,
    pub monthly_wage_ore: Option<i64>,
    pub monthly_subsidy_ore: Option<i64>,
    pub subsidy_kind: Option<String>,
    pub supervisor_name: Option<String>,
    pub supervisor_phone: Option<String>,
    pub supervisor_email: Option<String>,
    pub role_title: Option<String>,
    /// SSYK level 4; defaults to the need's.
    pub occupation_ssyk: Option<String>,
    /// The task is an extra, not ordinary operations.
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

impl PlacementTerms {
    pub fn from_input(i: &PlacementInput) -> Result<PlacementTerms, ValidationErrors> {
        let mut e = ValidationErrors::new();
        let start = DATES.required(&mut e, "start_date", i.start_date.as_deref());
        let end = DATES.required(&mut e, "end_date", i.end_date.as_deref());
        if let (Some(s), Some(t)) = (start, end) {
            if t < s {
                e.add(
                    "end_date",
                    "before_start",
                    "end_date must not be before start_date",
                );
            }
        }
        let form = choice::<EmploymentForm>(
            &mut e,
            "employment_form",
            i.employment_form.as_deref(),
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
            .filter(|s| !s.trim().is_empty())
        {
            Some(s) => ssyk4_field(&mut e, "occupation_ssyk", Some(s)).unwrap_or_default(),
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
    /// The intervention's target groups (none: anyone).
    pub intervention_groups: Vec<TargetGroup>,
    /// The person's other planned and active placements overlapping the
    /// new one's period (not counting itself).
    pub others: Vec<OtherPlacement>,
    /// The host's SNI code and legal form, for a programme's sector rule
    /// (none: not recorded).
    pub host_sni: Option<String>,
    pub host_legal_form: Option<LegalForm>,
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
/// `target_group_not_met`, `hours_exceed_full_time`); the message names the
/// rule and its limit. The rules every placement meets (target groups, one
/// full time) are in [`enrolment`].
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
        // Judged by the rule version in force on the start date: a
        // programme closed to new decisions refuses, naming the day.
        let groups = enrolment::groups_on(&f.participant_groups, f.birth_date, t.start_date);
        if let Err(rules) = check_programme(p, &ProgrammeFacts::of(t, f.birth_date, &groups)) {
            e.0.extend(rules.0);
        }
        if let Ok(version) = p.rules_on(t.start_date) {
            let host = HostFacts {
                sni_code: f.host_sni.as_deref(),
                legal_form: f.host_legal_form,
            };
            if let Err(rules) = version.check_host(&host) {
                e.0.extend(rules.0);
            }
        }
    }
    // After the programme's own rules, whose messages are the more precise.
    enrolment::check_target_groups(
        &mut e,
        &f.intervention_groups,
        &f.participant_groups,
        f.birth_date,
        t.start_date,
    );
    enrolment::check_full_time(
        &mut e,
        t.start_date,
        t.end_date,
        t.hours_per_week_minutes,
        &f.others,
    );
    e.into_result(())
}

/// Raw input for ending a placement (with the version read: the API body).
#[derive(Debug, Clone, Default, serde::Serialize, serde::Deserialize, utoipa::ToSchema)]
#[serde(default)]
pub struct ExitInput {
    /// YYYY-MM-DD
    #[schema(nullable = false)]
    pub exit_date: Option<String>,
    /// work_unsubsidised, work_subsidised, studies, other_programme, unemployed, sick_or_parental_leave, moved, unknown
    #[schema(nullable = false)]
    pub exit_outcome: Option<String>,
    /// The version you read (a mismatch gives 409).
    pub version: Option<i64>,
}

/// Validate an exit against the placement's start date.
pub fn check_exit(
    i: &ExitInput,
    start: NaiveDate,
) -> Result<(NaiveDate, ExitOutcome), ValidationErrors> {
    let mut e = ValidationErrors::new();
    let date = DATES.required(&mut e, "exit_date", i.exit_date.as_deref());
    let outcome = choice::<ExitOutcome>(&mut e, "exit_outcome", i.exit_outcome.as_deref(), true);
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::time::{age_on, ymd as d};
    use chrono::Datelike;
    use proptest::prelude::*;

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
            intervention_groups: vec![],
            others: vec![],
            host_sni: None,
            host_legal_form: None,
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
        // An extra job of 2021 is judged by its own rules: a target group.
        let extra = terms("2021-03-01", "2021-04-01", 0, EmploymentForm::Municipality);
        let mut f = facts(ProgrammeType::ExtraJob, "1980-01-01");
        f.period_from = d("2021-01-01");
        // A municipal unit as host: welfare or public, as the extra job asks.
        f.host_legal_form = Some(LegalForm::Municipality);
        assert_eq!(
            codes_of(check_enrolment(&f, &extra)),
            vec!["target_group_not_met"]
        );
        f.participant_groups = vec![TargetGroup::NewlyArrived];
        assert!(check_enrolment(&f, &extra).is_ok());
        // The same start in 2026: the programme closed, naming the day.
        let now = terms("2026-12-07", "2027-03-01", 0, EmploymentForm::Municipality);
        let err = check_enrolment(&f, &now).unwrap_err();
        assert_eq!(codes_of(Err(err.clone())), vec!["programme_closed"]);
        assert!(
            err.0[0].message.contains("2022-01-01"),
            "{}",
            err.0[0].message
        );
    }

    #[test]
    fn the_sector_rule_reads_the_host() {
        // Sheltered work with a public employer (OSA): public employers only.
        let p = ProgrammeType::ShelteredPublicEmployment;
        let t = terms("2026-12-07", "2027-06-30", 0, EmploymentForm::Host);
        let mut f = facts(p, "1980-01-01");
        f.host_legal_form = Some(LegalForm::LimitedCompany);
        assert!(codes_of(check_enrolment(&f, &t)).contains(&"sector_not_allowed".to_string()));
        f.host_legal_form = Some(LegalForm::Municipality);
        assert!(!codes_of(check_enrolment(&f, &t))
            .iter()
            .any(|c| c.starts_with("sector_")));
        f.host_legal_form = None;
        assert!(codes_of(check_enrolment(&f, &t)).contains(&"sector_unknown".to_string()));
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
            // The birthday of `age` is on or before the date, of `age + 1` after;
            // 29 February's birthday is 1 March in common years (as `age_on` says).
            let on = |n: u32| {
                let y = birth.year() + n as i32;
                NaiveDate::from_ymd_opt(y, birth.month(), birth.day())
                    .unwrap_or_else(|| NaiveDate::from_ymd_opt(y, 3, 1).unwrap())
            };
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
