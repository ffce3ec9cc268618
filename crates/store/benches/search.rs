//! Participant search latency on a seeded database, through the store's
//! public API as a caseworker sees it (access filter, count, page and the
//! audit write included).
//!
//!     cargo bench -p vagar-store --bench search -- sqlite:///tmp/vagar-bench.db
//!
//! Seed the database first: `vagar --db URL seed --size 1000000`.
//! `scripts/bench-registry` does both and prints the table for the README.

use std::time::{Duration, Instant};
use vagar_domain::participants::TargetGroup;
use vagar_store::participants::ParticipantQuery;
use vagar_store::{Ctx, Store};

const RUNS: usize = 40;

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
    let n = store.count_participants().await?;
    let user = store
        .user_by_name("handlaggare")
        .await?
        .ok_or_else(|| anyhow::anyhow!("seed the database first (no user 'handlaggare')"))?;
    // An identity number and a birth date that exist, read directly: the
    // benchmark is not a user and needs no audit for picking its inputs.
    let row = vagar_store::sqlx::query(
        "SELECT identity_number, birth_date FROM participants ORDER BY id LIMIT 1 OFFSET 4321",
    )
    .fetch_one(store.pool())
    .await?;
    use vagar_store::sqlx::Row;
    let identity: String = row.try_get("identity_number")?;
    let birth: String = row.try_get("birth_date")?;
    let q = |q: &str| ParticipantQuery {
        q: Some(q.into()),
        page: 1,
        per_page: 20,
        ..Default::default()
    };
    let cases: Vec<(&str, ParticipantQuery)> = vec![
        ("surname prefix \"johansson\"", q("johansson")),
        ("first + last \"anna and\"", q("anna and")),
        ("one letter \"s\" (worst case)", q("s")),
        ("identity number (exact)", q(&identity)),
        ("birth date YYYYMMDD", q(&birth.replace('-', ""))),
        (
            "district + target group, no text",
            ParticipantQuery {
                district: Some("Rinkeby-Kista".into()),
                target_group: Some(TargetGroup::Youth),
                page: 1,
                per_page: 20,
                ..Default::default()
            },
        ),
        (
            "whole caseload, page 1",
            ParticipantQuery {
                page: 1,
                per_page: 20,
                ..Default::default()
            },
        ),
        (
            "whole caseload, page 200",
            ParticipantQuery {
                page: 200,
                per_page: 20,
                ..Default::default()
            },
        ),
    ];
    println!(
        "participants: {n}, engine: {:?}, runs per query: {RUNS}",
        store.backend()
    );
    println!();
    println!("| query | matches | median ms | p95 ms | max ms |");
    println!("|---|---:|---:|---:|---:|");
    for (name, query) in cases {
        let mut times = Vec::with_capacity(RUNS);
        let mut matches = String::new();
        for _ in 0..RUNS {
            let ctx = Ctx {
                actor: user.actor(),
                request_id: "bench".into(),
                now: chrono::Utc::now(),
            };
            let t = Instant::now();
            let page = store.search_participants(&ctx, &query).await?;
            times.push(t.elapsed());
            matches = if page.total_is_capped {
                format!(">{}", page.total)
            } else {
                page.total.to_string()
            };
        }
        times.sort();
        println!(
            "| {name} | {matches} | {:.2} | {:.2} | {:.2} |",
            ms(times[RUNS / 2]),
            ms(times[RUNS * 95 / 100]),
            ms(times[RUNS - 1])
        );
    }
    Ok(())
}
