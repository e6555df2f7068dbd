#!/usr/bin/python3
"""PostGIS peer for GridAtlas's household assignment (household → unit, building, grid at every level).

Run by scripts/peer_postgis.sh, which installs PostgreSQL + PostGIS, starts a throw-away cluster on loopback and sets
PGHOST, PGPORT, PGUSER and PGDATABASE for this script; psql and ogr2ogr do all the talking (no Python driver needed).

Loading (not timed, as GridAtlas's 'load layers' stage is not counted):
  * the buildings, the units and every grid level named in the project file, with ogr2ogr, reprojected on the way in to
    the GridAtlas run's working CRS (same GDAL/PROJ transformation); invalid polygons repaired with ST_MakeValid
    (polygonal part kept), empty or non-polygonal ones rejected, as GridAtlas's loader does; a building without an id
    is called 'fid:<fid>', a grid without a code '<level key>-fid<fid>';
  * the roster CSV with COPY (row = data row number, 1-based, as GridAtlas's row); its unit column parsed to a whole
    number the way GridAtlas parses it ("3" and "3.0" but not "3a"; a negative number counts as no number);
  * ANALYZE on every table.

Timed, each stage separately, best of --repeat runs (all objects of a run dropped before the next, untimed):
  gist indexes       CREATE INDEX … USING gist on every grid level and the buildings;
  grid parents       every grid's parent one level up: the first grid whose code is its parent code, else the grid
                     holding its largest part;
  buildings to grids the finest level: the first grid (in layer order) that contains the building, else the one
                     with the largest intersection area (> 0; ties: first in layer order); every coarser level up the
                     parent chain, and directly (same rule) where the chain breaks (no grid below, orphan grid);
  building ids       per building id: unique usable feature, ambiguous (several features, one or more usable),
                     rejected (no usable feature), with its code at every level; the units of unique buildings with a
                     positive number; ANALYZE of both (without statistics the planner sorts the 1M roster for merge
                     joins: about twice as slow);
  households         the roster joined by building id: duplicate_household_id (a previous row has the same non-empty
                     id), missing_building_ref, unknown_building, ambiguous_building, rejected_building; the unit:
                     no_unit_given, unknown_unit; every level's code or outside_grids. One result table, 1 row per
                     roster row.
These are GridAtlas's documented rules (engine/hierarchy/grid_tree.hpp, engine/assign/household_assignment.hpp,
engine/assign/household_placement.hpp). Placement by address or coordinates is not part of this peer: a project that
configures them is refused.

Then every household's row is compared with GridAtlas's households table (households.csv of `gridatlas assign`, or
the households layer of gridatlas.gpkg of `gridatlas run`): household id, placed_by, building id, unit number, unit,
building and every level's status and code. Any difference: a few are printed (ids and codes only) and the exit status
is 1.

The ratio: PostGIS (gist indexes + joins) against GridAtlas's 'grid hierarchy' + 'assign households' stages of the
same run's JSON (GridAtlas's stages build their own R-trees and prepared geometries, so the index build is counted on
both sides); the joins-only ratio is printed too.
"""
import argparse
import csv
import json
import math
import os
import re
import subprocess
import sys
import time

try:
    import tomllib
except ImportError:
    sys.exit("peer_postgis: needs Python 3.11+ (tomllib) to read the project file")


def ident(name):
    return '"' + name.replace('"', '""') + '"'


def literal(text):
    return "'" + text.replace("'", "''") + "'"


def psql(sql, capture=True):
    """Runs SQL in one psql session (ON_ERROR_STOP); returns its standard output."""
    r = subprocess.run(["psql", "-X", "-q", "-A", "-t", "-v", "ON_ERROR_STOP=1", "-f", "-"], input=sql, text=True,
                       capture_output=capture)
    if r.returncode != 0:
        sys.stderr.write(r.stderr or "")
        sys.exit(f"peer_postgis: psql failed (exit {r.returncode})")
    return r.stdout if capture else ""


