"""load_bars (with validation) on 1,000,000 synthetic bars vs plain pandas/pyarrow reads.

Run: .venv/bin/python benchmarks/bench_data_load.py [--bars N] [--repeat R]
Prints the best-of-R time, bars/s, and the ratio to a reference measured in the same run.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow.parquet as pq

from dexagent.backtests.data import load_bars, write_bars_parquet
from dexagent.core.bars import Bars


def synthetic(n: int) -> Bars:
    rng = np.random.default_rng(7)
    close = np.round(2000.0 * np.exp(np.cumsum(rng.normal(0, 0.001, n))), 2)
    open_ = np.r_[2000.0, close[:-1]]
    high = np.round(np.maximum(open_, close) * (1 + rng.uniform(0, 0.001, n)), 2)
    low = np.round(np.minimum(open_, close) * (1 - rng.uniform(0, 0.001, n)), 2)
    volume = np.round(rng.uniform(0, 500, n), 4)
    ts = 1_672_531_200_000 + 60_000 * np.arange(n, dtype=np.int64)
    return Bars(ts, open_, high, low, close, volume, "SYN/USD", 60_000)


def best(fn: Callable[[], object], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--bars", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    bars = synthetic(args.bars)
    with tempfile.TemporaryDirectory() as tmp:
        csv = Path(tmp) / "bars.csv"
        frame = pd.DataFrame(
            {
                c: getattr(bars, c)
                for c in ("timestamp_ms", "open", "high", "low", "close", "volume")
            }
        )
        frame.to_csv(csv, index=False)
        parquet = write_bars_parquet(bars, Path(tmp) / "bars.parquet")
        rows = [
            ("CSV", lambda: load_bars(csv), lambda: pd.read_csv(csv), "pandas.read_csv"),
            (
                "Parquet",
                lambda: load_bars(parquet),
                lambda: pq.read_table(parquet),
                "pyarrow.parquet.read_table",
            ),
        ]
        print(
            f"{args.bars:,} bars, best of {args.repeat}; CSV {csv.stat().st_size / 1e6:.1f} MB, "
            f"Parquet {parquet.stat().st_size / 1e6:.1f} MB"
        )
        for name, ours, ref, ref_name in rows:
            t_ours, t_ref = best(ours, args.repeat), best(ref, args.repeat)
            print(
                f"{name:8s} load_bars+validate {t_ours:7.3f} s  {args.bars / t_ours:13,.0f} bars/s"
                f" | {ref_name} {t_ref:7.3f} s | ratio ours/ref {t_ours / t_ref:5.2f}"
            )


if __name__ == "__main__":
    main()
