//! The exact solver: successive shortest paths on a lazily grown core of cheap
//! edges.
//!
//! # Model
//! One side of the bipartite graph is taken as *rows* (each with a supply that must
//! be shipped), the other as *columns* (each with a capacity). Rows are the side
//! with fewer units: needs (supply = capacity) when the slots are scarcer than the
//! participants, as in the benchmarks, otherwise participants (supply 1). Every row
//! also has an edge to one shared *dummy* column of unlimited capacity with cost
//! `big = max_cost * min(P, slots) + 1`: shipping a unit there means "unfilled".
//! Since `big` exceeds the cost of any assignment, minimising the total cost first
//! maximises the number of real assignments, then minimises their cost — exactly
//! the lexicographic objective of max-flow-min-cost.
//!
//! # Algorithm
//! Rectangular Hungarian / successive shortest paths (Jonker–Volgenant style):
//! every row unit runs one Dijkstra on reduced costs `c - u[row] - v[col]` that
//! stops at the first column with spare capacity (or the dummy), then updates only
//! the potentials of the nodes it settled. Invariants: every edge has reduced cost
//! `>= 0`, used edges have reduced cost 0, `v <= 0`, and `v[col] < 0` only for
//! full columns. When every unit is shipped they are the LP optimality conditions,
//! so the result is exact. On random sparse instances most searches settle only a
//! handful of nodes.
//!
//! # Lazy core
//! An optimal solution uses few of the expensive edges, so each row's edges are
//! split, by partial selection, into a *core* of its cheapest edges and the rest,
//! whose smallest cost is `theta[row]`. Since `v <= 0`, every non-core edge has
//! reduced cost `>= theta - u`, so as long as `u[row] <= theta[row]` the non-core
//! edges are feasible and cannot shorten any path of length below
//! `dist(row) + theta - u`. Dijkstra treats that bound as an event: when it is
//! reached before the search ends, the row's core is doubled and the new edges are
//! relaxed on the spot (their distances are at least the bound, so Dijkstra's order
//! is intact). After the search, `u` rises by at most the bound, keeping
//! `u <= theta`. Hence the non-core edges never need to be scanned unless they can
//! matter, yet the optimum is that of the full graph.

use std::cmp::Reverse;
use std::collections::BinaryHeap;

use crate::{Instance, Solution};

/// Debug statistics, printed when `VAGAR_MATCH_DEBUG` is set.
#[derive(Debug, Default, Clone)]
pub(crate) struct Stats {
    pub searches: usize,
    pub greedy_units: usize,
    pub expansions: usize,
    pub dummy_units: usize,
}

/// An edge packed into one integer whose order is (cost, column): partial
/// selection then orders edges by cost with a unique tie-break, and scanning a
/// row reads one compact array.
pub(crate) trait Packed: Copy + Ord + Send + Sync {
    fn pack(cost: i64, col: u32) -> Self;
    fn cost(self) -> i64;
    fn col(self) -> u32;
}

/// For costs below 2^32 (the usual case): 8 bytes per edge.
impl Packed for u64 {
    #[inline]
    fn pack(cost: i64, col: u32) -> Self {
        ((cost as u64) << 32) | u64::from(col)
    }
    #[inline]
    fn cost(self) -> i64 {
        (self >> 32) as i64
    }
    #[inline]
    fn col(self) -> u32 {
        self as u32
    }
}

/// For larger costs (up to 2^60): 16 bytes per edge.
impl Packed for u128 {
    #[inline]
    fn pack(cost: i64, col: u32) -> Self {
        ((cost as u128) << 32) | u128::from(col)
    }
    #[inline]
    fn cost(self) -> i64 {
        (self >> 32) as i64
    }
    #[inline]
    fn col(self) -> u32 {
        self as u32
    }
}

/// Initial core size of a row with `supply` units (it grows on demand).
fn initial_core(supply: u32) -> usize {
    2 * supply as usize + 2
}

pub(crate) fn solve_with(inst: &Instance, stats: &mut Stats) -> Solution {
    if inst.max_cost() < 1 << 32 {
        solve_packed::<u64>(inst, stats)
    } else {
        solve_packed::<u128>(inst, stats)
    }
}

