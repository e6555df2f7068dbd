#!/usr/bin/python3
"""Scales a project's household roster up to N rows, for the 1,000,000-household assignment benchmark.

Writes, into the output directory:
  households_<N>.csv  the roster's rows repeated in order until there are N rows. Copy k (k = 0, 1, 2, …; the last
                      copy is cut short) keeps every column as it is, except the household id, which gets "-r<k>"
                      appended in copies k > 0 (an empty id stays empty). So the copies are new households, not
                      duplicates, while a row whose id repeats within the roster repeats within each copy, and every
                      faulty row of the sample (no building, unknown or demolished building, duplicate id) comes back
                      once per copy. The building ids are the sample's own: every row points at the same buildings,
                      units and grids as its original. This is exactly the replication of bench/assign_bench.cpp's
                      BM_AssignHouseholds_1M, written out as a file that GridAtlas and its peers all read.
  project.toml        the project file with every `file = "…"` made absolute and [households] file pointing at
                      the scaled roster: `gridatlas assign <out>/project.toml -o …` runs the real code path on it.

With --by-coordinates the roster locates households by their point instead of a building id, as rosters from a
field app or a geocoder do: the building id column is dropped and "lon", "lat" (EPSG:4326, 7 decimals) are added —
the point on surface of the row's building (ogr2ogr's SQLite dialect, GEOS PointOnSurface), moved 10 m north on
every 7th row (row n with n % 7 == 3), so some points fall outside every footprint and go to the nearest residential
building within max_nearest_m = 30 m (or none). A row whose building id is empty or not in the buildings layer gets
no point (missing_building_ref). The project file gets x = "lon", y = "lat", crs = "EPSG:4326", max_nearest_m = 30
in place of its building mapping. Needs GDAL's ogr2ogr for the points.

Deterministic: the same input gives the same bytes. Needs the Python standard library (3.11+, tomllib), and GDAL's
ogr2ogr for --by-coordinates.
Usage: scripts/scale_roster.py [--project data/sample/project.toml] [--rows 1000000] -o out/bench1m
"""
import argparse
import csv
import io
import os
import re
import subprocess
import sys

try:
    import tomllib
except ImportError:
    sys.exit("scale_roster: needs Python 3.11+ (tomllib) to read the project file")


def scaled_project_text(project_text, project_dir, roster_section_file, scaled_csv):
    """The project file's text with each `file = "…"` absolute; the [households] one replaced by `scaled_csv`."""
    out, section = [], None
    for line in project_text.splitlines(keepends=True):
        header = re.match(r"^\s*\[\[?\s*([A-Za-z0-9_.]+)\s*\]\]?", line)
        if header:
            section = header.group(1)
        m = re.match(r'^(\s*file\s*=\s*)"([^"]*)"(.*)$', line, re.S)
        if m:
            path = scaled_csv if section == "households" else os.path.join(project_dir, m.group(2))
            line = f'{m.group(1)}"{os.path.abspath(path)}"{m.group(3)}'
        out.append(line)
    text = "".join(out)
    if os.path.abspath(scaled_csv) not in text:
        sys.exit(f"scale_roster: found no [households] file = \"{roster_section_file}\" line to rewrite in the project file")
    return text


NORTH_SHIFT_DEG = 10 / 111_320          # 10 m of latitude


def building_points(cfg, project_dir):
    """{building id: (lon, lat)}: each building's point on surface in EPSG:4326, read with ogr2ogr."""
    b = cfg.get("buildings") or {}
    if "file" not in b or "id" not in b:
        sys.exit("scale_roster: --by-coordinates needs a [buildings] table with file and id")
    layer = b.get("layer")
    if not layer:
        sys.exit("scale_roster: --by-coordinates needs [buildings] layer (the SQL names it)")
    q = lambda name: '"' + name.replace('"', '""') + '"'
    sql = f"SELECT {q(b['id'])} AS bid, ST_PointOnSurface(geom) AS geom FROM {q(layer)}"
    cmd = ["ogr2ogr", "-f", "CSV", "/vsistdout/", os.path.join(project_dir, b["file"]), "-dialect", "sqlite",
           "-sql", sql, "-t_srs", "EPSG:4326", "-lco", "GEOMETRY=AS_XY"] + (["-s_srs", b["crs"]] if "crs" in b else [])
    r = subprocess.run(cmd, capture_output=True, text=True)
    if r.returncode != 0:
        sys.exit(f"scale_roster: ogr2ogr could not read the building points: {r.stderr.strip()}")
    points = {}
    for row in csv.DictReader(io.StringIO(r.stdout)):
        if row["bid"] and row["X"] and row["Y"]:
            points[row["bid"]] = (float(row["X"]), float(row["Y"]))
    return points


