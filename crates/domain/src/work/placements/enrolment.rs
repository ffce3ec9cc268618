//! Enrolment without holes: the rules every placement meets whatever its
//! model or programme, on top of the intervention's own (period, capacity)
//! and its programme's rules in [`super::check_enrolment`].
//!
//! | rule | fact | refused with |
//! |---|---|---|
//! | the intervention's target groups | the participant belongs to one of them on the start date | `target_group_not_met` on `participant_id` |
//! | the youth target group is an age | 16–29 years on the start date ([`YOUTH_MIN_AGE`], [`YOUTH_MAX_AGE`]), whatever the record's flag says | `target_group_not_met` |
//! | one person, one full time | the weekly hours of the person's planned and active placements that overlap the new one, at their busiest, plus the new one's, are at most [`FULL_TIME_WEEK_MINUTES`] | `hours_exceed_full_time` on `hours_per_week_minutes`, naming the other placements |
//!
//! Sources and assumptions:
//! - Full time is 40 hours a week: the ordinary working time of
//!   arbetstidslagen (1982:673) 5 §, and the full time Arbetsförmedlingen's
//!   subsidised employments are measured against. A person may hold several
//!   part-time placements at once (a work practice beside a learning
//!   employment, say) as long as they fit within one full time.
//! - Youth: the national programmes for young people count 16–24 years
//!   (jobbgarantin för ungdomar, förordning (2007:813)); municipal youth
//!   models such as the Stockholm model's rental and staffing for young
//!   adults reach 29, so Vägar counts the `youth` target group as 16–29 on
//!   the start date. A programme with a narrower age rule (youth employment
//!   16–24) checks it on its own. A municipality with another definition
//!   changes the two constants.

use super::EmploymentForm;
use crate::participants::TargetGroup;
use crate::time::age_on;
use crate::validation::{codes, ValidationErrors};
use chrono::NaiveDate;

/// 40 hours a week, in minutes (arbetstidslagen 5 §).
pub const FULL_TIME_WEEK_MINUTES: i64 = 40 * 60;
/// The youngest age of the `youth` target group.
pub const YOUTH_MIN_AGE: u32 = 16;
/// The oldest age of the `youth` target group.
pub const YOUTH_MAX_AGE: u32 = 29;

/// Another planned or active placement of the same person.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OtherPlacement {
    pub id: i64,
    pub intervention_name: String,
    pub start_date: NaiveDate,
    pub end_date: NaiveDate,
    pub hours_per_week_minutes: i64,
    pub employment_form: EmploymentForm,
}

/// Whether a person born on `birth_date` with the record's `groups` belongs
/// to `group` on `date`: the youth group by age alone, the others as
/// recorded.
pub fn belongs_to(
    group: TargetGroup,
    groups: &[TargetGroup],
    birth_date: NaiveDate,
    date: NaiveDate,
) -> bool {
    match group {
        TargetGroup::Youth => (YOUTH_MIN_AGE..=YOUTH_MAX_AGE).contains(&age_on(birth_date, date)),
        g => groups.contains(&g),
    }
}

/// The person's target groups on `date`: the recorded ones, with youth by
/// age alone.
pub fn groups_on(
    groups: &[TargetGroup],
    birth_date: NaiveDate,
    date: NaiveDate,
) -> Vec<TargetGroup> {
    TargetGroup::ALL
        .iter()
        .copied()
        .filter(|g| belongs_to(*g, groups, birth_date, date))
        .collect()
}

/// The intervention's target groups (none: anyone) against the person on
/// the start date.
pub fn check_target_groups(
    e: &mut ValidationErrors,
    intervention_groups: &[TargetGroup],
    participant_groups: &[TargetGroup],
    birth_date: NaiveDate,
    start: NaiveDate,
) {
    if intervention_groups.is_empty()
        || intervention_groups
            .iter()
            .any(|g| belongs_to(*g, participant_groups, birth_date, start))
    {
        return;
    }
    let age = age_on(birth_date, start);
    e.add(
        "participant_id",
        "target_group_not_met",
        format!(
            "the intervention is for {}; the participant (aged {age} at the start date) belongs to none of them \
             (youth is {YOUTH_MIN_AGE}–{YOUTH_MAX_AGE} years)",
            codes(intervention_groups, TargetGroup::as_str).join(", ")
        ),
    );
}