fn solve_packed<E: Packed>(inst: &Instance, stats: &mut Stats) -> Solution {
    let debug = std::env::var_os("VAGAR_MATCH_DEBUG").is_some();
    let t0 = std::time::Instant::now();
    let (offsets, part_needs, part_costs) = inst.csr();
    let p_n = offsets.len() - 1;
    let n_n = inst.num_needs();
    let cap = |j: usize| inst.capacities.get(j).copied().unwrap_or(0);

    // A need cannot take more participants than it has edges; clamping makes the
    // slot count (and every array sized by it) at most E even for huge capacities.
    let mut need_deg = vec![0u32; n_n];
    for &j in part_needs {
        need_deg[j as usize] += 1;
    }
    let need_cap: Vec<u32> = (0..n_n).map(|j| cap(j).min(need_deg[j])).collect();
    let slots: u64 = need_cap.iter().map(|&c| u64::from(c)).sum();
    let active: u64 = (0..p_n).filter(|&i| offsets[i + 1] > offsets[i]).count() as u64;
    // The instance guarantees max_cost * min(P, E) + 1 < 2^60, and both `slots`
    // and `active` are at most min(P, E)-bounded counts of real units.
    let big = inst.max_cost() * (slots.min(active) as i64) + 1;

    let rows_are_needs = slots <= active;
    let (graph, supply, col_cap) = if rows_are_needs {
        let mut start = vec![0usize; n_n + 1];
        for j in 0..n_n {
            start[j + 1] = start[j] + need_deg[j] as usize;
        }
        let mut next = start[..n_n].to_vec();
        let mut edges = vec![E::pack(0, 0); part_needs.len()];
        for p in 0..p_n {
            for e in offsets[p]..offsets[p + 1] {
                let j = part_needs[e] as usize;
                edges[next[j]] = E::pack(part_costs[e], p as u32);
                next[j] += 1;
            }
        }
        (Graph::new(start, edges), need_cap, vec![1; p_n])
    } else {
        let edges = part_needs
            .iter()
            .zip(part_costs)
            .map(|(&j, &c)| E::pack(c, j))
            .collect();
        let supply = (0..p_n)
            .map(|i| u32::from(offsets[i + 1] > offsets[i]))
            .collect();
        (Graph::new(offsets.to_vec(), edges), supply, need_cap)
    };
    let mut ssp = Ssp::new(graph, &supply, &col_cap, big);
    let t1 = std::time::Instant::now();
    ssp.init(stats);
    let t2 = std::time::Instant::now();
    ssp.run(stats);
    let t3 = std::time::Instant::now();
    if debug {
        eprintln!(
            "rows={} setup {:?}, core+greedy {:?}, ssp {:?}: {stats:?}",
            if rows_are_needs {
                "needs"
            } else {
                "participants"
            },
            t1 - t0,
            t2 - t1,
            t3 - t2,
        );
    }
    #[cfg(debug_assertions)]
    ssp.assert_optimal();

    let mut assignment = vec![None; p_n];
    let mut matched = 0u64;
    let mut cost = 0i64;
    for c in 0..col_cap.len() {
        for &r in ssp.slots_of(c) {
            let (p, j) = if rows_are_needs {
                (c as u32, r)
            } else {
                (r, c as u32)
            };
            assignment[p as usize] = Some(j);
            matched += 1;
            cost += inst
                .cost_of(p, j)
                .expect("solver assigned a pair that is not an edge");
        }
    }
    Solution {
        matched,
        cost,
        assignment,
    }
}

/// Row-major edges; each row's segment starts with its core.
struct Graph<E> {
    start: Vec<usize>,
    edges: Vec<E>,
    /// Number of core edges at the front of each row's segment.
    core: Vec<usize>,
    /// Smallest cost outside the core (`i64::MAX` when the core is everything).
    theta: Vec<i64>,
}

impl<E: Packed> Graph<E> {
    fn new(start: Vec<usize>, edges: Vec<E>) -> Self {
        let rows = start.len() - 1;
        Graph {
            start,
            edges,
            core: vec![0; rows],
            theta: vec![i64::MAX; rows],
        }
    }

    fn rows(&self) -> usize {
        self.start.len() - 1
    }

