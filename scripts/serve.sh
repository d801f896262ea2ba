#!/usr/bin/env bash
# Builds and serves the dashboard on the demo data: installs what is missing (scripts/setup.sh),
# builds the CLI, generates demo snapshots into demo-data/ if there are none, builds the page
# (trunk build --release --offline → dist/, with dist/data and dist/charts) and serves dist/ on
# http://127.0.0.1:${PORT:-8080}/ (Ctrl-C stops it).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
export PATH="$PWD/node_modules/.bin:$PWD/.venv/bin:$HOME/.cargo/bin:$PATH"
cargo build --quiet --bin modelpulse
if [ ! -f demo-data/raw_llm_events.parquet ]; then
  target/debug/modelpulse generate --out demo-data
fi
trunk build --release --offline
exec node tests/e2e/server.mjs dist "${PORT:-8080}"
