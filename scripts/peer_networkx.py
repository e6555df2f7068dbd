#!/usr/bin/python3
"""NetworkX peer for GridAtlas's walking access.

Reads a GridAtlas result (gridatlas.gpkg) with the GDAL/OGR Python bindings, rebuilds the walk network as a
networkx.Graph from the walk_network layer and recomputes, for every service kind, the network distance from every
snapped building to the nearest facility of that kind, with GridAtlas's snapping semantics:

  * a point snapped on edge e at along a (metres from the edge's from_node) with access leg o reaches from_node at
    cost o + a and to_node at cost o + (length - a): one virtual node per snapped building and facility, joined to
    both end nodes of its edge with those costs;
  * a building and a facility snapped on the same edge are also joined directly at cost o_b + |a_b - a_f| + o_f.

No virtual node can shorten a path between two other nodes (going through one costs at least the edge it sits on),
so all of them live in one graph and each kind is a single nx.multi_source_dijkstra_path_length from its facilities,
cut off at GridAtlas's search limit (summary.json walking.search_limit_minutes) as GridAtlas's own search is.

Compares with GridAtlas's min_<kind> (minutes, rounded to 0.01 → ±0.33 m at 1.1 m/s; tolerance 1 m) and exits
non-zero when any building differs by more than the tolerance or is reached by one side only.

Timing: the NetworkX side is graph construction + every kind's Dijkstra + reading off the building distances (best
of --repeat runs; reading the gpkg is not timed). The GridAtlas side is 'walk network' + 'walking access' from the
run's summary.json (which also includes noding the raw roads and snapping every building and facility, work the
peer gets for free from the gpkg), and, with --bench-json, BM_NetworkPlusAccess from bench_access's JSON output.
"""
import argparse
import json
import math
import os
import sys
import time

try:
    import tomllib
except ImportError:  # Python < 3.11
    tomllib = None

try:
    from osgeo import ogr
except ImportError:
    sys.exit("peer_networkx: the GDAL Python bindings are missing: apt-get install -y python3-gdal")
try:
    import networkx as nx
except ImportError:
    sys.exit("peer_networkx: networkx is missing: apt-get install -y python3-networkx")

TOLERANCE_M = 1.0


def read_layer(ds, name, fields):
    layer = ds.GetLayerByName(name)
    if layer is None:
        sys.exit(f"peer_networkx: the gpkg has no layer '{name}'")
    defn = layer.GetLayerDefn()
    present = {defn.GetFieldDefn(i).GetName() for i in range(defn.GetFieldCount())}
    missing = [f for f in fields if f not in present]
    if missing:
        sys.exit(f"peer_networkx: layer '{name}' lacks fields {missing}")
    layer.SetIgnoredFields(["OGR_GEOMETRY"] + sorted(present - set(fields)))
    rows = []
    for feat in layer:
        rows.append({f: (feat.GetField(f) if feat.IsFieldSetAndNotNull(f) else None) for f in fields})
    return rows


def load(gpkg, kinds_hint):
    ogr.UseExceptions()
    ds = ogr.Open(gpkg)
    if ds is None:
        sys.exit(f"peer_networkx: cannot open {gpkg}")
    blayer = ds.GetLayerByName("buildings")
    bdefn = blayer.GetLayerDefn()
    bfields = [bdefn.GetFieldDefn(i).GetName() for i in range(bdefn.GetFieldCount())]
    kinds = kinds_hint or [f[len("min_"):] for f in bfields if f.startswith("min_")]
    edges = read_layer(ds, "walk_network", ["edge", "from_node", "to_node", "length_m"])
    buildings = read_layer(ds, "buildings", ["building_id", "residential", "snap_edge", "snap_along_m", "snap_offset_m"]
                           + [f"min_{k}" for k in kinds])
    facilities = read_layer(ds, "facilities", ["facility_id", "kind", "snap_edge", "snap_along_m", "snap_offset_m"])
    return kinds, edges, buildings, facilities


def add_min_edge(g, u, v, w):
    """Parallel edges (and repeated joins) keep the shortest weight, as a multigraph's Dijkstra would."""
    d = g.get_edge_data(u, v)
    if d is None or w < d["weight"]:
        g.add_edge(u, v, weight=w)


