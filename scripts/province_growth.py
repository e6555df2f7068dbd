#!/usr/bin/python3
"""Growth of `gridatlas run --no-render`, stage by stage, on synthetic provinces (scripts/make_province.py).

Runs the product on each given project file, one at a time, under /usr/bin/time (wall, user + sys CPU, peak RSS),
reads every stage's seconds from the run's summary.json, prints a table (households, buildings, walk-network edges,
each stage, wall, CPU, peak RSS, bytes of peak RSS a household) and plots seconds against households, log-log, one line
per stage with its fitted slope (least squares on log-log: 1 is linear, 2 quadratic) in the legend. Results are
appended to --json so a later call (--plot-only) re-plots every size measured so far. Needs python3-matplotlib.

    scripts/make_province.py --counties 5x5 -o out/prov5
    scripts/province_growth.py --json docs/province_growth.json --png docs/province_growth.png out/prov5/project.toml
"""
import argparse
import json
import math
import os
import re
import subprocess
import sys
import tempfile

STAGES = ["load layers", "grid hierarchy", "assign households", "walk network", "walking access",
          "coverage statistics", "straight-line circles", "organisation rules", "central households", "liaison",
          "write gpkg"]


def measure(binary, project, keep):
    out = tempfile.mkdtemp(prefix="growth_", dir=keep)
    res = subprocess.run(["/usr/bin/time", "-f", "TIME %e %U %S %M", binary, "run", "--no-render", project, "-o", out],
                         capture_output=True, text=True)
    m = re.search(r"^TIME ([\d.]+) ([\d.]+) ([\d.]+) (\d+)$", res.stderr, re.M)
    if res.returncode != 0 or not m:
        sys.exit(f"province_growth: gridatlas run on {project} exited {res.returncode}: {res.stderr[-2000:]}")
    with open(os.path.join(out, "summary.json"), encoding="utf-8") as fh:
        s = json.load(fh)
    subprocess.run(["rm", "-rf", out], check=True)
    return {"project": os.path.abspath(project), "households": s["households"]["roster"],
            "buildings": s["inputs"]["buildings"], "edges": s["walk_network"]["edges"],
            "grids": s["inputs"]["grids"], "wall_s": float(m.group(1)),
            "cpu_s": float(m.group(2)) + float(m.group(3)), "peak_rss_kb": int(m.group(4)),
            "stages": {t["stage"]: t["seconds"] for t in s["timings"]}, "load_avg": os.getloadavg()[0]}


def slope(points):
    pts = [(math.log10(x), math.log10(y)) for x, y in points if x > 0 and y > 0]
    if len(pts) < 2:
        return float("nan")
    mx, my = sum(p[0] for p in pts) / len(pts), sum(p[1] for p in pts) / len(pts)
    den = sum((p[0] - mx) ** 2 for p in pts)
    return sum((p[0] - mx) * (p[1] - my) for p in pts) / den if den else float("nan")


def table(runs):
    runs = sorted(runs, key=lambda r: r["households"])
    head = ["households", "buildings", "edges"] + STAGES + ["wall", "CPU", "peak RSS MB", "B/household"]
    print("| " + " | ".join(head) + " |")
    print("|" + "---|" * len(head))
    for r in runs:
        cells = [f"{r['households']:,}", f"{r['buildings']:,}", f"{r['edges']:,}"]
        cells += [f"{r['stages'].get(s, float('nan')):.2f}" for s in STAGES]
        cells += [f"{r['wall_s']:.1f}", f"{r['cpu_s']:.1f}", f"{r['peak_rss_kb'] / 1024:,.0f}",
                  f"{r['peak_rss_kb'] * 1024 / r['households']:.0f}"]
        print("| " + " | ".join(cells) + " |")
    slopes = {s: slope([(r["households"], r["stages"].get(s, 0)) for r in runs]) for s in STAGES}
    slopes["whole run (wall)"] = slope([(r["households"], r["wall_s"]) for r in runs])
    slopes["peak RSS"] = slope([(r["households"], r["peak_rss_kb"]) for r in runs])
    print("fitted log-log slopes against households: " + ", ".join(f"{k} {v:.2f}" for k, v in slopes.items()))
    return slopes


def plot(runs, slopes, png):
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    runs = sorted(runs, key=lambda r: r["households"])
    fig, ax = plt.subplots(figsize=(9, 6), dpi=90)
    xs = [r["households"] for r in runs]
    colours = plt.cm.tab20.colors
    for i, s in enumerate(STAGES + ["whole run (wall)"]):
        ys = [r["wall_s"] if s == "whole run (wall)" else r["stages"].get(s, 0) for r in runs]
        if max(ys) <= 0:
            continue
        whole = s.startswith("whole")
        ax.plot(xs, [max(y, 1e-4) for y in ys], marker="os^vD<>ph*X"[i % 11], lw=2.5 if whole else 1.2,
                color="black" if whole else colours[(2 * i) % 20 + (i >= 10)], label=f"{s} (slope {slopes[s]:.2f})")
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlabel("households (synthetic province: the sample tiled into counties)")
    ax.set_ylabel("seconds (wall, 2 shared cores)")
    ax.set_title("gridatlas run --no-render: time per stage against size")
    ax.grid(True, which="both", alpha=0.3)
    ax.legend(fontsize=7, loc="upper left")
    fig.tight_layout()
    fig.savefig(png)
    print(f"wrote {png}")


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("projects", nargs="*", help="project files to run (smallest first is kindest to the machine)")
    ap.add_argument("--gridatlas", default="build/bin/gridatlas")
    ap.add_argument("--json", required=True, help="results file: read if present, each new run added (same project: replaced)")
    ap.add_argument("--png", help="plot to write")
    ap.add_argument("--work", default=None, help="where run outputs go while measured (default: the temp dir)")
    args = ap.parse_args()
    runs = []
    if os.path.exists(args.json):
        with open(args.json, encoding="utf-8") as fh:
            runs = json.load(fh)
    for p in args.projects:
        r = measure(args.gridatlas, p, args.work)
        print(f"{r['households']:,} households: wall {r['wall_s']:.1f} s, CPU {r['cpu_s']:.1f} s, peak RSS "
              f"{r['peak_rss_kb'] / 1024:,.0f} MB, load {r['load_avg']:.1f}", flush=True)
        runs = [x for x in runs if x["project"] != r["project"]] + [r]
        with open(args.json, "w", encoding="utf-8") as fh:
            json.dump(sorted(runs, key=lambda x: x["households"]), fh, indent=1, ensure_ascii=False)
    if not runs:
        sys.exit("province_growth: nothing measured yet")
    slopes = table(runs)
    if args.png:
        plot(runs, slopes, args.png)


if __name__ == "__main__":
    main()
