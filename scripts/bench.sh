#!/usr/bin/env bash
# Measured performance of GridAtlas on the bundled sample, and its two peers:
#   1. builds gridatlas, bench_access and bench_assign (Release, GRIDATLAS_BUILD_BENCHMARKS=ON) in $BUILD if needed;
#   2. runs `gridatlas run` on the sample (no map) into $OUT;
#   3. runs the Google Benchmark targets (JSON kept in $OUT/bench_*.json);
#   4. runs scripts/peer_networkx.py (walking access) and scripts/peer_geopandas.py (household assignment), which
#      check their results against GridAtlas's and fail on any difference;
#   5. the 1,000,000-household assignment: scripts/scale_roster.py repeats the sample's roster to 1,000,000 rows (same
#      building ids, see its docstring) into $OUT/1m, `gridatlas assign` runs on it (its assignment.json has the stage
#      timings), then scripts/peer_geopandas.py and scripts/peer_postgis.sh (a PostgreSQL + PostGIS cluster of its
#      own on loopback) do the same joins on the same rows and check every household against GridAtlas's table;
#   6. prints a table of the time ratios and the load average.
# Every peer ratio comes from PAIRS alternating pairs (scripts/peer_pairs.py): GridAtlas's own command and bench
# benchmark once, the peer once, the order swapped every other pair; medians and the spread (min-max) are printed.
# Installs nothing itself: it checks that the Debian packages python3-gdal, python3-networkx and python3-geopandas are
# importable by $PYTHON and names the missing one; scripts/peer_postgis.sh installs postgresql-15 and
# postgresql-15-postgis-3 when they are missing (BENCH_1M=0 skips step 5). About 6 minutes on 2 cores once built.
# Environment: BUILD (default build), OUT (default out/bench), JOBS (default 2), MIN_TIME (benchmark seconds, 0.1),
# PYTHON (default /usr/bin/python3: the Debian interpreter that sees the Debian python3-* packages), BENCH_1M (1),
# ROWS (1000000: the scaled roster's rows), PAIRS (3: alternating GridAtlas/peer pairs per ratio).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
BUILD="${BUILD:-build}"
OUT="${OUT:-out/bench}"
JOBS="${JOBS:-2}"
MIN_TIME="${MIN_TIME:-0.1}"
PYTHON="${PYTHON:-/usr/bin/python3}"
BENCH_1M="${BENCH_1M:-1}"
ROWS="${ROWS:-1000000}"
PAIRS="${PAIRS:-3}"
PROJECT="data/sample/project.toml"

say() { printf '\n== %s\n' "$*"; }

