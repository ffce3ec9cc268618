//! Shifts and the conflict checks for assigning staff to a request: double
//! booking, the active period, the occupation, Arbetstidslagen's rest and
//! weekly limits, an hourly cap and a full request. All or nothing per
//! batch, every refused person named with every reason.

use super::{
    format_time, EmploymentForm, Ssyk4, DAY, DEFAULT_HOURLY_WEEK_CAP_MINUTES, MAX_WEEK_MINUTES,
    MIN_REST_MINUTES,
};
use crate::validation::{required_int, ValidationErrors};
use chrono::{Datelike, NaiveDate};

/// One shift: a date, and start and end in minutes since that date's
/// midnight; the end passes 1440 when the shift passes midnight.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Shift {
    pub date: NaiveDate,
    pub start_minute: i64,
    pub end_minute: i64,
}

impl Shift {
    /// From clock times: an end at or before the start is the next day.
    pub fn from_times(date: NaiveDate, start: i64, end: i64) -> Shift {
        let end = if end <= start { end + DAY } else { end };
        Shift {
            date,
            start_minute: start,
            end_minute: end,
        }
    }
    pub fn minutes(&self) -> i64 {
        self.end_minute - self.start_minute
    }
    fn day_number(&self) -> i64 {
        self.date.num_days_from_ce() as i64
    }
    /// Start in minutes on one absolute scale (days since the common era).
    pub fn start_abs(&self) -> i64 {
        self.day_number() * DAY + self.start_minute
    }
    pub fn end_abs(&self) -> i64 {
        self.day_number() * DAY + self.end_minute
    }
    pub fn overlaps(&self, other: &Shift) -> bool {
        self.start_abs() < other.end_abs() && other.start_abs() < self.end_abs()
    }
    /// Rest between two shifts that do not overlap (0 when they do).
    pub fn gap(&self, other: &Shift) -> i64 {
        if self.overlaps(other) {
            0
        } else if self.end_abs() <= other.start_abs() {
            other.start_abs() - self.end_abs()
        } else {
            self.start_abs() - other.end_abs()
        }
    }
    /// The ISO week the shift counts in: its start date's.
    pub fn week(&self) -> (i32, u32) {
        let w = self.date.iso_week();
        (w.year(), w.week())
    }
    /// "2026-03-02 22:00–06:00"
    pub fn describe(&self) -> String {
        format!(
            "{} {}–{}",
            self.date.format("%Y-%m-%d"),
            format_time(self.start_minute),
            format_time(self.end_minute)
        )
    }
}

/// A member of staff as the conflict checks see them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StaffFacts {
    pub staff_id: i64,
    /// The name, or the staff code for a participant the actor may not read.
    pub label: String,
    pub employment_form: EmploymentForm,
    pub occupation: Ssyk4,
    pub active_from: NaiveDate,
    pub active_to: Option<NaiveDate>,
}

/// A shift the person already has (another request's).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Booked {
    pub request_id: i64,
    pub shift: Shift,
    /// Minutes counted toward weekly limits: reported, or as booked.
    pub minutes: i64,
}

/// The request being staffed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RequestFacts {
    pub request_id: i64,
    pub shift: Shift,
    pub occupation: Ssyk4,
    pub staff_count: i64,
    pub cancelled: bool,
    /// Staff already assigned to it.
    pub assigned: Vec<i64>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    pub min_rest_minutes: i64,
    pub max_week_minutes: i64,
    pub hourly_week_cap_minutes: i64,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            min_rest_minutes: MIN_REST_MINUTES,
            max_week_minutes: MAX_WEEK_MINUTES,
            hourly_week_cap_minutes: DEFAULT_HOURLY_WEEK_CAP_MINUTES,
        }
    }
}

/// Why one person may not take the shift.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Conflict {
    RequestCancelled,
    AlreadyAssigned,
    RequestFull {
        staff_count: i64,
    },
    NotActive {
        active_from: NaiveDate,
        active_to: Option<NaiveDate>,
    },
    WrongOccupation {
        has: String,
        needs: String,
    },
    DoubleBooked {
        request_id: i64,
        shift: Shift,
    },
    TooLittleRest {
        request_id: i64,
        shift: Shift,
        rest_minutes: i64,
        min_rest_minutes: i64,
    },
    WeekLimit {
        week: (i32, u32),
        minutes: i64,
        limit: i64,
    },
    HourlyCap {
        week: (i32, u32),
        minutes: i64,
        limit: i64,
    },
}

