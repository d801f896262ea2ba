#!/usr/bin/env bash
# manifest.json: documents written by `modelpulse manifest` and `modelpulse generate --partition
# daily / --follow` validate against schemas/manifest.schema.json (Python jsonschema) and match
# their files (rows and dates read with pyarrow, sha256 with hashlib); bad manifests are refused
# by BOTH the schema and `modelpulse facts --manifest`, whose message names the field.
set -uo pipefail
cd "$(dirname "$0")/../.."
PY=${PY:-.venv/bin/python}
cargo build --quiet --bin modelpulse || { echo "build failed"; echo "0 passed, 1 failed"; exit 1; }
BIN=target/debug/modelpulse
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
passed=0; failed=0
check() { # name, command...
  local name=$1; shift
  if "$@" >"$WORK/out" 2>&1; then passed=$((passed+1)); echo "ok   $name"
  else failed=$((failed+1)); echo "FAIL $name"; sed 's/^/     /' "$WORK/out" | tail -20; fi
}

# 1. Partitioned demo data.
$BIN generate --out "$WORK/daily" --days 12 --events-per-day 150 --end 2026-11-27 --partition daily >/dev/null
check "generate --partition daily: manifest valid, entries match files" $PY tests/manifest/check.py valid "$WORK/daily/manifest.json"

