#!/bin/sh
# Makes a rural-like project from the bundled sample, to measure `gridatlas grid draw` on scattered settlements:
# hamlets (自然村) in fields, grouped inside each community of the sample.
#
#     scripts/make_rural_extract.sh OUT_DIR [REPO]
#
# From data/sample (nothing is hand-edited):
# - hamlets: only the buildings whose centroid lies within 90 m of a node of a lattice of 0.0050° × 0.0036°
#   (about 400 m × 400 m at Monaco's 43.7° N) keep households; their estimate `rural_households` is the sample's
#   `households`, every other building gets 0 (fields, no one lives there);
# - roads: only country roads are kept (primary, secondary, tertiary, unclassified, track and their links), so the
#   land between hamlets is a few large fields rather than city blocks;
# - project.toml: the sample's, with [buildings] and [roads] read from OUT_DIR/rural.gpkg and the other paths
#   absolute.
# Then: gridatlas grid draw OUT_DIR/project.toml -o OUT --parent-level community --households-field rural_households
# Needs ogr2ogr (gdal-bin) with SQLite/SpatiaLite SQL (Debian's has it).
set -eu
out=${1:?usage: make_rural_extract.sh OUT_DIR [REPO]}
repo=${2:-$(cd "$(dirname "$0")/.." && pwd)}
sample="$repo/data/sample"
mkdir -p "$out"
out=$(cd "$out" && pwd)
rm -f "$out/rural.gpkg"

ogr2ogr -f GPKG "$out/rural.gpkg" "$sample/sample.gpkg" -nln buildings -dialect sqlite -sql "
  SELECT building_id, name, residential, floors,
         CASE WHEN dx * dx + dy * dy < 90.0 * 90.0 THEN households ELSE 0 END AS rural_households, geom
  FROM (SELECT *,
               (ST_X(ST_Centroid(geom)) / 0.0050 - ROUND(ST_X(ST_Centroid(geom)) / 0.0050)) * 0.0050 * 80440.0 AS dx,
               (ST_Y(ST_Centroid(geom)) / 0.0036 - ROUND(ST_Y(ST_Centroid(geom)) / 0.0036)) * 0.0036 * 111320.0 AS dy
        FROM buildings)"
ogr2ogr -update -f GPKG "$out/rural.gpkg" "$sample/sample.gpkg" -nln roads -dialect sqlite -sql "
  SELECT * FROM roads WHERE highway IN ('primary', 'primary_link', 'secondary', 'secondary_link', 'tertiary',
                                        'tertiary_link', 'unclassified', 'track')"

# The sample's project file, its [buildings] and [roads] tables pointed at rural.gpkg, every other file absolute.
awk -v sample="$sample" -v rural="$out/rural.gpkg" '
  /^\[/ { table = $0 }
  /^file = / {
    if (table == "[buildings]" || table == "[roads]") { print "file = \"" rural "\""; next }
    sub(/^file = "/, "file = \"" sample "/")
  }
  { print }' "$sample/project.toml" > "$out/project.toml"
echo "rural-like project: $out/project.toml"
