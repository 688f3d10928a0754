"""The backtest engine: drives the one kernel over history with a simulated clock and venue.

Two ways through the same kernel, chosen per strategy:

- *event-driven by change*: a strategy with ``targets(bars)`` (vectorized, causal) is visited only
  at bars where its target changes; nothing else happens in between, so nothing is skipped;
- *bar by bar*: any other strategy (DCA, grid, an agent) has ``on_bar`` called on every bar.

Either way each intent goes through ``Kernel.decide`` (sizing, the policy hook, the audit hook)
at bar t's close, and the approved orders fill at bar t+1's open (``fill_at="next_open"``, the
default) or at bar t's close (``fill_at="close"``) — never earlier.
"""

from __future__ import annotations

import gc
import sys
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from decimal import Decimal
from typing import Literal, Protocol, runtime_checkable

import numpy as np
import numpy.typing as npt

from dexagent.connectors.simulated.base import SimulatedVenue
from dexagent.core.bars import Bars
from dexagent.core.intents import Fill, Intent, Side
from dexagent.core.kernel import Kernel
from dexagent.core.market import MarketView
from dexagent.core.tokens import Pair, Token, price_decimal
from dexagent.strategies.base import SignalStrategy, Strategy

FillAt = Literal["next_open", "close"]
MS_PER_YEAR = 365 * 24 * 3600 * 1000


@dataclass(frozen=True, slots=True)
class NativePricing:
    """How gas (paid in ``token``) is valued: the pair's own price series, or a constant."""

    token: Token
    constant: Decimal | None = None  # None: the native token is priced like the pair's base

    def series(self, bars: Bars) -> npt.NDArray[np.float64]:
        if self.constant is None:
            return bars.close
        return np.full(len(bars), float(self.constant))


ProgressFn = Callable[[int], None]


@runtime_checkable
class Deliberating(Protocol):
    """A strategy with an asynchronous decision step — an agent choosing what to run.

    On every bar where ``due(view)`` is true the engine awaits ``deliberate(view)`` first, then
    calls ``on_bar(view)`` as for any strategy. Both see only bars up to ``view.t``.
    """

    def due(self, view: MarketView) -> bool: ...

    async def deliberate(self, view: MarketView) -> None: ...


# Optional on a Deliberating strategy: ``next_event(t) -> int``, the first bar after ``t`` at
# which ``due`` or ``on_bar`` can act (``len(bars)`` if none); the engine then skips the bars in
# between. tests/agents checks that skipping gives the same intents as visiting every bar.


@dataclass(slots=True)
class EngineRun:
    """What the engine hands to the result builder."""

    bars: Bars
    fills: list[Fill]
    fill_bars: list[int]  # bar whose close first shows each fill's balances


async def run_kernel_over_bars(
    bars: Bars,
    strategy: Strategy,
    kernel: Kernel,
    venue: SimulatedVenue,
    *,
    fill_at: FillAt = "next_open",
    native: NativePricing | None = None,
    progress: ProgressFn | None = None,
) -> EngineRun:
    """Run ``strategy`` through ``kernel`` over ``bars``; returns every fill with its bar."""
    if fill_at not in ("next_open", "close"):
        from dexagent.core.errors import ConfigError

        raise ConfigError(f"fill_at must be 'next_open' or 'close', got {fill_at!r}")
    with _gc_paused():
        return await _run(bars, strategy, kernel, venue, fill_at, native, progress)


@contextmanager
def _gc_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector during a run.

    A run allocates tens of thousands of small acyclic objects (orders, fills, audit events);
    reference counting frees them, but each full collection walks all of them again, which
    measured as ~40% of a 1M-bar run. Cycles, if any, are collected after the run.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


async def _run(
    bars: Bars,
    strategy: Strategy,
    kernel: Kernel,
    venue: SimulatedVenue,
    fill_at: FillAt,
    native: NativePricing | None,
    progress: ProgressFn | None,
) -> EngineRun:
    ro = bars.readonly()
    strategy.prepare(ro)
    native_px = native.series(bars) if native is not None else None
    stepper = _Stepper(bars, kernel, venue, fill_at, native_px)
    stepper.kernel_pair = strategy.pair
    if isinstance(strategy, SignalStrategy):
        t_arr = strategy.prepared_targets
        for t in np.flatnonzero(~np.isnan(t_arr)).tolist():
            await stepper.decide_and_fill(t, (strategy.intent_for(float(t_arr[t])),))
            if progress is not None:
                progress(t)
    else:
        view = MarketView(bars, strategy.pair, kernel.portfolio.view)
        on_bar = strategy.on_bar
        due = deliberate = None
        if isinstance(strategy, Deliberating):
            due, deliberate = strategy.due, strategy.deliberate
            next_event = getattr(strategy, "next_event", None)
            if callable(next_event):  # an agent that can say when it may act next
                n, t = len(bars), 0
                while t < n:
                    view.t = t
                    if due(view):
                        await deliberate(view)
                    intents = on_bar(view)
                    if intents:
                        await stepper.decide_and_fill(t, intents)
                    t = int(next_event(t))
                if progress is not None:
                    progress(n - 1)
                return EngineRun(bars, kernel.log.fills, stepper.fill_bars)
        chunk = 1 << 16
        for start in range(0, len(bars), chunk):
            for t in range(start, min(start + chunk, len(bars))):
                view.t = t
                if due is not None and deliberate is not None and due(view):
                    await deliberate(view)
                intents = on_bar(view)
                if intents:
                    await stepper.decide_and_fill(t, intents)
            if progress is not None:
                progress(min(start + chunk, len(bars)) - 1)
    return EngineRun(bars, kernel.log.fills, stepper.fill_bars)