# 2. `modelpulse manifest` over each fixture folder (several writers: INT96, ns, no statistics…).
for d in ../shared/fixtures/*/; do
  [ -f "$d/raw_llm_events.parquet" ] || continue
  name=$(basename "$d"); mkdir -p "$WORK/fx/$name"; cp "$d"/*.parquet "$WORK/fx/$name/"
  $BIN manifest "$WORK/fx/$name" >/dev/null
  check "manifest over fixture $name" $PY tests/manifest/check.py valid "$WORK/fx/$name/manifest.json"
done

# 3. --follow with a bounded number of appends.
$BIN generate --out "$WORK/follow" --days 3 --events-per-day 100 --follow --every 200ms --iterations 3 \
  --live-events-per-day 400000 >/dev/null
check "generate --follow: manifest valid, entries match files" $PY tests/manifest/check.py valid "$WORK/follow/manifest.json"
# `modelpulse manifest` over the same folder lists the same parts.
cp "$WORK/follow/manifest.json" "$WORK/follow.json"
$BIN manifest "$WORK/follow" >/dev/null
same_parts() {
  $PY - "$1" "$2" <<'PYEOF'
import json, sys
a, b = (json.load(open(p)) for p in sys.argv[1:3])
key = lambda d: {t: sorted((p["path"], p["sha256"], p["rows"]) for p in v["parts"]) for t, v in d["tables"].items()}
sys.exit(0 if key(a) == key(b) else 1)
PYEOF
}
check "manifest DIR over --follow output lists the same parts" same_parts "$WORK/follow.json" "$WORK/follow/manifest.json"

# 4. Bad manifests: refused by the schema and by the CLI, naming the field.
cp "$WORK/daily/manifest.json" "$WORK/good.json"
bad_case() { # label, python expression editing d, expected message fragment
  local label=$1 edit=$2 want=$3
  mkdir -p "$WORK/bad"; cp -r "$WORK/daily/raw_"* "$WORK/bad/" 2>/dev/null
  $PY - "$WORK/good.json" "$WORK/bad/manifest.json" "$edit" <<'PYEOF'
import json, sys
d = json.load(open(sys.argv[1])); exec(sys.argv[3]); json.dump(d, open(sys.argv[2], "w"))
PYEOF
  check "schema refuses: $label" $PY tests/manifest/check.py schema-rejects "$(cat "$WORK/bad/manifest.json")"
  check "facts --manifest refuses: $label" bash -c "
    out=\$($BIN facts --manifest '$WORK/bad/manifest.json' 2>&1); rc=\$?
    echo \"\$out\"; [ \$rc -eq 2 ] && grep -qF -- \"$want\" <<<\"\$out\""
}
bad_case "negative rows" 'd["tables"]["raw_llm_events"]["parts"][3]["rows"] = -1' \
  "manifest.json: tables.raw_llm_events.parts[3].rows: expected a non-negative integer"
bad_case "rows as text" 'd["tables"]["raw_support_events"]["parts"][0]["rows"] = "12"' \
  "tables.raw_support_events.parts[0].rows: expected a non-negative integer"
bad_case "upper-case sha256" 'p = d["tables"]["raw_llm_events"]["parts"][1]; p["sha256"] = p["sha256"].upper()' \
  "tables.raw_llm_events.parts[1].sha256: expected 64 lowercase hex digits"
bad_case "path escaping the folder" 'd["tables"]["raw_llm_events"]["parts"][0]["path"] = "../../etc/passwd"' \
  "tables.raw_llm_events.parts[0].path:"
bad_case "unknown table" 'd["tables"]["raw_llm_event"] = {"parts": []}' \
  "tables.raw_llm_event: unknown table"
bad_case "version 2" 'd["version"] = 2' "version: unsupported version 2"
bad_case "missing max_date" 'del d["tables"]["raw_conversion_events"]["parts"][2]["max_date"]' \
  "tables.raw_conversion_events.parts[2].max_date: missing"
bad_case "bad date" 'd["tables"]["raw_llm_events"]["parts"][0]["min_date"] = "2026-02-30"' \
  "tables.raw_llm_events.parts[0].min_date: expected a date YYYY-MM-DD"
bad_case "only one date null" 'd["tables"]["raw_llm_events"]["parts"][0]["min_date"] = None' \
  "tables.raw_llm_events.parts[0].min_date: min_date and max_date must both be dates or both be null"
bad_case "generated_at not a time" 'd["generated_at"] = "now"' "generated_at: expected an RFC 3339 date-time"

# 5. Valid edge cases: accepted by the schema and by the parser alike (absent tables, null dates,
#    URL paths, unknown members, other time zones).
ok_case() { # label, python expression editing d
  local label=$1 edit=$2
  $PY - "$WORK/good.json" "$WORK/edge.json" "$edit" <<'PYEOF'
import json, sys
d = json.load(open(sys.argv[1])); exec(sys.argv[3]); json.dump(d, open(sys.argv[2], "w"))
PYEOF
  check "schema accepts: $label" $PY -c "
import json, jsonschema, sys
s = json.load(open('schemas/manifest.schema.json'))
v = jsonschema.Draft202012Validator(s, format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER)
v.validate(json.load(open('$WORK/edge.json')))"
  cp "$WORK/edge.json" "$WORK/bad/manifest.json"
  # --check exits 2 only when the manifest does not parse (1: parsed, an edited entry differs).
  check "parser accepts: $label" bash -c "$BIN manifest --check '$WORK/bad'; [ \$? -ne 2 ]"
}
ok_case "absent tables" 'del d["tables"]["raw_support_events"]; del d["tables"]["raw_conversion_events"]'
ok_case "null dates" 'p = d["tables"]["raw_llm_events"]["parts"][0]; p["min_date"] = None; p["max_date"] = None'
ok_case "unknown members" 'd["producer"] = "kafka-connect"; d["tables"]["raw_llm_events"]["parts"][0]["x_etag"] = "abc"'
ok_case "offset time zone" 'd["generated_at"] = "2026-11-27T17:00:00+07:00"'
ok_case "absolute URL path" 'd["tables"]["raw_llm_events"]["parts"][0]["path"] = "https://cdn.example/raw_llm_events/dt=2026-11-27/part-0.parquet"'

# 6. A part changed after the manifest was written: refused, naming the part.
cp "$WORK/good.json" "$WORK/daily/manifest.json"
check "manifest --check passes on the untouched folder" $BIN manifest --check "$WORK/daily"
printf 'x' >> "$WORK/daily/raw_llm_events/dt=2026-11-20/part-0.parquet"
check "manifest --check finds the changed part (exit 1)" bash -c "
  out=\$($BIN manifest --check '$WORK/daily' 2>&1); rc=\$?; echo \"\$out\"
  [ \$rc -eq 1 ] && grep -q 'dt=2026-11-20/part-0.parquet' <<<\"\$out\""
check "facts --manifest refuses a part rewritten after the manifest" bash -c "
  out=\$($BIN facts --manifest '$WORK/daily/manifest.json' 2>&1); echo \"\$out\"
  grep -q 'dt=2026-11-20/part-0.parquet: does not match its manifest entry' <<<\"\$out\""

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
