#!/usr/bin/env bash
# Range reads in the page (issue 6): builds the CLI (debug), a 1M-event snapshot with small row
# groups (kept between runs in test-artifacts/ranges-big) and the release page (trunk build
# --release --offline), then drives Debian's Chromium (tests/ranges/ranges.test.mjs) against a
# local server that honours Range and counts the bytes it serves. The CLI side (byte bounds,
# exact facts, no-Range fallback, bad footers) is `cargo test --test ranges`. Prints
# `N passed, M failed`. dist/ is reused when it is newer than its sources; SKIP_BUILD=1 reuses
# it anyway.
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
# snapshot DIR DAYS END: 11,112 events a day with small row groups (so a date filter can skip
# most of them; the default is 131,072 rows), kept between runs unless the CLI is newer.
snapshot() {
  if [ ! -f "$1/raw_llm_events.parquet" ] || [ "$CLI" -nt "$1/raw_llm_events.parquet" ]; then
    rm -rf "$1"
    "$CLI" generate --out "$1" --days "$2" --events-per-day 11112 --end "$3" --row-group-rows 32768 >/dev/null \
      || die "modelpulse generate --days $2 --end $3 --row-group-rows 32768"
  fi
}
BIG=$ROOT/test-artifacts/ranges-big
snapshot "$BIG" 90 2026-11-27
ok "1M-event snapshot with small row groups: $BIG"
# The same, 10 days longer: the files a polled page is switched to.
BIG2=$ROOT/test-artifacts/ranges-big2
snapshot "$BIG2" 100 2026-12-07
ok "1.1M-event replacement snapshot (to 2026-12-07): $BIG2"
# Reuse dist/ when nothing it is built from is newer (e.g. tests/e2e/run.sh just built it).
DIST=${E2E_DIST:-dist}  # E2E_DIST: build/serve another folder (parallel runs)
stale=yes
if [ -f "$DIST/index.html" ] && [ -z "$(find src index.html Trunk.toml Cargo.toml Cargo.lock style public scripts/trunk-post-build.sh -newer "$DIST/index.html" 2>/dev/null | head -1)" ]; then
  stale=
fi
if [ -n "$stale" ] && [ "${SKIP_BUILD:-}" != 1 ]; then
  cargo fetch --quiet || die "cargo fetch"
  trunk build --release --offline --dist "$DIST" >/tmp/modelpulse-ranges-trunk.log 2>&1 || { tail -40 /tmp/modelpulse-ranges-trunk.log; die "trunk build --release --offline"; }
  ok "trunk build --release --offline"
fi

out=$(DIST="$DIST" CLI="$CLI" BIG="$BIG" BIG2="$BIG2" node tests/ranges/ranges.test.mjs 2>&1)
status=$?
echo "$out"
add_node_counts tests/ranges/ranges.test.mjs "$status" "$out"
echo "$passed passed, $failed failed"
[ $failed -eq 0 ]
