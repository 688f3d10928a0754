"""compute_metrics on hand-made results with hand-computed expectations, and degenerate runs."""

from __future__ import annotations

import math
from decimal import Decimal

import numpy as np
import pytest

from dexagent.backtests.metrics import (
    compute_metrics,
    drawdown_series,
    longest_underwater_bars,
    max_drawdown_info,
)
from dexagent.backtests.result import BacktestResult
from tests.backtests.metrics.result_builders import buy, make_result, sell
from tests.support import HOUR

EQUITY = [1000.0, 1100.0, 1050.0, 990.0, 1200.0, 1150.0]
FILLS = [
    buy("1000", "1", bar=1, fee="3", gas="1"),
    sell("1", "1100", bar=2, gas="1"),  # +98
    buy("1100", "1", bar=3),
    buy("1200", "1", bar=4),
    sell("1.5", "1500", bar=4),
    sell("0.5", "550", bar=5),  # -250
]


def _hand_made() -> BacktestResult:
    return make_result(
        EQUITY, fills=FILLS, exposure=[0, 1, 1, 0, 0.5, 0], fees="3.25", gas="2.000001"
    )


def test_one_win_one_loss_gives_half_win_rate_and_exact_profit_factor() -> None:
    m = compute_metrics(_hand_made())
    assert (m.fills, m.round_trips, m.wins, m.losses) == (6, 2, 1, 1)
    assert m.win_rate == 0.5
    assert m.gross_profit == Decimal("98")
    assert m.gross_loss == Decimal("250")
    assert m.profit_factor == Decimal("0.392")
    assert m.realized_pnl == Decimal("-152")


def test_money_totals_come_from_the_result_exactly() -> None:
    m = compute_metrics(_hand_made())
    assert m.fees_paid == Decimal("3.25")
    assert m.gas_paid == Decimal("2.000001")
    assert m.traded_notional == Decimal("6450")
    assert (m.starting_equity, m.final_equity) == (Decimal("1000.0"), Decimal("1150.0"))


def test_ratios_use_bar_returns_and_periods_per_year() -> None:
    m = compute_metrics(_hand_made())
    r = np.diff(EQUITY) / np.asarray(EQUITY[:-1])
    assert m.total_return == pytest.approx(0.15)
    assert m.cagr == pytest.approx(1.15 ** (8760 / 5) - 1)
    assert m.annual_volatility == pytest.approx(r.std(ddof=1) * math.sqrt(8760))
    assert m.sharpe == pytest.approx(r.mean() / r.std(ddof=1) * math.sqrt(8760))
    downside = math.sqrt(np.mean(np.minimum(r, 0) ** 2)) * math.sqrt(8760)
    assert m.sortino == pytest.approx(r.mean() * 8760 / downside)
    assert m.max_drawdown == pytest.approx(990 / 1100 - 1)
    assert m.calmar == pytest.approx(m.cagr / (1 - 990 / 1100))  # type: ignore[operator]


def test_exposure_and_turnover() -> None:
    m = compute_metrics(_hand_made())
    assert m.time_in_market == pytest.approx(0.5)
    assert m.average_exposure == pytest.approx(2.5 / 6)
    turnover = 6450 / (sum(EQUITY) / 6)
    assert m.turnover == pytest.approx(turnover)
    assert m.annual_turnover == pytest.approx(turnover / (5 / 8760))


def test_max_drawdown_runs_from_last_peak_to_recovery() -> None:
    eq = np.array([100.0, 120, 120, 90, 60, 100, 125, 110, 126])
    ts = np.arange(eq.size, dtype=np.int64) * HOUR
    dd = max_drawdown_info(eq, ts)
    assert dd is not None
    assert dd.depth == pytest.approx(-0.5)
    assert (dd.peak_bar, dd.trough_bar, dd.recovery_bar) == (2, 4, 6)
    assert (dd.peak_ms, dd.trough_ms, dd.recovery_ms) == (2 * HOUR, 4 * HOUR, 6 * HOUR)
    assert (dd.duration_bars, dd.duration_ms) == (4, 4 * HOUR)
    assert dd.recovered
    assert longest_underwater_bars(eq) == 3


def test_unrecovered_drawdown_lasts_until_the_last_bar() -> None:
    eq = np.array([100.0, 90, 95, 80, 85])
    dd = max_drawdown_info(eq, np.arange(5, dtype=np.int64) * 1000)
    assert dd is not None
    assert (dd.peak_bar, dd.trough_bar, dd.recovery_bar) == (0, 3, None)
    assert not dd.recovered
    assert (dd.duration_bars, dd.duration_ms) == (4, 4000)
    assert longest_underwater_bars(eq) == 4
    np.testing.assert_allclose(drawdown_series(eq), [0, -0.1, -0.05, -0.2, -0.15])


@pytest.mark.parametrize(
    "equity",
    [[1000.0], [1000.0] * 50, [1000.0, 1000.0]],
    ids=["one-bar", "flat", "two-flat-bars"],
)
def test_degenerate_runs_give_none_instead_of_nan(equity: list[float]) -> None:
    m = compute_metrics(make_result(equity))
    assert m.total_return == 0.0
    assert m.sharpe is None and m.sortino is None and m.calmar is None
    assert m.win_rate is None and m.profit_factor is None
    assert m.max_drawdown == 0.0 and m.drawdown is None
    assert m.round_trips == 0 and m.turnover == 0.0
    for value in (m.cagr, m.annual_volatility, m.time_in_market, m.average_exposure):
        assert value is None or math.isfinite(value)


def test_only_winning_round_trips_leave_profit_factor_undefined() -> None:
    fills = [buy("1000", "1", bar=1), sell("1", "1100", bar=2)]
    m = compute_metrics(make_result([1000.0, 1000.0, 1100.0], fills=fills))
    assert m.win_rate == 1.0
    assert m.gross_loss == 0
    assert m.profit_factor is None


def test_equity_wiped_out_does_not_explode() -> None:
    m = compute_metrics(make_result([1000.0, 500.0, 0.0, 0.0]))
    assert m.total_return == -1.0
    assert m.cagr == -1.0
    assert m.max_drawdown == -1.0
