#!/usr/bin/env python3
"""Plots a cluster benchmark's results.csv: throughput and p99 against concurrency, one line per target,
one column per workload. Usage: plot-cluster.py results.csv out.png"""
import csv
import sys
from collections import defaultdict

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

rows = list(csv.DictReader(open(sys.argv[1])))
workloads = sorted({r["workload"] for r in rows})
fig, axes = plt.subplots(2, len(workloads), figsize=(4.5 * len(workloads), 7), squeeze=False)
for col, workload in enumerate(workloads):
    series = defaultdict(list)
    for r in rows:
        if r["workload"] == workload:
            series[r["target"]].append((int(r["concurrency"]), float(r["ops_per_sec"]), float(r["p99_us"]) / 1000))
    for target, points in sorted(series.items()):
        points.sort()
        xs = [p[0] for p in points]
        axes[0][col].plot(xs, [p[1] for p in points], marker="o", label=target)
        axes[1][col].plot(xs, [p[2] for p in points], marker="o", label=target)
    axes[0][col].set_title(f"workload {workload}")
    axes[0][col].set_ylabel("ops/s")
    axes[0][col].set_yscale("log")
    axes[1][col].set_ylabel("p99 latency, ms")
    axes[1][col].set_yscale("log")
    for row in (0, 1):
        axes[row][col].set_xscale("log", base=2)
        axes[row][col].set_xlabel("concurrency (outstanding requests)")
        axes[row][col].grid(True, which="both", alpha=0.3)
axes[0][0].legend(fontsize=8)
fig.suptitle("GrainKV vs Redis, YCSB-style, loopback, 2 shared cores (see docs/BENCHMARKS.md)")
fig.tight_layout()
fig.savefig(sys.argv[2], dpi=90)
