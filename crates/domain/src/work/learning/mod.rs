//! The employer model (issue 6, point 5): a learning employment (lärande
//! anställning, like REVIT) — a placement employed by the host employer,
//! with a school partner and the municipality, planned week by week as work
//! and study hours (e.g. 75/25), followed by the hours actually done,
//! completion, and whether the employer hired the participant afterwards.
//!
//! Pure rules: the week plan, the checks on planned and done hours, the
//! shares and the deviation flag, completion and the hire outcome.
//!
//! ## The week plan
//! Weeks start on Mondays, from the week of the placement's first day to the
//! week of its last day; a week without a working day (Monday–Friday) inside
//! the placement is left out. A week's planned minutes are
//! `hours_per_week_minutes × working days inside the placement / 5`, rounded
//! down to a whole minute, so the first and last weeks are pro rata by
//! working days (public holidays are not known here and count as working
//! days). Of those, study is `total × study_percent / 100` rounded half up
//! to a whole minute, and work is the rest, so work + study is the week's
//! total exactly.

pub mod access;

use crate::validation::{optional_text, Dates, ValidationErrors, ANY_YEAR};
use chrono::{Datelike, Duration, NaiveDate, Weekday};
use serde::Serialize;

/// A week has 7 × 24 hours: no one works or studies more than that.
pub const WEEK_MINUTES: i64 = 7 * 24 * 60;
/// The deviation is judged over this many most recent recorded weeks.
pub const DEVIATION_WEEKS: usize = 4;
/// Percentage points below plan that flag a deviation, unless set.
pub const DEFAULT_DEVIATION_PP: i64 = 5;

crate::org::code_enum!(
    /// How a learning employment ended.
    Completion {
        Completed = "completed",
        Discontinued = "discontinued",
    }
);

crate::org::code_enum!(
    /// Whether the employer hired the participant after it ended.
    HireOutcome {
        Hired = "hired",
        NotHired = "not_hired",
    }
);

/// The planned split of a week between work and study, in whole percent.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Split {
    work_percent: i64,
    study_percent: i64,
}

impl Split {
    /// Both 0–100 and summing to 100 (e.g. 75/25).
    pub fn parse(
        errors: &mut ValidationErrors,
        work_percent: Option<i64>,
        study_percent: Option<i64>,
    ) -> Option<Split> {
        let mut ok = true;
        for (field, v) in [
            ("work_percent", work_percent),
            ("study_percent", study_percent),
        ] {
            match v {
                None => {
                    errors.add(field, "required", format!("{field} is required"));
                    ok = false;
                }
                Some(v) if !(0..=100).contains(&v) => {
                    errors.add(
                        field,
                        "out_of_range",
                        format!("{field} must be from 0 to 100"),
                    );
                    ok = false;
                }
                Some(_) => {}
            }
        }
        let (w, s) = (work_percent?, study_percent?);
        if ok && w + s != 100 {
            for field in ["work_percent", "study_percent"] {
                errors.add(
                    field,
                    "split_sum",
                    "work_percent and study_percent must add up to 100",
                );
            }
            return None;
        }
        ok.then_some(Split {
            work_percent: w,
            study_percent: s,
        })
    }
    pub fn work_percent(self) -> i64 {
        self.work_percent
    }
    pub fn study_percent(self) -> i64 {
        self.study_percent
    }
}

/// What a client sends to create a learning employment (the API body).
#[derive(
    Debug, Clone, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize, utoipa::ToSchema,
)]
#[serde(default)]
pub struct LearningInput {
    /// A placement employed by the host (`employment_form` host) in an
    /// intervention of the employer model.
    #[schema(nullable = false, minimum = 1)]
    pub placement_id: Option<i64>,
    /// The school partner: an organisation of kind school or
    /// adult_education …
    pub school_organisation_id: Option<i64>,
    /// … or the school's name (defaults to the organisation's name).
    pub school_name: Option<String>,
    /// Programme or course, at most 200 characters.
    pub programme: Option<String>,
    /// Planned split in whole percent; work + study = 100 (e.g. 75 and 25).
    pub work_percent: Option<i64>,
    pub study_percent: Option<i64>,
    /// 0–100 percentage points (default 5).
    pub deviation_threshold_pp: Option<i64>,
}

