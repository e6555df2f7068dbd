#!/usr/bin/python3
"""ctest for scripts/make_province.py: tiles the sample into 2x2 counties, runs `gridatlas run --no-render` on the
sample and on the province, and checks that each county is an exact copy of the sample: for every grid of every level,
every per-grid number in summary.json (households, persons, party-member households, buildings, households by status,
coverage share per kind, complete-circle households) equals the sample grid's with the county's code prefix; roster,
unassigned households per reason, residential buildings, facilities, network nodes/edges/components are 4x the sample's;
codes keep their length and say which county they are in. Then a 1x1 province with --roster-copies 2 (every household
written twice into the same buildings): every grid of every level has exactly 2x the sample grid's households, persons,
party-member households, households per status and complete-circle households, and the same buildings and coverage
shares; roster, unassigned households per reason and covered households per kind are 2x, buildings, units and the
walking network the same. Writes under a per-process folder.
Usage: province_test.py <gridatlas binary> <source dir>
"""
import json
import os
import shutil
import subprocess
import sys

gridatlas, src = sys.argv[1], sys.argv[2]
work = os.path.join(os.environ.get("TMPDIR", "/tmp"), f"gridatlas_province_test_{os.getpid()}")
failures = []


def check(cond, msg):
    if not cond:
        failures.append(msg)


def run(cmd):
    res = subprocess.run(cmd, capture_output=True, text=True)
    if res.returncode != 0:
        sys.exit(f"FAILED: {' '.join(cmd)} exited {res.returncode}:\n{res.stdout[-3000:]}\n{res.stderr[-3000:]}")


DOUBLED = ("households", "persons", "party_member_households", "complete_circle_households")
SAME = ("buildings", "coverage_share")


def check_roster_copies(s, p):
    """p: the sample as a 1x1 province with every household twice; compared with s, the sample's own run."""
    check(p["households"]["roster"] == 2 * s["households"]["roster"] > 0, "K=2: roster not 2x the sample's")
    check(p["households"]["assigned"] == 2 * s["households"]["assigned"], "K=2: assigned households not 2x")
    for reason, n in s["households"]["unassigned_by_reason"].items():
        check(p["households"]["unassigned_by_reason"].get(reason) == 2 * n, f"K=2: unassigned {reason} not 2x")
    for key in ("buildings", "residential_buildings", "units", "facilities", "grids", "road_lines"):
        check(p["inputs"][key] == s["inputs"][key], f"K=2: inputs.{key} {p['inputs'][key]} != {s['inputs'][key]}")
    for key in ("nodes", "edges", "components"):
        check(p["walk_network"][key] == s["walk_network"][key], f"K=2: walk_network.{key}")
    for sk, pk in zip(s["service_kinds"], p["service_kinds"]):
        check(pk["covered_households"] == 2 * sk["covered_households"], f"K=2: {sk['kind']}: covered households")
    compared = 0
    for sl, pl in zip(s["levels"], p["levels"]):
        by_code = {g["code"]: g for g in pl["per_grid"]}
        check(len(by_code) == len(sl["per_grid"]), f"K=2: level {sl['key']} has {len(by_code)} grids")
        for g in sl["per_grid"]:
            pg = by_code.get(g["code"])
            if pg is None:
                failures.append(f"K=2: level {sl['key']}: no grid {g['code']}")
                continue
            for key in DOUBLED:
                check(pg[key] == 2 * g[key], f"K=2: grid {g['code']}: {key} {pg[key]} != 2 x {g[key]}")
            for key in SAME:
                check(pg[key] == g[key], f"K=2: grid {g['code']}: {key} {pg[key]} != {g[key]}")
            st = {k: 2 * v for k, v in g["households_by_status"].items()}
            check(pg["households_by_status"] == st, f"K=2: grid {g['code']}: by status {pg['households_by_status']}")
            compared += 1
    check(compared == sum(len(l["per_grid"]) for l in s["levels"]) > 0, f"K=2: compared {compared} grids")
    return compared


