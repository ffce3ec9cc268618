//! Times generating participants and prints a few, plus simple counts:
//! `cargo run --release -p vagar-seed --example throughput -- [N] [SEED]`.

use std::collections::BTreeMap;
use std::time::Instant;

use chrono::NaiveDate;
use vagar_seed::participant;

fn main() {
    let mut args = std::env::args().skip(1);
    let n: u64 = args
        .next()
        .and_then(|a| a.parse().ok())
        .unwrap_or(1_000_000);
    let seed: u64 = args.next().and_then(|a| a.parse().ok()).unwrap_or(1);
    let today = NaiveDate::from_ymd_opt(2026, 11, 27).expect("valid date");

    let start = Instant::now();
    let mut counts: BTreeMap<String, u64> = BTreeMap::new();
    for i in 0..n {
        let p = participant(seed, i, today);
        if i < 5 {
            println!(
                "{} {} {} {:?} {:?} {:?} {:?} {:?} {:?} {:?} {:?} {:?}",
                p.identity_number.masked(),
                p.first_name,
                p.last_name,
                p.gender,
                p.birth_region,
                p.district,
                p.languages,
                p.swedish_level,
                p.target_groups,
                p.email,
                p.phone,
                p.registered_on
            );
        }
        *counts.entry(format!("gender {:?}", p.gender)).or_default() += 1;
        *counts
            .entry(format!("region {:?}", p.birth_region))
            .or_default() += 1;
        *counts
            .entry(format!("education {:?}", p.education_level))
            .or_default() += 1;
        *counts
            .entry(format!("groups {}", p.target_groups.len()))
            .or_default() += 1;
        for g in &p.target_groups {
            *counts.entry(format!("group {g:?}")).or_default() += 1;
        }
        let age = p.age_on(today);
        *counts
            .entry(format!("age {:02}-{:02}", age / 10 * 10, age / 10 * 10 + 9))
            .or_default() += 1;
    }
    let elapsed = start.elapsed();
    println!("{n} participants in {elapsed:.2?}");
    for (k, v) in counts {
        println!("{k:32} {:6.2} %", v as f64 * 100.0 / n as f64);
    }
}
