#!/usr/bin/env bash
# linkgate's benchmark, in one command: bash bench/run.sh
#
# Starts a local target (examples/bench_target.rs) on 127.0.0.1, generates an audit of N
# links in one context without a gateway (examples/bench_audit.rs), and measures on that same
# server, one after the other:
#   - linkgate run (release build; HTTP engine, classification, history and CSV on),
#   - lychee checking the same N URLs at the same concurrency,
#   - wrk requesting the same URLs (the raw limit of the server and the loopback),
#   - linkgate again at N = BIG_N links, for its peak memory.
# and writes the table into bench/RESULTS.md (between the bench:table markers) and prints it.
# No request leaves 127.0.0.1. See bench/README.md.
#
# Settings (environment): N (10000), BIG_N (100000; 0 skips it), C (concurrency, 32),
# BENCH_TMP (where the work folder goes; default target/),
# PORT (18480), WRK_SECONDS (10), LINKGATE_BENCH_CACHE (where lychee is installed and kept;
# /tmp/linkgate-bench-cache), BIG_DIR (where the BIG_N run writes its ~5 GB of history and
# evidence; default the work folder), KEEP=1 keeps the work folders.
set -euo pipefail

N=${N:-10000}
BIG_N=${BIG_N:-100000}
C=${C:-32}
PORT=${PORT:-18480}
WRK_SECONDS=${WRK_SECONDS:-10}
CACHE=${LINKGATE_BENCH_CACHE:-/tmp/linkgate-bench-cache}
LYCHEE_VERSION=${LYCHEE_VERSION:-}

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"
# Under target/ (not /tmp, which shared machines clean), unless BENCH_TMP says otherwise.
mkdir -p "${BENCH_TMP:-$ROOT/target}"
WORK=$(mktemp -d "${BENCH_TMP:-$ROOT/target}/linkgate-bench.XXXXXX")
BIG_WORK=$WORK
if [[ -n "${BIG_DIR:-}" ]]; then BIG_WORK=$(mktemp -d "$BIG_DIR/linkgate-bench-big.XXXXXX"); fi
BASE="http://127.0.0.1:$PORT"
SERVER_PID=""

cleanup() {
    if [[ -n "$SERVER_PID" ]]; then kill "$SERVER_PID" 2>/dev/null || true; fi
    if [[ "${KEEP:-0}" != 1 ]]; then
        rm -rf "$WORK" "$BIG_WORK"
    else
        echo "work folders kept: $WORK $BIG_WORK"
    fi
}
trap cleanup EXIT

say() { echo "bench: $*" >&2; }

# ── tools ────────────────────────────────────────────────────────────────────────────────
say "building linkgate and the benchmark's examples (release)"
cargo build --release --quiet --bin linkgate --example bench_target --example bench_audit
LINKGATE="$ROOT/target/release/linkgate"
EXAMPLES="$ROOT/target/release/examples"

LYCHEE="$CACHE/lychee/bin/lychee"
if [[ ! -x "$LYCHEE" ]]; then
    say "installing lychee into $CACHE/lychee (once; kept for later runs)"
    version_flag=()
    if [[ -n "$LYCHEE_VERSION" ]]; then version_flag=(--version "$LYCHEE_VERSION"); fi
    cargo install lychee --locked --root "$CACHE/lychee" "${version_flag[@]}"
fi
if ! command -v wrk >/dev/null; then
    say "installing wrk (Debian package)"
    sudo_cmd=()
    if [[ $(id -u) != 0 ]]; then sudo_cmd=(sudo); fi
    "${sudo_cmd[@]}" apt-get install -y wrk >/dev/null || {
        "${sudo_cmd[@]}" apt-get update >/dev/null && "${sudo_cmd[@]}" apt-get install -y wrk >/dev/null
    }
fi
if [[ ! -x /usr/bin/time ]]; then
    say "installing GNU time (Debian package)"
    apt-get install -y time >/dev/null
fi

