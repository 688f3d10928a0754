"""Download OHLCV with ccxt into a Parquet cache: paginated, rate-limited, resumable.

Each page is written atomically as a part file next to the cache file; parts are folded into the
cache file (sorted, de-duplicated, validated) when the download ends, fails, or on the next run
after a crash. A second run continues after the last cached bar. Bars that have not closed yet
(open time + timeframe later than now) are never stored, so the cache holds final candles only.
"""

from __future__ import annotations

import logging
import re
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

import ccxt
import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from dexagent.backtests.data.exchange import (
    make_exchange,
    map_ccxt_error,
    point_api_at,
    symbol_hint,
)
from dexagent.backtests.data.load import COLUMNS, load_bars
from dexagent.backtests.data.store import bars_table, write_parquet_atomic
from dexagent.backtests.data.timeframes import format_ms, parse_timeframe
from dexagent.backtests.data.validate import validate_bars
from dexagent.core.bars import Bars
from dexagent.core.errors import ConfigError, TemporaryError

log = logging.getLogger(__name__)
_T = TypeVar("_T")


@dataclass
class Pacer:
    """Spacing between requests and backoff between retries (clock and sleep are injectable).

    The spacing is the larger of ``min_interval_s`` and the exchange's ``rateLimit``; ccxt's own
    limiter (``enableRateLimit``) stays on as well.
    """

    min_interval_s: float = 0.0
    max_retries: int = 5
    backoff_s: float = 1.0
    max_backoff_s: float = 30.0
    clock: Callable[[], float] = time.monotonic
    sleep: Callable[[float], None] = time.sleep
    _last: float | None = field(default=None, init=False, repr=False)

    def wait_turn(self, interval_s: float) -> None:
        gap = max(self.min_interval_s, interval_s)
        if self._last is not None:
            remaining = self._last + gap - self.clock()
            if remaining > 0:
                self.sleep(remaining)
        self._last = self.clock()

    def backoff(self, attempt: int) -> None:
        self.sleep(min(self.backoff_s * 2**attempt, self.max_backoff_s))


@dataclass(frozen=True, slots=True)
class FetchProgress:
    pages: int
    rows: int
    last_ms: int


def cache_path(cache_dir: str | Path, exchange_id: str, symbol: str, timeframe: str) -> Path:
    """``<cache_dir>/<exchange>/<BASE-QUOTE>_<tf>.parquet`` (``:`` and ``/`` become ``-``)."""
    safe = re.sub(r"[^A-Za-z0-9._-]", "-", symbol.replace("/", "-").replace(":", "-"))
    return Path(cache_dir).expanduser() / exchange_id / f"{safe}_{timeframe}.parquet"


def fetch_ohlcv(
    exchange_id: str,
    symbol: str,
    timeframe: str,
    since_ms: int,
    until_ms: int | None,
    cache_dir: str | Path,
    *,
    exchange: Any = None,
    page_limit: int = 1000,
    progress: Callable[[FetchProgress], None] | None = None,
    api_url: str | None = None,
    pacer: Pacer | None = None,
) -> Path:
    """Download bars with open time in ``[since_ms, until_ms)`` (until: now) into the cache.

    Returns the Parquet path. Raises ``ConfigError`` for a bad exchange, symbol or timeframe,
    ``TemporaryError`` when the exchange stays unreachable after retries (what was downloaded is
    kept; run again to resume) and ``DataError`` if the exchange sent invalid bars.
    """
    tf = parse_timeframe(timeframe)
    if page_limit < 1:
        raise ConfigError(f"page_limit must be at least 1, got {page_limit}")
    if until_ms is not None and until_ms <= since_ms:
        raise ConfigError(
            f"--until {format_ms(until_ms)} is not after --since {format_ms(since_ms)}"
        )
    ex = exchange if exchange is not None else make_exchange(exchange_id, api_url=api_url)
    if exchange is not None and api_url:
        point_api_at(ex, api_url)
    session = _Session(ex, pacer or Pacer(), f"{exchange_id} {symbol} {timeframe}")
    session.check_market(symbol, timeframe)

    path = cache_path(cache_dir, exchange_id, symbol, timeframe)
    _compact(path, symbol, tf)  # leftovers of a run that was killed
    stop = until_ms if until_ms is not None else int(ex.milliseconds())
    downloader = _Downloader(session, path, symbol, timeframe, tf, page_limit, progress)
    try:
        for start, end in _missing_ranges(path, since_ms, stop, tf):
            downloader.run(start, end)
    except TemporaryError as exc:
        rows = _compact(path, symbol, tf)
        raise TemporaryError(
            f"{exc}; {rows} bars are saved in {path}; run the same command again to resume"
        ) from exc
    rows = _compact(path, symbol, tf)
    if rows:
        validate_bars(load_bars(path, validate=False), source=str(path)).raise_for_problems()
    log.info("%s: %d bars in %s", session.context, rows, path)
    return path


