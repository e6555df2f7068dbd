#!/usr/bin/python3
"""PostGIS peer for GridAtlas's household assignment end to end, households located by coordinates.

Run by scripts/peer_postgis_e2e.sh (the throw-away cluster of peer_postgis.sh; PGHOST, PGPORT, PGUSER, PGDATABASE set).
The work, timed whole on both sides, from the project's files to a households table written out as CSV:

  GridAtlas  `gridatlas assign PROJECT -o DIR`: reads the layers and the roster, builds the grid tree, places every
             roster row by its point, writes assignment.gpkg, households.csv, conservation.csv, assignment.json.
  PostGIS    ogr2ogr the buildings (id, residential), units and every grid level into the database (reprojected to
             the working CRS on the way in, as GridAtlas's loader does); COPY the roster; the points made and
             reprojected with ST_Transform; usable polygons (repaired with ST_MakeValid); GiST indexes; ANALYZE; grid
             parents and each building's grid at every level (peer_postgis.py's stages, the same rules); each point
             placed: the building whose footprint covers it (overlaps: smallest area, then first), else the nearest
             residential building within max_nearest_m (ties: first), else no_building_at_location; unit and every
             level's code and status; the result table written out with \\copy to a CSV file.

Pairs alternate (GridAtlas first in odd pairs, PostGIS first in even ones); each side's wall time and CPU time
(GridAtlas: the process's user + system; PostGIS: ogr2ogr and psql processes plus every server process, parallel
workers included) are printed per pair, with medians and the per-pair ratios' median and spread. The database
starts empty for each PostGIS run (its tables dropped, untimed). The parts are printed too: load (GridAtlas's
'load layers'; PostGIS's ogr2ogr, COPY, points, polygons, ANALYZE), compute (GridAtlas's 'grid hierarchy' + 'assign
households'; PostGIS's GiST indexes, parents, buildings to grids, placement, result table) and write (GridAtlas's
'write outputs': gpkg, CSV, conservation; PostGIS's \\copy of the result to CSV, a smaller output).

After the pairs, every roster row of PostGIS's result is compared with GridAtlas's households.csv: household id,
placed_by, building id, distance (0.1 m), unit number and status, building status, every level's code and status, and
the point in the working CRS (within 0.011 m). Any difference: a few are printed (ids and codes only) and the exit
status is 1.
"""
import argparse
import csv
import json
import os
import re
import resource
import statistics
import subprocess
import sys
import tempfile
import time

import peer_postgis as pp

try:
    import tomllib
except ImportError:
    sys.exit("peer_postgis_e2e: needs Python 3.11+ (tomllib) to read the project file")

TABLES = ["src_buildings", "src_units", "src_roster", "buildings_all", "bld", "unit_src", "roster", "placed", "unit_key",
          "result", "ga"]


def children_cpu():
    r = resource.getrusage(resource.RUSAGE_CHILDREN)
    return r.ru_utime + r.ru_stime


def project_parts(project):
    with open(project, "rb") as fh:
        cfg = tomllib.load(fh)
    hh = cfg["households"]
    for key in ("x", "y", "crs"):
        if key not in hh:
            sys.exit(f"peer_postgis_e2e: {project} [households] has no {key}: this peer places households by coordinates "
                     "(make such a roster with scripts/scale_roster.py --by-coordinates)")
    if hh.get("building") or hh.get("address"):
        sys.exit(f"peer_postgis_e2e: {project} [households] maps a building id or an address; this peer places by "
                 "coordinates only")
    return cfg, os.path.dirname(os.path.abspath(project))


