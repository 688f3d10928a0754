"""``report.html``: one self-contained page (inline CSS and SVG; no scripts, fonts or URLs).

Every string from the run (strategy, params, reasons) goes through ``html.escape``.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from html import escape
from typing import Any

from dexagent.backtests.metrics import Metrics, drawdown_series
from dexagent.backtests.report import charts
from dexagent.backtests.report.formatting import iso_utc, summary_rows
from dexagent.backtests.report.json_report import denial_counts, jsonable, rejection_counts
from dexagent.backtests.result import BacktestResult

_CSS = """
.scroll { max-height: 480px; overflow: auto; }
table.agent { font-size: 12px; border-collapse: collapse; width: 100%; }
table.agent td, table.agent th { padding: 3px 6px; border-bottom: 1px solid #e5e7eb;
  text-align: left; vertical-align: top; }
:root { --bg: #f4f5f7; --card: #ffffff; --ink: #2b2f36; --muted: #6b7280; --line: #e3e6ea; }
@media (prefers-color-scheme: dark) {
  :root { --bg: #1c1f24; --card: #262a31; --ink: #e6e8eb; --muted: #9aa1ab; --line: #353a42; }
  .chart { background: #ffffff; }
}
* { box-sizing: border-box; }
body { margin: 0; padding: 24px 32px; background: var(--bg); color: var(--ink);
  font: 14px/1.45 -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif; }
h1 { font-size: 22px; margin: 0 0 4px; }
h2 { font-size: 15px; margin: 0 0 10px; }
.sub { color: var(--muted); margin-bottom: 20px; }
.card { background: var(--card); border: 1px solid var(--line); border-radius: 8px;
  padding: 14px 18px; margin-bottom: 16px; }
.grid { display: grid; grid-template-columns: repeat(auto-fit, minmax(300px, 1fr)); gap: 0 28px; }
table { border-collapse: collapse; width: 100%; }
td, th { padding: 4px 6px; border-bottom: 1px solid var(--line); text-align: left;
  vertical-align: top; }
th { color: var(--muted); font-weight: 600; }
td { white-space: nowrap; }
td.v { text-align: right; font-variant-numeric: tabular-nums; white-space: normal; }
.chart { border-radius: 6px; padding: 4px; margin-bottom: 8px; }
.chart svg { display: block; width: 100%; height: auto; }
code { font-size: 12px; }
footer { color: var(--muted); font-size: 12px; margin-top: 8px; }
"""


def _table(rows: Iterable[tuple[str, str]], head: tuple[str, str] | None = None) -> str:
    body = "".join(f'<tr><td>{escape(k)}</td><td class="v">{escape(v)}</td></tr>' for k, v in rows)
    th = f"<tr><th>{escape(head[0])}</th><th>{escape(head[1])}</th></tr>" if head else ""
    return f"<table>{th}{body}</table>"


def _columns(rows: list[tuple[str, str]], n: int = 3) -> str:
    per = -(-len(rows) // n)
    return "".join(_table(rows[i : i + per]) for i in range(0, len(rows), per))


def _counts(title: str, counts: Mapping[str, Any], key: str, label: str) -> str:
    items = [(str(k), f"{v:,}") for k, v in counts[key].items()]
    if not items:
        return f"<div><h2>{escape(title)}: 0</h2></div>"
    head = (label, "count")
    return f"<div><h2>{escape(title)}: {counts['count']:,}</h2>{_table(items, head)}</div>"


def _params(result: BacktestResult) -> list[tuple[str, str]]:
    rows = [
        ("strategy", result.strategy),
        ("pair", result.pair.symbol),
        ("venue", result.venue),
        ("fill at", result.fill_at),
        ("periods per year", f"{result.periods_per_year:,.2f}"),
        ("decisions", f"{result.decisions:,}"),
    ]
    for k, v in sorted(result.params.items()):
        rows.append((f"param {k}", json.dumps(jsonable(v))))
    return rows


def render_html(result: BacktestResult, metrics: Metrics) -> str:
    ts = result.timestamp_ms
    title = f"{result.strategy} on {result.pair.symbol}"
    sub = (
        f"{iso_utc(metrics.start_ms)} → {iso_utc(metrics.end_ms)} · {metrics.bars:,} bars · "
        f"venue {result.venue} · fills at {result.fill_at}"
    )
    dd = metrics.drawdown
    deepest = (dd.peak_bar, dd.trough_bar) if dd is not None else None
    if ts.size:
        figures = [
            charts.equity_svg(ts, result.equity, result.pair.quote.symbol, deepest),
            charts.drawdown_svg(ts, drawdown_series(result.equity)),
            charts.price_svg(ts, result.close, result.fills, result.pair.symbol),
        ]
        chart_html = "".join(f'<div class="chart">{svg}</div>' for svg in figures)
    else:
        chart_html = "<p>No bars: nothing to plot.</p>"
    denials = denial_counts(result.denials)
    rejections = rejection_counts(result.rejections)
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{escape(title)}: backtest report</title><style>{_CSS}</style></head>
<body>
<h1>{escape(title)}</h1>
<div class="sub">{escape(sub)}</div>
<section class="card"><h2>Summary</h2><div class="grid">{_columns(summary_rows(metrics)[1:])}</div>
</section>
<section class="card">{chart_html}</section>
<section class="card"><div class="grid">
<div><h2>Run</h2>{_table(_params(result))}</div>
{_counts("Denied by policy", denials, "by_rule", "rule")}
{_counts("Rejected by venue", rejections, "by_reason", "reason")}
</div></section>
{_agent_section(result)}
<footer>Money in {escape(result.pair.quote.symbol)}. Every fill is in <code>trades.csv</code>;
exact values are in <code>report.json</code>. Round trips run flat to flat (FIFO for partial
exits); their PnL includes fees and gas.</footer>
</body></html>
"""


_AGENT_COLUMNS = ("time", "action", "strategy", "params", "allocation", "outcome", "verdicts")


def _agent_section(result: BacktestResult) -> str:
    """The agent's decisions (time, strategy, parameters, allocation, rationale, verdicts)."""
    rows = result.extra.get("agent_decisions")
    if not isinstance(rows, list) or not rows:
        return ""
    head = "".join(f"<th>{escape(c)}</th>" for c in (*_AGENT_COLUMNS, "rationale"))
    body = []
    for r in rows[:2000]:
        cells = "".join(f"<td>{escape(str(r.get(c, '')))}</td>" for c in _AGENT_COLUMNS)
        body.append(f"<tr>{cells}<td>{escape(str(r.get('rationale', ''))[:300])}</td></tr>")
    more = f"<p>{len(rows) - 2000:,} more in report.json.</p>" if len(rows) > 2000 else ""
    usage = result.extra.get("llm_usage")
    usage_html = f"<pre>{escape(str(usage))}</pre>" if usage else ""
    return (
        f'<section class="card"><h2>Agent decisions ({len(rows):,})</h2>{usage_html}'
        f'<div class="scroll"><table class="agent"><thead><tr>{head}</tr></thead>'
        f"<tbody>{''.join(body)}</tbody></table></div>{more}</section>"
    )