def pg_dsn():
    return "PG:" + " ".join(f"{k}={os.environ[v]}" for k, v in
                            (("host", "PGHOST"), ("port", "PGPORT"), ("user", "PGUSER"), ("dbname", "PGDATABASE")))


def ogr_load(path, layer, table, fields, working_crs, source_crs=None):
    """One layer into `table` (fid kept, geometry `geom` in the working CRS, only `fields`), no index."""
    cmd = ["ogr2ogr", "-f", "PostgreSQL", pg_dsn(), path] + ([layer] if layer else []) + [
        "-nln", table, "-overwrite", "-preserve_fid", "-lco", "FID=fid", "-lco", "GEOMETRY_NAME=geom",
        "-lco", "SPATIAL_INDEX=NONE", "-lco", "LAUNDER=NO", "-lco", "PRECISION=NO", "-nlt", "PROMOTE_TO_MULTI",
        "-t_srs", working_crs, "--config", "PG_USE_COPY", "YES", "-select", ",".join(fields)]
    if source_crs:
        cmd += ["-s_srs", source_crs]
    r = subprocess.run(cmd, capture_output=True, text=True)
    if r.returncode != 0:
        sys.stderr.write(r.stderr)
        sys.exit(f"peer_postgis: ogr2ogr could not load {path} layer {layer} into {table}")


def layer_source(section, project_dir):
    t = dict(section)
    path = os.path.join(project_dir, t.pop("file"))
    return path, t.pop("layer", None), t.pop("crs", None), t


PARSE_INT = r"""
CREATE OR REPLACE FUNCTION ga_parse_int(v text) RETURNS int LANGUAGE sql IMMUTABLE AS $$
  SELECT CASE WHEN t ~ '^-?([0-9]+\.?[0-9]*|\.[0-9]+)([eE][-+]?[0-9]+)?$' AND t::float8 = trunc(t::float8)
                   AND t::float8 >= 0 AND t::float8 <= 2147483647 THEN t::float8::int END
  FROM (SELECT btrim(v, E' \t') AS t) s
$$;
"""


def valid_polygons(src, key_sql, cols_sql):
    """SELECT of the usable features of `src`: repaired where invalid, polygonal, area > 0, in fid order."""
    return f"""
SELECT row_number() OVER (ORDER BY fid) - 1 AS idx, fid, {cols_sql}, g AS geom FROM (
  SELECT fid, {key_sql}, CASE WHEN ST_IsValid(geom) THEN geom ELSE ST_Multi(ST_CollectionExtract(ST_MakeValid(geom), 3)) END AS g
  FROM {src} WHERE geom IS NOT NULL AND NOT ST_IsEmpty(geom) AND ST_Dimension(geom) = 2) s
WHERE NOT ST_IsEmpty(g) AND ST_Area(g) > 0"""


