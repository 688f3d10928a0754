"""Human-readable values shared by the terminal summary and the HTML page.

Money is formatted from its ``Decimal`` (never through float); undefined values print as "n/a".
"""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

from dexagent.backtests.metrics import Metrics

NA = "n/a"


def iso_utc(ms: int | None) -> str:
    """``2023-01-01T00:05:00Z`` (second precision, UTC)."""
    if ms is None:
        return NA
    return datetime.fromtimestamp(ms / 1000, tz=UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def pct(x: float | None) -> str:
    return NA if x is None else f"{x * 100:,.2f}%"


def ratio(x: float | Decimal | None) -> str:
    return NA if x is None else f"{x:,.3f}"


def money(x: Decimal) -> str:
    """Two decimals from 1 up, six below (gas is often cents); exact ``Decimal`` rounding."""
    places = Decimal("0.01") if abs(x) >= 1 or x == 0 else Decimal("0.000001")
    return f"{x.quantize(places):,f}"


def duration(ms: int | None) -> str:
    if ms is None:
        return NA
    minutes = ms // 60_000
    days, rest = divmod(minutes, 1440)
    hours, mins = divmod(rest, 60)
    return f"{days}d {hours:02d}h {mins:02d}m" if days else f"{hours}h {mins:02d}m"


def summary_rows(m: Metrics) -> list[tuple[str, str]]:
    """(label, value) for every headline metric, in display order."""
    dd = m.drawdown
    return [
        ("Period", f"{iso_utc(m.start_ms)} → {iso_utc(m.end_ms)} ({m.bars:,} bars)"),
        ("Starting equity", money(m.starting_equity)),
        ("Final equity", money(m.final_equity)),
        ("Total return", pct(m.total_return)),
        ("CAGR", pct(m.cagr)),
        ("Annual volatility", pct(m.annual_volatility)),
        ("Sharpe", ratio(m.sharpe)),
        ("Sortino", ratio(m.sortino)),
        ("Max drawdown", pct(m.max_drawdown) if dd is not None else pct(0.0)),
        ("Drawdown peak", iso_utc(dd.peak_ms) if dd else NA),
        ("Drawdown trough", iso_utc(dd.trough_ms) if dd else NA),
        (
            "Drawdown recovery",
            (iso_utc(dd.recovery_ms) if dd.recovered else "not recovered") if dd else NA,
        ),
        (
            "Drawdown duration",
            f"{dd.duration_bars:,} bars, {duration(dd.duration_ms)}" if dd else NA,
        ),
        ("Longest under water", f"{m.longest_underwater_bars:,} bars"),
        ("Calmar", ratio(m.calmar)),
        ("Fills", f"{m.fills:,}"),
        ("Round trips", f"{m.round_trips:,} ({m.wins:,} won, {m.losses:,} lost)"),
        ("Win rate", pct(m.win_rate)),
        ("Profit factor", ratio(m.profit_factor)),
        ("Realized PnL", money(m.realized_pnl)),
        ("Time in market", pct(m.time_in_market)),
        ("Average exposure", pct(m.average_exposure)),
        ("Fees paid", money(m.fees_paid)),
        ("Gas paid", money(m.gas_paid)),
        ("Traded notional", money(m.traded_notional)),
        ("Turnover", f"{ratio(m.turnover)}x" if m.turnover is not None else NA),
        (
            "Annual turnover",
            f"{ratio(m.annual_turnover)}x" if m.annual_turnover is not None else NA,
        ),
    ]
