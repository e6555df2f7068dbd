#!/usr/bin/python3
"""Runs bench_growth (or reads its JSON) and plots time against input size per stage, log-log, with the fitted
slope of each stage in the legend: 1 is linear, 2 quadratic. Needs Debian's python3-matplotlib.

    bench/plot_growth.py build/bin/bench_growth growth.png          # run the benchmark, then plot
    bench/plot_growth.py --json growth.json growth.png             # plot a saved --benchmark_format=json output
"""
import argparse
import json
import math
import subprocess
import sys
from collections import defaultdict

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402


def load(args):
    if args.json:
        with open(args.json, encoding="utf-8") as f:
            return json.load(f)
    out = subprocess.run([args.binary, "--benchmark_format=json"], check=True, capture_output=True, text=True)
    return json.loads(out.stdout)


def series(report):
    """stage -> [(size, seconds)], size from the benchmark's edges/households counter, else its argument."""
    by_stage = defaultdict(list)
    for b in report["benchmarks"]:
        if b.get("run_type") == "aggregate":
            continue
        stage, _, arg = b["name"].partition("/")
        size = b.get("edges") or b.get("households") or float(arg.split("/")[0])
        scale = {"ns": 1e-9, "us": 1e-6, "ms": 1e-3, "s": 1.0}[b.get("time_unit", "ns")]
        by_stage[stage].append((float(size), b["real_time"] * scale))
    return {k: sorted(v) for k, v in by_stage.items()}


def slope(points):
    """Least-squares slope of log(seconds) on log(size)."""
    xs = [math.log(s) for s, _ in points]
    ys = [math.log(t) for _, t in points]
    mx, my = sum(xs) / len(xs), sum(ys) / len(ys)
    den = sum((x - mx) ** 2 for x in xs)
    return sum((x - mx) * (y - my) for x, y in zip(xs, ys)) / den if den else float("nan")


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("binary", nargs="?", help="bench_growth executable")
    p.add_argument("png", help="the plot to write")
    p.add_argument("--json", help="read this benchmark JSON instead of running the binary")
    args = p.parse_args()
    if not args.json and not args.binary:
        p.error("give the bench_growth binary or --json")
    data = series(load(args))
    fig, ax = plt.subplots(figsize=(7, 5))
    for stage, points in data.items():
        if len(points) < 2:
            continue
        k = slope(points)
        print(f"{stage}: slope {k:.2f} over {points[0][0]:.0f}..{points[-1][0]:.0f}")
        ax.loglog([s for s, _ in points], [t for _, t in points], marker="o", label=f"{stage} (slope {k:.2f})")
    ax.set_xlabel("input size (edges or households)")
    ax.set_ylabel("wall time (s)")
    ax.set_title("GridAtlas engine growth (bench_growth)")
    ax.grid(True, which="both", alpha=0.3)
    ax.legend()
    fig.tight_layout()
    fig.savefig(args.png, dpi=120)
    return 0


if __name__ == "__main__":
    sys.exit(main())