/// A checked learning employment to create. The store checks what needs the
/// database: the placement (host-employed, employer model), the school
/// organisation's kind, and that none exists for the placement yet.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LearningData {
    pub placement_id: i64,
    pub school_organisation_id: Option<i64>,
    /// Required unless a school organisation is named (then its name is used
    /// when blank).
    pub school_name: Option<String>,
    pub programme: Option<String>,
    pub split: Split,
    pub deviation_threshold_pp: i64,
}

impl LearningData {
    pub fn from_input(input: &LearningInput) -> Result<LearningData, ValidationErrors> {
        let mut e = ValidationErrors::new();
        if input.placement_id.is_none_or(|p| p <= 0) {
            e.add(
                "placement_id",
                "required",
                "placement_id must name a placement",
            );
        }
        if input.school_organisation_id.is_some_and(|s| s <= 0) {
            e.add(
                "school_organisation_id",
                "invalid",
                "school_organisation_id must be a positive id",
            );
        }
        let school_name = optional_text(&mut e, "school_name", input.school_name.as_deref(), 200);
        if school_name.is_none()
            && input.school_organisation_id.is_none()
            && e.for_field("school_name").is_none()
        {
            e.add(
                "school_name",
                "required",
                "name the school partner: school_organisation_id or school_name",
            );
        }
        let programme = optional_text(&mut e, "programme", input.programme.as_deref(), 200);
        let split = Split::parse(&mut e, input.work_percent, input.study_percent);
        let threshold = input.deviation_threshold_pp.unwrap_or(DEFAULT_DEVIATION_PP);
        if !(0..=100).contains(&threshold) {
            e.add(
                "deviation_threshold_pp",
                "out_of_range",
                "deviation_threshold_pp must be from 0 to 100 percentage points",
            );
        }
        match (e.is_empty(), split) {
            (true, Some(split)) => Ok(LearningData {
                placement_id: input.placement_id.unwrap_or_default(),
                school_organisation_id: input.school_organisation_id,
                school_name,
                programme,
                split,
                deviation_threshold_pp: threshold,
            }),
            _ => Err(e),
        }
    }
}

/// One planned week.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct PlannedWeek {
    pub week_start: NaiveDate,
    pub working_days: i64,
    pub work_minutes: i64,
    pub study_minutes: i64,
}

/// The Monday of `d`'s week.
pub fn monday_of(d: NaiveDate) -> NaiveDate {
    d - Duration::days(d.weekday().num_days_from_monday() as i64)
}

/// Working days (Monday–Friday) of the week starting `monday` that fall
/// inside `start..=end`.
pub fn working_days_in(monday: NaiveDate, start: NaiveDate, end: NaiveDate) -> i64 {
    (0..5)
        .map(|i| monday + Duration::days(i))
        .filter(|d| *d >= start && *d <= end)
        .count() as i64
}

/// The generated plan (see the module's documentation for the rounding).
/// Empty when the placement has no working day.
pub fn plan_weeks(
    start: NaiveDate,
    end: NaiveDate,
    hours_per_week_minutes: i64,
    split: Split,
) -> Vec<PlannedWeek> {
    let mut out = vec![];
    if end < start {
        return out;
    }
    let mut monday = monday_of(start);
    while monday <= end {
        let days = working_days_in(monday, start, end);
        if days > 0 {
            let total = hours_per_week_minutes.max(0) * days / 5;
            let study = (total * split.study_percent + 50) / 100;
            out.push(PlannedWeek {
                week_start: monday,
                working_days: days,
                work_minutes: total - study,
                study_minutes: study,
            });
        }
        monday += Duration::days(7);
    }
    out
}

