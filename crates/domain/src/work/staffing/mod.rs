//! The staffing model (bemanningsmodellen, issue 6 point 4): a staffing pool
//! fills municipal units' shifts with its staff. Pure rules: parsing of
//! pools, staff, requests, reported unit hours and training progress; the
//! conflict checks for assigning staff to a request (double booking, active
//! period, occupation, Arbetstidslagen's rest and weekly limits, an hourly
//! cap, a full request) in [`assignment`]; fill rate and the hourly-share
//! series.

pub mod access;
pub mod assignment;

pub use assignment::{
    check_assignment, check_worked_minutes, conflicts_for, occupation_fits, Booked, Conflict,
    Limits, Refusal, RequestFacts, Shift, StaffFacts,
};

use crate::org::code_enum;
use crate::taxonomy::{is_ssyk4, ssyk4_field};
use crate::validation::{optional_text, required_int, required_text, ISO_DATES};
use crate::ValidationErrors;
use chrono::NaiveDate;
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

code_enum!(
    /// How a member of the pool's staff is employed.
    EmploymentForm {
        FullTime = "full_time",
        Hourly = "hourly",
    }
);

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
    ssyk4_field(errors, field, v).and_then(|s| Ssyk4::parse(&s))
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

/// A staffing pool as it arrives (also the API body's shape).
#[derive(Debug, Clone, Default, serde::Serialize, serde::Deserialize, utoipa::ToSchema)]
#[serde(default)]
pub struct PoolInput {
    /// At most 200 characters.
    pub name: Option<String>,
    pub organisation_id: Option<i64>,
    /// An intervention of the staffing model.
    pub intervention_id: Option<i64>,
    /// Öre per hour, 0 or more.
    pub hourly_price_ore: Option<i64>,
    /// 60–2880 (default 2400, 40 h).
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

/// A staffing request as it arrives (also the API body's shape).
#[derive(Debug, Clone, Default, serde::Serialize, serde::Deserialize, utoipa::ToSchema)]
#[serde(default)]
pub struct RequestInput {
    /// The ordering municipal unit (an organisation of kind municipal_unit).
    pub unit_id: Option<i64>,
    /// YYYY-MM-DD
    pub work_date: Option<String>,
    /// "HH:MM"
    pub start_time: Option<String>,
    /// "HH:MM"; at or before the start: the next day (a night shift).
    pub end_time: Option<String>,
    /// SSYK level-4 code of the taxonomy.
    pub occupation: Option<String>,
    /// 1–50
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

// ---------------------------------------------------------------- unit hours

/// A unit's monthly hours as they arrive (also the API body's shape).
#[derive(Debug, Clone, Default, serde::Serialize, serde::Deserialize, utoipa::ToSchema)]
#[serde(default)]
pub struct UnitHoursInput {
    pub unit_id: Option<i64>,
    /// YYYY-MM; a second report of the month replaces the first.
    pub month: Option<String>,
    pub total_minutes: Option<i64>,
    /// At most total_minutes.
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
    use proptest::prelude::*;

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
        fn clock_times_round_trip(m in 0i64..1440) {
            prop_assert_eq!(parse_time(&format_time(m)), Some(m));
        }
    }
}
