//! A year of the staffing model: one pool with about 30 staff (participants
//! training toward undersköterska while they work, and regular staff, full
//! time and hourly), requests from several municipal units every day,
//! assignments that keep every conflict rule (checked with the domain's own
//! `conflicts_for`), units' monthly hours where the hourly share falls over
//! the year, and training progress. Pure and deterministic.

use chrono::{Datelike, Duration, NaiveDate};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use vagar_domain::work::staffing::{
    conflicts_for, Booked, EmploymentForm, Limits, RequestFacts, SeedPerson, SeedRequest,
    SeedStaff, SeedTraining, SeedUnitHours, Shift, Ssyk4, StaffFacts, StaffingPlan,
};

const STREAM_TAG: [u8; 16] = *b"vagar-seed/st/v1";

/// Undersköterskor (home care, elderly care): the shortage occupation trained toward.
pub const UNDERSKOTERSKA: &str = "5321";
/// Vårdbiträden: what the participants work as while they train.
pub const VARDBITRADE: &str = "5330";

pub const POOL_NAME: &str = "Stockholms stads bemanningspool – vård och omsorg";
/// The ordering units (fictional, like the seed's companies).
pub const UNITS: [&str; 4] = [
    "Exempelgårdens vård- och omsorgsboende",
    "Hemtjänst Exempel Södermalm",
    "Exempel korttidsboende Kista",
    "Exempelbergets servicehus",
];

const FIRST: [&str; 20] = [
    "Amina", "Johan", "Sara", "Mehmet", "Elin", "Ahmed", "Karin", "Oskar", "Fatima", "Lars",
    "Hanna", "Yusuf", "Maria", "Erik", "Leila", "Anders", "Sofia", "Daniel", "Nadia", "Per",
];
const LAST: [&str; 20] = [
    "Lindqvist",
    "Hassan",
    "Berg",
    "Yilmaz",
    "Nyström",
    "Ali",
    "Holm",
    "Sandberg",
    "Mohammed",
    "Åberg",
    "Ekström",
    "Demir",
    "Lund",
    "Forsberg",
    "Karimi",
    "Wikström",
    "Sjöberg",
    "Omar",
    "Blom",
    "Nilsson",
];

/// The shifts a unit orders: (start, end) in minutes; the night passes midnight.
const SHIFTS: [(i64, i64); 3] = [
    (7 * 60, 16 * 60),
    (14 * 60, 22 * 60),
    (21 * 60 + 30, 24 * 60 + 7 * 60 + 30),
];

