#!/usr/bin/python3
"""Tiles a project (the sample by default) into a synthetic province of N x M counties, for scale runs.

Each county is an exact copy of the project's buildings, units, grid levels, facilities, roads and roster, moved in
the project's metric working CRS by whole county widths plus a gap wider than any walk (so no household, road or
facility of one county reaches another and every county's numbers are exactly the source's), with:
  - new ids: every building, unit, facility and road id and every household id and building reference gets the
    county's prefix "K<k>-" (k = 1, 2, ...; an empty id stays empty, so faulty roster rows stay faulty in the same way);
  - hierarchical codes: the first --county-digits (default 9: province 3 + city 3 + county 3, as in the sample's
    999001001...) characters of every grid-level code and parent code are replaced by the county's code: the source's
    first county-digits-6 characters, then city = k // 999 + 1 and county = k % 999 + 1, 3 digits each. So county 1 of
    the sample keeps 999001001, county 2 is 999001002; community and grid digits below stay the source's;
  - names prefixed by the county's label (e.g. "县r1c2·海景社区"), so grids of different counties read apart.
Counties are laid out row by row: county k = r * M + c sits c county widths east and r county heights north.

Writes, into the output directory:
  province.gpkg   the layers, in the metric CRS, one table per source layer (the source's layer names);
  households.csv  the roster, county after county, every column kept as it is except ids and building references;
  project.toml    the project file with layers pointing at province.gpkg / households.csv and working_crs fixed to
                  the metric CRS the copies were moved in: `gridatlas run <out>/project.toml` runs the real code path;
  counties.csv    k, row, col, county code, label, x/y offset in metres.
Density: --roster-copies K (default 1) writes each county's roster K times into the same buildings: copy 0 is the
county's roster as above, copy j > 0 the same rows with every non-empty household id suffixed "-c<j>" (an empty id
stays empty; a duplicated id stays duplicated within its copy, so faulty rows stay faulty in the same way) and the
same building references. So K times the households in the same buildings, units and grids: the sample has about two
households a building, K = 5 about ten, as in a real province. K = 1 writes exactly the output without the option.
Deterministic: no randomness, the same input gives the same rows in the same order. Size: --counties NxM, or
--households H (the smallest near-square layout with at least H households, counting K copies of the roster; the
sample has ~46,800 households a county, so 30 million households is 25x26 counties and about 15 million buildings at
K = 1, or 11x12 counties and about 3.1 million buildings at K = 5; --counties 8x16 --roster-copies 5 gives 29.9
million households in 3.0 million buildings). Needs GDAL's ogr2ogr/ogrinfo (with the SQLite
dialect's ST_Translate) and Python 3.11+.
Usage: scripts/make_province.py [--project data/sample/project.toml] (--counties 2x2 | --households N)
                                [--roster-copies K] -o out/prov
"""
import argparse
import csv
import math
import os
import re
import subprocess
import sys

try:
    import tomllib
except ImportError:
    sys.exit("make_province: needs Python 3.11+ (tomllib) to read the project file")

# Per layer section: the mapped fields that are ids (prefixed per county) and that are codes (county digits replaced).
ID_KEYS = {"buildings": ["id"], "units": ["id", "building"], "facilities": ["id"], "roads": ["id"]}
CODE_KEYS = ["code", "parent_code"]


def die(msg):
    sys.exit(f"make_province: {msg}")


def run(cmd):
    res = subprocess.run(cmd, capture_output=True, text=True)
    if res.returncode != 0:
        die(f"{' '.join(cmd[:3])} … failed ({res.returncode}): {res.stderr.strip()[:2000]}")
    return res.stdout


def layer_info(path, layer):
    """(field names in order, geometry type, extent (x0,y0,x1,y1), is_geographic) of one vector layer."""
    text = run(["ogrinfo", "-ro", "-so", path, layer])
    fields = re.findall(r"^(\S[^:\n]*): (?:String|Integer|Integer64|Real|Date|DateTime|Time|Binary)", text, re.M)
    gtype = re.search(r"^Geometry: (.+)$", text, re.M)
    ext = re.search(r"^Extent: \(([-\d.e]+), ([-\d.e]+)\) - \(([-\d.e]+), ([-\d.e]+)\)", text, re.M)
    if not gtype or not ext:
        die(f"{path}, layer {layer}: no geometry or extent found by ogrinfo (is it a vector layer with features?)")
    fields = [f for f in fields if f not in ("Layer name", "Geometry", "Feature Count", "Extent", "FID Column",
                                               "Geometry Column", "Layer SRS WKT", "Data axis to CRS axis mapping")]
    geographic = "GEOGCRS[" in text.split("Data axis")[0] and "PROJCRS[" not in text
    return fields, gtype.group(1).replace(" ", "").upper(), tuple(float(v) for v in ext.groups()), geographic


