//! Suggestion latency at national scale: an index of P participants (each
//! with one to three occupations drawn from the real SSYK groups with a
//! skewed popularity, so some groups are crowded) and N open needs, with the
//! real substitutability relations; then Q random queries each way.
//!
//!   cargo bench -p vagar-matching --bench suggest [-- P N Q]
//!   (default 1000000 50000 2000)
//!
//! Prints build time and latency percentiles (top 10 with explanations).

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use std::time::Instant;
use vagar_domain::matching::{Candidate, Need, OccupationSource, ParticipantOccupation, Weights};
use vagar_domain::participants::{EducationLevel, SwedishLevel};
use vagar_matching::suggest::Index;

fn main() {
    let args: Vec<usize> = std::env::args()
        .skip(1)
        .filter_map(|a| a.parse().ok())
        .collect();
    let p = args.first().copied().unwrap_or(1_000_000);
    let n = args.get(1).copied().unwrap_or(50_000);
    let q = args.get(2).copied().unwrap_or(2_000);
    let t = vagar_domain::taxonomy::shipped().expect("taxonomy");
    let groups: Vec<&str> = t
        .groups
        .iter()
        .filter(|g| g.level == 4)
        .map(|g| g.code.as_str())
        .collect();
    let names_in = |code: &str| -> Vec<(String, String)> {
        t.names
            .iter()
            .filter(|x| x.ssyk_code == code)
            .map(|x| (x.concept_id.clone(), x.label.clone()))
            .collect()
    };
    let names: Vec<Vec<(String, String)>> = groups.iter().map(|g| names_in(g)).collect();
    let skills: Vec<String> = t.skills.iter().map(|s| s.concept_id.clone()).collect();
    let mut rng = ChaCha8Rng::seed_from_u64(7);
    // Skewed popularity: group i drawn with weight 1 / (i + 1).
    let weights: Vec<f64> = (0..groups.len()).map(|i| 1.0 / (i as f64 + 1.0)).collect();
    let total: f64 = weights.iter().sum();
    let pick_group = |rng: &mut ChaCha8Rng| -> usize {
        let mut x = rng.gen::<f64>() * total;
        for (i, w) in weights.iter().enumerate() {
            x -= w;
            if x <= 0.0 {
                return i;
            }
        }
        groups.len() - 1
    };
    let districts = vagar_domain::geo::STOCKHOLM_DISTRICTS;
    let levels = SwedishLevel::ALL;
    let started = Instant::now();
    let mut candidates = Vec::with_capacity(p);
    for id in 0..p {
        let k = rng.gen_range(1..=3);
        let occupations = (0..k)
            .map(|j| {
                let g = pick_group(&mut rng);
                let name = names[g].get(rng.gen_range(0..names[g].len().max(1)));
                ParticipantOccupation {
                    ssyk_code: groups[g].to_string(),
                    occupation_id: name.map(|n| n.0.clone()),
                    label: name.map(|n| n.1.clone()).unwrap_or_default(),
                    source: if j == 0 {
                        OccupationSource::Experience
                    } else {
                        OccupationSource::Wish
                    },
                    years: rng.gen_range(0..10),
                }
            })
            .collect();
        candidates.push(Candidate {
            participant_id: id as i64,
            occupations,
            skills: (0..rng.gen_range(0..6))
                .map(|_| skills[rng.gen_range(0..skills.len())].clone())
                .collect(),
            swedish_level: Some(levels[rng.gen_range(0..levels.len())]),
            driving_licences: if rng.gen_bool(0.4) {
                vec!["B".into()]
            } else {
                vec![]
            },
            education_level: Some(EducationLevel::ALL[rng.gen_range(0..4)]),
            municipality_code: "0180".into(),
            district: Some(districts[rng.gen_range(0..districts.len())].into()),
            age: Some(rng.gen_range(18..64)),
            ..Candidate::default()
        });
    }
    let mut needs = Vec::with_capacity(n);
    for id in 0..n {
        let g = pick_group(&mut rng);
        let name = names[g].get(rng.gen_range(0..names[g].len().max(1)));
        needs.push(Need {
            need_id: id as i64,
            ssyk_code: groups[g].to_string(),
            occupation_id: name.map(|n| n.0.clone()),
            occupation_label: name.map(|n| n.1.clone()).unwrap_or_default(),
            required_skills: (0..rng.gen_range(0..3))
                .map(|_| {
                    (
                        skills[rng.gen_range(0..skills.len())].clone(),
                        "skill".into(),
                    )
                })
                .collect(),
            swedish_level: Some(levels[rng.gen_range(0..levels.len())]),
            driving_licences: if rng.gen_bool(0.1) {
                vec!["B".into()]
            } else {
                vec![]
            },
            municipality_code: "0180".into(),
            district: Some(districts[rng.gen_range(0..districts.len())].into()),
            forms: vec!["fixed_term_job".into(), "work_practice".into()],
            shortage: rng.gen_bool(0.3),
            ..Need::default()
        });
    }
    let generated = started.elapsed();
    let subs = t
        .substitutions
        .iter()
        .map(|s| (s.experience.clone(), s.target.clone(), s.percentage))
        .collect();
    let started = Instant::now();
    let index = Index::new(candidates, needs, subs, Weights::default());
    let built = started.elapsed();
    println!(
        "participants {p}, needs {n}: generated in {:.1} s, index built in {:.2} s",
        generated.as_secs_f64(),
        built.as_secs_f64()
    );
    for (what, run) in [
        ("top 10 participants for a need", true),
        ("top 10 needs for a participant", false),
    ] {
        let mut times = Vec::with_capacity(q);
        let mut found = 0usize;
        for _ in 0..q {
            let t0 = Instant::now();
            let got = if run {
                index.for_need(rng.gen_range(0..n) as i64, 10, |_| true)
            } else {
                index.for_participant(rng.gen_range(0..p) as i64, 10)
            };
            times.push(t0.elapsed().as_secs_f64() * 1000.0);
            found += got.map(|g| g.len()).unwrap_or(0);
        }
        times.sort_by(f64::total_cmp);
        let pct = |x: f64| times[((times.len() as f64 - 1.0) * x) as usize];
        println!(
            "{what}: median {:.2} ms, p95 {:.2} ms, p99 {:.2} ms, max {:.2} ms ({:.1} suggestions on average)",
            pct(0.5),
            pct(0.95),
            pct(0.99),
            pct(1.0),
            found as f64 / q as f64
        );
    }
}
