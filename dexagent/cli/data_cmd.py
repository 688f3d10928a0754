"""``dexagent data fetch|info``: download OHLCV into the Parquet cache, describe a data file."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path
from typing import Any

from dexagent.backtests.data import FetchProgress, fetch_ohlcv, load_bars, validate_bars
from dexagent.backtests.data.timeframes import format_ms, parse_time

API_URL_ENV = "DEXAGENT_EXCHANGE_API_URL"


def default_cache_dir() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "dexagent" / "ohlcv"


def register(subparsers: Any) -> None:
    data = subparsers.add_parser("data", help="market data: download and inspect OHLCV files")
    sub = data.add_subparsers(dest="data_command", required=True)

    fetch = sub.add_parser("fetch", help="download candles with ccxt into the Parquet cache")
    fetch.add_argument("--exchange", required=True, help="ccxt exchange id, e.g. binance")
    fetch.add_argument("--symbol", required=True, help="unified symbol, e.g. ETH/USDT")
    fetch.add_argument("--timeframe", required=True, help="e.g. 5m, 1h, 1d")
    fetch.add_argument("--since", required=True, help="UTC start: 2024-01-01, ISO time or ms")
    fetch.add_argument("--until", help="UTC end, exclusive (default: now)")
    fetch.add_argument(
        "--cache-dir",
        type=Path,
        default=None,
        help=f"cache root (default: {default_cache_dir()})",
    )
    fetch.add_argument("--page-limit", type=int, default=1000, help="candles per request")
    fetch.add_argument(
        "--api-url",
        default=os.environ.get(API_URL_ENV),
        help=argparse.SUPPRESS,  # advanced: send the exchange's API calls to another base URL
    )
    fetch.set_defaults(func=_fetch)

    info = sub.add_parser("info", help="rows, range, timeframe, gaps and validation of a file")
    info.add_argument("file", type=Path, help="CSV, CSV.gz or Parquet OHLCV file")
    info.add_argument("--timeframe", help="the bar timeframe (default: inferred)")
    info.set_defaults(func=_info)


def _fetch(args: argparse.Namespace) -> int:
    since = parse_time(args.since)
    until = parse_time(args.until) if args.until else None
    cache_dir = args.cache_dir if args.cache_dir is not None else default_cache_dir()
    path = fetch_ohlcv(
        args.exchange,
        args.symbol,
        args.timeframe,
        since,
        until,
        cache_dir,
        page_limit=args.page_limit,
        api_url=args.api_url,
        progress=_progress if sys.stderr.isatty() else None,
    )
    if sys.stderr.isatty():
        print(file=sys.stderr)
    report = validate_bars(load_bars(path), source=str(path))
    print(report.summary())
    return 0


def _progress(p: FetchProgress) -> None:
    print(
        f"\r{p.pages} pages, {p.rows} bars, up to {format_ms(p.last_ms)}", end="", file=sys.stderr
    )


def _info(args: argparse.Namespace) -> int:
    bars = load_bars(args.file, timeframe=args.timeframe, validate=False)
    report = validate_bars(bars, source=str(args.file))
    print(report.summary())
    return 0 if report.ok else 1