/// Dates of learning employments and recorded weeks (any year).
pub(crate) const DATES: Dates = Dates {
    years: ANY_YEAR,
    wording: "must be a date (YYYY-MM-DD)",
};

/// The week of a placement a change is aimed at: a Monday inside the plan.
pub fn check_week(
    e: &mut ValidationErrors,
    week_start: NaiveDate,
    placement_start: NaiveDate,
    placement_end: NaiveDate,
) -> bool {
    if week_start.weekday() != Weekday::Mon {
        e.add(
            "week_start",
            "not_monday",
            "week_start must be the Monday that starts the week",
        );
        return false;
    }
    if week_start < monday_of(placement_start)
        || week_start > placement_end
        || working_days_in(week_start, placement_start, placement_end) == 0
    {
        e.add(
            "week_start",
            "outside_placement",
            format!("the week is outside the placement ({placement_start} to {placement_end})"),
        );
        return false;
    }
    true
}

/// Minutes of one week: not negative, and work + study at most 7 × 24 h.
/// `work` and `study` are (field name, value); `None` values are absent.
pub fn check_minutes(
    e: &mut ValidationErrors,
    work: (&str, Option<i64>),
    study: (&str, Option<i64>),
) {
    let mut total = 0;
    let mut ok = true;
    for (field, v) in [work, study] {
        if let Some(v) = v {
            if v < 0 {
                e.add(field, "negative", format!("{field} may not be negative"));
                ok = false;
            } else if v > WEEK_MINUTES {
                e.add(
                    field,
                    "over_week",
                    format!("{field} may be at most 7 × 24 hours (10080 minutes) a week"),
                );
                ok = false;
            } else {
                total += v;
            }
        }
    }
    if ok && total > WEEK_MINUTES {
        for (field, v) in [work, study] {
            if v.is_some() {
                e.add(
                    field,
                    "over_week",
                    "work and study together may be at most 7 × 24 hours (10080 minutes) a week",
                );
            }
        }
    }
}

/// Done hours may be recorded for a week that has begun, not one ahead.
pub fn check_not_future(e: &mut ValidationErrors, week_start: NaiveDate, today: NaiveDate) {
    if week_start > today {
        e.add(
            "week_start",
            "future",
            "hours done can only be recorded for the current or a past week",
        );
    }
}

/// Hours typed in a form ("30", "7,5", "7.5" or "7:30") as whole minutes;
/// `None` when it is none of those. Negative values parse (the rules name
/// them).
pub fn parse_hours(s: &str) -> Option<i64> {
    let s = s.trim();
    let (neg, s) = match s.strip_prefix('-') {
        Some(rest) => (true, rest.trim()),
        None => (false, s),
    };
    let minutes = if let Some((h, m)) = s.split_once(':') {
        let h: i64 = h.trim().parse().ok()?;
        let m: i64 = m.trim().parse().ok()?;
        if !(0..60).contains(&m) || m.to_string().len() > 2 {
            return None;
        }
        h.checked_mul(60)?.checked_add(m)?
    } else {
        let v: f64 = s.replace(',', ".").parse().ok()?;
        if !v.is_finite() || !(0.0..=1.0e6).contains(&v) || s.contains(['e', 'E']) {
            return None;
        }
        (v * 60.0).round() as i64
    };
    Some(if neg { -minutes } else { minutes })
}

/// Minutes shown as hours and minutes, "h:mm".
pub fn format_hours(minutes: i64) -> String {
    let sign = if minutes < 0 { "-" } else { "" };
    let m = minutes.abs();
    format!("{sign}{}:{:02}", m / 60, m % 60)
}

/// One week's planned and done minutes, as stored.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct WeekMinutes {
    pub week_start: NaiveDate,
    pub planned_work: i64,
    pub planned_study: i64,
    pub done_work: Option<i64>,
    pub done_study: Option<i64>,
}

