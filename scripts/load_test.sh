#!/usr/bin/env bash
# Load run of `gridatlas serve` on loopback with wrk: tiles, the planner's API and the officer's API, each for a
# bounded time over a bounded number of connections. Reports requests/s, p50/p99 latency and errors per run, and the
# server's resident memory before, between and after the runs (flat memory: the second API round must not grow it
# by more than 10 %). Exits non-zero on any error or non-2xx answer. Not part of ctest.
#
#   scripts/load_test.sh [build dir]          (default: build)
#   env: PROJECT      project file (default data/sample/project.toml, in a temporary copy with absolute paths and
#                     its roster's names and phones mapped, as an officer's server has them)
#        OFFICER_GRID a finest-level grid code of PROJECT (default: the sample's first grid)
#        DURATION     per run (default 10s)   CONNECTIONS (default 8)   WRK_THREADS (default 2)
#        ZOOM         tile zoom levels to load (default "15 16")
#        TILES        an .mbtiles file to serve instead of rendering on demand
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
build=${1:-build}
bin="$build/bin/gridatlas"
duration=${DURATION:-10s}
connections=${CONNECTIONS:-8}
wrk_threads=${WRK_THREADS:-2}
zooms=${ZOOM:-15 16}
for tool in wrk curl; do
  command -v "$tool" >/dev/null || { echo "load_test: $tool is not installed (apt-get install $tool)"; exit 2; }
done
[ -x "$bin" ] || { echo "load_test: $bin not found; build first (cmake --build $build --target gridatlas)"; exit 2; }

tmp=$(mktemp -d)
server_pid=""
cleanup() {
  if [ -n "$server_pid" ] && kill -0 "$server_pid" 2>/dev/null; then kill -TERM "$server_pid"; wait "$server_pid" || true; fi
  rm -rf "$tmp"
}
trap cleanup EXIT

# The project: by default the sample, with the personal fields mapped (paths made absolute in the copy).
if [ -z "${PROJECT:-}" ]; then
  sample="$root/data/sample"
  map_personal='s#^\[households\]$#[households]\nname = "head_name"\nphone = "phone"#'
  grep -q '^phone = ' "$sample/project.toml" && map_personal='s#^$##'   # already mapped
  sed -e "s#^file = \"#file = \"$sample/#" -e "$map_personal" "$sample/project.toml" > "$tmp/project.toml"
  PROJECT="$tmp/project.toml"
  if [ -z "${OFFICER_GRID:-}" ]; then
    OFFICER_GRID=$(ogrinfo -ro -q "$sample/sample.gpkg" -sql "SELECT code FROM grids ORDER BY code LIMIT 1" | awk '/code \(String\) = / && !done { print $NF; done = 1 }')
  fi
fi
[ -n "${OFFICER_GRID:-}" ] || { echo "load_test: set OFFICER_GRID to a grid code of $PROJECT"; exit 2; }

password='Load-Test-Password-1'
users="$tmp/users.json"
echo "$password" | "$bin" user add "$users" officer --role officer --grids "$OFFICER_GRID" >/dev/null
echo "$password" | "$bin" user add "$users" planner --role planner >/dev/null

# All of wrk's connections come from one loopback address: lift the per-address limits for this run (they are
# measured by load_stall.py), or the figures would be those of 429 answers.
serve_args=(serve "$PROJECT" --users "$users" --port 0 --threads 8 --max-requests-per-second 0
            --max-connections-per-address $((connections + 8)))
[ -n "${TILES:-}" ] && serve_args+=(--tiles "$TILES")
"$bin" "${serve_args[@]}" > "$tmp/server.out" 2> "$tmp/server.log" &
server_pid=$!
for _ in $(seq 1 600); do
  grep -q "listening on" "$tmp/server.out" && break
  kill -0 "$server_pid" 2>/dev/null || { cat "$tmp/server.out" "$tmp/server.log"; echo "load_test: the server did not start"; exit 1; }
  sleep 0.2
done
url=$(sed -n 's/.*listening on \(http:[^ ]*\).*/\1/p' "$tmp/server.out")
[ -n "$url" ] || { echo "load_test: the server did not start in 120 s"; exit 1; }
echo "server $url (pid $server_pid)"
rss() { awk '/VmRSS/ {print $2}' "/proc/$server_pid/status"; }

login() {
  curl -sf -c "$tmp/$1.jar" -H 'Content-Type: application/json' -d "{\"name\":\"$1\",\"password\":\"$password\"}" "$url/api/login" >/dev/null
  awk '$6 == "gridatlas_session" {print "gridatlas_session=" $7}' "$tmp/$1.jar"
}
officer_cookie=$(login officer)
planner_cookie=$(login planner)