/// The others that overlap `start..=end` at their busiest moment, with their
/// weekly minutes together. The busiest moment is a day on which the most
/// weekly hours run at once; it is one of the days an overlapping placement
/// (or the new period) begins.
pub fn busiest_overlap(
    start: NaiveDate,
    end: NaiveDate,
    others: &[OtherPlacement],
) -> (i64, Vec<&OtherPlacement>) {
    let overlapping: Vec<&OtherPlacement> = others
        .iter()
        .filter(|o| o.start_date <= end && o.end_date >= start)
        .collect();
    let mut best = (0, vec![]);
    let days = std::iter::once(start).chain(overlapping.iter().map(|o| o.start_date.max(start)));
    for day in days {
        let running: Vec<&OtherPlacement> = overlapping
            .iter()
            .copied()
            .filter(|o| o.start_date <= day && o.end_date >= day)
            .collect();
        let minutes = running.iter().map(|o| o.hours_per_week_minutes).sum();
        if minutes > best.0 {
            best = (minutes, running);
        }
    }
    best
}

/// The new placement's weekly hours with the person's other placements over
/// the same weeks, at most one full time; the refusal names the others.
pub fn check_full_time(
    e: &mut ValidationErrors,
    start: NaiveDate,
    end: NaiveDate,
    hours_per_week_minutes: i64,
    others: &[OtherPlacement],
) {
    let (busy, running) = busiest_overlap(start, end, others);
    if busy + hours_per_week_minutes <= FULL_TIME_WEEK_MINUTES {
        return;
    }
    let names: Vec<String> = running
        .iter()
        .map(|o| {
            format!(
                "placement {} ({}, {} – {}, {} h a week)",
                o.id,
                o.intervention_name,
                o.start_date,
                o.end_date,
                hours(o.hours_per_week_minutes)
            )
        })
        .collect();
    e.add(
        "hours_per_week_minutes",
        "hours_exceed_full_time",
        format!(
            "together with {} this makes {} h a week; one person works at most {} h a week",
            names.join(" and "),
            hours(busy + hours_per_week_minutes),
            hours(FULL_TIME_WEEK_MINUTES)
        ),
    );
}