    /// Grows row `r`'s core to `k` edges (at most its degree) by partial
    /// selection of the non-core part, and updates `theta`. Returns the range of
    /// newly added edges.
    fn grow(&mut self, r: usize, k: usize) -> std::ops::Range<usize> {
        let s = self.start[r];
        let deg = self.start[r + 1] - s;
        let old = self.core[r];
        let k = k.min(deg).max(old);
        let row = &mut self.edges[s..s + deg];
        if k < deg {
            // Afterwards row[k] is the smallest edge left outside the core.
            row[old..].select_nth_unstable(k - old);
            self.theta[r] = row[k].cost();
        } else {
            self.theta[r] = i64::MAX;
        }
        self.core[r] = k;
        s + old..s + k
    }

    fn core_edges(&self, r: usize) -> &[E] {
        let s = self.start[r];
        &self.edges[s..s + self.core[r]]
    }

    #[cfg(debug_assertions)]
    fn all_edges(&self, r: usize) -> &[E] {
        &self.edges[self.start[r]..self.start[r + 1]]
    }
}

const NONE: u32 = u32::MAX;

/// Successive-shortest-path state.
struct Ssp<'a, E> {
    g: Graph<E>,
    supply: &'a [u32],
    cap: &'a [u32],
    big: i64,
    /// Row potentials (duals of the supply equalities).
    u: Vec<i64>,
    /// Column potentials (duals of the capacity constraints, always <= 0).
    v: Vec<i64>,
    /// `slots[slot_start[c]..slot_start[c] + fill[c]]`: rows assigned to column `c`.
    slot_start: Vec<usize>,
    slots: Vec<u32>,
    fill: Vec<u32>,
    /// Units each row still has to ship.
    remaining: Vec<u32>,
    // Per-search scratch; stamps avoid clearing arrays between searches.
    stamp: u32,
    col_seen: Vec<u32>,
    col_done: Vec<u32>,
    dist: Vec<i64>,
    /// Row whose edge gave a column its current distance.
    pred: Vec<u32>,
    row_seen: Vec<u32>,
    /// Column through which a settled row was reached (NONE for the source).
    row_pred: Vec<u32>,
    /// Distance at which each settled row was settled.
    row_dist: Vec<i64>,
    /// Candidate columns: (distance, column is full, column). Among equal
    /// distances a column with room comes first and ends the search at once,
    /// which matters when many edges share a cost.
    heap: BinaryHeap<Reverse<(i64, bool, u32)>>,
    /// Core-growth events: (distance bound, row).
    events: BinaryHeap<Reverse<(i64, u32)>>,
    settled_rows: Vec<u32>,
    settled_cols: Vec<(u32, i64)>,
}

impl<'a, E: Packed> Ssp<'a, E> {
    fn new(g: Graph<E>, supply: &'a [u32], cap: &'a [u32], big: i64) -> Self {
        let rows = g.rows();
        let cols = cap.len();
        let mut slot_start = Vec::with_capacity(cols + 1);
        let mut acc = 0usize;
        for &c in cap {
            slot_start.push(acc);
            acc += c as usize;
        }
        slot_start.push(acc);
        Ssp {
            g,
            supply,
            cap,
            big,
            u: vec![0; rows],
            v: vec![0; cols],
            slot_start,
            slots: vec![NONE; acc],
            fill: vec![0; cols],
            remaining: supply.to_vec(),
            stamp: 0,
            col_seen: vec![0; cols],
            col_done: vec![0; cols],
            dist: vec![0; cols],
            pred: vec![NONE; cols],
            row_seen: vec![0; rows],
            row_pred: vec![NONE; rows],
            row_dist: vec![0; rows],
            heap: BinaryHeap::new(),
            events: BinaryHeap::new(),
            settled_rows: Vec::new(),
            settled_cols: Vec::new(),
        }
    }

    fn slots_of(&self, c: usize) -> &[u32] {
        let s = self.slot_start[c];
        &self.slots[s..s + self.fill[c] as usize]
    }