def vector_layers(cfg, project_dir):
    """[(section label, config table, absolute file, layer name, id keys, code keys)] of every vector layer."""
    out = []
    for key in ("buildings", "units", "facilities", "roads"):
        if key in cfg:
            out.append((key, cfg[key], ID_KEYS[key], []))
    for lvl in cfg.get("grid_levels", []):
        out.append((f"grid_levels.{lvl.get('key')}", lvl, [], CODE_KEYS))
    res = []
    for label, tbl, ids, codes in out:
        if "file" not in tbl or "layer" not in tbl:
            die(f"[{label}] needs file and layer (a vector layer) to be tiled")
        res.append((label, tbl, os.path.join(project_dir, tbl["file"]), tbl["layer"], ids, codes))
    return res


def metric_crs(cfg, buildings_path, buildings_layer):
    wc = cfg.get("project", {}).get("working_crs", "auto")
    if wc != "auto":
        return wc
    _, _, (x0, y0, x1, y1), geographic = layer_info(buildings_path, buildings_layer)
    if not geographic:
        die("working_crs is \"auto\" and the buildings are not in longitude/latitude: set working_crs to a metric CRS")
    lon, lat = (x0 + x1) / 2, (y0 + y1) / 2
    zone = int(math.floor((lon + 180) / 6)) + 1
    return f"EPSG:{(32600 if lat >= 0 else 32700) + zone}"


def layout(args, county_households):
    if args.counties:
        m = re.fullmatch(r"(\d+)x(\d+)", args.counties)
        if not m or int(m.group(1)) < 1 or int(m.group(2)) < 1:
            die("--counties takes RxC, e.g. 2x2")
        return int(m.group(1)), int(m.group(2))
    n = max(1, math.ceil(args.households / max(1, county_households)))
    cols = math.ceil(math.sqrt(n))
    return math.ceil(n / cols), cols


def walk_reach_m(cfg):
    w = cfg.get("walking", {})
    speeds = [w.get("speed_m_per_s", 1.1)] + list(w.get("profiles", {}).values())
    minutes = max([k.get("minutes", 15) for k in cfg.get("service_kinds", [])] + [15])
    return max(speeds) * minutes * 60 + 2 * w.get("max_snap_m", 250)


def county_code(prefix_head, k):
    if k >= 999 * 999:
        die("at most 998,001 counties (3 city and 3 county digits)")
    return f"{prefix_head}{k // 999 + 1:03d}{k % 999 + 1:03d}"


def source_code_prefix(path, layer, field, digits):
    """The one county prefix every code of the layer starts with (error if codes differ there or are too short)."""
    text = run(["ogrinfo", "-ro", "-q", "-dialect", "SQLite", "-sql",
                f'SELECT DISTINCT substr("{field}", 1, {digits}) AS p, min(length("{field}")) AS n '
                f'FROM "{layer}" GROUP BY p', path])
    prefixes = re.findall(r"p \(String\) = (\S*)", text)
    lengths = [int(v) for v in re.findall(r"n \(Integer\) = (\d+)", text)]
    if len(prefixes) != 1 or min(lengths) <= digits:
        die(f"{path}, layer {layer}, field {field}: codes must all be longer than --county-digits={digits} and share "
            f"their first {digits} digits (found prefixes {prefixes[:5]}); set --county-digits to the county's length")
    return prefixes[0]