# --- Python peers' dependencies (checked first: nothing else is worth running without them) ---------------------
missing=()
"$PYTHON" -c 'import osgeo.ogr' 2>/dev/null || missing+=(python3-gdal)
"$PYTHON" -c 'import networkx' 2>/dev/null || missing+=(python3-networkx)
"$PYTHON" -c 'import geopandas' 2>/dev/null || missing+=(python3-geopandas)
if ((${#missing[@]})); then
    echo "bench.sh: $PYTHON cannot import the peers' modules; install the Debian packages:" >&2
    echo "    apt-get install -y ${missing[*]}" >&2
    exit 1
fi

# --- Build (Release, benchmarks on) ----------------------------------------------------------------------------
cache="$BUILD/CMakeCache.txt"
if [[ ! -f "$cache" ]] || ! grep -q '^GRIDATLAS_BUILD_BENCHMARKS:BOOL=ON' "$cache" \
        || ! grep -q '^CMAKE_BUILD_TYPE:STRING=Release' "$cache"; then
    say "configuring $BUILD (Release, benchmarks on)"
    cmake -S . -B "$BUILD" -DCMAKE_BUILD_TYPE=Release -DGRIDATLAS_BUILD_BENCHMARKS=ON >/dev/null
fi
say "building gridatlas bench_access bench_assign (-j$JOBS)"
mkdir -p "$OUT"
BIN="$BUILD/bin"
build_start=$SECONDS
if cmake --build "$BUILD" --target gridatlas bench_access bench_assign -j"$JOBS" >"$OUT/build.log" 2>&1; then
    echo "up to date after $((SECONDS - build_start)) s ($(grep -c 'Building CXX' "$OUT/build.log" || true) files compiled; log: $OUT/build.log)"
else
    echo "bench.sh: the build failed (full log: $OUT/build.log):" >&2
    grep -E -A3 'error|Error' "$OUT/build.log" | head -20 >&2
    for exe in gridatlas bench_access bench_assign; do
        [[ -x "$BIN/$exe" ]] || { echo "bench.sh: and there is no $BIN/$exe to fall back on" >&2; exit 1; }
    done
    echo "bench.sh: WARNING: going on with the binaries already in $BIN, which may be stale" >&2
fi
measure_start=$SECONDS

# --- GridAtlas on the sample ------------------------------------------------------------------------------------
say "gridatlas run $PROJECT -o $OUT --no-render"
"$BIN/gridatlas" run "$PROJECT" -o "$OUT" --no-render --max-warnings 0 | grep -E '^Timings|^GridAtlas run'

# --- Google Benchmark ------------------------------------------------------------------------------------------
for b in access assign; do
    say "bench_$b (min time ${MIN_TIME}s per benchmark)"
    "$BIN/bench_$b" --benchmark_min_time="$MIN_TIME" --benchmark_out="$OUT/bench_$b.json" \
        --benchmark_out_format=json 2>&1 | grep -E '^(BM_|Benchmark|---)'
done

# --- Peers -----------------------------------------------------------------------------------------------------
status=0
say "NetworkX peer (walking access)"
"$PYTHON" scripts/peer_networkx.py "$OUT/gridatlas.gpkg" --pairs "$PAIRS" --gridatlas "$BIN/gridatlas" \
    --bench-bin "$BIN/bench_access" | tee "$OUT/peer_networkx.txt" \
    || status=1
say "GeoPandas peer (household assignment)"
"$PYTHON" scripts/peer_geopandas.py "$OUT/gridatlas.gpkg" --pairs "$PAIRS" --gridatlas "$BIN/gridatlas" \
    --bench-bin "$BIN/bench_assign" | tee "$OUT/peer_geopandas.txt" \
    || status=1

# --- The 1,000,000-household assignment: GridAtlas, GeoPandas, PostGIS on the same scaled roster --------------------
rm -f "$OUT/peer_geopandas_1m.txt" "$OUT/peer_postgis_1m.txt"
if [[ "$BENCH_1M" != 0 ]]; then
    M="$OUT/1m"
    say "scaling the sample's roster to $ROWS rows ($M)"
    "$PYTHON" scripts/scale_roster.py --project "$PROJECT" --rows "$ROWS" -o "$M"
    say "gridatlas assign $M/project.toml -o $M/gridatlas"
    "$BIN/gridatlas" assign "$M/project.toml" -o "$M/gridatlas" --max-warnings 0 >"$M/assign.txt"
    "$PYTHON" -c 'import json, sys
t = {x["stage"]: x["seconds"] for x in json.load(open(sys.argv[1]))["timings"]}
print("Timings: " + ", ".join(f"{k} {v:.3f} s" for k, v in t.items()))' "$M/gridatlas/assignment.json"
    names="BM_BuildGridTree,BM_AssignHouseholds_1M"
    [[ "$ROWS" == 1000000 ]] || names="none"
    say "GeoPandas peer, $ROWS households"
    "$PYTHON" scripts/peer_geopandas.py "$M/gridatlas" --pairs "$PAIRS" --gridatlas "$BIN/gridatlas" \
        --bench-bin "$BIN/bench_assign" --bench-names "$names" \
        | tee "$OUT/peer_geopandas_1m.txt" || status=1
    say "PostGIS peer, $ROWS households"
    PYTHON="$PYTHON" scripts/peer_postgis.sh "$M/gridatlas" --pairs "$PAIRS" --gridatlas "$(realpath "$BIN")/gridatlas" \
        --bench-bin "$(realpath "$BIN")/bench_assign" --bench-names "$names" | tee "$OUT/peer_postgis_1m.txt" || status=1
fi

# --- Summary table ---------------------------------------------------------------------------------------------
say "summary (ratio = peer time / GridAtlas time; > 1: GridAtlas faster)"
"$PYTHON" - "$OUT" <<'EOF'
import json, sys
out = sys.argv[1]
for name, file in (("networkx", "networkx"), ("geopandas", "geopandas"), ("geopandas 1M", "geopandas_1m"),
                   ("postgis 1M", "postgis_1m")):
    try:
        lines = open(f"{out}/peer_{file}.txt", encoding="utf-8").read().splitlines()
    except OSError:
        continue                                    # not run (BENCH_1M=0)
    paired = [json.loads(l[len("PAIRED "):]) for l in lines if l.startswith("PAIRED ")]
    result = [json.loads(l[len("RESULT "):]) for l in lines if l.startswith("RESULT ")]
    if not paired:
        print(f"{name:<13} did not finish"); continue
    check = (f"max |diff| {result[0]['max_diff_m']} m, {result[0]['failures']} beyond 1 m" if result and "failures" in result[0]
             else f"{result[0]['mismatches']} mismatches" if result else "no check")
    for what, r in paired[0]["ratios"].items():
        print(f"{name:<13} {what:<22} median {r['median']:>6.2f}x  (min {r['min']:.2f}x, max {r['max']:.2f}x; peer "
              f"{r['peer_median_s']:.3f} s, GridAtlas {r['gridatlas_median_s']:.3f} s; {paired[0]['pairs']} pairs)  {check}")
print("ratio = peer / GridAtlas, per alternating pair, median and spread. wall (assign|run stages): peer wall against the"
      "\nGridAtlas command's own stage times; wall (bench): against the bench benchmark of the same stages; CPU (bench):"
      "\npeer CPU (PostGIS: every server process) against the benchmark's process CPU time (every thread).")
def bench(path):
    scale = {"ns": 1e-9, "us": 1e-6, "ms": 1e-3, "s": 1.0}
    try:
        data = json.load(open(path, encoding="utf-8"))
    except OSError:
        return []
    return [(b["name"], b["real_time"] * scale[b["time_unit"]], b.get("items_per_second")) for b in data["benchmarks"]]
print()
for name, s, ips in bench(f"{out}/bench_access.json") + bench(f"{out}/bench_assign.json"):
    print(f"  {name:<42} {s * 1000:>10.2f} ms" + (f"   {ips / 1e6:.2f} M items/s" if ips else ""))
EOF
echo
echo "measuring took $((SECONDS - measure_start)) s (build $((measure_start - build_start)) s); load average: $(cut -d' ' -f1-3 /proc/loadavg)"
if ((status)); then echo "bench.sh: a peer disagrees with GridAtlas (see above)" >&2; fi
exit $status