impl WeekMinutes {
    /// Recorded: both done values known (a school that records study only
    /// leaves the week unrecorded until the work is in too).
    pub fn recorded(&self) -> Option<(i64, i64)> {
        Some((self.done_work?, self.done_study?))
    }
}

/// Work and study minutes, and the study share of their sum.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Default)]
pub struct Shares {
    pub work_minutes: i64,
    pub study_minutes: i64,
    /// 100 × study / (work + study), rounded to one decimal; `None` when
    /// there is nothing to divide.
    pub study_share: Option<f64>,
    pub work_share: Option<f64>,
}

fn round1(v: f64) -> f64 {
    (v * 10.0).round() / 10.0
}

impl Shares {
    pub fn of(work: i64, study: i64) -> Shares {
        let total = work + study;
        let (s, w) = if total > 0 {
            let s = 100.0 * study as f64 / total as f64;
            (Some(round1(s)), Some(round1(100.0 - s)))
        } else {
            (None, None)
        };
        Shares {
            work_minutes: work,
            study_minutes: study,
            study_share: s,
            work_share: w,
        }
    }
    fn exact_study(&self) -> Option<f64> {
        let total = self.work_minutes + self.study_minutes;
        (total > 0).then(|| 100.0 * self.study_minutes as f64 / total as f64)
    }
}

/// A week's line of the follow-up: its own shares and the running ones
/// (every week up to and including it; done over the recorded weeks only).
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct WeekFollowUp {
    pub week_start: NaiveDate,
    pub planned: Shares,
    pub done: Option<Shares>,
    pub running_planned: Shares,
    pub running_done: Shares,
}

/// The follow-up of a whole plan.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FollowUp {
    /// The whole plan.
    pub planned: Shares,
    /// The recorded weeks' done minutes.
    pub done: Shares,
    /// The planned minutes of the recorded weeks (what the done is held to).
    pub planned_recorded: Shares,
    pub recorded_weeks: usize,
    pub weeks: Vec<WeekFollowUp>,
    /// The last (up to) four recorded weeks: planned and done study share.
    pub recent_planned_study_share: Option<f64>,
    pub recent_done_study_share: Option<f64>,
    pub threshold_pp: i64,
    /// The done study share of the recent weeks is more than `threshold_pp`
    /// percentage points below their planned study share.
    pub deviation: bool,
}

/// Shares and the deviation flag for weeks in date order.
pub fn follow_up(weeks: &[WeekMinutes], threshold_pp: i64) -> FollowUp {
    let mut rows = vec![];
    let (mut pw, mut ps, mut dw, mut ds, mut rpw, mut rps) = (0, 0, 0, 0, 0, 0);
    let mut recorded = 0;
    for w in weeks {
        pw += w.planned_work;
        ps += w.planned_study;
        let done = w.recorded();
        if let Some((work, study)) = done {
            dw += work;
            ds += study;
            rpw += w.planned_work;
            rps += w.planned_study;
            recorded += 1;
        }
        rows.push(WeekFollowUp {
            week_start: w.week_start,
            planned: Shares::of(w.planned_work, w.planned_study),
            done: done.map(|(a, b)| Shares::of(a, b)),
            running_planned: Shares::of(pw, ps),
            running_done: Shares::of(dw, ds),
        });
    }
    let recent: Vec<&WeekMinutes> = weeks
        .iter()
        .rev()
        .filter(|w| w.recorded().is_some())
        .take(DEVIATION_WEEKS)
        .collect();
    let rp = Shares::of(
        recent.iter().map(|w| w.planned_work).sum(),
        recent.iter().map(|w| w.planned_study).sum(),
    );
    let rd = Shares::of(
        recent.iter().filter_map(|w| w.done_work).sum(),
        recent.iter().filter_map(|w| w.done_study).sum(),
    );
    // Exact shares decide; the rounded ones are only shown.
    let deviation = match (rp.exact_study(), rd.exact_study()) {
        (Some(p), Some(d)) => p - d > threshold_pp as f64,
        // Study planned but nothing at all done in the recent weeks.
        (Some(p), None) => !recent.is_empty() && p > threshold_pp as f64,
        _ => false,
    };
    FollowUp {
        planned: Shares::of(pw, ps),
        done: Shares::of(dw, ds),
        planned_recorded: Shares::of(rpw, rps),
        recorded_weeks: recorded,
        weeks: rows,
        recent_planned_study_share: rp.study_share,
        recent_done_study_share: if recent.is_empty() {
            None
        } else {
            rd.study_share
        },
        threshold_pp,
        deviation,
    }
}

