//! The collaboration data of one synthetic participant: consents, an action
//! plan with a long-term goal and steps owned by several organisations, and
//! contacts — including the people who have fallen between chairs (overdue
//! steps, no active step, stale contacts).
//!
//! Pure and deterministic: a function of `(seed, index)`, the participant's
//! registration date and the `as_of` date the demo is built for, with its own
//! random stream (separate from the participant's attributes).

use chrono::{Days, NaiveDate};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

const STREAM_TAG: [u8; 16] = *b"vagar-seed/c/v1\0";

fn rng_for(seed: u64, index: u64) -> ChaCha8Rng {
    let mut key = [0u8; 32];
    key[..8].copy_from_slice(&seed.to_le_bytes());
    key[8..16].copy_from_slice(&index.to_le_bytes());
    key[16..].copy_from_slice(&STREAM_TAG);
    ChaCha8Rng::from_seed(key)
}

fn pick<T: Copy>(rng: &mut ChaCha8Rng, table: &[(T, u32)]) -> T {
    let total: u32 = table.iter().map(|e| e.1).sum();
    let mut x = rng.gen_range(0..total);
    for &(value, weight) in table {
        if x < weight {
            return value;
        }
        x -= weight;
    }
    table[table.len() - 1].0
}

fn chance(rng: &mut ChaCha8Rng, p: f64) -> bool {
    rng.gen_bool(p)
}

/// Which organisation of the synthetic city (resolved to ids by the caller).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Party {
    /// The municipal unit that owns the participant ([`crate::HOME_UNIT`]).
    Home,
    Arbetsformedlingen,
    /// One of the social services units (0, 1, 2 in [`crate::organisations`] order).
    SocialServices(u8),
    AdultEducation,
    Forsakringskassan,
    Psychiatry,
}

