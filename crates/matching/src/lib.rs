//! Exact batch assignment for Vägar's matching.
//!
//! Given P participants, N needs with capacities and a sparse list of allowed
//! (participant, need, cost) pairs, [`solve`] finds an assignment (each participant
//! at most one need, need `j` at most `capacities[j]` participants) that first
//! maximises the number of assigned participants and then minimises the total
//! cost — the optimum of a max-flow-min-cost problem, computed exactly.
//!
//! Algorithm (details in `src/solver.rs`): successive shortest paths (a
//! rectangular Hungarian method with Dijkstra and potentials) from the scarcer
//! side, scanning only a core of each row's cheapest edges that grows exactly
//! when the potentials show that more edges could matter.
//!
//! ```
//! use vagar_matching::{solve, Instance};
//! let inst = Instance::parse(b"3 2 4\n1\n1\n0 0 5\n1 0 1\n1 1 7\n2 1 2\n").unwrap();
//! let sol = solve(&inst);
//! assert_eq!((sol.matched, sol.cost), (2, 3));
//! assert_eq!(sol.assignment, vec![None, Some(0), Some(1)]);
//! ```

pub mod batch;
mod instance;
mod solver;
pub mod suggest;

use std::path::Path;
use std::time::Instant;

pub use instance::{Instance, InstanceError, Location, MAX_COST_PRODUCT};

/// An optimal assignment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Solution {
    /// Number of assigned participants (maximum possible).
    pub matched: u64,
    /// Total cost of the assigned pairs (minimum among maximum assignments).
    pub cost: i64,
    /// The need of each participant, `None` if unassigned.
    pub assignment: Vec<Option<u32>>,
}

/// Solves `instance` exactly: maximum number of assignments, then minimum cost.
pub fn solve(instance: &Instance) -> Solution {
    solver::solve_with(instance, &mut solver::Stats::default())
}

/// Reads the instance at `path`, solves it and returns the benchmark JSON line
/// `{"matched": M, "cost": C, "seconds": S}` (no trailing newline), where `S` is
/// the solve time only, excluding reading and parsing.
pub fn solve_file_json(path: &Path) -> Result<String, InstanceError> {
    let instance = Instance::read(path)?;
    let start = Instant::now();
    let solution = solve(&instance);
    let seconds = start.elapsed().as_secs_f64();
    Ok(format!(
        "{{\"matched\": {}, \"cost\": {}, \"seconds\": {:.6}}}",
        solution.matched, solution.cost, seconds
    ))
}

#[cfg(test)]
mod tests;
