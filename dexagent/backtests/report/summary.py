"""The terminal summary: an aligned two-column table of the headline metrics."""

from __future__ import annotations

from dexagent.backtests.metrics import Metrics
from dexagent.backtests.report.formatting import summary_rows
from dexagent.backtests.result import BacktestResult


def format_summary(metrics: Metrics) -> str:
    rows = summary_rows(metrics)
    width = max(len(label) for label, _ in rows)
    return "\n".join(f"{label:<{width}}  {value}" for label, value in rows)


def format_outcomes(result: BacktestResult) -> str:
    """What did not trade and why, and the buy-and-hold reference over the same bars."""
    from dexagent.backtests.report.json_report import denial_counts, rejection_counts

    lines = []
    close = result.close
    if len(close) >= 2 and close[0] > 0:
        lines.append(f"Buy & hold (base)    {float(close[-1] / close[0] - 1):.2%}")
    lines.append(f"Decisions            {result.decisions:,}")
    denials = denial_counts(result.denials)
    lines.append(f"Denied by policy     {denials['count']:,}")
    for rule, n in list(denials["by_rule"].items())[:8]:
        lines.append(f"  {rule:<32} {n:,}")
    rejections = rejection_counts(result.rejections)
    lines.append(f"Rejected by venue    {rejections['count']:,}")
    for reason, n in list(rejections["by_reason"].items())[:5]:
        lines.append(f"  {n:>6,}  {reason[:90]}")
    pending = result.extra.get("pending_approval")
    if pending:
        lines.append(f"Waiting for approval {pending:,}")
    return "\n".join(lines)


def format_agent_decisions(rows: list[dict[str, str]], limit: int = 20) -> str:
    """The agent's decisions: time, strategy, parameters, allocation, outcome and verdicts."""
    lines = [f"Agent decisions      {len(rows):,} (all of them in report.json and report.html)"]
    for r in rows[:limit]:
        what = f"{r['strategy']} {r['params']}" if r["action"] == "run" else "hold"
        lines.append(
            f"  {r['time'][:16]}  {what[:60]:<60} alloc {r['allocation']:<6} {r['outcome']}"
        )
    if len(rows) > limit:
        lines.append(f"  ... {len(rows) - limit:,} more")
    return "\n".join(lines)