def load(cfg, pdir, working_crs, roster_csv, reference):
    """Everything that is not timed: layers, roster, GridAtlas's table for the comparison."""
    if cfg["households"].get("address") or cfg["households"].get("x") or cfg["households"].get("y"):
        sys.exit("peer_postgis: the project places households by address or coordinates too; this peer covers "
                 "placement by building id only")
    psql("SET client_min_messages = warning; CREATE EXTENSION IF NOT EXISTS postgis;" + PARSE_INT)

    path, layer, crs, m = layer_source(cfg["buildings"], pdir)
    ogr_load(path, layer, "src_buildings", [m["id"]], working_crs, crs)
    sql = [f"""SET client_min_messages = warning;
DROP TABLE IF EXISTS buildings_all, bld;
CREATE TABLE buildings_all AS SELECT fid, coalesce(nullif({ident(m['id'])}, ''), 'fid:' || fid) AS building_id
  FROM src_buildings;
CREATE TABLE bld AS SELECT idx AS bidx, building_id, geom FROM ({valid_polygons(
        "src_buildings", f"coalesce(nullif({ident(m['id'])}, ''), 'fid:' || fid) AS building_id", "building_id")}) v;"""]

    units = cfg.get("units")
    if units:
        path, layer, crs, um = layer_source(units, pdir)
        ogr_load(path, layer, "src_units", [um["building"], um["number"]], working_crs, crs)
        sql.append(f"""DROP TABLE IF EXISTS unit_src;
CREATE TABLE unit_src AS SELECT coalesce({ident(um['building'])}::text, '') AS building_id,
  ga_parse_int({ident(um['number'])}::text) AS number FROM src_units;""")
    else:
        sql.append("DROP TABLE IF EXISTS unit_src; CREATE TABLE unit_src (building_id text, number int);")

    levels = []
    for i, lv in enumerate(cfg["grid_levels"]):
        path, layer, crs, gm = layer_source(lv, pdir)
        for k in ("key", "label", "name"):
            gm.pop(k, None)
        if set(gm) - {"code", "parent_code"}:
            sys.exit(f"peer_postgis: grid level '{lv['key']}' uses {sorted(set(gm) - {'code', 'parent_code'})}; "
                     "this peer reads one layer per level with code and parent_code only")
        fields = [gm["code"]] + ([gm["parent_code"]] if "parent_code" in gm and i > 0 else [])
        ogr_load(path, layer, f"src_g{i}", fields, working_crs, crs)
        pc = f"coalesce({ident(gm['parent_code'])}, '')" if len(fields) == 2 else "''"
        key = literal(lv["key"] + "-fid")
        sql.append(f"""DROP TABLE IF EXISTS g{i};
CREATE TABLE g{i} AS SELECT idx AS gidx, code, parent_code, geom FROM ({valid_polygons(
            f"src_g{i}", f"coalesce(nullif({ident(gm['code'])}, ''), {key} || fid) AS code, {pc} AS parent_code",
            "code, parent_code")}) v;""")
        levels.append(lv["key"])

    hm = cfg["households"]
    with open(roster_csv, newline="", encoding="utf-8-sig") as fh:
        header = next(csv.reader(fh))
    for need in (hm["id"], hm["building"]) + ((hm["unit"],) if "unit" in hm else ()):
        if need not in header:
            sys.exit(f"peer_postgis: {roster_csv} has no column '{need}'")
    cols = ", ".join(f"{ident(h)} text" for h in header)
    unit = f"ga_parse_int({ident(hm['unit'])})" if "unit" in hm else "NULL::int"
    sql.append(f"""DROP TABLE IF EXISTS src_roster, roster;
CREATE TABLE src_roster (row bigint GENERATED ALWAYS AS IDENTITY, {cols});
\\copy src_roster ({", ".join(ident(h) for h in header)}) FROM {literal(roster_csv)} WITH (FORMAT csv, HEADER true)
CREATE TABLE roster AS SELECT row, coalesce({ident(hm['id'])}, '') AS household_id,
  coalesce({ident(hm['building'])}, '') AS building_ref, {unit} AS unit_no FROM src_roster ORDER BY row;
DROP TABLE src_roster;""")

    # GridAtlas's own table, for the comparison.
    ga_cols = ["household_id", "row", "placed_by", "building_id", "unit_no", "unit_status", "building_status"]
    for k in levels:
        ga_cols += [f"{k}_code", f"{k}_status"]
    sql.append("DROP TABLE IF EXISTS ga;")
    if reference.endswith(".csv"):
        with open(reference, newline="", encoding="utf-8-sig") as fh:
            ga_header = next(csv.reader(fh))
        missing = [c for c in ga_cols if c not in ga_header]
        if missing:
            sys.exit(f"peer_postgis: {reference} has no column {missing}")
        sql.append(f"CREATE TABLE ga ({', '.join(f'{ident(h)} text' for h in ga_header)});\n"
                   f"\\copy ga FROM {literal(reference)} WITH (FORMAT csv, HEADER true)")
    else:
        r = subprocess.run(["ogr2ogr", "-f", "PostgreSQL", pg_dsn(), reference, "households", "-nln", "ga",
                            "-overwrite", "-lco", "LAUNDER=NO", "--config", "PG_USE_COPY", "YES"],
                           capture_output=True, text=True)
        if r.returncode != 0:
            sys.stderr.write(r.stderr)
            sys.exit(f"peer_postgis: cannot load the households layer of {reference}")
    sql.append("ANALYZE;")
    psql("\n".join(sql))
    return levels


