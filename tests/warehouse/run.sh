#!/usr/bin/env bash
# The dbt models (warehouse/) against the fixtures' expected facts and against the CLI.
#
# For every fixture folder in ../shared/fixtures (bad/ excluded), a hand-made edge-case snapshot
# with hand-computed expected facts (tests/warehouse/edge_cases.py) and two derived variants
# (tests/warehouse/make_variant.py): `dbt build` with real dbt-duckdb (models + data tests,
# offline), then the published dashboard_facts.parquet / conversion_facts.parquet exported as
# contract CSV and compared with expected/*.csv and with `modelpulse facts` for the same folder.
# The benchmark's Polars model (scripts/bench/polars_facts.py) is held to the same comparison.
# Also: the comparator's self-test, and dbt refusing a snapshot without the provider column.
# Needs scripts/setup.sh (the .venv). Ends with "N passed, M failed"; exits non-zero on failure.
set -uo pipefail
cd "$(dirname "$0")/../.."
ROOT=$PWD
PY="$ROOT/.venv/bin/python"
DBT="$ROOT/.venv/bin/dbt"
FIXTURES="$ROOT/../shared/fixtures"
CLI="$ROOT/target/debug/modelpulse"
HELPER="$ROOT/tests/warehouse/facts_csv.py"
export DBT_SEND_ANONYMOUS_USAGE_STATS=false DBT_USE_COLORS=false

if [ ! -x "$DBT" ] || [ ! -x "$PY" ]; then
  echo "FAIL no dbt in .venv: run scripts/setup.sh first"
  echo "0 passed, 1 failed"
  exit 1
fi

WORK=$(mktemp -d /tmp/mp-warehouse.XXXXXX)
trap 'rm -rf "$WORK"' EXIT
passed=0
failed=0

# check NAME CMD...: runs CMD, counts it, shows its output when it fails.
check() {
  local name=$1; shift
  if "$@" >"$WORK/last.log" 2>&1; then
    passed=$((passed + 1)); echo "ok   $name"
  else
    failed=$((failed + 1)); echo "FAIL $name"; sed -n '1,40p' "$WORK/last.log" | sed 's/^/     /'
  fi
}

# dbt_build DATA_DIR OUT_DIR: the whole project (models + data tests) over DATA_DIR, publishing
# the facts to OUT_DIR. Runs from warehouse/ as documented; the DuckDB file lives in OUT_DIR.
dbt_build() {
  local data=$1 out=$2
  mkdir -p "$out"
  (cd "$ROOT/warehouse" && MODELPULSE_DUCKDB="$out/warehouse.duckdb" "$DBT" build \
      --profiles-dir . --target-path "$out/target" --log-path "$out/logs" \
      --vars "{data_dir: '$data', publish_dir: '$out'}")
}

# export_facts OUT_DIR: published parquet -> contract CSV beside it.
export_facts() {
  local out=$1 t
  for t in dashboard_facts conversion_facts; do
    "$PY" "$HELPER" export "$out/$t.parquet" "$out/$t.csv" || return 1
  done
}

# cli_facts DATA_DIR TABLE OUT.csv
cli_facts() {
  local data=$1 table=$2 csv=$3
  if [ "$table" = dashboard_facts ]; then
    "$CLI" facts --data "$data" >"$csv"
  else
    "$CLI" facts --data "$data" --table "$table" >"$csv"
  fi
}

# cli_matches DATA_DIR TABLE OUT_DIR: the CLI's facts for DATA_DIR equal dbt's (OUT_DIR/TABLE.csv).
cli_matches() {
  local data=$1 t=$2 out=$3
  if [ "$cli_built" != 1 ]; then echo "modelpulse did not build (see above)"; return 1; fi
  cli_facts "$data" "$t" "$out/cli-$t.csv" || return 1
  "$PY" "$HELPER" compare "$out/$t.csv" "$out/cli-$t.csv"
}

# polars_matches DATA_DIR TABLE OUT_DIR: the benchmark's Polars model agrees with dbt too.
polars_matches() {
  local data=$1 t=$2 out=$3
  "$PY" scripts/bench/polars_facts.py "$data" "$t" "$out/polars-$t.csv" || return 1
  "$PY" "$HELPER" compare "$out/$t.csv" "$out/polars-$t.csv"
}

