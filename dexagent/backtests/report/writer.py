"""Writes a backtest's report files into one directory."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from dexagent.backtests.metrics import Metrics
from dexagent.backtests.report.html_page import render_html
from dexagent.backtests.report.json_report import write_json
from dexagent.backtests.report.trades_csv import write_trades
from dexagent.backtests.result import BacktestResult


@dataclass(frozen=True, slots=True)
class ReportPaths:
    out_dir: Path
    json: Path
    trades_csv: Path
    html: Path


def write_report(result: BacktestResult, metrics: Metrics, out_dir: Path) -> ReportPaths:
    """Write ``report.json``, ``trades.csv`` and ``report.html`` (created or overwritten)."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    paths = ReportPaths(
        out_dir, out_dir / "report.json", out_dir / "trades.csv", out_dir / "report.html"
    )
    write_json(result, metrics, paths.json)
    write_trades(result.fills, result.pair, paths.trades_csv)
    paths.html.write_text(render_html(result, metrics), encoding="utf-8")
    return paths
