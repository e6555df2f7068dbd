#!/usr/bin/python3
"""GeoPandas peer for GridAtlas's household assignment (household → building → grid at every level).

Reads the project's own inputs (the roster CSV, the buildings and every grid level named in the project file),
reprojects them to the run's working CRS, and does the join the GeoPandas way:

  * the finest level: buildings overlaid with its grids (gpd.overlay, intersection), each building going to the grid
    with the largest overlap (> 0; equal overlaps: the grid that comes first in its layer);
  * coarser levels follow the parent chain: a grid's parent is the grid one level up whose code is its parent_code,
    else the one it overlaps most; a building in no grid of the level below is overlaid with the level directly;
  * the roster merged on building id; a row is left unassigned when a previous row has the same (non-empty) household
    id, when it names no building, or when its building id is unknown or used by several building features.

This is GridAtlas's documented rule set (engine/hierarchy/grid_tree.hpp, engine/assign/household_assignment.hpp).
Compares the codes per household with GridAtlas's households table and exits non-zero on any mismatch. The GridAtlas
result is either gridatlas.gpkg of `gridatlas run` (summary.json beside it), or the output directory of
`gridatlas assign` (assignment.json and households.csv, read with pandas: fast for the 1,000,000-row roster of
scripts/scale_roster.py, whose project file the JSON names, so the peer reads the same scaled roster):
  scripts/scale_roster.py -o out/bench1m
  build/bin/gridatlas assign out/bench1m/project.toml -o out/bench1m/gridatlas
  scripts/peer_geopandas.py out/bench1m/gridatlas --bench-json out/bench/bench_assign.json

Timing: from the loaded, reprojected GeoDataFrames to the per-household codes (reading and reprojecting are not
timed, as GridAtlas's 'load layers' is not counted), best of --repeat runs, against GridAtlas's 'grid hierarchy' +
'assign households' from the run's summary.json (or assignment.json) and, with --bench-json, BM_BuildGridTree +
BM_AssignHouseholds_Sample (BM_AssignHouseholds_1M when the roster has 1,000,000 rows; --bench-names to choose).
The CPU time of the same GeoPandas run (time.process_time) against the benchmarks' CPU time gives a third ratio, which
a busy machine does not change.
"""
import argparse
import json
import math
import os
import sys
import time
import warnings

try:
    import tomllib
except ImportError:
    sys.exit("peer_geopandas: needs Python 3.11+ (tomllib) to read the project file")
try:
    import pandas as pd
    import geopandas as gpd
except ImportError:
    sys.exit("peer_geopandas: geopandas is missing: apt-get install -y python3-geopandas")


def layer_source(cfg, section, project_dir):
    """A [section] table of the project file: the file (relative to the project file), layer and field mapping."""
    t = dict(section)
    path = os.path.join(project_dir, t.pop("file"))
    layer = t.pop("layer", None)
    t.pop("crs", None)
    return path, layer, t


def make_valid(gdf):
    bad = ~gdf.geometry.is_valid
    if bad.any():
        from shapely.validation import make_valid as mv
        gdf.loc[bad, "geometry"] = gdf.loc[bad, "geometry"].apply(mv)
    return gdf