try:
    shutil.rmtree(work, ignore_errors=True)
    prov = os.path.join(work, "prov")
    run([sys.executable, os.path.join(src, "scripts/make_province.py"), "--project",
         os.path.join(src, "data/sample/project.toml"), "--counties", "2x2", "-o", prov])
    run([gridatlas, "run", "--no-render", os.path.join(src, "data/sample/project.toml"), "-o", os.path.join(work, "s")])
    run([gridatlas, "run", "--no-render", os.path.join(prov, "project.toml"), "-o", os.path.join(work, "p")])
    s = json.load(open(os.path.join(work, "s", "summary.json"), encoding="utf-8"))
    p = json.load(open(os.path.join(work, "p", "summary.json"), encoding="utf-8"))

    counties = ["999001001", "999001002", "999001003", "999001004"]
    check(s["working_crs"] == p["working_crs"], f"working CRS {s['working_crs']} vs {p['working_crs']}")
    for key in ("households_in_roster", "buildings", "residential_buildings", "units", "facilities", "grids",
                "road_lines", "walkable_road_lines", "rejected_buildings"):
        check(p["inputs"][key] == 4 * s["inputs"][key], f"inputs.{key}: {p['inputs'][key]} != 4 x {s['inputs'][key]}")
    for key in ("assigned", "unassigned", "roster"):
        check(p["households"][key] == 4 * s["households"][key], f"households.{key}")
    for reason, n in s["households"]["unassigned_by_reason"].items():
        check(p["households"]["unassigned_by_reason"].get(reason) == 4 * n, f"unassigned {reason}")
    for key in ("nodes", "edges", "components"):
        check(p["walk_network"][key] == 4 * s["walk_network"][key], f"walk_network.{key}")
    check(len(s["levels"]) == len(p["levels"]), "number of levels")
    compared = 0
    for sl, pl in zip(s["levels"], p["levels"]):
        check(pl["grids"] == 4 * sl["grids"], f"level {sl['key']}: {pl['grids']} grids != 4 x {sl['grids']}")
        by_code = {g["code"]: g for g in pl["per_grid"]}
        for g in sl["per_grid"]:
            for c in counties:
                code = c + g["code"][9:]
                pg = by_code.get(code)
                if pg is None:
                    failures.append(f"level {sl['key']}: no grid {code} in the province")
                    continue
                check(len(code) == len(g["code"]), f"code length {code}")
                if g.get("parent_code"):
                    check(pg.get("parent_code") == c + g["parent_code"][9:], f"{code}: parent {pg.get('parent_code')}")
                mine = {k: v for k, v in g.items() if k not in ("code", "name", "parent_code")}
                theirs = {k: v for k, v in pg.items() if k not in ("code", "name", "parent_code")}
                check(mine == theirs, f"level {sl['key']} grid {code}: {theirs} != sample {mine}")
                compared += 1
    check(compared == 4 * sum(len(l["per_grid"]) for l in s["levels"]) and compared > 0, f"compared {compared} grids")
    for sk, pk in zip(s["service_kinds"], p["service_kinds"]):
        check(pk["covered_households"] == 4 * sk["covered_households"], f"{sk['kind']}: covered households")

    dense = os.path.join(work, "dense")
    run([sys.executable, os.path.join(src, "scripts/make_province.py"), "--project",
         os.path.join(src, "data/sample/project.toml"), "--counties", "1x1", "--roster-copies", "2", "-o", dense])
    run([gridatlas, "run", "--no-render", os.path.join(dense, "project.toml"), "-o", os.path.join(work, "d")])
    d = json.load(open(os.path.join(work, "d", "summary.json"), encoding="utf-8"))
    doubled = check_roster_copies(s, d)
    if failures:
        print("\n".join(failures[:40]))
        sys.exit(f"FAILED: {len(failures)} mismatches")
    print(f"ok: {compared} county grids equal the sample's; inputs, roster and network are 4x the sample's; "
          f"with --roster-copies 2, {doubled} grids have 2x the sample's households in the same buildings")
finally:
    shutil.rmtree(work, ignore_errors=True)
