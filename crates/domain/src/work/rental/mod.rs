//! The rental model (issue 6, point 3): a participant employed by the
//! municipality or its company (a contract) is rented to host employers
//! (assignments with an hourly rate). The supervisor enters weekly
//! timesheets, the host approves them, approved weeks are invoiced monthly
//! per host, and the intervention's economic result is computed month by
//! month. Pure rules: the store loads the facts and calls these.
//!
//! Money is öre (i64), time minutes, dates `NaiveDate`, months `YYYY-MM`.
//!
//! Rounding (one rule everywhere): an amount is computed per line from
//! integers and rounded once, to whole öre, half up (`round_div`). An
//! invoice line is one week's days inside the month: `minutes × rate / 60`.
//! Wages are rounded per contract and month:
//! `minutes × hourly wage × (1000 + fee‰) / (60 × 1000)`.

pub mod access;
pub mod invoice;

use crate::org::code_enum;
use crate::validation::{required_int, ValidationErrors, ISO_DATES};
use chrono::{Datelike, Duration, NaiveDate, Weekday};
use serde::Serialize;

/// `a / b` rounded to the nearest integer, halves away from zero (for the
/// non-negative amounts here: half up). `b` must be positive.
pub fn round_div(a: i128, b: i128) -> i64 {
    debug_assert!(b > 0);
    let q = if a >= 0 {
        (2 * a + b) / (2 * b)
    } else {
        -((-2 * a + b) / (2 * b))
    };
    q as i64
}

/// The amount of `minutes` at `rate_ore` per hour, to whole öre, half up.
pub fn amount_ore(minutes: i64, rate_ore: i64) -> i64 {
    round_div(i128::from(minutes) * i128::from(rate_ore), 60)
}

/// The employer's cost of `minutes` of work: wage plus fees, to whole öre.
pub fn wage_cost_ore(minutes: i64, hourly_wage_ore: i64, fee_permille: i64) -> i64 {
    round_div(
        i128::from(minutes) * i128::from(hourly_wage_ore) * i128::from(1000 + fee_permille),
        60_000,
    )
}

/// A calendar month.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Month {
    pub year: i32,
    pub month: u32,
}

impl Month {
    /// `YYYY-MM`.
    pub fn parse(s: &str) -> Option<Month> {
        let (y, m) = s.trim().split_once('-')?;
        if y.len() != 4 || m.len() != 2 {
            return None;
        }
        let year: i32 = y.parse().ok()?;
        let month: u32 = m.parse().ok()?;
        ((1..=12).contains(&month) && (2000..=2100).contains(&year))
            .then_some(Month { year, month })
    }
    pub fn of(d: NaiveDate) -> Month {
        Month {
            year: d.year(),
            month: d.month(),
        }
    }
    pub fn first_day(self) -> NaiveDate {
        NaiveDate::from_ymd_opt(self.year, self.month, 1).expect("valid month")
    }
    pub fn last_day(self) -> NaiveDate {
        self.next().first_day() - Duration::days(1)
    }
    pub fn next(self) -> Month {
        if self.month == 12 {
            Month {
                year: self.year + 1,
                month: 1,
            }
        } else {
            Month {
                year: self.year,
                month: self.month + 1,
            }
        }
    }
    pub fn contains(self, d: NaiveDate) -> bool {
        Month::of(d) == self
    }
    /// Every month from `self` to `to`, both included.
    pub fn through(self, to: Month) -> Vec<Month> {
        let mut out = vec![];
        let mut m = self;
        while m <= to && out.len() < 1200 {
            out.push(m);
            m = m.next();
        }
        out
    }
}

impl std::fmt::Display for Month {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{:04}-{:02}", self.year, self.month)
    }
}

pub fn parse_date(s: &str) -> Option<NaiveDate> {
    NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d").ok()
}

/// An inclusive date period.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Period {
    pub from: NaiveDate,
    pub to: NaiveDate,
}

impl Period {
    pub fn contains(&self, d: NaiveDate) -> bool {
        self.from <= d && d <= self.to
    }
    pub fn covers(&self, other: &Period) -> bool {
        self.from <= other.from && other.to <= self.to
    }
}

