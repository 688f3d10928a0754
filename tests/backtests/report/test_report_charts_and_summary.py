"""Downsampling keeps spikes, markers are capped with a note, the terminal table is aligned."""

from __future__ import annotations

import numpy as np

from dexagent.backtests.metrics import compute_metrics
from dexagent.backtests.report import charts, format_summary
from dexagent.backtests.report.downsample import minmax_indices, spread_indices
from tests.backtests.metrics.result_builders import buy, make_result, sell


def test_downsampling_keeps_a_one_bar_spike_and_both_ends() -> None:
    y = np.cumsum(np.random.default_rng(1).normal(0, 1, 104_816))
    y[70_001] += 500.0
    y[30_000] -= 500.0
    idx = minmax_indices(y, 2000)
    assert len(idx) <= 2002
    assert {0, 30_000, 70_001, 104_815} <= set(idx.tolist())
    assert np.all(np.diff(idx) > 0)


def test_short_series_are_not_downsampled() -> None:
    assert minmax_indices(np.arange(10.0), 4000).tolist() == list(range(10))
    assert spread_indices(3, 10).tolist() == [0, 1, 2]
    assert len(spread_indices(10_000, 5000)) == 5000


def test_price_chart_states_when_trade_markers_are_capped(monkeypatch: object) -> None:
    fills = [buy("1000", "1", bar=i) if i % 2 == 0 else sell("1", "1000", bar=i) for i in range(60)]
    ts = np.arange(60, dtype=np.int64) * 3_600_000
    close = np.full(60, 1000.0)
    setattr(charts, "MAX_MARKERS", 25)  # noqa: B010
    try:
        svg = charts.price_svg(ts, close, fills, "WETH/USDT")
    finally:
        setattr(charts, "MAX_MARKERS", 5000)  # noqa: B010
    assert "showing 25 of 60 fills" in svg
    full = charts.price_svg(ts, close, fills, "WETH/USDT")
    assert "showing" not in full and "buy (30)" in full


def test_summary_is_an_aligned_table_with_exact_money_and_na() -> None:
    fills = [buy("1000", "1", bar=1, gas="0.5"), sell("1", "1100", bar=2, gas="0.5")]
    result = make_result([1000.0, 1000.0, 1099.0], fills=fills, fees="3.3", gas="0.000123")
    text = format_summary(compute_metrics(result))
    lines = text.splitlines()
    col = lines[0].index("1970")  # values start in one column
    assert all(len(line) > col and line[col - 2 : col] == "  " for line in lines)
    values = dict((line[:col].strip(), line[col:]) for line in lines)
    assert values["Fees paid"] == "3.30"
    assert values["Gas paid"] == "0.000123"
    assert values["Realized PnL"] == "99.00"
    assert values["Profit factor"] == "n/a"
    assert values["Win rate"] == "100.00%"
    assert values["Round trips"] == "1 (1 won, 0 lost)"


def test_outcomes_list_denials_by_rule_and_rejections() -> None:
    from decimal import Decimal

    from dexagent.backtests.report import format_outcomes
    from dexagent.core.intents import Intent, Order, Side
    from dexagent.core.kernel import Denial, Rejection
    from dexagent.core.policy_gate import PolicyDecision, Verdict
    from tests.backtests.report.synthetic_result import synthetic_result

    result = synthetic_result(n_bars=2_000, n_trips=5)
    intent = Intent.buy_quote(result.pair, 10**6)
    order = Order("a-1", intent, Side.BUY, 10**6, Decimal(1), 10**6, 0, 0)
    result.denials.append(
        Denial(order, PolicyDecision(False, (Verdict("limits.max_notional", False, "too big"),)))
    )
    result.rejections.append(Rejection(order, "insufficient ETH for gas: need 5, have 1"))
    text = format_outcomes(result)
    assert "Denied by policy     1" in text and "limits.max_notional" in text
    assert "Rejected by venue    1" in text and "insufficient ETH for gas" in text
    assert "Buy & hold" in text
