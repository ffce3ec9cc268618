//! Judging a placement against the programme's rule version in force on
//! its start date ([`check_programme`]) and a host against the version's
//! sector rule ([`check_sector`]). Pure: the store loads the facts.

use super::{Eligibility, ProgrammeType, RuleVersion, SectorRule};
use crate::org::code_enum;
use crate::participants::TargetGroup;
use crate::time::age_on;
use crate::validation::{codes, ValidationErrors};
use crate::work::placements::{longer_than_months, EmploymentForm, PlacementTerms};
use chrono::NaiveDate;

/// What the programme check looks at: the placement's terms and the
/// participant's age and target groups.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ProgrammeFacts<'a> {
    pub start_date: NaiveDate,
    pub end_date: NaiveDate,
    /// Completed years on the start date (`time::age_on`).
    pub age_at_start: u32,
    pub target_groups: &'a [TargetGroup],
    pub planned_study_percent: i64,
    pub employment_form: EmploymentForm,
    pub hours_per_week_minutes: i64,
}

impl<'a> ProgrammeFacts<'a> {
    /// The facts of validated placement terms for a participant born on
    /// `birth_date` (what `check_enrolment` has at hand).
    pub fn of(
        terms: &PlacementTerms,
        birth_date: NaiveDate,
        target_groups: &'a [TargetGroup],
    ) -> ProgrammeFacts<'a> {
        ProgrammeFacts {
            start_date: terms.start_date,
            end_date: terms.end_date,
            age_at_start: age_on(birth_date, terms.start_date),
            target_groups,
            planned_study_percent: terms.planned_study_percent,
            employment_form: terms.employment_form,
            hours_per_week_minutes: terms.hours_per_week_minutes,
        }
    }
}

fn hours(minutes: i64) -> String {
    if minutes % 60 == 0 {
        format!("{} hours", minutes / 60)
    } else {
        format!("{:.1} hours", minutes as f64 / 60.0)
    }
}

fn fits_group(p: &Eligibility, groups: &[TargetGroup]) -> bool {
    p.target_groups.is_empty() || groups.iter().any(|g| p.target_groups.contains(g))
}

fn fits_age(p: &Eligibility, age: u32) -> bool {
    p.min_age.is_none_or(|m| age >= m) && p.max_age.is_none_or(|m| age <= m)
}

/// The groups named by `paths`, in `TargetGroup` order.
fn groups_of<'p>(paths: impl Iterator<Item = &'p Eligibility>) -> Vec<TargetGroup> {
    let mut out: Vec<TargetGroup> = paths
        .flat_map(|p| p.target_groups.iter().copied())
        .collect();
    out.sort();
    out.dedup();
    out
}

