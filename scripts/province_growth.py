#!/usr/bin/python3
"""Growth of `gridatlas run --no-render`, stage by stage, on synthetic provinces (scripts/make_province.py).

Runs the product on each given project file, one at a time, under /usr/bin/time -v (wall, user + sys CPU, peak RSS),
sampling the 1-minute load average every 5 s while it runs (the machine is shared: the load says how much of it the
run had) and stopping it if its RSS passes --max-rss-mb; reads every stage's seconds from the run's summary.json. Runs
belong to a series (--series: e.g. the sample's two households a building, or ten with make_province.py
--roster-copies 5). Prints a table per series (households, buildings, walk-network edges, each stage, wall, CPU, peak
RSS, bytes of peak RSS a household, load) and plots seconds against households, log-log, one panel per series, one
line per stage with its fitted slope (least squares on log-log: 1 is linear, 2 quadratic) in the legend. Results are
added to --json, so a later call without project files re-prints and re-plots every size measured so far. Needs
python3-matplotlib for --png.

    scripts/make_province.py --counties 4x4 --roster-copies 5 -o out/prov4k5
    scripts/province_growth.py --json docs/province_growth.json --png docs/province_growth.png \
        --series "10 households a building (K=5)" out/prov4k5/project.toml
"""
import argparse
import json
import math
import os
import re
import subprocess
import signal
import sys
import tempfile
import threading
import time

OLD_SERIES = "2 households a building"
STAGES = ["load layers", "grid hierarchy", "assign households", "walk network", "walking access",
          "coverage statistics", "straight-line circles", "organisation rules", "central households", "liaison",
          "write gpkg"]


def child_pid(pid):
    """The first child of pid (gridatlas under /usr/bin/time), or None while it has not started."""
    try:
        with open(f"/proc/{pid}/task/{pid}/children", encoding="ascii") as fh:
            kids = fh.read().split()
        return int(kids[0]) if kids else None
    except OSError:
        return None


def rss_mb(pid):
    try:
        with open(f"/proc/{pid}/status", encoding="ascii") as fh:
            m = re.search(r"^VmRSS:\s+(\d+) kB", fh.read(), re.M)
        return int(m.group(1)) / 1024 if m else 0.0
    except OSError:
        return 0.0


def watch(proc, max_rss_mb, every_s=5.0):
    """Samples the 1-minute load average while proc runs; kills its gridatlas child (the process this script
    started, by pid) if its RSS passes max_rss_mb. Returns (load samples, killed for memory)."""
    loads, killed = [os.getloadavg()[0]], False
    while proc.poll() is None:
        time.sleep(every_s)
        loads.append(os.getloadavg()[0])
        kid = child_pid(proc.pid)
        if kid and max_rss_mb and rss_mb(kid) > max_rss_mb:
            os.kill(kid, signal.SIGKILL)
            killed = True
    return loads, killed


def time_v(stderr, key):
    m = re.search(rf"^\s*{re.escape(key)}: (.+)$", stderr, re.M)
    return m.group(1).strip() if m else None


def wall_seconds(text):
    parts = [float(p) for p in text.split(":")]
    return sum(p * 60 ** i for i, p in enumerate(reversed(parts)))