class _Session:
    """Calls into ccxt with spacing, retries for network errors and typed error mapping."""

    def __init__(self, exchange: Any, pacer: Pacer, context: str) -> None:
        self.exchange = exchange
        self.pacer = pacer
        self.context = context

    def call(self, fn: Callable[..., _T], *args: Any) -> _T:
        attempt = 0
        while True:
            self.pacer.wait_turn(float(self.exchange.rateLimit) / 1000.0)
            try:
                return fn(*args)
            except ccxt.NetworkError as exc:
                if attempt >= self.pacer.max_retries:
                    raise map_ccxt_error(exc, f"{self.context} ({attempt + 1} attempts)") from exc
                log.warning("%s: %s; retry %d", self.context, exc, attempt + 1)
                self.pacer.backoff(attempt)
                attempt += 1
            except ccxt.BadSymbol as exc:
                error = map_ccxt_error(exc, self.context)
                raise type(error)(f"{error}{symbol_hint(self.exchange, '')}") from exc
            except ccxt.BaseError as exc:
                raise map_ccxt_error(exc, self.context) from exc

    def check_market(self, symbol: str, timeframe: str) -> None:
        ex = self.exchange
        if not ex.has.get("fetchOHLCV"):
            raise ConfigError(f"{ex.id} does not offer OHLCV candles through ccxt")
        timeframes = dict(ex.timeframes or {})
        if timeframes and timeframe not in timeframes:
            raise ConfigError(
                f"{ex.id} has no {timeframe!r} candles; it offers {', '.join(timeframes)}"
            )
        self.call(ex.load_markets)
        if symbol not in (ex.markets or {}):
            raise ConfigError(f"{ex.id} has no market {symbol!r}.{symbol_hint(ex, symbol)}")


@dataclass
class _Downloader:
    session: _Session
    path: Path
    symbol: str
    timeframe: str
    tf: int
    page_limit: int
    progress: Callable[[FetchProgress], None] | None
    pages: int = 0
    rows: int = 0

    def run(self, start: int, end: int) -> None:
        ex = self.session.exchange
        parts = _parts_dir(self.path)
        cursor = start
        while cursor < end:
            raw = self.session.call(
                ex.fetch_ohlcv, self.symbol, self.timeframe, cursor, self.page_limit
            )
            if not raw:
                return
            page = _page_bars(raw, self.symbol, self.tf)
            now = int(ex.milliseconds())
            ts = page.timestamp_ms
            keep = (ts >= cursor) & (ts < end) & (ts + self.tf <= now)
            if not keep.any():
                return
            kept = _take(page, keep)
            parts.mkdir(parents=True, exist_ok=True)
            name = f"{self.pages:06d}_{int(kept.timestamp_ms[0])}.parquet"
            write_parquet_atomic(bars_table(kept), parts / name)
            self.pages += 1
            self.rows += len(kept)
            last = int(kept.timestamp_ms.max())
            if self.progress is not None:
                self.progress(FetchProgress(self.pages, self.rows, last))
            if int(ts.max()) >= end or not keep[-1]:
                return  # reached the end of the range, or the newest bar is still open
            cursor = last + self.tf


def _page_bars(raw: Sequence[Sequence[Any]], symbol: str, tf: int) -> Bars:
    ts = np.fromiter((int(r[0]) for r in raw), dtype=np.int64, count=len(raw))
    values = np.array(
        [[np.nan if v is None else v for v in r[1:6]] for r in raw], dtype=np.float64
    ).reshape(len(raw), 5)
    o, h, lo, c, v = (np.ascontiguousarray(values[:, k]) for k in range(5))
    return Bars(ts, o, h, lo, c, v, symbol=symbol, timeframe_ms=tf)


def _take(bars: Bars, mask: np.ndarray[Any, np.dtype[np.bool_]]) -> Bars:
    return Bars(
        bars.timestamp_ms[mask],
        bars.open[mask],
        bars.high[mask],
        bars.low[mask],
        bars.close[mask],
        bars.volume[mask],
        bars.symbol,
        bars.timeframe_ms,
    )


def _parts_dir(path: Path) -> Path:
    return path.with_name(path.name + ".parts")


def _missing_ranges(path: Path, since: int, stop: int, tf: int) -> list[tuple[int, int]]:
    if not path.exists():
        return [(since, stop)] if since < stop else []
    ts = pq.read_table(path, columns=["timestamp_ms"]).column(0).to_numpy()
    if ts.size == 0:
        return [(since, stop)] if since < stop else []
    first, last = int(ts[0]), int(ts[-1])
    ranges = []
    if since < first:
        ranges.append((since, min(first, stop)))
    resume = max(since, last + tf)
    if resume < stop:
        ranges.append((resume, stop))
    return ranges


def _compact(path: Path, symbol: str, tf: int) -> int:
    """Fold part files into ``path`` (sorted, last download wins on duplicates); row count."""
    parts_dir = _parts_dir(path)
    parts = sorted(parts_dir.glob("*.parquet")) if parts_dir.is_dir() else []
    if not parts:
        return int(pq.read_metadata(path).num_rows) if path.exists() else 0
    files = ([path] if path.exists() else []) + parts
    table = pa.concat_tables(
        [pq.read_table(f, columns=list(COLUMNS)).replace_schema_metadata(None) for f in files]
    )
    ts = table.column("timestamp_ms").to_numpy()
    order = np.argsort(ts, kind="stable")
    sorted_ts = ts[order]
    last_of_run = np.r_[sorted_ts[1:] != sorted_ts[:-1], True]
    pick = order[last_of_run]
    o, h, lo, c, v = (table.column(name).to_numpy()[pick] for name in COLUMNS[1:])
    merged = Bars(sorted_ts[last_of_run], o, h, lo, c, v, symbol=symbol, timeframe_ms=tf)
    write_parquet_atomic(bars_table(merged), path)
    for part in parts:
        part.unlink()
    parts_dir.rmdir()
    return len(merged)
