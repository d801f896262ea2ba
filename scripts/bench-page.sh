#!/usr/bin/env bash
# Page benchmark (not a test): 1M LLM events from `modelpulse generate --days 90
# --events-per-day 11112`, served from localhost, loaded in headless Chromium with a fresh profile
# per run; prints the User Timing phases (fetch, decode, aggregate, render, total) and the filter
# change redraw times. Needs a built dist/ (scripts/serve.sh or tests/e2e/run.sh build it).
# RUNS=<n> (default 5); DIST=<dir> benchmarks another build (default dist/); EVENTS_PER_DAY=<n>
# (default 11112, ~1M events) loads another size, e.g. 10 (~900 events: what the page costs with
# almost no data, docs/page.md "The page's fixed cost"). Wall times on a
# shared machine follow its load; scripts/profile-page.mjs gives the main thread's CPU time.
# Per filter change: the charts in view redrawn (`modelpulse:filter`), the next frame painted after
# the control's event, all charts redrawn; PACE_MS=<ms> (default 100) is the pause after each change.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$PWD/node_modules/.bin:$PWD/.venv/bin:$HOME/.cargo/bin:$PATH"
[ -f "${DIST:-dist}/index.html" ] || { echo "no ${DIST:-dist}/: run trunk build --release --offline first" >&2; exit 1; }
cargo build --quiet --bin modelpulse
PER_DAY=${EVENTS_PER_DAY:-11112}
DATA=test-artifacts/bench-1m
[ "$PER_DAY" = 11112 ] || DATA=test-artifacts/bench-per-day-$PER_DAY
if [ ! -f "$DATA/raw_llm_events.parquet" ]; then
  target/debug/modelpulse generate --out "$DATA" --days 90 --events-per-day "$PER_DAY" --end 2026-11-27
fi
ls -l "$DATA"
exec node scripts/bench-page.mjs "${DIST:-dist}" "$DATA" "${RUNS:-5}"