def load_sql(cfg, pdir, working_crs, levels, roster_csv, header):
    """The SQL after the ogr2ogr loads: usable polygons, units, the roster's points."""
    b = cfg["buildings"]
    bid = f"coalesce(nullif({pp.ident(b['id'])}, ''), 'fid:' || fid)"
    res = b.get("residential")
    residential = (f"coalesce(lower({pp.ident(res)}::text) NOT IN ('0', 'false', 'no', 'n', '否', 'f'), true)"
                   if res else "true")
    hh = cfg["households"]
    cols = ", ".join(f"{pp.ident(h)} text" for h in header)
    unit = f"ga_parse_int({pp.ident(hh['unit'])})" if "unit" in hh else "NULL::int"
    x, y = pp.ident(hh["x"]), pp.ident(hh["y"])
    srid = int(working_crs.split(":")[1])
    in_srid = int(hh["crs"].split(":")[1])
    num = r"'^\s*-?[0-9]+(\.[0-9]+)?\s*$'"
    sql = [f"""SET client_min_messages = warning;
CREATE TABLE buildings_all AS SELECT fid, {bid} AS building_id FROM src_buildings;
CREATE TABLE bld AS SELECT idx AS bidx, building_id, residential, geom, ST_Area(geom) AS area FROM ({pp.valid_polygons(
        "src_buildings", f"{bid} AS building_id, {residential} AS residential", "building_id, residential")}) v;"""]
    if cfg.get("units"):
        um = cfg["units"]
        sql.append(f"""CREATE TABLE unit_src AS SELECT coalesce({pp.ident(um['building'])}::text, '') AS building_id,
  ga_parse_int({pp.ident(um['number'])}::text) AS number FROM src_units;""")
    else:
        sql.append("CREATE TABLE unit_src (building_id text, number int);")
    for i, lv in enumerate(cfg["grid_levels"]):
        pc = f"coalesce({pp.ident(lv['parent_code'])}, '')" if "parent_code" in lv and i > 0 else "''"
        key = pp.literal(lv["key"] + "-fid")
        sql.append(f"""CREATE TABLE g{i} AS SELECT idx AS gidx, code, parent_code, geom FROM ({pp.valid_polygons(
            f"src_g{i}", f"coalesce(nullif({pp.ident(lv['code'])}, ''), {key} || fid) AS code, {pc} AS parent_code",
            "code, parent_code")}) v;""")
    sql.append(f"""CREATE TABLE src_roster (row bigint GENERATED ALWAYS AS IDENTITY, {cols});
\\copy src_roster ({", ".join(pp.ident(h) for h in header)}) FROM {pp.literal(roster_csv)} WITH (FORMAT csv, HEADER true)
CREATE TABLE roster AS SELECT row, coalesce({pp.ident(hh['id'])}, '') AS household_id, {unit} AS unit_no,
  CASE WHEN {x} ~ {num} AND {y} ~ {num}
       THEN ST_Transform(ST_SetSRID(ST_MakePoint({x}::float8, {y}::float8), {in_srid}), {srid}) END AS geom
  FROM src_roster ORDER BY row;
DROP TABLE src_roster;
ANALYZE;""")
    return "\n".join(sql)


def placement_sql(levels, max_nearest_m):
    n = len(levels)
    codes = ", ".join(f"z{i}.code AS c{i}" for i in range(n))
    joins = "\n  ".join(f"LEFT JOIN bg{i} ON bg{i}.bidx = p.bidx LEFT JOIN g{i} z{i} ON z{i}.gidx = bg{i}.gidx" for i in range(n))
    lvl = ",\n       ".join(
        f"CASE WHEN s.b = 'assigned' THEN s.c{i} END AS {pp.ident(k + '_code')}, "
        f"CASE WHEN s.b <> 'assigned' THEN s.b WHEN s.c{i} IS NULL THEN 'outside_grids' ELSE 'assigned' END AS {pp.ident(k + '_status')}"
        for i, k in enumerate(levels))
    return f"""CREATE TABLE placed AS
SELECT r.row, r.household_id, r.unit_no, r.geom,
       household_id <> '' AND row_number() OVER (PARTITION BY household_id ORDER BY row) > 1 AS dup,
       coalesce(inside.bidx, near.bidx) AS bidx, inside.bidx IS NOT NULL AS is_inside, near.d
FROM roster r
LEFT JOIN LATERAL (SELECT b.bidx FROM bld b WHERE r.geom IS NOT NULL AND ST_Covers(b.geom, r.geom)
                   ORDER BY b.area, b.bidx LIMIT 1) inside ON true
LEFT JOIN LATERAL (SELECT b.bidx, ST_Distance(b.geom, r.geom) AS d FROM bld b
                   WHERE inside.bidx IS NULL AND r.geom IS NOT NULL AND {max_nearest_m} > 0 AND b.residential
                     AND ST_DWithin(b.geom, r.geom, {max_nearest_m})
                   ORDER BY ST_Distance(b.geom, r.geom), b.bidx LIMIT 1) near ON true;
CREATE TABLE unit_key AS SELECT DISTINCT building_id, number FROM unit_src WHERE number > 0;
CREATE TABLE result AS
SELECT s.household_id, s.row,
       CASE WHEN s.b <> 'assigned' THEN 'none' WHEN s.is_inside THEN 'point_in_building' ELSE 'nearest_building' END AS placed_by,
       CASE WHEN s.b = 'assigned' THEN s.building_id END AS building_id,
       CASE WHEN s.b = 'assigned' AND NOT s.is_inside THEN round(s.d::numeric, 1) END AS distance_m,
       s.unit_no,
       CASE WHEN s.b <> 'assigned' THEN s.b WHEN s.unit_no IS NULL THEN 'no_unit_given'
            WHEN s.unit_found THEN 'assigned' ELSE 'unknown_unit' END AS unit_status,
       s.b AS building_status,
       {lvl},
       round(ST_X(s.geom)::numeric, 2) AS x, round(ST_Y(s.geom)::numeric, 2) AS y
FROM (
  SELECT p.row, p.household_id, p.unit_no, p.geom, p.is_inside, p.d, bb.building_id, {", ".join(f"z{i}.code AS c{i}" for i in range(n))},
         CASE WHEN p.dup THEN 'duplicate_household_id' WHEN p.geom IS NULL THEN 'missing_building_ref'
              WHEN p.bidx IS NULL THEN 'no_building_at_location' ELSE 'assigned' END AS b,
         u.number IS NOT NULL AS unit_found
  FROM placed p LEFT JOIN bld bb ON bb.bidx = p.bidx
  {joins}
  LEFT JOIN unit_key u ON u.building_id = bb.building_id AND u.number = p.unit_no
) s ORDER BY s.row;
"""


