"""Backtest reports: report.json, trades.csv, a self-contained report.html, a terminal summary."""

from dexagent.backtests.report.summary import (
    format_agent_decisions,
    format_outcomes,
    format_summary,
)
from dexagent.backtests.report.writer import ReportPaths, write_report

__all__ = [
    "ReportPaths",
    "format_agent_decisions",
    "format_outcomes",
    "format_summary",
    "write_report",
]