# ── the target ───────────────────────────────────────────────────────────────────────────
say "starting the target on $BASE"
"$EXAMPLES/bench_target" --port "$PORT" --lifetime 3600 >"$WORK/target.log" 2>&1 &
SERVER_PID=$!
for _ in $(seq 1 100); do
    if (exec 3<>"/dev/tcp/127.0.0.1/$PORT") 2>/dev/null; then break; fi
    sleep 0.1
done
if ! kill -0 "$SERVER_PID" 2>/dev/null; then
    say "the target did not start (is port $PORT taken? set PORT=…):"
    cat "$WORK/target.log" >&2
    exit 1
fi
server_cpu() { awk '{ print $14 + $15 }' "/proc/$SERVER_PID/stat"; }
TICKS=$(getconf CLK_TCK)

# ── helpers ──────────────────────────────────────────────────────────────────────────────
# measure NAME CMD...: runs CMD under GNU time; sets WALL, CPU (user+sys s), RSS_MB, SRV_CPU.
measure() {
    local name=$1
    shift
    local srv_before start end
    srv_before=$(server_cpu)
    start=$(date +%s.%N)
    /usr/bin/time -v -o "$WORK/$name.time" "$@" >"$WORK/$name.out" 2>"$WORK/$name.err" || {
        say "$name exited with $? (see below)"
        tail -5 "$WORK/$name.err" >&2
    }
    end=$(date +%s.%N)
    WALL=$(awk -v a="$start" -v b="$end" 'BEGIN { printf "%.3f", b - a }')
    CPU=$(awk -F': ' '/User time|System time/ { s += $2 } END { printf "%.3f", s }' "$WORK/$name.time")
    RSS_MB=$(awk -F': ' '/Maximum resident/ { printf "%.1f", $2 / 1024 }' "$WORK/$name.time")
    SRV_CPU=$(awk -v a="$srv_before" -v b="$(server_cpu)" -v t="$TICKS" 'BEGIN { printf "%.2f", (b - a) / t }')
}

audit() { # audit LINKS [DIR]: writes DIR/nLINKS/{bench.toml,urls.txt} (DIR: the work folder)
    "$EXAMPLES/bench_audit" --links "$1" --base "$BASE" --out "${2:-$WORK}/n$1"
}

validate_catalog() { # validate_catalog LINKS [DIR]: sets CAT_RSS, the catalog's own peak RSS
    measure "validate_$1" "$LINKGATE" validate \
        scenarios/platforms.toml scenarios/contexts/neutral.toml scenarios/contexts/douyin.toml \
        scenarios/signatures "${2:-$WORK}/n$1/bench.toml"
    CAT_RSS=$RSS_MB
}

run_linkgate() { # run_linkgate LINKS NAME [DIR]
    local dir="${3:-$WORK}/n$1"
    LINKGATE_STORE_STATS=1 measure "$2" "$LINKGATE" run \
        scenarios/platforms.toml scenarios/contexts/neutral.toml scenarios/contexts/douyin.toml \
        scenarios/signatures "$dir/bench.toml" --audit bench --out "$dir/reports" \
        --interval 0s --per-host "$C" --concurrency "$C" --retries 0 --quiet
}

LOAD_BEFORE=$(cut -d' ' -f1-3 /proc/loadavg)

# ── linkgate, N ──────────────────────────────────────────────────────────────────────────
audit "$N"
validate_catalog "$N"
LG_CAT=$CAT_RSS
say "linkgate run: $N links = $((2 * N)) pages (control + context), concurrency $C"
run_linkgate "$N" linkgate
LG_WALL=$WALL LG_CPU=$CPU LG_RSS=$RSS_MB LG_SRV=$SRV_CPU
LG_PAGES=$((2 * N))
LG_STORE=$(grep -o 'writer busy [0-9.]* s of [0-9.]* s ([0-9.]*%)' "$WORK/linkgate.err" || echo "n/a")
LG_OPENED=$(awk -F, 'NR > 1 && $13 == "opened"' "$WORK/n$N"/reports/2*/observations.csv | wc -l)
# "phase-stats: measuring 6.0 s, peak RSS 66.4 MB; whole run ...": measuring alone, before sealing.
phase() { # phase FILE: "SECONDS RSS_MB" of the measuring phase
    sed -n 's/^phase-stats: measuring \([0-9.]*\) s, peak RSS \([0-9.?]*\) MB.*/\1 \2/p' "$1"
}
read -r LG_MEAS_S LG_MEAS_RSS <<<"$(phase "$WORK/linkgate.err")"

