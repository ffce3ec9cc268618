//! The staffing model (bemanningsmodellen, issue 6 point 4): a staffing pool
//! fills municipal units' shifts with its staff. Pure rules: parsing of
//! pools, staff, requests, reported unit hours and training progress; the
//! conflict checks for assigning staff to a request (double booking, active
//! period, occupation, Arbetstidslagen's rest and weekly limits, an hourly
//! cap, a full request); fill rate and the hourly-share series.

pub mod access;

use crate::taxonomy::is_ssyk4;
use crate::validation::{optional_text, required_int, required_text, ISO_DATES};
use crate::ValidationErrors;
use chrono::{Datelike, NaiveDate};
use std::collections::BTreeMap;

/// Minutes in a day.
pub const DAY: i64 = 1440;
/// Arbetstidslagen 13 §: at least 11 hours' consecutive rest per 24 hours.
pub const MIN_REST_MINUTES: i64 = 11 * 60;
/// Arbetstidslagen 10 b §: at most 48 hours a week (simplified to any
/// calendar week, the new shift included, instead of an average over 4 months).
pub const MAX_WEEK_MINUTES: i64 = 48 * 60;
/// A pool's default weekly cap for its hourly staff.
pub const DEFAULT_HOURLY_WEEK_CAP_MINUTES: i64 = 40 * 60;
/// The longest shift accepted (a night shift passing midnight included).
pub const MAX_SHIFT_MINUTES: i64 = 16 * 60;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum EmploymentForm {
    FullTime,
    Hourly,
}

impl EmploymentForm {
    pub const ALL: &'static [EmploymentForm] = &[EmploymentForm::FullTime, EmploymentForm::Hourly];
    pub fn as_str(self) -> &'static str {
        match self {
            EmploymentForm::FullTime => "full_time",
            EmploymentForm::Hourly => "hourly",
        }
    }
    pub fn parse(s: &str) -> Option<EmploymentForm> {
        match s {
            "full_time" => Some(EmploymentForm::FullTime),
            "hourly" => Some(EmploymentForm::Hourly),
            _ => None,
        }
    }
}

/// An SSYK 2012 level-4 code (four digits). Whether it exists is the
/// taxonomy's question, asked by the store.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Ssyk4(String);

impl Ssyk4 {
    pub fn parse(s: &str) -> Option<Ssyk4> {
        let s = s.trim();
        is_ssyk4(s).then(|| Ssyk4(s.to_string()))
    }
    pub fn as_str(&self) -> &str {
        &self.0
    }
    /// The SSYK level-3 group (first three digits).
    pub fn group3(&self) -> &str {
        &self.0[..3]
    }
}

fn ssyk(errors: &mut ValidationErrors, field: &str, v: Option<&str>) -> Option<Ssyk4> {
    match v.map(str::trim).filter(|s| !s.is_empty()) {
        None => {
            errors.add(field, "required", format!("{field} is required"));
            None
        }
        Some(s) => {
            let p = Ssyk4::parse(s);
            if p.is_none() {
                errors.add(
                    field,
                    "invalid",
                    format!("{field} must be an SSYK level-4 code (4 digits)"),
                );
            }
            p
        }
    }
}

/// "HH:MM" (00:00–24:00) as minutes since midnight.
pub fn parse_time(s: &str) -> Option<i64> {
    let (h, m) = s.trim().split_once(':')?;
    if h.is_empty() || h.len() > 2 || m.len() != 2 {
        return None;
    }
    let h: i64 = h.parse().ok()?;
    let m: i64 = m.parse().ok()?;
    if !(0..60).contains(&m) || h > 24 || (h == 24 && m > 0) {
        return None;
    }
    Some(h * 60 + m)
}

/// Minutes since midnight as "HH:MM" (past midnight wraps: 25:30 → 01:30).
pub fn format_time(minute: i64) -> String {
    let m = minute.rem_euclid(DAY);
    format!("{:02}:{:02}", m / 60, m % 60)
}

/// "YYYY-MM".
pub fn parse_month(s: &str) -> Option<(i32, u32)> {
    let (y, m) = s.trim().split_once('-')?;
    if y.len() != 4 || m.len() != 2 {
        return None;
    }
    let y: i32 = y.parse().ok()?;
    let m: u32 = m.parse().ok()?;
    ((1..=12).contains(&m) && (2000..=2100).contains(&y)).then_some((y, m))
}

// ---------------------------------------------------------------- pools