def located_project_text(text, building_key):
    """The [households] table without its building mapping, with x/y/crs/max_nearest_m instead."""
    out, section, added = [], None, False
    for line in text.splitlines(keepends=True):
        header = re.match(r"^\s*\[\[?\s*([A-Za-z0-9_.]+)\s*\]\]?", line)
        if header:
            section = header.group(1)
        if section == "households" and re.match(rf"^\s*{building_key}\s*=", line):
            continue
        if section == "households" and re.match(r"^\s*(x|y|crs|max_nearest_m|address\w*)\s*=", line):
            sys.exit("scale_roster: --by-coordinates: the project's [households] already has x/y/crs/address")
        out.append(line)
        if header and section == "households" and not added:
            out.append('x = "lon"\ny = "lat"\ncrs = "EPSG:4326"\nmax_nearest_m = 30\n')
            added = True
    return "".join(out)


def located_row(header_out, r, bcol, points, n):
    """Row r without its building id column, with lon/lat of its building (moved north on every 7th row)."""
    p = points.get(r[bcol])
    out = r[:bcol] + r[bcol + 1:]
    if p is None:
        return out + ["", ""]
    lat = p[1] + (NORTH_SHIFT_DEG if n % 7 == 3 else 0.0)
    return out + [f"{p[0]:.7f}", f"{lat:.7f}"]


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--project", default="data/sample/project.toml", help="project file (default: %(default)s)")
    ap.add_argument("--rows", type=int, default=1_000_000, help="rows to write (default: %(default)s)")
    ap.add_argument("-o", "--output", required=True, help="output directory (created if missing)")
    ap.add_argument("--by-coordinates", action="store_true",
                    help="locate households by lon/lat (their building's point) instead of building id")
    args = ap.parse_args()
    if args.rows <= 0:
        sys.exit("scale_roster: --rows must be positive")

    with open(args.project, "rb") as fh:
        cfg = tomllib.load(fh)
    project_dir = os.path.dirname(os.path.abspath(args.project))
    hh = cfg.get("households")
    if not hh or "file" not in hh or "id" not in hh:
        sys.exit(f"scale_roster: {args.project} has no [households] table with file and id")
    roster = os.path.join(project_dir, hh["file"])
    if not roster.lower().endswith(".csv"):
        sys.exit(f"scale_roster: {roster}: only a CSV roster can be scaled (convert it with ogr2ogr -f CSV first)")

    with open(roster, newline="", encoding="utf-8-sig") as fh:
        reader = csv.reader(fh)
        header = next(reader)
        rows = list(reader)
    if not rows:
        sys.exit(f"scale_roster: {roster} has no rows")
    try:
        id_col = header.index(hh["id"])
    except ValueError:
        sys.exit(f"scale_roster: {roster} has no column '{hh['id']}' ([households] id in {args.project})")

    bcol, points = None, None
    if args.by_coordinates:
        if hh.get("building") not in header:
            sys.exit(f"scale_roster: {roster} has no building id column ([households] building)")
        bcol = header.index(hh["building"])
        points = building_points(cfg, project_dir)
        header = header[:bcol] + header[bcol + 1:] + ["lon", "lat"]

    os.makedirs(args.output, exist_ok=True)
    scaled = os.path.join(args.output, f"households_{args.rows}.csv")
    with open(scaled, "w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh, lineterminator="\n")
        w.writerow(header)
        written, copy = 0, 0
        while written < args.rows:
            for r in rows[: args.rows - written]:
                if copy > 0 and r[id_col]:
                    r = list(r)
                    r[id_col] += f"-r{copy}"
                w.writerow(located_row(header, r, bcol, points, written) if points is not None else r)
                written += 1
            copy += 1

    with open(args.project, encoding="utf-8") as fh:
        text = scaled_project_text(fh.read(), project_dir, hh["file"], scaled)
    if args.by_coordinates:
        text = located_project_text(text, "building")
    project_out = os.path.join(args.output, "project.toml")
    with open(project_out, "w", encoding="utf-8") as fh:
        fh.write(f"# {args.project} with its roster scaled to {args.rows} rows by scripts/scale_roster.py\n")
        fh.write(text)
    print(f"scale_roster: {len(rows)} roster rows -> {args.rows} rows ({copy} copies) in {scaled}; project {project_out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