/// An employment contract as entered (also the API body's shape).
#[derive(Debug, Clone, Default, serde::Serialize, serde::Deserialize, utoipa::ToSchema)]
#[serde(default)]
pub struct ContractInput {
    pub participant_id: Option<i64>,
    /// A rental-model intervention.
    pub intervention_id: Option<i64>,
    /// YYYY-MM-DD
    pub period_from: Option<String>,
    /// YYYY-MM-DD, at most three years after period_from.
    pub period_to: Option<String>,
    /// 60–3600 (1–60 hours).
    pub hours_per_week_minutes: Option<i64>,
    /// 1–200000
    pub hourly_wage_ore: Option<i64>,
    /// 0–1000
    pub employer_fee_permille: Option<i64>,
}

/// A validated contract.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ContractData {
    pub participant_id: i64,
    pub intervention_id: i64,
    pub period: Period,
    pub hours_per_week_minutes: i64,
    pub hourly_wage_ore: i64,
    pub employer_fee_permille: i64,
}

impl ContractData {
    pub fn from_input(i: &ContractInput) -> Result<ContractData, ValidationErrors> {
        let mut e = ValidationErrors::new();
        let participant_id = required_int(&mut e, "participant_id", i.participant_id, 1, i64::MAX);
        let intervention_id =
            required_int(&mut e, "intervention_id", i.intervention_id, 1, i64::MAX);
        let from = ISO_DATES.required(&mut e, "period_from", i.period_from.as_deref());
        let to = ISO_DATES.required(&mut e, "period_to", i.period_to.as_deref());
        if let (Some(f), Some(t)) = (from, to) {
            if t < f {
                e.add(
                    "period_to",
                    "before_start",
                    "period_to must be on or after period_from",
                );
            } else if t > f + Duration::days(366 * 3) {
                e.add(
                    "period_to",
                    "too_long",
                    "a contract may last at most three years",
                );
            }
        }
        // Up to 60 hours a week; a wage up to 2 000 kr an hour.
        let hours = required_int(
            &mut e,
            "hours_per_week_minutes",
            i.hours_per_week_minutes,
            60,
            3600,
        );
        let wage = required_int(&mut e, "hourly_wage_ore", i.hourly_wage_ore, 1, 200_000);
        let fee = required_int(
            &mut e,
            "employer_fee_permille",
            i.employer_fee_permille,
            0,
            1000,
        );
        e.into_result(())?;
        Ok(ContractData {
            participant_id,
            intervention_id,
            period: Period {
                from: from.expect("checked"),
                to: to.expect("checked"),
            },
            hours_per_week_minutes: hours,
            hourly_wage_ore: wage,
            employer_fee_permille: fee,
        })
    }
}

/// What an assignment is checked against: its placement and contract as stored.
#[derive(Debug, Clone)]
pub struct AssignmentFacts {
    pub placement_participant_id: i64,
    pub placement_intervention_id: i64,
    pub placement_period: Period,
    pub employment_form: String,
    pub has_employer: bool,
    pub intervention_model: Option<String>,
    pub contract_participant_id: i64,
    pub contract_intervention_id: i64,
    pub contract_period: Period,
}

/// An assignment joins a placement (created by the interventions part) to a
/// contract: the same participant, the same rental-model intervention, a
/// host employer, employment by the municipality, and dates inside the
/// contract.
pub fn check_assignment(f: &AssignmentFacts, hourly_rate_ore: i64) -> Result<(), ValidationErrors> {
    let mut e = ValidationErrors::new();
    if f.intervention_model.as_deref() != Some("rental") {
        e.add(
            "placement_id",
            "not_rental",
            "the placement's intervention does not follow the rental model",
        );
    }
    if f.placement_participant_id != f.contract_participant_id {
        e.add(
            "contract_id",
            "other_participant",
            "the contract belongs to another participant than the placement",
        );
    }
    if f.placement_intervention_id != f.contract_intervention_id {
        e.add(
            "contract_id",
            "other_intervention",
            "the contract belongs to another intervention than the placement",
        );
    }
    if f.employment_form != "municipality" {
        e.add(
            "placement_id",
            "not_employed_by_municipality",
            "a rental placement must have employment_form municipality",
        );
    }
    if !f.has_employer {
        e.add(
            "placement_id",
            "no_host",
            "the placement has no host employer to invoice",
        );
    }
    if !f.contract_period.covers(&f.placement_period) {
        e.add(
            "placement_id",
            "outside_contract",
            format!(
                "the placement ({} – {}) must lie inside the contract period ({} – {})",
                f.placement_period.from,
                f.placement_period.to,
                f.contract_period.from,
                f.contract_period.to
            ),
        );
    }
    if !(1..=500_000).contains(&hourly_rate_ore) {
        e.add(
            "hourly_rate_ore",
            "out_of_range",
            "hourly_rate_ore must be from 1 to 500000",
        );
    }
    e.into_result(())
}