def load_inputs(project, working_crs):
    with open(project, "rb") as fh:
        cfg = tomllib.load(fh)
    pdir = os.path.dirname(os.path.abspath(project))

    bpath, blayer, bmap = layer_source(cfg, cfg["buildings"], pdir)
    buildings = gpd.read_file(bpath, layer=blayer)
    buildings = buildings[[bmap["id"], "geometry"]].rename(columns={bmap["id"]: "building_id"})
    buildings["building_id"] = buildings["building_id"].fillna("").astype(str)

    hpath, _, hmap = layer_source(cfg, cfg["households"], pdir)
    households = pd.read_csv(hpath, dtype=str, keep_default_na=False, usecols=[hmap["id"], hmap["building"]])
    households = households.rename(columns={hmap["id"]: "household_id", hmap["building"]: "building_id"})

    levels = []
    for lv in cfg["grid_levels"]:
        path, layer, m = layer_source(cfg, lv, pdir)
        for k in ("key", "label"):
            m.pop(k, None)
        g = gpd.read_file(path, layer=layer)
        cols = {m["code"]: "code"}
        if "parent_code" in m:
            cols[m["parent_code"]] = "parent_code"
        g = g[list(cols) + ["geometry"]].rename(columns=cols)
        if "parent_code" not in g:
            g["parent_code"] = ""
        g["code"] = g["code"].fillna("").astype(str)
        g["parent_code"] = g["parent_code"].fillna("").astype(str)
        g = g[~(g.geometry.isna() | g.geometry.is_empty)]
        g = make_valid(g.to_crs(working_crs)).reset_index(drop=True)
        # GridAtlas names a grid without a code after its level and feature (approximated by its position here).
        g.loc[g["code"] == "", "code"] = [f"{lv['key']}-fid{i + 1}" for i in g.index[g["code"] == ""]]
        g["gidx"] = range(len(g))
        levels.append((lv["key"], g))

    buildings = buildings.to_crs(working_crs)
    usable = ~(buildings.geometry.isna() | buildings.geometry.is_empty)
    rejected_ids = set(buildings.loc[~usable, "building_id"])
    buildings = make_valid(buildings[usable].copy()).reset_index(drop=True)
    buildings["bidx"] = range(len(buildings))
    return buildings, rejected_ids, households, levels


