#!/usr/bin/env bash
# Benchmark: dashboard_facts over ~1M LLM events with modelpulse (release), native DuckDB (the
# dbt model compiled to one query) and Polars (lazy), after checking the three agree.
#
#   scripts/bench-facts.sh            # data in /tmp/mp-1m (generated once, reused)
#   DATA=/path RUNS=9 REGEN=1 scripts/bench-facts.sh
#
# Needs scripts/setup.sh (the .venv with duckdb, polars, dbt-duckdb).
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
DATA=${DATA:-/tmp/mp-1m}
RUNS=${RUNS:-7}
PY="$ROOT/.venv/bin/python"
export DBT_SEND_ANONYMOUS_USAGE_STATS=false

echo "== cargo build --release --bin modelpulse" >&2
cargo build --release --quiet --bin modelpulse
BIN="$ROOT/target/release/modelpulse"

if [ "${REGEN:-0}" = 1 ] || [ ! -f "$DATA/raw_llm_events.parquet" ] \
   || [ ! -f "$DATA/raw_support_events.parquet" ] || [ ! -f "$DATA/raw_conversion_events.parquet" ]; then
  echo "== generating 90 days x 11112 events/day into $DATA" >&2
  rm -rf "$DATA"
  "$BIN" generate --out "$DATA" --days 90 --events-per-day 11112
fi

TMP=$(mktemp -d /tmp/mp-bench-sql.XXXXXX)
trap 'rm -rf "$TMP"' EXIT
echo "== dbt compile (inline) of warehouse/models/marts/dashboard_facts.sql" >&2
(cd warehouse && MODELPULSE_DUCKDB=:memory: "$ROOT/.venv/bin/dbt" compile --quiet \
   --profiles-dir . --target-path "$TMP/target" --log-path "$TMP/logs" --select dashboard_facts \
   --vars "{inline: true, data_dir: '$DATA'}" >/dev/null)
SQL="$TMP/target/compiled/modelpulse/models/marts/dashboard_facts.sql"

"$PY" scripts/bench/bench.py --data "$DATA" --modelpulse "$BIN" --sql "$SQL" --runs "$RUNS"
