#!/usr/bin/env bash
# PostGIS peer for GridAtlas's household assignment: a real PostgreSQL + PostGIS, started here, does the same joins
# on the same data as `gridatlas assign` (or `run`) did, checks every household against GridAtlas's table and prints
# the time ratio. A benchmark, not part of the test suite.
#
#   scripts/peer_postgis.sh RESULT_DIR [peer_postgis.py options: --repeat N, --bench-json F, --project P]
#
# RESULT_DIR: a `gridatlas assign` output (assignment.json + households.csv) or a `gridatlas run` output
# (summary.json + gridatlas.gpkg). The project file is the one named in that JSON. For the 1,000,000-household run:
#   scripts/scale_roster.py -o out/bench1m
#   build/bin/gridatlas assign out/bench1m/project.toml -o out/bench1m/gridatlas
#   scripts/peer_postgis.sh out/bench1m/gridatlas
#
# What it does:
#   1. installs Debian's postgresql-15 and postgresql-15-postgis-3 (and gdal-bin for ogr2ogr) when missing
#      (apt-get; sudo when not root);
#   2. creates its own cluster in a temporary directory (initdb as the postgres user when run as root: PostgreSQL
#      refuses to run as root), UTF-8 with the C locale (byte-order text comparison, as GridAtlas's hash maps; a
#      libc locale makes PostgreSQL's sorts of the ids slower), trust authentication, listening on 127.0.0.1 only,
#      on a free port;
#   3. starts it with settings for a fast, throw-away database (fsync off, wal_level minimal, shared_buffers 2GB,
#      work_mem 512MB, autovacuum off, parallel workers at their default of 2 per query: the machine has 2 cores;
#      JIT as PG_JIT);
#   4. runs scripts/peer_postgis.py (loading, the timed joins, the comparison, the ratio; its --help says what is
#      timed);
#   5. stops the cluster and deletes its directory on every exit (trap), printing the end of the server log when
#      something failed.
# Environment: PG_VERSION (15), PGBIN (/usr/lib/postgresql/$PG_VERSION/bin), PYTHON (/usr/bin/python3),
# PG_JIT (off: PostgreSQL's JIT compiles each of these queries anew and only added time here; on to try it).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
PG_VERSION="${PG_VERSION:-15}"
PGBIN="${PGBIN:-/usr/lib/postgresql/$PG_VERSION/bin}"
PYTHON="${PYTHON:-/usr/bin/python3}"
PG_JIT="${PG_JIT:-off}"

if [[ $# -lt 1 || "$1" == -h || "$1" == --help ]]; then
    sed -n '2,29p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'
    [[ $# -ge 1 ]] && exit 0 || exit 1
fi
if [[ -f "$1" ]]; then RESULT_DIR="$(realpath "$1")"    # a project file (peer_postgis_e2e.sh)
else RESULT_DIR="$(cd "$1" && pwd)" || { echo "peer_postgis: no such directory: $1" >&2; exit 1; }; fi
shift

# --- 1. packages -----------------------------------------------------------------------------------------------
need=()
[[ -x "$PGBIN/initdb" && -x "$PGBIN/pg_ctl" ]] || need+=("postgresql-$PG_VERSION")
[[ -f "/usr/share/postgresql/$PG_VERSION/extension/postgis.control" ]] || need+=("postgresql-$PG_VERSION-postgis-3")
command -v ogr2ogr >/dev/null || need+=(gdal-bin)
command -v psql >/dev/null || need+=("postgresql-client-$PG_VERSION")
if ((${#need[@]})); then
    echo "peer_postgis: installing ${need[*]} (Debian packages)"
    SUDO=()
    [[ $(id -u) -eq 0 ]] || SUDO=(sudo)
    "${SUDO[@]}" apt-get update -qq
    DEBIAN_FRONTEND=noninteractive "${SUDO[@]}" apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi

# --- 2. the cluster, as a non-root user ---------------------------------------------------------------------------
AS=()
if [[ $(id -u) -eq 0 ]]; then
    id postgres >/dev/null 2>&1 || { echo "peer_postgis: running as root and there is no 'postgres' user to run the server as" >&2; exit 1; }
    AS=(runuser -u postgres --)
fi
TMP="$(mktemp -d "${TMPDIR:-/tmp}/peer_postgis.XXXXXX")"
chmod 755 "$TMP"
[[ ${#AS[@]} -eq 0 ]] || chown postgres: "$TMP"
STARTED=0
cleanup() {
    local rc=$?
    if ((STARTED)); then "${AS[@]}" "$PGBIN/pg_ctl" -D "$TMP/data" -m immediate stop >/dev/null 2>&1 || true; fi
    if ((rc != 0)) && [[ -f "$TMP/server.log" ]]; then
        echo "peer_postgis: server log (last lines):" >&2
        tail -15 "$TMP/server.log" >&2 || true
    fi
    rm -rf "$TMP"
    exit $rc
}
trap cleanup EXIT
trap 'exit 130' INT TERM

"${AS[@]}" "$PGBIN/initdb" -D "$TMP/data" -U postgres --auth=trust -E UTF8 --locale=C >"$TMP/initdb.log" 2>&1 \
    || { cat "$TMP/initdb.log" >&2; exit 1; }
PORT="$("$PYTHON" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
opts="-c listen_addresses=127.0.0.1 -p $PORT -c unix_socket_directories=$TMP -c fsync=off -c synchronous_commit=off"
opts+=" -c full_page_writes=off -c wal_level=minimal -c max_wal_senders=0 -c max_wal_size=4GB"
opts+=" -c shared_buffers=2GB -c work_mem=512MB -c maintenance_work_mem=1GB -c effective_cache_size=8GB"
opts+=" -c jit=$PG_JIT -c autovacuum=off"
STARTED=1
"${AS[@]}" "$PGBIN/pg_ctl" -D "$TMP/data" -l "$TMP/server.log" -o "$opts" -w -t 60 start >/dev/null
export PGHOST=127.0.0.1 PGPORT="$PORT" PGUSER=postgres PGDATABASE=peer PEER_PG_PIDFILE="$TMP/data/postmaster.pid"
"$PGBIN/createdb" peer
echo "peer_postgis: PostgreSQL $PG_VERSION cluster in $TMP on 127.0.0.1:$PORT (jit=$PG_JIT)"

# --- 3. load, time, compare ---------------------------------------------------------------------------------------
cd "$ROOT"
"$PYTHON" "$ROOT/scripts/${PEER_SCRIPT:-peer_postgis.py}" "$RESULT_DIR" "$@"
