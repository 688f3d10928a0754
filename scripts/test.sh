#!/usr/bin/env bash
# Set up if needed, then lint (ruff), type-check (mypy --strict on the package) and test.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
if [ -f scripts/ensure_postgres.sh ]; then bash scripts/ensure_postgres.sh; fi
echo "== ruff"; .venv/bin/ruff check dexagent tests benchmarks examples
echo "== mypy (strict)"; .venv/bin/mypy
echo "== pytest"; .venv/bin/pytest "$@"