# ── lychee, N ────────────────────────────────────────────────────────────────────────────
say "lychee: $N URLs, --max-concurrency $C"
lychee_flags=(--no-progress --max-concurrency "$C" --format json --max-retries 0 --timeout 30)
if "$LYCHEE" --help | grep -q -- '--host-concurrency'; then
    lychee_flags+=(--host-concurrency "$C")
fi
if "$LYCHEE" --help | grep -q -- '--host-request-interval'; then
    lychee_flags+=(--host-request-interval 0s)
fi
measure lychee "$LYCHEE" "${lychee_flags[@]}" "$WORK/n$N/urls.txt"
LY_WALL=$WALL LY_CPU=$CPU LY_RSS=$RSS_MB LY_SRV=$SRV_CPU
LY_OK=$(grep -o '"successful": *[0-9]*' "$WORK/lychee.out" | grep -o '[0-9]*$' || echo "?")
LY_VERSION=$("$LYCHEE" --version | awk '{ print $2 }')

# ── wrk, same URLs ───────────────────────────────────────────────────────────────────────
say "wrk: the same $N URLs, $C connections, ${WRK_SECONDS}s"
WRK_URLS="$WORK/n$N/urls.txt" measure wrk wrk -t2 -c "$C" -d "${WRK_SECONDS}s" \
    -s bench/wrk_paths.lua "$BASE"
WRK_WALL=$WALL WRK_CPU=$CPU WRK_RSS=$RSS_MB WRK_SRV=$SRV_CPU
WRK_RPS=$(awk '/Requests\/sec/ { print $2 }' "$WORK/wrk.out")
WRK_REQS=$(awk '/requests in/ { print $1 }' "$WORK/wrk.out")

# ── linkgate, BIG_N ──────────────────────────────────────────────────────────────────────
BIG_ROW=""
if [[ "$BIG_N" -gt 0 ]]; then
    audit "$BIG_N" "$BIG_WORK"
    validate_catalog "$BIG_N" "$BIG_WORK"
    say "linkgate run: $BIG_N links = $((2 * BIG_N)) pages, for peak memory (in $BIG_WORK)"
    run_linkgate "$BIG_N" linkgate_big "$BIG_WORK"
    BIG_PAGES=$((2 * BIG_N))
    BIG_STORE=$(grep -o '([0-9.]*%)' "$WORK/linkgate_big.err" | tr -d '()' || echo "n/a")
    read -r BIG_MEAS_S BIG_MEAS_RSS <<<"$(phase "$WORK/linkgate_big.err")"
    BIG_ROW=$(awk -v n="$BIG_N" -v p="$BIG_PAGES" -v w="$WALL" -v c="$CPU" -v r="$RSS_MB" \
        -v base="$LG_RSS" -v st="$BIG_STORE" -v cat="$CAT_RSS" -v ms="$BIG_MEAS_S" \
        -v mr="$BIG_MEAS_RSS" -v mbase="$LG_MEAS_RSS" 'BEGIN {
        printf "| linkgate, N = %d | %d | %.1f | %.0f | %.2f | %.1f (%.2f×) | %.1f (%.2f×) | %.1f | %.1f | %s |\n",
            n, p, w, p / w, 1000 * c / p, r, r / base, mr, mr / mbase, ms, cat, st }')
fi
LOAD_AFTER=$(cut -d' ' -f1-3 /proc/loadavg)