def postgis_once(cfg, pdir, working_crs, levels, roster_csv, header, out_csv):
    """One whole PostGIS run from the files: {"wall", "cpu"} (client processes + the cluster), and the wall of its
    parts: "load" (ogr2ogr, COPY, points, usable polygons, ANALYZE), "compute" (GiST indexes, grid parents, buildings
    to grids, placement and the result table), "write" (the result to CSV)."""
    drop = "SET client_min_messages = warning; DROP TABLE IF EXISTS " + ", ".join(
        TABLES + [f"src_g{i}" for i in range(len(levels))] + [f"g{i}" for i in range(len(levels))]
        + [f"bg{i}" for i in range(len(levels))] + [f"parent{i}" for i in range(1, len(levels))]) + ";" + pp.PARSE_INT
    pp.psql(drop)
    stages = pp.timed_stages(levels)[:3]          # gist indexes, grid parents, buildings to grids
    cpu0, ccpu0, t0 = pp.cluster_cpu_seconds(), children_cpu(), time.perf_counter()
    path, layer, crs, m = pp.layer_source(cfg["buildings"], pdir)
    pp.ogr_load(path, layer, "src_buildings", [m["id"]] + ([m["residential"]] if "residential" in m else []), working_crs, crs)
    if cfg.get("units"):
        path, layer, crs, um = pp.layer_source(cfg["units"], pdir)
        pp.ogr_load(path, layer, "src_units", [um["building"], um["number"]], working_crs, crs)
    for i, lv in enumerate(cfg["grid_levels"]):
        path, layer, crs, gm = pp.layer_source(lv, pdir)
        fields = [gm["code"]] + ([gm["parent_code"]] if "parent_code" in gm and i > 0 else [])
        pp.ogr_load(path, layer, f"src_g{i}", fields, working_crs, crs)
    pp.psql(load_sql(cfg, pdir, working_crs, levels, roster_csv, header), capture=False)
    t1 = time.perf_counter()
    max_nearest = float(cfg["households"].get("max_nearest_m", 0))
    pp.psql("\n".join(body for _, body in stages) + "\n" + placement_sql(levels, max_nearest), capture=False)
    t2 = time.perf_counter()
    pp.psql(f"\\copy result TO {pp.literal(out_csv)} WITH (FORMAT csv, HEADER true)", capture=False)
    t3 = time.perf_counter()
    cpu1 = pp.cluster_cpu_seconds()
    cpu = children_cpu() - ccpu0 + (cpu1 - cpu0 if cpu0 is not None and cpu1 is not None else 0)
    return {"wall": t3 - t0, "cpu": cpu, "load": t1 - t0, "compute": t2 - t1, "write": t3 - t2}