def largest_share(left, left_key, level):
    """left_key → gidx of g{level} holding the building/grid: first container, else largest intersection (> 0)."""
    return f"""SELECT DISTINCT ON (a.{left_key}) a.{left_key}, z.gidx AS hit
  FROM {left} a JOIN g{level} z ON ST_Intersects(z.geom, a.geom)
  CROSS JOIN LATERAL (SELECT ST_Contains(z.geom, a.geom) AS inside) c
  CROSS JOIN LATERAL (SELECT CASE WHEN c.inside THEN 0 ELSE ST_Area(ST_Intersection(z.geom, a.geom)) END AS area) x
  WHERE c.inside OR x.area > 0
  ORDER BY a.{left_key}, c.inside DESC, x.area DESC, z.gidx"""


def timed_stages(levels):
    n = len(levels)
    fin = n - 1
    stages = []
    stages.append(("gist indexes", "\n".join(f"CREATE INDEX g{i}_geom ON g{i} USING gist (geom);" for i in range(n))
                   + "\nCREATE INDEX bld_geom ON bld USING gist (geom);"))
    parents = []
    for i in range(1, n):
        parents.append(f"""CREATE TABLE parent{i} AS
WITH by_code AS (SELECT DISTINCT ON (code) code, gidx FROM g{i - 1} ORDER BY code, gidx),
     coded AS (SELECT g.gidx, p.gidx AS pg FROM g{i} g LEFT JOIN by_code p ON p.code = g.parent_code AND g.parent_code <> ''),
     need AS (SELECT g.gidx, g.geom FROM g{i} g JOIN coded c USING (gidx) WHERE c.pg IS NULL),
     overlap AS ({largest_share('need', 'gidx', i - 1)})
SELECT c.gidx, coalesce(c.pg, o.hit) AS pg FROM coded c LEFT JOIN overlap o USING (gidx);""")
    stages.append(("grid parents", "\n".join(parents) or "SELECT 1;"))
    bg = [f"""CREATE TABLE bg{fin} AS SELECT b.bidx, s.hit AS gidx FROM bld b LEFT JOIN ({largest_share('bld', 'bidx', fin)}) s USING (bidx);"""]
    for i in range(fin - 1, -1, -1):
        bg.append(f"""CREATE TABLE bg{i} AS
WITH chained AS (SELECT b.bidx, p.pg AS gidx FROM bg{i + 1} b LEFT JOIN parent{i + 1} p ON p.gidx = b.gidx),
     need AS (SELECT b.bidx, b.geom FROM bld b JOIN chained c USING (bidx) WHERE c.gidx IS NULL),
     direct AS ({largest_share('need', 'bidx', i)})
SELECT c.bidx, coalesce(c.gidx, d.hit) AS gidx FROM chained c LEFT JOIN direct d USING (bidx);""")
    stages.append(("buildings to grids", "\n".join(bg)))
    code_cols = ", ".join(f"z{i}.code AS c{i}" for i in range(n))
    code_joins = "\n  ".join(f"LEFT JOIN bg{i} USING (bidx) LEFT JOIN g{i} z{i} ON z{i}.gidx = bg{i}.gidx" for i in range(n))
    stages.append(("building ids", f"""CREATE TABLE bid AS
SELECT a.building_id,
       CASE WHEN coalesce(u.n, 0) = 0 THEN 'rejected_building' WHEN a.n >= 2 THEN 'ambiguous_building' ELSE 'assigned' END AS status,
       CASE WHEN a.n = 1 AND u.n = 1 THEN u.bidx END AS bidx
FROM (SELECT building_id, count(*) AS n FROM buildings_all GROUP BY building_id) a
LEFT JOIN (SELECT building_id, count(*) AS n, min(bidx) AS bidx FROM bld GROUP BY building_id) u USING (building_id);
CREATE TABLE bkey AS
SELECT d.building_id, d.status, {code_cols}
FROM bid d LEFT JOIN bld USING (bidx)
  {code_joins};
CREATE TABLE unit_key AS
SELECT DISTINCT d.building_id, s.number FROM unit_src s JOIN bid d ON d.building_id = s.building_id AND d.status = 'assigned'
WHERE s.number > 0;
ANALYZE bkey; ANALYZE unit_key;"""))
    lvl_cols = ",\n       ".join(
        f"CASE WHEN s.b = 'assigned' THEN s.c{i} END AS {ident(k + '_code')}, "
        f"CASE WHEN s.b <> 'assigned' THEN s.b WHEN s.c{i} IS NULL THEN 'outside_grids' ELSE 'assigned' END AS {ident(k + '_status')}"
        for i, k in enumerate(levels))
    stages.append(("households", f"""CREATE TABLE result AS
SELECT s.row, s.household_id,
       CASE WHEN s.b = 'assigned' THEN 'building_id' ELSE 'not_placed' END AS placed_by,
       CASE WHEN s.b = 'assigned' THEN s.building_ref END AS building_id,
       s.unit_no,
       CASE WHEN s.b <> 'assigned' THEN s.b WHEN s.unit_no IS NULL THEN 'no_unit_given'
            WHEN s.unit_found THEN 'assigned' ELSE 'unknown_unit' END AS unit_status,
       s.b AS building_status,
       {lvl_cols}
FROM (
  SELECT r.row, r.household_id, r.building_ref, r.unit_no, {", ".join(f"k.c{i}" for i in range(n))},
         CASE WHEN r.dup THEN 'duplicate_household_id' WHEN r.building_ref = '' THEN 'missing_building_ref'
              WHEN k.status IS NULL THEN 'unknown_building' ELSE k.status END AS b,
         u.number IS NOT NULL AS unit_found
  FROM (SELECT roster.*, household_id <> '' AND row_number() OVER (PARTITION BY household_id ORDER BY row) > 1 AS dup
        FROM roster) r
  LEFT JOIN bkey k ON k.building_id = r.building_ref
  LEFT JOIN unit_key u ON u.building_id = r.building_ref AND u.number = r.unit_no
) s;"""))
    return stages


