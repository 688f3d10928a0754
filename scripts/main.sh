#!/usr/bin/env bash
# The main job: set up if needed, then backtest the default strategy on the bundled real
# Binance ETH/USDT 5-minute candles of 2023 and write the report under runs/latest/.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
.venv/bin/dexagent backtest "$@"
