#!/usr/bin/env bash
# The multi-machine layout of a provincial office, on one machine over loopback: two PostgreSQL + PostGIS clusters
# (A: the provincial store, B: a second machine's), one `gridatlas run --within <code>` per county (community) as a
# Slurm array job on a one-node Slurm (slurm-wlm; munge for its authentication), each writing its partition into A or
# B (alternately), then A's tables gain B's partitions as postgres_fdw foreign partitions, so that one query on A reads
# every county. Finally it checks A's grids table against a whole-project run: every grid once, same households.
#
#   scripts/province_loopback.sh [PROJECT] [OUT]     (defaults: data/sample/project.toml, out/province_loopback)
#
# Environment: GRIDATLAS (build/bin/gridatlas), NO_SLURM=1 (run the counties in a shell loop instead of Slurm, e.g.
# where slurmd cannot start), KEEP=1 (leave the clusters and Slurm running; prints how to reach them).
# Needs postgresql-15, postgresql-15-postgis-3 (postgres_fdw is part of postgresql-15), slurm-wlm, python3. Run as root
# for Slurm (its daemons and munge are started here with configuration in a temporary folder, on loopback only).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
PROJECT="$(realpath "${1:-$ROOT/data/sample/project.toml}")"
OUT="$(mkdir -p "${2:-$ROOT/out/province_loopback}" && realpath "${2:-$ROOT/out/province_loopback}")"
GRIDATLAS="$(realpath "${GRIDATLAS:-$ROOT/build/bin/gridatlas}")"
PGBIN="${PGBIN:-/usr/lib/postgresql/15/bin}"
TMP="$(mktemp -d "${TMPDIR:-/tmp}/province_loopback.XXXXXX")"
chmod 755 "$TMP"
A="$TMP/pg_a" B="$TMP/pg_b"
SLURM_PIDS=()

cleanup() {
    local rc=$?
    [[ "${KEEP:-0}" == 1 ]] && { echo "kept: clusters $A $B, Slurm config $TMP/slurm.conf"; exit $rc; }
    for pid in "${SLURM_PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
    "$ROOT/scripts/pg_cluster.sh" stop "$A" || true
    "$ROOT/scripts/pg_cluster.sh" stop "$B" || true
    rm -rf "$TMP"
    exit $rc
}
trap cleanup EXIT

# --- 1. two clusters ---------------------------------------------------------------------------------------------
PORT_A="$("$ROOT/scripts/pg_cluster.sh" start "$A")"
PORT_B="$("$ROOT/scripts/pg_cluster.sh" start "$B")"
export PGHOST=127.0.0.1 PGUSER=postgres
echo "province: store A on 127.0.0.1:$PORT_A, shard B on 127.0.0.1:$PORT_B"

# --- 2. the whole project once (the reference) and its counties ---------------------------------------------------
"$GRIDATLAS" run "$PROJECT" -o "$OUT/whole" --no-render >/dev/null
python3 -c 'import json,sys; s=json.load(open(sys.argv[1])); print("\n".join(g["code"] for g in s["levels"][0]["per_grid"]))' \
    "$OUT/whole/summary.json" >"$TMP/codes"
N="$(wc -l <"$TMP/codes")"
echo "province: $N counties (the project's top level)"

# One county: task i runs code i of the list, into A (even i) or B (odd i).
cat >"$TMP/county.sh" <<EOF
#!/usr/bin/env bash
set -euo pipefail
i=\${SLURM_ARRAY_TASK_ID:-\$1}
code=\$(sed -n "\$((i + 1))p" "$TMP/codes")
port=\$(( i % 2 == 0 ? $PORT_A : $PORT_B ))
PGHOST=127.0.0.1 PGUSER=postgres "$GRIDATLAS" run "$PROJECT" -o "$OUT/county_\$code" --no-render --within "\$code" \
    --to-postgis "PG:dbname=gridatlas host=127.0.0.1 port=\$port" --pg-schema gridatlas >"$OUT/county_\$code.log" 2>&1
EOF
chmod 755 "$TMP/county.sh"

