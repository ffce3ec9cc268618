//! `vagar`: the one binary. A thin shell over the library crates.

use anyhow::{bail, Context, Result};
use clap::{Parser, Subcommand};
use indicatif::{ProgressBar, ProgressStyle};
use std::io::Read;
use vagar_domain::{OrgKind, Role};
use vagar_store::taxonomy::LoadOutcome;
use vagar_store::Store;

const DEFAULT_DB: &str = "sqlite://vagar.db";
const DEMO_DB: &str = "sqlite://vagar-demo.db";

#[derive(Parser)]
#[command(
    name = "vagar",
    version,
    about = "Vägar – the municipality's labour-market service"
)]
struct Cli {
    /// Database URL: sqlite://FILE (default sqlite://vagar.db; vagar-demo.db for `demo`) or postgres://…
    #[arg(long, global = true, env = "VAGAR_DB")]
    db: Option<String>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Serve the web interface and the API.
    Serve {
        #[arg(long, default_value = "127.0.0.1:8080")]
        bind: String,
        /// Mark cookies Secure even without X-Forwarded-Proto: https.
        #[arg(long)]
        secure_cookies: bool,
    },
    /// Create and fill a demo database if missing, print the logins, serve.
    Demo {
        #[arg(long, default_value = "127.0.0.1:8080")]
        bind: String,
        /// Participants in a new demo database.
        #[arg(long, default_value_t = 20_000)]
        size: u64,
    },
    /// Apply database migrations.
    Migrate,
    /// Fill the database with a synthetic city (deterministic for a seed).
    Seed {
        #[arg(long, default_value_t = 10_000)]
        size: u64,
        #[arg(long, default_value_t = 1)]
        seed: u64,
        /// The date the consents, plans and contacts are generated up to
        /// (YYYY-MM-DD; default today in Sweden). Same --seed and --as-of,
        /// same data.
        #[arg(long)]
        as_of: Option<String>,
    },
    /// Manage users.
    User {
        #[command(subcommand)]
        command: UserCommand,
    },
    /// Manage API tokens.
    Token {
        #[command(subcommand)]
        command: TokenCommand,
    },
    /// Check the audit trail.
    Audit {
        #[command(subcommand)]
        command: AuditCommand,
    },
    /// Matching: the exact batch-assignment solver.
    Match {
        #[command(subcommand)]
        command: MatchCommand,
    },
    /// Import open data: shortage occupations (Yrkesbarometer), job ads (JobSearch).
    Import {
        #[command(subcommand)]
        command: ImportCommand,
    },
    /// Classification data (SSYK, skills, languages, SUN, SNI, municipalities).
    Taxonomy {
        #[command(subcommand)]
        command: TaxonomyCommand,
    },
    /// Alerts over the whole municipality (daily jobs).
    Alerts {
        #[command(subcommand)]
        command: AlertsCommand,
    },
}

#[derive(Subcommand)]
enum ImportCommand {
    /// Arbetsförmedlingen's Yrkesbarometer (one JSON array of rows). All or
    /// nothing: any unusable row is reported and nothing is written (exit 1).
    Shortage { file: std::path::PathBuf },
    /// A JobTech JobSearch answer ({"total":…,"hits":[…]}): creates or
    /// updates employers and competence needs by ad id. Unusable ads are
    /// reported (row, ad id, reason) and skipped; the rest are imported and
    /// the exit code is 2.
    JobAds { file: std::path::PathBuf },
}

#[derive(Subcommand)]
enum TaxonomyCommand {
    /// Print the stored taxonomy's version, source and size as JSON.
    Info,
    /// Replace the stored taxonomy with a newer JobTech export: DIR holds the
    /// files of `data/taxonomy` in the same layout. Nothing changes if any
    /// file is missing or invalid, or if it is the stored version already.
    Load { dir: std::path::PathBuf },
}

#[derive(Subcommand)]
enum AlertsCommand {
    /// The daily "nobody between chairs" job: counts per reason and per
    /// district (no identities), recorded in between_chairs_runs; prints JSON.
    BetweenChairs {
        /// N of "no contact in the last N days" (1–730).
        #[arg(long, default_value_t = vagar_domain::between_chairs::DEFAULT_DAYS)]
        days: u32,
    },
}

#[derive(Subcommand)]
enum UserCommand {
    /// Add a user; the password is read from standard input.
    Add {
        #[arg(long)]
        username: String,
        /// caseworker, partner, employer_coordinator, analyst, admin or employer
        #[arg(long)]
        role: String,
        /// Organisation name; created if it does not exist.
        #[arg(long)]
        org: String,
        /// Kind of a new organisation (municipal_unit, arbetsformedlingen, …).
        #[arg(long, default_value = "municipal_unit")]
        org_kind: String,
        /// Display name; defaults to the username.
        #[arg(long)]
        name: Option<String>,
    },
}