def write_counties(out, rows, cols, dx, dy, head, name):
    path = os.path.join(out, "counties.csv")
    tiles = []
    with open(path, "w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(["k", "row", "col", "county_code", "label", "dx", "dy", "pfx"])
        for r in range(rows):
            for c in range(cols):
                k = r * cols + c
                t = [k + 1, r + 1, c + 1, county_code(head, k), f"{name}县r{r + 1}c{c + 1}·", c * dx, r * dy,
                     f"K{k + 1}-"]
                w.writerow(t)
                tiles.append(t)
    return path, tiles


def sql_for(src_name, fields, idf, codef, namef, digits):
    """SQLite-dialect SELECT of one layer crossed with the counties table, ids/codes/names rewritten."""
    cols = ['ST_Translate(l.geom, t.dx, t.dy, 0) AS geom']
    for f in fields:
        q = f'l."{f}"'
        if f in idf:
            cols.append(f"CASE WHEN {q} IS NULL OR {q} = '' THEN {q} ELSE t.pfx || {q} END AS \"{f}\"")
        elif f in codef:
            cols.append(f"CASE WHEN {q} IS NULL OR {q} = '' THEN {q} ELSE t.county_code || substr({q}, {digits + 1}) "
                        f"END AS \"{f}\"")
        elif f == namef:
            cols.append(f"CASE WHEN {q} IS NULL THEN {q} ELSE t.label || {q} END AS \"{f}\"")
        else:
            cols.append(f'{q} AS "{f}"')
    return f'SELECT {", ".join(cols)} FROM "{src_name}" l, counties t ORDER BY t.k, l.fid'


def build_gpkg(out, layers, metric, counties_csv, digits):
    base, prov = os.path.join(out, "base.gpkg"), os.path.join(out, "province.gpkg")
    for p in (base, prov):
        if os.path.exists(p):
            os.remove(p)
    names = []
    for i, (label, tbl, path, layer, idk, codek) in enumerate(layers):
        src = f"src{i}"
        run(["ogr2ogr", "-f", "GPKG", *(["-update"] if i else []), "-t_srs", metric, "-nln", src,
             "-lco", "GEOMETRY_NAME=geom", "-lco", "FID=fid", "-lco", "SPATIAL_INDEX=NO", base, path, layer])
        names.append(src)
    run(["ogr2ogr", "-update", "-f", "GPKG", "-oo", "AUTODETECT_TYPE=YES", "-nln", "counties", base, counties_csv])
    written = set()
    for src, (label, tbl, path, layer, idk, codek) in zip(names, layers):
        fields, gtype, _, _ = layer_info(base, src)
        idf = [tbl[k] for k in idk if k in tbl]
        codef = [tbl[k] for k in codek if k in tbl]
        if layer in written:
            die(f"[{label}]: layer {layer} is used by two sections; give each section its own layer")
        written.add(layer)
        run(["ogr2ogr", "-f", "GPKG", *(["-update"] if os.path.exists(prov) else []), "-dialect", "SQLite",
             "-sql", sql_for(src, fields, idf, codef, tbl.get("name"), digits), "-nln", layer, "-nlt", gtype,
             "-a_srs", metric, "-gt", "200000", "-lco", "GEOMETRY_NAME=geom", prov, base])
    os.remove(base)
    return prov


def write_roster(cfg, project_dir, out, tiles, copies):
    hh = cfg["households"]
    for key in ("x", "y", "address"):
        if key in hh:
            die(f"[households] has {key} = …: rosters located by coordinates or address are not tiled by this script")
    src = os.path.join(project_dir, hh["file"])
    with open(src, newline="", encoding="utf-8-sig") as fh:
        reader = csv.reader(fh)
        header = next(reader)
        rows = list(reader)
    try:
        id_col, b_col = header.index(hh["id"]), header.index(hh["building"])
    except ValueError:
        die(f"{src}: header lacks the id column {hh['id']!r} or the building column {hh['building']!r}")
    dst = os.path.join(out, "households.csv")
    n = 0
    with open(dst, "w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh, lineterminator="\n")
        w.writerow(header)
        for t in tiles:
            pfx = t[7]
            for j in range(copies):
                sfx = f"-c{j}" if j else ""
                for row in rows:
                    r = list(row)
                    if id_col < len(r) and r[id_col]:
                        r[id_col] = pfx + r[id_col] + sfx
                    if b_col < len(r) and r[b_col]:
                        r[b_col] = pfx + r[b_col]
                    w.writerow(r)
                    n += 1
    return len(rows) * copies, n


def project_text(text, metric, layers_by_section, rows, cols):
    out, section = [], None
    for line in text.splitlines(keepends=True):
        header = re.match(r"^\s*\[\[?\s*([A-Za-z0-9_.]+)\s*\]\]?", line)
        if header:
            section = header.group(1)
        if re.match(r"^\s*file\s*=", line):
            target = "households.csv" if section == "households" else "province.gpkg"
            line = re.sub(r'"[^"]*"', f'"{target}"', line, count=1)
        elif section == "project" and re.match(r"^\s*working_crs\s*=", line):
            line = f'working_crs = "{metric}"   # the metric CRS make_province.py moved the counties in\n'
        elif section == "project" and re.match(r"^\s*name\s*=", line):
            line = re.sub(r'"([^"]*)"', lambda m: f'"{m.group(1)}·省{rows}x{cols}"', line, count=1)
        out.append(line)
    return "".join(out)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--project", default="data/sample/project.toml", help="project file (default: %(default)s)")
    size = ap.add_mutually_exclusive_group(required=True)
    size.add_argument("--counties", help="RxC counties, e.g. 2x2")
    size.add_argument("--households", type=int, help="at least this many households (near-square layout)")
    ap.add_argument("--roster-copies", type=int, default=1, metavar="K",
                    help="write each county's roster K times into the same buildings, ids of copy j>0 suffixed "
                         "-c<j> (default 1: households as in the source; 5 gives the sample ~10 a building)")
    ap.add_argument("--county-digits", type=int, default=9, help="leading code digits naming the county (default 9)")
    ap.add_argument("--gap-m", type=float, default=0, help="metres between counties (default: 2 walks + 2 snaps)")
    ap.add_argument("-o", "--output", required=True, help="output directory (created if missing)")
    args = ap.parse_args()
    if args.households is not None and args.households <= 0:
        die("--households must be positive")
    if args.roster_copies < 1:
        die("--roster-copies must be at least 1")
    if args.county_digits < 7:
        die("--county-digits must be at least 7 (3 city + 3 county digits follow the province's)")

    with open(args.project, "rb") as fh:
        raw = fh.read()
    cfg = tomllib.loads(raw.decode("utf-8"))
    project_dir = os.path.dirname(os.path.abspath(args.project))
    os.makedirs(args.output, exist_ok=True)
    layers = vector_layers(cfg, project_dir)
    metric = metric_crs(cfg, os.path.join(project_dir, cfg["buildings"]["file"]), cfg["buildings"]["layer"])

    with open(os.path.join(project_dir, cfg["households"]["file"]), encoding="utf-8-sig") as fh:
        sample_rows = sum(1 for _ in fh) - 1
    rows, cols = layout(args, sample_rows * args.roster_copies)

    # The source's extent in the metric CRS (every layer), and the county prefix of its codes.
    boxes = []
    for label, tbl, path, layer, _, _ in layers:
        tmp = os.path.join(args.output, "extent.gpkg")
        run(["ogr2ogr", "-f", "GPKG", "-overwrite", "-t_srs", metric, "-nln", "e", tmp, path, layer])
        boxes.append(layer_info(tmp, "e")[2])
    os.remove(os.path.join(args.output, "extent.gpkg"))
    width = max(b[2] for b in boxes) - min(b[0] for b in boxes)
    height = max(b[3] for b in boxes) - min(b[1] for b in boxes)
    gap = args.gap_m or 2 * walk_reach_m(cfg)
    dx, dy = math.ceil(width + gap), math.ceil(height + gap)

    heads = set()
    for label, tbl, path, layer, _, codek in layers:
        for k in codek:
            if k in tbl:
                heads.add(source_code_prefix(path, layer, tbl[k], args.county_digits))
    if len(heads) > 1:
        die(f"grid levels start with different county prefixes {sorted(heads)}: one county is tiled at a time")
    head = (heads.pop() if heads else "999001001")[: args.county_digits - 6]

    counties_csv, tiles = write_counties(args.output, rows, cols, dx, dy, head, "")
    build_gpkg(args.output, layers, metric, counties_csv, args.county_digits)
    per_county, total = write_roster(cfg, project_dir, args.output, tiles, args.roster_copies)
    with open(os.path.join(args.output, "project.toml"), "w", encoding="utf-8") as fh:
        fh.write(project_text(raw.decode("utf-8"), metric, layers, rows, cols))
    print(f"make_province: {rows}x{cols} = {len(tiles)} counties, {dx} x {dy} m each (gap {gap:.0f} m) in {metric}; "
          f"{total} households ({per_county} a county) -> {args.output}/project.toml")


if __name__ == "__main__":
    main()
