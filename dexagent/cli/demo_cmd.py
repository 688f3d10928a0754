"""``dexagent demo``: the main job — backtest, live agent on a replayed chain, verify, parity."""

from __future__ import annotations

import argparse
from pathlib import Path


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    p = sub.add_parser(
        "demo",
        help="the whole product: backtest, a live agent on a local chain, audit verify, parity",
    )
    p.add_argument("--out", type=Path, default=Path("runs/latest"), help="where results go")
    p.add_argument("--bars", type=int, default=240, help="hourly bars replayed on chain")
    p.add_argument("--start", default="2023-10-01", help="first replayed bar (UTC date)")
    p.add_argument(
        "--bar-seconds", type=float, default=0.15, help="real seconds per replayed bar (minimum)"
    )
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from dexagent.service.demo import DemoOptions, run_demo

    return run_demo(
        DemoOptions(out=args.out, bars=args.bars, start=args.start, bar_seconds=args.bar_seconds)
    )