#[derive(Subcommand)]
enum TokenCommand {
    /// Create a bearer token for a user; printed alone on the last line.
    Create {
        #[arg(long)]
        user: String,
        #[arg(long, default_value = "cli")]
        name: String,
    },
}

#[derive(Subcommand)]
enum AuditCommand {
    /// Recompute the hash chain and report the first broken event.
    Verify,
}

#[derive(Subcommand)]
enum MatchCommand {
    /// Propose the batch assignment of participants to open competence
    /// needs (most people placed, then least cost), store it as a run and
    /// print it as JSON with placement rates by gender, birth region and
    /// disability. Confirming pairs is done in the web interface.
    Run {
        /// Only participants in this district (stadsdelsområde).
        #[arg(long)]
        district: Option<String>,
        /// Only needs whose SSYK code starts with this (e.g. 53 for care).
        #[arg(long)]
        ssyk: Option<String>,
        /// Scoring weights as JSON (a file); see README "Matching".
        #[arg(long)]
        weights: Option<std::path::PathBuf>,
    },
    /// Solve an instance file; prints {"matched": M, "cost": C, "seconds": S}.
    Solve {
        #[arg(long)]
        instance: std::path::PathBuf,
    },
}

fn main() {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("VAGAR_LOG")
                .unwrap_or_else(|_| "info,sqlx=warn".into()),
        )
        .with_writer(std::io::stderr)
        .init();
    let cli = Cli::parse();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build();
    let result = runtime
        .map_err(anyhow::Error::from)
        .and_then(|rt| rt.block_on(run(cli)));
    if let Err(e) = result {
        eprintln!("error: {e:#}");
        std::process::exit(1);
    }
}

async fn open(url: &str) -> Result<Store> {
    let store = Store::connect(url)
        .await
        .with_context(|| "could not open the database".to_string())?;
    store
        .migrate()
        .await
        .context("could not migrate the database")?;
    store
        .ensure_taxonomy(chrono::Utc::now())
        .await
        .context("could not load the classification data")?;
    Ok(store)
}