/// Minutes as hours, with a decimal only where needed ("37.5").
fn hours(minutes: i64) -> String {
    if minutes % 60 == 0 {
        (minutes / 60).to_string()
    } else {
        format!("{:.1}", minutes as f64 / 60.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    fn other(id: i64, from: &str, to: &str, hours: i64) -> OtherPlacement {
        OtherPlacement {
            id,
            intervention_name: format!("Insats {id}"),
            start_date: d(from),
            end_date: d(to),
            hours_per_week_minutes: hours * 60,
            employment_form: EmploymentForm::Host,
        }
    }

    #[test]
    fn youth_is_an_age_not_a_flag() {
        let born = d("1981-03-01");
        let start = d("2026-12-07");
        // Flagged youth at 45: not youth.
        assert!(!belongs_to(
            TargetGroup::Youth,
            &[TargetGroup::Youth],
            born,
            start
        ));
        let mut e = ValidationErrors::new();
        check_target_groups(
            &mut e,
            &[TargetGroup::Youth],
            &[TargetGroup::Youth],
            born,
            start,
        );
        assert_eq!(e.0[0].code, "target_group_not_met");
        assert!(e.0[0].message.contains("aged 45"), "{}", e.0[0].message);
        // 29 on the start date is youth; 30 is not.
        assert!(belongs_to(TargetGroup::Youth, &[], d("1997-12-07"), start));
        assert!(!belongs_to(TargetGroup::Youth, &[], d("1996-12-07"), start));
        // 16 is youth; 15 is not.
        assert!(belongs_to(TargetGroup::Youth, &[], d("2010-12-07"), start));
        assert!(!belongs_to(TargetGroup::Youth, &[], d("2010-12-08"), start));
    }

    #[test]
    fn other_groups_are_as_recorded_and_none_means_anyone() {
        let born = d("1980-01-01");
        let start = d("2026-12-07");
        let mut e = ValidationErrors::new();
        check_target_groups(&mut e, &[], &[], born, start);
        check_target_groups(
            &mut e,
            &[TargetGroup::Youth, TargetGroup::NewlyArrived],
            &[TargetGroup::NewlyArrived],
            born,
            start,
        );
        assert!(e.is_empty());
        check_target_groups(
            &mut e,
            &[TargetGroup::Sfi],
            &[TargetGroup::NewlyArrived],
            born,
            start,
        );
        assert_eq!(e.0.len(), 1);
    }

    #[test]
    fn a_second_full_time_placement_over_the_same_weeks_is_refused_naming_the_first() {
        let first = other(7, "2026-11-01", "2027-04-30", 40);
        let mut e = ValidationErrors::new();
        check_full_time(
            &mut e,
            d("2027-01-01"),
            d("2027-06-30"),
            40 * 60,
            std::slice::from_ref(&first),
        );
        assert_eq!(e.0[0].field, "hours_per_week_minutes");
        assert_eq!(e.0[0].code, "hours_exceed_full_time");
        assert!(e.0[0]
            .message
            .contains("placement 7 (Insats 7, 2026-11-01 – 2027-04-30, 40 h a week)"));
        assert!(e.0[0].message.contains("80 h a week"));
        // After the first has ended, or half time beside half time: fine.
        let mut e = ValidationErrors::new();
        check_full_time(
            &mut e,
            d("2027-05-01"),
            d("2027-06-30"),
            40 * 60,
            std::slice::from_ref(&first),
        );
        let half = other(8, "2026-11-01", "2027-04-30", 20);
        check_full_time(&mut e, d("2027-01-01"), d("2027-06-30"), 20 * 60, &[half]);
        assert!(e.is_empty());
    }

    #[test]
    fn the_busiest_moment_counts_not_the_sum_of_all() {
        // Two half-time placements one after the other, and a new half time
        // over both: never more than full time at once.
        let a = other(1, "2027-01-01", "2027-03-31", 20);
        let b = other(2, "2027-04-01", "2027-06-30", 20);
        let mut e = ValidationErrors::new();
        check_full_time(
            &mut e,
            d("2027-01-01"),
            d("2027-06-30"),
            20 * 60,
            &[a.clone(), b.clone()],
        );
        assert!(e.is_empty());
        // Overlapping by one day: 60 h on that day.
        let c = other(3, "2027-03-31", "2027-06-30", 20);
        check_full_time(&mut e, d("2027-01-01"), d("2027-06-30"), 20 * 60, &[a, c]);
        assert_eq!(e.0.len(), 1);
        assert!(e.0[0].message.contains("placement 1") && e.0[0].message.contains("placement 3"));
    }

    fn naive_busiest(start: NaiveDate, end: NaiveDate, others: &[OtherPlacement]) -> i64 {
        let mut best = 0;
        let mut day = start;
        while day <= end {
            let m: i64 = others
                .iter()
                .filter(|o| o.start_date <= day && o.end_date >= day)
                .map(|o| o.hours_per_week_minutes)
                .sum();
            best = best.max(m);
            day = day.succ_opt().unwrap();
        }
        best
    }

    proptest! {
        /// The busiest moment found from the start days agrees with looking
        /// at every day of the period.
        #[test]
        fn busiest_overlap_agrees_with_a_day_by_day_count(
            spans in prop::collection::vec((0i64..120, 0i64..90, 1i64..41), 0..6),
            s in 0i64..120,
            len in 0i64..90,
        ) {
            let base = d("2027-01-01");
            let others: Vec<OtherPlacement> = spans
                .iter()
                .enumerate()
                .map(|(i, (from, l, h))| OtherPlacement {
                    id: i as i64 + 1,
                    intervention_name: String::new(),
                    start_date: base + chrono::Duration::days(*from),
                    end_date: base + chrono::Duration::days(from + l),
                    hours_per_week_minutes: h * 60,
                    employment_form: EmploymentForm::Host,
                })
                .collect();
            let start = base + chrono::Duration::days(s);
            let end = start + chrono::Duration::days(len);
            let (found, running) = busiest_overlap(start, end, &others);
            prop_assert_eq!(found, naive_busiest(start, end, &others));
            prop_assert_eq!(running.iter().map(|o| o.hours_per_week_minutes).sum::<i64>(), found);
        }
    }
}
