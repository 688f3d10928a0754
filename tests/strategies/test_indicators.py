from __future__ import annotations

import numpy as np
import pandas as pd

from dexagent.strategies.indicators import ffill, hold_between, rolling_max, rsi, shift, sma


def _x(n: int = 500) -> np.ndarray:
    return 100 + np.cumsum(np.random.default_rng(0).normal(0, 1, n))


def test_sma_matches_a_plain_rolling_mean() -> None:
    x = _x()
    expected = pd.Series(x).rolling(20).mean().to_numpy()
    np.testing.assert_allclose(sma(x, 20), expected, rtol=1e-12, equal_nan=True)


def test_rsi_matches_a_loop_implementation_of_wilder() -> None:
    x = _x(300)
    n = 14
    d = np.diff(x)
    ag = al = 0.0
    ref = np.full(x.shape, np.nan)
    for i, v in enumerate(d, start=1):
        g, lo = max(v, 0.0), max(-v, 0.0)
        if i == 1:
            ag, al = g, lo
        else:
            ag += (g - ag) / n
            al += (lo - al) / n
        if i >= n:
            ref[i] = 100.0 if al == 0 else 100 - 100 / (1 + ag / al)
    np.testing.assert_allclose(rsi(x, n), ref, rtol=1e-10, equal_nan=True)


def test_rolling_max_and_shift_are_causal() -> None:
    x = _x(50)
    m = shift(rolling_max(x, 5))
    for t in range(6, 50):
        assert m[t] == x[t - 5 : t].max()


def test_hold_between_enters_and_exits() -> None:
    enter = np.array([0, 1, 0, 0, 0, 1, 0], bool)
    exit_ = np.array([0, 0, 0, 1, 0, 0, 0], bool)
    assert hold_between(enter, exit_).tolist() == [0, 1, 1, 0, 0, 1, 1]


def test_ffill_keeps_leading_value() -> None:
    assert ffill(np.array([np.nan, 2.0, np.nan, 3.0]), initial=0.0).tolist() == [0, 2, 2, 3]
