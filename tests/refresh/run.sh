#!/usr/bin/env bash
# The page's incremental refresh (issue 6), end to end: builds the CLI (debug) and the release
# page (trunk build --release --offline, skipped when dist/ is newer than every source), writes
# partitioned demo data with the CLI, then drives Debian's Chromium with playwright-core
# (tests/refresh/refresh.test.mjs) against tests/refresh/server.mjs on 127.0.0.1 (a free port).
# Prints `N passed, M failed`.
set -uo pipefail
cd "$(dirname "$0")/../.."
ROOT=$PWD
export PATH="$ROOT/node_modules/.bin:$ROOT/.venv/bin:$HOME/.cargo/bin:$PATH"
passed=0; failed=0
# shellcheck source=tests/lib/counts.sh
source tests/lib/counts.sh
ok() { echo "ok   $*"; passed=$((passed+1)); }
die() { echo "FAIL $*"; echo "$passed passed, $((failed+1)) failed"; exit 1; }

cargo build --quiet --bin modelpulse || die "cargo build --bin modelpulse"
CLI=$ROOT/target/debug/modelpulse

# The page: rebuilt unless dist/ is newer than everything it is built from (REUSE_DIST=1: use
# dist/ as it is, when it has the worker — e.g. right after tests/e2e/run.sh built it).
DIST=${E2E_DIST:-dist}  # E2E_DIST: build/serve another folder (parallel runs)
stale=1
if [ "${REUSE_DIST:-0}" = 1 ] && [ -f "$DIST/modelpulse-worker_bg.wasm" ]; then
  stale=0
elif [ -f "$DIST/index.html" ] && ls "$DIST/modelpulse-worker_bg.wasm" >/dev/null 2>&1; then
  newer=$(find src index.html Cargo.toml Cargo.lock Trunk.toml style public scripts/trunk-post-build.sh -newer "$DIST/index.html" -print -quit 2>/dev/null)
  [ -z "$newer" ] && stale=0
fi
if [ $stale -eq 1 ]; then
  if [ ! -f demo-data/raw_llm_events.parquet ]; then
    "$CLI" generate --out demo-data >/dev/null || die "modelpulse generate"
  fi
  cargo fetch --quiet || die "cargo fetch"
  trunk build --release --offline --dist "$DIST" >/tmp/modelpulse-refresh-trunk.log 2>&1 || { tail -40 /tmp/modelpulse-refresh-trunk.log; die "trunk build --release --offline"; }
  ok "trunk build --release --offline"
else
  ok "dist/ is up to date (newer than src/, index.html, Cargo.*, style/, public/)"
fi

# Data: 9 days as day parts (two seeds: the second rewrites a part with other rows), data that
# ended weeks ago (the stale warning), and single files (two seeds: the second replaces one).
WORK=$ROOT/test-artifacts/refresh
rm -rf "$WORK"; mkdir -p "$WORK"
"$CLI" generate --out "$WORK/stage" --partition daily --days 9 --end 2026-11-28 --events-per-day 300 --seed 7 >/dev/null || die "generate stage"
"$CLI" generate --out "$WORK/stage2" --partition daily --days 9 --end 2026-11-28 --events-per-day 300 --seed 8 >/dev/null || die "generate stage2"
"$CLI" generate --out "$WORK/old" --partition daily --days 3 --end 2026-10-01 --events-per-day 300 --seed 9 >/dev/null || die "generate old"
"$CLI" generate --out "$WORK/single" --days 5 --end 2026-11-27 --events-per-day 300 --seed 10 >/dev/null || die "generate single"
"$CLI" generate --out "$WORK/single2" --days 5 --end 2026-11-27 --events-per-day 300 --seed 11 >/dev/null || die "generate single2"
ok "partitioned test data"

out=$(DIST="$DIST" CLI="$CLI" WORK="$WORK" node tests/refresh/refresh.test.mjs 2>&1)
status=$?
echo "$out"
add_node_counts tests/refresh/refresh.test.mjs "$status" "$out"
echo "$passed passed, $failed failed"
[ $failed -eq 0 ]
