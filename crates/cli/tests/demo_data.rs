//! The demo data as `vagar seed` writes it is believable (issue 11, "The
//! rules of the land"): every SSYK code exists in the shipped taxonomy,
//! every occupation fits its employer's industry, youth models hold people
//! of 16–29 on their start date, programmes are used only in their years,
//! every target-group code parses, and the share of participants between
//! chairs on the as-of date is what a working service sees (5–15 %).

use std::collections::HashSet;
use std::process::Command;
use vagar_domain::participants::TargetGroup;
use vagar_domain::work::interventions::ProgrammeType;
use vagar_domain::work::placements::enrolment::{YOUTH_MAX_AGE, YOUTH_MIN_AGE};
use vagar_store::sqlx::{self, Row};
use vagar_store::Store;

const AS_OF: &str = "2026-11-20";

fn date(s: &str) -> chrono::NaiveDate {
    s.parse().expect("a date")
}

async fn texts(store: &Store, sql: &str) -> Vec<Vec<Option<String>>> {
    sqlx::query(sql)
        .fetch_all(store.pool())
        .await
        .unwrap_or_else(|e| panic!("{sql}: {e}"))
        .iter()
        .map(|r| {
            (0..r.len())
                .map(|i| r.try_get::<Option<String>, _>(i).unwrap())
                .collect()
        })
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_seeded_city_follows_the_rules_of_the_land() {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}", dir.path().join("demo.db").display());
    let out = Command::new(env!("CARGO_BIN_EXE_vagar"))
        .args(["--db", &url, "seed", "--size", "3000", "--seed", "4"])
        .args(["--as-of", AS_OF])
        .env("VAGAR_LOG", "warn")
        .output()
        .expect("vagar runs");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let store = Store::connect(&url).await.unwrap();
    let taxonomy = vagar_domain::taxonomy::shipped().unwrap();
    let groups: HashSet<&str> = taxonomy
        .groups
        .iter()
        .filter(|g| g.level == 4)
        .map(|g| g.code.as_str())
        .collect();

    // 1. Every SSYK code written anywhere exists.
    for (table, column) in [
        ("placements", "occupation_ssyk"),
        ("competence_needs", "ssyk_code"),
        ("action_plans", "ssyk_code"),
        ("staffing_staff", "occupation_ssyk"),
        ("staffing_requests", "occupation_ssyk"),
        ("training_progress", "occupation_ssyk"),
        ("host_staff_reductions", "occupation_ssyk"),
        ("competence_experiences", "ssyk_code"),
        ("competence_wishes", "ssyk_code"),
    ] {
        let rows = texts(
            &store,
            &format!("SELECT DISTINCT {column} FROM {table} WHERE {column} IS NOT NULL"),
        )
        .await;
        for r in rows {
            let code = r[0].clone().unwrap();
            assert!(groups.contains(code.as_str()), "{table}.{column}: {code}");
        }
    }
    let placements = texts(&store, "SELECT COUNT(*) || '' FROM placements").await;
    let n: i64 = placements[0][0].as_deref().unwrap().parse().unwrap();
    assert!(n > 60, "placements {n}");

    // 2. Occupations fit the host's industry: placements and needs.
    let rows = texts(
        &store,
        "SELECT p.occupation_ssyk, e.sni_code, e.name FROM placements p \
         JOIN employers e ON e.id = p.employer_id",
    )
    .await;
    assert!(!rows.is_empty());
    for r in &rows {
        let (code, sni, name) = (r[0].as_deref().unwrap(), r[1].as_deref(), &r[2]);
        assert!(
            vagar_seed::occupations::fits(sni, code),
            "placement {code} at {name:?} (SNI {sni:?})"
        );
    }
    let rows = texts(
        &store,
        "SELECT n.ssyk_code, e.sni_code FROM competence_needs n \
         JOIN employers e ON e.id = n.employer_id",
    )
    .await;
    assert!(!rows.is_empty());
    for r in &rows {
        let (code, sni) = (r[0].as_deref().unwrap(), r[1].as_deref());
        assert!(
            vagar_seed::occupations::fits(sni, code),
            "need {code} at SNI {sni:?}"
        );
    }

    // 3, 4, 6. Every placement: its intervention's target groups parse and
    // hold (youth by age on the start date), and its programme was open
    // for new starts on the start date.
    let rows = texts(
        &store,
        "SELECT i.name, i.target_groups, i.programme_type, p.start_date, pa.birth_date, \
         pa.target_mask || '' FROM placements p JOIN interventions i ON i.id = p.intervention_id \
         JOIN participants pa ON pa.id = p.participant_id",
    )
    .await;
    let mut youth = 0;
    for r in &rows {
        let name = r[0].as_deref().unwrap();
        let start = date(r[3].as_deref().unwrap());
        let birth = date(r[4].as_deref().unwrap());
        let mask: i64 = r[5].as_deref().unwrap().parse().unwrap();
        let target: Vec<TargetGroup> = r[1]
            .as_deref()
            .unwrap_or_default()
            .split(',')
            .filter(|s| !s.is_empty())
            .map(|s| TargetGroup::parse(s).unwrap_or_else(|| panic!("{name}: group {s}")))
            .collect();
        let mine = TargetGroup::from_mask(mask);
        if target.contains(&TargetGroup::Youth) {
            youth += 1;
            let age = vagar_domain::time::age_on(birth, start);
            assert!(
                (YOUTH_MIN_AGE..=YOUTH_MAX_AGE).contains(&age),
                "{age} years old in the youth model {name} on {start}"
            );
        }
        assert!(
            target.is_empty()
                || target.iter().any(|g| {
                    vagar_domain::work::placements::enrolment::belongs_to(*g, &mine, birth, start)
                }),
            "{name} is not for this participant ({mine:?}, born {birth}, start {start})"
        );
        if let Some(code) = r[2].as_deref() {
            let programme =
                ProgrammeType::parse(code).unwrap_or_else(|| panic!("programme {code}"));
            assert!(
                programme.rules_on(start).is_ok(),
                "{name}: {code} starting {start}"
            );
        }
    }
    assert!(youth >= 5, "youth-model placements {youth}");
    // Every intervention's and participant's target-group codes parse.
    for r in texts(&store, "SELECT name, target_groups FROM interventions").await {
        for s in r[1].as_deref().unwrap_or_default().split(',') {
            assert!(
                s.is_empty() || TargetGroup::parse(s).is_some(),
                "{:?}: {s}",
                r[0]
            );
        }
    }
    let all_bits = TargetGroup::to_mask(TargetGroup::ALL);
    let stray = texts(
        &store,
        &format!("SELECT COUNT(*) || '' FROM participants WHERE (target_mask | {all_bits}) <> {all_bits}"),
    )
    .await;
    assert_eq!(
        stray[0][0].as_deref(),
        Some("0"),
        "unknown target-group bits"
    );

    // 5. Between chairs on the as-of date: what a working service sees.
    let noon = date(AS_OF).and_hms_opt(11, 0, 0).unwrap().and_utc();
    let run = store.run_between_chairs(noon, 30).await.unwrap();
    assert_eq!(run.run_date, date(AS_OF));
    let share = run.total.flagged as f64 / run.participants as f64;
    eprintln!(
        "between chairs on {AS_OF}: {} of {} ({:.1} %): {:?}",
        run.total.flagged,
        run.participants,
        share * 100.0,
        run.total
    );
    assert!(
        (0.05..=0.15).contains(&share),
        "{:.1} % between chairs",
        share * 100.0
    );
    store.close().await;
}