/// Completion: how and when it ended. Once only; the date inside the
/// placement's period (from its start) and not in the future.
pub fn check_completion(
    completion: Option<&str>,
    completed_on: Option<&str>,
    placement_start: NaiveDate,
    today: NaiveDate,
) -> Result<(Completion, NaiveDate), ValidationErrors> {
    let mut e = ValidationErrors::new();
    let c = match completion.map(str::trim) {
        None | Some("") => {
            e.add("completion", "required", "completion is required");
            None
        }
        Some(s) => {
            let c = Completion::parse(s);
            if c.is_none() {
                e.add(
                    "completion",
                    "invalid_choice",
                    "completion must be completed or discontinued",
                );
            }
            c
        }
    };
    let d = DATES.required(&mut e, "completed_on", completed_on);
    if let Some(d) = d {
        if d < placement_start {
            e.add(
                "completed_on",
                "before_start",
                format!("completed_on may not be before the placement started ({placement_start})"),
            );
        } else if d > today {
            e.add(
                "completed_on",
                "future",
                "completed_on may not be in the future",
            );
        }
    }
    match (c, d) {
        (Some(c), Some(d)) if e.is_empty() => Ok((c, d)),
        _ => Err(e),
    }
}

/// The hire outcome after completion: known only once it ended, dated on or
/// after the end and not in the future.
pub fn check_hire(
    hired_after: Option<&str>,
    hired_on: Option<&str>,
    completed_on: Option<NaiveDate>,
    today: NaiveDate,
) -> Result<(HireOutcome, NaiveDate), ValidationErrors> {
    let mut e = ValidationErrors::new();
    let Some(completed_on) = completed_on else {
        e.add(
            "hired_after",
            "not_completed",
            "record the completion first: the hire outcome follows it",
        );
        return Err(e);
    };
    let h = match hired_after.map(str::trim) {
        None | Some("") => {
            e.add("hired_after", "required", "hired_after is required");
            None
        }
        Some(s) => {
            let h = HireOutcome::parse(s);
            if h.is_none() {
                e.add(
                    "hired_after",
                    "invalid_choice",
                    "hired_after must be hired or not_hired",
                );
            }
            h
        }
    };
    let d = DATES.required(&mut e, "hired_on", hired_on);
    if let Some(d) = d {
        if d < completed_on {
            e.add(
                "hired_on",
                "before_completion",
                format!("hired_on may not be before the completion ({completed_on})"),
            );
        } else if d > today {
            e.add("hired_on", "future", "hired_on may not be in the future");
        }
    }
    match (h, d) {
        (Some(h), Some(d)) if e.is_empty() => Ok((h, d)),
        _ => Err(e),
    }
}

/// The summary of one intervention's learning employments.
#[derive(Debug, Clone, PartialEq, Serialize, Default)]
pub struct Summary {
    pub count: i64,
    pub completed: i64,
    pub discontinued: i64,
    /// 100 × completed / (completed + discontinued), one decimal.
    pub completion_rate: Option<f64>,
    pub hired: i64,
    pub not_hired: i64,
    /// 100 × hired / completed (those completed whose outcome is known count
    /// in the denominator only when known: hired / (hired + not_hired)).
    pub hired_rate: Option<f64>,
    /// Mean over the learning employments with a recorded week of each one's
    /// done work and study share (each weighs the same).
    pub mean_done_work_share: Option<f64>,
    pub mean_done_study_share: Option<f64>,
}

