//! The synthetic city's steering groups (styrgrupp): member organisations,
//! monthly meetings, cases referred for a small share of consenting
//! participants, and decisions with statuses and follow-up dates.
//!
//! Pure and deterministic: a function of `(seed, as_of)` and the candidate
//! participants (those whose consent names the member agencies), which the
//! caller finds in the database.

use crate::plans::Party;
use chrono::{Datelike, Days, Months, NaiveDate};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

const STREAM_TAG: [u8; 16] = *b"vagar-seed/s/v1\0";

/// One steering group of the synthetic city.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SeedGroup {
    pub name: &'static str,
    pub members: Vec<Party>,
    /// The agency whose consent a participant needs to be referred here.
    pub consent_party: Party,
    /// Meeting dates, oldest first.
    pub meetings: Vec<NaiveDate>,
}

/// A case referred to a group, naming a candidate by position.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SeedCase {
    pub candidate: usize,
    /// Index into the group's meetings: referred before that meeting.
    pub meeting: usize,
    pub question: &'static str,
    pub decision: Option<SeedDecision>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SeedDecision {
    pub text: &'static str,
    pub affected: Vec<Party>,
    pub status: &'static str,
    pub follow_up: Option<NaiveDate>,
    /// Whether the decision concerns a step of the participant's plan.
    pub concerns_step: bool,
}

const GROUPS: &[(&str, &[Party], Party)] = &[
    (
        "Styrgrupp Unga Stockholm",
        &[
            Party::Home,
            Party::Arbetsformedlingen,
            Party::SocialServices(0),
            Party::AdultEducation,
            Party::Psychiatry,
        ],
        Party::Arbetsformedlingen,
    ),
    (
        "Styrgrupp Etablering Järva",
        &[
            Party::Home,
            Party::Arbetsformedlingen,
            Party::SocialServices(1),
            Party::AdultEducation,
        ],
        Party::Arbetsformedlingen,
    ),
];

const QUESTIONS: &[&str] = &[
    "Kan deltagaren pröva studier utan att förlora ekonomiskt bistånd?",
    "Vem ansvarar för samordningen när flera insatser pågår samtidigt?",
    "Behövs en gemensam plan med psykiatrin innan praktik?",
    "Kan arbetsträning kombineras med SFI på deltid?",
    "Deltagaren har stått utan aktivitet länge — vilken insats är nästa steg?",
];

/// Decisions with the agencies they affect and their weight.
const DECISIONS: &[(&str, &[Party], u32)] = &[
    (
        "Pröva-på-studier med bibehållet ekonomiskt bistånd",
        &[Party::SocialServices(0), Party::AdultEducation],
        30,
    ),
    (
        "Arbetsträning med stöd från psykiatrin, uppföljning varje månad",
        &[Party::Arbetsformedlingen, Party::Psychiatry],
        20,
    ),
    (
        "Gemensam kartläggning innan ny insats beslutas",
        &[Party::Home, Party::Arbetsformedlingen],
        20,
    ),
    (
        "SFI på deltid kombinerat med praktik",
        &[Party::AdultEducation, Party::Arbetsformedlingen],
        15,
    ),
    (
        "Jobbtorg tar samordningsansvar för planen",
        &[Party::Home],
        15,
    ),
];

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

/// The steering groups as of `as_of`: six monthly meetings (the second
/// Tuesday of each of the last six months, the latest no later than `as_of`).
pub fn steering_groups(as_of: NaiveDate) -> Vec<SeedGroup> {
    GROUPS
        .iter()
        .enumerate()
        .map(|(g, (name, members, consent))| {
            let mut meetings = vec![];
            for back in (0..6u32).rev() {
                let Some(first) = as_of
                    .with_day(1)
                    .and_then(|d| d.checked_sub_months(Months::new(back)))
                else {
                    continue;
                };
                // Second Tuesday (group 0) or Thursday (group 1).
                let want = if g == 0 { 1 } else { 3 };
                let wd = first.weekday().num_days_from_monday();
                let off = (7 + want - wd) % 7 + 7;
                let d = first + Days::new(u64::from(off));
                if d <= as_of {
                    meetings.push(d);
                }
            }
            SeedGroup {
                name,
                members: members.to_vec(),
                consent_party: *consent,
                meetings,
            }
        })
        .collect()
}

/// Cases for group `group` (index into [`steering_groups`]) given how many
/// candidate participants there are: about one in 50, at most 24.
pub fn steering_cases(
    seed: u64,
    group: usize,
    meetings: &[NaiveDate],
    as_of: NaiveDate,
    candidates: usize,
) -> Vec<SeedCase> {
    let mut key = [0u8; 32];
    key[..8].copy_from_slice(&seed.to_le_bytes());
    key[8..16].copy_from_slice(&(group as u64).to_le_bytes());
    key[16..].copy_from_slice(&STREAM_TAG);
    let mut rng = ChaCha8Rng::from_seed(key);
    if candidates == 0 || meetings.is_empty() {
        return vec![];
    }
    let n = (candidates / 50).clamp(1, 24).min(candidates);
    let mut chosen: Vec<usize> = vec![];
    while chosen.len() < n {
        let c = rng.gen_range(0..candidates);
        if !chosen.contains(&c) {
            chosen.push(c);
        }
    }
    chosen.sort_unstable();
    let decisions: Vec<((&'static str, &'static [Party]), u32)> =
        DECISIONS.iter().map(|(t, a, w)| ((*t, *a), *w)).collect();
    chosen
        .into_iter()
        .map(|candidate| {
            let meeting = rng.gen_range(0..meetings.len());
            let question = QUESTIONS[rng.gen_range(0..QUESTIONS.len())];
            let last = meeting + 1 == meetings.len();
            // Cases at the latest meeting are often still open.
            let decided = if last {
                rng.gen_bool(0.4)
            } else {
                rng.gen_bool(0.9)
            };
            let decision = decided.then(|| {
                let (text, affected) = pick(&mut rng, &decisions);
                let follow = meetings[meeting] + Days::new(rng.gen_range(30..=90));
                let status = if follow < as_of {
                    pick(
                        &mut rng,
                        &[
                            ("done", 60),
                            ("in_progress", 25),
                            ("cancelled", 10),
                            ("open", 5),
                        ],
                    )
                } else {
                    pick(&mut rng, &[("open", 45), ("in_progress", 50), ("done", 5)])
                };
                SeedDecision {
                    text,
                    affected: affected.to_vec(),
                    status,
                    follow_up: (status != "cancelled").then_some(follow),
                    concerns_step: rng.gen_bool(0.5),
                }
            });
            SeedCase {
                candidate,
                meeting,
                question,
                decision,
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn groups_meet_monthly_and_cases_are_deterministic() {
        let as_of = NaiveDate::from_ymd_opt(2026, 11, 20).unwrap();
        let g = steering_groups(as_of);
        assert_eq!(g.len(), 2);
        assert!(g[0].meetings.len() >= 5 && g[0].meetings.iter().all(|d| *d <= as_of));
        let a = steering_cases(7, 0, &g[0].meetings, as_of, 2000);
        assert_eq!(a, steering_cases(7, 0, &g[0].meetings, as_of, 2000));
        assert_eq!(a.len(), 24);
        assert!(a.iter().any(|c| c.decision.is_some()));
        assert!(steering_cases(7, 0, &g[0].meetings, as_of, 0).is_empty());
        assert_eq!(steering_cases(7, 0, &g[0].meetings, as_of, 3).len(), 1);
    }
}
