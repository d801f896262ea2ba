#!/usr/bin/env bash
# Scale benchmark (issue 6, not a test): the page on 1M, 3M and 10M LLM events (with their
# tickets and conversions) in one headless Chromium tab, next to DuckDB-wasm 1.32.0 on the same
# rows. Prints per-run lines and markdown tables (figures in docs/scale.md).
#
#   scripts/bench-scale.sh                     # 1M, 3M, 10M; RUNS=3 (10M: RUNS_10M, default 1)
#   SIZES="1m 3m" RUNS=5 DIST=/tmp/my-dist DUCK=0 RANGES=0 scripts/bench-scale.sh
#   PAGE=0 DUCK_SIZES="1m 3m" scripts/bench-scale.sh   # DuckDB-wasm only
#
# Needs scripts/setup.sh (node_modules with playwright-core, .venv with pyarrow and dbt-duckdb)
# and a built page in $DIST (default dist/: `trunk build --release --offline`; copy it elsewhere
# first if others rebuild it meanwhile). Data: test-artifacts/bench-{1m,3m,10m}, generated here
# when missing (`modelpulse generate --days 90 --events-per-day 11112|33334|111112 --end 2026-11-27`).
# The server (in bench-scale.mjs, 127.0.0.1, random port) honours single Range requests;
# RANGES=0 makes it ignore them. DuckDB-wasm is installed with npm into
# test-artifacts/scale-duckdb (not a dependency of the repo); DUCK=0 skips it.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
export PATH="$ROOT/node_modules/.bin:$ROOT/.venv/bin:$HOME/.cargo/bin:$PATH"
export DBT_SEND_ANONYMOUS_USAGE_STATS=false
DIST=${DIST:-dist}
[ -f "$DIST/index.html" ] || { echo "no $DIST/index.html: run trunk build --release --offline first" >&2; exit 1; }
SIZES=${SIZES:-1m 3m 10m}
declare -A PER_DAY=([1m]=11112 [3m]=33334 [10m]=111112)
ART=test-artifacts
DUCK=${DUCK:-1}
export DUCK_SIZES=${DUCK_SIZES:-$SIZES}   # sizes DuckDB-wasm is tried on; PAGE=0 skips the page

spec=""
for s in $SIZES; do
  dir="$ART/bench-$s"
  [ -n "${PER_DAY[$s]:-}" ] || { echo "unknown size $s (1m, 3m or 10m)" >&2; exit 1; }
  if [ ! -f "$dir/raw_llm_events.parquet" ] || [ ! -f "$dir/raw_support_events.parquet" ] || [ ! -f "$dir/raw_conversion_events.parquet" ]; then
    cargo build --quiet --bin modelpulse
    target/debug/modelpulse generate --out "$dir" --days 90 --events-per-day "${PER_DAY[$s]}" --end 2026-11-27
  fi
  spec="$spec${spec:+,}$s=$dir"
done

if [ "$DUCK" != 0 ]; then
  DUCKDIR="$ART/scale-duckdb"
  if [ ! -f "$DUCKDIR/node_modules/@duckdb/duckdb-wasm/dist/duckdb-eh.wasm" ]; then
    mkdir -p "$DUCKDIR"
    npm install --no-audit --no-fund --prefix "$DUCKDIR" @duckdb/duckdb-wasm@1.32.0 >&2
  fi
  export DUCK_DIST="$DUCKDIR/node_modules/@duckdb/duckdb-wasm/dist"
  # The substitute input: the LLM events and tickets as Arrow IPC streams (uncompressed; Arrow JS
  # reads no compressed IPC), converted once per size with pyarrow.
  export IPC_ROOT="$ART/scale-ipc"
  for s in $DUCK_SIZES; do
    out="$IPC_ROOT/$s"
    if [ ! -f "$out/raw_support_events.arrows" ]; then
      mkdir -p "$out"
      python - "$ART/bench-$s" "$out" <<'PY'
import sys, pyarrow as pa, pyarrow.parquet as pq
src, out = sys.argv[1], sys.argv[2]
for t in ("raw_llm_events", "raw_support_events"):
    table = pq.read_table(f"{src}/{t}.parquet")
    with pa.OSFile(f"{out}/{t}.arrows", "wb") as f, pa.ipc.new_stream(f, table.schema) as w:
        w.write_table(table, max_chunksize=1 << 17)
    print(f"{out}/{t}.arrows: {table.num_rows} rows", file=sys.stderr)
PY
    fi
  done
  # The warehouse's dashboard_facts model compiled to one query (as scripts/bench-facts.sh does);
  # bench-scale.mjs points its read_parquet paths at the server or at the IPC tables.
  TMP=$(mktemp -d /tmp/bench-scale-sql.XXXXXX)
  trap 'rm -rf "$TMP"' EXIT
  first=$(echo $SIZES | cut -d' ' -f1)
  export SQL_DATA_DIR="$ROOT/$ART/bench-$first"
  (cd warehouse && MODELPULSE_DUCKDB=:memory: dbt compile --quiet --profiles-dir . \
     --target-path "$TMP/target" --log-path "$TMP/logs" --select dashboard_facts \
     --vars "{inline: true, data_dir: '$SQL_DATA_DIR'}" >/dev/null)
  export SQL_FILE="$TMP/target/compiled/modelpulse/models/marts/dashboard_facts.sql"
fi

echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg); $(nproc) CPUs" >&2
DIST="$DIST" SIZES="$spec" RUNS="${RUNS:-3}" RUNS_10M="${RUNS_10M:-1}" DUCK="$DUCK" node scripts/bench-scale.mjs