/// One learning employment's facts for the summary.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SummaryItem {
    pub completion: Option<Completion>,
    pub hire: Option<HireOutcome>,
    pub done_work: i64,
    pub done_study: i64,
}

pub fn summarise(items: &[SummaryItem]) -> Summary {
    let mut s = Summary {
        count: items.len() as i64,
        ..Summary::default()
    };
    let mut shares = vec![];
    for i in items {
        match i.completion {
            Some(Completion::Completed) => s.completed += 1,
            Some(Completion::Discontinued) => s.discontinued += 1,
            None => {}
        }
        match i.hire {
            Some(HireOutcome::Hired) => s.hired += 1,
            Some(HireOutcome::NotHired) => s.not_hired += 1,
            None => {}
        }
        if let Some(st) = Shares::of(i.done_work, i.done_study).exact_study() {
            shares.push(st);
        }
    }
    let ended = s.completed + s.discontinued;
    if ended > 0 {
        s.completion_rate = Some(round1(100.0 * s.completed as f64 / ended as f64));
    }
    let known = s.hired + s.not_hired;
    if known > 0 {
        s.hired_rate = Some(round1(100.0 * s.hired as f64 / known as f64));
    }
    if !shares.is_empty() {
        let mean = shares.iter().sum::<f64>() / shares.len() as f64;
        s.mean_done_study_share = Some(round1(mean));
        s.mean_done_work_share = Some(round1(100.0 - mean));
    }
    s
}

/// One synthetic learning employment for `vagar seed`: described by
/// `vagar-seed` (pure), written by the store with the plan from
/// [`plan_weeks`] and done hours from [`seed_done_minutes`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LearningSeed {
    /// Index of the seeded intervention (0: care, 1: construction).
    pub intervention: usize,
    pub start: NaiveDate,
    pub end: NaiveDate,
    pub hours_per_week_minutes: i64,
    pub work_percent: i64,
    pub study_percent: i64,
    pub programme: String,
    pub role_title: String,
    pub ssyk: String,
    /// Index into the school partners found (wrapping).
    pub school: usize,
    pub completion: Option<(Completion, NaiveDate)>,
    pub hire: Option<(HireOutcome, NaiveDate)>,
    /// A week (index in the plan) planned as an exam week: half study.
    pub exam_week: Option<usize>,
    /// From this week on, less study is done than planned.
    pub deviation_from_week: Option<usize>,
    pub noise: u64,
}

