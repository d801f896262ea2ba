#!/usr/bin/env bash
# Runs every test of modelpulse. Installs what it needs first (scripts/setup.sh).
# Each suite is a step; the run fails if any step fails, and prints a summary at the end.
set -uo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh || { echo "setup failed"; exit 1; }
export PATH="$PWD/node_modules/.bin:$PWD/.venv/bin:$HOME/.cargo/bin:$PATH"
export CHROMEDRIVER=/usr/bin/chromedriver

passed=0; failed=0; failures=()
step() {
  local name=$1; shift
  printf '\n\033[1m== %s ==\033[0m\n' "$name"
  if "$@"; then passed=$((passed+1)); else failed=$((failed+1)); failures+=("$name"); fi
}

step "wasm32 build of the core" cargo build --lib --target wasm32-unknown-unknown
step "native tests (cargo test)" cargo test --all-targets
for t in tests/wasm_*.rs; do
  [ -f "$t" ] && step "wasm test $(basename "$t" .rs) in headless Chromium" \
    cargo test --target wasm32-unknown-unknown --test "$(basename "$t" .rs)"
done
for suite in tests/*/run.sh; do
  [ -f "$suite" ] && step "$suite" bash "$suite"
done

echo
[ $failed -gt 0 ] && printf 'failed: %s\n' "${failures[@]}"
echo "$passed passed, $failed failed"
[ $failed -eq 0 ]