/// The plan for the year starting `from` (365 days), with `participants`
/// participants available to employ (at most 10 are used).
pub fn staffing_plan(seed: u64, from: NaiveDate, participants: usize) -> StaffingPlan {
    let mut key = [0u8; 32];
    key[..8].copy_from_slice(&seed.to_le_bytes());
    key[16..].copy_from_slice(&STREAM_TAG);
    let mut rng = ChaCha8Rng::from_seed(key);
    let to = from + Duration::days(364);

    // Staff: up to 10 participants (vårdbiträden, full time, training),
    // 8 full-time undersköterskor, 12 hourly (a mix).
    let mut staff = Vec::new();
    let n_part = participants.min(10);
    for i in 0..n_part {
        staff.push(SeedStaff {
            person: SeedPerson::Participant(i),
            employment_form: EmploymentForm::FullTime,
            occupation: VARDBITRADE.into(),
            hourly_wage_ore: 15_500,
            active_from: from + Duration::days(rng.gen_range(0..60)),
            active_to: None,
        });
    }
    for i in 0..(30 - n_part) {
        let hourly = i % 5 >= 2;
        let name = format!(
            "{} {}",
            FIRST[(i * 7 + seed as usize) % 20],
            LAST[(i * 3 + 1) % 20]
        );
        staff.push(SeedStaff {
            person: SeedPerson::Regular(name),
            employment_form: if hourly {
                EmploymentForm::Hourly
            } else {
                EmploymentForm::FullTime
            },
            occupation: if i % 4 == 3 {
                VARDBITRADE
            } else {
                UNDERSKOTERSKA
            }
            .into(),
            hourly_wage_ore: if hourly { 17_800 } else { 19_200 },
            active_from: from,
            // A few hourly staff leave during the year.
            active_to: (hourly && i % 6 == 5).then(|| from + Duration::days(200 + (i as i64) * 5)),
        });
    }
    let facts: Vec<StaffFacts> = staff
        .iter()
        .enumerate()
        .map(|(i, s)| StaffFacts {
            staff_id: i as i64,
            label: String::new(),
            employment_form: s.employment_form,
            occupation: Ssyk4::parse(&s.occupation).expect("SSYK 4"),
            active_from: s.active_from,
            active_to: s.active_to,
        })
        .collect();
    let limits = Limits::default();

    // Requests day by day; each is staffed greedily with people who break
    // no rule (least booked first), leaving a few places open.
    let mut booked: Vec<Vec<Booked>> = vec![Vec::new(); staff.len()];
    let mut requests = Vec::new();
    let mut day = from;
    let mut next_id = 0i64;
    while day <= to {
        for unit in 0..UNITS.len() {
            for (k, (start, end)) in SHIFTS.iter().enumerate() {
                // Home care has no nights; the others order most shifts.
                if (unit == 1 && k == 2) || rng.gen_range(0..100) < 35 {
                    continue;
                }
                let occupation = if rng.gen_range(0..100) < 70 {
                    UNDERSKOTERSKA
                } else {
                    VARDBITRADE
                };
                let staff_count = if rng.gen_range(0..100) < 25 { 2 } else { 1 };
                let shift = Shift {
                    date: day,
                    start_minute: *start,
                    end_minute: *end,
                };
                let mut facts_req = RequestFacts {
                    request_id: next_id,
                    shift,
                    occupation: Ssyk4::parse(occupation).expect("SSYK 4"),
                    staff_count,
                    cancelled: false,
                    assigned: vec![],
                };
                next_id += 1;
                let mut order: Vec<usize> = (0..staff.len()).collect();
                order.sort_by_key(|i| (booked[*i].len(), (*i as u64).wrapping_mul(seed | 1) % 31));
                let mut assigned = Vec::new();
                // About 6 % of requests keep a place unfilled.
                let places = staff_count - i64::from(rng.gen_range(0..100) < 6);
                for i in order {
                    if assigned.len() as i64 >= places {
                        break;
                    }
                    let window: Vec<Booked> = booked[i]
                        .iter()
                        .filter(|b| (b.shift.date - day).num_days().abs() <= 8)
                        .copied()
                        .collect();
                    if conflicts_for(&facts_req, &facts[i], &window, &limits).is_empty() {
                        facts_req.assigned.push(i as i64);
                        booked[i].push(Booked {
                            request_id: facts_req.request_id,
                            shift,
                            minutes: shift.minutes(),
                        });
                        assigned.push(i);
                    }
                }
                let worked = assigned
                    .iter()
                    .map(|_| (rng.gen_range(0..100) < 10).then(|| shift.minutes() - 30))
                    .collect();
                requests.push(SeedRequest {
                    unit,
                    shift,
                    occupation: occupation.into(),
                    staff_count,
                    assigned,
                    worked,
                });
            }
        }
        day += Duration::days(1);
    }

    // Units' own hours: the hourly share falls from about 38 % to 18 %.
    let mut unit_hours = Vec::new();
    let mut month = NaiveDate::from_ymd_opt(from.year(), from.month(), 1).expect("month");
    let mut m = 0;
    while month <= to {
        for unit in 0..UNITS.len() {
            let total = 420_000 + 60_000 * unit as i64 + rng.gen_range(-15_000..15_000);
            let share = 0.38 - 0.2 * (m as f64) / 11.0 + rng.gen_range(-0.015..0.015);
            unit_hours.push(SeedUnitHours {
                unit,
                month: month.format("%Y-%m").to_string(),
                total_minutes: total,
                hourly_minutes: (total as f64 * share).round() as i64,
            });
        }
        m += 1;
        month = month
            .checked_add_months(chrono::Months::new(1))
            .expect("next month");
    }

    // Training toward undersköterska for every participant.
    let training = (0..n_part)
        .map(|i| {
            let started_on = staff[i].active_from + Duration::days(14);
            let months = ((to - started_on).num_days() / 30).max(0);
            let credits_total = 1500;
            let done = (months * 110 + rng.gen_range(0..100)).min(credits_total);
            SeedTraining {
                staff: i,
                course: "Vård- och omsorgsutbildning (komvux), undersköterska".into(),
                occupation: UNDERSKOTERSKA.into(),
                credits_total,
                credits_done: done,
                started_on,
                completed_on: (done == credits_total).then(|| to - Duration::days(10)),
            }
        })
        .collect();
    StaffingPlan {
        pool_name: POOL_NAME.to_string(),
        units: UNITS.iter().map(|u| u.to_string()).collect(),
        staff,
        requests,
        unit_hours,
        training,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_year_mostly_filled_without_conflicts_and_the_same_every_time() {
        let from = NaiveDate::from_ymd_opt(2025, 11, 1).unwrap();
        let plan = staffing_plan(7, from, 10);
        assert_eq!(plan, staffing_plan(7, from, 10));
        assert_eq!(plan.staff.len(), 30);
        let requested: i64 = plan.requests.iter().map(|r| r.staff_count).sum();
        let filled: usize = plan.requests.iter().map(|r| r.assigned.len()).sum();
        let rate = filled as f64 / requested as f64;
        assert!(rate > 0.8 && rate < 0.99, "fill rate {rate}");
        // No person has two overlapping shifts.
        let mut by_person: Vec<Vec<Shift>> = vec![vec![]; 30];
        for r in &plan.requests {
            for a in &r.assigned {
                for s in &by_person[*a] {
                    assert!(!s.overlaps(&r.shift));
                }
                by_person[*a].push(r.shift);
            }
        }
        assert_eq!(plan.unit_hours.len(), 12 * UNITS.len());
        let share = |m: &str| {
            let (h, t) = plan
                .unit_hours
                .iter()
                .filter(|u| u.month == m)
                .fold((0, 0), |acc, u| {
                    (acc.0 + u.hourly_minutes, acc.1 + u.total_minutes)
                });
            h as f64 / t as f64
        };
        assert!(share("2025-11") > share("2026-10") + 0.1);
        assert_eq!(plan.training.len(), 10);
    }
}
