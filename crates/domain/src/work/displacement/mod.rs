//! Displacement risk (undanträngning) of a placement, factor by factor.
//!
//! A subsidised or programme worker must not take the place of ordinary
//! staff. The level starts at `medium` (an ordinary task at an ordinary
//! employer carries some risk) and each factor moves it one step:
//!
//! | factor | effect |
//! |---|---|
//! | the occupation is short of people in the county | lower |
//! | the task is an extra, not ordinary operations | lower |
//! | subsidised and programme workers above the share limit at the workplace | higher |
//! | the same role at the same host filled by consecutive placements for more than 24 months | higher |
//! | the host gave notice to or dismissed staff in the occupation in the last 12 months | blocks |
//!
//! Two lowering factors and nothing raising give `low`; one step of net
//! raising gives `high`; a recent reduction gives `blocked` whatever else
//! holds. Every factor is reported, applied or not, with its numbers, so
//! the explanation reads the same on the page and in the API.

pub mod reductions;

pub use reductions::{Reduction, ReductionInput, ReductionKind};

use crate::org::code_enum;
use chrono::{Months, NaiveDate};
use serde::{Deserialize, Serialize};

/// The share of subsidised and programme workers above which the factor
/// applies, when `VAGAR_DISPLACEMENT_SHARE_PERCENT` is not set.
pub const DEFAULT_SHARE_LIMIT_PERCENT: i64 = 30;
/// Consecutive placements in one role at one host for longer than this.
pub const CONSECUTIVE_LIMIT_MONTHS: u32 = 24;
/// Placements at most this many days apart count as consecutive.
pub const CONSECUTIVE_GAP_DAYS: i64 = 31;
/// How far back a notice or dismissal blocks.
pub const REDUCTION_LOOKBACK_MONTHS: u32 = 12;

/// Parse the configured share limit (the environment variable's text);
/// anything but a whole percent from 1 to 100 falls back to the default.
pub fn share_limit_from(text: Option<&str>) -> i64 {
    text.and_then(|t| t.trim().parse::<i64>().ok())
        .filter(|v| (1..=100).contains(v))
        .unwrap_or(DEFAULT_SHARE_LIMIT_PERCENT)
}

code_enum!(
    /// How likely a placement is to displace ordinary staff, lowest first.
    RiskLevel {
        Low = "low",
        Medium = "medium",
        High = "high",
        Blocked = "blocked",
    }
);

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Effect {
    /// Not applied (the condition does not hold or cannot be judged).
    None,
    Lower,
    Higher,
    Blocks,
}

/// One factor as shown: a stable code, whether and how it applied, the
/// text key (`wi-factor-<code>-<applied|not-applied|unknown>`, the same in
/// sv.ftl and en.ftl) and the numbers the text is built from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Factor {
    /// shortage_occupation, recent_dismissals, subsidised_share,
    /// consecutive_placements, extra_task
    pub code: String,
    pub effect: Effect,
    pub key: String,
    /// English explanation (the API's; pages translate `key`).
    pub text: String,
    /// Named numbers behind the text (percent, limit, months, persons, …).
    #[schema(value_type = Object)]
    pub numbers: serde_json::Map<String, serde_json::Value>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Assessment {
    pub level: RiskLevel,
    pub factors: Vec<Factor>,
}

impl Assessment {
    /// The factor that blocks, if any (`recent_dismissals`).
    pub fn blocking_factor(&self) -> Option<&Factor> {
        self.factors.iter().find(|f| f.effect == Effect::Blocks)
    }
}

/// A notice or dismissal at the host in the placement's occupation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ReductionFact {
    pub occurred_on: NaiveDate,
    pub persons: i64,
    pub dismissal: bool,
}

/// Everything the assessment looks at, loaded by the store.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Facts {
    pub start_date: NaiveDate,
    pub end_date: NaiveDate,
    /// `None`: no shortage data for the occupation and county.
    pub shortage: Option<bool>,
    /// Reductions at the host in the occupation (any date; filtered here).
    pub reductions: Vec<ReductionFact>,
    /// Planned and active subsidised/programme placements at the workplace
    /// overlapping this one, not counting it.
    pub other_placements_at_workplace: i64,
    /// Head count at the workplace; `None` when unknown (no workplace, or
    /// not recorded): the share cannot be judged.
    pub staff_count: Option<i64>,
    pub share_limit_percent: i64,
    /// Earlier placements in the same occupation at the same host (start, end).
    pub earlier_in_role: Vec<(NaiveDate, NaiveDate)>,
    pub extra_task: bool,
}

