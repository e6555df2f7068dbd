#!/usr/bin/env bash
# A private, throw-away PostgreSQL 15 + PostGIS cluster on a loopback port, for tests and local trials.
#
#   scripts/pg_cluster.sh start DIR [PORT] [DBNAME]   initdb in DIR/data, start on 127.0.0.1:PORT (0 or none: a free
#                                                     port), create database DBNAME (default gridatlas) with the
#                                                     postgis extension; prints the port and writes it to DIR/port
#   scripts/pg_cluster.sh stop DIR                    stop the server (fast) and delete DIR
#   scripts/pg_cluster.sh env DIR                     print PGHOST/PGPORT/PGUSER exports for a shell to eval
#
# DIR must not exist yet (start) and must lie where the server's user can reach it (e.g. under /tmp): PostgreSQL
# refuses to run as root, so when run as root the cluster is made and run by the `postgres` user (runuser). Trust
# authentication, listening on 127.0.0.1 only, the Unix socket in DIR; user `postgres`. fsync off: test data only.
# Ports: a free port is asked of the kernel; if another process takes it before the server binds it, start retries
# with a new one (5 tries), so that tests running in parallel never share a cluster.
# Needs Debian's postgresql-15 and postgresql-15-postgis-3 (PG_VERSION and PGBIN override the version and path).
set -euo pipefail

PG_VERSION="${PG_VERSION:-15}"
PGBIN="${PGBIN:-/usr/lib/postgresql/$PG_VERSION/bin}"

usage() { sed -n '2,17p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//' >&2; exit 1; }
[[ $# -ge 2 ]] || usage
cmd="$1"
DIR="$2"

AS=()
if [[ $(id -u) -eq 0 ]]; then
    id postgres >/dev/null 2>&1 || { echo "pg_cluster: running as root and there is no 'postgres' user to run the server as" >&2; exit 1; }
    AS=(runuser -u postgres --)
fi

free_port() {
    python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

start() {
    local port="${1:-0}" db="${2:-gridatlas}"
    for tool in initdb pg_ctl psql; do
        [[ -x "$PGBIN/$tool" || $tool == psql ]] || { echo "pg_cluster: $PGBIN/$tool is missing: apt-get install postgresql-$PG_VERSION postgresql-$PG_VERSION-postgis-3" >&2; exit 1; }
    done
    [[ -f "/usr/share/postgresql/$PG_VERSION/extension/postgis.control" ]] \
        || { echo "pg_cluster: PostGIS is missing: apt-get install postgresql-$PG_VERSION-postgis-3" >&2; exit 1; }
    [[ ! -e "$DIR" ]] || { echo "pg_cluster: $DIR already exists (stop it first, or choose another folder)" >&2; exit 1; }
    mkdir -p "$DIR"
    chmod 700 "$DIR"
    [[ ${#AS[@]} -eq 0 ]] || chown postgres: "$DIR"
    if ! "${AS[@]}" "$PGBIN/initdb" -D "$DIR/data" -U postgres --auth=trust -E UTF8 --locale=C >"$DIR/initdb.log" 2>&1; then
        cat "$DIR/initdb.log" >&2
        exit 1
    fi
    local fixed=$port tries=0
    while :; do
        [[ $fixed != 0 ]] && port=$fixed || port="$(free_port)"
        local opts="-c listen_addresses=127.0.0.1 -p $port -c unix_socket_directories=$DIR -c fsync=off"
        opts+=" -c synchronous_commit=off -c full_page_writes=off -c shared_buffers=64MB -c max_connections=40 -c jit=off"
        if "${AS[@]}" "$PGBIN/pg_ctl" -D "$DIR/data" -l "$DIR/server.log" -o "$opts" -w -t 60 start >/dev/null 2>&1; then break; fi
        tries=$((tries + 1))
        if [[ $fixed != 0 || $tries -ge 5 ]]; then
            echo "pg_cluster: the server did not start on 127.0.0.1:$port; its log:" >&2
            tail -15 "$DIR/server.log" >&2 || true
            exit 1
        fi
    done
    echo "$port" >"$DIR/port"
    "${AS[@]}" "$PGBIN/psql" -X -q -h "$DIR" -p "$port" -U postgres -d postgres -v ON_ERROR_STOP=1 \
        -c "CREATE DATABASE \"$db\"" >/dev/null
    "${AS[@]}" "$PGBIN/psql" -X -q -h "$DIR" -p "$port" -U postgres -d "$db" -v ON_ERROR_STOP=1 \
        -c "CREATE EXTENSION postgis" >/dev/null
    echo "$port"
}

stop() {
    if [[ -f "$DIR/data/postmaster.pid" ]]; then
        "${AS[@]}" "$PGBIN/pg_ctl" -D "$DIR/data" -m fast -w -t 60 stop >/dev/null 2>&1 \
            || "${AS[@]}" "$PGBIN/pg_ctl" -D "$DIR/data" -m immediate stop >/dev/null 2>&1 || true
    fi
    # only a folder this script made (it holds data/PG_VERSION or initdb.log) is deleted
    if [[ -f "$DIR/initdb.log" || -f "$DIR/data/PG_VERSION" ]]; then rm -rf "$DIR"; fi
}

case "$cmd" in
    start) start "${3:-0}" "${4:-gridatlas}" ;;
    stop) stop ;;
    env) echo "export PGHOST=127.0.0.1 PGPORT=$(cat "$DIR/port") PGUSER=postgres" ;;
    *) usage ;;
esac