class _Stepper:
    """Decides at bar t's close and fills at t+1's open or t's close."""

    def __init__(
        self,
        bars: Bars,
        kernel: Kernel,
        venue: SimulatedVenue,
        fill_at: FillAt,
        native_px: npt.NDArray[np.float64] | None,
    ) -> None:
        self.kernel = kernel
        self.kernel_pair: Pair | None = None
        self.venue = venue
        self.next_open = fill_at == "next_open"
        self.close = bars.close
        self.open = bars.open
        self.ts = bars.timestamp_ms
        self.n = len(bars)
        self.native_px = native_px
        self.fill_bars: list[int] = []
        self.quote_at_decision = bool(getattr(kernel.policy, "needs_quote", False))
        mark = getattr(kernel.policy, "mark", None)
        self.mark: Callable[[int, int, str], object] | None = mark if callable(mark) else None
        self.last_marked = -1

    def _mark_since_last(self, t: int) -> None:
        """Tell the policy the equity path since its last look: the peak and the trough of
        bars (last, t], in time order, then bar t — balances were constant in between, so
        these are exact (a drawdown limit can trip between two decisions, as it would live)."""
        assert self.mark is not None
        lo = self.last_marked + 1
        self.last_marked = t
        pair = self.kernel_pair
        if pair is None:
            return
        bars: list[int] = [t]
        if t > lo and self.kernel.portfolio.balance(pair.base.symbol) > 0:
            seg = self.close[lo:t]
            bars = sorted({lo + int(np.argmax(seg)), lo + int(np.argmin(seg)), t})
        for b in bars:
            eq = self.kernel.portfolio.pair_equity_quote(pair, price_decimal(self.close[b]))
            self.mark(int(self.ts[b]), eq, pair.symbol)

    def _set_market(self, bar: int, px: float) -> int:
        npx = price_decimal(self.native_px[bar]) if self.native_px is not None else Decimal(0)
        t_ms = int(self.ts[bar])
        self.venue.set_market(price=price_decimal(px), t_ms=t_ms, bar=bar, native_price=npx)
        return t_ms

    async def decide_and_fill(self, t: int, intents: Sequence[Intent]) -> None:
        t_ms = int(self.ts[t])
        if self.mark is not None:
            self._mark_since_last(t)
        if self.quote_at_decision:  # the policy prices the order against the decision bar
            self._set_market(t, self.close[t])
        orders = await self.kernel.decide(
            intents, price=price_decimal(self.close[t]), t_ms=t_ms, bar=t
        )
        if not orders:
            return
        if self.next_open:
            fb = t + 1
            if fb >= self.n:
                return  # decided on the last bar: there is no next open to fill at
            px = self.open[fb]
        else:
            fb = t
            px = self.close[fb]
        fill_ms = self._set_market(fb, px)
        for order in orders:
            fill = await self.kernel.execute(order, t_ms=fill_ms)
            if fill is not None:
                self.fill_bars.append(fb)


def balance_paths(
    run: EngineRun,
    pair: Pair,
    start: dict[str, int],
    native: Token | None,
) -> dict[str, npt.NDArray[np.float64]]:
    """Per-bar balances (human units, float for analytics) as of each bar's close."""
    symbols = {pair.base.symbol: pair.base, pair.quote.symbol: pair.quote}
    if native is not None:
        symbols.setdefault(native.symbol, native)
    native_symbol = native.symbol if native is not None else None
    n = len(run.bars)
    fb = np.asarray(run.fill_bars, dtype=np.int64)
    idx = np.searchsorted(fb, np.arange(n), side="right")  # fills booked by bar i's close
    out: dict[str, npt.NDArray[np.float64]] = {}
    for sym, token in symbols.items():
        decimals = token.decimals
        bal = start.get(sym, 0)
        snaps = [bal]
        for f in run.fills:
            tin, tout = (pair.quote, pair.base) if f.side is Side.BUY else (pair.base, pair.quote)
            if tin.symbol == sym:
                bal -= f.amount_in
            if tout.symbol == sym:
                bal += f.amount_out
            if sym == native_symbol:
                bal -= f.gas_native
            snaps.append(bal)
        arr = np.asarray([s / 10**decimals for s in snaps], dtype=np.float64)
        out[sym] = arr[idx]
    return out


def stderr_progress(total: int, label: str = "backtest") -> tuple[ProgressFn, Callable[[], None]]:
    """A tqdm progress bar on stderr when it is a terminal and the run is long."""
    if total < 200_000 or not sys.stderr.isatty():
        return (lambda _t: None), (lambda: None)
    from tqdm import tqdm

    bar = tqdm(total=total, desc=label, unit="bar", unit_scale=True, leave=False)
    state = {"last": 0}

    def update(t: int) -> None:
        bar.update(t + 1 - state["last"])
        state["last"] = t + 1

    return update, bar.close