code_enum!(
    /// The status of a week's timesheet.
    TimesheetStatus {
        Submitted = "submitted",
        Approved = "approved",
        Rejected = "rejected",
    }
);

/// Whether a week may be (re)entered over what is stored: a new week, a
/// submitted one (a correction before the host decides) or a rejected one
/// is replaced; an approved week is final.
pub fn may_enter_over(existing: Option<TimesheetStatus>) -> Result<(), ValidationErrors> {
    match existing {
        Some(TimesheetStatus::Approved) => {
            let mut e = ValidationErrors::new();
            e.add(
                "week_start",
                "already_approved",
                "this week has already been approved by the host and cannot be changed",
            );
            Err(e)
        }
        _ => Ok(()),
    }
}

/// The host decides a submitted week: approve, or reject with a reason.
pub fn check_decision(
    current: TimesheetStatus,
    approve: bool,
    reason: Option<&str>,
) -> Result<Option<String>, ValidationErrors> {
    let mut e = ValidationErrors::new();
    if current != TimesheetStatus::Submitted {
        e.add(
            "status",
            "not_submitted",
            format!(
                "only a submitted week can be decided; this one is {}",
                current.as_str()
            ),
        );
    }
    let reason = crate::validation::optional_text(&mut e, "reason", reason, 1000);
    if !approve && reason.is_none() && e.for_field("reason").is_none() {
        e.add("reason", "required", "a rejection needs a reason");
    }
    e.into_result(reason)
}

const WEEKDAYS_EN: [&str; 7] = [
    "Monday",
    "Tuesday",
    "Wednesday",
    "Thursday",
    "Friday",
    "Saturday",
    "Sunday",
];

/// The week starting on `week_start` (a Monday).
pub fn parse_week_start(e: &mut ValidationErrors, v: Option<&str>) -> Option<NaiveDate> {
    let d = ISO_DATES.required(e, "week_start", v)?;
    if d.weekday() != Weekday::Mon {
        e.add("week_start", "not_monday", "week_start must be a Monday");
        return None;
    }
    Some(d)
}

/// One week's minutes, Monday first, checked against the placement and the
/// contract. A day with minutes outside either period, a negative day or
/// one over 24 hours is named with its date; an empty week is refused.
/// Returns the days that carry minutes.
pub fn check_week(
    week_start: NaiveDate,
    minutes: &[i64; 7],
    placement: Period,
    contract: Period,
) -> Result<Vec<(NaiveDate, i64)>, ValidationErrors> {
    let mut e = ValidationErrors::new();
    let mut days = vec![];
    for (i, &m) in minutes.iter().enumerate() {
        let day = week_start + Duration::days(i as i64);
        let field = format!("minutes[{i}]");
        let name = format!("{} {}", WEEKDAYS_EN[i], day);
        if m < 0 {
            e.add(
                &field,
                "negative",
                format!("{name}: minutes cannot be negative"),
            );
            continue;
        }
        if m > 24 * 60 {
            e.add(
                &field,
                "over_24_hours",
                format!("{name}: at most 24 hours (1440 minutes) a day"),
            );
            continue;
        }
        if m == 0 {
            continue;
        }
        if !placement.contains(day) {
            e.add(
                &field,
                "outside_placement",
                format!(
                    "{name} lies outside the placement ({} – {})",
                    placement.from, placement.to
                ),
            );
            continue;
        }
        if !contract.contains(day) {
            e.add(
                &field,
                "outside_contract",
                format!(
                    "{name} lies outside the employment contract ({} – {})",
                    contract.from, contract.to
                ),
            );
            continue;
        }
        days.push((day, m));
    }
    if e.is_empty() && days.is_empty() {
        e.add(
            "minutes",
            "empty_week",
            "enter the minutes of at least one day",
        );
    }
    e.into_result(days)
}

/// An approved week with its days, for invoicing and the economic result.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApprovedWeek {
    pub timesheet_id: i64,
    pub placement_id: i64,
    pub week_start: NaiveDate,
    pub days: Vec<(NaiveDate, i64)>,
    pub rate_ore: i64,
}