fn hours(minutes: i64) -> String {
    if minutes % 60 == 0 {
        format!("{} h", minutes / 60)
    } else {
        format!("{} h {} min", minutes / 60, minutes % 60)
    }
}

impl Conflict {
    /// Stable code, translated by the pages.
    pub fn code(&self) -> &'static str {
        match self {
            Conflict::RequestCancelled => "request_cancelled",
            Conflict::AlreadyAssigned => "already_assigned",
            Conflict::RequestFull { .. } => "request_full",
            Conflict::NotActive { .. } => "not_active",
            Conflict::WrongOccupation { .. } => "wrong_occupation",
            Conflict::DoubleBooked { .. } => "double_booked",
            Conflict::TooLittleRest { .. } => "daily_rest",
            Conflict::WeekLimit { .. } => "week_limit",
            Conflict::HourlyCap { .. } => "hourly_cap",
        }
    }

    /// An English sentence naming the conflict (the person is named by the caller).
    pub fn message(&self) -> String {
        match self {
            Conflict::RequestCancelled => "the request is cancelled".into(),
            Conflict::AlreadyAssigned => "already assigned to this request".into(),
            Conflict::RequestFull { staff_count } => {
                format!("the request is full ({staff_count} staff requested)")
            }
            Conflict::NotActive { active_from, active_to } => match active_to {
                Some(t) => format!("not employed in the pool on that date (active {active_from} to {t})"),
                None => format!("not employed in the pool on that date (active from {active_from})"),
            },
            Conflict::WrongOccupation { has, needs } => {
                format!("occupation {has} does not match the requested {needs}")
            }
            Conflict::DoubleBooked { request_id, shift } => {
                format!("double booking: already booked {} (request {request_id})", shift.describe())
            }
            Conflict::TooLittleRest { request_id, shift, rest_minutes, min_rest_minutes } => format!(
                "daily rest: only {} between this shift and {} (request {request_id}); at least {} is required",
                hours(*rest_minutes),
                shift.describe(),
                hours(*min_rest_minutes)
            ),
            Conflict::WeekLimit { week, minutes, limit } => format!(
                "working time: {} in week {}-W{:02} with this shift, above the limit of {}",
                hours(*minutes),
                week.0,
                week.1,
                hours(*limit)
            ),
            Conflict::HourlyCap { week, minutes, limit } => format!(
                "hourly cap: {} in week {}-W{:02} with this shift, above the pool's cap of {} for hourly staff",
                hours(*minutes),
                week.0,
                week.1,
                hours(*limit)
            ),
        }
    }
}

/// The occupation rule: the same SSYK level-4 group, or a related one —
/// the same level-3 group (e.g. 5321 and 5323, undersköterskor in home care
/// and at a ward). Anything else is refused.
pub fn occupation_fits(has: &Ssyk4, needs: &Ssyk4) -> bool {
    has == needs || has.group3() == needs.group3()
}