async fn run(cli: Cli) -> Result<()> {
    let db = cli.db.clone();
    let url = |default: &str| db.clone().unwrap_or_else(|| default.to_string());
    match cli.command {
        Command::Serve {
            bind,
            secure_cookies,
        } => {
            let store = open(&url(DEFAULT_DB)).await?;
            let mut state = vagar_web::AppState::new(store);
            state.force_secure_cookies = secure_cookies;
            state.matching = vagar_web::matching::MatchingCache::from_env()?;
            vagar_web::serve(state, &bind).await
        }
        Command::Demo { bind, size } => {
            let store = open(&url(DEMO_DB)).await?;
            if store.count_participants().await? == 0 {
                seed(&store, size, 1, swedish_today()).await?;
            }
            print_logins(&store, true).await?;
            println!("\nVägar demo: http://{bind}/  (Ctrl-C stops)");
            let mut state = vagar_web::AppState::new(store);
            state.matching = vagar_web::matching::MatchingCache::from_env()?;
            vagar_web::serve(state, &bind).await
        }
        Command::Import { command } => {
            let store = open(&url(DEFAULT_DB)).await?;
            import(&store, command).await
        }
        Command::Taxonomy { command } => {
            let store = open(&url(DEFAULT_DB)).await?;
            if let TaxonomyCommand::Load { dir } = command {
                let t =
                    vagar_domain::taxonomy::parse(|f| std::fs::read_to_string(dir.join(f)).ok())
                        .map_err(|e| anyhow::anyhow!("{}: {e}", dir.display()))?;
                let source = dir.display().to_string();
                match store.load_taxonomy(&t, &source, chrono::Utc::now()).await? {
                    LoadOutcome::Loaded { version, rows } => {
                        eprintln!("loaded taxonomy {version}: {rows} rows")
                    }
                    LoadOutcome::AlreadyLoaded { version } => {
                        eprintln!("taxonomy {version} is loaded already; nothing changed")
                    }
                }
            }
            let info = store
                .taxonomy_info()
                .await?
                .context("no taxonomy is loaded")?;
            println!("{}", serde_json::to_string(&info)?);
            Ok(())
        }
        Command::Migrate => {
            open(&url(DEFAULT_DB)).await?;
            println!("migrations applied");
            Ok(())
        }
        Command::Seed {
            size,
            seed: s,
            as_of,
        } => {
            if size > 5_000_000 {
                bail!("--size may be at most 5000000");
            }
            let as_of = match as_of {
                None => swedish_today(),
                Some(d) => chrono::NaiveDate::parse_from_str(&d, "%Y-%m-%d")
                    .with_context(|| format!("--as-of {d}: expected YYYY-MM-DD"))?,
            };
            let store = open(&url(DEFAULT_DB)).await?;
            seed(&store, size, s, as_of).await?;
            print_logins(&store, false).await
        }
        Command::User {
            command:
                UserCommand::Add {
                    username,
                    role,
                    org,
                    org_kind,
                    name,
                },
        } => {
            let role = Role::parse(&role).with_context(|| {
                format!(
                    "unknown role; use one of: {}",
                    Role::ALL
                        .iter()
                        .map(|r| r.as_str())
                        .collect::<Vec<_>>()
                        .join(", ")
                )
            })?;
            let kind = OrgKind::parse(&org_kind).with_context(|| {
                format!(
                    "unknown organisation kind; use one of: {}",
                    OrgKind::ALL
                        .iter()
                        .map(|k| k.as_str())
                        .collect::<Vec<_>>()
                        .join(", ")
                )
            })?;
            let mut password = String::new();
            std::io::stdin()
                .read_to_string(&mut password)
                .context("could not read the password")?;
            let password = password.trim_end_matches(['\n', '\r']);
            let store = open(&url(DEFAULT_DB)).await?;
            let org = store.ensure_organisation(&org, kind).await?;
            let user = store
                .create_user(
                    &username,
                    name.as_deref().unwrap_or(&username),
                    password,
                    role,
                    org.id,
                )
                .await?;
            println!(
                "created user {} ({}) in {}",
                user.username,
                user.role.as_str(),
                org.name
            );
            Ok(())
        }
        Command::Token {
            command: TokenCommand::Create { user, name },
        } => {
            let store = open(&url(DEFAULT_DB)).await?;
            let token = store
                .create_token(&user, &name)
                .await
                .map_err(|e| match e {
                    vagar_store::StoreError::NotFound => {
                        anyhow::anyhow!("no active user named {user}")
                    }
                    other => other.into(),
                })?;
            println!("token for {user} (shown once):");
            println!("{token}");
            Ok(())
        }
        Command::Audit {
            command: AuditCommand::Verify,
        } => {
            let store = open(&url(DEFAULT_DB)).await?;
            let report = store.verify_audit_chain().await?;
            match report.first_broken_seq {
                None => {
                    println!("audit chain intact: {} events", report.events);
                    Ok(())
                }
                Some(seq) => bail!(
                    "audit chain broken at event {seq} ({} events verified before it)",
                    report.events
                ),
            }
        }
        Command::Alerts {
            command: AlertsCommand::BetweenChairs { days },
        } => {
            if !(1..=vagar_domain::between_chairs::MAX_DAYS).contains(&days) {
                bail!(
                    "--days must be from 1 to {}",
                    vagar_domain::between_chairs::MAX_DAYS
                );
            }
            let store = open(&url(DEFAULT_DB)).await?;
            let run = store.run_between_chairs(chrono::Utc::now(), days).await?;
            println!("{}", serde_json::to_string(&run)?);
            Ok(())
        }
        Command::Match {
            command:
                MatchCommand::Run {
                    district,
                    ssyk,
                    weights,
                },
        } => {
            let store = open(&url(DEFAULT_DB)).await?;
            match_run(&store, district, ssyk, weights).await
        }
        Command::Match {
            command: MatchCommand::Solve { instance },
        } => {
            let line = vagar_matching::solve_file_json(&instance)
                .map_err(|e| anyhow::anyhow!("{}: {e}", instance.display()))?;
            println!("{line}");
            Ok(())
        }
    }
}

