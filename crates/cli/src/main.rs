//! `vagar`: the one binary. A thin shell over the library crates.

mod demo;
mod imports;
mod matching;

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
pub(crate) enum ImportCommand {
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
                demo::seed(&store, size, 1, swedish_today()).await?;
            }
            demo::print_logins(&store, true).await?;
            println!("\nVägar demo: http://{bind}/  (Ctrl-C stops)");
            let mut state = vagar_web::AppState::new(store);
            state.matching = vagar_web::matching::MatchingCache::from_env()?;
            vagar_web::serve(state, &bind).await
        }
        Command::Import { command } => {
            let store = open(&url(DEFAULT_DB)).await?;
            imports::import(&store, command).await
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
            demo::seed(&store, size, s, as_of).await?;
            demo::print_logins(&store, false).await
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
            matching::match_run(&store, district, ssyk, weights).await
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

fn swedish_today() -> chrono::NaiveDate {
    vagar_domain::time::swedish_date(chrono::Utc::now())
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
