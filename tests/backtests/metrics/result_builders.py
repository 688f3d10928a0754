"""Hand-made fills and backtest results for metric and report tests (no engine involved)."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from typing import Any

import numpy as np

from dexagent.backtests.result import BacktestResult
from dexagent.core.intents import Fill, Side
from dexagent.core.tokens import Pair
from tests.support import HOUR, PAIR

WEI = 10**18
USD = 10**6


def buy(
    quote: str, base: str, *, bar: int, fee: str = "0", gas: str = "0", pair: Pair = PAIR
) -> Fill:
    """A BUY paying ``quote`` USDT (fee included) for ``base`` WETH; gas booked in USDT."""
    pair = PAIR
    q, b = pair.quote.to_raw(quote), pair.base.to_raw(base)
    return Fill(
        f"o{bar}b",
        pair,
        Side.BUY,
        q,
        b,
        pair.quote.to_raw(fee),
        pair.price_of(b, q),
        pair.price_of(b, q),
        gas_native=0,
        gas_quote=pair.quote.to_raw(gas),
        timestamp_ms=bar * HOUR,
        bar=bar,
        venue="sim",
    )


def sell(
    base: str, quote: str, *, bar: int, fee: str = "0", gas: str = "0", pair: Pair = PAIR
) -> Fill:
    """A SELL of ``base`` WETH (fee included) receiving ``quote`` USDT; gas booked in USDT."""
    pair = PAIR
    q, b = pair.quote.to_raw(quote), pair.base.to_raw(base)
    return Fill(
        f"o{bar}s",
        pair,
        Side.SELL,
        b,
        q,
        pair.base.to_raw(fee),
        pair.price_of(b, q),
        pair.price_of(b, q),
        gas_native=7 * 10**14,
        gas_quote=pair.quote.to_raw(gas),
        timestamp_ms=bar * HOUR,
        bar=bar,
        venue="sim",
    )


def make_result(
    equity: Sequence[float],
    *,
    fills: Sequence[Fill] = (),
    exposure: Sequence[float] | None = None,
    close: Sequence[float] | None = None,
    periods_per_year: float = 8760.0,
    fees: str = "0",
    gas: str = "0",
    **extra: Any,
) -> BacktestResult:
    eq = np.asarray(equity, dtype=np.float64)
    n = eq.size
    return BacktestResult(
        pair=PAIR,
        timestamp_ms=np.arange(n, dtype=np.int64) * HOUR,
        close=np.asarray(close if close is not None else np.full(n, 1000.0), dtype=np.float64),
        equity=eq,
        exposure=np.asarray(exposure if exposure is not None else np.zeros(n), dtype=np.float64),
        fills=list(fills),
        denials=extra.pop("denials", []),
        rejections=extra.pop("rejections", []),
        starting_equity=Decimal(repr(float(eq[0]))) if n else Decimal(0),
        final_equity=Decimal(repr(float(eq[-1]))) if n else Decimal(0),
        fees_quote=Decimal(fees),
        gas_quote=Decimal(gas),
        periods_per_year=periods_per_year,
        strategy=extra.pop("strategy", "hand_made"),
        params=extra.pop("params", {"window": 3}),
        venue="sim",
        fill_at="next_open",
    )
