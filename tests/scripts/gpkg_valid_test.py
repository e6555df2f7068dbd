#!/usr/bin/python3
"""The GeoPackages `run` and `assign` write on the sample pass GDAL's GeoPackage validator (validate_gpkg.py of
python3-gdal: requirements of the OGC standard, gpkg_contents, triggers, geometry blobs), and GDAL reads every layer
with the row count SQLite has: the attribute tables written straight through SQLite (layers/gpkg_table_writer) are
registered as GDAL's own are. Usage: gpkg_valid_test.py GRIDATLAS_BIN SOURCE_DIR (run by ctest with Debian's python3)."""
import os
import sqlite3
import subprocess
import sys
import tempfile

from osgeo import ogr

ogr.UseExceptions()


def fail(msg):
    print("FAIL: " + msg)
    sys.exit(1)


def check(gpkg, expect_households):
    r = subprocess.run([sys.executable, "-m", "osgeo_utils.samples.validate_gpkg", gpkg], capture_output=True, text=True)
    if r.returncode != 0 or r.stdout.strip() or r.stderr.strip():
        fail(f"{gpkg}: validate_gpkg exit {r.returncode}: {(r.stdout + r.stderr).strip()[-2000:]}")
    db = sqlite3.connect(gpkg)
    ds = ogr.Open(gpkg)
    names = [ds.GetLayer(i).GetName() for i in range(ds.GetLayerCount())]
    for name in names:
        n_sql = db.execute(f'SELECT count(*) FROM "{name}"').fetchone()[0]
        n_gdal = ds.GetLayerByName(name).GetFeatureCount()
        n_ogr = db.execute("SELECT feature_count FROM gpkg_ogr_contents WHERE table_name = ?", (name,)).fetchone()
        if n_gdal != n_sql or (n_ogr and n_ogr[0] != n_sql):
            fail(f"{gpkg} layer {name}: GDAL counts {n_gdal}, gpkg_ogr_contents {n_ogr}, SQLite {n_sql}")
    households = ds.GetLayerByName("households")
    if households is None or households.GetFeatureCount() != expect_households:
        fail(f"{gpkg}: households layer has {households and households.GetFeatureCount()} rows, expected {expect_households}")
    first = households.GetNextFeature()
    if first.GetField("household_id") != "H000001" or first.GetField("row") != 1:
        fail(f"{gpkg}: first household read through GDAL is {first.GetField('household_id')} row {first.GetField('row')}")
    print(f"ok {os.path.basename(gpkg)}: valid, {len(names)} layers, counts agree ({', '.join(names)})")


def main():
    binary, source = sys.argv[1], sys.argv[2]
    project = os.path.join(source, "data", "sample", "project.toml")
    with open(os.path.join(source, "data", "sample", "households.csv"), encoding="utf-8") as fh:
        roster_rows = sum(1 for _ in fh) - 1
    with tempfile.TemporaryDirectory(prefix="gridatlas-gpkg-valid-") as tmp:
        for command, name in (("run", "gridatlas.gpkg"), ("assign", "assignment.gpkg")):
            out = os.path.join(tmp, command)
            args = [binary, command] + (["--no-render"] if command == "run" else []) + [project, "-o", out]
            r = subprocess.run(args, capture_output=True, text=True)
            if r.returncode != 0:
                fail(f"{' '.join(args)} exit {r.returncode}: {r.stderr[-2000:]}")
            check(os.path.join(out, name), roster_rows)
    return 0


if __name__ == "__main__":
    sys.exit(main())
