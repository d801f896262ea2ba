#!/usr/bin/env bash
# Trunk post_build hook (see Trunk.toml): runs in the repo root with TRUNK_STAGING_DIR set.
# 1. Ships the demo snapshots (demo-data/, made by `modelpulse generate`) as dist/data/.
# 2. Writes the CLI's chart JSON for the same data into dist/charts/ (`modelpulse charts`).
# 3. Pins the sha256 of Trunk's inline loader <script> into the CSP meta (TRUNK_LOADER_HASH), so
#    the page runs under a CSP without 'unsafe-inline' or 'unsafe-eval'.
# The CLI and the demo data are built when missing (scripts/serve.sh and tests/e2e/run.sh build
# them first, so normally this only copies). MODELPULSE_DEMO_DATA overrides the data folder.
set -euo pipefail
: "${TRUNK_STAGING_DIR:?run by trunk}"
DATA=${MODELPULSE_DEMO_DATA:-demo-data}
CLI=target/debug/modelpulse
say() { echo "[post-build] $*" >&2; }

if [ ! -x "$CLI" ]; then
  say "building the modelpulse CLI (cargo build --bin modelpulse)"
  cargo build --quiet --bin modelpulse
fi
if [ ! -f "$DATA/raw_llm_events.parquet" ]; then
  say "generating demo data into $DATA"
  "$CLI" generate --out "$DATA"
fi

mkdir -p "$TRUNK_STAGING_DIR/data"
cp "$DATA"/raw_llm_events.parquet "$DATA"/raw_support_events.parquet "$DATA"/raw_conversion_events.parquet "$TRUNK_STAGING_DIR/data/"
"$CLI" charts --data "$DATA" --out "$TRUNK_STAGING_DIR/charts" --config public/config.json
say "dist/data and dist/charts written from $DATA"

# CSP: hash every inline <script> Trunk emitted (there is one: the wasm loader).
python3 - "$TRUNK_STAGING_DIR/index.html" <<'PY'
import base64, hashlib, re, sys
path = sys.argv[1]
html = open(path, encoding="utf-8").read()
scripts = re.findall(r"<script(?![^>]*\bsrc=)[^>]*>(.*?)</script>", html, flags=re.S)
hashes = " ".join("'sha256-%s'" % base64.b64encode(hashlib.sha256(s.encode()).digest()).decode() for s in scripts)
if "TRUNK_LOADER_HASH" not in html:
    sys.exit("index.html has no TRUNK_LOADER_HASH placeholder in its CSP")
open(path, "w", encoding="utf-8").write(html.replace("TRUNK_LOADER_HASH", hashes))
print("[post-build] CSP script hashes: %s" % hashes, file=sys.stderr)
PY
