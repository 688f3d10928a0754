"""The Strategy protocol and the base class for vectorized target-exposure strategies.

Required of every strategy: ``name``, ``params`` (a frozen ``StrategyParams``), ``pair``,
``prepare(bars)`` (precompute causal indicators over the history it is given) and
``on_bar(view) -> intents``. Strategies return intents; they never call a venue.

Optional: ``exposure(bars)``. A strategy that can say, vectorized, which base exposure it wants
at every bar (1.0 all in, 0.0 flat, NaN no opinion) lets the backtester visit only the bars where
that target changes. ``on_bar`` of such a strategy emits the very same intents bar by bar,
which is what live trading runs; a test checks both paths trade identically.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from typing import ClassVar, Protocol, runtime_checkable

import numpy as np
import numpy.typing as npt

from dexagent.core.bars import Bars
from dexagent.core.intents import Intent
from dexagent.core.market import MarketView
from dexagent.core.tokens import Pair
from dexagent.strategies.params import StrategyParams

F64 = npt.NDArray[np.float64]
NO_INTENTS: tuple[Intent, ...] = ()


@runtime_checkable
class Strategy(Protocol):
    name: ClassVar[str]
    params: StrategyParams
    pair: Pair

    def prepare(self, bars: Bars) -> None: ...

    def on_bar(self, view: MarketView) -> Sequence[Intent]: ...


class SignalStrategy:
    """Base for strategies defined by a causal target-exposure series.

    Subclasses set ``name`` and ``Params`` and implement ``exposure(bars)``.
    """

    name: ClassVar[str] = "signal"
    Params: ClassVar[type[StrategyParams]] = StrategyParams

    def __init__(self, pair: Pair, params: StrategyParams | None = None) -> None:
        self.pair = pair
        self.params = params if params is not None else self.Params()
        self._targets: F64 = np.empty(0)
        self._intents: dict[float, Intent] = {}

    def exposure(self, bars: Bars) -> F64:
        raise TypeError(f"{type(self).__name__} must implement exposure(bars)")

    def targets(self, bars: Bars) -> F64:
        """Exposure with runs of equal values collapsed: a number only where it changes."""
        x = np.asarray(self.exposure(bars), dtype=np.float64)
        return changes_only(x)

    def prepare(self, bars: Bars) -> None:
        self._targets = self.targets(bars)

    @property
    def prepared_targets(self) -> F64:
        """The target series computed by the last ``prepare`` (NaN where nothing changes)."""
        return self._targets

    def on_bar(self, view: MarketView) -> Sequence[Intent]:
        x = self._targets[view.t]
        if x != x:  # NaN: no change
            return NO_INTENTS
        return (self.intent_for(float(x)),)

    def intent_for(self, target: float) -> Intent:
        """The intent for a target exposure (intents are immutable, so they are reused)."""
        intent = self._intents.get(target)
        if intent is None:
            intent = self._intents[target] = Intent.target(
                self.pair, Decimal(repr(target)), self.name, f"target exposure {target:g}"
            )
        return intent


def changes_only(x: F64) -> F64:
    """Keep ``x[t]`` only where it differs from the last defined value; NaN elsewhere."""
    out = np.full(x.shape, np.nan)
    valid = np.flatnonzero(~np.isnan(x))
    if valid.size == 0:
        return out
    v = x[valid]
    keep = np.empty(v.shape, dtype=bool)
    keep[0] = True
    keep[1:] = v[1:] != v[:-1]
    out[valid[keep]] = v[keep]
    return out