/// Every reason `staff` may not take `request`'s shift, given the shifts
/// they already have. Empty: they may.
pub fn conflicts_for(
    request: &RequestFacts,
    staff: &StaffFacts,
    booked: &[Booked],
    limits: &Limits,
) -> Vec<Conflict> {
    let mut out = Vec::new();
    let shift = &request.shift;
    if request.assigned.contains(&staff.staff_id) {
        out.push(Conflict::AlreadyAssigned);
        return out;
    }
    if shift.date < staff.active_from || staff.active_to.is_some_and(|t| shift.date > t) {
        out.push(Conflict::NotActive {
            active_from: staff.active_from,
            active_to: staff.active_to,
        });
    }
    if !occupation_fits(&staff.occupation, &request.occupation) {
        out.push(Conflict::WrongOccupation {
            has: staff.occupation.as_str().into(),
            needs: request.occupation.as_str().into(),
        });
    }
    let others: Vec<&Booked> = booked
        .iter()
        .filter(|b| b.request_id != request.request_id)
        .collect();
    for b in &others {
        if b.shift.overlaps(shift) {
            out.push(Conflict::DoubleBooked {
                request_id: b.request_id,
                shift: b.shift,
            });
        }
    }
    // Rest is measured to the nearest shift before and after (split shifts
    // are not booked by the pool).
    for b in &others {
        let gap = b.shift.gap(shift);
        if !b.shift.overlaps(shift) && gap < limits.min_rest_minutes {
            out.push(Conflict::TooLittleRest {
                request_id: b.request_id,
                shift: b.shift,
                rest_minutes: gap,
                min_rest_minutes: limits.min_rest_minutes,
            });
        }
    }
    let week = shift.week();
    let week_minutes: i64 = others
        .iter()
        .filter(|b| b.shift.week() == week)
        .map(|b| b.minutes)
        .sum::<i64>()
        + shift.minutes();
    if week_minutes > limits.max_week_minutes {
        out.push(Conflict::WeekLimit {
            week,
            minutes: week_minutes,
            limit: limits.max_week_minutes,
        });
    }
    if staff.employment_form == EmploymentForm::Hourly
        && week_minutes > limits.hourly_week_cap_minutes
    {
        out.push(Conflict::HourlyCap {
            week,
            minutes: week_minutes,
            limit: limits.hourly_week_cap_minutes,
        });
    }
    out
}

/// One person refused, with every reason.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refusal {
    pub staff_id: i64,
    pub label: String,
    pub conflicts: Vec<Conflict>,
}

impl Refusal {
    pub fn message(&self) -> String {
        let reasons: Vec<String> = self.conflicts.iter().map(Conflict::message).collect();
        format!("{}: {}", self.label, reasons.join("; "))
    }
}

/// Assign several people to one request: all or nothing. Each candidate
/// comes with the shifts they already have. Refused: every refused person
/// with their reasons (a request that would overflow refuses everyone
/// beyond its free places, named in the order given).
pub fn check_assignment(
    request: &RequestFacts,
    candidates: &[(StaffFacts, Vec<Booked>)],
    limits: &Limits,
) -> Result<(), Vec<Refusal>> {
    let mut refusals = Vec::new();
    let free = (request.staff_count - request.assigned.len() as i64).max(0);
    let mut seen = Vec::new();
    for (i, (staff, booked)) in candidates.iter().enumerate() {
        let mut conflicts = Vec::new();
        if request.cancelled {
            conflicts.push(Conflict::RequestCancelled);
        }
        if seen.contains(&staff.staff_id) {
            conflicts.push(Conflict::AlreadyAssigned);
        }
        seen.push(staff.staff_id);
        conflicts.extend(conflicts_for(request, staff, booked, limits));
        if i as i64 >= free {
            conflicts.push(Conflict::RequestFull {
                staff_count: request.staff_count,
            });
        }
        if !conflicts.is_empty() {
            refusals.push(Refusal {
                staff_id: staff.staff_id,
                label: staff.label.clone(),
                conflicts,
            });
        }
    }
    if refusals.is_empty() {
        Ok(())
    } else {
        Err(refusals)
    }
}

/// Minutes reported worked: 0 up to the booked length plus 4 hours' overtime.
pub fn check_worked_minutes(booked: &Shift, worked: Option<i64>) -> Result<i64, ValidationErrors> {
    let mut e = ValidationErrors::new();
    let max = booked.minutes() + 240;
    let v = required_int(&mut e, "worked_minutes", worked, 0, max);
    e.into_result(v)
}

#[cfg(test)]
mod tests {
    use super::super::parse_time;
    use super::*;
    use crate::time::ymd as d;
    use proptest::prelude::*;

    fn shift(date: &str, s: &str, e: &str) -> Shift {
        Shift::from_times(d(date), parse_time(s).unwrap(), parse_time(e).unwrap())
    }
    fn staff(id: i64, form: EmploymentForm) -> StaffFacts {
        StaffFacts {
            staff_id: id,
            label: format!("Person {id}"),
            employment_form: form,
            occupation: Ssyk4::parse("5321").unwrap(),
            active_from: d("2026-01-01"),
            active_to: None,
        }
    }
    fn request(id: i64, shift: Shift, count: i64) -> RequestFacts {
        RequestFacts {
            request_id: id,
            shift,
            occupation: Ssyk4::parse("5321").unwrap(),
            staff_count: count,
            cancelled: false,
            assigned: vec![],
        }
    }
    fn booked(id: i64, s: Shift) -> Booked {
        Booked {
            request_id: id,
            shift: s,
            minutes: s.minutes(),
        }
    }

