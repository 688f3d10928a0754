"""dexagent: policy-bounded trading agents on DEXs, one kernel for backtest and live, every
decision in a tamper-evident log anchored on chain.

The curated entry points; everything else lives in its package (see README's layout table).
"""

from dexagent.backtests import BacktestConfig, BacktestResult, load_config, run_backtest
from dexagent.core import (
    Bars,
    ConfigError,
    DexAgentError,
    Fill,
    Intent,
    Kernel,
    MarketView,
    Order,
    Pair,
    Side,
    Token,
)
from dexagent.strategies import SignalStrategy, Strategy, StrategyParams, build_strategy

__version__ = "0.1.0"

__all__ = [
    "BacktestConfig",
    "BacktestResult",
    "Bars",
    "ConfigError",
    "DexAgentError",
    "Fill",
    "Intent",
    "Kernel",
    "MarketView",
    "Order",
    "Pair",
    "Side",
    "SignalStrategy",
    "Strategy",
    "StrategyParams",
    "Token",
    "__version__",
    "build_strategy",
    "load_config",
    "run_backtest",
]
