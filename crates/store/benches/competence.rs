//! Competence search latency on a seeded database, through the store's
//! public API as a coordinator (taxonomy lookups, ranking, details of the
//! hits and the audit write included).
//!
//!     cargo bench -p vagar-store --bench competence -- sqlite:///tmp/vagar-bench.db
//!
//! Seed first: `vagar --db URL seed --size 280000` (about 100 000 profiles).

use std::time::{Duration, Instant};
use vagar_store::competence::SearchInput;
use vagar_store::{Ctx, Store};

const RUNS: usize = 20;

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() -> anyhow::Result<()> {
    let url = std::env::args()
        .skip(1)
        .find(|a| a.contains("://"))
        .unwrap_or_else(|| "sqlite://vagar.db".into());
    let store = Store::connect(&url).await?;
    store.migrate().await?;
    store.ensure_taxonomy(chrono::Utc::now()).await?;
    let user = store
        .user_by_name("samordnare")
        .await?
        .or(store.user_by_name("handlaggare").await?)
        .ok_or_else(|| anyhow::anyhow!("seed the database first"))?;
    let row = vagar_store::sqlx::query("SELECT COUNT(*) AS n FROM competence_profiles")
        .fetch_one(store.pool())
        .await?;
    use vagar_store::sqlx::Row;
    let profiles: i64 = row.try_get("n")?;
    let s = |occupation: Option<&str>, skills: &[&str], min: Option<&str>, lic: Option<&str>| {
        SearchInput {
            occupation: occupation.map(str::to_string),
            skills: skills.iter().map(|s| s.to_string()).collect(),
            skill_mode: Some("any".into()),
            min_swedish_level: min.map(str::to_string),
            driving_licence: lic.map(str::to_string),
            ..Default::default()
        }
    };
    let cases = vec![
        (
            "occupation \"Elevassistent\" (substitutes)",
            s(Some("Elevassistent"), &[], None, None),
        ),
        ("SSYK group 5311", s(Some("5311"), &[], None, None)),
        (
            "\"Städare\" + Swedish ≥ sfi_c + licence B",
            s(Some("Städare"), &[], Some("sfi_c"), Some("B")),
        ),
        (
            "no criteria (all profiles ranked)",
            s(None, &[], None, None),
        ),
        ("Swedish ≥ b1 only", s(None, &[], Some("b1"), None)),
    ];
    println!(
        "profiles: {profiles}, engine: {:?}, runs per query: {RUNS}",
        store.backend()
    );
    println!();
    println!("| query | matches | median ms | p95 ms | max ms |");
    println!("|---|---:|---:|---:|---:|");
    for (name, input) in cases {
        let mut times = Vec::with_capacity(RUNS);
        let mut total = 0;
        for _ in 0..RUNS {
            let ctx = Ctx {
                actor: user.actor(),
                request_id: "bench".into(),
                now: chrono::Utc::now(),
            };
            let t = Instant::now();
            total = store.search_competence(&ctx, &input).await?.total;
            times.push(t.elapsed());
        }
        times.sort();
        println!(
            "| {name} | {total} | {:.2} | {:.2} | {:.2} |",
            ms(times[RUNS / 2]),
            ms(times[RUNS * 95 / 100]),
            ms(times[RUNS - 1])
        );
    }
    Ok(())
}