def compute(kinds, edges, buildings, facilities, cutoff_m=None):
    edge_by_index = {}
    g = nx.Graph()
    for e in edges:
        i, u, v, w = int(e["edge"]), int(e["from_node"]), int(e["to_node"]), float(e["length_m"])
        edge_by_index[i] = (u, v, w)
        if u != v:  # a closed loop edge never shortens a path; it only matters for what is snapped onto it
            add_min_edge(g, ("n", u), ("n", v), w)
        else:
            g.add_node(("n", u))

    def attach(node, snap_edge, along, offset):
        u, v, length = edge_by_index[snap_edge]
        add_min_edge(g, node, ("n", u), offset + along)
        add_min_edge(g, node, ("n", v), offset + (length - along))

    snapped_facilities = {}  # kind -> [virtual node]
    on_edge = {}             # edge -> [(facility index, along, offset)]
    for i, f in enumerate(facilities):
        if f["snap_edge"] is None:
            continue
        node = ("f", i)
        attach(node, int(f["snap_edge"]), float(f["snap_along_m"]), float(f["snap_offset_m"]))
        snapped_facilities.setdefault(f["kind"], []).append(node)
        on_edge.setdefault(int(f["snap_edge"]), []).append((i, float(f["snap_along_m"]), float(f["snap_offset_m"])))

    snapped_buildings = []
    for i, b in enumerate(buildings):
        if b["snap_edge"] is None:
            continue
        node = ("b", i)
        e, a, o = int(b["snap_edge"]), float(b["snap_along_m"]), float(b["snap_offset_m"])
        attach(node, e, a, o)
        for fi, fa, fo in on_edge.get(e, ()):
            add_min_edge(g, node, ("f", fi), o + abs(a - fa) + fo)
        snapped_buildings.append(i)

    result = {}
    for kind in kinds:
        sources = snapped_facilities.get(kind, [])
        dist = nx.multi_source_dijkstra_path_length(g, sources, cutoff=cutoff_m, weight="weight") if sources else {}
        result[kind] = {i: dist.get(("b", i), math.inf) for i in snapped_buildings}
    return g, result


def gridatlas_seconds_from_summary(summary_path):
    with open(summary_path, encoding="utf-8") as fh:
        summary = json.load(fh)
    timings = {t["stage"]: t["seconds"] for t in summary.get("timings", [])}
    missing = [s for s in ("walk network", "walking access") if s not in timings]
    if missing:
        sys.exit(f"peer_networkx: {summary_path} has no timings for {missing}")
    return timings["walk network"] + timings["walking access"], summary