async fn match_run(
    store: &Store,
    district: Option<String>,
    ssyk: Option<String>,
    weights: Option<std::path::PathBuf>,
) -> Result<()> {
    use std::collections::HashSet;
    use vagar_matching::batch::{placement_rates, propose};
    let weights = match weights {
        None => vagar_domain::scoring::Weights::default(),
        Some(path) => {
            let text = std::fs::read_to_string(&path)
                .with_context(|| format!("could not read {}", path.display()))?;
            vagar_domain::scoring::Weights::from_json(&text)
                .map_err(|e| anyhow::anyhow!("{}: {e}", path.display()))?
        }
    };
    if let Some(s) = &ssyk {
        if s.is_empty() || s.len() > 4 || !s.bytes().all(|b| b.is_ascii_digit()) {
            bail!("--ssyk: 1 to 4 digits of an SSYK 2012 code");
        }
    }
    let candidates = store.load_match_candidates(swedish_today()).await?;
    let needs = store.load_match_needs().await?;
    let people: Vec<i64> = candidates
        .iter()
        .filter(|c| {
            district
                .as_ref()
                .is_none_or(|d| c.district.as_ref() == Some(d))
        })
        .map(|c| c.participant_id)
        .collect();
    let chosen_needs: Vec<i64> = needs
        .iter()
        .filter(|n| {
            ssyk.as_ref()
                .is_none_or(|s| n.ssyk_code.starts_with(s.as_str()))
        })
        .map(|n| n.need_id)
        .collect();
    let index = vagar_matching::suggest::Index::new(
        candidates,
        needs,
        store.load_substitutions().await?,
        weights,
    );
    let started = std::time::Instant::now();
    let proposal = propose(&index, &people, &chosen_needs);
    let seconds = started.elapsed();
    let placed: HashSet<i64> = proposal.pairs.iter().map(|p| p.participant_id).collect();
    let demo = store.demographics(&people).await?;
    let rates = serde_json::json!({
        "gender": placement_rates(demo.iter().map(|d| (d.participant_id, d.gender.as_str())), &placed),
        "birth_region": placement_rates(demo.iter().map(|d| (d.participant_id, d.birth_region.as_str())), &placed),
        "disability": placement_rates(demo.iter().map(|d| (d.participant_id, d.disability.as_str())), &placed),
    });
    let selection = serde_json::json!({ "district": district, "ssyk": ssyk }).to_string();
    let run_id = store
        .record_match_run(
            None,
            &vagar_store::matching::RunRecord {
                selection,
                participants: proposal.participants as i64,
                needs: proposal.needs as i64,
                edges: proposal.edges as i64,
                matched: proposal.matched as i64,
                cost: proposal.cost,
                seconds_solving_micros: seconds.as_micros() as i64,
                pairs: proposal
                    .pairs
                    .iter()
                    .map(|p| {
                        Ok((
                            p.participant_id,
                            p.need_id,
                            p.cost,
                            serde_json::to_string(&p.scored.factors)?,
                        ))
                    })
                    .collect::<Result<_>>()?,
            },
        )
        .await?;
    println!(
        "{}",
        serde_json::json!({
            "run_id": run_id,
            "participants": proposal.participants,
            "needs": proposal.needs,
            "edges": proposal.edges,
            "matched": proposal.matched,
            "cost": proposal.cost,
            "seconds": seconds.as_secs_f64(),
            "without_any_pair": proposal.without_any_pair,
            "rates": rates,
        })
    );
    Ok(())
}

fn swedish_today() -> chrono::NaiveDate {
    vagar_domain::time::swedish_date(chrono::Utc::now())
}

/// The collaboration data of freshly seeded participants `(index, id,
/// registered_on)`, with organisations resolved to ids.
fn collaboration_rows(
    seed: u64,
    people: &[(u64, i64, chrono::NaiveDate)],
    as_of: chrono::NaiveDate,
    orgs: &std::collections::HashMap<&'static str, i64>,
) -> vagar_store::seed_data::CollabRows {
    use vagar_store::seed_data::{ConsentRow, ContactRow, PlanRow, StepRow};
    let org = |p: vagar_seed::Party| orgs.get(p.organisation_name()).copied().unwrap_or_default();
    let mut out = vagar_store::seed_data::CollabRows::default();
    for &(index, id, registered_on) in people {
        let c = vagar_seed::collaboration(seed, index, registered_on, as_of);
        for k in c.consents {
            out.consents.push(ConsentRow {
                participant_id: id,
                organisation_ids: k.parties.iter().map(|p| org(*p)).collect(),
                categories: k.categories.iter().map(|c| c.to_string()).collect(),
                valid_from: k.valid_from,
                valid_to: k.valid_to,
                method: k.method.into(),
                revoked_on: k.revoked_on,
            });
        }
        if let Some(p) = c.plan {
            out.plans.push(PlanRow {
                participant_id: id,
                goal_kind: p.goal_kind.into(),
                ssyk_code: p.ssyk_code.map(Into::into),
                goal_title: p.goal_title.into(),
                created_on: p.created_on,
                steps: c
                    .steps
                    .iter()
                    .map(|s| StepRow {
                        organisation_id: org(s.owner),
                        activity_type: s.activity_type.into(),
                        activity_text: s.activity_text.map(Into::into),
                        start_date: s.start_date,
                        due_date: s.due_date,
                        status: s.status.into(),
                    })
                    .collect(),
            });
        }
        for k in c.contacts {
            out.contacts.push(ContactRow {
                participant_id: id,
                date: k.date,
                organisation_id: org(k.party),
                kind: k.kind.into(),
            });
        }
    }
    out
}