#[derive(Debug, Clone, Default)]
pub struct PoolInput {
    pub name: Option<String>,
    pub organisation_id: Option<i64>,
    pub intervention_id: Option<i64>,
    pub hourly_price_ore: Option<i64>,
    pub hourly_week_cap_minutes: Option<i64>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PoolData {
    pub name: String,
    pub organisation_id: i64,
    pub intervention_id: Option<i64>,
    pub hourly_price_ore: i64,
    pub hourly_week_cap_minutes: i64,
}

impl PoolData {
    pub fn from_input(i: &PoolInput) -> Result<PoolData, ValidationErrors> {
        let mut e = ValidationErrors::new();
        let name = required_text(&mut e, "name", i.name.as_deref(), 200);
        let organisation_id =
            required_int(&mut e, "organisation_id", i.organisation_id, 1, i64::MAX);
        let hourly_price_ore = required_int(
            &mut e,
            "hourly_price_ore",
            i.hourly_price_ore,
            0,
            100_000_000,
        );
        let cap = required_int(
            &mut e,
            "hourly_week_cap_minutes",
            Some(
                i.hourly_week_cap_minutes
                    .unwrap_or(DEFAULT_HOURLY_WEEK_CAP_MINUTES),
            ),
            60,
            MAX_WEEK_MINUTES,
        );
        if let Some(id) = i.intervention_id {
            if id < 1 {
                e.add(
                    "intervention_id",
                    "invalid",
                    "intervention_id must be a positive id",
                );
            }
        }
        e.into_result(PoolData {
            name,
            organisation_id,
            intervention_id: i.intervention_id,
            hourly_price_ore,
            hourly_week_cap_minutes: cap,
        })
    }
}

// ---------------------------------------------------------------- staff

#[derive(Debug, Clone, Default)]
pub struct StaffInput {
    pub participant_id: Option<i64>,
    pub name: Option<String>,
    pub employment_form: Option<String>,
    pub occupation: Option<String>,
    pub hourly_wage_ore: Option<i64>,
    pub active_from: Option<String>,
    pub active_to: Option<String>,
}

/// Who a member of staff is: a participant (named only to those who may
/// read the participant) or a regular employee named here.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StaffPerson {
    Participant(i64),
    Regular(String),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StaffData {
    pub person: StaffPerson,
    pub employment_form: EmploymentForm,
    pub occupation: Ssyk4,
    pub hourly_wage_ore: i64,
    pub active_from: NaiveDate,
    pub active_to: Option<NaiveDate>,
}

/// The terms of a staff member's employment (all but who they are).
type Terms = (
    Option<EmploymentForm>,
    Option<Ssyk4>,
    i64,
    Option<NaiveDate>,
    Option<NaiveDate>,
);

fn staff_terms(e: &mut ValidationErrors, i: &StaffInput) -> Terms {
    let form = match i.employment_form.as_deref().map(str::trim) {
        None | Some("") => {
            e.add("employment_form", "required", "employment_form is required");
            None
        }
        Some(s) => {
            let f = EmploymentForm::parse(s);
            if f.is_none() {
                e.add(
                    "employment_form",
                    "invalid_choice",
                    "employment_form must be full_time or hourly",
                );
            }
            f
        }
    };
    let occupation = ssyk(e, "occupation", i.occupation.as_deref());
    let wage = required_int(e, "hourly_wage_ore", i.hourly_wage_ore, 0, 10_000_000);
    let from = ISO_DATES.required(e, "active_from", i.active_from.as_deref());
    let to = ISO_DATES.optional(e, "active_to", i.active_to.as_deref());
    if let (Some(f), Some(t)) = (from, to) {
        if t < f {
            e.add(
                "active_to",
                "before_start",
                "active_to must not be before active_from",
            );
        }
    }
    (form, occupation, wage, from, to)
}

impl StaffData {
    /// New terms for an existing member of staff: `person` stays as stored.
    pub fn from_terms(i: &StaffInput, person: StaffPerson) -> Result<StaffData, ValidationErrors> {
        let mut e = ValidationErrors::new();
        let (form, occupation, wage, from, to) = staff_terms(&mut e, i);
        match (form, occupation, from) {
            (Some(employment_form), Some(occupation), Some(active_from)) if e.is_empty() => {
                Ok(StaffData {
                    person,
                    employment_form,
                    occupation,
                    hourly_wage_ore: wage,
                    active_from,
                    active_to: to,
                })
            }
            _ => Err(e),
        }
    }

