"""The terminal summary: an aligned two-column table of the headline metrics."""

from __future__ import annotations

from dexagent.backtests.metrics import Metrics
from dexagent.backtests.report.formatting import summary_rows


def format_summary(metrics: Metrics) -> str:
    rows = summary_rows(metrics)
    width = max(len(label) for label, _ in rows)
    return "\n".join(f"{label:<{width}}  {value}" for label, value in rows)
