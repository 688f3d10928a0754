"""Built-in strategies by name (what configs and agents refer to)."""

from __future__ import annotations

from typing import Any, Protocol

from dexagent.core.errors import ConfigError
from dexagent.core.tokens import Pair
from dexagent.strategies.base import Strategy
from dexagent.strategies.breakout import DonchianBreakout
from dexagent.strategies.dca import Dca
from dexagent.strategies.grid import Grid
from dexagent.strategies.params import StrategyParams
from dexagent.strategies.rsi_reversion import RsiReversion
from dexagent.strategies.sma_cross import SmaCross


class StrategyClass(Protocol):
    name: str
    Params: type[StrategyParams]

    def __call__(self, pair: Pair, params: StrategyParams | None = None) -> Strategy: ...


BUILTINS: dict[str, Any] = {
    cls.name: cls for cls in (SmaCross, RsiReversion, DonchianBreakout, Dca, Grid)
}


def strategy_class(name: str) -> StrategyClass:
    try:
        cls: StrategyClass = BUILTINS[name]
    except KeyError:
        import difflib

        close = difflib.get_close_matches(name, BUILTINS, n=1)
        hint = f" Did you mean {close[0]!r}?" if close else ""
        raise ConfigError(
            f"unknown strategy {name!r}.{hint} Built-ins: {', '.join(sorted(BUILTINS))}"
        ) from None
    return cls


def build_strategy(name: str, pair: Pair, params: dict[str, Any] | None = None) -> Strategy:
    """Instantiate a built-in with validated parameters (unknown keys are errors)."""
    cls = strategy_class(name)
    p = cls.Params.parse(params or {}, where=f"strategy.params ({name})")
    return cls(pair, p)
