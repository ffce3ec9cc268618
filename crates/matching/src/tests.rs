//! Unit tests: hand-made corner cases and random instances checked against an
//! independent min-cost max-flow (Bellman–Ford successive shortest paths).
//! Debug builds also assert the LP optimality conditions inside the solver.

use crate::solver::{solve_with, Stats};
use crate::{solve, solve_file_json, Instance, Solution};

/// Plain min-cost max-flow on source -> participant -> need -> sink.
fn reference(participants: u32, caps: &[u32], edges: &[(u32, u32, i64)]) -> (u64, i64) {
    let p = participants as usize;
    let n = caps.len();
    let (s, t) = (p + n, p + n + 1);
    // Arc list with paired reverse arcs: (to, cap, cost).
    let mut to = Vec::new();
    let mut capv: Vec<i64> = Vec::new();
    let mut cost = Vec::new();
    let mut adj = vec![Vec::new(); p + n + 2];
    let mut add = |a: usize, b: usize, c: i64, w: i64| {
        adj[a].push(to.len());
        to.push(b);
        capv.push(c);
        cost.push(w);
        adj[b].push(to.len());
        to.push(a);
        capv.push(0);
        cost.push(-w);
    };
    for i in 0..p {
        add(s, i, 1, 0);
    }
    for &(i, j, c) in edges {
        add(i as usize, p + j as usize, 1, c);
    }
    for (j, &c) in caps.iter().enumerate() {
        add(p + j, t, i64::from(c), 0);
    }
    let (mut flow, mut total) = (0u64, 0i64);
    loop {
        let mut dist = vec![i64::MAX; p + n + 2];
        let mut via = vec![usize::MAX; p + n + 2];
        dist[s] = 0;
        let mut changed = true;
        while changed {
            changed = false;
            for a in 0..p + n + 2 {
                if dist[a] == i64::MAX {
                    continue;
                }
                for &e in &adj[a] {
                    if capv[e] > 0 && dist[a] + cost[e] < dist[to[e]] {
                        dist[to[e]] = dist[a] + cost[e];
                        via[to[e]] = e;
                        changed = true;
                    }
                }
            }
        }
        if dist[t] == i64::MAX {
            return (flow, total);
        }
        let mut x = t;
        while x != s {
            let e = via[x];
            capv[e] -= 1;
            capv[e ^ 1] += 1;
            x = to[e ^ 1];
        }
        flow += 1;
        total += dist[t];
    }
}

/// Checks feasibility and that `matched`/`cost` agree with the assignment.
fn check_feasible(inst: &Instance, sol: &Solution) {
    let mut load = vec![0u32; inst.num_needs()];
    let mut cost = 0;
    for (p, a) in sol.assignment.iter().enumerate() {
        if let Some(j) = *a {
            cost += inst
                .cost_of(p as u32, j)
                .expect("assigned pair must be an edge");
            load[j as usize] += 1;
        }
    }
    for (j, &l) in load.iter().enumerate() {
        assert!(l <= inst.capacities[j], "need {j} over capacity");
    }
    assert_eq!(sol.matched, sol.assignment.iter().flatten().count() as u64);
    assert_eq!(sol.cost, cost);
}

fn solve_edges(p: u32, caps: &[u32], edges: &[(u32, u32, i64)]) -> Solution {
    solve_stats(p, caps, edges, &mut Stats::default())
}

fn solve_stats(p: u32, caps: &[u32], edges: &[(u32, u32, i64)], stats: &mut Stats) -> Solution {
    let inst = Instance::from_edges(p, caps.to_vec(), edges).unwrap();
    let sol = solve_with(&inst, stats);
    assert_eq!(sol, solve(&inst));
    check_feasible(&inst, &sol);
    sol
}

/// Small deterministic generator (xorshift64*), so tests need no extra crates.
struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

fn random_instance(rng: &mut Rng, max_cost: i64) -> (u32, Vec<u32>, Vec<(u32, u32, i64)>) {
    let p = 1 + rng.below(60) as u32;
    let n = 1 + rng.below(15) as u32;
    let caps: Vec<u32> = (0..n).map(|_| rng.below(6) as u32).collect();
    let density = 1 + rng.below(60);
    let mut edges = Vec::new();
    for i in 0..p {
        for j in 0..n {
            if rng.below(100) < density {
                edges.push((i, j, rng.below(max_cost as u64 + 1) as i64));
            }
        }
    }
    (p, caps, edges)
}

#[test]
fn empty_instances() {
    assert_eq!(solve_edges(0, &[], &[]).matched, 0);
    let sol = solve_edges(3, &[2, 0], &[]);
    assert_eq!((sol.matched, sol.cost), (0, 0));
    assert_eq!(sol.assignment, vec![None; 3]);
    // A need with capacity 0 takes nobody.
    let sol = solve_edges(2, &[0, 1], &[(0, 0, 1), (1, 0, 1), (1, 1, 5)]);
    assert_eq!((sol.matched, sol.cost), (1, 5));
}