def gridatlas_once(binary, project, out_dir):
    """One `gridatlas assign`: {"wall", "cpu"} of the process, and its stages' walls from assignment.json: "load"
    ('load layers'), "compute" ('grid hierarchy' + 'assign households'), "write" ('write outputs')."""
    c0, t0 = children_cpu(), time.perf_counter()
    r = subprocess.run([binary, "assign", project, "-o", out_dir], capture_output=True, text=True)
    wall = time.perf_counter() - t0
    if r.returncode != 0:
        sys.stderr.write(r.stdout[-2000:] + r.stderr[-2000:])
        sys.exit(f"peer_postgis_e2e: gridatlas assign failed (exit {r.returncode})")
    with open(os.path.join(out_dir, "assignment.json"), encoding="utf-8") as fh:
        t = {x["stage"]: x["seconds"] for x in json.load(fh)["timings"]}
    return {"wall": wall, "cpu": children_cpu() - c0, "load": t["load layers"],
            "compute": t["grid hierarchy"] + t["assign households"], "write": t["write outputs"]}


def compare(levels, ga_csv, show=5):
    """PostGIS's result against GridAtlas's households.csv, row by row."""
    cols = ["household_id", "placed_by", "building_id", "distance_m", "unit_no", "unit_status", "building_status"]
    for k in levels:
        cols += [f"{k}_code", f"{k}_status"]
    with open(ga_csv, encoding="utf-8-sig") as fh:
        ga_header = fh.readline().strip().split(",")
    pp.psql(f"DROP TABLE IF EXISTS ga; CREATE TABLE ga ({', '.join(f'{pp.ident(h)} text' for h in ga_header)});\n"
            f"\\copy ga FROM {pp.literal(ga_csv)} WITH (FORMAT csv, HEADER true)")
    norm = {"distance_m": "round(nullif({t}.distance_m::text, '')::numeric, 1)::text",
            "placed_by": "CASE WHEN {t}.placed_by IN ('', 'none', 'not_placed') THEN 'none' ELSE {t}.placed_by END"}

    def val(t, c):
        return norm[c].format(t=t) if c in norm else f"nullif({t}.{pp.ident(c)}::text, '')"
    diff_terms = [f"{val('p', c)} IS DISTINCT FROM {val('ga', c)}" for c in cols]
    diff_terms.append("abs(coalesce(p.x::float8, 0) - coalesce(nullif(ga.x, '')::float8, 0)) > 0.011 OR "
                      "abs(coalesce(p.y::float8, 0) - coalesce(nullif(ga.y, '')::float8, 0)) > 0.011 OR "
                      "(p.x IS NULL) <> (nullif(ga.x, '') IS NULL)")
    diff = " OR ".join(f"({d})" for d in diff_terms)
    out = pp.psql(f"""
SELECT (SELECT count(*) FROM result), (SELECT count(*) FROM ga);
SELECT count(*) FROM result p FULL JOIN ga ON ga.row::bigint = p.row WHERE p.row IS NULL OR ga.row IS NULL OR {diff};
SELECT 'row ' || coalesce(p.row, ga.row::bigint) || ': ' || concat_ws('; ', {", ".join(
        f"CASE WHEN {val('p', c)} IS DISTINCT FROM {val('ga', c)} THEN '{c} ' || coalesce({val('p', c)}, '-') || ' / ' || "
        f"coalesce({val('ga', c)}, '-') END" for c in cols)},
        CASE WHEN {diff_terms[-1]} THEN 'x/y ' || coalesce(p.x::text, '-') || ' ' || coalesce(p.y::text, '-') || ' / ' ||
             coalesce(ga.x, '-') || ' ' || coalesce(ga.y, '-') END)
FROM result p FULL JOIN ga ON ga.row::bigint = p.row
WHERE p.row IS NULL OR ga.row IS NULL OR {diff} ORDER BY coalesce(p.row, ga.row::bigint) LIMIT {show};
SELECT placed_by || ' ' || n FROM (SELECT placed_by, count(*) AS n FROM result GROUP BY placed_by) c ORDER BY 1;
""")
    lines = [line for line in out.splitlines() if line.strip()]
    n_peer, n_ga = (int(v) for v in lines[0].split("|"))
    return n_peer, n_ga, int(lines[1]), lines[2:], cols


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("project", help="project file whose [households] places rows by x/y (scale_roster.py --by-coordinates)")
    ap.add_argument("--pairs", type=int, default=3, help="alternating pairs (default: %(default)s)")
    ap.add_argument("--gridatlas", default="build/bin/gridatlas", help="gridatlas binary (default: %(default)s)")
    args = ap.parse_args()
    cfg, pdir = project_parts(args.project)
    pp.psql("SET client_min_messages = warning; CREATE EXTENSION IF NOT EXISTS postgis;")
    tmp = tempfile.mkdtemp(prefix="peer_pg_e2e_")
    os.chmod(tmp, 0o777)                          # \\copy runs in psql (this user), the file is only ours
    ga_dir, pg_csv = os.path.join(tmp, "gridatlas"), os.path.join(tmp, "postgis_households.csv")
    first = gridatlas_once(args.gridatlas, args.project, ga_dir)            # warm-up, and the working CRS
    with open(os.path.join(ga_dir, "assignment.json"), encoding="utf-8") as fh:
        working_crs = json.load(fh)["working_crs"]
    if not re.match(r"^EPSG:\d+$", working_crs):
        sys.exit(f"peer_postgis_e2e: working CRS {working_crs} is not an EPSG code")
    levels = [lv["key"] for lv in cfg["grid_levels"]]
    roster_csv = os.path.join(pdir, cfg["households"]["file"])
    with open(roster_csv, encoding="utf-8-sig") as fh:
        header = next(csv.reader(fh))
    print(f"{pp.psql('SELECT version();').split(',')[0]}, PostGIS {pp.psql('SELECT postgis_lib_version();').strip()}; "
          f"{args.project} ({working_crs}); warm-up gridatlas assign {first['wall']:.2f} s")
    pairs = []
    for i in range(args.pairs):
        order = ["ga", "pg"] if i % 2 == 0 else ["pg", "ga"]
        got = {}
        for side in order:
            got[side] = (gridatlas_once(args.gridatlas, args.project, ga_dir) if side == "ga"
                         else postgis_once(cfg, pdir, working_crs, levels, roster_csv, header, pg_csv))
        pairs.append(got)
        print(f"pair {i + 1} ({' then '.join(order)}): GridAtlas {got['ga']['wall']:.2f} s wall / {got['ga']['cpu']:.2f} s CPU; "
              f"PostGIS {got['pg']['wall']:.2f} s wall / {got['pg']['cpu']:.2f} s CPU; "
              f"ratio {got['pg']['wall'] / got['ga']['wall']:.2f}x wall, {got['pg']['cpu'] / got['ga']['cpu']:.2f}x CPU; "
              f"load/compute/write GridAtlas {got['ga']['load']:.2f}/{got['ga']['compute']:.2f}/{got['ga']['write']:.2f} s, "
              f"PostGIS {got['pg']['load']:.2f}/{got['pg']['compute']:.2f}/{got['pg']['write']:.2f} s; "
              f"load {os.getloadavg()[0]:.1f}")
    for key in ("wall", "cpu", "load", "compute", "write"):
        ratios = [p["pg"][key] / p["ga"][key] for p in pairs]
        print(f"{key:>7}: GridAtlas median {statistics.median(p['ga'][key] for p in pairs):.2f} s, PostGIS median "
              f"{statistics.median(p['pg'][key] for p in pairs):.2f} s; per-pair ratio median {statistics.median(ratios):.2f}x "
              f"({min(ratios):.2f}-{max(ratios):.2f})")
    n_peer, n_ga, mismatches, lines, cols = compare(levels, os.path.join(ga_dir, "households.csv"))
    examples, placed = [], []
    for line in lines:
        (examples if line.startswith("row ") else placed).append(line)
    print(f"compared {n_peer} PostGIS rows with {n_ga} GridAtlas rows ({', '.join(cols)}, x, y): {mismatches} differ; "
          f"PostGIS placed_by: {', '.join(placed)}")
    for e in examples:
        print("    " + e + "   (PostGIS / GridAtlas)")
    subprocess.run(["rm", "-rf", tmp])
    return 1 if mismatches or n_peer != n_ga else 0


if __name__ == "__main__":
    sys.exit(main())