# --- 3. the counties: a Slurm array on a one-node Slurm, or a loop ----------------------------------------------------
start_slurm() {
    [[ $(id -u) -eq 0 ]] || { echo "province: Slurm needs root here (NO_SLURM=1 to loop instead)" >&2; return 1; }
    command -v slurmctld >/dev/null && command -v munged >/dev/null || { echo "province: apt-get install slurm-wlm" >&2; return 1; }
    mkdir -p "$TMP/munge" "$TMP/slurm/state" "$TMP/slurm/spool"
    chown munge: "$TMP/munge" 2>/dev/null || true
    dd if=/dev/urandom of="$TMP/munge/munge.key" bs=1024 count=1 status=none
    chmod 400 "$TMP/munge/munge.key"
    chown munge: "$TMP/munge/munge.key" 2>/dev/null || true
    runuser -u munge -- munged --key-file="$TMP/munge/munge.key" --socket="$TMP/munge/munge.socket" \
        --pid-file="$TMP/munge/munged.pid" --log-file="$TMP/munge/munged.log" --seed-file="$TMP/munge/seed" --force
    SLURM_PIDS+=("$(cat "$TMP/munge/munged.pid")")   # it daemonises: stopped by its pid on exit
    local ctld_port slurmd_port
    ctld_port="$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
    slurmd_port="$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
    cat >"$TMP/slurm.conf" <<EOF
ClusterName=province
SlurmctldHost=localhost
SlurmctldPort=$ctld_port
SlurmdPort=$slurmd_port
AuthType=auth/munge
AuthInfo=socket=$TMP/munge/munge.socket
CredType=cred/munge
SlurmUser=root
StateSaveLocation=$TMP/slurm/state
SlurmdSpoolDir=$TMP/slurm/spool
SlurmctldPidFile=$TMP/slurm/slurmctld.pid
SlurmdPidFile=$TMP/slurm/slurmd.pid
SlurmctldLogFile=$TMP/slurm/slurmctld.log
SlurmdLogFile=$TMP/slurm/slurmd.log
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
ReturnToService=2
MpiDefault=none
NodeName=localhost NodeAddr=127.0.0.1 CPUs=$(nproc) State=UNKNOWN
PartitionName=province Nodes=localhost Default=YES MaxTime=INFINITE State=UP OverSubscribe=NO
EOF
    export SLURM_CONF="$TMP/slurm.conf"
    slurmctld -D -f "$SLURM_CONF" >"$TMP/slurm/slurmctld.out" 2>&1 &
    SLURM_PIDS+=($!)
    slurmd -D -f "$SLURM_CONF" >"$TMP/slurm/slurmd.out" 2>&1 &
    SLURM_PIDS+=($!)
    for _ in $(seq 60); do
        sinfo -h -o %T 2>/dev/null | grep -qE '^(idle|mixed|allocated)' && return 0
        sleep 1
    done
    echo "province: Slurm did not come up; its logs:" >&2
    tail -5 "$TMP/slurm/slurmctld.log" "$TMP/slurm/slurmd.log" >&2 || true
    return 1
}

started=$(date +%s.%N)
if [[ "${NO_SLURM:-0}" != 1 ]] && start_slurm; then
    echo "province: Slurm array of $N tasks (sbatch --array=0-$((N - 1)) --wait)"
    sbatch --array=0-$((N - 1)) --wait --output="$OUT/slurm-%A_%a.out" --job-name=gridatlas-county "$TMP/county.sh" >/dev/null
else
    [[ "${NO_SLURM:-0}" == 1 ]] || { echo "province: no Slurm; counties in a loop" >&2; }
    for ((i = 0; i < N; i++)); do "$TMP/county.sh" "$i"; done
fi
echo "province: counties done in $(python3 -c "import time,sys; print(round(time.time() - float(sys.argv[1]), 1))" "$started") s"

# --- 4. B's partitions as foreign partitions of A's tables (postgres_fdw) ----------------------------------------------
psql -X -q -p "$PORT_B" -d gridatlas -At -F '|' -v ON_ERROR_STOP=1 -c "
    SELECT p.relname, c.relname, pg_get_expr(c.relpartbound, c.oid) FROM pg_inherits i
    JOIN pg_class c ON c.oid = i.inhrelid JOIN pg_class p ON p.oid = i.inhparent
    JOIN pg_namespace n ON n.oid = p.relnamespace WHERE n.nspname = 'gridatlas' AND p.relkind = 'p'" >"$TMP/b_partitions"
{
    echo "CREATE EXTENSION IF NOT EXISTS postgres_fdw;"
    echo "CREATE SERVER shard_b FOREIGN DATA WRAPPER postgres_fdw OPTIONS (host '127.0.0.1', port '$PORT_B', dbname 'gridatlas');"
    echo "CREATE USER MAPPING FOR CURRENT_USER SERVER shard_b OPTIONS (user 'postgres');"
    while IFS='|' read -r parent part bound; do
        echo "CREATE FOREIGN TABLE gridatlas.\"$part\" PARTITION OF gridatlas.\"$parent\" $bound SERVER shard_b OPTIONS (schema_name 'gridatlas', table_name '$part');"
    done <"$TMP/b_partitions"
} >"$TMP/attach.sql"
psql -X -q -p "$PORT_A" -d gridatlas -v ON_ERROR_STOP=1 -f "$TMP/attach.sql"
echo "province: $(wc -l <"$TMP/b_partitions") partitions of B attached to A as foreign partitions"

# --- 5. one query on A against the whole run ----------------------------------------------------------------------
psql -X -q -p "$PORT_A" -d gridatlas -At -F '|' -c "SELECT code, households FROM gridatlas.grids" >"$TMP/a_grids"
python3 - "$OUT/whole/summary.json" "$TMP/a_grids" <<'EOF'
import json, sys
whole = {g["code"]: g["households"] for l in json.load(open(sys.argv[1]))["levels"] for g in l["per_grid"]}
store = {}
for line in open(sys.argv[2]):
    code, households = line.rstrip("\n").split("|")
    if code in store:
        sys.exit(f"province: grid {code} is twice in the store")
    store[code] = int(households)
if store != whole:
    missing = sorted(set(whole) - set(store))[:5]
    differ = sorted(c for c in store if c in whole and store[c] != whole[c])[:5]
    sys.exit(f"province: the store differs from the whole run (missing {missing}, differing {differ})")
print(f"province: A's grids table (local + foreign partitions) = the whole run: {len(store)} grids, "
      f"{sum(v for c, v in store.items())} households summed over all levels")
EOF
