"""Backtesting: data, the engine over the one kernel, metrics, reports."""

from dexagent.backtests.config import BacktestConfig, load_config
from dexagent.backtests.result import BacktestResult
from dexagent.backtests.runner import load_market, run_backtest, run_backtest_async

__all__ = [
    "BacktestConfig",
    "BacktestResult",
    "load_config",
    "load_market",
    "run_backtest",
    "run_backtest_async",
]