def gridatlas_seconds_from_bench(bench_json, name="BM_NetworkPlusAccess"):
    """(real, cpu) seconds of one benchmark: its 'mean' aggregate when the run has repetitions, else its iteration."""
    with open(bench_json, encoding="utf-8") as fh:
        bench = json.load(fh)
    scale = {"ns": 1e-9, "us": 1e-6, "ms": 1e-3, "s": 1.0}
    found = None
    for b in bench.get("benchmarks", []):
        if b.get("run_name", b["name"].split("/")[0]).split("/")[0] != name:
            continue
        unit = scale[b.get("time_unit", "ns")]
        if b.get("run_type") == "aggregate" and b.get("aggregate_name") == "mean":
            return b["real_time"] * unit, b["cpu_time"] * unit
        if b.get("run_type", "iteration") == "iteration" and found is None:
            found = (b["real_time"] * unit, b["cpu_time"] * unit)
    return found


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("gpkg", nargs="?", default="out/sample/gridatlas.gpkg", help="GridAtlas result (default: %(default)s)")
    ap.add_argument("--summary", help="summary.json of the same run (default: beside the gpkg)")
    ap.add_argument("--project", help="project file, for the walking speed (default: summary.json's project_file)")
    ap.add_argument("--bench-json", help="bench_access --benchmark_out JSON, for a second GridAtlas time")
    ap.add_argument("--repeat", type=int, default=3, help="NetworkX timing: best of this many runs (default: %(default)s)")
    ap.add_argument("--pairs", type=int, default=0, help="paired mode: alternate `gridatlas run --no-render` (its 'walk "
                    "network' + 'walking access' stages: the product's path, noding and snapping included) and "
                    "--bench-bin's BM_NetworkPlusAccess with one NetworkX run, this many times; medians and spread")
    ap.add_argument("--gridatlas", default="build/bin/gridatlas", help="gridatlas binary for --pairs (default: %(default)s)")
    ap.add_argument("--bench-bin", help="bench_access binary for --pairs: CPU time of BM_NetworkPlusAccess")
    args = ap.parse_args()

    summary_path = args.summary or os.path.join(os.path.dirname(os.path.abspath(args.gpkg)), "summary.json")
    ga_run_s, summary = gridatlas_seconds_from_summary(summary_path)
    project = args.project or summary.get("project_file")
    speed = 1.1
    kinds_hint = None
    if project and tomllib:
        with open(project, "rb") as fh:
            cfg = tomllib.load(fh)
        speed = float(cfg.get("walking", {}).get("speed_m_per_s", speed))
        kinds_hint = [k["key"] for k in cfg.get("service_kinds", [])] or None
    elif project:
        print("peer_networkx: no tomllib; assuming 1.1 m/s", file=sys.stderr)

    kinds, edges, buildings, facilities = load(args.gpkg, kinds_hint)
    # GridAtlas stops each kind's search at [walking] search_limit_min (summary.json); NetworkX does the same work
    # (Dijkstra with a cutoff), and a pair within the tolerance of the limit may fall on either side of it.
    limit_min = summary.get("walking", {}).get("search_limit_minutes")
    cutoff_m = None if limit_min is None else float(limit_min) * 60.0 * speed

    if args.pairs > 0:
        paired(args, project, kinds, edges, buildings, facilities, cutoff_m)
    best = best_cpu = math.inf
    for _ in range(1 if args.pairs > 0 else max(1, args.repeat)):
        t0, c0 = time.perf_counter(), time.process_time()
        g, dist = compute(kinds, edges, buildings, facilities, cutoff_m)
        best = min(best, time.perf_counter() - t0)
        best_cpu = min(best_cpu, time.process_time() - c0)

    print(f"NetworkX {nx.__version__} peer on {args.gpkg}: {len(edges)} edges, graph of {g.number_of_nodes()} nodes "
          f"(incl. virtual) / {g.number_of_edges()} edges; speed {speed} m/s, tolerance {TOLERANCE_M} m, "
          f"search limit {'none' if cutoff_m is None else f'{limit_min:g} min = {cutoff_m:.0f} m'}")
    print(f"{'kind':<20} {'compared':>8} {'reached':>8} {'max |diff| m':>13} {'> 1 m':>6} {'reach mismatch':>15}")
    failures = 0
    total_compared = 0
    overall_max = 0.0
    for kind in kinds:
        compared = reached = beyond = reach_mismatch = 0
        max_diff = 0.0
        worst = None
        for i, nx_m in dist[kind].items():
            minutes = buildings[i][f"min_{kind}"]
            ga_m = math.inf if minutes is None else float(minutes) * 60.0 * speed
            compared += 1
            if math.isinf(nx_m) or math.isinf(ga_m):
                finite = ga_m if math.isinf(nx_m) else nx_m
                at_the_limit = cutoff_m is not None and abs(finite - cutoff_m) <= TOLERANCE_M
                if math.isinf(nx_m) != math.isinf(ga_m) and not at_the_limit:
                    reach_mismatch += 1
                    worst = worst or (buildings[i]["building_id"], nx_m, ga_m)
                continue
            reached += 1
            d = abs(nx_m - ga_m)
            if d > max_diff:
                max_diff = d
                if d > TOLERANCE_M:
                    worst = (buildings[i]["building_id"], nx_m, ga_m)
            beyond += d > TOLERANCE_M
        total_compared += compared
        overall_max = max(overall_max, max_diff)
        failures += beyond + reach_mismatch
        print(f"{kind:<20} {compared:>8} {reached:>8} {max_diff:>13.3f} {beyond:>6} {reach_mismatch:>15}")
        if worst and (beyond or reach_mismatch):
            print(f"    e.g. building {worst[0]}: networkx {worst[1]:.2f} m, GridAtlas {worst[2]:.2f} m")

    print(f"all kinds: {total_compared} building×kind pairs, max |diff| {overall_max:.3f} m, {failures} beyond tolerance")
    print(f"time  NetworkX (graph + {len(kinds)} kinds, best of {1 if args.pairs > 0 else max(1, args.repeat)}): {best:.3f} s real, {best_cpu:.3f} s CPU")
    print(f"time  GridAtlas run 'walk network' + 'walking access' (summary.json): {ga_run_s:.3f} s"
          f"  -> ratio NetworkX/GridAtlas {best / ga_run_s if ga_run_s > 0 else math.inf:.1f}x")
    ratio_bench = None
    ratio_paths = None
    if args.bench_json:
        ga_bench = gridatlas_seconds_from_bench(args.bench_json)
        if ga_bench:
            ratio_bench = best / ga_bench[0]
            print(f"time  GridAtlas bench_access BM_NetworkPlusAccess: {ga_bench[0]:.4f} s real, {ga_bench[1]:.4f} s CPU"
                  f"  -> ratio NetworkX/GridAtlas {ratio_bench:.1f}x (wall), {best_cpu / ga_bench[1]:.1f}x (CPU)")
        # Like for like: the peer's own work (graph from noded edges + one multi-source pass per kind from the same
        # snaps). The two lines above also charge GridAtlas for noding the raw lines and snapping.
        ga_paths = gridatlas_seconds_from_bench(args.bench_json, "BM_ShortestPathsFromSnaps")
        if ga_paths:
            ratio_paths = best / ga_paths[0]
            print(f"time  GridAtlas bench_access BM_ShortestPathsFromSnaps (same work as the peer): {ga_paths[0]:.4f} s real, "
                  f"{ga_paths[1]:.4f} s CPU  -> ratio NetworkX/GridAtlas {ratio_paths:.1f}x (wall), "
                  f"{best_cpu / ga_paths[1]:.1f}x (CPU)")
    # One machine-readable line for scripts/bench.sh.
    print("RESULT " + json.dumps({"peer": "networkx", "peer_s": round(best, 4), "gridatlas_run_s": ga_run_s,
                                  "ratio_run": round(best / ga_run_s, 2) if ga_run_s > 0 else None,
                                  "ratio_bench": round(ratio_bench, 2) if ratio_bench else None,
                                  "ratio_same_work": round(ratio_paths, 2) if ratio_paths else None,
                                  "max_diff_m": round(overall_max, 3), "failures": failures}))
    if failures:
        print(f"FAIL: {failures} building×kind distances differ by more than {TOLERANCE_M} m or in reachability",
              file=sys.stderr)
        return 1
    return 0