/// Check a placement against the programme's rules in force on its start
/// date. Each broken rule is named with its field and a code; the message
/// names the rule and its limit:
///
/// * `intervention_id`: `programme_closed` (the message names the day the
///   programme closed, its last start date and any replacement) or
///   `programme_not_started` (naming its first day); nothing else is
///   judged then;
/// * `participant_id`: `age_below_minimum`, `age_above_maximum`,
///   `target_group_not_met` — judged over the version's eligibility paths:
///   the participant must fit one path's age span and target groups;
/// * `end_date`: `duration_exceeds_maximum` (the fitting path's or the
///   version's longest time, extensions included), `duration_below_minimum`;
/// * `planned_study_percent`: `study_share_below_minimum`,
///   `study_share_above_maximum`;
/// * `employment_form`: `employment_form_not_allowed`;
/// * `hours_per_week_minutes`: `hours_below_minimum`, `hours_above_maximum`.
///
/// The sector rule needs the host's facts: [`check_sector`].
pub fn check_programme(p: ProgrammeType, f: &ProgrammeFacts) -> Result<(), ValidationErrors> {
    let mut e = ValidationErrors::new();
    let v = match p.rules_on(f.start_date) {
        Ok(v) => v,
        Err(closed) => {
            e.add("intervention_id", closed.code(), closed.to_string());
            return Err(e);
        }
    };
    let name = p.as_str();
    let age = f.age_at_start;
    let paths = v.eligibility;
    let fitting: Vec<&Eligibility> = paths
        .iter()
        .filter(|x| fits_group(x, f.target_groups) && fits_age(x, age))
        .collect();
    if !paths.is_empty() && fitting.is_empty() {
        eligibility_errors(&mut e, name, paths, f.target_groups, age);
    }

    // Limits that a fitting path may set itself.
    let path_limit = |own: fn(&Eligibility) -> Option<i64>, version: Option<i64>| {
        if fitting.is_empty() {
            return version;
        }
        // The most generous fitting path; any path without a limit: none.
        fitting
            .iter()
            .map(|x| own(x).or(version))
            .try_fold(i64::MIN, |m, l| l.map(|l| m.max(l)))
    };
    let max_months = path_limit(|x| x.max_months.map(i64::from), v.max_months.map(i64::from));
    if let Some(m) = max_months {
        if longer_than_months(f.start_date, f.end_date, m as u32) {
            let per = match v.decision_months {
                Some(d) if i64::from(d) < m => format!(" (decisions of {d} months at a time)"),
                _ => String::new(),
            };
            e.add(
                "end_date",
                "duration_exceeds_maximum",
                format!("{name}: a placement lasts at most {m} months{per}"),
            );
        }
    }
    if let Some(m) = v.min_months {
        let end_inclusive = f.end_date.succ_opt().unwrap_or(f.end_date);
        if !longer_than_months(f.start_date, end_inclusive, m) {
            e.add(
                "end_date",
                "duration_below_minimum",
                format!("{name}: a placement lasts at least {m} months"),
            );
        }
    }
    if let Some(min) = v.min_study_percent {
        if f.planned_study_percent < min {
            e.add(
                "planned_study_percent",
                "study_share_below_minimum",
                format!("{name}: the planned study share must be at least {min} %"),
            );
        }
    }
    if let Some(max) = v.max_study_percent {
        if f.planned_study_percent > max {
            e.add(
                "planned_study_percent",
                "study_share_above_maximum",
                format!("{name}: the planned study share may be at most {max} %"),
            );
        }
    }
    if !v.employment_forms.is_empty() && !v.employment_forms.contains(&f.employment_form) {
        e.add(
            "employment_form",
            "employment_form_not_allowed",
            format!(
                "{name}: the employment form must be one of: {}",
                codes(v.employment_forms, EmploymentForm::as_str).join(", ")
            ),
        );
    }
    if let Some(min) = v.min_week_minutes {
        if f.hours_per_week_minutes < min {
            e.add(
                "hours_per_week_minutes",
                "hours_below_minimum",
                format!(
                    "{name}: the working time must be at least {} a week",
                    hours(min)
                ),
            );
        }
    }
    if let Some(max) = path_limit(|x| x.max_week_minutes, v.max_week_minutes) {
        if f.hours_per_week_minutes > max {
            e.add(
                "hours_per_week_minutes",
                "hours_above_maximum",
                format!(
                    "{name}: the working time may be at most {} a week",
                    hours(max)
                ),
            );
        }
    }
    e.into_result(())
}

/// No path fits: name the target groups and/or the age limits that fail.
/// With one path this reports what the old undated check reported (the
/// group and the age independently).
fn eligibility_errors(
    e: &mut ValidationErrors,
    name: &str,
    paths: &[Eligibility],
    groups: &[TargetGroup],
    age: u32,
) {
    let by_group: Vec<&Eligibility> = paths.iter().filter(|x| fits_group(x, groups)).collect();
    if by_group.is_empty() {
        e.add(
            "participant_id",
            "target_group_not_met",
            format!(
                "{name}: the participant must belong to one of: {}",
                codes(&groups_of(paths.iter()), TargetGroup::as_str).join(", ")
            ),
        );
    }
    // The age is judged against the paths the participant's groups open
    // (all paths when none does).
    let candidates: Vec<&Eligibility> = if by_group.is_empty() {
        paths.iter().collect()
    } else {
        by_group
    };
    let lowest = candidates
        .iter()
        .map(|x| x.min_age.unwrap_or(0))
        .min()
        .unwrap_or(0);
    let highest = candidates
        .iter()
        .map(|x| x.max_age.unwrap_or(u32::MAX))
        .max()
        .unwrap_or(u32::MAX);
    // When the participant's groups shut some paths, say which groups
    // would open other age spans.
    let shut = groups_of(paths.iter().filter(|x| !fits_group(x, groups)));
    let unless = if candidates.len() < paths.len() && !shut.is_empty() {
        format!(
            " without one of the target groups {}",
            codes(&shut, TargetGroup::as_str).join(", ")
        )
    } else {
        String::new()
    };
    if age < lowest {
        e.add(
            "participant_id",
            "age_below_minimum",
            format!("{name}: the participant is {age} at the start date; the youngest age is {lowest}{unless}"),
        );
    } else if age > highest {
        e.add(
            "participant_id",
            "age_above_maximum",
            format!("{name}: the participant is {age} at the start date; the oldest age is {highest}{unless}"),
        );
    } else if e.0.iter().all(|x| x.code != "target_group_not_met") {
        // The age fits some path, but only one the participant's groups do
        // not open: name the groups that would.
        let open = groups_of(paths.iter().filter(|x| fits_age(x, age)));
        if open.is_empty() {
            e.add(
                "participant_id",
                "age_above_maximum",
                format!("{name}: no rule takes a participant aged {age} at the start date"),
            );
        } else {
            e.add(
                "participant_id",
                "target_group_not_met",
                format!(
                    "{name}: at {age}, the participant must belong to one of: {}",
                    codes(&open, TargetGroup::as_str).join(", ")
                ),
            );
        }
    }
}

