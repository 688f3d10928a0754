"""Whole-backtest metrics from a ``BacktestResult``.

Ratios come from the per-bar equity curve (floats, analytics only); money stays exact ``Decimal``
in quote: fees and gas are the result's totals, PnL of round trips is built from the fills.
Annualization uses ``result.periods_per_year``; the risk-free rate is 0. Anything undefined for the
run (one bar, a flat curve, no round trips, no losses) is ``None`` rather than NaN or infinity.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from decimal import Decimal, localcontext

import numpy as np
import numpy.typing as npt

from dexagent.backtests.metrics.drawdown import Drawdown, longest_underwater_bars, max_drawdown_info
from dexagent.backtests.metrics.returns import (
    annual_volatility,
    sharpe_ratio,
    sortino_ratio,
)
from dexagent.backtests.metrics.round_trips import build_round_trips
from dexagent.backtests.result import BacktestResult
from dexagent.core.tokens import PRECISION

#: Exposure at or below this (a fraction of equity) counts as flat: integer-rounding dust.
EXPOSED_ABOVE = 1e-9


@dataclass(frozen=True, slots=True)
class Metrics:
    bars: int
    start_ms: int
    end_ms: int
    periods_per_year: float
    starting_equity: Decimal
    final_equity: Decimal
    total_return: float | None  # final / starting - 1
    cagr: float | None
    annual_volatility: float | None
    sharpe: float | None
    sortino: float | None
    max_drawdown: float  # fraction <= 0; 0.0 when the curve never fell
    drawdown: Drawdown | None  # the deepest drawdown's peak, trough, recovery and duration
    longest_underwater_bars: int
    calmar: float | None
    fills: int
    round_trips: int
    wins: int
    losses: int
    win_rate: float | None  # wins / round trips
    gross_profit: Decimal  # sum of winning round trips' PnL, quote
    gross_loss: Decimal  # sum of losing round trips' |PnL|, quote
    realized_pnl: Decimal  # gross_profit - gross_loss
    profit_factor: Decimal | None  # gross_profit / gross_loss; None without a loss
    open_round_trip_fills: int
    unmatched_sells: int
    time_in_market: float | None  # fraction of bars with exposure > 0
    average_exposure: float | None  # mean of base value / equity over bars
    fees_paid: Decimal
    gas_paid: Decimal
    traded_notional: Decimal  # sum of the quote side of every fill
    turnover: float | None  # traded notional / average equity
    annual_turnover: float | None


def _finite(x: float) -> float | None:
    return x if math.isfinite(x) else None


def bar_returns(equity: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
    """Simple returns between consecutive bars; NaN where the previous equity is not positive."""
    eq = np.asarray(equity, dtype=np.float64)
    if eq.size < 2:
        return np.empty(0, dtype=np.float64)
    prev = eq[:-1]
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(prev > 0, eq[1:] / prev - 1.0, np.nan)


def compute_metrics(result: BacktestResult) -> Metrics:
    ppy = float(result.periods_per_year)
    equity = np.asarray(result.equity, dtype=np.float64)
    ts = np.asarray(result.timestamp_ms, dtype=np.int64)
    n = int(equity.size)
    returns = bar_returns(equity)
    moving = returns.size >= 2 and bool(np.nanstd(returns) > 0)

    total = _total_return(result.starting_equity, result.final_equity)
    cagr = _cagr(total, returns.size, ppy)
    dd = max_drawdown_info(equity, ts)
    depth = dd.depth if dd is not None else 0.0
    calmar = _finite(cagr / abs(depth)) if cagr is not None and depth < 0 else None

    trips = build_round_trips(result.fills, result.pair)
    pnls = [t.pnl for t in trips.closed]
    gross_profit = sum((p for p in pnls if p > 0), Decimal(0))
    gross_loss = -sum((p for p in pnls if p < 0), Decimal(0))
    wins = sum(1 for p in pnls if p > 0)
    losses = sum(1 for p in pnls if p < 0)
    with localcontext() as ctx:
        ctx.prec = 28
        profit_factor = gross_profit / gross_loss if gross_loss > 0 else None

    notional = sum((result.pair.quote.to_decimal(f.quote_amount) for f in result.fills), Decimal(0))
    mean_equity = float(np.mean(equity)) if n else math.nan
    turnover = _finite(float(notional) / mean_equity) if mean_equity > 0 else None
    years = returns.size / ppy if ppy > 0 else 0.0
    annual_turnover = turnover / years if turnover is not None and years > 0 else None
    exposure = np.asarray(result.exposure, dtype=np.float64)

    return Metrics(
        bars=n,
        start_ms=int(ts[0]) if n else 0,
        end_ms=int(ts[-1]) if n else 0,
        periods_per_year=ppy,
        starting_equity=result.starting_equity,
        final_equity=result.final_equity,
        total_return=total,
        cagr=cagr,
        annual_volatility=_finite(annual_volatility(returns, periods_per_year=ppy))
        if returns.size >= 2
        else None,
        sharpe=_finite(sharpe_ratio(returns, periods_per_year=ppy)) if moving else None,
        sortino=_finite(sortino_ratio(returns, periods_per_year=ppy)) if moving else None,
        max_drawdown=depth,
        drawdown=dd,
        longest_underwater_bars=longest_underwater_bars(equity),
        calmar=calmar,
        fills=len(result.fills),
        round_trips=len(trips.closed),
        wins=wins,
        losses=losses,
        win_rate=wins / len(pnls) if pnls else None,
        gross_profit=gross_profit,
        gross_loss=gross_loss,
        realized_pnl=gross_profit - gross_loss,
        profit_factor=profit_factor,
        open_round_trip_fills=trips.open_fills,
        unmatched_sells=trips.unmatched_sells,
        time_in_market=float(np.mean(exposure > EXPOSED_ABOVE)) if exposure.size else None,
        average_exposure=_finite(float(np.nanmean(exposure))) if exposure.size else None,
        fees_paid=result.fees_quote,
        gas_paid=result.gas_quote,
        traded_notional=notional,
        turnover=turnover,
        annual_turnover=annual_turnover,
    )


def _total_return(start: Decimal, end: Decimal) -> float | None:
    if start <= 0:
        return None
    with localcontext() as ctx:
        ctx.prec = PRECISION
        return float(end / start - 1)


def _cagr(total: float | None, periods: int, ppy: float) -> float | None:
    """empyrical's annual return: ``(1 + total) ** (ppy / periods) - 1``."""
    if total is None or periods < 1 or ppy <= 0 or total < -1:
        return None
    try:
        return _finite((1.0 + total) ** (ppy / periods) - 1.0)
    except OverflowError:
        return None