/// The steering groups of the synthetic city, with cases for a small share
/// of the participants whose consent names the group's agency. A group that
/// exists already is left as it is.
async fn seed_steering(
    store: &Store,
    seed: u64,
    as_of: chrono::NaiveDate,
    orgs: &std::collections::HashMap<&'static str, i64>,
    recorder: i64,
    home_id: i64,
) -> Result<vagar_store::seed_steering::SteeringCounts> {
    use vagar_store::seed_steering::{SteeringCaseRow, SteeringDecisionRow, SteeringGroupRow};
    let org = |p: vagar_seed::Party| orgs.get(p.organisation_name()).copied().unwrap_or_default();
    let mut rows = vec![];
    for (g, group) in vagar_seed::steering_groups(as_of).into_iter().enumerate() {
        if store.seed_steering_group_exists(group.name).await? {
            continue;
        }
        let candidates = store
            .seed_steering_candidates(org(group.consent_party), as_of, 1200)
            .await?;
        let cases = vagar_seed::steering_cases(seed, g, &group.meetings, as_of, candidates.len());
        rows.push(SteeringGroupRow {
            name: group.name.into(),
            organisation_ids: group.members.iter().map(|p| org(*p)).collect(),
            meetings: group.meetings.clone(),
            cases: cases
                .into_iter()
                .map(|c| SteeringCaseRow {
                    participant_id: candidates[c.candidate],
                    meeting: c.meeting,
                    question: c.question.into(),
                    decision: c.decision.map(|d| SteeringDecisionRow {
                        text: d.text.into(),
                        // Only member organisations; the home unit otherwise.
                        organisation_ids: {
                            let mut ids: Vec<i64> = d
                                .affected
                                .iter()
                                .filter(|p| group.members.contains(p))
                                .map(|p| org(*p))
                                .collect();
                            if ids.is_empty() {
                                ids.push(home_id);
                            }
                            ids
                        },
                        status: d.status.into(),
                        follow_up_date: d.follow_up,
                        concerns_step: d.concerns_step,
                    }),
                })
                .collect(),
        });
    }
    Ok(store.seed_steering(&rows, recorder, home_id).await?)
}

/// The employer register: about 3 % of `size` employers (300 for 10 000),
/// those already registered left alone. The coordinator demo user is named
/// as their author.
async fn seed_employers(
    store: &Store,
    size: u64,
    seed: u64,
    as_of: chrono::NaiveDate,
) -> Result<vagar_store::seed_employers::EmployerSeedCounts> {
    let recorder = vagar_seed::demo_users()
        .into_iter()
        .find(|u| u.role == vagar_domain::Role::EmployerCoordinator)
        .map(|u| u.username);
    let recorder = match recorder {
        Some(name) => store.user_by_name(name).await?.map(|u| u.id),
        None => None,
    };
    let count = vagar_seed::employer_count(size);
    let records = tokio::task::spawn_blocking(move || {
        (0..count)
            .map(|i| vagar_seed::employer(seed, i, as_of))
            .collect::<Vec<_>>()
    })
    .await?;
    Ok(store
        .seed_employers(&records, recorder, chrono::Utc::now())
        .await?)
}