# ── the table ────────────────────────────────────────────────────────────────────────────
TABLE=$(awk \
    -v n="$N" -v c="$C" -v cores="$(nproc)" -v date="$(date -u '+%Y-%m-%d %H:%M UTC')" \
    -v lgp="$LG_PAGES" -v lgw="$LG_WALL" -v lgc="$LG_CPU" -v lgr="$LG_RSS" -v lgs="$LG_SRV" \
    -v lgst="$LG_STORE" -v lgok="$LG_OPENED" -v lgcat="$LG_CAT" \
    -v lgst_share="$(grep -o '([0-9.]*%)' "$WORK/linkgate.err" | tr -d '()' || echo n/a)" \
    -v lyw="$LY_WALL" -v lyc="$LY_CPU" -v lyr="$LY_RSS" -v lys="$LY_SRV" -v lyok="$LY_OK" \
    -v lyv="$LY_VERSION" \
    -v wrps="$WRK_RPS" -v wreq="$WRK_REQS" -v ww="$WRK_WALL" -v wc="$WRK_CPU" -v wr="$WRK_RSS" \
    -v wsrv="$WRK_SRV" -v big="$BIG_ROW" -v lb="$LOAD_BEFORE" -v la="$LOAD_AFTER" \
    -v bigdir="${BIG_DIR:-}" -v bign="$BIG_N" -v lgms="$LG_MEAS_S" -v lgmr="$LG_MEAS_RSS" 'BEGIN {
    lg_rate = lgp / lgw; ly_rate = n / lyw
    lg_cpu = 1000 * lgc / lgp; ly_cpu = 1000 * lyc / n; wrk_cpu = 1000 * wc / wreq
    printf "Measured %s on %d cores, N = %d links, concurrency %d, one 302 hop for one link in 4.\n", date, cores, n, c
    printf "Load average before / after: %s / %s.\n\n", lb, la
    print "| tool | pages | wall s | pages/s | client CPU s / 1,000 pages | peak RSS MB | server CPU s |"
    print "| --- | ---: | ---: | ---: | ---: | ---: | ---: |"
    printf "| linkgate %s | %d (%d opened) | %.1f | %.0f | %.2f | %.1f | %.1f |\n", "run", lgp, lgok, lgw, lg_rate, lg_cpu, lgr, lgs
    printf "| lychee %s | %d (%s ok) | %.1f | %.0f | %.2f | %.1f | %.1f |\n", lyv, n, lyok, lyw, ly_rate, ly_cpu, lyr, lys
    printf "| wrk (requests) | %d | %.1f | %.0f | %.2f | %.1f | %.1f |\n\n", wreq, ww, wrps, wrk_cpu, wr, wsrv
    printf "- linkgate / lychee, pages/s: **%.2f×** (target ≥ 1.5×); CPU per 1,000 pages: **%.2f×** (target ≤ 1×)\n", lg_rate / ly_rate, lg_cpu / ly_cpu
    printf "- linkgate pages/s / wrk requests/s: **%.0f%%** (target ≥ 50%%)\n", 100 * lg_rate / wrps
    printf "- history database (linkgate, N = %d): %s\n", n, lgst
    if (big != "") {
        print "\n| run | pages | wall s | pages/s | CPU s / 1,000 pages | peak RSS MB | peak RSS while measuring MB | measuring s | catalog load alone, peak RSS MB | writer busy |"
        print "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"
        printf "| linkgate, N = %d | %d | %.1f | %.0f | %.2f | %.1f | %.1f | %.1f | %.1f | %s |\n", n, lgp, lgw, lg_rate, lg_cpu, lgr, lgmr, lgms, lgcat, lgst_share
        printf "%s\n", big
        if (bigdir != "") printf "\nThe N = %d run wrote its history and evidence to %s.\n", bign, bigdir
    }
}')

echo
echo "$TABLE"
RESULTS="$ROOT/bench/RESULTS.md"
if [[ ! -f "$RESULTS" ]]; then
    printf '# Benchmark results\n\n<!-- bench:table:begin -->\n<!-- bench:table:end -->\n' >"$RESULTS"
fi
TABLE="$TABLE" awk '
    /<!-- bench:table:begin -->/ { print; print ENVIRON["TABLE"]; skip = 1; next }
    /<!-- bench:table:end -->/ { skip = 0 }
    !skip { print }
' "$RESULTS" >"$RESULTS.tmp" && mv "$RESULTS.tmp" "$RESULTS"
say "table written to bench/RESULTS.md"