def drop_all(levels):
    n = len(levels)
    tables = ["result", "bkey", "bid", "unit_key"] + [f"bg{i}" for i in range(n)] + [f"parent{i}" for i in range(1, n)]
    idx = [f"g{i}_geom" for i in range(n)] + ["bld_geom"]
    return (f"DROP TABLE IF EXISTS {', '.join(tables)};\nDROP INDEX IF EXISTS {', '.join(idx)};\n")


def cluster_cpu_seconds():
    """CPU seconds (user + system) used so far by the cluster: the postmaster, its live children, and the children it
    has reaped (exited backends and parallel workers, counted in its cutime/cstime). None when it cannot be read."""
    pidfile = os.environ.get("PEER_PG_PIDFILE")
    if not pidfile:
        return None
    try:
        with open(pidfile) as fh:
            master = int(fh.readline())
        tick = os.sysconf("SC_CLK_TCK")

        def fields(pid):
            with open(f"/proc/{pid}/stat") as fh:
                return fh.read().rsplit(")", 1)[1].split()   # fields from the 3rd (state) on

        f = fields(master)
        total = sum(int(x) for x in f[11:15])                  # utime stime cutime cstime
        for d in os.listdir("/proc"):
            if d.isdigit():
                try:
                    c = fields(d)
                except OSError:
                    continue
                if int(c[1]) == master:
                    total += int(c[11]) + int(c[12])
        return total / tick
    except (OSError, ValueError):
        return None