    #[test]
    fn a_night_shift_passes_midnight_and_overlaps_the_next_morning() {
        let night = shift("2026-03-02", "22:00", "06:00");
        assert_eq!(night.end_minute, 30 * 60);
        assert_eq!(night.minutes(), 8 * 60);
        let morning = shift("2026-03-03", "05:00", "13:00");
        assert!(night.overlaps(&morning));
        assert!(!night.overlaps(&shift("2026-03-03", "06:00", "14:00")));
    }

    #[test]
    fn double_booking_is_refused_naming_the_other_shift() {
        let r = request(2, shift("2026-03-03", "05:00", "13:00"), 1);
        let c = conflicts_for(
            &r,
            &staff(1, EmploymentForm::FullTime),
            &[booked(1, shift("2026-03-02", "22:00", "06:00"))],
            &Limits::default(),
        );
        assert_eq!(c[0].code(), "double_booked");
        assert!(
            c[0].message().contains("2026-03-02 22:00–06:00"),
            "{}",
            c[0].message()
        );
    }

    #[test]
    fn eleven_hours_rest_between_shifts() {
        let r = request(2, shift("2026-03-03", "07:00", "15:00"), 1);
        let ten_hours_before = booked(1, shift("2026-03-02", "13:00", "21:00"));
        let c = conflicts_for(
            &r,
            &staff(1, EmploymentForm::FullTime),
            &[ten_hours_before],
            &Limits::default(),
        );
        assert_eq!(
            c.iter().map(Conflict::code).collect::<Vec<_>>(),
            ["daily_rest"]
        );
        let eleven = booked(1, shift("2026-03-02", "12:00", "20:00"));
        assert!(conflicts_for(
            &r,
            &staff(1, EmploymentForm::FullTime),
            &[eleven],
            &Limits::default()
        )
        .is_empty());
    }

    #[test]
    fn weekly_limits_for_everyone_and_the_hourly_cap() {
        // Mon–Fri 8 h = 40 h already; a sixth 8 h shift on Saturday = 48 h.
        let week: Vec<Booked> = (2..=6)
            .map(|day| booked(day, shift(&format!("2026-03-{day:02}"), "07:00", "15:00")))
            .collect();
        let sat = request(10, shift("2026-03-07", "07:00", "15:00"), 1);
        assert!(conflicts_for(
            &sat,
            &staff(1, EmploymentForm::FullTime),
            &week,
            &Limits::default()
        )
        .is_empty());
        let c = conflicts_for(
            &sat,
            &staff(1, EmploymentForm::Hourly),
            &week,
            &Limits::default(),
        );
        assert_eq!(
            c.iter().map(Conflict::code).collect::<Vec<_>>(),
            ["hourly_cap"]
        );
        let sun = request(11, shift("2026-03-08", "07:00", "15:00"), 1);
        let mut more = week.clone();
        more.push(booked(10, sat.shift));
        let c = conflicts_for(
            &sun,
            &staff(1, EmploymentForm::FullTime),
            &more,
            &Limits::default(),
        );
        assert_eq!(
            c.iter().map(Conflict::code).collect::<Vec<_>>(),
            ["week_limit"]
        );
        // The next Monday is another week.
        let mon = request(12, shift("2026-03-09", "07:00", "15:00"), 1);
        assert!(conflicts_for(
            &mon,
            &staff(1, EmploymentForm::FullTime),
            &more,
            &Limits::default()
        )
        .is_empty());
    }

