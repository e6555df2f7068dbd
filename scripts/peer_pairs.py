"""Paired, alternating timing for the peer scripts (peer_geopandas.py, peer_postgis.py, peer_networkx.py).

A ratio between GridAtlas and a peer is only as good as the conditions both ran under: on a shared machine the load
changes from minute to minute. So each pair runs GridAtlas's own code path once and the peer once, back to back, the
order swapped every other pair (GA first in pairs 1, 3, …; the peer first in 2, 4, …), and the report gives the
per-pair ratios, their median and their spread (min–max), for wall time and, where both sides have it, CPU time.
GridAtlas's side is the product: `gridatlas <command>` (its stage timings from the JSON it writes) and, for CPU,
the bench binary's benchmarks of the same stages (google-benchmark's cpu_time, which counts every thread).
"""
import json
import os
import statistics
import subprocess
import sys
import time


def gridatlas_stages(binary, command, project, out_dir, stages, extra=()):
    """Runs `gridatlas <command> <project> -o <out_dir>`; returns (sum of the named stages' seconds, process wall)."""
    t0 = time.perf_counter()
    res = subprocess.run([binary, command, *extra, project, "-o", out_dir], capture_output=True, text=True)
    wall = time.perf_counter() - t0
    if res.returncode != 0:
        sys.exit(f"peer_pairs: gridatlas {command} exited {res.returncode}: {res.stderr[-2000:]}")
    for name in ("assignment.json", "summary.json"):
        path = os.path.join(out_dir, name)
        if os.path.exists(path):
            with open(path, encoding="utf-8") as fh:
                timings = {t["stage"]: t["seconds"] for t in json.load(fh)["timings"]}
            missing = [s for s in stages if s not in timings]
            if missing:
                sys.exit(f"peer_pairs: {path} has no stage {missing} (stages: {list(timings)})")
            return sum(timings[s] for s in stages), wall
    sys.exit(f"peer_pairs: {out_dir} has neither assignment.json nor summary.json")


def bench_times(binary, names, env_extra=None):
    """Runs the bench binary on exactly the named benchmarks; returns (sum of real_time, sum of cpu_time) in s. The CPU
    sum is None unless every benchmark measures process CPU time (/process_time): otherwise google-benchmark's cpu_time
    is the main thread's alone and would leave out the worker threads."""
    pattern = "^(" + "|".join(names) + ")(/|$)"
    env = dict(os.environ, **(env_extra or {}))
    res = subprocess.run([binary, f"--benchmark_filter={pattern}", "--benchmark_format=json"],
                         capture_output=True, text=True, env=env)
    if res.returncode != 0:
        sys.exit(f"peer_pairs: {binary} exited {res.returncode}: {res.stderr[-2000:]}")
    scale = {"ns": 1e-9, "us": 1e-6, "ms": 1e-3, "s": 1.0}
    found = {}
    for b in json.loads(res.stdout)["benchmarks"]:
        base = b["name"].split("/")[0]
        if base in names and b.get("run_type", "iteration") == "iteration":
            cpu = b["cpu_time"] * scale[b["time_unit"]] if "/process_time" in b["name"] else None
            found[base] = (b["real_time"] * scale[b["time_unit"]], cpu)
    if set(found) != set(names):
        sys.exit(f"peer_pairs: {binary} ran {sorted(found)}, not {sorted(names)}")
    cpus = [c for _, c in found.values()]
    return sum(r for r, _ in found.values()), (None if None in cpus else sum(cpus))


def gridatlas_once(args, command, project, out_dir, stages, bench_names, extra=()):
    """One GridAtlas side of a pair: the named stages' seconds of `gridatlas <command>` ("stages_wall") and, with
    --bench-bin, the named benchmarks' wall and CPU ("bench_wall", "bench_cpu")."""
    stage_s, _ = gridatlas_stages(args.gridatlas, command, project, out_dir, stages, extra=extra)
    got = {"stages_wall": stage_s}
    if args.bench_bin:
        got["bench_wall"], got["bench_cpu"] = bench_times(args.bench_bin, bench_names)
    return got


def timed(work):
    """One peer side of a pair run in this process: {"wall", "cpu"} of work()."""
    t0, c0 = time.perf_counter(), time.process_time()
    work()
    return {"wall": time.perf_counter() - t0, "cpu": time.process_time() - c0}


def spread(values):
    return f"median {statistics.median(values):.3f} (min {min(values):.3f}, max {max(values):.3f})"


def rounded(d):
    return {k: None if v is None else round(v, 4) for k, v in d.items()}


def run_pairs(n, ga_once, peer_once, label):
    """Alternates ga_once() and peer_once() n times; each returns a dict of named seconds. Returns the list of pairs."""
    pairs = []
    for i in range(n):
        order = (("ga", ga_once), ("peer", peer_once)) if i % 2 == 0 else (("peer", peer_once), ("ga", ga_once))
        got = {}
        for side, fn in order:
            got[side] = fn()
        load = os.getloadavg()[0]
        pairs.append({"ga": got["ga"], "peer": got["peer"], "load": load})
        print(f"pair {i + 1}/{n} ({'GridAtlas first' if i % 2 == 0 else label + ' first'}, load {load:.1f}): "
              f"GridAtlas {json.dumps(rounded(got['ga']))}, {label} {json.dumps(rounded(got['peer']))}", flush=True)
    return pairs


def report(pairs, label, ratios):
    """ratios: [(name, peer key, GridAtlas key)]; prints per-pair ratios' median and spread, returns the medians."""
    out = {}
    for name, pk, gk in ratios:
        vals = [p["peer"][pk] / p["ga"][gk] for p in pairs if p["ga"].get(gk) and p["peer"].get(pk) is not None]
        if len(vals) != len(pairs):
            continue
        ga = [p["ga"][gk] for p in pairs]
        peer = [p["peer"][pk] for p in pairs]
        loads = ", ".join(f"{p['load']:.1f}" for p in pairs)
        print(f"paired {name}: {label} {spread(peer)} s, GridAtlas {spread(ga)} s -> ratio {label}/GridAtlas "
              f"median {statistics.median(vals):.2f}x (per pair {', '.join(f'{v:.2f}' for v in vals)}), "
              f"{len(vals)} alternating pairs, load {loads}")
        out[name] = {"median": round(statistics.median(vals), 3), "min": round(min(vals), 3),
                     "max": round(max(vals), 3), "peer_median_s": round(statistics.median(peer), 4),
                     "gridatlas_median_s": round(statistics.median(ga), 4)}
    print("PAIRED " + json.dumps({"peer": label, "pairs": len(pairs), "ratios": out}))
    return out
