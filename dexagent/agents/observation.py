"""What a decision maker sees at time t: recent bars, the account, what it may choose, and notes.

Point in time: an observation built at bar t holds only data stamped <= t, and says so by
raising ``LookaheadError`` when built otherwise. ``frozen_copy`` is the deep copy the guard
hands to untrusted code, so nothing a decision maker does can reach the engine's own state.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from types import MappingProxyType

import numpy as np

from dexagent.agents.decision import ParamValue
from dexagent.core.bars import Bars
from dexagent.core.errors import FatalError
from dexagent.core.market import MarketView
from dexagent.core.tokens import Pair

Bounds = Mapping[str, Mapping[str, Mapping[str, ParamValue]]]  # strategy -> param -> bound
_NO_PARAMS: Mapping[str, ParamValue] = MappingProxyType({})


class LookaheadError(FatalError):
    """An observation would contain data stamped after its own time."""


@dataclass(frozen=True, slots=True)
class PastDecision:
    """An earlier decision and how the account did since (``outcome_pct``: equity change)."""

    t_ms: int
    action: str
    strategy: str
    params: Mapping[str, ParamValue] = field(default_factory=lambda: _NO_PARAMS)
    capital_fraction: Decimal = Decimal(0)
    rationale: str = ""
    reason: str = ""  # the guard's outcome: "accepted", "timeout: ...", "out_of_schema: ..."
    outcome_pct: Decimal | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "params", MappingProxyType(dict(self.params)))


@dataclass(frozen=True, slots=True)
class Observation:
    t_ms: int
    bar: int
    pair: Pair
    bars: Bars  # the last bars up to and including bar t
    price: Decimal
    balances: Mapping[str, int]  # base units
    equity_quote: Decimal  # pair equity in quote units
    allowlist: Bounds
    limits: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))
    recent: tuple[PastDecision, ...] = ()
    notes: tuple[str, ...] = ()  # untrusted text (token symbols, news): data, never instructions

    def __post_init__(self) -> None:
        check_point_in_time(self)

    def frozen_copy(self) -> Observation:
        """A deep, read-only copy: fresh arrays, fresh mappings."""
        return Observation(
            t_ms=self.t_ms,
            bar=self.bar,
            pair=self.pair,
            bars=_copy_bars(self.bars),
            price=self.price,
            balances=MappingProxyType(dict(self.balances)),
            equity_quote=self.equity_quote,
            allowlist=freeze_bounds(self.allowlist),
            limits=MappingProxyType({str(k): str(v) for k, v in self.limits.items()}),
            recent=tuple(self.recent),
            notes=tuple(str(n) for n in self.notes),
        )


def check_point_in_time(obs: Observation) -> None:
    ts = obs.bars.timestamp_ms
    if ts.shape[0] and int(ts.max()) > obs.t_ms:
        late = int(ts[np.argmax(ts > obs.t_ms)])
        raise LookaheadError(
            f"observation at t={obs.t_ms} holds a bar stamped {late} (after t): look-ahead"
        )
    for d in obs.recent:
        if d.t_ms > obs.t_ms:
            raise LookaheadError(
                f"observation at t={obs.t_ms} holds a decision stamped {d.t_ms} (after t)"
            )


def freeze_bounds(b: Bounds) -> Bounds:
    return MappingProxyType(
        {
            s: MappingProxyType({p: MappingProxyType(dict(v)) for p, v in params.items()})
            for s, params in b.items()
        }
    )


def _copy_bars(b: Bars) -> Bars:
    return Bars(
        b.timestamp_ms.copy(),
        b.open.copy(),
        b.high.copy(),
        b.low.copy(),
        b.close.copy(),
        b.volume.copy(),
        b.symbol,
        b.timeframe_ms,
    ).readonly()


def pair_equity(pair: Pair, balances: Mapping[str, int], price: Decimal) -> Decimal:
    base = pair.base.to_decimal(balances.get(pair.base.symbol, 0))
    quote = pair.quote.to_decimal(balances.get(pair.quote.symbol, 0))
    return (quote + base * price).quantize(Decimal(1).scaleb(-pair.quote.decimals))


def build_observation(
    view: MarketView,
    *,
    window: int,
    allowlist: Bounds,
    limits: Mapping[str, str] | None = None,
    recent: Sequence[PastDecision] = (),
    notes: Sequence[str] = (),
) -> Observation:
    """The observation at ``view.t``: the last ``window`` bars of ``view.history()``."""
    hist = view.history()
    n = len(hist)
    bars = hist.slice(max(0, n - window), n)
    price = view.price
    balances = MappingProxyType(dict(view.balances))
    return Observation(
        t_ms=view.timestamp_ms,
        bar=view.t,
        pair=view.pair,
        bars=bars,
        price=price,
        balances=balances,
        equity_quote=pair_equity(view.pair, balances, price),
        allowlist=allowlist,
        limits=MappingProxyType(dict(limits or {})),
        recent=tuple(recent),
        notes=tuple(notes),
    )