/// One line of an invoice: a week's days inside the month.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct InvoiceLine {
    pub timesheet_id: i64,
    pub placement_id: i64,
    pub week_start: NaiveDate,
    /// The first and last day of the week inside the month.
    pub period_from: NaiveDate,
    pub period_to: NaiveDate,
    pub minutes: i64,
    pub rate_ore: i64,
    pub amount_ore: i64,
}

/// A week that keeps a month from being invoiced.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PendingWeek {
    pub week_start: NaiveDate,
    pub placement_id: i64,
    pub status: TimesheetStatus,
}

/// The lines of a month's invoice to one host, or a refusal naming every
/// week of that host touching the month that is not approved. Nothing
/// partial: one unapproved week refuses the whole invoice.
pub fn invoice_lines(
    month: Month,
    approved: &[ApprovedWeek],
    pending: &[PendingWeek],
) -> Result<Vec<InvoiceLine>, ValidationErrors> {
    let blocking: Vec<&PendingWeek> = pending
        .iter()
        .filter(|p| {
            p.status != TimesheetStatus::Approved
                && (0..7).any(|i| month.contains(p.week_start + Duration::days(i)))
        })
        .collect();
    if !blocking.is_empty() {
        let mut weeks: Vec<String> = blocking
            .iter()
            .map(|p| {
                format!(
                    "week of {} (placement {}, {})",
                    p.week_start,
                    p.placement_id,
                    p.status.as_str()
                )
            })
            .collect();
        weeks.sort();
        weeks.dedup();
        let mut e = ValidationErrors::new();
        e.add(
            "month",
            "unapproved_weeks",
            format!(
                "{month} cannot be invoiced while weeks are not approved: {}",
                weeks.join("; ")
            ),
        );
        return Err(e);
    }
    let mut lines = vec![];
    for w in approved {
        let inside: Vec<&(NaiveDate, i64)> = w
            .days
            .iter()
            .filter(|(d, m)| month.contains(*d) && *m > 0)
            .collect();
        if inside.is_empty() {
            continue;
        }
        let minutes: i64 = inside.iter().map(|(_, m)| m).sum();
        let from = month.first_day().max(w.week_start);
        let to = month.last_day().min(w.week_start + Duration::days(6));
        lines.push(InvoiceLine {
            timesheet_id: w.timesheet_id,
            placement_id: w.placement_id,
            week_start: w.week_start,
            period_from: from,
            period_to: to,
            minutes,
            rate_ore: w.rate_ore,
            amount_ore: amount_ore(minutes, w.rate_ore),
        });
    }
    lines.sort_by_key(|l| (l.week_start, l.placement_id));
    if lines.is_empty() {
        let mut e = ValidationErrors::new();
        e.add(
            "month",
            "nothing_to_invoice",
            format!("{month} has no approved hours for this host"),
        );
        return Err(e);
    }
    Ok(lines)
}

/// The week-parts of approved weeks per month: (month, minutes) of each
/// week, so a week across a month boundary counts in both.
pub fn split_by_month(days: &[(NaiveDate, i64)]) -> Vec<(Month, i64)> {
    let mut out: Vec<(Month, i64)> = vec![];
    for (d, m) in days {
        let mo = Month::of(*d);
        match out.iter_mut().find(|(x, _)| *x == mo) {
            Some(e) => e.1 += m,
            None => out.push((mo, *m)),
        }
    }
    out.sort();
    out
}

