//! Work and study shares of any placement (issue 6, point 2): the shares
//! planned on the placement and the hours actually worked and studied,
//! recorded week by week (Monday weeks, in minutes).
//!
//! The rules are the learning employment's (`crate::work::learning`), reused
//! rather than written again: the same week checks, the same pro rata plan
//! of a week and the same share arithmetic. A placement without a stored
//! plan row gets a week's planned minutes from its hours per week and its
//! planned shares, pro rata by working days like a learning employment's
//! generated plan.

use crate::validation::ValidationErrors;
use crate::work::learning::{
    check_minutes, check_not_future, check_week, follow_up, plan_weeks, Shares, Split, WeekMinutes,
    DATES,
};
use chrono::NaiveDate;
use serde::Serialize;

/// A checked week of hours done.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WeekRecord {
    pub week_start: NaiveDate,
    pub work_minutes: i64,
    pub study_minutes: i64,
}

/// Check one week's recorded hours for a placement running
/// `start..=last_day` (its end, or its exit date when it ended early):
/// a Monday of the placement, not a week ahead of `today`, both values
/// present, not negative and together at most 7 × 24 h.
pub fn check_record(
    week_start: Option<&str>,
    work_minutes: Option<i64>,
    study_minutes: Option<i64>,
    start: NaiveDate,
    last_day: NaiveDate,
    today: NaiveDate,
) -> Result<WeekRecord, ValidationErrors> {
    let mut e = ValidationErrors::new();
    for (field, v) in [
        ("work_minutes", work_minutes),
        ("study_minutes", study_minutes),
    ] {
        if v.is_none() {
            e.add(field, "required", format!("{field} is required"));
        }
    }
    check_minutes(
        &mut e,
        ("work_minutes", work_minutes),
        ("study_minutes", study_minutes),
    );
    let week = DATES.required(&mut e, "week_start", week_start);
    if let Some(w) = week {
        if check_week(&mut e, w, start, last_day) {
            check_not_future(&mut e, w, today);
        }
    }
    match (e.is_empty(), week, work_minutes, study_minutes) {
        (true, Some(week_start), Some(work_minutes), Some(study_minutes)) => Ok(WeekRecord {
            week_start,
            work_minutes,
            study_minutes,
        }),
        _ => Err(e),
    }
}

/// The placement's split; a stored placement always sums to 100, anything
/// else counts as all work.
fn split_of(work_percent: i64, study_percent: i64) -> Split {
    Split::parse(
        &mut ValidationErrors::new(),
        Some(work_percent),
        Some(study_percent),
    )
    .or_else(|| Split::parse(&mut ValidationErrors::new(), Some(100), Some(0)))
    .expect("100/0 is a valid split")
}

/// Planned (work, study) minutes of the week starting `week_start` of a
/// placement without a stored plan row: the learning plan's week for the
/// placement's hours per week and planned shares; (0, 0) outside it.
pub fn planned_week(
    start: NaiveDate,
    end: NaiveDate,
    hours_per_week_minutes: i64,
    work_percent: i64,
    study_percent: i64,
    week_start: NaiveDate,
) -> (i64, i64) {
    plan_weeks(
        start,
        end,
        hours_per_week_minutes,
        split_of(work_percent, study_percent),
    )
    .into_iter()
    .find(|w| w.week_start == week_start)
    .map_or((0, 0), |w| (w.work_minutes, w.study_minutes))
}

/// A placement's shares: planned on the placement, and recorded.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ShareSummary {
    pub planned_work_percent: i64,
    pub planned_study_percent: i64,
    /// Done minutes summed over the recorded weeks, with their shares.
    pub recorded: Shares,
    /// The planned minutes of those same weeks.
    pub planned_recorded: Shares,
    pub recorded_weeks: usize,
    /// Every stored week in date order.
    pub weeks: Vec<WeekMinutes>,
}