fn nums(pairs: &[(&str, serde_json::Value)]) -> serde_json::Map<String, serde_json::Value> {
    pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.clone()))
        .collect()
}

fn factor(
    code: &str,
    effect: Effect,
    state: &str,
    text: String,
    numbers: serde_json::Map<String, serde_json::Value>,
) -> Factor {
    Factor {
        code: code.into(),
        effect,
        key: format!("wi-factor-{}-{state}", code.replace('_', "-")),
        text,
        numbers,
    }
}

/// The first day of the unbroken chain of placements in the role that ends
/// with the new one (`new_start`): earlier placements count when they end at
/// most `CONSECUTIVE_GAP_DAYS` before the next one starts.
pub fn chain_start(earlier: &[(NaiveDate, NaiveDate)], new_start: NaiveDate) -> NaiveDate {
    let mut sorted: Vec<(NaiveDate, NaiveDate)> = earlier
        .iter()
        .copied()
        .filter(|(s, _)| *s < new_start)
        .collect();
    // Latest end first: walk back from the new placement.
    sorted.sort_by(|a, b| b.1.cmp(&a.1).then(b.0.cmp(&a.0)));
    let mut start = new_start;
    let mut changed = true;
    while changed {
        changed = false;
        for (s, e) in &sorted {
            if *s < start && (start - *e).num_days() <= CONSECUTIVE_GAP_DAYS {
                start = *s;
                changed = true;
            }
        }
    }
    start
}

/// Whole months from `a` to `b` (b after a), rounded down.
pub fn whole_months(a: NaiveDate, b: NaiveDate) -> u32 {
    let mut m = 0;
    while a
        .checked_add_months(Months::new(m + 1))
        .is_some_and(|d| d <= b)
    {
        m += 1;
    }
    m
}

