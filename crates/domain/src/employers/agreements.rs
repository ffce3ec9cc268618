//! The employer register's agreements: partnership agreements
//! (branschpartnerskap) with their outcomes and yearly progress, and
//! social-procurement contracts (social hänsyn) with their monthly
//! fulfilment. Pure validation and arithmetic, beside the register itself
//! (the module above).

use super::code;
use crate::org::code_enum;
use crate::validation::{
    optional_int, optional_text, required_text, ValidationErrors, REGISTER_DATES,
};
use chrono::{Datelike, NaiveDate};

code_enum!(
    /// A recorded result under a partnership agreement.
    OutcomeKind {
        Placement = "placement",
        Hire = "hire",
    }
);

code_enum!(
    /// What a social-procurement contract requires of the supplier: N
    /// people from the target groups placed during the period, or a share
    /// (per mille) of the contract hours worked by them.
    RequirementKind {
        Placements = "placements",
        HoursShare = "hours_share",
    }
);

/// A partnership agreement as it arrives (also the API body's shape).
#[derive(Debug, Clone, Default, serde::Serialize, serde::Deserialize, utoipa::ToSchema)]
#[serde(default)]
pub struct PartnershipInput {
    #[schema(nullable = false)]
    pub name: Option<String>,
    /// YYYY-MM-DD
    #[schema(nullable = false)]
    pub valid_from: Option<String>,
    pub valid_to: Option<String>,
    pub target_placements_per_year: Option<i64>,
    pub target_hires_per_year: Option<i64>,
    pub note: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PartnershipData {
    pub name: String,
    pub valid_from: NaiveDate,
    pub valid_to: Option<NaiveDate>,
    pub target_placements_per_year: i64,
    pub target_hires_per_year: i64,
    pub note: Option<String>,
}

impl PartnershipData {
    pub fn from_input(i: &PartnershipInput) -> Result<PartnershipData, ValidationErrors> {
        let mut e = ValidationErrors::new();
        let name = required_text(&mut e, "name", i.name.as_deref(), 200);
        let valid_from = REGISTER_DATES.required(&mut e, "valid_from", i.valid_from.as_deref());
        let valid_to = REGISTER_DATES.optional(&mut e, "valid_to", i.valid_to.as_deref());
        if let (Some(f), Some(t)) = (valid_from, valid_to) {
            if t < f {
                e.add(
                    "valid_to",
                    "before_start",
                    "valid_to may not be before valid_from",
                );
            }
        }
        let target_placements_per_year = optional_int(
            &mut e,
            "target_placements_per_year",
            i.target_placements_per_year,
            0,
            100_000,
        )
        .unwrap_or(0);
        let target_hires_per_year = optional_int(
            &mut e,
            "target_hires_per_year",
            i.target_hires_per_year,
            0,
            100_000,
        )
        .unwrap_or(0);
        let note = optional_text(&mut e, "note", i.note.as_deref(), 4000);
        match valid_from {
            Some(valid_from) if e.is_empty() => Ok(PartnershipData {
                name,
                valid_from,
                valid_to,
                target_placements_per_year,
                target_hires_per_year,
                note,
            }),
            _ => Err(e),
        }
    }
}

/// An outcome under an agreement as it arrives (also the API body's shape).
#[derive(Debug, Clone, Default, serde::Serialize, serde::Deserialize, utoipa::ToSchema)]
#[serde(default)]
pub struct OutcomeInput {
    /// YYYY-MM-DD, inside the agreement and not after today.
    #[schema(nullable = false)]
    pub occurred_on: Option<String>,
    /// placement or hire
    #[schema(nullable = false)]
    pub kind: Option<String>,
    pub note: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutcomeData {
    pub occurred_on: NaiveDate,
    pub kind: OutcomeKind,
    pub note: Option<String>,
}

impl OutcomeData {
    /// An outcome falls inside the agreement's validity and not after today.
    pub fn from_input(
        i: &OutcomeInput,
        valid_from: NaiveDate,
        valid_to: Option<NaiveDate>,
        today: NaiveDate,
    ) -> Result<OutcomeData, ValidationErrors> {
        let mut e = ValidationErrors::new();
        let occurred_on = REGISTER_DATES.required(&mut e, "occurred_on", i.occurred_on.as_deref());
        if let Some(d) = occurred_on {
            if d > today {
                e.add(
                    "occurred_on",
                    "in_future",
                    "occurred_on may not be later than today",
                );
            } else if d < valid_from || valid_to.is_some_and(|t| d > t) {
                e.add(
                    "occurred_on",
                    "outside_agreement",
                    "occurred_on must be inside the agreement's validity",
                );
            }
        }
        if i.kind.as_deref().is_none_or(|k| k.trim().is_empty()) {
            e.add("kind", "required", "kind is required");
        }
        let kind = code::<OutcomeKind>(&mut e, "kind", i.kind.as_deref());
        let note = optional_text(&mut e, "note", i.note.as_deref(), 4000);
        match (occurred_on, kind) {
            (Some(occurred_on), Some(kind)) if e.is_empty() => Ok(OutcomeData {
                occurred_on,
                kind,
                note,
            }),
            _ => Err(e),
        }
    }
}

/// A social-procurement contract as it arrives (also the API body's shape).
#[derive(Debug, Clone, Default, serde::Serialize, serde::Deserialize, utoipa::ToSchema)]
#[serde(default)]
pub struct ProcurementInput {
    #[schema(nullable = false)]
    pub contract_name: Option<String>,
    pub contract_reference: Option<String>,
    #[schema(nullable = false)]
    pub procuring_unit: Option<String>,
    #[schema(nullable = false)]
    pub period_from: Option<String>,
    #[schema(nullable = false)]
    pub period_to: Option<String>,
    /// placements or hours_share
    #[schema(nullable = false)]
    pub requirement_kind: Option<String>,
    /// For placements: 1–100000.
    pub required_placements: Option<i64>,
    /// For hours_share: 1–1000 per mille of contract hours.
    pub required_hours_share_permille: Option<i64>,
    pub note: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Requirement {
    Placements(i64),
    /// Per mille of the contract hours, 1–1000.
    HoursShare(i64),
}

impl Requirement {
    pub fn kind(self) -> RequirementKind {
        match self {
            Requirement::Placements(_) => RequirementKind::Placements,
            Requirement::HoursShare(_) => RequirementKind::HoursShare,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProcurementData {
    pub contract_name: String,
    pub contract_reference: Option<String>,
    pub procuring_unit: String,
    pub period_from: NaiveDate,
    pub period_to: NaiveDate,
    pub requirement: Requirement,
    pub note: Option<String>,
}

impl ProcurementData {
    pub fn from_input(i: &ProcurementInput) -> Result<ProcurementData, ValidationErrors> {
        let mut e = ValidationErrors::new();
        let contract_name = required_text(&mut e, "contract_name", i.contract_name.as_deref(), 200);
        let contract_reference = optional_text(
            &mut e,
            "contract_reference",
            i.contract_reference.as_deref(),
            100,
        );
        let procuring_unit =
            required_text(&mut e, "procuring_unit", i.procuring_unit.as_deref(), 200);
        let period_from = REGISTER_DATES.required(&mut e, "period_from", i.period_from.as_deref());
        let period_to = REGISTER_DATES.required(&mut e, "period_to", i.period_to.as_deref());
        if let (Some(f), Some(t)) = (period_from, period_to) {
            if t < f {
                e.add(
                    "period_to",
                    "before_start",
                    "period_to may not be before period_from",
                );
            }
        }
        if i.requirement_kind
            .as_deref()
            .is_none_or(|k| k.trim().is_empty())
        {
            e.add(
                "requirement_kind",
                "required",
                "requirement_kind is required",
            );
        }
        let kind =
            code::<RequirementKind>(&mut e, "requirement_kind", i.requirement_kind.as_deref());
        let requirement = match kind {
            Some(RequirementKind::Placements) => match i.required_placements {
                Some(n) if (1..=100_000).contains(&n) => Some(Requirement::Placements(n)),
                _ => {
                    e.add(
                        "required_placements",
                        "out_of_range",
                        "required_placements must be from 1 to 100000 for a placements requirement",
                    );
                    None
                }
            },
            Some(RequirementKind::HoursShare) => match i.required_hours_share_permille {
                Some(n) if (1..=1000).contains(&n) => Some(Requirement::HoursShare(n)),
                _ => {
                    e.add(
                        "required_hours_share_permille",
                        "out_of_range",
                        "required_hours_share_permille must be from 1 to 1000 for an hours_share requirement",
                    );
                    None
                }
            },
            None => None,
        };
        let note = optional_text(&mut e, "note", i.note.as_deref(), 4000);
        match (period_from, period_to, requirement) {
            (Some(period_from), Some(period_to), Some(requirement)) if e.is_empty() => {
                Ok(ProcurementData {
                    contract_name,
                    contract_reference,
                    procuring_unit,
                    period_from,
                    period_to,
                    requirement,
                    note,
                })
            }
            _ => Err(e),
        }
    }
}

#[derive(Debug, Clone, Default)]
pub struct FulfilmentInput {
    pub placements: Option<i64>,
    pub contract_hours: Option<i64>,
    pub target_group_hours: Option<i64>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FulfilmentRow {
    /// The first day of the month.
    pub month: NaiveDate,
    pub placements: i64,
    pub contract_hours: i64,
    pub target_group_hours: i64,
}

/// `YYYY-MM` to the month's first day.
pub fn parse_month(v: &str) -> Option<NaiveDate> {
    let d = NaiveDate::parse_from_str(&format!("{}-01", v.trim()), "%Y-%m-%d").ok()?;
    (2000..=2100).contains(&d.year()).then_some(d)
}

pub fn month_text(d: NaiveDate) -> String {
    d.format("%Y-%m").to_string()
}

fn first_of_month(d: NaiveDate) -> NaiveDate {
    d.with_day(1).unwrap_or(d)
}

/// Months since year 0, for month arithmetic.
fn month_index(d: NaiveDate) -> i64 {
    i64::from(d.year()) * 12 + i64::from(d.month0())
}

impl FulfilmentRow {
    /// One month's report for a contract running `period_from..=period_to`.
    pub fn from_input(
        month: &str,
        i: &FulfilmentInput,
        period_from: NaiveDate,
        period_to: NaiveDate,
    ) -> Result<FulfilmentRow, ValidationErrors> {
        let mut e = ValidationErrors::new();
        let m = parse_month(month);
        match m {
            None => e.add("month", "invalid", "month must be YYYY-MM"),
            Some(m) if m < first_of_month(period_from) || m > period_to => e.add(
                "month",
                "outside_period",
                "month must be inside the contract period",
            ),
            _ => {}
        }
        let placements = optional_int(&mut e, "placements", i.placements, 0, 100_000).unwrap_or(0);
        let contract_hours =
            optional_int(&mut e, "contract_hours", i.contract_hours, 0, 10_000_000).unwrap_or(0);
        let target_group_hours = optional_int(
            &mut e,
            "target_group_hours",
            i.target_group_hours,
            0,
            10_000_000,
        )
        .unwrap_or(0);
        if target_group_hours > contract_hours {
            e.add(
                "target_group_hours",
                "exceeds_contract_hours",
                "target_group_hours may not exceed contract_hours",
            );
        }
        match m {
            Some(month) if e.is_empty() => Ok(FulfilmentRow {
                month,
                placements,
                contract_hours,
                target_group_hours,
            }),
            _ => Err(e),
        }
    }
}

/// `actual` as a whole percentage of `target`, rounded down; `None` when
/// there is no target.
pub fn percent(actual: i64, target: i64) -> Option<i64> {
    (target > 0).then(|| actual.max(0).saturating_mul(100) / target)
}

/// One calendar year of a partnership agreement: the yearly targets against
/// the outcomes recorded in that year.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct YearProgress {
    pub year: i32,
    pub target_placements: i64,
    pub actual_placements: i64,
    pub placements_percent: Option<i64>,
    pub target_hires: i64,
    pub actual_hires: i64,
    pub hires_percent: Option<i64>,
}

/// Actual against target per calendar year, from the agreement's first year
/// to its last (or, while open-ended, to `today`'s year; never fewer than
/// one year). The yearly target applies in full to every calendar year the
/// agreement touches — agreements set targets per year, not per day.
pub fn partnership_progress(
    valid_from: NaiveDate,
    valid_to: Option<NaiveDate>,
    target_placements: i64,
    target_hires: i64,
    today: NaiveDate,
    outcomes: &[(NaiveDate, OutcomeKind)],
) -> Vec<YearProgress> {
    let first = valid_from.year();
    let last = valid_to.map_or(today.year(), |t| t.year()).max(first);
    (first..=last)
        .map(|year| {
            let count = |k: OutcomeKind| {
                outcomes
                    .iter()
                    .filter(|(d, kind)| d.year() == year && *kind == k)
                    .count() as i64
            };
            let actual_placements = count(OutcomeKind::Placement);
            let actual_hires = count(OutcomeKind::Hire);
            YearProgress {
                year,
                target_placements,
                actual_placements,
                placements_percent: percent(actual_placements, target_placements),
                target_hires,
                actual_hires,
                hires_percent: percent(actual_hires, target_hires),
            }
        })
        .collect()
}

/// How a social-procurement contract stands.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fulfilment {
    pub months_total: i64,
    /// Months of the period wholly before `today`.
    pub months_elapsed: i64,
    pub months_reported: i64,
    pub placements_so_far: i64,
    pub contract_hours: i64,
    pub target_group_hours: i64,
    /// Target-group hours per mille of contract hours, rounded down;
    /// `None` before any contract hours are reported.
    pub hours_share_permille: Option<i64>,
    /// For a placements requirement: the placements due by now, the
    /// requirement spread evenly over the period's months (rounded down).
    pub expected_placements_by_now: Option<i64>,
    /// Placements so far against required, in whole percent (rounded down).
    pub percent_of_requirement: Option<i64>,
    /// Behind: fewer placements than due by now, or a reported hours share
    /// below the required share.
    pub behind: bool,
}

pub fn fulfilment(
    period_from: NaiveDate,
    period_to: NaiveDate,
    requirement: Requirement,
    rows: &[FulfilmentRow],
    today: NaiveDate,
) -> Fulfilment {
    let start = month_index(period_from);
    let months_total = (month_index(period_to) - start + 1).max(1);
    let months_elapsed = (month_index(today) - start).clamp(0, months_total);
    let placements_so_far: i64 = rows.iter().map(|r| r.placements).sum();
    let contract_hours: i64 = rows.iter().map(|r| r.contract_hours).sum();
    let target_group_hours: i64 = rows.iter().map(|r| r.target_group_hours).sum();
    let hours_share_permille =
        (contract_hours > 0).then(|| target_group_hours.saturating_mul(1000) / contract_hours);
    let (expected, pct, behind) = match requirement {
        Requirement::Placements(required) => {
            let expected = required.saturating_mul(months_elapsed) / months_total;
            (
                Some(expected),
                percent(placements_so_far, required),
                placements_so_far < expected,
            )
        }
        Requirement::HoursShare(required) => (
            None,
            hours_share_permille.and_then(|s| percent(s, required)),
            // Exact integer comparison: share < required  ⇔  tg·1000 < req·hours.
            contract_hours > 0
                && target_group_hours.saturating_mul(1000)
                    < required.saturating_mul(contract_hours),
        ),
    };
    Fulfilment {
        months_total,
        months_elapsed,
        months_reported: rows.len() as i64,
        placements_so_far,
        contract_hours,
        target_group_hours,
        hours_share_permille,
        expected_placements_by_now: expected,
        percent_of_requirement: pct,
        behind,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::employers::{InteractionData, InteractionInput};
    use crate::time::ymd as d;
    use proptest::prelude::*;

    #[test]
    fn interactions_and_outcomes_are_dated_in_the_past() {
        let today = d("2026-05-10");
        let err = InteractionData::from_input(
            &InteractionInput {
                occurred_on: Some("2026-05-11".into()),
                kind: Some("fax".into()),
                note: Some("x".into()),
            },
            today,
        )
        .unwrap_err();
        assert_eq!(err.for_field("occurred_on").unwrap().code, "in_future");
        assert!(err.for_field("kind").is_some());
        let err = OutcomeData::from_input(
            &OutcomeInput {
                occurred_on: Some("2025-12-31".into()),
                kind: Some("hire".into()),
                note: None,
            },
            d("2026-01-01"),
            None,
            today,
        )
        .unwrap_err();
        assert_eq!(
            err.for_field("occurred_on").unwrap().code,
            "outside_agreement"
        );
    }

    #[test]
    fn procurement_requirement_needs_its_number() {
        let base = ProcurementInput {
            contract_name: Some("Städ".into()),
            procuring_unit: Some("Fastighetskontoret".into()),
            period_from: Some("2026-01-01".into()),
            period_to: Some("2026-12-31".into()),
            requirement_kind: Some("hours_share".into()),
            ..Default::default()
        };
        let err = ProcurementData::from_input(&base).unwrap_err();
        assert!(err.for_field("required_hours_share_permille").is_some());
        let ok = ProcurementData::from_input(&ProcurementInput {
            required_hours_share_permille: Some(50),
            ..base
        })
        .unwrap();
        assert_eq!(ok.requirement, Requirement::HoursShare(50));
    }

    #[test]
    fn fulfilment_month_must_be_in_the_period() {
        let i = FulfilmentInput {
            placements: Some(1),
            contract_hours: Some(100),
            target_group_hours: Some(120),
        };
        let err =
            FulfilmentRow::from_input("2027-01", &i, d("2026-01-15"), d("2026-12-31")).unwrap_err();
        assert_eq!(err.for_field("month").unwrap().code, "outside_period");
        assert!(err.for_field("target_group_hours").is_some());
        let ok = FulfilmentRow::from_input(
            "2026-01",
            &FulfilmentInput {
                target_group_hours: Some(10),
                ..i
            },
            d("2026-01-15"),
            d("2026-12-31"),
        )
        .unwrap();
        assert_eq!(ok.month, d("2026-01-01"));
    }

    #[test]
    fn partnership_progress_counts_outcomes_per_calendar_year() {
        let outcomes = [
            (d("2025-03-01"), OutcomeKind::Placement),
            (d("2025-06-01"), OutcomeKind::Placement),
            (d("2025-07-01"), OutcomeKind::Hire),
            (d("2026-01-10"), OutcomeKind::Placement),
        ];
        let p = partnership_progress(d("2025-02-01"), None, 4, 3, d("2026-05-01"), &outcomes);
        assert_eq!(p.len(), 2);
        assert_eq!(p[0].year, 2025);
        assert_eq!(
            (p[0].actual_placements, p[0].placements_percent),
            (2, Some(50))
        );
        assert_eq!((p[0].actual_hires, p[0].hires_percent), (1, Some(33)));
        assert_eq!(
            (p[1].actual_placements, p[1].placements_percent),
            (1, Some(25))
        );
        assert_eq!(percent(3, 0), None);
    }

    #[test]
    fn placements_fulfilment_is_spread_over_the_period() {
        // 12 months, 6 required; on 2026-07-15 six months are complete: 3 due.
        let rows = [
            FulfilmentRow {
                month: d("2026-01-01"),
                placements: 1,
                contract_hours: 0,
                target_group_hours: 0,
            },
            FulfilmentRow {
                month: d("2026-03-01"),
                placements: 1,
                contract_hours: 0,
                target_group_hours: 0,
            },
        ];
        let f = fulfilment(
            d("2026-01-01"),
            d("2026-12-31"),
            Requirement::Placements(6),
            &rows,
            d("2026-07-15"),
        );
        assert_eq!(f.months_total, 12);
        assert_eq!(f.months_elapsed, 6);
        assert_eq!(f.expected_placements_by_now, Some(3));
        assert_eq!(f.placements_so_far, 2);
        assert_eq!(f.percent_of_requirement, Some(33));
        assert!(f.behind);
    }

    #[test]
    fn hours_share_fulfilment_compares_exactly() {
        let row = |c, t| FulfilmentRow {
            month: d("2026-01-01"),
            placements: 0,
            contract_hours: c,
            target_group_hours: t,
        };
        let req = Requirement::HoursShare(50);
        let f = fulfilment(
            d("2026-01-01"),
            d("2026-06-30"),
            req,
            &[row(1000, 50)],
            d("2026-03-01"),
        );
        assert_eq!(f.hours_share_permille, Some(50));
        assert!(!f.behind);
        let f = fulfilment(
            d("2026-01-01"),
            d("2026-06-30"),
            req,
            &[row(1001, 50)],
            d("2026-03-01"),
        );
        assert_eq!(f.hours_share_permille, Some(49));
        assert!(f.behind);
        let f = fulfilment(d("2026-01-01"), d("2026-06-30"), req, &[], d("2026-03-01"));
        assert_eq!(f.hours_share_permille, None);
        assert!(!f.behind);
    }

    proptest! {
        #[test]
        fn fulfilment_arithmetic_is_consistent(
            required in 1i64..500,
            months in 1u32..48,
            offset in 0i64..60,
            rows in proptest::collection::vec((0i64..20, 0i64..2000, 0i64..2000), 0..24),
        ) {
            let from = d("2025-01-01");
            let to = from.checked_add_months(chrono::Months::new(months)).unwrap().pred_opt().unwrap();
            let today = from.checked_add_days(chrono::Days::new(offset as u64 * 30)).unwrap();
            let rows: Vec<FulfilmentRow> = rows.into_iter().map(|(p, c, t)| FulfilmentRow {
                month: from, placements: p, contract_hours: c.max(t), target_group_hours: t.min(c),
            }).collect();
            let f = fulfilment(from, to, Requirement::Placements(required), &rows, today);
            prop_assert!(f.months_elapsed <= f.months_total);
            let expected = f.expected_placements_by_now.unwrap();
            prop_assert!(expected <= required);
            prop_assert_eq!(f.behind, f.placements_so_far < expected);
            if today > to {
                prop_assert_eq!(expected, required);
            }
            let share = 1 + required % 1000;
            let h = fulfilment(from, to, Requirement::HoursShare(share), &rows, today);
            if let Some(s) = h.hours_share_permille {
                prop_assert!(s <= 1000);
                // Behind exactly when the exact share is below the requirement.
                prop_assert_eq!(h.behind, h.target_group_hours * 1000 < share * h.contract_hours);
                if h.behind { prop_assert!(s < share); } else { prop_assert!(s >= share); }
            } else {
                prop_assert!(!h.behind);
            }
        }

        #[test]
        fn yearly_actuals_add_up_to_all_outcomes(
            days in proptest::collection::vec((0u64..1500, any::<bool>()), 0..60),
            target in 0i64..50,
        ) {
            let from = d("2023-01-01");
            let outcomes: Vec<(NaiveDate, OutcomeKind)> = days.iter().map(|(n, hire)| (
                from.checked_add_days(chrono::Days::new(*n)).unwrap(),
                if *hire { OutcomeKind::Hire } else { OutcomeKind::Placement },
            )).collect();
            let p = partnership_progress(from, None, target, target, d("2027-12-31"), &outcomes);
            let total: i64 = p.iter().map(|y| y.actual_placements + y.actual_hires).sum();
            prop_assert_eq!(total, outcomes.len() as i64);
            for y in &p {
                prop_assert_eq!(y.placements_percent, percent(y.actual_placements, target));
            }
        }
    }
}
