"""``dexagent backtest``: run a backtest from a TOML file and/or flags, write the report."""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path
from typing import Any

from dexagent.core.errors import ConfigError


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    p = sub.add_parser(
        "backtest",
        help="backtest a strategy on history and write report.json, trades.csv, report.html",
        description="Backtest on the bundled real ETH/USDT data by default. "
        "Flags override the config file.",
    )
    p.add_argument("--config", "-c", help="backtest TOML file (default: built-in defaults)")
    p.add_argument("--data", help="CSV/CSV.gz/Parquet file, or bundled:ETH/USDT | bundled:BTC/USDT")
    p.add_argument("--timeframe", help="resample to this timeframe, e.g. 1h")
    p.add_argument("--start", help="first bar, ISO date (UTC)")
    p.add_argument("--end", help="end (exclusive), ISO date (UTC)")
    p.add_argument("--strategy", help="sma_cross | rsi_reversion | donchian_breakout | dca | grid")
    p.add_argument(
        "--param",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="strategy parameter (repeatable), e.g. --param fast=10",
    )
    p.add_argument("--venue", choices=["uniswap_v2", "uniswap_v3", "taker"])
    p.add_argument("--fee-bps", help="venue fee in basis points")
    p.add_argument("--fill-at", choices=["next_open", "close"])
    p.add_argument("--policy", help="policy TOML bounding every intent (examples/policies/)")
    p.add_argument(
        "--agent",
        choices=["rule", "llm", "committee"],
        help="let an agent choose the strategy, its parameters and capital (within the policy)",
    )
    p.add_argument("--model", help='chat model for --agent llm|committee, "provider:model"')
    p.add_argument("--cassette", help="JSONL of recorded model calls (reproducible LLM runs)")
    p.add_argument(
        "--cassette-mode", choices=["record", "replay"], help="record new calls, or replay only"
    )
    p.add_argument(
        "--set",
        action="append",
        default=[],
        metavar="SECTION.KEY=VALUE",
        help="override any config key, e.g. --set gas.price_gwei=10",
    )
    p.add_argument("--out", help="output directory (default: the config's run.out_dir)")
    p.add_argument("--no-report", action="store_true", help="print the summary only")
    p.add_argument(
        "--audit-db", help="audit log URL (default: sqlite:///<out>/audit.sqlite; 'none' to skip)"
    )
    p.add_argument("--list-strategies", action="store_true", help="show strategies and bounds")
    p.set_defaults(func=run)


def _value(text: str) -> Any:
    """Flag values: JSON if it parses (numbers, booleans), else the string itself."""
    try:
        return json.loads(text)
    except json.JSONDecodeError:
        return text


def _pairs(items: list[str], flag: str) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for item in items:
        key, sep, val = item.partition("=")
        if not sep or not key:
            raise ConfigError(f"{flag} {item!r}: expected KEY=VALUE")
        out[key.strip()] = _value(val.strip())
    return out


def overrides_from_args(args: argparse.Namespace) -> dict[str, Any]:
    o: dict[str, Any] = {}
    simple = {
        "data": "data.path",
        "timeframe": "data.timeframe",
        "start": "data.start",
        "end": "data.end",
        "strategy": "strategy.name",
        "venue": "venue.kind",
        "fee_bps": "venue.fee_bps",
        "fill_at": "run.fill_at",
        "out": "run.out_dir",
        "policy": "policy.file",
        "agent": "agent.kind",
        "model": "agent.model",
        "cassette": "agent.cassette",
        "cassette_mode": "agent.cassette_mode",
    }
    for attr, key in simple.items():
        v = getattr(args, attr)
        if v is not None:
            o[key] = v
    for k, v in _pairs(args.param, "--param").items():
        o[f"strategy.params.{k}"] = v
    o.update(_pairs(args.set, "--set"))
    return o


def run(args: argparse.Namespace) -> int:
    from dexagent.backtests.config import load_config
    from dexagent.backtests.engine import stderr_progress
    from dexagent.backtests.metrics import compute_metrics
    from dexagent.backtests.report import (
        format_agent_decisions,
        format_outcomes,
        format_summary,
        write_report,
    )
    from dexagent.backtests.runner import load_market, run_backtest
    from dexagent.strategies.registry import BUILTINS

    if args.list_strategies:
        for name, cls in sorted(BUILTINS.items()):
            print(f"{name}: {json.dumps(cls.Params.bounds())}")
        return 0
    cfg = load_config(args.config, overrides_from_args(args))
    if args.audit_db is not None or (cfg.audit.db is None and not args.no_report):
        db = args.audit_db or f"sqlite:///{Path(cfg.run.out_dir) / 'audit.sqlite'}"
        audit = cfg.audit.model_copy(update={"db": None if db == "none" else db})
        cfg = cfg.model_copy(update={"audit": audit})
    t0 = time.perf_counter()
    bars = load_market(cfg)
    update, close = stderr_progress(len(bars))
    try:
        result = run_backtest(cfg, bars=bars, progress=update)
    finally:
        close()
    elapsed = time.perf_counter() - t0
    metrics = compute_metrics(result)
    print(format_summary(metrics))
    print(format_outcomes(result))
    table = result.extra.get("agent_decisions")
    if isinstance(table, list):
        print(format_agent_decisions(table))
    print(f"{len(bars):,} bars in {elapsed:.2f} s ({len(bars) / elapsed:,.0f} bars/s)")
    if not args.no_report:
        paths = write_report(result, metrics, Path(cfg.run.out_dir))
        print(f"report:  {paths.html}")
        print(f"metrics: {paths.json}")
        print(f"trades:  {paths.trades_csv}")
    if cfg.audit.db is not None:
        print(f"audit:   {cfg.audit.db}  ({result.audit_events:,} records; check it with")
        print(f"         dexagent audit verify --db {cfg.audit.db})")
    sys.stdout.flush()
    return 0
