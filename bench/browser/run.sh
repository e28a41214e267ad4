#!/bin/sh
# Benchmark of the browser engine (a program, not a test): the tab pool against launching a
# browser per page, at the same concurrency, on the simulator's pages. Writes the figures to
# bench/browser/RESULTS.md. Any flags go to the benchmark, e.g.
#   bench/browser/run.sh --pages 40 --rounds 1
# Takes a few minutes; run it on an otherwise idle machine (the report records the load).
set -eu
cd "$(dirname "$0")/../.."
cargo build --release --example browser_bench
results=bench/browser/RESULTS.md
figures=$(./target/release/examples/browser_bench "$@")
{
    echo "# Browser engine benchmark"
    echo
    echo "Written by \`bench/browser/run.sh\` on $(date -u '+%Y-%m-%d %H:%M UTC'). What it measures and how"
    echo "to read it: README.md, section \"What is measured\" of \"The browser engine\"."
    echo
    echo "$figures"
} > "$results"
cat "$results"
