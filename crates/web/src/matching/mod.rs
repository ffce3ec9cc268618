//! The suggestion index the matching endpoints read: built lazily from the
//! store on first use, off the async threads, and rebuilt when older than
//! `MAX_AGE` or when this process marked it stale after a write that changes
//! needs, profiles, plans or placements. Another app server's writes are
//! seen within `MAX_AGE` at the latest.

pub mod api;
pub(crate) mod ui;

use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::sync::Mutex;
use vagar_domain::matching::Weights;
use vagar_matching::suggest::Index;
use vagar_store::Store;

pub const MAX_AGE: Duration = Duration::from_secs(60);

struct Built {
    index: Arc<Index>,
    at: Instant,
    /// The generation it was built for; a newer one means stale.
    generation: u64,
}

#[derive(Clone)]
pub struct MatchingCache {
    weights: Arc<Weights>,
    generation: Arc<std::sync::atomic::AtomicU64>,
    /// A mutex, not a read-write lock: it is held only to look and, when
    /// stale, to rebuild, so concurrent first users wait for one build
    /// instead of each building their own.
    built: Arc<Mutex<Option<Built>>>,
}

impl Default for MatchingCache {
    fn default() -> Self {
        MatchingCache::new(Weights::default())
    }
}

impl MatchingCache {
    pub fn new(weights: Weights) -> MatchingCache {
        MatchingCache {
            weights: Arc::new(weights),
            generation: Arc::default(),
            built: Arc::default(),
        }
    }

    /// Weights from `VAGAR_MATCH_WEIGHTS` (a JSON file) when set; an
    /// unreadable or invalid file is an error at start, not a silent default.
    pub fn from_env() -> anyhow::Result<MatchingCache> {
        match std::env::var_os("VAGAR_MATCH_WEIGHTS") {
            None => Ok(MatchingCache::default()),
            Some(path) => {
                let path = std::path::PathBuf::from(path);
                let text = std::fs::read_to_string(&path).map_err(|e| {
                    anyhow::anyhow!(
                        "VAGAR_MATCH_WEIGHTS: could not read {}: {e}",
                        path.display()
                    )
                })?;
                let w = Weights::from_json(&text)
                    .map_err(|e| anyhow::anyhow!("VAGAR_MATCH_WEIGHTS {}: {e}", path.display()))?;
                Ok(MatchingCache::new(w))
            }
        }
    }

    /// Mark the index stale: the next use rebuilds it.
    pub fn invalidate(&self) {
        self.generation
            .fetch_add(1, std::sync::atomic::Ordering::SeqCst);
    }

    /// The current index, rebuilt first when missing, old or stale.
    pub async fn index(
        &self,
        store: &Store,
        today: chrono::NaiveDate,
    ) -> anyhow::Result<Arc<Index>> {
        let mut guard = self.built.lock().await;
        let generation = self.generation.load(std::sync::atomic::Ordering::SeqCst);
        if let Some(b) = guard.as_ref() {
            if b.generation == generation && b.at.elapsed() < MAX_AGE {
                return Ok(b.index.clone());
            }
        }
        let candidates = store.load_match_candidates(today).await?;
        let needs = store.load_match_needs().await?;
        let subs = store.load_substitutions().await?;
        let weights = (*self.weights).clone();
        let index = tokio::task::spawn_blocking(move || {
            Arc::new(Index::new(candidates, needs, subs, weights))
        })
        .await?;
        *guard = Some(Built {
            index: index.clone(),
            at: Instant::now(),
            generation,
        });
        Ok(index)
    }
}
