#!/usr/bin/env bash
# The main job: set up if needed, then run the whole product on this machine —
#   a backtest on the bundled real Binance ETH/USDT candles (report under runs/latest/backtest/),
#   a live agent trading real Uniswap V2 bytecode on a local anvil chain while real hourly prices
#   are replayed into the pool, its audit log anchored on chain and verified against it, and the
#   backtest/live parity of its decisions (runs/latest/parity.json).
# Arguments go to `dexagent demo` (e.g. --bars 480 --start 2023-06-01).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
.venv/bin/dexagent demo "$@"
