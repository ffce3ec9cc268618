#!/usr/bin/env python3
"""Run OR-Tools and match-bench on the same instance files and print a table.

Usage: compare.py --runs R --ours BIN --ortools "CMD ..." SIZE=FILE [SIZE=FILE ...]

Each solver prints one JSON line {"matched", "cost", "seconds"} with seconds = solve
time only. Runs alternate between the solvers (R each per file) so that both see the
same machine state; the table reports median seconds. Exit status 1 if any run's
matched count or cost differs from OR-Tools' (or between runs).
"""
import argparse
import json
import shlex
import statistics
import subprocess
import sys


def run(cmd, path):
    out = subprocess.run(cmd + [path], check=True, capture_output=True, text=True).stdout
    lines = [l for l in out.splitlines() if l.strip()]
    return json.loads(lines[-1])


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--ours", required=True)
    ap.add_argument("--ortools", required=True)
    ap.add_argument("instances", nargs="+")
    args = ap.parse_args()
    ours_cmd = [args.ours]
    ort_cmd = shlex.split(args.ortools)

    rows, ok = [], True
    for item in args.instances:
        size, path = item.split("=", 1)
        ort, our = [], []
        for i in range(args.runs):
            ort.append(run(ort_cmd, path))
            our.append(run(ours_cmd, path))
            print(f"   {size} run {i + 1}: OR-Tools {ort[-1]}  ours {our[-1]}", file=sys.stderr)
        ref = (ort[0]["matched"], ort[0]["cost"])
        same = all((r["matched"], r["cost"]) == ref for r in ort + our)
        ok &= same
        t_ort = statistics.median(r["seconds"] for r in ort)
        t_our = statistics.median(r["seconds"] for r in our)
        rows.append((size.replace(",", ", "), ort[0]["matched"], our[0]["matched"], ort[0]["cost"],
                     our[0]["cost"], "yes" if same else "**NO**", t_ort, t_our, t_our / t_ort))

    print(f"| size (P, N, K) | OR-Tools matched | ours matched | OR-Tools cost | ours cost "
          f"| identical? | OR-Tools s | ours s | ratio (ours/OR-Tools) |")
    print("|---|---:|---:|---:|---:|:---:|---:|---:|---:|")
    for r in rows:
        print(f"| {r[0]} | {r[1]} | {r[2]} | {r[3]} | {r[4]} | {r[5]} | {r[6]:.3f} | {r[7]:.3f} "
              f"| {r[8]:.3f} |")
    print(f"\n(median of {args.runs} runs; seconds = solve time only, parsing excluded)")
    if not ok:
        print("bench-matching: matched count or cost differ", file=sys.stderr)
        sys.exit(1)


if __name__ == "__main__":
    main()