impl Party {
    /// The organisation's name in [`crate::organisations`].
    pub fn organisation_name(self) -> &'static str {
        match self {
            Party::Home => crate::HOME_UNIT,
            Party::Arbetsformedlingen => "Arbetsförmedlingen Stockholm",
            Party::SocialServices(0) => "Socialtjänsten Södermalm",
            Party::SocialServices(1) => "Socialtjänsten Rinkeby-Kista",
            Party::SocialServices(_) => "Socialtjänsten Skärholmen",
            Party::AdultEducation => "Vuxenutbildning Stockholm",
            Party::Forsakringskassan => "Försäkringskassan",
            Party::Psychiatry => "Region Stockholm psykiatri",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SeedConsent {
    pub parties: Vec<Party>,
    /// Data category codes (`contact_details`, `action_plan`, `assessment`, `health`).
    pub categories: Vec<&'static str>,
    pub valid_from: NaiveDate,
    /// Inclusive last day; `None`: until revoked.
    pub valid_to: Option<NaiveDate>,
    /// `written`, `verbal` or `digital`.
    pub method: &'static str,
    pub revoked_on: Option<NaiveDate>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SeedPlan {
    /// `occupation` or `education`.
    pub goal_kind: &'static str,
    pub ssyk_code: Option<&'static str>,
    pub goal_title: &'static str,
    pub created_on: NaiveDate,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SeedStep {
    pub activity_type: &'static str,
    pub activity_text: Option<&'static str>,
    pub owner: Party,
    pub start_date: NaiveDate,
    pub due_date: NaiveDate,
    /// `planned`, `active`, `done` or `cancelled`.
    pub status: &'static str,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SeedContact {
    pub date: NaiveDate,
    pub party: Party,
    /// `meeting`, `call`, `message`, `home_visit` or `other`.
    pub kind: &'static str,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Collaboration {
    pub consents: Vec<SeedConsent>,
    pub plan: Option<SeedPlan>,
    pub steps: Vec<SeedStep>,
    pub contacts: Vec<SeedContact>,
}

/// Common occupations of the city's labour-market work (SSYK 2012), weighted:
/// care and service jobs with many openings first.
pub(crate) const OCCUPATIONS: &[((&str, &str), u32)] = &[
    (("5321", "Undersköterska"), 22),
    (("5330", "Vårdbiträde"), 10),
    (("5311", "Barnskötare"), 8),
    (("5312", "Elevassistent"), 5),
    (("9111", "Städare"), 9),
    (("4111", "Ekonomiassistent"), 5),
    (("5222", "Butikssäljare, dagligvaror"), 8),
    (("5120", "Kock"), 6),
    (("9412", "Köksbiträde"), 8),
    (("4322", "Lagerarbetare"), 8),
    (("8332", "Lastbilsförare"), 4),
    (("7111", "Snickare"), 3),
    (("2341", "Grundskollärare"), 2),
];

const EDUCATIONS: &[(&str, u32)] = &[
    ("Gymnasieexamen inom Komvux", 4),
    ("Vård- och omsorgsutbildning, Komvux", 3),
    ("Svenska för invandrare, kurs D", 3),
    ("Yrkeshögskola, logistik", 1),
];

const ACTIVITIES: &[((&str, Option<&str>), u32)] = &[
    (("job_search", None), 20),
    (("work_practice", None), 18),
    (("vocational_training", None), 12),
    (("adult_education", None), 10),
    (("sfi", None), 10),
    (("meeting", None), 8),
    (("income_support_follow_up", None), 6),
    (("health_rehabilitation", None), 5),
    (("other", Some("Validering av yrkeskunskaper")), 4),
    (("other", Some("Studie- och yrkesvägledning")), 4),
];

/// Share of participants who have drifted (see [`collaboration`]).
const DRIFT: f64 = 0.08;

/// How a participant has drifted from being carried.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Drift {
    None,
    NoPlan,
    Stalled,
    Waiting,
    Quiet,
}

/// The collaboration data of participant `index`, registered on
/// `registered_on`, as of the date `as_of`.
pub fn collaboration(
    seed: u64,
    index: u64,
    registered_on: NaiveDate,
    as_of: NaiveDate,
) -> Collaboration {
    let mut rng = rng_for(seed, index);
    let start = registered_on.min(as_of);
    let days_since = |d: NaiveDate| (as_of - d).num_days().max(0) as u64;
    let between = |rng: &mut ChaCha8Rng, from: NaiveDate, to: NaiveDate| -> NaiveDate {
        if to <= from {
            from
        } else {
            from + Days::new(rng.gen_range(0..=(to - from).num_days() as u64))
        }
    };
    let mut c = Collaboration::default();

    // Consents: ~40 % to Arbetsförmedlingen, ~15 % to social services,
    // ~10 % to adult education, a few to Försäkringskassan and psychiatry;
    // some revoked, some expired.
    let social = Party::SocialServices(rng.gen_range(0..3));
    let offers: [(Party, f64, &[&str]); 5] = [
        (
            Party::Arbetsformedlingen,
            0.40,
            &["contact_details", "action_plan", "assessment"],
        ),
        (social, 0.15, &["contact_details", "action_plan", "health"]),
        (
            Party::AdultEducation,
            0.10,
            &["contact_details", "action_plan"],
        ),
        (
            Party::Forsakringskassan,
            0.04,
            &["action_plan", "assessment", "health"],
        ),
        (Party::Psychiatry, 0.03, &["action_plan", "health"]),
    ];
    for (party, p, cats) in offers {
        if !chance(&mut rng, p) {
            continue;
        }
        let valid_from = between(&mut rng, start, (start + Days::new(14)).min(as_of));
        let mut categories: Vec<&'static str> = vec![cats[0]];
        for cat in &cats[1..] {
            if chance(&mut rng, 0.7) {
                categories.push(cat);
            }
        }
        let method = pick(
            &mut rng,
            &[("written", 60), ("digital", 25), ("verbal", 15)],
        );
        let roll = rng.gen_range(0..100);
        let (valid_to, revoked_on) = if roll < 8 && valid_from < as_of {
            (
                None,
                Some(between(&mut rng, valid_from + Days::new(1), as_of)),
            )
        } else if roll < 18 && days_since(valid_from) > 30 {
            // Expired: the last day was some time in the past month or more.
            let last = between(&mut rng, valid_from + Days::new(1), as_of - Days::new(1));
            (Some(last), None)
        } else if roll < 55 {
            (Some(valid_from + Days::new(365)), None)
        } else {
            (None, None)
        };
        c.consents.push(SeedConsent {
            parties: vec![party],
            categories,
            valid_from,
            valid_to,
            method,
            revoked_on,
        });
    }
    let consented = |p: Party| {
        c.consents
            .iter()
            .any(|k| k.parties.contains(&p) && k.revoked_on.is_none())
    };
    let af = consented(Party::Arbetsformedlingen);
    let soc = consented(social);
    let vux = consented(Party::AdultEducation);

    // A working service carries most people: a plan with a step running
    // now, nothing left overdue and a contact in the past four weeks. About
    // one in twelve has drifted, in one way: no plan yet, a plan that
    // stalled (its last step ran past due, still open), a step waiting to
    // start, or no contact for over a month. With the few without a
    // responsible caseworker this gives the 5–15 % a working service sees
    // flagged between chairs.
    let drift = if chance(&mut rng, DRIFT) {
        pick(
            &mut rng,
            &[
                (Drift::NoPlan, 30),
                (Drift::Stalled, 25),
                (Drift::Waiting, 15),
                (Drift::Quiet, 30),
            ],
        )
    } else {
        Drift::None
    };
    if drift != Drift::NoPlan {
        let created_on = between(&mut rng, start, (start + Days::new(30)).min(as_of));
        let plan = if chance(&mut rng, 0.8) {
            let (code, title) = pick(&mut rng, OCCUPATIONS);
            SeedPlan {
                goal_kind: "occupation",
                ssyk_code: Some(code),
                goal_title: title,
                created_on,
            }
        } else {
            SeedPlan {
                goal_kind: "education",
                ssyk_code: None,
                goal_title: pick(&mut rng, EDUCATIONS),
                created_on,
            }
        };
        // Steps one after the other, the sequence placed so that its later
        // steps run now (plans of long-registered people are on a later step).
        let n = pick(&mut rng, &[(1u32, 20), (2, 35), (3, 30), (4, 15)]);
        let lens: Vec<u64> = (0..n).map(|_| rng.gen_range(30..=120)).collect();
        let span: u64 = lens.iter().sum();
        // A stalled plan's steps all lie in the past.
        let stalled = drift == Drift::Stalled;
        let back = if stalled {
            rng.gen_range(span + 5..=span + 60)
        } else {
            rng.gen_range(span / 2..=span * 9 / 10)
        };
        let mut step_start = created_on.max(as_of - Days::new(back));
        for (k, len) in lens.iter().enumerate() {
            let mut owners: Vec<(Party, u32)> = vec![(Party::Home, 45)];
            if af {
                owners.push((Party::Arbetsformedlingen, 40));
            }
            if vux {
                owners.push((Party::AdultEducation, 15));
            }
            if soc {
                owners.push((social, 10));
            }
            owners.push((Party::Forsakringskassan, 2));
            let owner = pick(&mut rng, &owners);
            let (activity_type, activity_text) = pick(&mut rng, ACTIVITIES);
            let due_date = step_start + Days::new(*len);
            let last = k + 1 == lens.len();
            let status = if due_date < as_of {
                // Past due: closed, but a stalled plan's last step is open.
                if stalled && last {
                    pick(&mut rng, &[("active", 3), ("planned", 1)])
                } else {
                    pick(&mut rng, &[("done", 90), ("cancelled", 10)])
                }
            } else if step_start <= as_of {
                if drift == Drift::Waiting {
                    "planned"
                } else {
                    "active"
                }
            } else {
                "planned"
            };
            c.steps.push(SeedStep {
                activity_type,
                activity_text,
                owner,
                start_date: step_start,
                due_date,
                status,
            });
            // The next step follows on (the person is never between steps).
            step_start = due_date;
        }
        c.plan = Some(plan);
    }

    // Contacts over the last months; the quiet ones' latest is over a
    // month old.
    let quiet = drift == Drift::Quiet;
    let window_end = if quiet {
        as_of - Days::new(rng.gen_range(35..=120))
    } else {
        as_of
    };
    let window_start = start.max(as_of - Days::new(180));
    if window_start <= window_end {
        let n = pick(
            &mut rng,
            &[
                (0usize, 5),
                (1, 15),
                (2, 20),
                (3, 20),
                (4, 15),
                (6, 15),
                (9, 10),
            ],
        );
        // Only the quiet ones may have had no contact at all.
        let n = if quiet { n } else { n.max(1) };
        // The latest contact within the past four weeks unless quiet; the
        // others spread over the window.
        let recent_from = window_start.max(window_end - Days::new(27));
        let mut dates: Vec<NaiveDate> = (0..n)
            .map(|k| {
                if k == 0 {
                    between(&mut rng, recent_from, window_end)
                } else {
                    between(&mut rng, window_start, window_end)
                }
            })
            .collect();
        dates.sort();
        for date in dates {
            let party = if af && chance(&mut rng, 0.3) {
                Party::Arbetsformedlingen
            } else if soc && chance(&mut rng, 0.15) {
                social
            } else {
                Party::Home
            };
            let kind = pick(
                &mut rng,
                &[
                    ("meeting", 40),
                    ("call", 30),
                    ("message", 20),
                    ("home_visit", 5),
                    ("other", 5),
                ],
            );
            c.contacts.push(SeedContact { date, party, kind });
        }
    }
    c
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    #[test]
    fn deterministic_and_plausible() {
        let as_of = d("2026-11-27");
        let mut af = 0;
        let mut plans = 0;
        let mut overdue = 0;
        let mut flagged = 0;
        let n = 4000;
        for i in 0..n {
            let reg = d("2025-01-01") + Days::new(i % 690);
            let c = collaboration(7, i, reg, as_of);
            assert_eq!(c, collaboration(7, i, reg, as_of));
            if c.consents
                .iter()
                .any(|k| k.parties.contains(&Party::Arbetsformedlingen))
            {
                af += 1;
            }
            for k in &c.consents {
                assert!(k.valid_from >= reg && k.valid_from <= as_of);
                assert!(k.valid_to.is_none_or(|t| t >= k.valid_from));
                assert!(k.revoked_on.is_none_or(|r| r > k.valid_from && r <= as_of));
            }
            if c.plan.is_some() {
                plans += 1;
                assert!(!c.steps.is_empty());
            }
            for s in &c.steps {
                assert!(s.due_date > s.start_date);
                if matches!(s.status, "planned" | "active") && s.due_date < as_of {
                    overdue += 1;
                }
            }
            for k in &c.contacts {
                assert!(k.date >= reg && k.date <= as_of);
            }
            // The rules of vagar_domain::between_chairs on as_of (with a
            // caseworker: the caller assigns those).
            let facts = vagar_domain::between_chairs::Facts {
                has_caseworker: true,
                has_active_step: c.steps.iter().any(|s| s.status == "active"),
                earliest_overdue_due: c
                    .steps
                    .iter()
                    .filter(|s| {
                        vagar_domain::between_chairs::step_overdue(s.status, s.due_date, as_of)
                    })
                    .map(|s| s.due_date)
                    .min(),
                last_contact: c.contacts.iter().map(|k| k.date).max(),
                registered_on: reg,
            };
            if !vagar_domain::between_chairs::reasons(&facts, as_of, 30).is_empty() {
                flagged += 1;
            }
        }
        let share = |x: u64| x as f64 / n as f64;
        assert!((0.35..0.45).contains(&share(af)), "AF consents {af}");
        assert!((0.9..0.99).contains(&share(plans)), "plans {plans}");
        assert!(overdue > 0);
        // A working service: most people carried, some between chairs.
        assert!((0.04..0.12).contains(&share(flagged)), "flagged {flagged}");
    }
}
