//! A year of interventions and placements: five programme-type
//! interventions (open, with indicators and follow-up plans) and
//! placements of seeded participants at seeded employers, starting over the
//! year before `as_of`, most ended with an outcome; and a few notices and
//! dismissals at hosts, so some placements are assessed high or blocked.
//! Every placement obeys its programme's rules (checked with the domain's
//! own `check_enrolment`). Deterministic for a seed.

use crate::kernel::occupations;
use chrono::{Duration, NaiveDate};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use vagar_domain::participants::TargetGroup;
use vagar_domain::work::interventions::{InterventionStatus, ProgrammeType};
use vagar_domain::work::placements::{
    check_enrolment, EmploymentForm, EnrolmentFacts, ExitOutcome, PlacementTerms,
};

pub use vagar_domain::work::interventions::seed_rows::{
    Candidate, SeedIntervention, SeedPlacement, SeedReduction, WorkSeed,
};

/// Everything for `vagar seed`: the interventions, about `count`
/// placements of `candidates` at the hosts (one SNI code per host, by
/// index), and the reductions.
pub fn generate(
    seed: u64,
    count: usize,
    candidates: &[Candidate],
    hosts: &[Option<String>],
    as_of: NaiveDate,
) -> WorkSeed {
    let placements = placements(seed, count, candidates, hosts, as_of);
    WorkSeed {
        interventions: interventions(as_of),
        reductions: reductions(&placements, as_of),
        placements,
    }
}

pub fn interventions(as_of: NaiveDate) -> Vec<SeedIntervention> {
    let from = as_of - Duration::days(400);
    let plan = "Handläggaren registrerar utfall vid avslut; analytiker följer upp sysselsättning via enkät och Arbetsförmedlingens register efter 90 och 180 dagar och rapporterar till nämnden varje kvartal.";
    vec![
        SeedIntervention {
            name: "Kommunala ungdomsjobb Söder",
            programme_type: ProgrammeType::YouthEmployment,
            target_groups: &[TargetGroup::Youth],
            capacity: 40,
            period_from: from,
            funding: "Kommunens arbetsmarknadsanslag",
            description: "Sex månaders anställning i kommunal verksamhet för unga som står långt från arbete.",
            follow_up_plan: plan,
            indicators: vec![("work_or_studies", 90, 50), ("work_unsubsidised", 180, 30)],
            occupations: &[("9413", "Kafébiträde"), ("9111", "Städare"), ("5330", "Vårdbiträde"), ("5311", "Barnskötare"), ("9412", "Köksbiträde"), ("5152", "Fastighetsskötare")],
            employment_form: EmploymentForm::Municipality,
            study_percent: 0,
            months: 6,
            hours_minutes: 30 * 60,
            monthly_wage_ore: Some(2_100_000),
            monthly_subsidy_ore: None,
            subsidy_kind: None,
        },
        SeedIntervention {
            name: "Introduktionsjobb i välfärden",
            programme_type: ProgrammeType::IntroductionJob,
            target_groups: &[TargetGroup::LongTermUnemployed, TargetGroup::NewlyArrived],
            capacity: 60,
            period_from: from,
            funding: "Arbetsförmedlingens stöd för introduktionsjobb",
            description: "Introduktionsjobb i vård, skola och omsorg med handledare, för den som varit länge utan arbete eller är nyanländ.",
            follow_up_plan: plan,
            indicators: vec![("any_work", 180, 40)],
            occupations: &[("5330", "Vårdbiträde"), ("5311", "Barnskötare"), ("5312", "Elevassistent"), ("9111", "Städare"), ("9412", "Köksbiträde")],
            employment_form: EmploymentForm::Municipality,
            study_percent: 0,
            months: 12,
            hours_minutes: 40 * 60,
            monthly_wage_ore: Some(2_500_000),
            monthly_subsidy_ore: Some(2_000_000),
            subsidy_kind: Some("introduktionsjobb"),
        },
        SeedIntervention {
            name: "Arbetspraktik hos värdarbetsgivare",
            programme_type: ProgrammeType::WorkPractice,
            target_groups: &[],
            capacity: 80,
            period_from: from,
            funding: "Aktivitetsstöd från Arbetsförmedlingen",
            description: "Praktik med handledare hos arbetsgivare i registret.",
            follow_up_plan: plan,
            indicators: vec![("work_or_studies", 90, 35)],
            occupations: &[("4322", "Lagerarbetare"), ("9413", "Kafébiträde"), ("7119", "Byggnads- och anläggningsarbetare"), ("5222", "Butikssäljare, dagligvaror"), ("9412", "Köksbiträde"), ("9111", "Städare")],
            employment_form: EmploymentForm::WorkPractice,
            study_percent: 0,
            months: 3,
            hours_minutes: 30 * 60,
            monthly_wage_ore: None,
            monthly_subsidy_ore: None,
            subsidy_kind: None,
        },
        SeedIntervention {
            name: "Nystartsjobb i vård och omsorg",
            programme_type: ProgrammeType::NewStartJob,
            target_groups: &[],
            capacity: 25,
            period_from: from,
            funding: "Arbetsförmedlingens nystartsjobb",
            description: "Anställning hos värdarbetsgivare i vård och omsorg med nystartsjobb för den som varit utan arbete länge.",
            follow_up_plan: plan,
            indicators: vec![("work_unsubsidised", 180, 45)],
            occupations: &[("5330", "Vårdbiträde"), ("5321", "Undersköterska"), ("5323", "Undersköterska, vård- och specialavdelning"), ("5342", "Boendestödjare")],
            employment_form: EmploymentForm::Host,
            study_percent: 0,
            months: 12,
            hours_minutes: 40 * 60,
            monthly_wage_ore: Some(2_600_000),
            monthly_subsidy_ore: Some(800_000),
            subsidy_kind: Some("nystartsjobb"),
        },
        SeedIntervention {
            name: "Prova på studier med praktik",
            programme_type: ProgrammeType::TryoutStudies,
            target_groups: &[],
            capacity: 20,
            period_from: from,
            funding: "Kommunens arbetsmarknadsanslag",
            description: "Studier på halvtid med några dagars praktik i veckan.",
            follow_up_plan: plan,
            indicators: vec![("studies", 90, 40)],
            occupations: &[("4322", "Lagerarbetare"), ("9111", "Städare"), ("9413", "Kafébiträde"), ("5222", "Butikssäljare, dagligvaror")],
            employment_form: EmploymentForm::Municipality,
            study_percent: 50,
            months: 4,
            hours_minutes: 30 * 60,
            monthly_wage_ore: None,
            monthly_subsidy_ore: None,
            subsidy_kind: None,
        },
    ]
}

