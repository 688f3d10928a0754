"""Performance metrics: empyrical-compatible return statistics and whole-backtest metrics."""

from dexagent.backtests.metrics.aggregate import aggregate_returns
from dexagent.backtests.metrics.backtest import Metrics, bar_returns, compute_metrics
from dexagent.backtests.metrics.drawdown import (
    Drawdown,
    drawdown_series,
    longest_underwater_bars,
    max_drawdown_info,
)
from dexagent.backtests.metrics.returns import (
    DAILY,
    annual_return,
    annual_volatility,
    cagr,
    calmar_ratio,
    cum_returns,
    cum_returns_final,
    downside_risk,
    max_drawdown,
    omega_ratio,
    sharpe_ratio,
    sortino_ratio,
    stability_of_timeseries,
    tail_ratio,
)
from dexagent.backtests.metrics.round_trips import RoundTrip, RoundTrips, build_round_trips

__all__ = [
    "DAILY",
    "Drawdown",
    "Metrics",
    "RoundTrip",
    "RoundTrips",
    "aggregate_returns",
    "annual_return",
    "annual_volatility",
    "bar_returns",
    "build_round_trips",
    "cagr",
    "calmar_ratio",
    "compute_metrics",
    "cum_returns",
    "cum_returns_final",
    "downside_risk",
    "drawdown_series",
    "longest_underwater_bars",
    "max_drawdown",
    "max_drawdown_info",
    "omega_ratio",
    "sharpe_ratio",
    "sortino_ratio",
    "stability_of_timeseries",
    "tail_ratio",
]