/// Organisations, demo users and `size` participants of the synthetic city,
/// with their consents, action plans, steps and contacts up to `as_of`.
async fn seed(store: &Store, size: u64, seed: u64, as_of: chrono::NaiveDate) -> Result<()> {
    let mut orgs = std::collections::HashMap::new();
    for (name, kind) in vagar_seed::organisations() {
        orgs.insert(name, store.ensure_organisation(name, kind).await?.id);
    }
    for u in vagar_seed::demo_users() {
        if store.user_by_name(u.username).await?.is_none() {
            let org = *orgs
                .get(u.organisation)
                .context("demo user's organisation")?;
            store
                .create_user(u.username, u.display_name, u.password, u.role, org)
                .await?;
        }
    }
    let home = vagar_seed::organisations()[0].0;
    let home_id = orgs[home];
    let caseworkers: Vec<i64> = store
        .list_caseworkers(home_id)
        .await?
        .iter()
        .map(|u| u.id)
        .collect();
    // A fixed reference date, not today: the same --seed gives the same
    // people (identity numbers are derived from it) on any day.
    let today = chrono::NaiveDate::from_ymd_opt(2026, 11, 1).context("reference date")?;
    let bar = ProgressBar::new(size);
    bar.set_style(
        ProgressStyle::with_template(
            "{msg} [{elapsed_precise}] {wide_bar} {human_pos}/{human_len} ({per_sec}, {eta})",
        )
        .unwrap_or_else(|_| ProgressStyle::default_bar()),
    );
    bar.set_message("participants, consents, plans, contacts");
    let recorder = *caseworkers.first().context("a demo caseworker")?;
    let mut collab = vagar_store::seed_data::CollabCounts::default();
    let now = chrono::Utc::now();
    let chunk = 10_000u64;
    let mut inserted = 0;
    let mut start = 0;
    while start < size {
        let end = (start + chunk).min(size);
        // Generating is CPU work; do it off the async threads.
        let cws = caseworkers.clone();
        let rows = tokio::task::spawn_blocking(move || {
            (start..end)
                .map(|i| {
                    let mut p = vagar_seed::participant(seed, i, today);
                    // One in ten has no responsible caseworker: the "between
                    // chairs" cases the collaboration model must surface.
                    if !cws.is_empty() && i % 10 != 9 {
                        p.responsible_caseworker_id = Some(cws[(i as usize) % cws.len()]);
                    }
                    (p, home_id)
                })
                .collect::<Vec<_>>()
        })
        .await?;
        inserted += store.seed_participants(&rows, now).await?;
        // Consents, plans and contacts for the participants just inserted
        // (those seeded before already have theirs).
        let numbers: Vec<String> = rows
            .iter()
            .map(|(p, _)| p.identity_number.as_str().to_string())
            .collect();
        let fresh = store.seed_fresh_participants(&numbers).await?;
        let people: Vec<(u64, i64, chrono::NaiveDate)> = rows
            .iter()
            .enumerate()
            .filter_map(|(k, (p, _))| {
                fresh
                    .get(p.identity_number.as_str())
                    .map(|id| (start + k as u64, *id, p.registered_on))
            })
            .collect();
        let org_ids = orgs.clone();
        let data =
            tokio::task::spawn_blocking(move || collaboration_rows(seed, &people, as_of, &org_ids))
                .await?;
        collab += store.seed_collaboration(&data, recorder, home_id).await?;
        bar.inc(end - start);
        start = end;
    }
    bar.finish();
    let steering = seed_steering(store, seed, as_of, &orgs, recorder, home_id).await?;
    // A demo shortage round, so needs and profiles in short occupations show it.
    let groups = vagar_domain::taxonomy::shipped()
        .map(|t| t.groups)
        .unwrap_or_default();
    store
        .import_shortage(
            &vagar_seed::shortage::demo_round(&groups),
            "demo",
            chrono::Utc::now(),
            |_| {},
        )
        .await?;
    let employers = seed_employers(store, size, seed, as_of).await?;
    let profiles = seed_competence(store, size, seed, today, recorder).await?;
    eprintln!("seeded {profiles} competence profiles");
    store
        .audit_system(
            "participant.seed",
            &format!("synthetic participants inserted: {inserted}, seed {seed}"),
        )
        .await?;
    store
        .audit_system(
            "collaboration.seed",
            &format!(
                "synthetic consents {}, plans {}, steps {}, contacts {} as of {as_of}, seed {seed}",
                collab.consents, collab.plans, collab.steps, collab.contacts
            ),
        )
        .await?;
    store
        .audit_system(
            "steering.seed",
            &format!(
                "synthetic steering groups {}, meetings {}, cases {}, decisions {} as of {as_of}, seed {seed}",
                steering.groups, steering.meetings, steering.cases, steering.decisions
            ),
        )
        .await?;
    // Competence needs at the employers' workplaces (after the employers).
    if !store.demo_needs_seeded().await? {
        let employers = store.employers_with_workplace().await?.len();
        let taxonomy = vagar_domain::taxonomy::shipped().map_err(|e| anyhow::anyhow!("{e}"))?;
        let count = (size / 20).clamp(50, 50_000) as usize;
        let rows: Vec<vagar_store::seed_needs::NeedRow> =
            vagar_seed::needs::needs(seed, count, employers, as_of, &taxonomy)
                .into_iter()
                .map(|n| vagar_store::seed_needs::NeedRow {
                    employer_index: n.employer_index,
                    title: n.title,
                    ssyk_code: n.ssyk_code,
                    occupation_id: n.occupation_id,
                    occupation_label: n.occupation_label,
                    positions: n.positions,
                    swedish_level: n.swedish_level.map(str::to_string),
                    driving_licences: n.driving_licences.into(),
                    education_level: n.education_level.map(str::to_string),
                    start_date: n.start_date,
                    duration_months: n.duration_months,
                    part_time: n.part_time,
                    forms: n.forms.into(),
                    skills: n.skills,
                    status: n.status.into(),
                })
                .collect();
        let n = store.seed_needs(&rows, chrono::Utc::now()).await?;
        if n > 0 {
            store
                .audit_system(
                    "need.seed",
                    &format!("synthetic competence needs: {n}, seed {seed}"),
                )
                .await?;
            eprintln!("seeded {n} competence needs");
        }
    }
    store
        .audit_system(
            "employer.seed",
            &format!(
                "synthetic employers {}, workplaces {}, contacts {}, interactions {}, partnerships {}, outcomes {}, procurement contracts {}, fulfilment months {} as of {as_of}, seed {seed}",
                employers.employers, employers.workplaces, employers.contacts, employers.interactions,
                employers.partnerships, employers.outcomes, employers.contracts, employers.fulfilment_months
            ),
        )
        .await?;
    // Interventions and placements (issue 6): a year of programme history.
    let work = store
        .seed_interventions(recorder, home_id, |candidates, hosts| {
            let count = (size / 40).clamp(40, 400) as usize;
            vagar_seed::work::interventions::generate(seed, count, candidates, hosts, as_of)
        })
        .await?;
    eprintln!(
        "seeded {} interventions, {} placements ({} blocked), {} staff reductions",
        work.interventions, work.placements, work.blocked, work.reductions
    );
    store
        .seed_learning(
            &vagar_seed::work::learning::INTERVENTIONS.map(|i| (i.0, i.1)),
            &vagar_seed::work::learning::learning_employments(seed, as_of),
            as_of,
        )
        .await?;
    // The rental model (issue 6): a year of one municipal company's rental.
    seed_rental(store, seed, as_of, home_id).await?;
    eprintln!(
        "{}",
        store
            .seed_staffing(
                |n| vagar_seed::work::staffing::staffing_plan(
                    seed,
                    today - chrono::Duration::days(365),
                    n
                ),
                chrono::Utc::now()
            )
            .await?
    );
    eprintln!(
        "seeded {} employers ({} workplaces, {} contacts, {} partnerships, {} procurement contracts)",
        employers.employers, employers.workplaces, employers.contacts, employers.partnerships, employers.contracts
    );
    eprintln!(
        "seeded {} steering groups, {} meetings, {} cases, {} decisions",
        steering.groups, steering.meetings, steering.cases, steering.decisions
    );
    eprintln!(
        "seeded {inserted} new participants (size {size}, seed {seed}); {} consents, {} plans, {} steps, {} contacts as of {as_of}",
        collab.consents, collab.plans, collab.steps, collab.contacts
    );
    Ok(())
}

