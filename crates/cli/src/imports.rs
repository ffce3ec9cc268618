//! `vagar import shortage` and `vagar import job-ads`: all-or-nothing for the
//! shortage list, row-exact problems for both.

use crate::{progress_bar, ImportCommand};
use anyhow::{bail, Context, Result};
use vagar_store::Store;

fn report_problems(problems: &[vagar_domain::imports::RowProblem]) {
    for p in problems {
        match (&p.id, p.row) {
            (Some(id), 0) => eprintln!("{id}: {}", p.reason),
            (Some(id), row) => eprintln!("row {row} (id {id}): {}", p.reason),
            (None, row) => eprintln!("row {row}: {}", p.reason),
        }
    }
}

pub(crate) async fn import(store: &Store, command: ImportCommand) -> Result<()> {
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
