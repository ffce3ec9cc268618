//! Property test: on small random instances the solver's (matched, cost) equals
//! an exhaustive enumeration of all feasible assignments.

use proptest::prelude::*;
use vagar_matching::{solve, Instance};

/// Best (max matched, then min cost) over every assignment, by depth-first
/// enumeration: participant `i` takes one of its needs with room, or none.
fn brute_force(p: usize, caps: &[u32], edges: &[(u32, u32, i64)]) -> (u64, i64) {
    let mut adj = vec![Vec::new(); p];
    for &(i, j, c) in edges {
        adj[i as usize].push((j as usize, c));
    }
    fn go(
        i: usize,
        adj: &[Vec<(usize, i64)>],
        left: &mut [u32],
        matched: u64,
        cost: i64,
        best: &mut (u64, i64),
    ) {
        if i == adj.len() {
            if matched > best.0 || (matched == best.0 && cost < best.1) {
                *best = (matched, cost);
            }
            return;
        }
        go(i + 1, adj, left, matched, cost, best);
        for &(j, c) in &adj[i] {
            if left[j] > 0 {
                left[j] -= 1;
                go(i + 1, adj, left, matched + 1, cost + c, best);
                left[j] += 1;
            }
        }
    }
    let mut best = (0, 0);
    go(0, &adj, &mut caps.to_vec(), 0, 0, &mut best);
    best
}

/// P <= 7 participants, N <= 4 needs with capacity 1..=3, each pair allowed with
/// some probability, costs 0..=20 (small so that ties are common).
fn instance() -> impl Strategy<Value = (u32, Vec<u32>, Vec<(u32, u32, i64)>)> {
    (1u32..=7, 1usize..=4).prop_flat_map(|(p, n)| {
        (
            Just(p),
            prop::collection::vec(1u32..=3, n),
            prop::collection::vec(prop::option::weighted(0.45, 0i64..=20), p as usize * n),
        )
            .prop_map(move |(p, caps, cells)| {
                let n = caps.len();
                let edges = cells
                    .iter()
                    .enumerate()
                    .filter_map(|(k, c)| c.map(|c| ((k / n) as u32, (k % n) as u32, c)))
                    .collect();
                (p, caps, edges)
            })
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn solver_matches_brute_force((p, caps, edges) in instance()) {
        let inst = Instance::from_edges(p, caps.clone(), &edges).unwrap();
        let sol = solve(&inst);
        prop_assert_eq!((sol.matched, sol.cost), brute_force(p as usize, &caps, &edges));
        // The assignment itself must be feasible and add up.
        let mut load = vec![0u32; caps.len()];
        let mut cost = 0;
        for (i, a) in sol.assignment.iter().enumerate() {
            if let Some(j) = *a {
                cost += inst.cost_of(i as u32, j).expect("assigned pair is an edge");
                load[j as usize] += 1;
            }
        }
        prop_assert!(load.iter().zip(&caps).all(|(l, c)| l <= c));
        prop_assert_eq!(cost, sol.cost);
        prop_assert_eq!(sol.assignment.iter().flatten().count() as u64, sol.matched);
    }
}