fn progress_bar(len: u64, what: &str) -> ProgressBar {
    // indicatif draws nothing when standard error is not a terminal.
    let bar = ProgressBar::new(len);
    bar.set_style(
        ProgressStyle::with_template(
            "{msg} [{elapsed_precise}] {wide_bar} {human_pos}/{human_len}",
        )
        .unwrap_or_else(|_| ProgressStyle::default_bar()),
    );
    bar.set_message(what.to_string());
    bar
}

fn report_problems(problems: &[vagar_domain::imports::RowProblem]) {
    for p in problems {
        match (&p.id, p.row) {
            (Some(id), 0) => eprintln!("{id}: {}", p.reason),
            (Some(id), row) => eprintln!("row {row} (id {id}): {}", p.reason),
            (None, row) => eprintln!("row {row}: {}", p.reason),
        }
    }
}

async fn import(store: &Store, command: ImportCommand) -> Result<()> {
    use vagar_domain::imports;
    let (ImportCommand::Shortage { file } | ImportCommand::JobAds { file }) = &command;
    let json = std::fs::read_to_string(file)
        .with_context(|| format!("could not read {}", file.display()))?;
    let source = file
        .file_name()
        .map(|n| n.to_string_lossy().to_string())
        .unwrap_or_default();
    match command {
        ImportCommand::Shortage { .. } => {
            let (rows, problems) = imports::parse_shortage(&json)
                .map_err(|e| anyhow::anyhow!("{}: {e}", file.display()))?;
            if !problems.is_empty() {
                report_problems(&problems);
                bail!(
                    "{}: {} of the rows cannot be used; nothing was imported",
                    file.display(),
                    problems.len()
                );
            }
            let bar = progress_bar(rows.len() as u64, "shortage occupations");
            let out = store
                .import_shortage(&rows, &source, chrono::Utc::now(), |n| bar.set_position(n))
                .await?;
            bar.finish_and_clear();
            println!("{}", serde_json::to_string(&out)?);
            Ok(())
        }
        ImportCommand::JobAds { .. } => {
            let groups: std::collections::HashMap<String, String> =
                vagar_domain::taxonomy::shipped()
                    .map(|t| {
                        t.groups
                            .into_iter()
                            .filter(|g| g.level == 4)
                            .map(|g| (g.concept_id, g.code))
                            .collect()
                    })
                    .unwrap_or_default();
            let (ads, problems) = imports::parse_job_ads(&json, |c| groups.get(c).cloned())
                .map_err(|e| anyhow::anyhow!("{}: {e}", file.display()))?;
            let bar = progress_bar(ads.len() as u64, "job ads");
            let out = store
                .import_job_ads(&ads, &source, chrono::Utc::now(), |n| bar.set_position(n))
                .await?;
            bar.finish_and_clear();
            println!("{}", serde_json::to_string(&out)?);
            if !problems.is_empty() {
                report_problems(&problems);
                eprintln!(
                    "{} of {} ads could not be used (listed above); the others were imported",
                    problems.len(),
                    problems.len() + ads.len()
                );
                std::process::exit(2);
            }
            Ok(())
        }
    }
}

