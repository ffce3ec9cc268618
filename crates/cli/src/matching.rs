//! `vagar match run`: one batch matching run over the open needs and the
//! participants who may be matched, printed as JSON.

use crate::swedish_today;
use anyhow::{bail, Context, Result};
use vagar_store::Store;

pub(crate) async fn match_run(
    store: &Store,
    district: Option<String>,
    ssyk: Option<String>,
    weights: Option<std::path::PathBuf>,
) -> Result<()> {
    use std::collections::HashSet;
    use vagar_matching::batch::{placement_rates, propose};
    let weights = match weights {
        None => vagar_domain::matching::Weights::default(),
        Some(path) => {
            let text = std::fs::read_to_string(&path)
                .with_context(|| format!("could not read {}", path.display()))?;
            vagar_domain::matching::Weights::from_json(&text)
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
