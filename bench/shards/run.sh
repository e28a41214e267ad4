#!/usr/bin/env bash
# Shards against one process: bash bench/shards/run.sh
#
# The bundled pack (2,016 probes) through the platform simulator on 127.0.0.1, measured by the
# release build:
#   - one process into an SQLite file, and into PostgreSQL,
#   - four processes at once (--shard I/4 --run-group) into PostgreSQL,
# first with politeness off (--interval 0s --per-host 16: the machine's own limit), then with
# the pack's politeness (POLITE=0 skips that half: it takes about seven minutes). PostgreSQL
# is a throwaway cluster (initdb + pg_ctl, as `postgres` when run as root) in the work folder.
# Prints one line per case: wall seconds and probes per second. Nothing leaves 127.0.0.1.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
cd "$ROOT"
cargo build --release --bin linkgate >/dev/null
BIN=$ROOT/target/release/linkgate
PG_BIN=${PG_BIN:-$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)}
PORT=${PORT:-18119}
PG_PORT=${PG_PORT:-55439}
mkdir -p "$ROOT/target"
WORK=$(mktemp -d "$ROOT/target/linkgate-shards.XXXXXX")
as_pg() { if [[ $(id -u) = 0 ]]; then runuser -u postgres -- "$@"; else "$@"; fi; }
SIM_PID=""
cleanup() {
    [[ -n "$SIM_PID" ]] && kill "$SIM_PID" 2>/dev/null || true
    as_pg "$PG_BIN/pg_ctl" -D "$WORK/pg" -m immediate stop >/dev/null 2>&1 || true
    [[ -n "${KEEP:-}" ]] || rm -rf "$WORK"
}
trap cleanup EXIT

[[ $(id -u) = 0 ]] && chown postgres "$WORK"
as_pg "$PG_BIN/initdb" -D "$WORK/pg" -U linkgate --auth=trust --no-sync >/dev/null
as_pg "$PG_BIN/pg_ctl" -D "$WORK/pg" -l "$WORK/pg.log" -w \
    -o "-p $PG_PORT -k $WORK -c listen_addresses=127.0.0.1 -c max_connections=200" start >/dev/null
cd "$WORK"
"$BIN" sim --listen "127.0.0.1:$PORT" --ca-out sim-ca.pem --date 2022-03-15 >sim.log 2>&1 &
SIM_PID=$!
for _ in $(seq 50); do [[ -s sim-ca.pem ]] && break; sleep 0.1; done

database() {
    as_pg "$PG_BIN/createdb" -h 127.0.0.1 -p "$PG_PORT" -U linkgate "$1"
    echo "postgres://linkgate@127.0.0.1:$PG_PORT/$1"
}
run() { "$BIN" run --proxy "http://127.0.0.1:$PORT" --ca-cert sim-ca.pem "$@" >/dev/null 2>&1; }
line() { awk -v l="$1" -v s="$2" 'BEGIN { printf "%-44s %7.1f s %7.0f probes/s\n", l, s, 2016 / s }'; }
timed() { local t0 t1; t0=$(date +%s.%N); "$@"; t1=$(date +%s.%N); awk -v a="$t0" -v b="$t1" 'BEGIN { print b - a }'; }

cases() {
    local label=$1; shift
    # Polite runs wait on the platforms' politeness, not on the history: one kind is enough.
    [[ $label = polite ]] || line "$label, 1 process, SQLite" "$(timed run "$@" --out "sqlite-$label")"
    line "$label, 1 process, PostgreSQL" "$(timed run "$@" --db "$(database "one_$label")" --out "pg1-$label")"
    local db; db=$(database "four_$label")
    four() { for i in 0 1 2 3; do run "$@" --db "$db" --shard "$i/4" --run-group "g-$label" --out "pg4-$i" & done; wait; }
    line "$label, 4 shards at once, PostgreSQL" "$(timed four "$@")"
}
echo "machine: $(nproc) cores; $("$BIN" --version)"
cases fast --interval 0s --per-host 16
[[ "${POLITE:-1}" = 0 ]] || cases polite