    /// Initial cores and duals, and a greedy start: `v = 0`, `u[r]` = cheapest
    /// edge of row `r` (so `u <= theta`); every edge at that cost is tight and is
    /// used right away if its column has room. Rows without supply keep `u = 0`,
    /// which is feasible for all their edges and never changes.
    fn init(&mut self, stats: &mut Stats) {
        for r in 0..self.g.rows() {
            if self.supply[r] == 0 {
                continue;
            }
            self.g.grow(r, initial_core(self.supply[r]));
            let s = self.g.start[r];
            let min = self.g.core_edges(r).iter().map(|e| e.cost()).min();
            let min = min.expect("a row with supply has edges");
            self.u[r] = min;
            for e in s..s + self.g.core[r] {
                if self.remaining[r] == 0 {
                    break;
                }
                let edge = self.g.edges[e];
                let c = edge.col() as usize;
                if edge.cost() == min && self.fill[c] < self.cap[c] {
                    self.slots[self.slot_start[c] + self.fill[c] as usize] = r as u32;
                    self.fill[c] += 1;
                    self.remaining[r] -= 1;
                    stats.greedy_units += 1;
                }
            }
        }
    }

    /// Ships every remaining unit, one shortest augmenting path each.
    fn run(&mut self, stats: &mut Stats) {
        for r in 0..self.g.rows() {
            while self.remaining[r] > 0 {
                if !self.search(r as u32, stats) {
                    stats.dummy_units += 1;
                }
                self.remaining[r] -= 1;
                stats.searches += 1;
            }
        }
    }

    /// Relaxes edges `range` of row `r`, settled at distance `d`.
    #[inline]
    fn relax(&mut self, r: u32, d: i64, range: std::ops::Range<usize>) {
        let base = d - self.u[r as usize];
        for e in range {
            let edge = self.g.edges[e];
            let c = edge.col() as usize;
            if self.col_done[c] == self.stamp {
                continue;
            }
            let nd = base + edge.cost() - self.v[c];
            if self.col_seen[c] != self.stamp || nd < self.dist[c] {
                self.col_seen[c] = self.stamp;
                self.dist[c] = nd;
                self.pred[c] = r;
                let full = self.fill[c] >= self.cap[c];
                self.heap.push(Reverse((nd, full, c as u32)));
            }
        }
    }

    /// Distance beyond which row `r` (settled at `d`) needs more core edges.
    #[inline]
    fn event_key(&self, r: usize, d: i64) -> Option<i64> {
        let theta = self.g.theta[r];
        (theta != i64::MAX).then(|| d + theta - self.u[r])
    }

    /// Settles row `r` at distance `d`: relaxes its core and schedules its growth.
    /// Returns the distance at which the dummy column is reached through `r`.
    #[inline]
    fn settle_row(&mut self, r: u32, d: i64) -> i64 {
        let ri = r as usize;
        self.row_seen[ri] = self.stamp;
        self.row_dist[ri] = d;
        self.settled_rows.push(r);
        let s = self.g.start[ri];
        self.relax(r, d, s..s + self.g.core[ri]);
        if let Some(key) = self.event_key(ri, d) {
            self.events.push(Reverse((key, r)));
        }
        d - self.u[ri] + self.big
    }

