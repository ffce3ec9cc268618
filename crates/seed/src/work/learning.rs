//! A year of learning employments (the employer model, like REVIT): two
//! employer-model interventions, "Läranställning vård och omsorg" and one
//! in construction, with about ten learning employments over the year
//! before `as_of` — most weeks done on plan, a few falling behind on study,
//! some completed (most hired afterwards), one discontinued. Pure and
//! deterministic: the same seed and date give the same rows.

use chrono::{Datelike, Duration, NaiveDate};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use vagar_domain::work::learning::{Completion, HireOutcome, LearningSeed};

/// The seeded interventions: (name, description, SSYK, role title, programme).
pub const INTERVENTIONS: [(&str, &str, &str, &str, &str); 2] = [
    (
        "Läranställning vård och omsorg",
        "Anställning hos vårdgivare med 75 % arbete och 25 % studier mot undersköterska (REVIT-modellen).",
        "5330",
        "Vårdbiträde under utbildning",
        "Undersköterska, Vård- och omsorgscollege",
    ),
    (
        "Läranställning bygg",
        "Anställning hos byggföretag med arbete och studier mot yrkesbevis (lärlingsutbildning).",
        "7111",
        "Lärling, träarbetare",
        "Lärlingsutbildning bygg, yrkesvux",
    ),
];

fn monday(d: NaiveDate) -> NaiveDate {
    d - Duration::days(d.weekday().num_days_from_monday() as i64)
}

/// About ten learning employments, deterministic per `seed` and `as_of`.
pub fn learning_employments(seed: u64, as_of: NaiveDate) -> Vec<LearningSeed> {
    let mut rng = ChaCha8Rng::seed_from_u64(seed ^ 0x4c45_4152_4e21);
    let this_week = monday(as_of);
    // (intervention, started weeks ago, length in weeks, outcome)
    // outcome: 0 running, 1 completed + hired, 2 completed + not hired,
    // 3 discontinued, 4 completed, outcome not known yet.
    let shape: [(usize, i64, i64, u8); 10] = [
        (0, 52, 40, 1),
        (0, 50, 44, 1),
        (0, 48, 40, 2),
        (0, 46, 52, 0),
        (0, 40, 30, 3),
        (0, 30, 52, 0),
        (0, 20, 52, 0),
        (1, 52, 45, 1),
        (1, 49, 44, 1),
        (1, 26, 52, 0),
    ];
    shape
        .iter()
        .enumerate()
        .map(|(i, &(intervention, ago, weeks, outcome))| {
            // Start on Monday to Wednesday; end on a Friday.
            let start = this_week - Duration::weeks(ago) + Duration::days(rng.gen_range(0..3));
            let end = monday(start) + Duration::weeks(weeks - 1) + Duration::days(4);
            let (work, study) = if intervention == 0 {
                (75, 25)
            } else {
                (80, 20)
            };
            let (completion, hire) = match outcome {
                1 | 2 | 4 => {
                    let done = end.min(as_of);
                    let hire = match outcome {
                        1 => Some((HireOutcome::Hired, (done + Duration::days(14)).min(as_of))),
                        2 => Some((HireOutcome::NotHired, (done + Duration::days(7)).min(as_of))),
                        _ => None,
                    };
                    (Some((Completion::Completed, done)), hire)
                }
                3 => {
                    let d = start + Duration::weeks(14) + Duration::days(3);
                    (
                        Some((Completion::Discontinued, d)),
                        Some((HireOutcome::NotHired, d)),
                    )
                }
                _ => (None, None),
            };
            let (_, _, ssyk, role, programme) = INTERVENTIONS[intervention];
            LearningSeed {
                intervention,
                start,
                end,
                hours_per_week_minutes: if i % 4 == 3 { 2100 } else { 2400 },
                work_percent: work,
                study_percent: study,
                programme: programme.to_string(),
                role_title: role.to_string(),
                ssyk: ssyk.to_string(),
                school: i,
                completion,
                hire,
                exam_week: (i % 2 == 0).then(|| 8 + rng.gen_range(0..4)),
                // A few fall behind on study: one finished, two running.
                deviation_from_week: match i {
                    2 => Some(30),
                    5 => Some(24),
                    9 => Some(20),
                    _ => None,
                },
                noise: rng.gen(),
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_same_seed_gives_the_same_year_with_every_outcome() {
        let as_of = NaiveDate::from_ymd_opt(2026, 11, 2).unwrap();
        let a = learning_employments(7, as_of);
        assert_eq!(a, learning_employments(7, as_of));
        assert_eq!(a.len(), 10);
        let completed = a
            .iter()
            .filter(|s| matches!(s.completion, Some((Completion::Completed, _))))
            .count();
        let hired = a
            .iter()
            .filter(|s| matches!(s.hire, Some((HireOutcome::Hired, _))))
            .count();
        let discontinued = a
            .iter()
            .filter(|s| matches!(s.completion, Some((Completion::Discontinued, _))))
            .count();
        assert_eq!((completed, hired, discontinued), (5, 4, 1));
        for s in &a {
            assert!(s.start <= as_of && s.start < s.end);
            assert!(s.start >= as_of - Duration::weeks(53));
            if let (Some((_, c)), Some((_, h))) = (s.completion, s.hire) {
                assert!(c <= h && h <= as_of);
            }
            if let Some((_, c)) = s.completion {
                assert!(c <= as_of && c >= s.start);
            }
        }
    }
}
