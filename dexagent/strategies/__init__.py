"""Strategies return intents; they never touch a venue. See ``base.py`` for the protocol."""

from dexagent.strategies.base import SignalStrategy, Strategy
from dexagent.strategies.breakout import DonchianBreakout
from dexagent.strategies.dca import Dca
from dexagent.strategies.grid import Grid
from dexagent.strategies.params import StrategyParams
from dexagent.strategies.registry import BUILTINS, build_strategy, strategy_class
from dexagent.strategies.rsi_reversion import RsiReversion
from dexagent.strategies.sma_cross import SmaCross

__all__ = [
    "BUILTINS",
    "Dca",
    "DonchianBreakout",
    "Grid",
    "RsiReversion",
    "SignalStrategy",
    "SmaCross",
    "Strategy",
    "StrategyParams",
    "build_strategy",
    "strategy_class",
]