def largest_overlap(left, left_key, right):
    """left_key → gidx of the `right` grid with the largest intersection area (> 0); ties: lowest gidx."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        inter = gpd.overlay(left[[left_key, "geometry"]], right[["gidx", "geometry"]], how="intersection",
                            keep_geom_type=True)
    inter["area"] = inter.geometry.area
    inter = inter[inter["area"] > 0].sort_values([left_key, "area", "gidx"], ascending=[True, False, True])
    return inter.drop_duplicates(left_key).set_index(left_key)["gidx"]


def assign(buildings, rejected_ids, households, levels):
    n = len(levels)
    # Parent of every grid below the top: by parent code (the first grid with a code keeps it), else largest overlap.
    parent = [None] * n
    for l in range(1, n):
        up = levels[l - 1][1]
        g = levels[l][1]
        first_by_code = up.drop_duplicates("code").set_index("code")["gidx"]
        p = g["parent_code"].map(first_by_code)
        need = p.isna()
        if need.any():
            by_overlap = largest_overlap(g[need], "gidx", up)
            p[need] = g.loc[need, "gidx"].map(by_overlap)
        parent[l] = p  # indexed like g (gidx), NaN: orphan

    # Buildings: the finest level by largest overlap, coarser ones up the parent chain (directly where it breaks).
    grid_of = [None] * n
    below = None
    for l in range(n - 1, -1, -1):
        g = levels[l][1]
        cur = pd.Series(float("nan"), index=buildings["bidx"])
        if below is not None:
            cur = below.map(parent[l + 1])
        need = cur.isna()
        if need.any():
            direct = largest_overlap(buildings[need.values], "bidx", g)
            cur[need] = cur.index[need].map(direct)
        grid_of[l] = cur
        below = cur

    # Building codes per level, then the roster joined on building id.
    table = pd.DataFrame({"building_id": buildings["building_id"].values})
    for l, (key, g) in enumerate(levels):
        codes = g["code"].values
        table[f"{key}_code"] = [codes[int(i)] if not math.isnan(i) else None for i in grid_of[l].values]
    counts = table["building_id"].value_counts()
    table = table[table["building_id"].map(counts) == 1]          # ids used by several features: ambiguous

    hh = households.copy()
    dup = (hh["household_id"] != "") & hh["household_id"].duplicated(keep="first")
    bad = dup | (hh["building_id"] == "") | hh["building_id"].isin(rejected_ids)
    out = hh.merge(table, on="building_id", how="left", validate="many_to_one")
    code_cols = [f"{key}_code" for key, _ in levels]
    out.loc[bad.values, code_cols] = None
    return out


def gridatlas_seconds(summary_path):
    with open(summary_path, encoding="utf-8") as fh:
        summary = json.load(fh)
    timings = {t["stage"]: t["seconds"] for t in summary.get("timings", [])}
    for s in ("grid hierarchy", "assign households"):
        if s not in timings:
            sys.exit(f"peer_geopandas: {summary_path} has no timing for '{s}'")
    return timings["grid hierarchy"] + timings["assign households"], summary


def bench_seconds(bench_json, names):
    with open(bench_json, encoding="utf-8") as fh:
        bench = json.load(fh)
    scale = {"ns": 1e-9, "us": 1e-6, "ms": 1e-3, "s": 1.0}
    found = {}
    for b in bench.get("benchmarks", []):
        name = b["name"].split("/")[0]
        if name in names and b.get("run_type", "iteration") == "iteration":
            unit = scale[b.get("time_unit", "ns")]
            found[name] = (b["real_time"] * unit, b["cpu_time"] * unit)
    if len(found) != len(names):
        return None, None
    return sum(r for r, _ in found.values()), sum(c for _, c in found.values())


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("gpkg", nargs="?", default="out/sample/gridatlas.gpkg",
                    help="GridAtlas result: gridatlas.gpkg of `run`, or the output directory of `assign` (default: %(default)s)")
    ap.add_argument("--summary", help="summary.json / assignment.json of the same run (default: beside the gpkg, in the directory)")
    ap.add_argument("--project", help="project file (default: summary.json's project_file)")
    ap.add_argument("--bench-json", help="bench_assign --benchmark_out JSON, for a second GridAtlas time")
    ap.add_argument("--bench-names", help="benchmarks whose times add up to the second GridAtlas time (comma-separated; "
                    "default: BM_BuildGridTree with BM_AssignHouseholds_1M for a 1,000,000-row roster, else _Sample)")
    ap.add_argument("--repeat", type=int, default=1, help="GeoPandas timing: best of this many runs (default: %(default)s)")
    ap.add_argument("--pairs", type=int, default=0, help="paired mode: alternate `gridatlas assign` (and --bench-bin) with "
                    "the GeoPandas run this many times and print medians and spread of the per-pair ratios (scripts/peer_pairs.py)")
    ap.add_argument("--gridatlas", default="build/bin/gridatlas", help="gridatlas binary for --pairs (default: %(default)s)")
    ap.add_argument("--bench-bin", help="bench_assign binary for --pairs: GridAtlas's CPU time for the same stages")
    args = ap.parse_args()

    if os.path.isdir(args.gpkg):
        ga_dir = args.gpkg
        json_name = "assignment.json" if os.path.exists(os.path.join(ga_dir, "assignment.json")) else "summary.json"
        reference = os.path.join(ga_dir, "households.csv")
        if not os.path.exists(reference):
            reference = os.path.join(ga_dir, "gridatlas.gpkg")
    else:
        ga_dir, json_name, reference = os.path.dirname(os.path.abspath(args.gpkg)), "summary.json", args.gpkg
    summary_path = args.summary or os.path.join(ga_dir, json_name)
    ga_run_s, summary = gridatlas_seconds(summary_path)
    project = args.project or summary["project_file"]
    working_crs = summary["working_crs"]

    buildings, rejected_ids, households, levels = load_inputs(project, working_crs)
    if args.pairs > 0:
        paired(args, project, buildings, rejected_ids, households, levels)
    best = best_cpu = math.inf
    for _ in range(1 if args.pairs > 0 else max(1, args.repeat)):
        t0, c0 = time.perf_counter(), time.process_time()
        peer = assign(buildings, rejected_ids, households, levels)
        best = min(best, time.perf_counter() - t0)
        best_cpu = min(best_cpu, time.process_time() - c0)

    if reference.endswith(".csv"):
        ga = pd.read_csv(reference, dtype=str, keep_default_na=False)
    else:
        ga = gpd.read_file(reference, layer="households", ignore_geometry=True)
    print(f"GeoPandas {gpd.__version__} peer on {project} ({working_crs}): {len(buildings)} buildings, "
          f"{len(households)} roster rows, levels " + ", ".join(f"{k} ({len(g)})" for k, g in levels))
    failures = 0
    if len(ga) != len(peer) or list(ga["household_id"].fillna("")) != list(peer["household_id"]):
        print(f"households differ in number or order: GridAtlas {len(ga)}, peer {len(peer)}")
        failures += 1
    else:
        print(f"{'level':<12} {'households':>10} {'assigned':>9} {'mismatches':>11}")
        for key, _ in levels:
            a = ga[f"{key}_code"].fillna("").astype(str).values
            b = peer[f"{key}_code"].fillna("").astype(str).values
            mism = [(i, a[i], b[i]) for i in range(len(a)) if a[i] != b[i]]
            failures += len(mism)
            print(f"{key:<12} {len(a):>10} {sum(1 for x in b if x):>9} {len(mism):>11}")
            for i, x, y in mism[:5]:
                print(f"    {peer['household_id'].iloc[i]} (building {peer['building_id'].iloc[i]}): "
                      f"GridAtlas '{x}', GeoPandas '{y}'")

    print(f"time  GeoPandas (overlay + parents + roster merge, best of {max(1, args.repeat)}): {best:.3f} s "
          f"(CPU {best_cpu:.3f} s)")
    print(f"time  GridAtlas run 'grid hierarchy' + 'assign households' ({os.path.basename(summary_path)}): {ga_run_s:.3f} s"
          f"  -> ratio GeoPandas/GridAtlas {best / ga_run_s if ga_run_s > 0 else math.inf:.1f}x")
    ratio_bench = ratio_cpu = None
    if args.bench_json:
        names = tuple(args.bench_names.split(",")) if args.bench_names else (
            "BM_BuildGridTree", "BM_AssignHouseholds_1M" if len(households) == 1_000_000 else "BM_AssignHouseholds_Sample")
        ga_bench_s, ga_bench_cpu = bench_seconds(args.bench_json, names)
        if ga_bench_s:
            ratio_bench = best / ga_bench_s
            print(f"time  GridAtlas bench_assign {' + '.join(names)}: {ga_bench_s:.3f} s"
                  f"  -> ratio GeoPandas/GridAtlas {ratio_bench:.1f}x")
        if ga_bench_cpu:
            ratio_cpu = best_cpu / ga_bench_cpu
            print(f"cpu   GridAtlas bench_assign {' + '.join(names)}: {ga_bench_cpu:.3f} s"
                  f"  -> CPU ratio GeoPandas/GridAtlas {ratio_cpu:.1f}x (CPU time: what the machine's load does not change)")
    print("RESULT " + json.dumps({"peer": "geopandas", "households": len(households), "peer_s": round(best, 4), "gridatlas_run_s": round(ga_run_s, 4),
                                  "ratio_run": round(best / ga_run_s, 2) if ga_run_s > 0 else None,
                                  "ratio_bench": round(ratio_bench, 2) if ratio_bench else None,
                                  "peer_cpu_s": round(best_cpu, 3),
                                  "ratio_cpu": round(ratio_cpu, 2) if ratio_cpu else None,
                                  "mismatches": failures}))
    if failures:
        print(f"FAIL: {failures} household codes differ from GridAtlas's", file=sys.stderr)
        return 1
    return 0


def paired(args, project, buildings, rejected_ids, households, levels):
    """Alternates GridAtlas (`gridatlas assign`: 'grid hierarchy' + 'assign households'; bench_assign's CPU time of
    BM_BuildGridTree + the assignment benchmark) and the GeoPandas assignment, --pairs times; prints medians."""
    import tempfile
    import peer_pairs
    names = tuple(args.bench_names.split(",")) if args.bench_names else (
        "BM_BuildGridTree", "BM_AssignHouseholds_1M" if len(households) == 1_000_000 else "BM_AssignHouseholds_Sample")
    tmp = tempfile.mkdtemp(prefix="peer_gpd_")

    def ga_once():
        return peer_pairs.gridatlas_once(args, "assign", project, tmp, ("grid hierarchy", "assign households"), names)

    def peer_once():
        return peer_pairs.timed(lambda: assign(buildings, rejected_ids, households, levels))

    print(f"GeoPandas {gpd.__version__} vs GridAtlas on {project}: {len(households)} roster rows, {args.pairs} "
          f"alternating pairs; GridAtlas = `{args.gridatlas} assign` stages" +
          (f" and {args.bench_bin} {' + '.join(names)}" if args.bench_bin else ""))
    pairs = peer_pairs.run_pairs(args.pairs, ga_once, peer_once, "GeoPandas")
    peer_pairs.report(pairs, "GeoPandas", [("wall (assign stages)", "wall", "stages_wall"),
                                           ("wall (bench)", "wall", "bench_wall"),
                                           ("CPU (bench)", "cpu", "bench_cpu")])


if __name__ == "__main__":
    sys.exit(main())