    /// One shortest augmenting path from row `src` to a column with spare
    /// capacity (or the dummy), followed by the potential update and the flip.
    /// Returns false if the unit went to the dummy.
    fn search(&mut self, src: u32, stats: &mut Stats) -> bool {
        self.stamp = self.stamp.wrapping_add(1);
        if self.stamp == 0 {
            // After 2^32 searches the stamps wrap; reset them once.
            self.col_seen.fill(0);
            self.col_done.fill(0);
            self.row_seen.fill(0);
            self.stamp = 1;
        }
        self.heap.clear();
        self.events.clear();
        self.settled_rows.clear();
        self.settled_cols.clear();

        self.row_pred[src as usize] = NONE;
        let mut dummy_dist = self.settle_row(src, 0);
        let mut dummy_row = src;
        // `end`: Some(column) for a real column, None for the dummy.
        let (end, d_end) = loop {
            // Drop stale heap entries so that the top is a live candidate.
            while let Some(&Reverse((d, _, c))) = self.heap.peek() {
                let ci = c as usize;
                if self.col_done[ci] == self.stamp || d > self.dist[ci] {
                    self.heap.pop();
                } else {
                    break;
                }
            }
            let (col_key, col_full) = self
                .heap
                .peek()
                .map_or((i64::MAX, true), |&Reverse((d, full, _))| (d, full));
            let ev_key = self.events.peek().map_or(i64::MAX, |&Reverse((d, _))| d);
            if dummy_dist <= col_key && dummy_dist <= ev_key {
                break (None, dummy_dist);
            }
            if ev_key < col_key || (ev_key == col_key && col_full) {
                // Paths longer than this bound may use non-core edges of `r`. On a
                // tie a column with room goes first (nothing can beat it), while a
                // full one waits: the new edges may reach a column with room at the
                // same distance, which matters when many edges share a cost.
                let Some(Reverse((_, r))) = self.events.pop() else {
                    unreachable!()
                };
                let ri = r as usize;
                let k = 2 * self.g.core[ri] + 2;
                let range = self.g.grow(ri, k);
                stats.expansions += 1;
                let d = self.row_dist[ri];
                self.relax(r, d, range);
                if let Some(key) = self.event_key(ri, d) {
                    self.events.push(Reverse((key, r)));
                }
                continue;
            }
            let Some(Reverse((d, _, c))) = self.heap.pop() else {
                unreachable!()
            };
            let ci = c as usize;
            self.col_done[ci] = self.stamp;
            if self.fill[ci] < self.cap[ci] {
                break (Some(c), d);
            }
            self.settled_cols.push((c, d));
            // A full column leads back (at zero reduced cost) to its rows.
            let s = self.slot_start[ci];
            for k in s..s + self.fill[ci] as usize {
                let r = self.slots[k];
                if self.row_seen[r as usize] != self.stamp {
                    self.row_pred[r as usize] = c;
                    let dd = self.settle_row(r, d);
                    if dd < dummy_dist {
                        dummy_dist = dd;
                        dummy_row = r;
                    }
                }
            }
        };

        // Potentials: settled nodes move by (d_end - d); everything else is at
        // distance >= d_end and keeps its potential. This keeps all reduced costs
        // >= 0, makes the path tight, and keeps u <= theta (no pending growth
        // event of a settled row lies below d_end).
        for &r in &self.settled_rows {
            let r = r as usize;
            self.u[r] += d_end - self.row_dist[r];
        }
        for &(c, d) in &self.settled_cols {
            self.v[c as usize] -= d_end - d;
        }

        // Flip the path. `cur` is the row that takes the final column (or dummy).
        let mut cur = match end {
            Some(c) => {
                let ci = c as usize;
                let r = self.pred[ci];
                self.slots[self.slot_start[ci] + self.fill[ci] as usize] = r;
                self.fill[ci] += 1;
                r
            }
            None => dummy_row,
        };
        // Walk back: `cur` left column `c` (its old match) for the edge it now
        // uses; `c` is taken over by the row that reached it.
        while cur != src {
            let c = self.row_pred[cur as usize] as usize;
            let prev = self.pred[c];
            let s = self.slot_start[c];
            let k = (s..s + self.fill[c] as usize)
                .find(|&k| self.slots[k] == cur)
                .expect("path row is matched to its predecessor column");
            self.slots[k] = prev;
            cur = prev;
        }
        end.is_some()
    }

    /// Checks the optimality conditions against every edge of the full graph.
    #[cfg(debug_assertions)]
    fn assert_optimal(&self) {
        let mut used = std::collections::HashSet::new();
        for c in 0..self.cap.len() {
            assert!(self.v[c] <= 0, "column price must be <= 0");
            assert!(
                self.v[c] == 0 || self.fill[c] == self.cap[c],
                "column with room must have price 0"
            );
            for &r in self.slots_of(c) {
                used.insert((r, c as u32));
            }
        }
        for r in 0..self.g.rows() {
            assert_eq!(self.remaining[r], 0);
            assert!(self.u[r] <= self.big, "dummy edge must stay feasible");
            for e in self.g.all_edges(r) {
                let red = e.cost() - self.u[r] - self.v[e.col() as usize];
                assert!(red >= 0, "negative reduced cost");
                if used.contains(&(r as u32, e.col())) {
                    assert_eq!(red, 0, "used edge must be tight");
                }
            }
        }
    }
}
