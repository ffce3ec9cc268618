//! `vagar`: the one binary. A thin shell over the library crates.

use anyhow::{bail, Context, Result};
use clap::{Parser, Subcommand};
use indicatif::{ProgressBar, ProgressStyle};
use std::io::Read;
use vagar_domain::{OrgKind, Role};
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
            vagar_web::serve(state, &bind).await
        }
        Command::Demo { bind, size } => {
            let store = open(&url(DEMO_DB)).await?;
            if store.count_participants().await? == 0 {
                seed(&store, size, 1).await?;
            }
            print_logins(&store, true).await?;
            println!("\nVägar demo: http://{bind}/  (Ctrl-C stops)");
            vagar_web::serve(vagar_web::AppState::new(store), &bind).await
        }
        Command::Migrate => {
            open(&url(DEFAULT_DB)).await?;
            println!("migrations applied");
            Ok(())
        }
        Command::Seed { size, seed: s } => {
            if size > 5_000_000 {
                bail!("--size may be at most 5000000");
            }
            let store = open(&url(DEFAULT_DB)).await?;
            seed(&store, size, s).await?;
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

/// Organisations, demo users and `size` participants of the synthetic city.
async fn seed(store: &Store, size: u64, seed: u64) -> Result<()> {
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
    bar.set_message("participants");
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
        bar.inc(end - start);
        start = end;
    }
    bar.finish();
    store
        .audit_system(
            "participant.seed",
            &format!("synthetic participants inserted: {inserted}, seed {seed}"),
        )
        .await?;
    eprintln!("seeded {inserted} new participants (size {size}, seed {seed})");
    Ok(())
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
