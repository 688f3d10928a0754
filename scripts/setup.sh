#!/usr/bin/env bash
# Set up everything dexagent needs on a fresh machine; quick and silent when already done.
#   - Node side: the anvil binary, Uniswap artifacts and solc-js, exactly as package-lock.json says
#   - Python side: .venv with exactly the versions in requirements.lock, dexagent installed editable
# Idempotent: each half is skipped while its lock file is unchanged since the last success.
set -euo pipefail
cd "$(dirname "$0")/.."

need() { command -v "$1" >/dev/null 2>&1 || { echo "setup: '$1' is required ($2)" >&2; exit 1; }; }
need python3 "Python >= 3.11"
need node "Node.js >= 18 for the local chain tooling"
need npm "npm, to install the anvil binary and Uniswap artifacts"

python3 - <<'PY' || { echo "setup: Python >= 3.11 is required" >&2; exit 1; }
import sys; sys.exit(0 if sys.version_info >= (3, 11) else 1)
PY

stamp_of() { cat "$@" | sha256sum | cut -c1-16; }

# Node side
node_stamp=$(stamp_of package.json package-lock.json)
if [ "$(cat node_modules/.dexagent-stamp 2>/dev/null)" != "$node_stamp" ]; then
  echo "setup: installing node packages (npm ci)…"
  npm ci --no-audit --no-fund --loglevel=error
  echo "$node_stamp" > node_modules/.dexagent-stamp
fi
test -x node_modules/@foundry-rs/anvil-linux-amd64/bin/anvil \
  || { echo "setup: the anvil binary is missing after npm ci" >&2; exit 1; }

# Python side
py_stamp=$(stamp_of requirements.lock pyproject.toml)
if [ ! -x .venv/bin/python ] || [ "$(cat .venv/.dexagent-stamp 2>/dev/null)" != "$py_stamp" ]; then
  echo "setup: installing Python packages into .venv (first time: about a minute)…"
  [ -x .venv/bin/python ] || python3 -m venv .venv
  log=.venv/setup.log
  if ! {
    .venv/bin/python -m pip install -q --disable-pip-version-check --upgrade pip &&
    .venv/bin/python -m pip install -q --disable-pip-version-check -r requirements.lock &&
    .venv/bin/python -m pip install -q --disable-pip-version-check --no-deps -e .
  } >"$log" 2>&1; then
    grep -v "is ignored: it is neither a file nor a directory" "$log" | tail -40 >&2
    echo "setup: pip install failed; full log in $log" >&2
    exit 1
  fi
  echo "$py_stamp" > .venv/.dexagent-stamp
fi