/// Competence profiles for the seeded participants that have none yet
/// (regenerated from the same pure function, so a second run adds none).
async fn seed_competence(
    store: &Store,
    size: u64,
    seed: u64,
    today: chrono::NaiveDate,
    recorder: i64,
) -> Result<u64> {
    let taxonomy = std::sync::Arc::new(
        vagar_domain::taxonomy::shipped().map_err(|e| anyhow::anyhow!("taxonomy: {e}"))?,
    );
    let mut total = 0;
    let mut start = 0;
    while start < size {
        let end = (start + 10_000).min(size);
        let rows = tokio::task::spawn_blocking(move || {
            (start..end)
                .map(|i| (i, vagar_seed::participant(seed, i, today)))
                .collect::<Vec<_>>()
        })
        .await?;
        let numbers: Vec<String> = rows
            .iter()
            .map(|(_, p)| p.identity_number.as_str().to_string())
            .collect();
        let fresh = store.seed_competence_candidates(&numbers).await?;
        let t = taxonomy.clone();
        let profiles = tokio::task::spawn_blocking(move || {
            rows.iter()
                .filter_map(|(i, p)| {
                    let id = *fresh.get(p.identity_number.as_str())?;
                    vagar_seed::competence_profile(seed, *i, p, &t, today)
                        .map(|(code, d)| (id, code, d))
                })
                .collect::<Vec<_>>()
        })
        .await?;
        if !profiles.is_empty() {
            total += store
                .seed_competence(&profiles, recorder, chrono::Utc::now())
                .await?;
        }
        start = end;
    }
    Ok(total)
}

async fn print_logins(store: &Store, reset: bool) -> Result<()> {
    println!("\nDemo logins (username / password):");
    for u in vagar_seed::demo_users() {
        if reset {
            // The demo promises these logins work, whatever happened before.
            store.set_password(u.username, u.password).await?;
        }
        println!(
            "  {:<14} {:<26} {}",
            u.username,
            u.password,
            u.role.label_sv()
        );
    }
    Ok(())
}

/// The rental model's demo (issue 6): one intervention run by a municipal
/// company, 16 of the home unit's participants employed and rented to
/// public and private hosts for a year, with their weeks, invoices, costs
/// and subsidies. Left alone when it exists.
async fn seed_rental(
    store: &Store,
    seed: u64,
    as_of: chrono::NaiveDate,
    home_id: i64,
) -> Result<()> {
    use vagar_store::work::rental::{
        RentalSeed, RentalSeedContract, RentalSeedHost, RentalSeedWeek,
    };
    let plan_name = vagar_seed::work::rental::INTERVENTION_NAME;
    if store.rental_seeded(plan_name).await? {
        return Ok(());
    }
    let people = store.rental_seed_participants(home_id, 16).await?;
    let plan = vagar_seed::work::rental::rental_plan(seed, as_of, people.len());
    let recorder = match vagar_seed::demo_users()
        .into_iter()
        .find(|u| u.role == vagar_domain::Role::EmployerCoordinator)
    {
        Some(u) => store.user_by_name(u.username).await?.map(|u| u.id),
        None => None,
    };
    let rows = RentalSeed {
        name: plan.name.into(),
        period_from: plan.period_from,
        period_to: plan.period_to,
        hosts: plan
            .hosts
            .iter()
            .map(|h| RentalSeedHost {
                organisation_number: h.organisation_number.clone(),
                name: h.name.clone(),
                link_organisation: h.demo_employer_org.map(str::to_string),
            })
            .collect(),
        contracts: plan
            .contracts
            .iter()
            .map(|c| RentalSeedContract {
                participant_id: people[c.participant],
                from: c.from,
                to: c.to,
                hours_per_week_minutes: c.hours_per_week_minutes,
                hourly_wage_ore: c.hourly_wage_ore,
                employer_fee_permille: c.employer_fee_permille,
                host: c.host,
                role_title: c.role_title.into(),
                occupation_ssyk: c.occupation_ssyk.into(),
                hourly_rate_ore: c.hourly_rate_ore,
                supervisor: c.supervisor.into(),
            })
            .collect(),
        weeks: plan
            .weeks
            .iter()
            .map(|w| RentalSeedWeek {
                contract: w.contract,
                monday: w.monday,
                minutes: w.minutes,
                status: w.status.into(),
                reason: w.reason.map(str::to_string),
            })
            .collect(),
        ledger: plan
            .ledger
            .iter()
            .map(|l| (l.month.clone(), l.kind.into(), l.amount_ore, l.note.into()))
            .collect(),
    };
    let n = store
        .seed_rental(&rows, recorder, as_of, chrono::Utc::now())
        .await?;
    eprintln!(
        "seeded the rental model: {} contracts, {} weeks, {} invoices, {} ledger entries",
        n.contracts, n.weeks, n.invoices, n.ledger
    );
    Ok(())
}