code_enum!(
    /// A host's legal form (juridisk form), as far as the sector rules need
    /// it.
    LegalForm {
        State = "state",
        Region = "region",
        Municipality = "municipality",
        MunicipalFederation = "municipal_federation",
        MunicipalCompany = "municipal_company",
        LimitedCompany = "limited_company",
        EconomicAssociation = "economic_association",
        NonProfitAssociation = "non_profit_association",
        Foundation = "foundation",
        ReligiousCommunity = "religious_community",
        Partnership = "partnership",
        SoleTrader = "sole_trader",
        Other = "other",
    }
);

impl LegalForm {
    /// The legal form an organisation number's group digit tells (the
    /// first of its ten digits; SCB's and Bolagsverket's numbering): 2 the
    /// state, a region, a municipality or a parish — recorded as
    /// `municipality`, which is all the sector rules need (public); 5 a
    /// limited company; 7 an economic association; 8 a non-profit
    /// association or a foundation — recorded as `non_profit_association`
    /// (non-profit either way); 9 a trading partnership. Other digits, or
    /// a number that is no organisation number (a sole trader's personal
    /// identity number), tell nothing. A municipal company is a limited
    /// company by its number: only the register can say who owns it.
    pub fn from_organisation_number(number: &str) -> Option<LegalForm> {
        let digits: Vec<u32> = number.chars().filter_map(|c| c.to_digit(10)).collect();
        // A 12-digit form starts with the century "16".
        let digits = match digits.len() {
            12 if digits[..2] == [1, 6] => &digits[2..],
            10 => &digits[..],
            _ => return None,
        };
        // Organisation numbers have a third digit of at least 2 (a month of
        // 20 or more); anything else is a personal identity number.
        if digits[2] < 2 {
            return None;
        }
        match digits[0] {
            2 => Some(LegalForm::Municipality),
            5 => Some(LegalForm::LimitedCompany),
            7 => Some(LegalForm::EconomicAssociation),
            8 => Some(LegalForm::NonProfitAssociation),
            9 => Some(LegalForm::Partnership),
            _ => None,
        }
    }

    /// The state, a region, a municipality or a municipal federation
    /// (not a municipal company).
    pub fn is_public(self) -> bool {
        matches!(
            self,
            LegalForm::State
                | LegalForm::Region
                | LegalForm::Municipality
                | LegalForm::MunicipalFederation
        )
    }
    /// A non-profit association, a foundation or a registered religious
    /// community.
    pub fn is_non_profit(self) -> bool {
        matches!(
            self,
            LegalForm::NonProfitAssociation | LegalForm::Foundation | LegalForm::ReligiousCommunity
        )
    }
}

/// What the sector rules look at: the host's SNI 2007 code (a division of
/// two digits, a longer code, or a section letter, as the employer register
/// holds it) and its legal form. A municipal unit as host is
/// `LegalForm::Municipality`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct HostFacts<'a> {
    pub sni_code: Option<&'a str>,
    pub legal_form: Option<LegalForm>,
}

/// The SNI areas the sector rules name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Area {
    /// 85–88 (P, Q): school, health care, care and social work.
    Welfare,
    /// 87–88: care with accommodation and social work (inside Welfare).
    SocialWork,
    /// 90–91: arts, libraries, museums, cultural heritage.
    Culture,
    /// 93 (and section R as a whole): sport and recreation.
    Sport,
    /// 94 (section S as a whole): membership and religious organisations.
    Organisations,
    Other,
}

