//! The `vagar` command as a user runs it: exit codes, output, and the effect
//! on a real database (SQLite always, PostgreSQL when `VAGAR_TEST_PG` is set;
//! under `CI=true` a missing PostgreSQL fails the test).

use std::io::Write;
use std::process::{Command, Output, Stdio};
use vagar_store::sqlx::{self, Connection, Row};
use vagar_store::Store;

fn vagar(db: &str, args: &[&str], stdin: Option<&str>) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_vagar"))
        .arg("--db")
        .arg(db)
        .args(args)
        .env("VAGAR_LOG", "warn")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("vagar runs");
    if let Some(input) = stdin {
        child
            .stdin
            .take()
            .unwrap()
            .write_all(input.as_bytes())
            .unwrap();
    }
    drop(child.stdin.take());
    child.wait_with_output().expect("vagar finishes")
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

/// Fresh database URLs: one SQLite file, and one PostgreSQL database if available.
async fn databases(dir: &tempfile::TempDir) -> Vec<String> {
    let mut urls = vec![format!("sqlite://{}", dir.path().join("cli.db").display())];
    match std::env::var("VAGAR_TEST_PG") {
        Ok(admin) => {
            sqlx::any::install_default_drivers();
            let name = format!("vagar_cli_{}", uuid::Uuid::new_v4().simple());
            let mut conn = sqlx::AnyConnection::connect(&admin).await.unwrap();
            sqlx::query(&format!("CREATE DATABASE {name}"))
                .execute(&mut conn)
                .await
                .unwrap();
            let base = admin.rsplit_once('/').unwrap().0;
            urls.push(format!("{base}/{name}"));
        }
        Err(_) if std::env::var("CI").is_ok_and(|v| v == "true") => {
            panic!("CI=true but VAGAR_TEST_PG is not set: PostgreSQL tests may not be skipped")
        }
        Err(_) => eprintln!("skipping PostgreSQL: VAGAR_TEST_PG is not set"),
    }
    urls
}

async fn identity_numbers(url: &str) -> Vec<String> {
    let store = Store::connect(url).await.unwrap();
    let rows = sqlx::query("SELECT identity_number FROM participants ORDER BY identity_number")
        .fetch_all(store.pool())
        .await
        .unwrap();
    store.close().await;
    rows.iter()
        .map(|r| r.try_get("identity_number").unwrap())
        .collect()
}