def run_timed(levels):
    """One run of every stage in one psql session; ({stage: seconds}, cluster CPU seconds of the run or None)."""
    sql = ["\\set ON_ERROR_STOP on", "SET client_min_messages = warning;", drop_all(levels),
           "SELECT postgis_lib_version() \\g /dev/null", "SELECT 'BACKEND ' || pg_backend_pid();"]
    stages = timed_stages(levels)
    for name, body in stages:
        sql.append("SELECT extract(epoch FROM clock_timestamp()) AS t0 \\gset")
        sql.append(body)
        sql.append("SELECT extract(epoch FROM clock_timestamp()) - :t0 AS dt \\gset")
        sql.append(f"\\echo 'TIMING {name}' :dt")
    cpu0 = cluster_cpu_seconds()
    out = psql("\n".join(sql))
    backend = re.search(r"^BACKEND (\d+)$", out, re.M)
    deadline = time.monotonic() + 10
    while backend and os.path.exists(f"/proc/{backend.group(1)}") and time.monotonic() < deadline:
        time.sleep(0.01)                                       # until the postmaster has reaped the session's backend
    cpu1 = cluster_cpu_seconds()
    times = {}
    for line in out.splitlines():
        m = re.match(r"^TIMING (.+) ([0-9.eE+-]+)$", line.strip())
        if m:
            times[m.group(1)] = float(m.group(2))
    if len(times) != len(stages):
        sys.exit(f"peer_postgis: expected {len(stages)} stage timings, got {times}")
    return times, (cpu1 - cpu0 if cpu0 is not None and cpu1 is not None else None)


def compare(levels, show=5):
    cols = ["household_id", "placed_by", "building_id", "unit_no", "unit_status", "building_status"]
    for k in levels:
        cols += [f"{k}_code", f"{k}_status"]
    diff = " OR ".join(f"coalesce(p.{ident(c)}::text, '') <> coalesce(ga.{ident(c)}::text, '')" for c in cols)
    per_col = ", ".join(f"count(*) FILTER (WHERE coalesce(p.{ident(c)}::text, '') <> coalesce(ga.{ident(c)}::text, ''))"
                        for c in cols)
    out = psql(f"""
SELECT (SELECT count(*) FROM result), (SELECT count(*) FROM ga);
SELECT count(*) FILTER (WHERE p.row IS NULL OR ga.row IS NULL OR {diff}), {per_col}
FROM result p FULL JOIN ga ON ga.row::bigint = p.row;
SELECT 'row ' || coalesce(p.row, ga.row::bigint) || ' (' || coalesce(p.household_id, ga.household_id, '') || '): ' ||
       concat_ws('; ', {", ".join(f"CASE WHEN coalesce(p.{ident(c)}::text, '') <> coalesce(ga.{ident(c)}::text, '') THEN "
                                  f"'{c} ' || coalesce(p.{ident(c)}::text, '-') || ' / ' || coalesce(ga.{ident(c)}::text, '-') END"
                                  for c in cols)})
FROM result p FULL JOIN ga ON ga.row::bigint = p.row
WHERE p.row IS NULL OR ga.row IS NULL OR {diff} ORDER BY coalesce(p.row, ga.row::bigint) LIMIT {show};
SELECT {", ".join(f"count(*) FILTER (WHERE {ident(k + '_code')} IS NOT NULL)" for k in levels)} FROM result;
""")
    lines = [l for l in out.splitlines() if l.strip()]
    n_peer, n_ga = (int(x) for x in lines[0].split("|"))
    counts = [int(x) for x in lines[1].split("|")]
    assigned = [int(x) for x in lines[-1].split("|")]
    return n_peer, n_ga, counts[0], dict(zip(cols, counts[1:])), lines[2:-1], assigned, cols


