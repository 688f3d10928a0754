"""write_report: report.json, trades.csv and a self-contained report.html."""

from __future__ import annotations

import csv
import json
import re
from decimal import Decimal
from pathlib import Path

import pytest

from dexagent.backtests.metrics import compute_metrics
from dexagent.backtests.report import write_report
from dexagent.backtests.result import BacktestResult
from dexagent.core.intents import Intent, Order, Side
from dexagent.core.kernel import Denial, Rejection
from dexagent.core.policy_gate import PolicyDecision, Verdict
from tests.backtests.metrics.result_builders import make_result
from tests.backtests.report.synthetic_result import synthetic_result
from tests.support import PAIR


@pytest.fixture(scope="module")
def synthetic() -> BacktestResult:
    return synthetic_result(n_bars=20_000, n_trips=40)


def _order(i: int) -> Order:
    intent = Intent.buy_quote(PAIR, 1000 * 10**6)
    return Order(f"o{i}", intent, Side.BUY, 1000 * 10**6, Decimal("1000"), 1000 * 10**6, 0, i)


def _denial(i: int, *rules: str) -> Denial:
    verdicts = (*(Verdict(r, False, "too big") for r in rules), Verdict("ok", True))
    return Denial(_order(i), PolicyDecision(False, verdicts, "h"))


def test_report_json_round_trips_exact_money_and_config(
    synthetic: BacktestResult, tmp_path: Path
) -> None:
    m = compute_metrics(synthetic)
    paths = write_report(synthetic, m, tmp_path / "out")
    data = json.loads(paths.json.read_text())
    got = data["metrics"]
    assert Decimal(got["fees_paid"]) == synthetic.fees_quote
    assert Decimal(got["gas_paid"]) == synthetic.gas_quote
    assert Decimal(got["final_equity"]) == synthetic.final_equity
    assert Decimal(got["realized_pnl"]) == m.realized_pnl
    assert got["round_trips"] == 40 and got["fills"] == 80
    assert got["sharpe"] == pytest.approx(m.sharpe)
    assert got["drawdown"]["peak"].endswith("Z")
    cfg = data["config"]
    assert (cfg["strategy"], cfg["venue"], cfg["fill_at"]) == (
        "random_entries",
        "uniswap_v2_sim",
        "next_open",
    )
    assert cfg["pair"]["symbol"] == "WETH/USDT" and cfg["params"]["trips"] == 40


def test_trades_csv_has_one_exact_row_per_fill(synthetic: BacktestResult, tmp_path: Path) -> None:
    paths = write_report(synthetic, compute_metrics(synthetic), tmp_path)
    with paths.trades_csv.open() as fh:
        rows = list(csv.DictReader(fh))
    assert len(rows) == len(synthetic.fills)
    for row, fill in zip(rows, synthetic.fills, strict=True):
        t_in = PAIR.quote if fill.side is Side.BUY else PAIR.base
        t_out = PAIR.base if fill.side is Side.BUY else PAIR.quote
        assert t_in.to_raw(row["amount_in"]) == fill.amount_in
        assert t_out.to_raw(row["amount_out"]) == fill.amount_out
        assert t_in.to_raw(row["fee"]) == fill.fee_in
        assert PAIR.quote.to_raw(row["gas_quote"]) == fill.gas_quote
        assert int(row["gas_native_wei"]) == fill.gas_native
        assert Decimal(row["price"]) == fill.price
        assert row["side"] == fill.side.value and row["order_id"] == fill.client_order_id
        assert row["time_utc"].startswith("2023-") and row["time_utc"].endswith("Z")
        assert "E" not in row["amount_in"] + row["amount_out"]


def test_html_is_self_contained_with_charts_and_escaped_text(
    synthetic: BacktestResult, tmp_path: Path
) -> None:
    html = write_report(synthetic, compute_metrics(synthetic), tmp_path).html.read_text()
    assert "http://" not in html and "https://" not in html
    assert not re.search(r"""(src|href)\s*=\s*["'](?!#)""", html)
    assert html.count("<svg") == 3
    assert "<script" not in html  # the strategy param holding a script tag is escaped
    assert "&lt;script&gt;" in html
    assert "random_entries on WETH/USDT" in html
    assert "Max drawdown" in html and "Profit factor" in html


def test_denials_and_rejections_are_counted_by_reason(tmp_path: Path) -> None:
    result = make_result(
        [1000.0, 1001.0, 1002.0],
        denials=[_denial(1, "max_notional"), _denial(2, "max_notional", "cooldown")],
        rejections=[
            Rejection(_order(3), "slippage 61 bps over limit 50"),
            Rejection(_order(4), "slippage 75 bps over limit 50"),
            Rejection(_order(5), "pool has no liquidity"),
        ],
    )
    paths = write_report(result, compute_metrics(result), tmp_path)
    data = json.loads(paths.json.read_text())
    assert data["denials"] == {"count": 2, "by_rule": {"max_notional": 2, "cooldown": 1}}
    assert data["rejections"]["count"] == 3
    assert data["rejections"]["by_reason"] == {
        "slippage # bps over limit #": 2,
        "pool has no liquidity": 1,
    }
    html = paths.html.read_text()
    assert "max_notional" in html and "Rejected by venue: 3" in html


@pytest.mark.parametrize("equity", [[1000.0], [1000.0] * 10], ids=["one-bar", "flat"])
def test_degenerate_run_writes_a_strict_json_report_with_nulls(
    equity: list[float], tmp_path: Path
) -> None:
    result = make_result(equity)
    paths = write_report(result, compute_metrics(result), tmp_path)
    text = paths.json.read_text()
    assert "NaN" not in text and "Infinity" not in text
    data = json.loads(text)
    assert data["metrics"]["sharpe"] is None and data["metrics"]["profit_factor"] is None
    assert paths.html.read_text().count("n/a") >= 3
    assert paths.trades_csv.read_text().count("\n") == 1  # header only
