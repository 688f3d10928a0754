"""Charts as inline SVG strings (matplotlib): equity, drawdown, price with trades.

Figures are made with ``matplotlib.figure.Figure`` directly, never pyplot, so writing a report
neither changes the process's backend nor keeps figures alive.

The SVG is stripped of its XML prolog, DOCTYPE, metadata and namespace URLs so the page that
embeds it refers to nothing outside itself; each chart gets its own id salt so ids never clash.
"""

from __future__ import annotations

import io
import re
from collections.abc import Sequence
from typing import Any

import matplotlib
import matplotlib.dates as mdates
import numpy as np
import numpy.typing as npt
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from dexagent.backtests.report.downsample import minmax_indices, spread_indices
from dexagent.core.intents import Fill, Side

MAX_POINTS = 4000
MAX_MARKERS = 5000
INK = "#2b2f36"
GRID = "#d9dde3"
LINE = "#3b6ea8"
BUY = "#1f9d55"
SELL = "#d64545"
DD_FILL = "#d9822b"

_STYLE: Any = {  # rc keys are typed as literals in matplotlib's stubs
    "font.size": 9,
    "font.family": "sans-serif",
    "axes.edgecolor": GRID,
    "axes.labelcolor": INK,
    "axes.titlesize": 10,
    "axes.titleweight": "bold",
    "axes.titlecolor": INK,
    "axes.titlelocation": "left",
    "xtick.color": INK,
    "ytick.color": INK,
    "axes.grid": True,
    "grid.color": GRID,
    "grid.linewidth": 0.6,
    "svg.fonttype": "none",
}


def _times(ms: npt.NDArray[np.int64]) -> npt.NDArray[np.datetime64]:
    return np.asarray(ms, dtype=np.int64).astype("datetime64[ms]")


def _figure(height: float) -> tuple[Figure, Axes]:
    fig = Figure(figsize=(12, height))
    # fixed margins (not constrained layout) so the three charts' time axes line up
    fig.subplots_adjust(left=0.07, right=0.99, bottom=0.42 / height, top=1 - 0.32 / height)
    ax = fig.subplots()
    fig.patch.set_alpha(0.0)
    ax.set_facecolor("white")
    locator = mdates.AutoDateLocator(minticks=4, maxticks=10)  # type: ignore[no-untyped-call]
    ax.xaxis.set_major_locator(locator)
    formatter = mdates.ConciseDateFormatter(locator)  # type: ignore[no-untyped-call]
    ax.xaxis.set_major_formatter(formatter)
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    return fig, ax


def _svg(fig: Figure, salt: str) -> str:
    buf = io.StringIO()
    with matplotlib.rc_context({"svg.hashsalt": salt}):
        fig.savefig(buf, format="svg", metadata={"Date": None, "Creator": None})
    text = buf.getvalue()
    text = re.sub(r"<\?xml[^>]*\?>\s*", "", text)
    text = re.sub(r"<!DOCTYPE[^>]*>\s*", "", text)
    text = re.sub(r"<metadata>.*?</metadata>\s*", "", text, flags=re.S)
    text = re.sub(r'\s+xmlns(:\w+)?="[^"]*"', "", text)
    text = re.sub(r'(<svg[^>]*?)\s+height="[^"]*"', r"\1", text, count=1)
    return re.sub(r'(<svg[^>]*?)\s+width="[^"]*"', r'\1 width="100%"', text, count=1)


def equity_svg(
    ts: npt.NDArray[np.int64],
    equity: npt.NDArray[np.float64],
    quote: str,
    deepest: tuple[int, int] | None = None,
) -> str:
    """Equity over time; ``deepest`` = (peak bar, trough bar) of the max drawdown, shaded."""
    with matplotlib.rc_context(_STYLE):
        fig, ax = _figure(3.2)
        idx = minmax_indices(equity, MAX_POINTS)
        ax.plot(_times(ts[idx]), equity[idx], color=LINE, linewidth=1.0)
        title = f"Equity ({quote})"
        if deepest is not None:
            t0, t1 = _times(ts[np.array(deepest)])
            ax.axvspan(t0, t1, color=DD_FILL, alpha=0.12, linewidth=0)
            title += ", max drawdown shaded"
        ax.set_title(title)
        return _svg(fig, "equity")


def drawdown_svg(ts: npt.NDArray[np.int64], drawdown: npt.NDArray[np.float64]) -> str:
    with matplotlib.rc_context(_STYLE):
        fig, ax = _figure(2.2)
        idx = minmax_indices(drawdown, MAX_POINTS)
        x = _times(ts[idx])
        y = drawdown[idx] * 100.0
        ax.fill_between(x, y, 0.0, color=DD_FILL, alpha=0.35, linewidth=0)
        ax.plot(x, y, color=DD_FILL, linewidth=0.8)
        ax.set_title("Drawdown (%)")
        return _svg(fig, "drawdown")


def price_svg(
    ts: npt.NDArray[np.int64], close: npt.NDArray[np.float64], fills: Sequence[Fill], symbol: str
) -> str:
    with matplotlib.rc_context(_STYLE):
        fig, ax = _figure(3.6)
        idx = minmax_indices(close, MAX_POINTS)
        ax.plot(_times(ts[idx]), close[idx], color="#8a929c", linewidth=0.8, zorder=1)
        keep = spread_indices(len(fills), MAX_MARKERS)
        shown = [fills[int(i)] for i in keep]
        for side, color, marker, label in (
            (Side.BUY, BUY, "^", "buy"),
            (Side.SELL, SELL, "v", "sell"),
        ):
            pts = [f for f in shown if f.side is side]
            if not pts:
                continue
            x = _times(np.array([f.timestamp_ms for f in pts], dtype=np.int64))
            y = np.array([float(f.price) for f in pts])  # plotting only
            ax.scatter(
                x,
                y,
                s=18,
                c=color,
                marker=marker,
                label=f"{label} ({len(pts):,})",
                linewidths=0,
                zorder=2,
            )
        title = f"{symbol} price with fills"
        if len(shown) < len(fills):
            title += f" (showing {len(shown):,} of {len(fills):,} fills, evenly spaced)"
        ax.set_title(title)
        if shown:
            ax.legend(loc="upper left", frameon=False, fontsize=8)
        return _svg(fig, "price")