def gridatlas_seconds(path):
    with open(path, encoding="utf-8") as fh:
        summary = json.load(fh)
    timings = {t["stage"]: t["seconds"] for t in summary.get("timings", [])}
    for s in ("grid hierarchy", "assign households"):
        if s not in timings:
            sys.exit(f"peer_postgis: {path} has no timing for '{s}'")
    return timings, summary


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
    ap.add_argument("result", help="GridAtlas output directory: of `gridatlas assign` (assignment.json, households.csv) "
                                   "or of `gridatlas run` (summary.json, gridatlas.gpkg)")
    ap.add_argument("--project", help="project file (default: the one named in the result's JSON)")
    ap.add_argument("--repeat", type=int, default=3, help="PostGIS timing: best of this many runs (default: %(default)s)")
    ap.add_argument("--bench-json", help="bench_assign --benchmark_out JSON, for a second GridAtlas time")
    ap.add_argument("--bench-names", default="BM_BuildGridTree,BM_AssignHouseholds_1M",
                    help="benchmarks whose times add up to that second time (default: %(default)s)")
    ap.add_argument("--pairs", type=int, default=0, help="paired mode: alternate `gridatlas assign` (and --bench-bin) with "
                    "one PostGIS run this many times; prints medians and spread of the per-pair ratios (peer_pairs.py)")
    ap.add_argument("--gridatlas", default="build/bin/gridatlas", help="gridatlas binary for --pairs (default: %(default)s)")
    ap.add_argument("--bench-bin", help="bench_assign binary for --pairs: GridAtlas's CPU time for the same stages")
    args = ap.parse_args()

    for name in ("assignment.json", "summary.json"):
        if os.path.exists(os.path.join(args.result, name)):
            json_path = os.path.join(args.result, name)
            break
    else:
        sys.exit(f"peer_postgis: {args.result} has neither assignment.json nor summary.json")
    reference = os.path.join(args.result, "households.csv")
    if not os.path.exists(reference):
        reference = os.path.join(args.result, "gridatlas.gpkg")
    ga_timings, summary = gridatlas_seconds(json_path)
    project = args.project or summary["project_file"]
    working_crs = summary["working_crs"]
    with open(project, "rb") as fh:
        cfg = tomllib.load(fh)
    pdir = os.path.dirname(os.path.abspath(project))
    roster_csv = os.path.join(pdir, cfg["households"]["file"])
    if not roster_csv.lower().endswith(".csv"):
        sys.exit(f"peer_postgis: the roster {roster_csv} is not a CSV file")

    t0 = time.perf_counter()
    levels = load(cfg, pdir, working_crs, roster_csv, reference)
    version = psql("SELECT version(); SELECT postgis_lib_version();").split("\n")
    load_s = time.perf_counter() - t0
    counts = psql("SELECT (SELECT count(*) FROM bld), (SELECT count(*) FROM roster)" +
                  "".join(f", (SELECT count(*) FROM g{i})" for i in range(len(levels))) + ";").strip().split("|")
    print(f"{version[0].split(',')[0]}, PostGIS {version[1]}; project {project} ({working_crs}): {counts[0]} buildings, "
          f"{counts[1]} roster rows, levels " + ", ".join(f"{k} ({c})" for k, c in zip(levels, counts[2:])))
    print(f"loaded in {load_s:.1f} s (ogr2ogr + COPY + ANALYZE, not timed below)")

    if args.pairs > 0:
        paired(args, project, levels)
    timed = [run_timed(levels) for _ in range(1 if args.pairs > 0 else max(1, args.repeat))]
    runs = [t for t, _ in timed]
    cpus = [c for _, c in timed if c is not None]
    stages = list(runs[0])
    totals = [sum(r.values()) for r in runs]
    best = runs[min(range(len(runs)), key=lambda i: totals[i])]
    index_s = best["gist indexes"]
    total_s = sum(best.values())
    joins_s = total_s - index_s

    n_peer, n_ga, mismatches, per_col, examples, assigned, cols = compare(levels)
    failures = mismatches
    print(f"{'level':<12} {'households':>10} {'assigned':>9}")
    for k, a in zip(levels, assigned):
        print(f"{k:<12} {n_peer:>10} {a:>9}")
    if n_peer != n_ga:
        print(f"row counts differ: PostGIS {n_peer}, GridAtlas {n_ga}")
        failures = max(failures, 1)
    print(f"compared {', '.join(cols)} per row: {mismatches} rows differ"
          + ("" if not mismatches else " (" + ", ".join(f"{c} {v}" for c, v in per_col.items() if v) + ")"))
    for e in examples:
        print("    " + e + "   (PostGIS / GridAtlas)")

    ga_s = ga_timings["grid hierarchy"] + ga_timings["assign households"]
    print(f"time  PostGIS, best of {len(runs)} (by total): " + ", ".join(f"{s} {best[s]:.3f} s" for s in stages))
    print(f"time  PostGIS gist indexes + joins: {total_s:.3f} s (joins alone {joins_s:.3f} s); "
          f"all runs' totals: {', '.join(f'{t:.3f}' for t in totals)} s")
    print(f"time  GridAtlas {os.path.basename(json_path)} 'grid hierarchy' {ga_timings['grid hierarchy']:.3f} s + "
          f"'assign households' {ga_timings['assign households']:.3f} s = {ga_s:.3f} s "
          f"('load layers' {ga_timings.get('load layers', float('nan')):.3f} s not counted, as loading is not on the PostGIS side)")
    ratio = total_s / ga_s if ga_s > 0 else math.inf
    ratio_joins = joins_s / ga_s if ga_s > 0 else math.inf
    print(f"ratio PostGIS/GridAtlas {ratio:.1f}x (joins only: {ratio_joins:.1f}x)")
    cpu_s = min(cpus) if cpus else None
    if cpu_s is not None:
        print(f"cpu   PostGIS cluster (every server process, parallel workers included), least of {len(cpus)} runs: "
              f"{cpu_s:.2f} s")
    ratio_bench = ratio_cpu = None
    if args.bench_json:
        names = tuple(args.bench_names.split(","))
        bs, bcpu = bench_seconds(args.bench_json, names)
        if bs:
            ratio_bench = total_s / bs
            print(f"time  GridAtlas bench_assign {' + '.join(names)}: {bs:.3f} s -> ratio {ratio_bench:.1f}x")
            if cpu_s is not None and bcpu:
                ratio_cpu = cpu_s / bcpu
                print(f"cpu   GridAtlas bench_assign {' + '.join(names)}: {bcpu:.3f} s -> CPU ratio {ratio_cpu:.1f}x "
                      "(both sides' CPU time: what the machine's load does not change)")
    print("RESULT " + json.dumps({"peer": "postgis", "households": n_peer, "peer_s": round(total_s, 4),
                                  "peer_joins_s": round(joins_s, 4), "peer_index_s": round(index_s, 4),
                                  "gridatlas_run_s": round(ga_s, 4), "ratio_run": round(ratio, 2),
                                  "ratio_joins": round(ratio_joins, 2),
                                  "ratio_bench": round(ratio_bench, 2) if ratio_bench else None,
                                  "peer_cpu_s": round(cpu_s, 2) if cpu_s is not None else None,
                                  "ratio_cpu": round(ratio_cpu, 2) if ratio_cpu else None,
                                  "mismatches": failures}))
    if failures:
        print(f"FAIL: {failures} households differ from GridAtlas's", file=sys.stderr)
        return 1
    return 0


