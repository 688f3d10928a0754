"""Backtest/live parity: the backtester over the bars a live agent traded, decision by decision.

The live side is read from the agent's audit log (its ``decision`` and ``fill`` records; order ids
carry the bar they were decided on). The backtest runs the same strategy, parameters, policy and
starting balances over the same bars, filling at the decision bar's close on a simulated V2 pool
as deep as the live one. Decisions must match bar for bar; fills differ only by what the chain
really charges, reported in basis points.
"""

from __future__ import annotations

import asyncio
import json
import statistics
from collections.abc import Mapping
from decimal import Decimal
from pathlib import Path
from typing import Any

from dexagent.audit_log.store import Store
from dexagent.backtests.config import load_config
from dexagent.backtests.runner import run_backtest_async
from dexagent.core.audit import MemoryAuditSink
from dexagent.core.bars import Bars


def live_trades(audit_url: str) -> tuple[list[dict[str, Any]], dict[str, dict[str, Any]]]:
    """(decisions in order, fills by order id) from an agent's audit log."""
    decisions: list[dict[str, Any]] = []
    fills: dict[str, dict[str, Any]] = {}
    store = Store.open(audit_url)
    try:
        for rec in store.iter_records():
            if rec.type not in ("decision", "fill"):
                continue
            payload = rec.payload if isinstance(rec.payload, dict) else json.loads(rec.payload)
            if rec.type == "decision":
                decisions.append(payload)
            else:
                fills[str(payload["order"])] = payload
    finally:
        store.close()
    return decisions, fills


def bar_of(order_id: str) -> int:
    """The bar open time (ms) in a live order id ``<agent>-<bar ms>-<n>``."""
    return int(order_id.rsplit("-", 2)[1])


def compare_with_backtest(
    *,
    bars: Bars,
    offset_s: int,
    audit_url: str,
    policy_file: Path,
    strategy: Mapping[str, Any],
    start_balances: Mapping[str, Decimal],
    pool_quote_reserve: int,
) -> dict[str, Any]:
    decisions, live_fills = live_trades(audit_url)
    live = {
        (bar_of(d["order"]) - offset_s * 1000, d["side"]): d for d in decisions if d.get("approved")
    }
    cfg = load_config(
        None,
        {
            "market.base": {"symbol": "WETH", "decimals": 18},
            "market.quote": {"symbol": "USDC", "decimals": 6},
            "strategy.name": strategy["name"],
            "strategy.params": dict(strategy["params"]),
            "venue.kind": "uniswap_v2",
            "venue.fee_bps": "30",
            "venue.depth_quote": str(Decimal(pool_quote_reserve) / 10**6),
            "run.fill_at": "close",
            "policy.file": str(policy_file),
            "portfolio.balances": {k: str(v) for k, v in start_balances.items()},
            "gas.price_gwei": "1",
        },
    )
    sink = MemoryAuditSink()
    result = asyncio.run(run_backtest_async(cfg, bars=bars, audit=sink))
    bt_fills = {f.client_order_id: f for f in result.fills}
    backtest = {
        (e.timestamp_ms, e.payload["side"]): e.payload
        for e in sink.events
        if e.kind == "decision" and e.payload["approved"]
    }
    same = sorted(set(live) & set(backtest))
    diffs: list[float] = []
    gas_live: list[int] = []
    for key in same:
        lf = live_fills.get(str(live[key]["order"]))
        bf = bt_fills.get(str(backtest[key]["order"]))
        if lf is None or bf is None:
            continue
        live_px, bt_px = Decimal(lf["price"]), bf.price
        cost = (live_px - bt_px) if key[1] == "buy" else (bt_px - live_px)
        diffs.append(float(cost / bt_px * 10_000))
        gas_live.append(int(lf["gas_native"]))
    only_live = sorted(set(live) - set(backtest))
    only_backtest = sorted(set(backtest) - set(live))
    return {
        "bars": len(bars),
        "backtest_decisions": len(backtest),
        "live_decisions": len(live),
        "same_decisions": len(same),
        "only_live": [list(k) for k in only_live[:20]],
        "only_backtest": [list(k) for k in only_backtest[:20]],
        "compared_fills": len(diffs),
        "fill_diff_bps": {
            "meaning": "live fill price minus backtest fill price, as a cost (positive = live "
            "paid more), in basis points of the backtest price",
            "mean": round(statistics.fmean(diffs), 3) if diffs else None,
            "median": round(statistics.median(diffs), 3) if diffs else None,
            "max_abs": round(max(abs(d) for d in diffs), 3) if diffs else None,
        },
        "live_gas_wei_per_fill": round(statistics.fmean(gas_live)) if gas_live else None,
        "backtest_fees_quote": str(result.fees_quote),
        "backtest_gas_quote": str(result.gas_quote),
    }