/// The summary of `weeks` (date order) for a placement planned
/// `work_percent` / `study_percent`.
pub fn summarise(weeks: Vec<WeekMinutes>, work_percent: i64, study_percent: i64) -> ShareSummary {
    let f = follow_up(&weeks, 0);
    ShareSummary {
        planned_work_percent: work_percent,
        planned_study_percent: study_percent,
        recorded: f.done,
        planned_recorded: f.planned_recorded,
        recorded_weeks: f.recorded_weeks,
        weeks,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::time::ymd as d;

    fn fields(e: &ValidationErrors) -> Vec<String> {
        let mut v: Vec<String> = e.0.iter().map(|x| x.field.clone()).collect();
        v.sort();
        v.dedup();
        v
    }

    const START: &str = "2026-01-07"; // a Wednesday
    const END: &str = "2026-06-30";
    const TODAY: &str = "2026-03-04";

    fn check(week: &str, w: Option<i64>, s: Option<i64>) -> Result<WeekRecord, ValidationErrors> {
        check_record(Some(week), w, s, d(START), d(END), d(TODAY))
    }

    #[test]
    fn a_past_monday_inside_is_recorded() {
        let r = check("2026-01-05", Some(600), Some(300)).unwrap();
        assert_eq!(r.week_start, d("2026-01-05"));
        assert_eq!((r.work_minutes, r.study_minutes), (600, 300));
        assert!(check("2026-03-02", Some(0), Some(0)).is_ok());
    }

    #[test]
    fn refusals_name_the_field() {
        let e = check("2026-01-06", Some(1), Some(1)).unwrap_err();
        assert_eq!(fields(&e), ["week_start"]);
        let e = check("2025-12-29", Some(1), Some(1)).unwrap_err();
        assert_eq!(fields(&e), ["week_start"]);
        let e = check("2026-03-09", Some(1), Some(1)).unwrap_err();
        assert_eq!(e.0[0].code, "future");
        let e = check("2026-03-02", Some(-1), Some(1)).unwrap_err();
        assert_eq!(fields(&e), ["work_minutes"]);
        let e = check("2026-03-02", Some(5000), Some(5100)).unwrap_err();
        assert_eq!(fields(&e), ["study_minutes", "work_minutes"]);
        let e = check("2026-03-02", None, Some(1)).unwrap_err();
        assert_eq!(fields(&e), ["work_minutes"]);
        let e = check_record(Some("x"), Some(1), Some(1), d(START), d(END), d(TODAY)).unwrap_err();
        assert_eq!(fields(&e), ["week_start"]);
    }

    #[test]
    fn planned_week_is_pro_rata_by_shares() {
        // Full week of 40 h at 75/25.
        assert_eq!(
            planned_week(d(START), d(END), 2400, 75, 25, d("2026-01-12")),
            (1800, 600)
        );
        // First week: Wednesday–Friday, 3 of 5 days.
        assert_eq!(
            planned_week(d(START), d(END), 2400, 75, 25, d("2026-01-05")),
            (1080, 360)
        );
        assert_eq!(
            planned_week(d(START), d(END), 2400, 75, 25, d("2027-01-04")),
            (0, 0)
        );
    }

    #[test]
    fn summary_counts_recorded_weeks_only() {
        let w = |s: &str, dw: Option<i64>, ds: Option<i64>| WeekMinutes {
            week_start: d(s),
            planned_work: 1800,
            planned_study: 600,
            done_work: dw,
            done_study: ds,
        };
        let s = summarise(
            vec![
                w("2026-01-12", Some(1500), Some(900)),
                w("2026-01-19", None, None),
                w("2026-01-26", Some(1800), Some(300)),
            ],
            75,
            25,
        );
        assert_eq!(s.recorded_weeks, 2);
        assert_eq!(s.recorded.work_minutes, 3300);
        assert_eq!(s.recorded.study_minutes, 1200);
        // 1200 / 4500 = 26.666… %
        assert_eq!(s.recorded.study_share, Some(26.7));
        assert_eq!(s.recorded.work_share, Some(73.3));
        assert_eq!(s.planned_recorded.work_minutes, 3600);
    }
}
