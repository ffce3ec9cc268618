//! Interventions (insatser): validation, the status rules and the planned
//! indicators. Pure code; the store loads the facts and calls these
//! functions, so every rule can be tested without a database. The
//! programme types' rules are in [`programmes`]; placements in the
//! intervention, with the enrolment check, in [`super::placements`];
//! displacement risk in [`super::displacement`].
//!
//! An intervention is `draft` → `open` → `closed`. It opens only when at
//! least one planned indicator and the follow-up plan are set (results are
//! planned before the start). A placement is refused unless the
//! intervention is open, its dates are inside the intervention's period,
//! there is a free place, and the programme type's rules hold (age at the
//! start date, longest duration, study share, target group).

pub mod access;
pub mod programmes;
pub mod seed_rows;

pub use programmes::{ProgrammeRules, ProgrammeType};

use crate::org::code_enum;
use crate::participants::TargetGroup;
use crate::validation::{
    choice, code_list, codes, optional_text, required_int, required_text, Dates, ValidationErrors,
};
use chrono::NaiveDate;

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

pub const NAME_MAX: usize = 200;
pub const TEXT_MAX: usize = 4000;
pub const MAX_CAPACITY: i64 = 10_000;
/// An indicator is measured at most three years after exit.
pub const MAX_MEASURED_AFTER_DAYS: i64 = 1095;

/// Dates of interventions, placements and staff reductions.
pub(crate) const DATES: Dates = Dates {
    years: 2000..=2100,
    wording: "must be a date as YYYY-MM-DD",
};

/// Raw input for an intervention (the API's JSON body or the form).
#[derive(Debug, Clone, Default, serde::Serialize, serde::Deserialize, utoipa::ToSchema)]
#[serde(default)]
pub struct InterventionInput {
    pub name: Option<String>,
    /// Exactly one of model and programme_type.
    pub model: Option<String>,
    pub programme_type: Option<String>,
    pub description: Option<String>,
    /// youth, long_term_unemployed, income_support, sfi, weak_attachment, newly_arrived
    #[serde(deserialize_with = "crate::input::null_as_default")]
    #[schema(value_type = Option<Vec<String>>, max_items = 50)]
    pub target_groups: Vec<String>,
    /// 1–10000 places at a time.
    pub capacity: Option<i64>,
    /// YYYY-MM-DD
    pub period_from: Option<String>,
    pub period_to: Option<String>,
    pub funding: Option<String>,
    /// municipality (default) or municipal_company
    pub operator_kind: Option<String>,
    pub follow_up_plan: Option<String>,
    /// The organisations that run it; the first is the lead (default: yours).
    #[serde(deserialize_with = "crate::input::null_as_default")]
    #[schema(value_type = Option<Vec<i64>>, max_items = 20)]
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
        let model = choice::<InterventionModel>(&mut e, "model", i.model.as_deref(), false);
        let programme_type =
            choice::<ProgrammeType>(&mut e, "programme_type", i.programme_type.as_deref(), false);
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
        let target_groups = code_list::<TargetGroup>(
            &mut e,
            "target_groups",
            i.target_groups.iter().map(String::as_str),
            "must be among",
        );
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
        let capacity = required_int(&mut e, "capacity", i.capacity, 1, MAX_CAPACITY);
        let from = DATES.required(&mut e, "period_from", i.period_from.as_deref());
        let to = DATES.optional(&mut e, "period_to", i.period_to.as_deref());
        if let (Some(f), Some(t)) = (from, to) {
            if t < f {
                e.add(
                    "period_to",
                    "before_start",
                    "period_to must not be before period_from",
                );
            }
        }
        // A programme closed to new decisions (or not yet in force) on the
        // first day takes no new intervention; one made in its time stays.
        if let (Some(t), Some(f)) = (programme_type, from) {
            if let Err(closed) = t.rules_on(f) {
                e.add("programme_type", closed.code(), closed.to_string());
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
            v => choice::<OperatorKind>(&mut e, "operator_kind", v, true),
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

/// Raw input for a planned indicator (also the API body's shape).
#[derive(Debug, Clone, Default, serde::Serialize, serde::Deserialize, utoipa::ToSchema)]
#[serde(default)]
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
        let outcome = choice::<IndicatorOutcome>(&mut e, "outcome", i.outcome.as_deref(), true);
        let days = required_int(
            &mut e,
            "measured_after_days",
            i.measured_after_days,
            0,
            MAX_MEASURED_AFTER_DAYS,
        );
        let target = required_int(&mut e, "target_percent", i.target_percent, 0, 100);
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

#[cfg(test)]
mod tests {
    use super::*;

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
}