def paired(args, project, levels):
    """Alternates GridAtlas (`gridatlas assign`: 'grid hierarchy' + 'assign households'; bench_assign's CPU time of the
    same stages) with one PostGIS run (GiST indexes + joins; the cluster's CPU), --pairs times; prints medians."""
    import tempfile
    import peer_pairs
    names = tuple(args.bench_names.split(","))
    tmp = tempfile.mkdtemp(prefix="peer_pg_")

    def ga_once():
        return peer_pairs.gridatlas_once(args, "assign", project, tmp, ("grid hierarchy", "assign households"), names)

    def peer_once():
        times, cpu = run_timed(levels)
        got = {"wall": sum(times.values()), "joins_wall": sum(times.values()) - times["gist indexes"]}
        if cpu is not None:
            got["cpu"] = cpu
        return got

    print(f"PostGIS vs GridAtlas on {project}: {args.pairs} alternating pairs; GridAtlas = `{args.gridatlas} assign` "
          "stages" + (f" and {args.bench_bin} {' + '.join(names)}" if args.bench_bin else ""))
    pairs = peer_pairs.run_pairs(args.pairs, ga_once, peer_once, "PostGIS")
    peer_pairs.report(pairs, "PostGIS", [("wall (assign stages)", "wall", "stages_wall"),
                                         ("wall (bench)", "wall", "bench_wall"),
                                         ("CPU (bench)", "cpu", "bench_cpu")])


if __name__ == "__main__":
    sys.exit(main())