#[test]
fn help_lists_every_command() {
    let out = Command::new(env!("CARGO_BIN_EXE_vagar"))
        .arg("--help")
        .output()
        .unwrap();
    assert!(out.status.success());
    let help = text(&out.stdout);
    for cmd in [
        "serve", "demo", "migrate", "seed", "user", "token", "audit", "match", "alerts", "import",
        "taxonomy",
    ] {
        assert!(help.contains(cmd), "--help lacks {cmd}: {help}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn seed_users_tokens_and_audit_work_on_every_engine() {
    let dir = tempfile::tempdir().unwrap();
    for url in databases(&dir).await {
        // Seed is deterministic for a seed and idempotent when re-run.
        let out = vagar(&url, &["seed", "--size", "300", "--seed", "5"], None);
        assert!(
            out.status.success(),
            "seed failed on {url}: {}",
            text(&out.stderr)
        );
        assert!(
            text(&out.stdout).contains("handlaggare"),
            "demo logins printed"
        );
        let first = identity_numbers(&url).await;
        assert_eq!(first.len(), 300);
        assert!(first
            .iter()
            .all(|n| n.len() == 12 && n.bytes().all(|b| b.is_ascii_digit())));
        let out = vagar(&url, &["seed", "--size", "300", "--seed", "5"], None);
        assert!(out.status.success());
        assert_eq!(
            identity_numbers(&url).await,
            first,
            "same seed, same people, no duplicates"
        );

        // A user with the password on stdin, then a token for them.
        let out = vagar(
            &url,
            &[
                "user",
                "add",
                "--username",
                "Kim",
                "--role",
                "caseworker",
                "--org",
                "Jobbtorg Test",
            ],
            Some("a-long-password-1\n"),
        );
        assert!(out.status.success(), "user add: {}", text(&out.stderr));
        let out = vagar(&url, &["token", "create", "--user", "kim"], None);
        assert!(out.status.success());
        let stdout = text(&out.stdout);
        let token = stdout.lines().last().unwrap().trim().to_string();
        assert!(
            token.starts_with("vgr_") && !token.contains(' '),
            "token alone on the last line: {stdout}"
        );
        let store = Store::connect(&url).await.unwrap();
        let user = store
            .user_by_token(&token, chrono::Utc::now())
            .await
            .unwrap()
            .expect("token works");
        assert_eq!(user.username, "kim");
        store.close().await;

        // Bad input: a message and a non-zero exit, nothing created.
        for (args, stdin, needle) in [
            (
                vec![
                    "user",
                    "add",
                    "--username",
                    "x",
                    "--role",
                    "boss",
                    "--org",
                    "O",
                ],
                "a-long-password-1",
                "unknown role",
            ),
            (
                vec![
                    "user",
                    "add",
                    "--username",
                    "y",
                    "--role",
                    "admin",
                    "--org",
                    "O",
                ],
                "short",
                "at least 10",
            ),
            (
                vec![
                    "user",
                    "add",
                    "--username",
                    "kim",
                    "--role",
                    "admin",
                    "--org",
                    "O",
                ],
                "a-long-password-1",
                "already exists",
            ),
            (
                vec!["token", "create", "--user", "nobody"],
                "",
                "no active user",
            ),
        ] {
            let out = vagar(&url, &args, Some(stdin));
            assert!(!out.status.success(), "{args:?} should fail");
            assert!(
                text(&out.stderr).contains(needle),
                "{args:?}: {}",
                text(&out.stderr)
            );
        }

        let out = vagar(&url, &["audit", "verify"], None);
        assert!(out.status.success(), "{}", text(&out.stderr));
        assert!(text(&out.stdout).contains("intact"));
    }
}

#[test]
fn bad_database_url_is_a_clear_error() {
    let out = vagar("mysql://nowhere/x", &["migrate"], None);
    assert!(!out.status.success());
    assert!(
        text(&out.stderr).contains("sqlite:// or postgres://"),
        "{}",
        text(&out.stderr)
    );
}

#[test]
fn match_solve_prints_one_json_line_and_rejects_bad_files() {
    let dir = tempfile::tempdir().unwrap();
    let good = dir.path().join("good.txt");
    // 3 participants, 2 needs (capacity 1 and 1): best is 2 placed at cost 1 + 2.
    std::fs::write(&good, "3 2 4\n1\n1\n0 0 5\n0 1 1\n1 0 2\n2 1 9\n").unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_vagar"))
        .args(["match", "solve", "--instance"])
        .arg(&good)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", text(&out.stderr));
    let line = text(&out.stdout);
    let v: serde_json::Value = serde_json::from_str(line.trim()).expect("one JSON line");
    assert_eq!(v["matched"], 2);
    assert_eq!(v["cost"], 3);
    assert!(v["seconds"].as_f64().is_some());

    let bad = dir.path().join("bad.txt");
    std::fs::write(&bad, "2 1 1\n1\n0 5 3\n").unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_vagar"))
        .args(["match", "solve", "--instance"])
        .arg(&bad)
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(text(&out.stderr).contains("line"), "{}", text(&out.stderr));
}

async fn scalar(store: &Store, sql: &str, binds: &[&str]) -> i64 {
    let mut q = sqlx::query(sql);
    for b in binds {
        q = q.bind(*b);
    }
    q.fetch_one(store.pool())
        .await
        .unwrap()
        .try_get("n")
        .unwrap()
}

async fn collaboration_counts(url: &str) -> Vec<i64> {
    let store = Store::connect(url).await.unwrap();
    let mut out = Vec::new();
    for t in [
        "consents",
        "consent_organisations",
        "consent_events",
        "action_plans",
        "plan_steps",
        "contacts",
        "steering_groups",
        "steering_group_members",
        "steering_meetings",
        "steering_cases",
        "steering_decisions",
        "steering_decision_participants",
        "steering_decision_history",
    ] {
        out.push(scalar(&store, &format!("SELECT COUNT(*) AS n FROM {t}"), &[]).await);
    }
    store.close().await;
    out
}

/// The demo data has consents, plans, steps and contacts in plausible
/// proportions; the daily between-chairs job's counts match straightforward
/// SQL per rule written here; the run is recorded without identities.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn seeded_collaboration_and_the_between_chairs_job_match_an_independent_count() {
    let dir = tempfile::tempdir().unwrap();
    for url in databases(&dir).await {
        let args = [
            "seed",
            "--size",
            "800",
            "--seed",
            "9",
            "--as-of",
            "2026-11-20",
        ];
        let out = vagar(&url, &args, None);
        assert!(out.status.success(), "seed on {url}: {}", text(&out.stderr));
        let first = collaboration_counts(&url).await;
        // Seeding again adds nothing twice.
        assert!(vagar(&url, &args, None).status.success());
        assert_eq!(collaboration_counts(&url).await, first);

        let store = Store::connect(&url).await.unwrap();
        let people = scalar(&store, "SELECT COUNT(*) AS n FROM participants", &[]).await;
        assert_eq!(people, 800);
        let share = |n: i64| n as f64 / people as f64;
        let af = scalar(
            &store,
            "SELECT COUNT(DISTINCT c.participant_id) AS n FROM consents c \
             JOIN consent_organisations co ON co.consent_id = c.id \
             JOIN organisations o ON o.id = co.organisation_id \
             WHERE o.name = 'Arbetsförmedlingen Stockholm'",
            &[],
        )
        .await;
        assert!((0.33..0.47).contains(&share(af)), "AF consents {af}");
        let revoked = scalar(
            &store,
            "SELECT COUNT(*) AS n FROM consents WHERE revoked_at IS NOT NULL",
            &[],
        )
        .await;
        assert!(revoked > 0);
        // Steering groups with members, monthly meetings, cases for a small
        // share of AF-consenting participants and decisions with follow-up.
        let groups = scalar(&store, "SELECT COUNT(*) AS n FROM steering_groups", &[]).await;
        assert_eq!(groups, 2);
        let members = scalar(
            &store,
            "SELECT COUNT(*) AS n FROM steering_group_members m \
             JOIN steering_groups g ON g.id = m.group_id \
             WHERE g.name = 'Styrgrupp Unga Stockholm'",
            &[],
        )
        .await;
        assert_eq!(members, 5);
        let meetings = scalar(&store, "SELECT COUNT(*) AS n FROM steering_meetings", &[]).await;
        assert!((10..=12).contains(&meetings), "meetings {meetings}");
        let cases = scalar(&store, "SELECT COUNT(*) AS n FROM steering_cases", &[]).await;
        assert!(cases >= 2 && share(cases) < 0.05, "cases {cases}");
        let unconsented = scalar(
            &store,
            "SELECT COUNT(*) AS n FROM steering_cases s WHERE NOT EXISTS (\
             SELECT 1 FROM consents c JOIN consent_organisations co ON co.consent_id = c.id \
             JOIN organisations o ON o.id = co.organisation_id \
             WHERE c.participant_id = s.participant_id AND c.revoked_at IS NULL \
             AND o.name = 'Arbetsförmedlingen Stockholm')",
            &[],
        )
        .await;
        assert_eq!(unconsented, 0, "cases only for consenting participants");
        let decisions = scalar(&store, "SELECT COUNT(*) AS n FROM steering_decisions", &[]).await;
        assert!(
            decisions >= 1 && decisions <= cases,
            "decisions {decisions}"
        );
        let followed = scalar(
            &store,
            "SELECT COUNT(*) AS n FROM steering_decisions WHERE follow_up_date IS NOT NULL",
            &[],
        )
        .await;
        assert!(followed >= 1);
        let undecided_links = scalar(
            &store,
            "SELECT COUNT(*) AS n FROM steering_decisions d JOIN steering_cases c ON c.id = d.case_id \
             WHERE c.status <> 'decided'",
            &[],
        )
        .await;
        assert_eq!(undecided_links, 0);
        let outsiders = scalar(
            &store,
            "SELECT COUNT(*) AS n FROM steering_decision_organisations o \
             JOIN steering_decisions d ON d.id = o.decision_id \
             WHERE NOT EXISTS (SELECT 1 FROM steering_group_members m \
             WHERE m.group_id = d.group_id AND m.organisation_id = o.organisation_id)",
            &[],
        )
        .await;
        assert_eq!(outsiders, 0, "decisions affect member organisations");
        let plans = scalar(&store, "SELECT COUNT(*) AS n FROM action_plans", &[]).await;
        assert!((0.88..0.99).contains(&share(plans)), "plans {plans}");
        let owners = scalar(
            &store,
            "SELECT COUNT(DISTINCT organisation_id) AS n FROM plan_steps",
            &[],
        )
        .await;
        assert!(
            owners >= 4,
            "steps owned by several organisations: {owners}"
        );
        let ssyk = scalar(
            &store,
            "SELECT COUNT(*) AS n FROM action_plans WHERE ssyk_code = '5321'",
            &[],
        )
        .await;
        assert!(ssyk > 0);

        // The daily job.
        let out = vagar(&url, &["alerts", "between-chairs", "--days", "30"], None);
        assert!(out.status.success(), "{}", text(&out.stderr));
        let stdout = text(&out.stdout);
        let run: serde_json::Value = serde_json::from_str(stdout.trim()).unwrap();
        // Aggregates only: no identity number or name of anyone.
        for n in identity_numbers(&url).await.iter().take(50) {
            assert!(
                !stdout.contains(&n[..8]) || !stdout.contains(n),
                "{n} printed"
            );
        }
        let names = sqlx::query("SELECT last_name FROM participants LIMIT 50")
            .fetch_all(store.pool())
            .await
            .unwrap();
        for r in names {
            let last: String = r.try_get("last_name").unwrap();
            assert!(!stdout.contains(&last), "{last} printed");
        }
        let today: chrono::NaiveDate = run["run_date"].as_str().unwrap().parse().unwrap();
        let t = today.format("%Y-%m-%d").to_string();
        let cutoff = (today - chrono::Duration::days(30))
            .format("%Y-%m-%d")
            .to_string();
        let no_caseworker_ids =
            "SELECT id FROM participants WHERE responsible_caseworker_id IS NULL";
        let no_active_ids = "SELECT id FROM participants WHERE id NOT IN \
             (SELECT participant_id FROM plan_steps WHERE status = 'active')";
        let overdue_ids = "SELECT DISTINCT participant_id AS id FROM plan_steps \
             WHERE status IN ('planned', 'active') AND due_date < $1";
        let stale_ids = "SELECT p.id FROM participants p LEFT JOIN \
             (SELECT participant_id, MAX(contact_date) AS m FROM contacts GROUP BY participant_id) c \
             ON c.participant_id = p.id WHERE p.registered_on < $2 AND (c.m IS NULL OR c.m < $2)";
        let count = |q: &str| format!("SELECT COUNT(*) AS n FROM ({q}) x");
        let expected = [
            (
                "no_caseworker",
                scalar(&store, &count(no_caseworker_ids), &[]).await,
            ),
            (
                "no_active_step",
                scalar(&store, &count(no_active_ids), &[]).await,
            ),
            (
                "overdue_step",
                scalar(&store, &count(overdue_ids), &[&t]).await,
            ),
            (
                "no_recent_contact",
                scalar(&store, &count(&stale_ids.replace("$2", "$1")), &[&cutoff]).await,
            ),
        ];
        let flagged = scalar(
            &store,
            &count(&format!(
                "{no_caseworker_ids} UNION {no_active_ids} UNION {overdue_ids} UNION {stale_ids}"
            )),
            &[&t, &cutoff],
        )
        .await;
        assert_eq!(run["participants"], people);
        assert_eq!(run["total"]["flagged"], flagged, "{stdout}");
        for (k, n) in expected {
            assert!(n > 0, "the demo has people flagged for {k}");
            assert_eq!(run["total"][k], n, "{k}: {stdout}");
        }
        assert!(flagged < people, "not everyone is between chairs");
        // The list an administrator gets (the API's store call) on the same
        // data and day: the same total and counts per reason.
        let admin = store
            .user_by_name("admin")
            .await
            .unwrap()
            .expect("demo admin");
        let ctx = vagar_store::Ctx {
            actor: admin.actor(),
            request_id: "cli-test".into(),
            now: chrono::DateTime::parse_from_rfc3339(run["run_at"].as_str().unwrap())
                .unwrap()
                .with_timezone(&chrono::Utc),
        };
        let page = store
            .between_chairs(
                &ctx,
                &vagar_store::between_chairs::BetweenChairsQuery::default(),
            )
            .await
            .unwrap();
        assert_eq!(page.total as i64, flagged);
        for (r, n) in &page.counts {
            assert_eq!(run["total"][r.as_str()], *n, "{}", r.as_str());
        }
        assert_eq!(page.items.len(), 50);
        assert!(page.items.iter().all(|i| !i.reasons.is_empty()));
        // Per district, the counts add up to the total.
        let sum: i64 = run["by_district"]
            .as_object()
            .unwrap()
            .values()
            .map(|v| v["flagged"].as_i64().unwrap())
            .sum();
        assert_eq!(sum, flagged);
        // The run is recorded, once per run.
        assert_eq!(
            scalar(&store, "SELECT COUNT(*) AS n FROM between_chairs_runs", &[]).await,
            1
        );
        store.close().await;
        let out = vagar(&url, &["alerts", "between-chairs", "--days", "0"], None);
        assert!(!out.status.success());
        assert!(text(&out.stderr).contains("--days"));
        assert!(vagar(&url, &["alerts", "between-chairs"], None)
            .status
            .success());
        let store = Store::connect(&url).await.unwrap();
        assert_eq!(
            scalar(&store, "SELECT COUNT(*) AS n FROM between_chairs_runs", &[]).await,
            2
        );
        store.close().await;
        let out = vagar(&url, &["audit", "verify"], None);
        assert!(out.status.success(), "{}", text(&out.stderr));
    }
}

/// Every row of the tables an import writes, as text, for "same state" checks.
async fn dump(url: &str) -> Vec<String> {
    let store = Store::connect(url).await.unwrap();
    let mut out = Vec::new();
    for (table, order) in [
        ("employers", "id"),
        ("employer_workplaces", "id"),
        ("competence_needs", "id"),
        ("competence_need_skills", "need_id, skill_id"),
        ("shortage_occupations", "round, concept_id, county_code"),
    ] {
        let rows = sqlx::query(&format!("SELECT * FROM {table} ORDER BY {order}"))
            .fetch_all(store.pool())
            .await
            .unwrap();
        for r in rows {
            let cols: Vec<String> = (0..r.len())
                .map(|i| {
                    r.try_get::<String, _>(i)
                        .or_else(|_| r.try_get::<i64, _>(i).map(|v| v.to_string()))
                        .unwrap_or_else(|_| "NULL".into())
                })
                .collect();
            out.push(format!("{table}: {}", cols.join("|")));
        }
    }
    store.close().await;
    out
}

fn job_ad(id: &str, org: &str, vacancies: i64, removed: bool) -> String {
    format!(
        r#"{{"id":"{id}","headline":"Undersköterska {id}","number_of_vacancies":{vacancies},
        "application_deadline":"2027-01-15T23:59:59","description":{{"text":"Vi söker dig"}},
        "employer":{{"organization_number":"{org}","name":"Omsorg {org}","workplace":"Hemtjänst Farsta"}},
        "occupation":{{"concept_id":"occ-{id}","label":"Undersköterska, hemtjänst"}},
        "occupation_group":{{"concept_id":"x","label":"Undersköterskor","legacy_ams_taxonomy_id":"5321"}},
        "working_hours_type":{{"label":"Heltid"}},"driving_license":[{{"label":"B"}}],
        "workplace_address":{{"municipality_code":"0180","city":"Stockholm","postcode":"12345","coordinates":[18.07,59.33]}},
        "must_have":{{"skills":[{{"concept_id":"s1","label":"Demensvård","weight":10}}]}},
        "nice_to_have":{{"skills":[]}},"removed":{removed}}}"#
    )
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn imports_are_idempotent_and_report_unusable_rows() {
    let dir = tempfile::tempdir().unwrap();
    let files = dir.path();
    let shortage = files.join("yrkesbarometer.json");
    std::fs::write(
        &shortage,
        r#"[
 {"yb_yrke":"Undersköterskor, hemtjänst","yb_concept_id":"c1","ssyk":"5321","lan":"Stockholms län","omgang":"2026-2","jobbmojligheter":"stora","rekryteringssituation":"brist","prognos":"stora"},
 {"yb_yrke":"Undersköterskor, hemtjänst","yb_concept_id":"c1","ssyk":"5321","lan":"Riket","omgang":"2026-2","jobbmojligheter":"medelstora","rekryteringssituation":"balans"},
 {"yb_yrke":"Lagerarbetare","yb_concept_id":"c2","ssyk":"4321","lan":"01","omgang":"2026-2","jobbmojligheter":"små","rekryteringssituation":"överskott"}
]"#,
    )
    .unwrap();
    let bad_shortage = files.join("bad.json");
    std::fs::write(
        &bad_shortage,
        r#"[{"yb_yrke":"Ok","yb_concept_id":"c9","ssyk":"2341","lan":"Uppsala län","omgang":"2026-2","rekryteringssituation":"brist"},
            {"yb_yrke":"Fel","yb_concept_id":"c8","ssyk":"23","lan":"Uppsala län","omgang":"2026-2","rekryteringssituation":"brist"}]"#,
    )
    .unwrap();
    let ads = files.join("ads.json");
    std::fs::write(
        &ads,
        format!(
            r#"{{"total":{{"value":3}},"hits":[{},{},{}]}}"#,
            job_ad("a1", "556036-0793", 3, false),
            job_ad("a2", "556036-0793", 1, false),
            job_ad("a3", "556036-0794", 1, false),
        ),
    )
    .unwrap();
    let ads_later = files.join("ads-later.json");
    std::fs::write(
        &ads_later,
        format!(
            r#"{{"total":{{"value":2}},"hits":[{},{}]}}"#,
            job_ad("a1", "556036-0793", 5, false),
            job_ad("a2", "556036-0793", 1, true),
        ),
    )
    .unwrap();
    let path = |p: &std::path::Path| p.display().to_string();

    for db in databases(&dir).await {
        // Shortage: three rows in, then the same again changes nothing.
        let out = vagar(&db, &["import", "shortage", &path(&shortage)], None);
        assert!(out.status.success(), "{}", text(&out.stderr));
        let summary: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        assert_eq!(summary["inserted"], 3, "{summary}");
        let before = dump(&db).await;
        let out = vagar(&db, &["import", "shortage", &path(&shortage)], None);
        let summary: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        assert_eq!(
            (summary["inserted"].as_i64(), summary["unchanged"].as_i64()),
            (Some(0), Some(3))
        );
        assert_eq!(dump(&db).await, before);
        // The county's verdict wins over the country's.
        let store = Store::connect(&db).await.unwrap();
        assert!(store.is_shortage("5321", "01").await.unwrap());
        assert!(
            !store.is_shortage("5321", "03").await.unwrap(),
            "the country says balance"
        );
        assert!(!store.is_shortage("4321", "01").await.unwrap());
        store.close().await;

        // A bad row: reported with its number and reason, nothing written.
        let out = vagar(&db, &["import", "shortage", &path(&bad_shortage)], None);
        assert_eq!(out.status.code(), Some(1));
        let err = text(&out.stderr);
        assert!(
            err.contains("row 2 (id c8): ssyk must be a 4-digit"),
            "{err}"
        );
        assert!(err.contains("nothing was imported"), "{err}");
        assert_eq!(dump(&db).await, before);
        let out = vagar(
            &db,
            &["import", "shortage", &path(&files.join("missing.json"))],
            None,
        );
        assert_eq!(out.status.code(), Some(1));
        assert!(text(&out.stderr).contains("could not read"));

        // Job ads: the bad organisation number is reported, the rest imported.
        let out = vagar(&db, &["import", "job-ads", &path(&ads)], None);
        assert_eq!(out.status.code(), Some(2), "{}", text(&out.stderr));
        let err = text(&out.stderr);
        assert!(
            err.contains("row 3 (id a3): employer.organization_number"),
            "{err}"
        );
        let summary: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        assert_eq!(summary["needs_created"], 2, "{summary}");
        assert_eq!(summary["employers_created"], 1);
        assert_eq!(summary["workplaces_created"], 1);
        let after_first = dump(&db).await;
        // Run twice, same state.
        let out = vagar(&db, &["import", "job-ads", &path(&ads)], None);
        assert_eq!(out.status.code(), Some(2));
        let summary: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        assert_eq!(summary["needs_unchanged"], 2, "{summary}");
        assert_eq!(dump(&db).await, after_first);
        // A later answer: a1 has more vacancies, a2 was removed.
        let out = vagar(&db, &["import", "job-ads", &path(&ads_later)], None);
        assert!(out.status.success(), "{}", text(&out.stderr));
        let summary: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        assert_eq!(
            (
                summary["needs_updated"].as_i64(),
                summary["needs_closed"].as_i64()
            ),
            (Some(2), Some(1))
        );
        let store = Store::connect(&db).await.unwrap();
        let rows = sqlx::query(
            "SELECT job_ad_id, positions, status, ssyk_code, source FROM competence_needs ORDER BY job_ad_id",
        )
        .fetch_all(store.pool())
        .await
        .unwrap();
        let got: Vec<(String, i64, String, String, String)> = rows
            .iter()
            .map(|r| {
                (
                    r.get("job_ad_id"),
                    r.get("positions"),
                    r.get("status"),
                    r.get("ssyk_code"),
                    r.get("source"),
                )
            })
            .collect();
        assert_eq!(
            got,
            [
                (
                    "a1".into(),
                    5,
                    "open".into(),
                    "5321".into(),
                    "job_ad".into()
                ),
                (
                    "a2".into(),
                    1,
                    "closed".into(),
                    "5321".into(),
                    "job_ad".into()
                ),
            ]
        );
        let audited = scalar(
            &store,
            "SELECT COUNT(*) AS n FROM audit_events WHERE action IN ('import_shortage', 'import_job_ads')",
            &[],
        )
        .await;
        assert_eq!(audited, 5);
        store.close().await;
        // Not a JobSearch answer at all: exit 1, nothing written.
        let out = vagar(&db, &["import", "job-ads", &path(&shortage)], None);
        assert_eq!(out.status.code(), Some(1));
        assert!(text(&out.stderr).contains("expected a JobSearch answer"));
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn taxonomy_is_loaded_on_migrate_and_a_newer_export_replaces_it() {
    let dir = tempfile::tempdir().unwrap();
    let export = dir.path().join("export");
    std::fs::create_dir(&export).unwrap();
    let shipped = concat!(env!("CARGO_MANIFEST_DIR"), "/../../data/taxonomy");
    for f in vagar_domain::taxonomy::FILES {
        std::fs::copy(format!("{shipped}/{f}"), export.join(f)).unwrap();
    }
    let skills = std::fs::read_to_string(export.join("skills.json")).unwrap();
    std::fs::write(
        export.join("skills.json"),
        skills.replace("Kylteknik", "Kyl- och värmeteknik"),
    )
    .unwrap();
    for db in databases(&dir).await {
        let out = vagar(&db, &["migrate"], None);
        assert!(out.status.success(), "{}", text(&out.stderr));
        let out = vagar(&db, &["taxonomy", "info"], None);
        let info: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        assert_eq!(info["source"], "shipped");
        assert_eq!(info["occupation_names"], 2412);
        let out = vagar(
            &db,
            &["taxonomy", "load", &export.display().to_string()],
            None,
        );
        assert!(out.status.success(), "{}", text(&out.stderr));
        let newer: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        assert_ne!(newer["version"], info["version"]);
        assert_eq!(newer["source"], export.display().to_string());
        // Again: nothing changes; a start-up keeps the newer export.
        let out = vagar(
            &db,
            &["taxonomy", "load", &export.display().to_string()],
            None,
        );
        assert!(text(&out.stderr).contains("loaded already"));
        vagar(&db, &["migrate"], None);
        let out = vagar(&db, &["taxonomy", "info"], None);
        let kept: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        assert_eq!(kept["version"], newer["version"]);
        // A broken export changes nothing and says which file.
        std::fs::write(export.join("languages.json"), "{").unwrap();
        let out = vagar(
            &db,
            &["taxonomy", "load", &export.display().to_string()],
            None,
        );
        assert_eq!(out.status.code(), Some(1));
        assert!(
            text(&out.stderr).contains("languages.json"),
            "{}",
            text(&out.stderr)
        );
        std::fs::copy(
            format!("{shipped}/languages.json"),
            export.join("languages.json"),
        )
        .unwrap();
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn match_run_places_people_in_open_needs_and_records_the_run() {
    let dir = tempfile::tempdir().unwrap();
    let ads = dir.path().join("ads.json");
    let hits: Vec<String> = [("5321", 3), ("2343", 2), ("7111", 2)]
        .iter()
        .enumerate()
        .map(|(i, (ssyk, n))| {
            job_ad(&format!("m{i}"), "556036-0793", *n, false)
                .replace("\"5321\"", &format!("\"{ssyk}\""))
                .replace("\"must_have\":{\"skills\":[{\"concept_id\":\"s1\",\"label\":\"Demensvård\",\"weight\":10}]}", "\"must_have\":{\"skills\":[]}")
                .replace("\"driving_license\":[{\"label\":\"B\"}]", "\"driving_license\":[]")
        })
        .collect();
    std::fs::write(&ads, format!(r#"{{"hits":[{}]}}"#, hits.join(","))).unwrap();
    for db in databases(&dir).await {
        let out = vagar(
            &db,
            &["seed", "--size", "600", "--as-of", "2026-11-20"],
            None,
        );
        assert!(out.status.success(), "{}", text(&out.stderr));
        let out = vagar(
            &db,
            &["import", "job-ads", &ads.display().to_string()],
            None,
        );
        assert!(out.status.success(), "{}", text(&out.stderr));
        let out = vagar(&db, &["match", "run", "--ssyk", "53x"], None);
        assert_eq!(out.status.code(), Some(1));
        assert!(text(&out.stderr).contains("--ssyk"));
        let out = vagar(&db, &["match", "run"], None);
        assert!(out.status.success(), "{}", text(&out.stderr));
        let run: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        // The seeded needs and the three imported ones, while open with room.
        let store = Store::connect(&db).await.unwrap();
        let open = scalar(
            &store,
            "SELECT COUNT(*) AS n FROM competence_needs WHERE status = 'open' AND positions > filled",
            &[],
        )
        .await;
        let room = scalar(
            &store,
            "SELECT CAST(COALESCE(SUM(positions - filled), 0) AS BIGINT) AS n FROM competence_needs \
             WHERE status = 'open' AND positions > filled",
            &[],
        )
        .await;
        store.close().await;
        assert_eq!(run["needs"].as_i64(), Some(open), "{run}");
        let matched = run["matched"].as_i64().unwrap();
        assert!(matched >= 1 && matched <= room, "{run}");
        for key in ["gender", "birth_region", "disability"] {
            let placed: i64 = run["rates"][key]
                .as_array()
                .unwrap()
                .iter()
                .map(|r| r["placed"].as_i64().unwrap())
                .sum();
            assert_eq!(placed, matched, "{key}");
        }
        let store = Store::connect(&db).await.unwrap();
        let pairs = scalar(&store, "SELECT COUNT(*) AS n FROM match_run_pairs", &[]).await;
        assert_eq!(pairs, matched);
        // No need gets more people than it has positions.
        let over = scalar(
            &store,
            "SELECT COUNT(*) AS n FROM (SELECT p.need_id FROM match_run_pairs p JOIN competence_needs n \
             ON n.id = p.need_id GROUP BY p.need_id, n.positions HAVING COUNT(*) > n.positions) x",
            &[],
        )
        .await;
        assert_eq!(over, 0);
        let audited = scalar(
            &store,
            "SELECT COUNT(*) AS n FROM audit_events WHERE action = 'match.run'",
            &[],
        )
        .await;
        assert_eq!(audited, 1);
        store.close().await;
    }
}