    #[test]
    fn occupation_and_active_period() {
        let r = request(1, shift("2026-03-02", "07:00", "15:00"), 1);
        let mut s = staff(1, EmploymentForm::FullTime);
        s.occupation = Ssyk4::parse("5322").unwrap();
        assert!(
            conflicts_for(&r, &s, &[], &Limits::default()).is_empty(),
            "same level-3 group"
        );
        s.occupation = Ssyk4::parse("5330").unwrap();
        s.active_to = Some(d("2026-02-28"));
        let c = conflicts_for(&r, &s, &[], &Limits::default());
        assert_eq!(
            c.iter().map(Conflict::code).collect::<Vec<_>>(),
            ["not_active", "wrong_occupation"]
        );
    }

    #[test]
    fn a_batch_is_all_or_nothing_and_names_every_refused_person() {
        let mut r = request(5, shift("2026-03-02", "07:00", "15:00"), 2);
        r.assigned = vec![9];
        let candidates = vec![
            (staff(1, EmploymentForm::FullTime), vec![]),
            (
                staff(2, EmploymentForm::FullTime),
                vec![booked(4, shift("2026-03-02", "08:00", "12:00"))],
            ),
            (staff(3, EmploymentForm::FullTime), vec![]),
        ];
        let refused = check_assignment(&r, &candidates, &Limits::default()).unwrap_err();
        let who: Vec<i64> = refused.iter().map(|r| r.staff_id).collect();
        assert_eq!(who, [2, 3]);
        assert!(refused[0].message().starts_with("Person 2: double booking"));
        assert!(refused[1]
            .conflicts
            .contains(&Conflict::RequestFull { staff_count: 2 }));
        assert!(check_assignment(&r, &candidates[..1], &Limits::default()).is_ok());
    }

    proptest! {
        #[test]
        fn overlap_is_symmetric_and_gap_is_zero_exactly_when_overlapping(
            d1 in 0i64..5, s1 in 0i64..1440, l1 in 1i64..960,
            d2 in 0i64..5, s2 in 0i64..1440, l2 in 1i64..960,
        ) {
            let base = d("2026-03-02");
            let a = Shift { date: base + chrono::Duration::days(d1), start_minute: s1, end_minute: s1 + l1 };
            let b = Shift { date: base + chrono::Duration::days(d2), start_minute: s2, end_minute: s2 + l2 };
            prop_assert_eq!(a.overlaps(&b), b.overlaps(&a));
            prop_assert_eq!(a.gap(&b), b.gap(&a));
            if a.overlaps(&b) { prop_assert_eq!(a.gap(&b), 0); }
            // A person with shift a may never be assigned an overlapping b.
            let r = request(2, b, 1);
            let c = conflicts_for(&r, &staff(1, EmploymentForm::FullTime), &[booked(1, a)], &Limits::default());
            prop_assert_eq!(a.overlaps(&b), c.iter().any(|c| c.code() == "double_booked"));
        }

        #[test]
        fn a_batch_is_accepted_exactly_when_every_person_is_free_and_there_is_room(
            count in 1i64..4,
            already in 0usize..3,
            shifts in proptest::collection::vec((0i64..3, 0i64..1440, 60i64..720), 0..4),
            people in 1usize..5,
        ) {
            let base = d("2026-03-02");
            let mut r = request(100, Shift { date: base + chrono::Duration::days(1), start_minute: 420, end_minute: 900 }, count);
            r.assigned = (1000..1000 + already as i64).collect();
            // Person i has the i-th generated shift (if any).
            let candidates: Vec<(StaffFacts, Vec<Booked>)> = (0..people)
                .map(|i| {
                    let booked = shifts.get(i).map(|(day, start, len)| {
                        booked(i as i64 + 1, Shift { date: base + chrono::Duration::days(*day), start_minute: *start, end_minute: start + len })
                    });
                    (staff(i as i64 + 1, EmploymentForm::FullTime), booked.into_iter().collect())
                })
                .collect();
            let free = count - already as i64 >= people as i64;
            let everyone_fits = candidates.iter().all(|(s, b)| conflicts_for(&r, s, b, &Limits::default()).is_empty());
            let outcome = check_assignment(&r, &candidates, &Limits::default());
            prop_assert_eq!(outcome.is_ok(), free && everyone_fits);
            if let Err(refused) = outcome {
                // Every refused person has a reason, and nobody free is refused without one.
                prop_assert!(refused.iter().all(|x| !x.conflicts.is_empty()));
            }
        }
    }
}