def measure(binary, project, keep, max_rss_mb):
    out = tempfile.mkdtemp(prefix="growth_", dir=keep)
    uptime = subprocess.run(["uptime"], capture_output=True, text=True).stdout.strip()
    proc = subprocess.Popen(["/usr/bin/time", "-v", binary, "run", "--no-render", project, "-o", out],
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    box = {}
    reader = threading.Thread(target=lambda: box.update(err=proc.stderr.read()))
    reader.start()
    loads, killed = watch(proc, max_rss_mb)
    reader.join()
    err, rc = box.get("err", ""), proc.wait()
    if killed:
        sys.exit(f"province_growth: stopped gridatlas on {project}: RSS above {max_rss_mb:,.0f} MB")
    wall, peak = time_v(err, "Elapsed (wall clock) time (h:mm:ss or m:ss)"), time_v(err, "Maximum resident set size (kbytes)")
    if rc != 0 or not wall or not peak:
        sys.exit(f"province_growth: gridatlas run on {project} exited {rc}: {err[-2000:]}")
    with open(os.path.join(out, "summary.json"), encoding="utf-8") as fh:
        s = json.load(fh)
    subprocess.run(["rm", "-rf", out], check=True)
    return {"project": os.path.abspath(project), "households": s["households"]["roster"],
            "buildings": s["inputs"]["buildings"], "edges": s["walk_network"]["edges"],
            "grids": s["inputs"]["grids"], "wall_s": wall_seconds(wall),
            "cpu_s": float(time_v(err, "User time (seconds)")) + float(time_v(err, "System time (seconds)")),
            "peak_rss_kb": int(peak), "stages": {t["stage"]: t["seconds"] for t in s["timings"]},
            "load_avg": sum(loads) / len(loads), "load_max": max(loads), "uptime_before": uptime}


def slope(points):
    pts = [(math.log10(x), math.log10(y)) for x, y in points if x > 0 and y > 0]
    if len(pts) < 2:
        return float("nan")
    mx, my = sum(p[0] for p in pts) / len(pts), sum(p[1] for p in pts) / len(pts)
    den = sum((p[0] - mx) ** 2 for p in pts)
    return sum((p[0] - mx) * (p[1] - my) for p in pts) / den if den else float("nan")


def by_series(runs):
    """{series label: its runs, smallest first}, series in the order of their smallest run's households a building."""
    groups = {}
    for r in runs:
        groups.setdefault(r.get("series", OLD_SERIES), []).append(r)
    for g in groups.values():
        g.sort(key=lambda r: r["households"])
    return dict(sorted(groups.items(), key=lambda kv: kv[1][0]["households"] / max(1, kv[1][0]["buildings"])))


def table(label, runs):
    """Prints one series' table and its fitted slopes; returns the slopes."""
    head = ["households", "buildings", "edges"] + STAGES + ["wall", "CPU", "peak RSS MB", "B/household", "load"]
    print(f"\n{label}:\n| " + " | ".join(head) + " |")
    print("|" + "---|" * len(head))
    for r in runs:
        cells = [f"{r['households']:,}", f"{r['buildings']:,}", f"{r['edges']:,}"]
        cells += [f"{r['stages'].get(s, float('nan')):.2f}" for s in STAGES]
        cells += [f"{r['wall_s']:.1f}", f"{r['cpu_s']:.1f}", f"{r['peak_rss_kb'] / 1024:,.0f}",
                  f"{r['peak_rss_kb'] * 1024 / r['households']:.0f}",
                  f"{r['load_avg']:.1f}" + (f" (max {r['load_max']:.1f})" if "load_max" in r else "")]
        print("| " + " | ".join(cells) + " |")
    slopes = {s: slope([(r["households"], r["stages"].get(s, 0)) for r in runs]) for s in STAGES}
    slopes["whole run (wall)"] = slope([(r["households"], r["wall_s"]) for r in runs])
    slopes["CPU"] = slope([(r["households"], r["cpu_s"]) for r in runs])
    slopes["peak RSS"] = slope([(r["households"], r["peak_rss_kb"]) for r in runs])
    print(f"fitted log-log slopes against households ({runs[0]['households']:,} to {runs[-1]['households']:,}): "
          + ", ".join(f"{k} {v:.2f}" for k, v in slopes.items()))
    return slopes


def plot_series(ax, label, runs, slopes, colours):
    xs = [r["households"] for r in runs]
    for i, s in enumerate(STAGES + ["whole run (wall)"]):
        ys = [r["wall_s"] if s == "whole run (wall)" else r["stages"].get(s, 0) for r in runs]
        if max(ys) <= 0:
            continue
        whole = s.startswith("whole")
        ax.plot(xs, [max(y, 1e-4) for y in ys], marker="os^vD<>ph*X"[i % 11], lw=2.5 if whole else 1.2,
                color="black" if whole else colours[(2 * i) % 20 + (i >= 10)], label=f"{s} (slope {slopes[s]:.2f})")
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlabel("households")
    ax.set_title(f"{label}: {runs[0]['buildings']:,} to {runs[-1]['buildings']:,} buildings", fontsize=10)
    ax.grid(True, which="both", alpha=0.3)
    ax.legend(fontsize=7, loc="upper left")


def plot(groups, slopes, png):
    """One panel per series, side by side on the same seconds axis."""
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    fig, axes = plt.subplots(1, len(groups), figsize=(7.5 * len(groups), 6.5), dpi=90, sharex=True, sharey=True,
                             squeeze=False)
    for ax, (label, runs) in zip(axes[0], groups.items()):
        plot_series(ax, label, runs, slopes[label], plt.cm.tab20.colors)
    axes[0][0].set_ylabel("seconds (wall, 2 shared cores)")
    fig.suptitle("gridatlas run --no-render on synthetic provinces (the sample tiled into counties): seconds per stage")
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
    ap.add_argument("--series", default=OLD_SERIES, help="label of the series the runs belong to (default: %(default)s)")
    ap.add_argument("--max-rss-mb", type=float, default=21 * 1024,
                    help="stop a run whose RSS passes this (default %(default).0f MB; 0: never)")
    args = ap.parse_args()
    runs = []
    if os.path.exists(args.json):
        with open(args.json, encoding="utf-8") as fh:
            runs = json.load(fh)
    for p in args.projects:
        r = measure(args.gridatlas, p, args.work, args.max_rss_mb)
        r["series"] = args.series
        print(f"{r['households']:,} households: wall {r['wall_s']:.1f} s, CPU {r['cpu_s']:.1f} s, peak RSS "
              f"{r['peak_rss_kb'] / 1024:,.0f} MB, load {r['load_avg']:.1f} (max {r['load_max']:.1f})", flush=True)
        runs = [x for x in runs if (x["project"], x.get("series", OLD_SERIES)) != (r["project"], r["series"])] + [r]
        with open(args.json, "w", encoding="utf-8") as fh:
            json.dump(sorted(runs, key=lambda x: x["households"]), fh, indent=1, ensure_ascii=False)
    if not runs:
        sys.exit("province_growth: nothing measured yet")
    groups = by_series(runs)
    slopes = {label: table(label, g) for label, g in groups.items()}
    if args.png:
        plot(groups, slopes, args.png)


if __name__ == "__main__":
    main()