# published_charts DATA_DIR OUT_DIR: `modelpulse charts` over dbt's published facts alone (the
# folder a dashboard can load instead of raw events) draws the same latency, token, revenue and
# uplift figures as over the raw snapshots (floats within 1e-9); the accuracy chart shows each
# provider's own rolling accuracy where a combined one cannot be derived (src/precomputed.rs).
published_charts() {
  local data=$1 out=$2
  if [ "$cli_built" != 1 ]; then echo "modelpulse did not build (see above)"; return 1; fi
  mkdir -p "$out/published"
  cp "$out/dashboard_facts.parquet" "$out/conversion_facts.parquet" "$out/published/"
  "$CLI" charts --data "$out/published" --out "$out/charts-published" || return 1
  "$CLI" charts --data "$data" --out "$out/charts-raw" || return 1
  "$PY" - "$out/charts-raw" "$out/charts-published" <<'PYEOF'
import json, math, sys
raw, pub = sys.argv[1], sys.argv[2]
def same(a, b, path):
    if isinstance(a, float) or isinstance(b, float):
        if a is None or b is None or not math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-12):
            sys.exit(f"{path}: {a!r} != {b!r}")
    elif isinstance(a, dict) and isinstance(b, dict):
        if a.keys() != b.keys():
            sys.exit(f"{path}: keys {sorted(a)} != {sorted(b)}")
        for k in a:
            same(a[k], b[k], f"{path}.{k}")
    elif isinstance(a, list) and isinstance(b, list):
        if len(a) != len(b):
            sys.exit(f"{path}: {len(a)} != {len(b)} items")
        for i, (x, y) in enumerate(zip(a, b)):
            same(x, y, f"{path}[{i}]")
    elif a != b:
        sys.exit(f"{path}: {a!r} != {b!r}")
for chart in ["latency-p95", "token-usage", "revenue-from-ai", "conversion-uplift"]:
    same(json.load(open(f"{raw}/{chart}.json")), json.load(open(f"{pub}/{chart}.json")), chart)
line = json.load(open(f"{pub}/line-chart.json"))
names = [t["name"] for t in line["data"]]
assert not names or names[-1] == "Resolution rate", names
print("line-chart traces:", names)
PYEOF
}

# suite NAME DATA_DIR: the checks for one input folder (expected/ optional).
suite() {
  local name=$1 data=$2 out="$WORK/$1" t
  check "$name: dbt build (models + schema tests)" dbt_build "$data" "$out"
  check "$name: export published parquet as CSV" export_facts "$out"
  check "$name: modelpulse charts from the published facts alone" published_charts "$data" "$out"
  for t in dashboard_facts conversion_facts; do
    if [ -f "$data/expected/$t.csv" ]; then
      check "$name: dbt $t = expected" "$PY" "$HELPER" compare "$data/expected/$t.csv" "$out/$t.csv"
    fi
    check "$name: modelpulse facts $t = dbt" cli_matches "$data" "$t" "$out"
    check "$name: Polars model (scripts/bench) $t = dbt" polars_matches "$data" "$t" "$out"
  done
}

echo "== building modelpulse (debug)"
check "cargo build --bin modelpulse" cargo build --quiet --bin modelpulse
cli_built=0
[ "${failed}" -eq 0 ] && cli_built=1

check "comparator self-test (catches each kind of difference)" "$PY" "$HELPER" selftest

for dir in "$FIXTURES"/*/; do
  name=$(basename "$dir")
  [ "$name" = bad ] && continue
  suite "$name" "${dir%/}"
done

# Hand-made edge cases with hand-computed expected facts (see tests/warehouse/edge_cases.py).
if "$PY" tests/warehouse/edge_cases.py "$WORK/in-edge-cases"; then
  cp -r tests/warehouse/edge-cases/expected "$WORK/in-edge-cases/"
  suite "edge-cases" "$WORK/in-edge-cases"
else
  failed=$((failed + 1)); echo "FAIL edge-cases: could not build the input"
fi

for kind in no-accuracy retyped; do
  if "$PY" tests/warehouse/make_variant.py "$kind" "$FIXTURES/pyarrow-zstd-101" "$WORK/in-$kind"; then
    suite "variant-$kind" "$WORK/in-$kind"
  else
    failed=$((failed + 1)); echo "FAIL variant-$kind: could not build the input"
  fi
done

# bad/zero-rows.parquet (valid schema, no rows) as the LLM snapshot: an empty but valid result.
Z="$WORK/in-zero-rows"
mkdir -p "$Z/expected"
cp "$FIXTURES/bad/zero-rows.parquet" "$Z/raw_llm_events.parquet"
cp "$FIXTURES/pyarrow-gzip-104/raw_support_events.parquet" "$FIXTURES/pyarrow-gzip-104/raw_conversion_events.parquet" "$Z/"
head -n 1 "$FIXTURES/pyarrow-gzip-104/expected/dashboard_facts.csv" >"$Z/expected/dashboard_facts.csv"
cp "$FIXTURES/pyarrow-gzip-104/expected/conversion_facts.csv" "$Z/expected/"
suite "bad/zero-rows" "$Z"

# A snapshot missing a required column must fail the build, not produce facts.
mkdir -p "$WORK/in-missing-provider"
cp "$FIXTURES/bad/missing-provider.parquet" "$WORK/in-missing-provider/raw_llm_events.parquet"
cp "$FIXTURES/pyarrow-gzip-104/raw_support_events.parquet" "$FIXTURES/pyarrow-gzip-104/raw_conversion_events.parquet" "$WORK/in-missing-provider/"
refuses_missing_provider() {
  if dbt_build "$WORK/in-missing-provider" "$WORK/missing-provider"; then
    echo "dbt build succeeded on a snapshot without provider"; return 1
  fi
  grep -qi 'provider' "$WORK/missing-provider/logs/dbt.log"
}
check "bad/missing-provider: dbt build fails naming the column" refuses_missing_provider

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
