#!/usr/bin/python3
"""Rows per second of GridAtlas's GeoPackage writer against ogr2ogr writing the same rows, in paired runs.

Runs, alternately and --pairs times each, `gridatlas run --no-render <project> -o <dir>` (its 'write gpkg' stage, from
summary.json: every layer of gridatlas.gpkg written from the engine's results) and `ogr2ogr -f GPKG copy.gpkg
<dir>/gridatlas.gpkg` (the same layers and rows, read back from that file: ogr2ogr also pays for reading). Prints
the rows written, the median wall time of both, rows per second and the ratio GridAtlas / ogr2ogr (≤ 1.5 is the
target of issue 14). Also prints the median wall and CPU of the whole GridAtlas run and its peak RSS, per household.
Usage: scripts/bench_writer.py [--gridatlas build/bin/gridatlas] [--pairs 3] project.toml work_dir
The project is typically scripts/scale_roster.py's (e.g. 1,000,000 households).
"""
import argparse
import json
import os
import resource
import shutil
import sqlite3
import statistics
import subprocess
import sys
import time


def timed(cmd):
    """Runs cmd; returns (wall s, CPU s of the child, peak RSS kB of the child)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.perf_counter()
    done = subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    wall = time.perf_counter() - t0
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode != 0:
        sys.exit(f"bench_writer: {' '.join(cmd)} failed ({done.returncode}):\n{done.stderr[-2000:]}")
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu, after.ru_maxrss


def rows_in(gpkg):
    con = sqlite3.connect(gpkg)
    try:
        tables = [r[0] for r in con.execute("select table_name from gpkg_contents")]
        return sum(con.execute(f'select count(*) from "{t}"').fetchone()[0] for t in tables), tables
    finally:
        con.close()


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("project")
    ap.add_argument("work_dir")
    ap.add_argument("--gridatlas", default="build/bin/gridatlas")
    ap.add_argument("--pairs", type=int, default=3)
    args = ap.parse_args()
    if not shutil.which("ogr2ogr"):
        sys.exit("bench_writer: ogr2ogr not found (Debian: gdal-bin)")
    out = os.path.join(args.work_dir, "gridatlas")
    copy = os.path.join(args.work_dir, "ogr2ogr.gpkg")
    stage, run_wall, run_cpu, peer_wall, peer_cpu, rss = [], [], [], [], [], 0
    for _ in range(max(1, args.pairs)):
        wall, cpu, rss_now = timed([args.gridatlas, "run", "--no-render", args.project, "-o", out])
        rss = max(rss, rss_now)
        with open(os.path.join(out, "summary.json"), encoding="utf-8") as f:
            summary = json.load(f)
        timings = {t["stage"]: t["seconds"] for t in summary["timings"]}
        stage.append(timings["write gpkg"])
        run_wall.append(wall)
        run_cpu.append(cpu)
        if os.path.exists(copy):
            os.remove(copy)
        wall, cpu, _ = timed(["ogr2ogr", "-f", "GPKG", copy, os.path.join(out, "gridatlas.gpkg")])
        peer_wall.append(wall)
        peer_cpu.append(cpu)
    rows, tables = rows_in(os.path.join(out, "gridatlas.gpkg"))
    copied, _ = rows_in(copy)
    if copied != rows:
        sys.exit(f"bench_writer: ogr2ogr wrote {copied} rows, GridAtlas {rows}")
    households = summary.get("households", {}).get("roster") if isinstance(summary.get("households"), dict) else None
    ga, og = statistics.median(stage), statistics.median(peer_wall)
    print(f"rows: {rows} in {len(tables)} layers; {args.pairs} alternating pairs, medians")
    print(f"GridAtlas 'write gpkg': {ga:.2f} s wall = {rows / ga:,.0f} rows/s")
    print(f"ogr2ogr (read + write the same file): {og:.2f} s wall (CPU {statistics.median(peer_cpu):.2f} s) = {rows / og:,.0f} rows/s")
    print(f"ratio GridAtlas / ogr2ogr time: {ga / og:.2f}x (target <= 1.5x)")
    print(f"whole run: {statistics.median(run_wall):.2f} s wall, {statistics.median(run_cpu):.2f} s CPU, peak RSS {rss / 1024:.0f} MB"
          + (f" = {rss * 1024 / households:.0f} bytes a household" if households else ""))


if __name__ == "__main__":
    main()