# Tiles over the project's extent at the chosen zooms (at most 64 per zoom, from the centre), requested once to warm
# the on-demand renderer's cache: the load run then measures serving, as a tile cache in front of it would.
bounds=$(curl -sf -H "Cookie: $planner_cookie" "$url/api/project" | sed -n 's/.*"bounds":\[\([^]]*\)\].*/\1/p')
: > "$tmp/tiles.txt"
for z in $zooms; do
  echo "$bounds" | awk -F, -v z="$z" '
    function tx(lon) { return int((lon + 180) / 360 * 2^z) }
    function ty(lat,   r) { r = lat * 3.141592653589793 / 180; return int((1 - log(sin(r) / cos(r) + 1 / cos(r)) / 3.141592653589793) / 2 * 2^z) }
    { x0 = tx($1); x1 = tx($3); y0 = ty($4); y1 = ty($2); cx = int((x0 + x1) / 2); cy = int((y0 + y1) / 2);
      for (x = cx - 4; x < cx + 4; x++) for (y = cy - 4; y < cy + 4; y++)
        if (x >= x0 && x <= x1 && y >= y0 && y <= y1) printf "/tiles/%d/%d/%d.png\n", z, x, y }' >> "$tmp/tiles.txt"
done
tiles=$(wc -l < "$tmp/tiles.txt")
rss_start=$(rss)
echo "warming $tiles tiles …"
while read -r p; do curl -sf -o /dev/null -H "Cookie: $planner_cookie" "$url$p"; done < "$tmp/tiles.txt"

# API paths: the planner's overview and coverage, the officer's grid, buildings and households.
kind=$(curl -sf -H "Cookie: $planner_cookie" "$url/api/project" | sed -n 's/.*"headline_kind":"\([^"]*\)".*/\1/p')
building=$(curl -sf -H "Cookie: $officer_cookie" "$url/api/grids/$OFFICER_GRID/buildings" | awk -F'"id":"' '{ split($2, a, "\""); print a[1] }')
cat > "$tmp/planner.txt" <<EOF
/api/project
/api/grids
/api/coverage?kind=$kind
/api/grids/$OFFICER_GRID
/api/grids/$OFFICER_GRID/buildings
/api/search?q=$OFFICER_GRID
EOF
cat > "$tmp/officer.txt" <<EOF
/api/me
/api/grids/$OFFICER_GRID/households
/api/grids/$OFFICER_GRID/central
/api/buildings/$building
/api/grids/$OFFICER_GRID/buildings
EOF


failures=0
declare -a report
run() {   # name, paths file, cookie
  local out
  out=$(PATHS_FILE="$2" COOKIE="$3" wrk -t"$wrk_threads" -c"$connections" -d"$duration" --timeout 5s -s "$root/scripts/wrk_rotate.lua" "$url" 2>&1)
  local line
  line=$(echo "$out" | grep '^RESULT' || true)
  [ -n "$line" ] || { echo "$out"; echo "load_test: wrk failed"; exit 1; }
  local errors timeouts non2xx
  errors=$(echo "$line" | sed -n 's/.* errors=\([0-9]*\).*/\1/p')
  timeouts=$(echo "$line" | sed -n 's/.* timeouts=\([0-9]*\).*/\1/p')
  non2xx=$(echo "$line" | sed -n 's/.* non2xx=\([0-9]*\).*/\1/p')
  [ "$errors" = 0 ] && [ "$timeouts" = 0 ] && [ "$non2xx" = 0 ] || failures=$((failures + 1))
  report+=("$(printf '%-22s %s  rss=%s kB' "$1" "${line#RESULT }" "$(rss)")")
  echo "${report[-1]}"
}

echo "wrk: $wrk_threads threads, $connections connections, $duration per run"
run "tiles ($tiles)" "$tmp/tiles.txt" "$planner_cookie"
run "planner API" "$tmp/planner.txt" "$planner_cookie"
run "officer API" "$tmp/officer.txt" "$officer_cookie"
rss_round1=$(rss)
run "planner API (again)" "$tmp/planner.txt" "$planner_cookie"
run "officer API (again)" "$tmp/officer.txt" "$officer_cookie"
run "tiles (again)" "$tmp/tiles.txt" "$planner_cookie"
rss_round2=$(rss)

kill -TERM "$server_pid"
set +e
wait "$server_pid"
code=$?
set -e
server_pid=""
growth=$(awk -v a="$rss_round1" -v b="$rss_round2" 'BEGIN { printf "%.1f", (b - a) * 100 / a }')
echo
echo "memory (VmRSS): after start ${rss_start} kB, after the first round ${rss_round1} kB, after the second ${rss_round2} kB (${growth}%)"
echo "server exit code on SIGTERM: $code"
grep -m1 "prepared an officer's answers after login" "$tmp/server.log" | sed 's/^[^ ]* /officer login: /' || true
leaks=$(grep -c -E '139[0-9]{8}' "$tmp/server.log" || true)
echo "log lines: $(wc -l < "$tmp/server.log"), with a phone number: $leaks"
flat=$(awk -v g="$growth" 'BEGIN { print (g <= 10) ? 1 : 0 }')
if [ "$failures" -ne 0 ] || [ "$code" -ne 0 ] || [ "$flat" -ne 1 ] || [ "$leaks" -ne 0 ]; then
  echo "load_test: FAILED (runs with errors: $failures, exit $code, memory growth ${growth}%, phone numbers in the log: $leaks)"
  exit 1
fi
echo "load_test: ok — zero errors, flat memory, clean stop"
