"""Backtest pipeline throughput against a plain numpy computation of the same strategy.

SMA(20)/SMA(50) crossover, long-only, all in on a cross up, flat on a cross down, fee 0.3%,
filled at the signal bar's close. The engine runs the whole pipeline (strategy, policy hook,
simulated fill, exact accounting, audit hook); the reference is vectorized numpy.

    .venv/bin/python benchmarks/bench_backtest.py            # 1M synthetic + bundled ETH/USDT
    .venv/bin/python benchmarks/bench_backtest.py --bars 200000 --skip-bundled
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import resource
import time
from decimal import Decimal
from typing import Any

import numpy as np

from dexagent.backtests.config import load_config
from dexagent.backtests.runner import run_backtest_async
from dexagent.core.audit import MemoryAuditSink
from dexagent.core.bars import Bars
from dexagent.strategies.indicators import sma

FEE = 0.003
OVERRIDES: dict[str, Any] = {
    "strategy.name": "sma_cross",
    "strategy.params": {"fast": 20, "slow": 50},
    "venue.kind": "taker",
    "venue.fee_bps": "30",
    "run.fill_at": "close",
    # 0.3% over ~22,500 trades shrinks equity ~1e-30 times: an 18-decimal quote and a huge
    # balance keep every order above one base unit, so the comparison is trade for trade.
    "market.quote": {"symbol": "USD", "decimals": 18},
    "portfolio.balances": {"USD": "1e32"},
}


def gbm(n: int, seed: int = 42) -> Bars:
    rng = np.random.default_rng(seed)
    dt = 1.0 / (365 * 24 * 60)
    r = (0.05 - 0.5 * 0.8**2) * dt + 0.8 * np.sqrt(dt) * rng.standard_normal(n)
    close = 2000.0 * np.exp(np.cumsum(r))
    close = np.round(close, 2)
    open_ = np.r_[2000.0, close[:-1]]
    ts = 1_672_531_200_000 + 60_000 * np.arange(n, dtype=np.int64)
    return Bars(
        ts,
        open_,
        np.maximum(open_, close),
        np.minimum(open_, close),
        close,
        np.ones(n),
        "SYN/USDT",
        60_000,
    )


def numpy_reference(close: np.ndarray) -> tuple[np.ndarray, np.ndarray, float]:
    """Trade bars, sides (+1 buy, -1 sell) and final equity multiple, all vectorized."""
    fast, slow = sma(close, 20), sma(close, 50)
    pos = (fast > slow).astype(np.int8)
    pos[np.isnan(slow)] = 0
    d = np.diff(pos, prepend=np.int8(0))
    idx = np.flatnonzero(d)
    side = d[idx].astype(np.int64)
    px = close[idx]
    buys, sells = px[side == 1], px[side == -1]
    k = sells.shape[0]
    growth = float(np.prod(sells / buys[:k] * (1 - FEE) ** 2))
    if buys.shape[0] > k:  # still long at the end: mark to the last close
        growth *= float(close[-1] / buys[-1] * (1 - FEE))
    return idx, side, growth


def run_engine(bars: Bars) -> tuple[Any, float]:
    cfg = load_config(None, OVERRIDES)
    gc.collect()
    t0 = time.perf_counter()
    result = asyncio.run(run_backtest_async(cfg, bars=bars, audit=MemoryAuditSink()))
    return result, time.perf_counter() - t0


def bench(label: str, bars: Bars) -> None:
    n = len(bars)
    t0 = time.perf_counter()
    ref_idx, ref_side, growth = numpy_reference(bars.close)
    t_ref = time.perf_counter() - t0
    result, t_eng = run_engine(bars)
    idx = np.asarray([f.bar for f in result.fills])
    side = np.asarray([1 if f.side.value == "buy" else -1 for f in result.fills])
    same = idx.shape == ref_idx.shape and bool((idx == ref_idx).all() and (side == ref_side).all())
    eq_ratio = result.final_equity / result.starting_equity
    print(f"\n== {label}: {n:,} bars, {len(result.fills):,} fills")
    print(f"numpy reference   {t_ref:8.3f} s  {n / t_ref:14,.0f} bars/s")
    print(f"dexagent engine   {t_eng:8.3f} s  {n / t_eng:14,.0f} bars/s")
    print(f"ratio engine/numpy: {t_eng / t_ref:.2f}x")
    print(f"same trades as numpy: {same}")
    print(f"final equity multiple: engine {eq_ratio:.6f} (exact ints), numpy {growth:.6f} (floats)")
    if not same:
        raise SystemExit("engine and numpy reference disagree on trades")


def bench_bar_by_bar(bars: Bars) -> None:
    """DCA runs bar by bar: cost per bar must stay flat as history grows."""
    cfg = load_config(
        None,
        {**OVERRIDES, "strategy.name": "dca", "strategy.params": {"every": 1440, "amount": "1"}},
    )
    print("\n== bar-by-bar strategy (DCA, on_bar on every bar)")
    for n in (len(bars) // 10, len(bars)):
        part = bars.head(n)
        gc.collect()
        t0 = time.perf_counter()
        r = asyncio.run(run_backtest_async(cfg, bars=part, audit=MemoryAuditSink()))
        dt = time.perf_counter() - t0
        print(
            f"{n:>10,} bars  {dt:7.3f} s  {n / dt:12,.0f} bars/s  "
            f"{dt / n * 1e9:7.0f} ns/bar  fills {len(r.fills)}"
        )


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--bars", type=int, default=1_000_000)
    ap.add_argument("--skip-bundled", action="store_true")
    args = ap.parse_args()
    bars = gbm(args.bars)
    bench("synthetic GBM 1m, seed 42", bars)
    if not args.skip_bundled:
        from dexagent.backtests.data import bundled_dataset, load_bars

        eth = load_bars(bundled_dataset("ETH/USDT"), symbol="ETH/USDT")
        bench("bundled Binance ETH/USDT 5m 2023", eth)
    bench_bar_by_bar(bars)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"\npeak RSS of this process: {peak:.0f} MB")
    _ = Decimal


if __name__ == "__main__":
    main()
