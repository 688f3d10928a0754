"""Small builders shared by tests (no fixtures with hidden state)."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from dexagent.core.bars import Bars
from dexagent.core.tokens import Pair, Token

WETH = Token("WETH", 18)
USDT = Token("USDT", 6)
ETH = Token("ETH", 18)
PAIR = Pair(WETH, USDT)
HOUR = 3_600_000


def make_bars(
    closes: Sequence[float],
    opens: Sequence[float] | None = None,
    start_ms: int = 0,
    step_ms: int = HOUR,
) -> Bars:
    c = np.asarray(closes, dtype=np.float64)
    o = np.asarray(opens, dtype=np.float64) if opens is not None else np.r_[c[:1], c[:-1]]
    hi = np.maximum(o, c)
    lo = np.minimum(o, c)
    ts = start_ms + step_ms * np.arange(len(c), dtype=np.int64)
    return Bars(ts, o, hi, lo, c, np.ones_like(c), "WETH/USDT", step_ms)


def gbm_bars(n: int, seed: int = 42, start: float = 2000.0, vol: float = 0.001) -> Bars:
    rng = np.random.default_rng(seed)
    close = start * np.exp(np.cumsum(rng.normal(0.0, vol, n)))
    opens = np.r_[start, close[:-1]] * np.exp(rng.normal(0.0, vol / 4, n))
    return make_bars(close.tolist(), opens.tolist())