/// One month's figures for the economic result.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct MonthInput {
    /// Invoiced amounts of the month.
    pub revenue_invoiced_ore: i64,
    /// Approved but not yet invoiced hours × rate (per week-part, rounded
    /// as on an invoice).
    pub revenue_uninvoiced_ore: i64,
    /// Approved hours × wage × (1 + fees), per contract and month.
    pub wages_ore: i64,
    pub other_costs_ore: i64,
    pub subsidies_ore: i64,
    pub approved_minutes: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct MonthResult {
    pub month: String,
    pub approved_minutes: i64,
    pub revenue_invoiced_ore: i64,
    pub revenue_uninvoiced_ore: i64,
    pub revenue_ore: i64,
    pub wages_ore: i64,
    pub other_costs_ore: i64,
    pub subsidies_ore: i64,
    /// revenue − wages − other costs + subsidies
    pub result_ore: i64,
    pub cumulative_ore: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct EconomicResult {
    pub months: Vec<MonthResult>,
    pub total_ore: i64,
    /// The first month where the cumulative result reaches ≥ 0 and stays
    /// there to the end of the series; none while it ends below zero.
    pub break_even_month: Option<String>,
    /// The average monthly revenue that would have made the cumulative
    /// result exactly zero over the months shown (costs − subsidies, spread
    /// evenly), rounded half up.
    pub break_even_monthly_revenue_ore: i64,
}

/// The result month by month, its cumulative sum and break-even.
pub fn economic_result(months: &[(Month, MonthInput)]) -> EconomicResult {
    let mut out = vec![];
    let mut cumulative = 0i64;
    let mut net_costs = 0i64;
    for (m, i) in months {
        let revenue = i.revenue_invoiced_ore + i.revenue_uninvoiced_ore;
        let result = revenue - i.wages_ore - i.other_costs_ore + i.subsidies_ore;
        cumulative += result;
        net_costs += i.wages_ore + i.other_costs_ore - i.subsidies_ore;
        out.push(MonthResult {
            month: m.to_string(),
            approved_minutes: i.approved_minutes,
            revenue_invoiced_ore: i.revenue_invoiced_ore,
            revenue_uninvoiced_ore: i.revenue_uninvoiced_ore,
            revenue_ore: revenue,
            wages_ore: i.wages_ore,
            other_costs_ore: i.other_costs_ore,
            subsidies_ore: i.subsidies_ore,
            result_ore: result,
            cumulative_ore: cumulative,
        });
    }
    let mut break_even = None;
    for r in out.iter().rev() {
        if r.cumulative_ore >= 0 {
            break_even = Some(r.month.clone());
        } else {
            break;
        }
    }
    let n = out.len().max(1) as i128;
    EconomicResult {
        total_ore: cumulative,
        break_even_month: break_even,
        break_even_monthly_revenue_ore: round_div(i128::from(net_costs.max(0)), n),
        months: out,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::time::ymd as d;

    #[test]
    fn amounts_round_half_up_to_whole_ore() {
        assert_eq!(amount_ore(60, 15_000), 15_000);
        // 1 minute at 1 öre an hour: 1/60 → 0; 30 minutes at 1 öre: 0.5 → 1.
        assert_eq!(amount_ore(1, 1), 0);
        assert_eq!(amount_ore(30, 1), 1);
        assert_eq!(amount_ore(29, 1), 0);
        assert_eq!(amount_ore(90, 17_999), 26_999); // 26 998.5 → 26 999
        assert_eq!(wage_cost_ore(60, 10_000, 314), 13_140);
        assert_eq!(round_div(-3, 2), -2);
    }

    #[test]
    fn months_parse_and_walk() {
        let m = Month::parse("2026-02").unwrap();
        assert_eq!(m.last_day(), d("2026-02-28"));
        assert_eq!(
            Month::parse("2026-12").unwrap().next().to_string(),
            "2027-01"
        );
        assert!(Month::parse("2026-13").is_none());
        assert!(Month::parse("2026-1").is_none());
        assert_eq!(
            Month::parse("2025-11")
                .unwrap()
                .through(Month::parse("2026-02").unwrap())
                .len(),
            4
        );
    }

    #[test]
    fn a_week_names_the_day_outside_the_placement() {
        let placement = Period {
            from: d("2026-03-02"),
            to: d("2026-03-04"),
        };
        let contract = Period {
            from: d("2026-01-01"),
            to: d("2026-12-31"),
        };
        let err = check_week(
            d("2026-03-02"),
            &[480, 480, 480, 480, 0, 0, 0],
            placement,
            contract,
        )
        .unwrap_err();
        let e = err.for_field("minutes[3]").unwrap();
        assert_eq!(e.code, "outside_placement");
        assert!(e.message.contains("Thursday 2026-03-05"), "{}", e.message);
        // A zero day outside is fine.
        let ok = check_week(
            d("2026-03-02"),
            &[480, 480, 480, 0, 0, 0, 0],
            placement,
            contract,
        )
        .unwrap();
        assert_eq!(ok.len(), 3);
        let err = check_week(
            d("2026-03-02"),
            &[-1, 1441, 0, 0, 0, 0, 0],
            placement,
            contract,
        )
        .unwrap_err();
        assert_eq!(err.for_field("minutes[0]").unwrap().code, "negative");
        assert_eq!(err.for_field("minutes[1]").unwrap().code, "over_24_hours");
        let short = Period {
            from: d("2026-01-01"),
            to: d("2026-03-02"),
        };
        let err =
            check_week(d("2026-03-02"), &[60, 60, 0, 0, 0, 0, 0], placement, short).unwrap_err();
        assert_eq!(
            err.for_field("minutes[1]").unwrap().code,
            "outside_contract"
        );
        let err = check_week(d("2026-03-02"), &[0; 7], placement, contract).unwrap_err();
        assert_eq!(err.0[0].code, "empty_week");
    }

    #[test]
    fn approved_weeks_are_final_and_rejections_need_a_reason() {
        assert!(may_enter_over(None).is_ok());
        assert!(may_enter_over(Some(TimesheetStatus::Rejected)).is_ok());
        assert!(may_enter_over(Some(TimesheetStatus::Approved)).is_err());
        assert!(check_decision(TimesheetStatus::Submitted, true, None).is_ok());
        assert_eq!(
            check_decision(TimesheetStatus::Submitted, false, Some("  "))
                .unwrap_err()
                .0[0]
                .code,
            "required"
        );
        assert_eq!(
            check_decision(TimesheetStatus::Approved, true, None)
                .unwrap_err()
                .0[0]
                .code,
            "not_submitted"
        );
    }

    #[test]
    fn invoices_take_the_days_in_the_month_and_refuse_unapproved_weeks() {
        // Week of Monday 2026-03-30: two days in March, five in April.
        let w = ApprovedWeek {
            timesheet_id: 1,
            placement_id: 9,
            week_start: d("2026-03-30"),
            days: (0..5)
                .map(|i| (d("2026-03-30") + Duration::days(i), 450))
                .collect(),
            rate_ore: 18_050,
        };
        let march = invoice_lines(
            Month::parse("2026-03").unwrap(),
            std::slice::from_ref(&w),
            &[],
        )
        .unwrap();
        assert_eq!(march[0].minutes, 900);
        assert_eq!(march[0].amount_ore, 270_750);
        assert_eq!(march[0].period_to, d("2026-03-31"));
        let april = invoice_lines(
            Month::parse("2026-04").unwrap(),
            std::slice::from_ref(&w),
            &[],
        )
        .unwrap();
        assert_eq!(april[0].minutes, 1350);
        assert_eq!(april[0].period_from, d("2026-04-01"));
        let pending = [PendingWeek {
            week_start: d("2026-04-27"),
            placement_id: 9,
            status: TimesheetStatus::Submitted,
        }];
        // The week of 27 April reaches into May: it blocks both months.
        let err = invoice_lines(
            Month::parse("2026-05").unwrap(),
            std::slice::from_ref(&w),
            &pending,
        )
        .unwrap_err();
        assert!(err.0[0].message.contains("week of 2026-04-27"));
        assert!(invoice_lines(
            Month::parse("2026-04").unwrap(),
            std::slice::from_ref(&w),
            &pending
        )
        .is_err());
        assert!(invoice_lines(Month::parse("2026-03").unwrap(), &[w], &pending).is_ok());
        assert_eq!(
            invoice_lines(Month::parse("2026-06").unwrap(), &[], &[])
                .unwrap_err()
                .0[0]
                .code,
            "nothing_to_invoice"
        );
    }

    #[test]
    fn the_result_accumulates_and_finds_break_even() {
        let m = |s| Month::parse(s).unwrap();
        let input = |rev, wages, other, sub| MonthInput {
            revenue_invoiced_ore: rev,
            wages_ore: wages,
            other_costs_ore: other,
            subsidies_ore: sub,
            ..Default::default()
        };
        let r = economic_result(&[
            (m("2026-01"), input(0, 100, 50, 0)),
            (m("2026-02"), input(200, 100, 0, 20)),
            (m("2026-03"), input(200, 100, 0, 0)),
        ]);
        let cum: Vec<i64> = r.months.iter().map(|x| x.cumulative_ore).collect();
        assert_eq!(cum, vec![-150, -30, 70]);
        assert_eq!(r.break_even_month.as_deref(), Some("2026-03"));
        assert_eq!(r.total_ore, 70);
        // Costs 350 − subsidies 20 over three months: 110 a month.
        assert_eq!(r.break_even_monthly_revenue_ore, 110);
        let never = economic_result(&[(m("2026-01"), input(0, 100, 0, 0))]);
        assert_eq!(never.break_even_month, None);
    }

    proptest::proptest! {
        /// A week split over the months it touches keeps every minute, and
        /// each line's amount is within half an öre of the exact amount.
        #[test]
        fn invoice_lines_keep_every_minute_and_round_by_half_an_ore(
            start in 0i64..730,
            minutes in proptest::array::uniform7(0i64..=1440),
            rate in 1i64..=500_000,
        ) {
            let monday = d("2025-01-06") + Duration::days(start * 7 % 700);
            let days: Vec<(NaiveDate, i64)> = (0..7)
                .map(|i| (monday + Duration::days(i), minutes[i as usize]))
                .filter(|(_, m)| *m > 0)
                .collect();
            proptest::prop_assume!(!days.is_empty());
            let w = ApprovedWeek { timesheet_id: 1, placement_id: 1, week_start: monday, days, rate_ore: rate };
            let mut total = 0;
            for m in [Month::of(monday), Month::of(monday + Duration::days(6))] {
                if m == Month::of(monday) && total > 0 {
                    continue;
                }
                if let Ok(lines) = invoice_lines(m, std::slice::from_ref(&w), &[]) {
                    for l in lines {
                        total += l.minutes;
                        let exact2 = 2 * i128::from(l.minutes) * i128::from(l.rate_ore);
                        let got2 = 120 * i128::from(l.amount_ore);
                        proptest::prop_assert!((got2 - exact2).abs() <= 60);
                    }
                }
            }
            proptest::prop_assert_eq!(total, minutes.iter().sum::<i64>());
        }
    }

    #[test]
    fn assignments_check_participant_model_and_dates() {
        let p = |a, b| Period {
            from: d(a),
            to: d(b),
        };
        let ok = AssignmentFacts {
            placement_participant_id: 1,
            placement_intervention_id: 2,
            placement_period: p("2026-02-01", "2026-05-31"),
            employment_form: "municipality".into(),
            has_employer: true,
            intervention_model: Some("rental".into()),
            contract_participant_id: 1,
            contract_intervention_id: 2,
            contract_period: p("2026-01-01", "2026-12-31"),
        };
        assert!(check_assignment(&ok, 18_000).is_ok());
        let bad = AssignmentFacts {
            contract_participant_id: 3,
            intervention_model: Some("staffing".into()),
            contract_period: p("2026-03-01", "2026-12-31"),
            ..ok.clone()
        };
        let e = check_assignment(&bad, 0).unwrap_err();
        let codes: Vec<&str> = e.0.iter().map(|x| x.code.as_str()).collect();
        for c in [
            "not_rental",
            "other_participant",
            "outside_contract",
            "out_of_range",
        ] {
            assert!(codes.contains(&c), "{codes:?}");
        }
    }
}

code_enum!(
    /// A ledger entry's kind: another cost or a subsidy of the intervention.
    LedgerKind {
        OtherCost = "other_cost",
        Subsidy = "subsidy",
    }
);

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LedgerData {
    pub month: Month,
    pub kind: LedgerKind,
    pub amount_ore: i64,
    pub note: Option<String>,
}

/// A ledger entry as entered: month `YYYY-MM`, kind, a positive amount.
pub fn check_ledger(
    month: Option<&str>,
    kind: Option<&str>,
    amount_ore: Option<i64>,
    note: Option<&str>,
) -> Result<LedgerData, ValidationErrors> {
    let mut e = ValidationErrors::new();
    let m = match month.map(str::trim).filter(|s| !s.is_empty()) {
        None => {
            e.add("month", "required", "month is required");
            None
        }
        Some(s) => {
            let m = Month::parse(s);
            if m.is_none() {
                e.add("month", "invalid", "month must be YYYY-MM");
            }
            m
        }
    };
    let k = match kind.map(str::trim).filter(|s| !s.is_empty()) {
        None => {
            e.add("kind", "required", "kind is required");
            None
        }
        Some(s) => {
            let k = LedgerKind::parse(s);
            if k.is_none() {
                e.add(
                    "kind",
                    "invalid_choice",
                    "kind must be other_cost or subsidy",
                );
            }
            k
        }
    };
    let amount = required_int(&mut e, "amount_ore", amount_ore, 1, 100_000_000_000);
    let note = crate::validation::optional_text(&mut e, "note", note, 500);
    e.into_result(())?;
    Ok(LedgerData {
        month: m.expect("checked"),
        kind: k.expect("checked"),
        amount_ore: amount,
        note,
    })
}