fn areas(sni: &str) -> Vec<Area> {
    let s = sni.trim();
    let digits: String = s.chars().filter(char::is_ascii_digit).take(2).collect();
    if digits.len() == 2 {
        return match digits.parse::<u32>().unwrap_or(0) {
            85 | 86 => vec![Area::Welfare],
            87 | 88 => vec![Area::Welfare, Area::SocialWork],
            90 | 91 => vec![Area::Culture],
            93 => vec![Area::Sport],
            94 => vec![Area::Organisations],
            _ => vec![Area::Other],
        };
    }
    match s.to_ascii_uppercase().as_str() {
        "P" => vec![Area::Welfare],
        "Q" => vec![Area::Welfare, Area::SocialWork],
        "R" => vec![Area::Culture, Area::Sport],
        "S" => vec![Area::Organisations],
        _ => vec![Area::Other],
    }
}

/// Check a host against a sector rule (the version's `sector`). Codes on
/// `employer_id`: `sector_not_allowed` (the message names the rule) and
/// `sector_unknown` (the SNI code or legal form needed is not recorded).
/// Public authorities' market activity, public financing of welfare and
/// culture's commercial income are not judged.
pub fn check_sector(rule: SectorRule, host: &HostFacts) -> Result<(), ValidationErrors> {
    let mut e = ValidationErrors::new();
    let public = host.legal_form.map(LegalForm::is_public);
    let non_profit = host.legal_form.map(LegalForm::is_non_profit);
    let area = host.sni_code.map(areas);
    let has = |a: Area| area.as_ref().map(|v| v.contains(&a));
    let allowed: Option<bool> = match rule {
        SectorRule::AnyEmployer => Some(true),
        SectorRule::PublicOnly => public,
        SectorRule::WelfareOrPublicAuthority => match (public, has(Area::Welfare)) {
            (Some(true), _) | (_, Some(true)) => Some(true),
            (Some(false), Some(false)) => Some(false),
            _ => None,
        },
        SectorRule::WelfarePublicOrNonProfit => {
            let non_profit_area = area.as_ref().map(|v| {
                v.iter().any(|a| {
                    matches!(
                        a,
                        Area::Culture | Area::Sport | Area::Organisations | Area::SocialWork
                    )
                })
            });
            match (public, has(Area::Welfare), non_profit, non_profit_area) {
                (Some(true), ..) | (_, Some(true), ..) => Some(true),
                (_, _, Some(true), Some(true)) => Some(true),
                (Some(false), Some(false), Some(false), _) => Some(false),
                (Some(false), Some(false), _, Some(false)) => Some(false),
                _ => None,
            }
        }
    };
    let rule_text = match rule {
        SectorRule::AnyEmployer => "any employer",
        SectorRule::PublicOnly => "public employers only (the state, a region, a municipality)",
        SectorRule::WelfareOrPublicAuthority => {
            "welfare (school, health care, care; SNI 85–88) or a public authority"
        }
        SectorRule::WelfarePublicOrNonProfit => {
            "welfare (SNI 85–88), a public authority, or a non-profit employer in culture, sport, religious or social work"
        }
    };
    match allowed {
        Some(true) => {}
        Some(false) => e.add(
            "employer_id",
            "sector_not_allowed",
            format!("the programme allows {rule_text}"),
        ),
        None => e.add(
            "employer_id",
            "sector_unknown",
            format!("the programme allows {rule_text}: record the host's SNI code and legal form to judge it"),
        ),
    }
    e.into_result(())
}

impl RuleVersion {
    /// [`check_sector`] with this version's rule.
    pub fn check_host(&self, host: &HostFacts) -> Result<(), ValidationErrors> {
        check_sector(self.sector, host)
    }
}

#[cfg(test)]
mod legal_form_tests {
    use super::LegalForm;

    #[test]
    fn the_group_digit_tells_the_legal_form() {
        assert_eq!(
            LegalForm::from_organisation_number("212000-0142"),
            Some(LegalForm::Municipality)
        );
        assert_eq!(
            LegalForm::from_organisation_number("556677-8899"),
            Some(LegalForm::LimitedCompany)
        );
        assert_eq!(
            LegalForm::from_organisation_number("16556677-8899"),
            Some(LegalForm::LimitedCompany)
        );
        assert_eq!(
            LegalForm::from_organisation_number("802000-0000"),
            Some(LegalForm::NonProfitAssociation)
        );
        assert_eq!(
            LegalForm::from_organisation_number("969600-0000"),
            Some(LegalForm::Partnership)
        );
        // A sole trader's personal identity number, a foreign company, junk.
        assert_eq!(LegalForm::from_organisation_number("811218-9876"), None);
        assert_eq!(LegalForm::from_organisation_number("302000-0000"), None);
        assert_eq!(LegalForm::from_organisation_number("55"), None);
    }
}