/// An occupation of the intervention and a host whose industry it fits
/// (a random one of them); when no host fits any of the intervention's
/// occupations, a random host and one of its industry's occupations.
fn occupation_and_host(
    rng: &mut ChaCha8Rng,
    offered: &[(&'static str, &'static str)],
    hosts: &[Option<String>],
) -> (&'static str, usize) {
    let (ssyk, _) = offered[rng.gen_range(0..offered.len())];
    let fitting: Vec<usize> = (0..hosts.len())
        .filter(|h| occupations::fits(hosts[*h].as_deref(), ssyk))
        .collect();
    if !fitting.is_empty() {
        return (ssyk, fitting[rng.gen_range(0..fitting.len())]);
    }
    let any: Vec<(&'static str, usize)> = offered
        .iter()
        .flat_map(|(c, _)| {
            (0..hosts.len())
                .filter(|h| occupations::fits(hosts[*h].as_deref(), c))
                .map(|h| (*c, h))
        })
        .collect();
    if !any.is_empty() {
        return any[rng.gen_range(0..any.len())];
    }
    let host = rng.gen_range(0..hosts.len());
    let own = occupations::for_industry(hosts[host].as_deref());
    (own[rng.gen_range(0..own.len())], host)
}

/// Outcomes at exit, in per mille (a typical spread for such programmes).
const OUTCOMES: &[(u32, ExitOutcome)] = &[
    (280, ExitOutcome::WorkUnsubsidised),
    (120, ExitOutcome::WorkSubsidised),
    (160, ExitOutcome::Studies),
    (80, ExitOutcome::OtherProgramme),
    (250, ExitOutcome::Unemployed),
    (50, ExitOutcome::SickOrParentalLeave),
    (30, ExitOutcome::Moved),
    (30, ExitOutcome::Unknown),
];

fn outcome(rng: &mut ChaCha8Rng) -> ExitOutcome {
    let mut r = rng.gen_range(0..1000u32);
    for (w, o) in OUTCOMES {
        if r < *w {
            return *o;
        }
        r -= w;
    }
    ExitOutcome::Unknown
}

/// `count` placements over the year before `as_of`, of `candidates` (each
/// placed at most once) at the hosts, whose SNI codes `hosts` gives by
/// index. The occupation fits the host's industry
/// ([`crate::occupations::for_industry`]): an occupation of the
/// intervention at a host where it fits, or else one of the host's own.
/// Only placements that pass their programme's enrolment rules (with the
/// rule version in force on the start date) are kept.
pub fn placements(
    seed: u64,
    count: usize,
    candidates: &[Candidate],
    hosts: &[Option<String>],
    as_of: NaiveDate,
) -> Vec<SeedPlacement> {
    let ivs = interventions(as_of);
    let mut rng = ChaCha8Rng::seed_from_u64(seed ^ 0x5715_a7e5);
    let mut out: Vec<SeedPlacement> = Vec::new();
    let mut used = vec![false; candidates.len()];
    if hosts.is_empty() {
        return out;
    }
    let mut taken = vec![0i64; ivs.len()];
    for (c, cand) in candidates.iter().enumerate() {
        if out.len() >= count {
            break;
        }
        let k = rng.gen_range(0..ivs.len());
        let iv = &ivs[k];
        let start = as_of - Duration::days(rng.gen_range(0..365));
        let end = start
            .checked_add_months(chrono::Months::new(iv.months))
            .map(|d| d - Duration::days(1))
            .unwrap_or(start);
        let (ssyk, host) = occupation_and_host(&mut rng, iv.occupations, hosts);
        let role = occupations::title(ssyk).unwrap_or(ssyk);
        let terms = PlacementTerms {
            start_date: start,
            end_date: end,
            employment_form: iv.employment_form,
            hours_per_week_minutes: iv.hours_minutes,
            planned_work_percent: 100 - iv.study_percent,
            planned_study_percent: iv.study_percent,
            monthly_wage_ore: iv.monthly_wage_ore,
            monthly_subsidy_ore: iv.monthly_subsidy_ore,
            subsidy_kind: iv.subsidy_kind.map(str::to_string),
            supervisor_name: Some(
                [
                    "Handledare Lind",
                    "Handledare Ek",
                    "Handledare Berg",
                    "Handledare Sjö",
                ][c % 4]
                    .to_string(),
            ),
            supervisor_phone: Some(format!("08-555 {:02} {:02}", c % 100, (c / 100) % 100)),
            supervisor_email: None,
            role_title: Some(role.to_string()),
            occupation_ssyk: ssyk.to_string(),
            extra_task: rng.gen_bool(0.3),
        };
        // Open placements count against the capacity.
        let open = end >= as_of;
        let facts = EnrolmentFacts {
            status: InterventionStatus::Open,
            programme_type: Some(iv.programme_type),
            period_from: iv.period_from,
            period_to: None,
            capacity: iv.capacity,
            taken_places: if open { taken[k] } else { 0 },
            birth_date: cand.1,
            participant_groups: cand.2.clone(),
            intervention_groups: iv.target_groups.to_vec(),
            // One placement a person: no other to overlap.
            others: vec![],
            host_sni: hosts[host].clone(),
            host_legal_form: None,
        };
        if used[c] || check_enrolment(&facts, &terms).is_err() {
            continue;
        }
        used[c] = true;
        if open {
            taken[k] += 1;
        }
        let exit = if end < as_of {
            Some((end, outcome(&mut rng)))
        } else if rng.gen_bool(0.1) && start < as_of - Duration::days(30) {
            // Some leave early: work found, moved, illness.
            let d = start + Duration::days(rng.gen_range(14..((as_of - start).num_days().max(15))));
            Some((d.min(as_of), outcome(&mut rng)))
        } else {
            None
        };
        out.push(SeedPlacement {
            intervention: k,
            participant_id: cand.0,
            host,
            terms,
            exit,
        });
    }
    out
}

/// A few notices and dismissals at hosts that have placements in the same
/// occupation, half a year before `as_of`: those open placements become
/// blocked (one is overridden by the store's seed).
pub fn reductions(placements: &[SeedPlacement], as_of: NaiveDate) -> Vec<SeedReduction> {
    let mut out = Vec::new();
    let notes = [
        "Varsel vid omorganisation av kvällsskiftet",
        "Uppsägning på grund av arbetsbrist",
        "Varsel efter tappad upphandling",
    ];
    for p in placements.iter().filter(|p| p.exit.is_none()) {
        if out.len() >= 3 {
            break;
        }
        if out.iter().any(|r: &SeedReduction| r.host == p.host) {
            continue;
        }
        let Some(ssyk) = occupations::code(&p.terms.occupation_ssyk) else {
            continue;
        };
        out.push(SeedReduction {
            host: p.host,
            occupation_ssyk: ssyk,
            dismissal: out.len() % 2 == 1,
            occurred_on: (p.terms.start_date - Duration::days(60)).max(as_of - Duration::days(300)),
            persons: 2 + out.len() as i64 * 3,
            note: notes[out.len() % notes.len()],
        });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    fn candidates() -> Vec<Candidate> {
        (0..400)
            .map(|i| {
                let birth = d("1960-01-01") + Duration::days(i * 97 % 16000);
                let groups = match i % 4 {
                    0 => vec![TargetGroup::Youth],
                    1 => vec![TargetGroup::LongTermUnemployed],
                    2 => vec![TargetGroup::NewlyArrived],
                    _ => vec![],
                };
                (i + 1, birth, groups)
            })
            .collect()
    }

    /// Hosts in the seed's industries, and one without a known industry.
    fn hosts() -> Vec<Option<String>> {
        [
            "41", "81", "86", "87", "56", "52", "49", "62", "47", "68", "85", "55",
        ]
        .iter()
        .map(|s| Some(s.to_string()))
        .chain([None])
        .collect()
    }

    #[test]
    fn placements_are_deterministic_rule_abiding_and_spread_over_the_year() {
        let as_of = d("2026-11-01");
        let hosts = hosts();
        let a = placements(7, 120, &candidates(), &hosts, as_of);
        let b = placements(7, 120, &candidates(), &hosts, as_of);
        assert_eq!(a, b);
        assert!(a.len() >= 60, "{}", a.len());
        let ivs = interventions(as_of);
        for p in &a {
            let cand = candidates()
                .into_iter()
                .find(|c| c.0 == p.participant_id)
                .unwrap();
            let facts = EnrolmentFacts {
                status: InterventionStatus::Open,
                programme_type: Some(ivs[p.intervention].programme_type),
                period_from: ivs[p.intervention].period_from,
                period_to: None,
                capacity: 1000,
                taken_places: 0,
                birth_date: cand.1,
                participant_groups: cand.2,
                intervention_groups: ivs[p.intervention].target_groups.to_vec(),
                others: vec![],
                host_sni: hosts[p.host].clone(),
                host_legal_form: None,
            };
            assert!(check_enrolment(&facts, &p.terms).is_ok());
            assert!(
                occupations::fits(hosts[p.host].as_deref(), &p.terms.occupation_ssyk),
                "{} at a host in SNI {:?}",
                p.terms.occupation_ssyk,
                hosts[p.host]
            );
            assert_eq!(
                p.terms.role_title.as_deref(),
                occupations::title(&p.terms.occupation_ssyk)
            );
        }
        assert!(a.iter().filter(|p| p.exit.is_some()).count() > a.len() / 3);
        assert!(a.iter().any(|p| p.exit.is_none()));
        let r = reductions(&a, as_of);
        assert!(!r.is_empty() && r.len() <= 3);
        assert!(r.iter().all(|r| r.occurred_on <= as_of));
    }
}