def paired(args, project, kinds, edges, buildings, facilities, cutoff_m):
    """Alternates GridAtlas's product path (`gridatlas run --no-render`: 'walk network' + 'walking access', which also
    nodes the raw roads and snaps every building and facility; bench_access's BM_NetworkPlusAccess, the same calls, for
    CPU time) with one NetworkX run (graph + one multi-source search per kind), --pairs times; prints medians."""
    import tempfile
    import peer_pairs
    tmp = tempfile.mkdtemp(prefix="peer_nx_")

    def ga_once():
        return peer_pairs.gridatlas_once(args, "run", project, tmp, ("walk network", "walking access"),
                                         ("BM_NetworkPlusAccess",), extra=("--no-render",))

    def peer_once():
        return peer_pairs.timed(lambda: compute(kinds, edges, buildings, facilities, cutoff_m))

    print(f"NetworkX {nx.__version__} vs GridAtlas on {project}: {args.pairs} alternating pairs; GridAtlas = "
          f"`{args.gridatlas} run --no-render` 'walk network' + 'walking access'" +
          (f" and {args.bench_bin} BM_NetworkPlusAccess" if args.bench_bin else ""))
    pairs = peer_pairs.run_pairs(args.pairs, ga_once, peer_once, "NetworkX")
    peer_pairs.report(pairs, "NetworkX", [("wall (run stages)", "wall", "stages_wall"),
                                          ("wall (bench)", "wall", "bench_wall"),
                                          ("CPU (bench)", "cpu", "bench_cpu")])


if __name__ == "__main__":
    sys.exit(main())