#[test]
fn cardinality_beats_cost() {
    // Cheapest single pair is (0, 0) at cost 0, but two assignments are possible
    // only with both expensive pairs.
    let sol = solve_edges(2, &[1, 1], &[(0, 0, 0), (0, 1, 1000), (1, 0, 1000)]);
    assert_eq!((sol.matched, sol.cost), (2, 2000));
    assert_eq!(sol.assignment, vec![Some(1), Some(0)]);
}

#[test]
fn unfillable_slot_goes_to_the_cheapest_need() {
    // One participant, two needs: only one slot can be filled; the cheaper wins.
    // (Slots outnumber participants: participants are the rows here.)
    let sol = solve_edges(1, &[1, 1], &[(0, 0, 10), (0, 1, 1)]);
    assert_eq!((sol.matched, sol.cost), (1, 1));
    // Same with participants outnumbering slots (needs are the rows): need 0 can
    // only use participant 0, which need 1 prefers too.
    let sol = solve_edges(3, &[1, 1], &[(0, 0, 10), (0, 1, 1), (1, 1, 50)]);
    assert_eq!((sol.matched, sol.cost), (2, 60));
}

#[test]
fn huge_capacities_and_duplicates() {
    let sol = solve_edges(
        3,
        &[u32::MAX],
        &[(0, 0, 3), (1, 0, 2), (2, 0, 1), (2, 0, 0)],
    );
    // The duplicate (2, 0) keeps its cheapest cost.
    assert_eq!((sol.matched, sol.cost), (3, 5));
}

#[test]
fn matches_reference_on_random_instances() {
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    let mut stats = Stats::default();
    for round in 0..300 {
        let max_cost = if round % 3 == 0 { 3 } else { 1000 };
        let (p, caps, edges) = random_instance(&mut rng, max_cost);
        let sol = solve_stats(p, &caps, &edges, &mut stats);
        let want = reference(p, &caps, &edges);
        assert_eq!(
            (sol.matched, sol.cost),
            want,
            "round {round}: {p} {caps:?} {edges:?}"
        );
    }
    // The mix exercised unfillable units and core growth.
    assert!(stats.dummy_units > 0 && stats.expansions > 0, "{stats:?}");
}

#[test]
fn large_costs_use_the_wide_edge_path() {
    let mut rng = Rng(12345);
    for round in 0..50 {
        let (p, caps, edges) = random_instance(&mut rng, 1000);
        let edges: Vec<_> = edges
            .into_iter()
            .map(|(i, j, c)| (i, j, c * 10_000_000 + 7))
            .collect();
        let sol = solve_edges(p, &caps, &edges);
        assert_eq!(
            (sol.matched, sol.cost),
            reference(p, &caps, &edges),
            "round {round}"
        );
    }
}

#[test]
fn many_candidates_per_row_force_core_growth() {
    // Every need ranks the participants almost alike, so the cheap participants
    // are contested and needs must look beyond their initial core.
    let mut rng = Rng(777);
    let mut stats = Stats::default();
    for _ in 0..20 {
        let (p, n) = (80u32, 6u32);
        let caps: Vec<u32> = (0..n).map(|_| 1 + rng.below(4) as u32).collect();
        let mut edges = Vec::new();
        for i in 0..p {
            for j in 0..n {
                edges.push((i, j, 3 * i as i64 + rng.below(5) as i64));
            }
        }
        let sol = solve_stats(p, &caps, &edges, &mut stats);
        assert_eq!((sol.matched, sol.cost), reference(p, &caps, &edges));
    }
    assert!(stats.expansions > 0, "{stats:?}");
}

#[test]
fn solve_file_json_prints_one_line() {
    let dir = std::env::temp_dir().join(format!("vagar-matching-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join("tiny.txt");
    std::fs::write(&path, "2 1 2\n1\n0 0 4\n1 0 3\n").unwrap();
    let line = solve_file_json(&path).unwrap();
    assert!(
        line.starts_with("{\"matched\": 1, \"cost\": 3, \"seconds\": "),
        "{line}"
    );
    assert!(line.ends_with('}') && !line.contains('\n'));
    std::fs::remove_dir_all(&dir).unwrap();
    assert!(solve_file_json(&dir.join("missing.txt")).is_err());
}

#[test]
fn equal_costs_everywhere() {
    // Massive ties: every search sees only zero reduced costs.
    let mut rng = Rng(4242);
    for flat in [0i64, 7] {
        let (p, n) = (90u32, 12u32);
        let caps: Vec<u32> = (0..n).map(|_| 1 + rng.below(5) as u32).collect();
        let mut edges = Vec::new();
        for i in 0..p {
            for j in 0..n {
                if rng.below(3) > 0 {
                    edges.push((i, j, flat));
                }
            }
        }
        let sol = solve_edges(p, &caps, &edges);
        assert_eq!((sol.matched, sol.cost), reference(p, &caps, &edges));
    }
}
