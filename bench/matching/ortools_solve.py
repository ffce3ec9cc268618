#!/usr/bin/env python3
"""Solve a Vägar matching instance with OR-Tools' SimpleMinCostFlow.

Usage: ortools_solve.py INSTANCE

Network: source -> participant (cap 1, cost 0) -> need (cap 1, cost = edge cost)
-> sink (cap = capacity, cost 0); `solve_max_flow_with_min_cost` then gives the
maximum number of assigned participants at minimum total cost.

Prints one JSON line {"matched": M, "cost": C, "seconds": S}; S is the time of the
solve call only (reading the file and building the network are excluded), the same
convention as the Rust runner `match-bench`.
"""
import json
import sys
import time

import numpy as np
from ortools.graph.python import min_cost_flow


def read_instance(path):
    # One vectorised parse of the whole file; the format is pure whitespace-separated
    # integers, so this is exact and much faster than line-by-line reading.
    with open(path, "rb") as f:
        data = f.read()
    nums = np.array(data.split(), dtype=np.int64)
    P, N, E = (int(x) for x in nums[:3])
    cap = nums[3:3 + N]
    edges = nums[3 + N:].reshape(-1, 3)
    if edges.shape[0] != E:
        raise SystemExit(f"{path}: header says {E} edges, file has {edges.shape[0]}")
    return P, N, cap, edges[:, 0], edges[:, 1], edges[:, 2]


def main():
    P, N, cap, rows, cols, cost = read_instance(sys.argv[1])
    source, sink = P + N, P + N + 1
    smcf = min_cost_flow.SimpleMinCostFlow()
    part = np.arange(P, dtype=np.int64)
    need = np.arange(N, dtype=np.int64)
    tails = np.concatenate([np.full(P, source), rows, P + need])
    heads = np.concatenate([part, P + cols, np.full(N, sink)])
    caps = np.concatenate([np.ones(P, dtype=np.int64), np.ones(rows.size, dtype=np.int64), cap])
    costs = np.concatenate([np.zeros(P, dtype=np.int64), cost, np.zeros(N, dtype=np.int64)])
    smcf.add_arcs_with_capacity_and_unit_cost(tails, heads, caps, costs)
    total = int(min(P, int(cap.sum())))
    smcf.set_node_supply(source, total)
    smcf.set_node_supply(sink, -total)
    t = time.perf_counter()
    status = smcf.solve_max_flow_with_min_cost()
    seconds = time.perf_counter() - t
    if status != smcf.OPTIMAL:
        raise SystemExit(f"OR-Tools status {status}")
    print(json.dumps({"matched": int(smcf.maximum_flow()), "cost": int(smcf.optimal_cost()),
                      "seconds": round(seconds, 6)}))


if __name__ == "__main__":
    main()