/// The done minutes of a seeded week: on plan give or take a quarter of an
/// hour or so, with half the study from `deviation_from_week` on (the rest
/// worked).
pub fn seed_done_minutes(s: &LearningSeed, week: usize, planned: (i64, i64)) -> (i64, i64) {
    let h = s
        .noise
        .wrapping_add(week as u64)
        .wrapping_mul(0x9E37_79B9_7F4A_7C15)
        >> 59;
    let wiggle = (h as i64 - 16) * 5;
    let (mut work, mut study) = planned;
    if s.deviation_from_week.is_some_and(|d| week >= d) {
        work += study / 2;
        study -= study / 2;
    }
    work = (work + wiggle).max(0);
    study = (study - wiggle / 2).max(0);
    (work, study)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    fn split(w: i64, s: i64) -> Split {
        let mut e = ValidationErrors::new();
        Split::parse(&mut e, Some(w), Some(s)).unwrap()
    }

    #[test]
    fn a_split_must_add_up_to_100() {
        let mut e = ValidationErrors::new();
        assert!(Split::parse(&mut e, Some(75), Some(20)).is_none());
        assert_eq!(e.for_field("study_percent").unwrap().code, "split_sum");
        let mut e = ValidationErrors::new();
        assert!(Split::parse(&mut e, Some(-5), Some(105)).is_none());
        assert_eq!(e.0.len(), 2);
        assert_eq!(split(75, 25).study_percent(), 25);
    }

    #[test]
    fn the_plan_runs_monday_weeks_with_partial_ends_pro_rata() {
        // Wednesday 2025-01-08 to Tuesday 2025-01-21, 40 h a week, 75/25.
        let w = plan_weeks(d(2025, 1, 8), d(2025, 1, 21), 2400, split(75, 25));
        assert_eq!(w.len(), 3);
        assert_eq!(w[0].week_start, d(2025, 1, 6));
        assert_eq!(w[0].working_days, 3);
        // 2400 × 3 / 5 = 1440; study 360, work 1080.
        assert_eq!((w[0].work_minutes, w[0].study_minutes), (1080, 360));
        assert_eq!((w[1].work_minutes, w[1].study_minutes), (1800, 600));
        assert_eq!(w[2].working_days, 2);
        assert_eq!((w[2].work_minutes, w[2].study_minutes), (720, 240));
    }

    #[test]
    fn weekend_only_edges_are_left_out() {
        // Saturday start, Sunday end: the first and last weeks have no working day.
        let w = plan_weeks(d(2025, 1, 4), d(2025, 1, 19), 2400, split(75, 25));
        assert_eq!(w.len(), 2);
        assert_eq!(w[0].week_start, d(2025, 1, 6));
        assert!(plan_weeks(d(2025, 1, 4), d(2025, 1, 5), 2400, split(75, 25)).is_empty());
    }

    #[test]
    fn weeks_outside_the_placement_and_bad_minutes_are_named() {
        let (s, end) = (d(2025, 1, 8), d(2025, 3, 31));
        let mut e = ValidationErrors::new();
        assert!(!check_week(&mut e, d(2025, 1, 7), s, end));
        assert_eq!(e.0[0].code, "not_monday");
        let mut e = ValidationErrors::new();
        assert!(!check_week(&mut e, d(2024, 12, 30), s, end));
        assert_eq!(e.0[0].code, "outside_placement");
        let mut e = ValidationErrors::new();
        assert!(check_week(&mut e, d(2025, 3, 31), s, end));
        let mut e = ValidationErrors::new();
        check_minutes(&mut e, ("w", Some(-1)), ("s", Some(10081)));
        assert_eq!(e.for_field("w").unwrap().code, "negative");
        assert_eq!(e.for_field("s").unwrap().code, "over_week");
        let mut e = ValidationErrors::new();
        check_minutes(&mut e, ("w", Some(6000)), ("s", Some(5000)));
        assert_eq!(e.0.len(), 2);
        let mut e = ValidationErrors::new();
        check_not_future(&mut e, d(2025, 2, 3), d(2025, 2, 2));
        assert_eq!(e.0[0].code, "future");
    }

    #[test]
    fn deviation_looks_at_the_last_four_recorded_weeks() {
        let wk = |i: i64, done: Option<(i64, i64)>| WeekMinutes {
            week_start: d(2025, 1, 6) + Duration::days(7 * i),
            planned_work: 1800,
            planned_study: 600,
            done_work: done.map(|x| x.0),
            done_study: done.map(|x| x.1),
        };
        // Early weeks far below plan, the last four on plan: no deviation.
        let mut weeks: Vec<_> = (0..3).map(|i| wk(i, Some((2400, 0)))).collect();
        weeks.extend((3..7).map(|i| wk(i, Some((1800, 600)))));
        weeks.push(wk(7, None));
        let f = follow_up(&weeks, 5);
        assert!(!f.deviation);
        assert_eq!(f.recorded_weeks, 7);
        assert_eq!(f.recent_done_study_share, Some(25.0));
        // The last four 20 % instead of 25 %: exactly 5 points, not more.
        let weeks: Vec<_> = (0..4).map(|i| wk(i, Some((1920, 480)))).collect();
        assert!(!follow_up(&weeks, 5).deviation);
        let weeks: Vec<_> = (0..4).map(|i| wk(i, Some((1930, 470)))).collect();
        assert!(follow_up(&weeks, 5).deviation);
        assert!(!follow_up(&weeks, 10).deviation);
        assert!(!follow_up(&[wk(0, None)], 5).deviation);
    }

    #[test]
    fn completion_and_hire_follow_each_other() {
        let start = d(2025, 1, 8);
        let today = d(2025, 6, 1);
        assert!(check_completion(Some("completed"), Some("2025-05-30"), start, today).is_ok());
        let e = check_completion(Some("done"), Some("2025-07-01"), start, today).unwrap_err();
        assert_eq!(e.for_field("completion").unwrap().code, "invalid_choice");
        assert_eq!(e.for_field("completed_on").unwrap().code, "future");
        let e = check_hire(Some("hired"), Some("2025-05-30"), None, today).unwrap_err();
        assert_eq!(e.0[0].code, "not_completed");
        let e = check_hire(
            Some("hired"),
            Some("2025-05-01"),
            Some(d(2025, 5, 30)),
            today,
        )
        .unwrap_err();
        assert_eq!(e.0[0].code, "before_completion");
        assert!(check_hire(
            Some("not_hired"),
            Some("2025-05-31"),
            Some(d(2025, 5, 30)),
            today
        )
        .is_ok());
    }

    #[test]
    fn hours_are_typed_as_decimals_or_hours_and_minutes() {
        assert_eq!(parse_hours("30"), Some(1800));
        assert_eq!(parse_hours("7,5"), Some(450));
        assert_eq!(parse_hours("7.25"), Some(435));
        assert_eq!(parse_hours("7:30"), Some(450));
        assert_eq!(parse_hours("-2"), Some(-120));
        for bad in ["", "x", "7:75", "1e3", "NaN"] {
            assert_eq!(parse_hours(bad), None, "{bad}");
        }
        assert_eq!(format_hours(450), "7:30");
        assert_eq!(format_hours(1800), "30:00");
    }

    #[test]
    fn the_summary_counts_rates_and_mean_shares() {
        let s = summarise(&[
            SummaryItem {
                completion: Some(Completion::Completed),
                hire: Some(HireOutcome::Hired),
                done_work: 300,
                done_study: 100,
            },
            SummaryItem {
                completion: Some(Completion::Discontinued),
                hire: Some(HireOutcome::NotHired),
                done_work: 100,
                done_study: 100,
            },
            SummaryItem {
                completion: None,
                hire: None,
                done_work: 0,
                done_study: 0,
            },
        ]);
        assert_eq!(s.count, 3);
        assert_eq!(s.completion_rate, Some(50.0));
        assert_eq!(s.hired_rate, Some(50.0));
        assert_eq!(s.mean_done_study_share, Some(37.5));
        assert_eq!(s.mean_done_work_share, Some(62.5));
    }

    proptest! {
        #[test]
        fn every_plan_week_adds_up_and_covers_every_working_day(
            start_off in 0i64..400, len in 0i64..400, hpw in 0i64..3000, study in 0i64..=100,
        ) {
            let start = d(2024, 1, 1) + Duration::days(start_off);
            let end = start + Duration::days(len);
            let weeks = plan_weeks(start, end, hpw, split(100 - study, study));
            let mut days = 0;
            let mut prev: Option<NaiveDate> = None;
            for w in &weeks {
                prop_assert_eq!(w.week_start.weekday(), Weekday::Mon);
                prop_assert!(w.working_days >= 1 && w.working_days <= 5);
                prop_assert_eq!(w.work_minutes + w.study_minutes, hpw * w.working_days / 5);
                prop_assert!(w.work_minutes >= 0 && w.study_minutes >= 0);
                if let Some(p) = prev { prop_assert!(w.week_start > p); }
                prev = Some(w.week_start);
                days += w.working_days;
            }
            let expected = (0..=len)
                .map(|i| start + Duration::days(i))
                .filter(|d| d.weekday().num_days_from_monday() < 5)
                .count() as i64;
            prop_assert_eq!(days, expected);
        }
    }
}