    pub fn from_input(i: &StaffInput) -> Result<StaffData, ValidationErrors> {
        let mut e = ValidationErrors::new();
        let name = optional_text(&mut e, "name", i.name.as_deref(), 200);
        let person = match (i.participant_id, name) {
            (Some(p), None) if p > 0 => Some(StaffPerson::Participant(p)),
            (Some(_), None) => {
                e.add(
                    "participant_id",
                    "invalid",
                    "participant_id must be a positive id",
                );
                None
            }
            (None, Some(n)) => Some(StaffPerson::Regular(n)),
            (Some(_), Some(_)) => {
                e.add(
                    "name",
                    "exclusive",
                    "give either participant_id or name, not both",
                );
                None
            }
            (None, None) => {
                if e.for_field("name").is_none() {
                    e.add(
                        "name",
                        "required",
                        "name (regular staff) or participant_id is required",
                    );
                }
                None
            }
        };
        let (form, occupation, wage, from, to) = staff_terms(&mut e, i);
        match (person, form, occupation, from) {
            (Some(person), Some(employment_form), Some(occupation), Some(active_from))
                if e.is_empty() =>
            {
                Ok(StaffData {
                    person,
                    employment_form,
                    occupation,
                    hourly_wage_ore: wage,
                    active_from,
                    active_to: to,
                })
            }
            _ => Err(e),
        }
    }
}

// ---------------------------------------------------------------- requests

#[derive(Debug, Clone, Default)]
pub struct RequestInput {
    pub unit_id: Option<i64>,
    pub work_date: Option<String>,
    /// "HH:MM"
    pub start_time: Option<String>,
    /// "HH:MM"; at or before the start: the next day (a night shift).
    pub end_time: Option<String>,
    pub occupation: Option<String>,
    pub staff_count: Option<i64>,
    pub note: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RequestData {
    pub unit_id: i64,
    pub shift: Shift,
    pub occupation: Ssyk4,
    pub staff_count: i64,
    pub note: Option<String>,
}

impl RequestData {
    pub fn from_input(i: &RequestInput) -> Result<RequestData, ValidationErrors> {
        let mut e = ValidationErrors::new();
        let unit_id = required_int(&mut e, "unit_id", i.unit_id, 1, i64::MAX);
        let d = ISO_DATES.required(&mut e, "work_date", i.work_date.as_deref());
        let mut time =
            |field: &str, v: Option<&str>| match v.map(str::trim).filter(|s| !s.is_empty()) {
                None => {
                    e.add(field, "required", format!("{field} is required"));
                    None
                }
                Some(s) => {
                    let t = parse_time(s);
                    if t.is_none() {
                        e.add(
                            field,
                            "invalid_time",
                            format!("{field} must be a time HH:MM"),
                        );
                    }
                    t
                }
            };
        let start = time("start_time", i.start_time.as_deref());
        let end = time("end_time", i.end_time.as_deref());
        let occupation = ssyk(&mut e, "occupation", i.occupation.as_deref());
        let count = required_int(&mut e, "staff_count", i.staff_count, 1, 50);
        let note = optional_text(&mut e, "note", i.note.as_deref(), 1000);
        let shift = match (d, start, end) {
            (Some(d), Some(s), Some(en)) => {
                let s = s.min(DAY - 1);
                let shift = Shift::from_times(d, s, en);
                if shift.minutes() > MAX_SHIFT_MINUTES {
                    e.add(
                        "end_time",
                        "too_long",
                        format!("a shift may be at most {} hours", MAX_SHIFT_MINUTES / 60),
                    );
                }
                Some(shift)
            }
            _ => None,
        };
        match (shift, occupation) {
            (Some(shift), Some(occupation)) if e.is_empty() => Ok(RequestData {
                unit_id,
                shift,
                occupation,
                staff_count: count,
                note,
            }),
            _ => Err(e),
        }
    }
}

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

// ---------------------------------------------------------------- assignment

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

// ---------------------------------------------------------------- unit hours

#[derive(Debug, Clone, Default)]
pub struct UnitHoursInput {
    pub unit_id: Option<i64>,
    pub month: Option<String>,
    pub total_minutes: Option<i64>,
    pub hourly_minutes: Option<i64>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnitHoursData {
    pub unit_id: i64,
    /// "YYYY-MM"
    pub month: String,
    pub total_minutes: i64,
    pub hourly_minutes: i64,
}

impl UnitHoursData {
    pub fn from_input(i: &UnitHoursInput) -> Result<UnitHoursData, ValidationErrors> {
        let mut e = ValidationErrors::new();
        let unit_id = required_int(&mut e, "unit_id", i.unit_id, 1, i64::MAX);
        let month = match i.month.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
            None => {
                e.add("month", "required", "month is required");
                String::new()
            }
            Some(m) => match parse_month(m) {
                Some((y, mo)) => format!("{y:04}-{mo:02}"),
                None => {
                    e.add("month", "invalid", "month must be YYYY-MM");
                    String::new()
                }
            },
        };
        // A unit of 1 000 full-time staff works about 10 million minutes a month.
        let total = required_int(&mut e, "total_minutes", i.total_minutes, 0, 100_000_000);
        let hourly = required_int(&mut e, "hourly_minutes", i.hourly_minutes, 0, 100_000_000);
        if e.for_field("hourly_minutes").is_none()
            && e.for_field("total_minutes").is_none()
            && hourly > total
        {
            e.add(
                "hourly_minutes",
                "above_total",
                "hourly_minutes must not exceed total_minutes",
            );
        }
        e.into_result(UnitHoursData {
            unit_id,
            month,
            total_minutes: total,
            hourly_minutes: hourly,
        })
    }
}

/// The month ("YYYY-MM") a date belongs to.
pub fn month_of(d: NaiveDate) -> String {
    d.format("%Y-%m").to_string()
}

/// One point of a unit's hourly-share series.
#[derive(Debug, Clone, PartialEq)]
pub struct SharePoint {
    pub unit_id: i64,
    pub month: String,
    /// The unit's reported figures plus the pool's assignments there.
    pub total_minutes: i64,
    pub hourly_minutes: i64,
    /// hourly / total (None when the total is 0).
    pub share: Option<f64>,
}

/// The units' share of hours worked by hourly employees, month by month.
///
/// Units report the hours of their own staff; the pool's shifts at the unit
/// are added (its hourly staff's minutes to both figures, its full-time
/// staff's to the total only), since a shift filled by the pool is worked at
/// the unit. A month counts only when the unit has reported it.
/// `pool`: (unit, month, hourly?) → minutes.
pub fn hourly_share_series(
    reported: &[UnitHoursData],
    pool: &BTreeMap<(i64, String, bool), i64>,
) -> Vec<SharePoint> {
    let mut out: Vec<SharePoint> = reported
        .iter()
        .map(|r| {
            let ph = pool
                .get(&(r.unit_id, r.month.clone(), true))
                .copied()
                .unwrap_or(0);
            let pf = pool
                .get(&(r.unit_id, r.month.clone(), false))
                .copied()
                .unwrap_or(0);
            let total = r.total_minutes + ph + pf;
            let hourly = r.hourly_minutes + ph;
            SharePoint {
                unit_id: r.unit_id,
                month: r.month.clone(),
                total_minutes: total,
                hourly_minutes: hourly,
                share: (total > 0).then(|| hourly as f64 / total as f64),
            }
        })
        .collect();
    out.sort_by(|a, b| (a.unit_id, &a.month).cmp(&(b.unit_id, &b.month)));
    out
}

/// Filled over requested positions.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct Fill {
    pub requested: i64,
    pub filled: i64,
}

impl Fill {
    /// A request counts `min(assigned, count)` filled places.
    pub fn add(&mut self, staff_count: i64, assigned: i64) {
        self.requested += staff_count;
        self.filled += assigned.min(staff_count);
    }
    pub fn rate(&self) -> Option<f64> {
        (self.requested > 0).then(|| self.filled as f64 / self.requested as f64)
    }
}

// ---------------------------------------------------------------- training

#[derive(Debug, Clone, Default)]
pub struct TrainingInput {
    pub course: Option<String>,
    pub occupation: Option<String>,
    pub credits_total: Option<i64>,
    pub credits_done: Option<i64>,
    pub started_on: Option<String>,
    pub completed_on: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TrainingData {
    pub course: String,
    pub occupation: Option<Ssyk4>,
    pub credits_total: i64,
    pub credits_done: i64,
    pub started_on: NaiveDate,
    pub completed_on: Option<NaiveDate>,
}

impl TrainingData {
    pub fn from_input(i: &TrainingInput) -> Result<TrainingData, ValidationErrors> {
        let mut e = ValidationErrors::new();
        let course = required_text(&mut e, "course", i.course.as_deref(), 200);
        let occupation = match i
            .occupation
            .as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty())
        {
            None => None,
            Some(_) => ssyk(&mut e, "occupation", i.occupation.as_deref()),
        };
        let total = required_int(&mut e, "credits_total", i.credits_total, 1, 5000);
        let done = required_int(
            &mut e,
            "credits_done",
            Some(i.credits_done.unwrap_or(0)),
            0,
            5000,
        );
        if e.for_field("credits_total").is_none() && done > total {
            e.add(
                "credits_done",
                "above_total",
                "credits_done must not exceed credits_total",
            );
        }
        let started = ISO_DATES.required(&mut e, "started_on", i.started_on.as_deref());
        let completed = ISO_DATES.optional(&mut e, "completed_on", i.completed_on.as_deref());
        if let (Some(s), Some(c)) = (started, completed) {
            if c < s {
                e.add(
                    "completed_on",
                    "before_start",
                    "completed_on must not be before started_on",
                );
            }
        }
        if completed.is_some() && e.is_empty() && done < total {
            e.add(
                "completed_on",
                "credits_missing",
                "a completed course has all its credits done",
            );
        }
        match started {
            Some(started_on) if e.is_empty() => Ok(TrainingData {
                course,
                occupation,
                credits_total: total,
                credits_done: done,
                started_on,
                completed_on: completed,
            }),
            _ => Err(e),
        }
    }
}

// ---------------------------------------------------------------- seed plan

// Plain data that the seed generator (`vagar-seed`) fills and the store
// writes: neither crate depends on the other, both on this one.

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SeedPerson {
    /// The n-th participant the store hands over.
    Participant(usize),
    Regular(String),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SeedStaff {
    pub person: SeedPerson,
    pub employment_form: EmploymentForm,
    pub occupation: String,
    pub hourly_wage_ore: i64,
    pub active_from: NaiveDate,
    pub active_to: Option<NaiveDate>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SeedRequest {
    /// Index into `StaffingPlan::units`.
    pub unit: usize,
    pub shift: Shift,
    pub occupation: String,
    pub staff_count: i64,
    /// Indexes into the staff list.
    pub assigned: Vec<usize>,
    /// Minutes reported for each assigned person (None: as booked).
    pub worked: Vec<Option<i64>>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SeedUnitHours {
    pub unit: usize,
    /// YYYY-MM
    pub month: String,
    pub total_minutes: i64,
    pub hourly_minutes: i64,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SeedTraining {
    pub staff: usize,
    pub course: String,
    pub occupation: String,
    pub credits_total: i64,
    pub credits_done: i64,
    pub started_on: NaiveDate,
    pub completed_on: Option<NaiveDate>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StaffingPlan {
    pub pool_name: String,
    /// The ordering municipal units' names.
    pub units: Vec<String>,
    pub staff: Vec<SeedStaff>,
    pub requests: Vec<SeedRequest>,
    pub unit_hours: Vec<SeedUnitHours>,
    pub training: Vec<SeedTraining>,
}

#[cfg(test)]
mod tests {
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

    #[test]
    fn the_hourly_share_adds_the_pools_shifts_to_the_units_figures() {
        let reported = vec![UnitHoursData {
            unit_id: 1,
            month: "2026-03".into(),
            total_minutes: 1000,
            hourly_minutes: 300,
        }];
        let mut pool = BTreeMap::new();
        pool.insert((1, "2026-03".to_string(), true), 100);
        pool.insert((1, "2026-03".to_string(), false), 400);
        pool.insert((1, "2026-04".to_string(), false), 400);
        let s = hourly_share_series(&reported, &pool);
        assert_eq!(s.len(), 1, "an unreported month is left out");
        assert_eq!((s[0].hourly_minutes, s[0].total_minutes), (400, 1500));
        assert!((s[0].share.unwrap() - 400.0 / 1500.0).abs() < 1e-12);
    }

    #[test]
    fn inputs_name_their_fields() {
        let e = RequestData::from_input(&RequestInput {
            unit_id: Some(1),
            work_date: Some("2026-02-30".into()),
            start_time: Some("25:00".into()),
            end_time: Some("06:00".into()),
            occupation: Some("53".into()),
            staff_count: Some(0),
            note: None,
        })
        .unwrap_err();
        let fields: Vec<&str> = e.0.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(
            fields,
            ["work_date", "start_time", "occupation", "staff_count"]
        );
        let e = UnitHoursData::from_input(&UnitHoursInput {
            unit_id: Some(1),
            month: Some("2026-3".into()),
            total_minutes: Some(10),
            hourly_minutes: Some(11),
        })
        .unwrap_err();
        let fields: Vec<&str> = e.0.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(fields, ["month", "hourly_minutes"]);
        let e = StaffData::from_input(&StaffInput {
            participant_id: Some(3),
            name: Some("Anna".into()),
            employment_form: Some("part".into()),
            ..Default::default()
        })
        .unwrap_err();
        let fields: Vec<&str> = e.0.iter().map(|e| e.field.as_str()).collect();
        assert_eq!(
            fields,
            [
                "name",
                "employment_form",
                "occupation",
                "hourly_wage_ore",
                "active_from"
            ]
        );
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

        #[test]
        fn clock_times_round_trip(m in 0i64..1440) {
            prop_assert_eq!(parse_time(&format_time(m)), Some(m));
        }
    }
}