pub fn assess(f: &Facts) -> Assessment {
    let mut factors = Vec::new();
    let mut score: i32 = 0;

    // 1. Shortage occupation: a job nobody else takes displaces no one.
    match f.shortage {
        Some(true) => {
            score -= 1;
            factors.push(factor(
                "shortage_occupation",
                Effect::Lower,
                "applied",
                "the occupation is short of people in the county: lower risk".into(),
                nums(&[]),
            ));
        }
        Some(false) => factors.push(factor(
            "shortage_occupation",
            Effect::None,
            "not-applied",
            "the occupation is not short of people in the county".into(),
            nums(&[]),
        )),
        None => factors.push(factor(
            "shortage_occupation",
            Effect::None,
            "unknown",
            "no shortage data for the occupation in the county".into(),
            nums(&[]),
        )),
    }

    // 2. Notices and dismissals in the occupation, 12 months before the
    // start up to the end of the placement.
    let from = f
        .start_date
        .checked_sub_months(Months::new(REDUCTION_LOOKBACK_MONTHS))
        .unwrap_or(f.start_date);
    let recent: Vec<&ReductionFact> = f
        .reductions
        .iter()
        .filter(|r| r.occurred_on >= from && r.occurred_on <= f.end_date)
        .collect();
    let blocked = !recent.is_empty();
    if blocked {
        let persons: i64 = recent.iter().map(|r| r.persons).sum();
        let latest = recent
            .iter()
            .map(|r| r.occurred_on)
            .max()
            .unwrap_or(f.start_date);
        let dismissals = recent.iter().filter(|r| r.dismissal).count();
        factors.push(factor(
            "recent_dismissals",
            Effect::Blocks,
            "applied",
            format!(
                "the host gave notice to or dismissed {persons} person(s) in this occupation in the 12 months before the start (latest {latest}): blocked"
            ),
            nums(&[
                ("persons", persons.into()),
                ("events", (recent.len() as i64).into()),
                ("dismissals", (dismissals as i64).into()),
                ("latest", latest.to_string().into()),
                ("months", REDUCTION_LOOKBACK_MONTHS.into()),
            ]),
        ));
    } else {
        factors.push(factor(
            "recent_dismissals",
            Effect::None,
            "not-applied",
            "no notices or dismissals in this occupation at the host in the 12 months before the start".into(),
            nums(&[("months", REDUCTION_LOOKBACK_MONTHS.into())]),
        ));
    }

    // 3. Share of subsidised and programme workers at the workplace,
    // counting this placement.
    match f.staff_count.filter(|s| *s > 0) {
        Some(staff) => {
            let workers = f.other_placements_at_workplace + 1;
            // Rounded down: the limit is exceeded only by a whole percent.
            let percent = workers * 100 / staff;
            let numbers = nums(&[
                ("workers", workers.into()),
                ("staff", staff.into()),
                ("percent", percent.into()),
                ("limit", f.share_limit_percent.into()),
            ]);
            if percent > f.share_limit_percent {
                score += 1;
                factors.push(factor(
                    "subsidised_share",
                    Effect::Higher,
                    "applied",
                    format!(
                        "{workers} of {staff} at the workplace ({percent} %) would be subsidised or programme workers, above the limit of {} %: higher risk",
                        f.share_limit_percent
                    ),
                    numbers,
                ));
            } else {
                factors.push(factor(
                    "subsidised_share",
                    Effect::None,
                    "not-applied",
                    format!(
                        "{workers} of {staff} at the workplace ({percent} %) would be subsidised or programme workers, within the limit of {} %",
                        f.share_limit_percent
                    ),
                    numbers,
                ));
            }
        }
        None => factors.push(factor(
            "subsidised_share",
            Effect::None,
            "unknown",
            "the workplace's head count is not recorded: the share cannot be judged".into(),
            nums(&[("limit", f.share_limit_percent.into())]),
        )),
    }

    // 4. The same role filled by consecutive placements for over 24 months.
    let chain_from = chain_start(&f.earlier_in_role, f.start_date);
    let months = whole_months(chain_from, f.end_date);
    let too_long = f
        .end_date
        .checked_sub_months(Months::new(CONSECUTIVE_LIMIT_MONTHS))
        .is_some_and(|d| d > chain_from);
    let numbers = nums(&[
        ("months", months.into()),
        ("limit", CONSECUTIVE_LIMIT_MONTHS.into()),
        ("since", chain_from.to_string().into()),
    ]);
    if too_long {
        score += 1;
        factors.push(factor(
            "consecutive_placements",
            Effect::Higher,
            "applied",
            format!(
                "the role has been filled by consecutive placements since {chain_from} ({months} months by the end date), more than {CONSECUTIVE_LIMIT_MONTHS}: higher risk"
            ),
            numbers,
        ));
    } else {
        factors.push(factor(
            "consecutive_placements",
            Effect::None,
            "not-applied",
            format!(
                "consecutive placements in the role cover {months} months by the end date, not more than {CONSECUTIVE_LIMIT_MONTHS}"
            ),
            numbers,
        ));
    }

    // 5. An extra task is not ordinary operations.
    if f.extra_task {
        score -= 1;
        factors.push(factor(
            "extra_task",
            Effect::Lower,
            "applied",
            "the task is an extra, not the host's ordinary operations: lower risk".into(),
            nums(&[]),
        ));
    } else {
        factors.push(factor(
            "extra_task",
            Effect::None,
            "not-applied",
            "the task is part of the host's ordinary operations".into(),
            nums(&[]),
        ));
    }

    let level = if blocked {
        RiskLevel::Blocked
    } else if score <= -1 {
        RiskLevel::Low
    } else if score == 0 {
        RiskLevel::Medium
    } else {
        RiskLevel::High
    };
    Assessment { level, factors }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::time::ymd as d;
    use proptest::prelude::*;

    fn base() -> Facts {
        Facts {
            start_date: d("2026-03-01"),
            end_date: d("2026-08-31"),
            shortage: Some(false),
            reductions: vec![],
            other_placements_at_workplace: 0,
            staff_count: Some(20),
            share_limit_percent: 30,
            earlier_in_role: vec![],
            extra_task: false,
        }
    }

    fn effect(a: &Assessment, code: &str) -> Effect {
        a.factors.iter().find(|f| f.code == code).unwrap().effect
    }

    #[test]
    fn ordinary_task_is_medium_and_each_lowering_factor_lowers() {
        assert_eq!(assess(&base()).level, RiskLevel::Medium);
        let short = Facts {
            shortage: Some(true),
            ..base()
        };
        assert_eq!(assess(&short).level, RiskLevel::Low);
        let extra = Facts {
            extra_task: true,
            ..base()
        };
        assert_eq!(assess(&extra).level, RiskLevel::Low);
        assert_eq!(assess(&base()).factors.len(), 5);
    }

    #[test]
    fn a_dismissal_in_the_last_12_months_blocks_and_is_named() {
        let f = Facts {
            shortage: Some(true),
            extra_task: true,
            reductions: vec![ReductionFact {
                occurred_on: d("2025-06-01"),
                persons: 3,
                dismissal: true,
            }],
            ..base()
        };
        let a = assess(&f);
        assert_eq!(a.level, RiskLevel::Blocked);
        let b = a.blocking_factor().unwrap();
        assert_eq!(b.code, "recent_dismissals");
        assert_eq!(b.numbers["persons"], 3);
        assert_eq!(b.key, "wi-factor-recent-dismissals-applied");
        // Thirteen months before the start: no longer blocks.
        let old = Facts {
            reductions: vec![ReductionFact {
                occurred_on: d("2025-02-01"),
                persons: 3,
                dismissal: true,
            }],
            ..base()
        };
        assert_eq!(effect(&assess(&old), "recent_dismissals"), Effect::None);
    }

    #[test]
    fn share_above_the_limit_raises() {
        // 6 others + this one of 20 = 35 % > 30 %.
        let f = Facts {
            other_placements_at_workplace: 6,
            ..base()
        };
        let a = assess(&f);
        assert_eq!(a.level, RiskLevel::High);
        assert_eq!(effect(&a, "subsidised_share"), Effect::Higher);
        // 5 + 1 of 20 = 30 %: at the limit, not above.
        let at = Facts {
            other_placements_at_workplace: 5,
            ..base()
        };
        assert_eq!(effect(&assess(&at), "subsidised_share"), Effect::None);
        let unknown = Facts {
            staff_count: None,
            ..base()
        };
        assert_eq!(
            assess(&unknown).factors[2].key,
            "wi-factor-subsidised-share-unknown"
        );
    }

    #[test]
    fn consecutive_placements_over_24_months_raise() {
        let chain = vec![
            (d("2024-01-01"), d("2024-12-31")),
            (d("2025-01-15"), d("2026-02-15")),
        ];
        let f = Facts {
            earlier_in_role: chain.clone(),
            ..base()
        };
        let a = assess(&f);
        assert_eq!(effect(&a, "consecutive_placements"), Effect::Higher);
        assert_eq!(a.level, RiskLevel::High);
        // A gap of more than a month breaks the chain.
        let broken = vec![
            (d("2024-01-01"), d("2024-11-30")),
            (d("2025-01-15"), d("2026-02-15")),
        ];
        let f = Facts {
            earlier_in_role: broken,
            ..base()
        };
        assert_eq!(effect(&assess(&f), "consecutive_placements"), Effect::None);
        assert_eq!(chain_start(&chain, d("2026-03-01")), d("2024-01-01"));
    }

    #[test]
    fn share_limit_parses_with_a_fallback() {
        assert_eq!(share_limit_from(Some("45")), 45);
        assert_eq!(share_limit_from(Some("x")), 30);
        assert_eq!(share_limit_from(Some("0")), 30);
        assert_eq!(share_limit_from(None), 30);
    }

    proptest! {
        #[test]
        fn any_recent_reduction_blocks_and_lowering_never_raises(
            shortage in proptest::option::of(any::<bool>()),
            extra in any::<bool>(),
            others in 0i64..30,
            staff in proptest::option::of(1i64..200),
            days_before in 0i64..365,
        ) {
            let f = Facts {
                shortage, extra_task: extra, other_placements_at_workplace: others, staff_count: staff,
                ..base()
            };
            let a = assess(&f);
            prop_assert!(a.level != RiskLevel::Blocked);
            prop_assert_eq!(a.factors.len(), 5);
            // Adding a lowering factor never raises the level.
            let lowered = assess(&Facts { extra_task: true, ..f.clone() });
            prop_assert!(lowered.level <= a.level);
            let r = ReductionFact { occurred_on: f.start_date - chrono::Duration::days(days_before), persons: 1, dismissal: false };
            let blocked = assess(&Facts { reductions: vec![r], ..f });
            prop_assert_eq!(blocked.level, RiskLevel::Blocked);
            prop_assert_eq!(&blocked.blocking_factor().unwrap().code, "recent_dismissals");
        }
    }
}
