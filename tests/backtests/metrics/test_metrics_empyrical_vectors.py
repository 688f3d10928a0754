"""Our return statistics reproduce every applicable case of empyrical's own test suite."""

from __future__ import annotations

import json
import math
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest

from dexagent.backtests import metrics as m

VECTORS = Path(__file__).parents[2] / "vectors" / "metrics" / "empyrical_metrics.json"
DATA = json.loads(VECTORS.read_text())
FACTORS: dict[str, float] = DATA["conventions"]["annualization_factors"]
# pandas 3 spells empyrical-era frequencies differently
FREQ = {"D": "D", "W (W-SUN)": "W-SUN", "W": "W-SUN", "M (month end)": "ME", "M": "ME", "A": "YE"}

NOT_IMPLEMENTED = {
    "excess_sharpe",
    "alpha_beta",
    "alpha",
    "down_capture",
    "up_down_capture",
    "up_capture",
    "capture",
    "beta_fragility_heuristic",
    "roll_sharpe_ratio",
    "roll_max_drawdown",
}


def _num(x: Any) -> float:
    return float(x) if not isinstance(x, str) else float(x.replace("Infinity", "inf"))


def _series(name: str) -> tuple[np.ndarray, np.ndarray]:
    """(values, timestamp_ms) of a named series; a data frame gives a 2-D (n, columns) array."""
    spec = DATA["series"][name]
    idx = spec["index"]
    if "values_pct" in spec:
        values = np.array([_num(v) for v in spec["values_pct"]]) / 100.0
    elif "columns" in spec:
        cols = spec["columns"]
        if cols == "same as df_simple":
            cols = DATA["series"]["df_simple"]["columns"]
        values = np.column_stack([np.array(c, dtype=float) for c in cols.values()])
    else:
        gen = spec["generator"]
        n = idx["periods"]
        values = {
            "flat_line_1_tz": np.full(n, 0.01),
            "flat_line_0": np.zeros(n),
            "pos_line": np.linspace(0, 1, num=n),
        }[name]
        assert str(n) in gen or "linspace" in gen
    return values, _index(idx)


def _index(idx: dict[str, Any]) -> np.ndarray:
    dates = pd.date_range(idx["start"], periods=idx["periods"], freq=FREQ[idx["freq"]])
    return (dates.as_unit("ms").asi8).astype(np.int64)


def _arg(spec: Any) -> tuple[Any, np.ndarray | None]:
    if isinstance(spec, dict) and "series" in spec:
        values, ts = _series(spec["series"])
        return values, ts
    if isinstance(spec, dict) and "inline_series" in spec:
        return np.array(spec["inline_series"], dtype=float), _index(spec["index"])
    return spec, None


def _factor(args: dict[str, Any]) -> dict[str, float]:
    return {"periods_per_year": FACTORS[args["period"]]} if "period" in args else {}


def _call(case: dict[str, Any], returns: np.ndarray, ts: np.ndarray | None) -> Any:
    args = case["args"]
    fn = case["function"]
    other = {k: _arg(v)[0] for k, v in args.items() if k not in ("returns", "period")}
    calls: dict[str, Callable[[], Any]] = {
        "cum_returns": lambda: m.cum_returns(returns, **other),
        "cum_returns_final": lambda: m.cum_returns_final(returns, **other),
        "max_drawdown": lambda: m.max_drawdown(returns),
        "annual_return": lambda: m.annual_return(returns, **_factor(args)),
        "cagr": lambda: m.cagr(returns, **_factor(args)),
        "annual_volatility": lambda: m.annual_volatility(returns, **_factor(args)),
        "calmar_ratio": lambda: m.calmar_ratio(returns, **_factor(args)),
        "omega_ratio": lambda: m.omega_ratio(returns, **other),
        "sharpe_ratio": lambda: m.sharpe_ratio(returns, **other),
        "downside_risk": lambda: m.downside_risk(returns, **other, **_factor(args)),
        "sortino_ratio": lambda: m.sortino_ratio(returns, **other, **_factor(args)),
        "stability_of_timeseries": lambda: m.stability_of_timeseries(returns),
        "tail_ratio": lambda: m.tail_ratio(returns),
        "aggregate_returns": lambda: m.aggregate_returns(returns, ts, other["convert_to"])[1],
    }
    return calls[fn]()


def _cases() -> list[Any]:
    """Every case of a function we implement (the others are listed in NOT_IMPLEMENTED)."""
    return [
        pytest.param(case, id=f"{i}-{case['function']}")
        for i, case in enumerate(DATA["cases"])
        if case["function"] not in NOT_IMPLEMENTED
    ]


def _close(got: float, want: float, places: int) -> bool:
    if math.isnan(want):
        return math.isnan(got)
    if math.isinf(want):
        return got == want
    return abs(got - want) < 1.5 * 10.0 ** (-places)


@pytest.mark.parametrize("case", _cases())
def test_return_statistic_matches_empyrical_case(case: dict[str, Any]) -> None:
    returns, ts = _arg(case["args"]["returns"])
    want = case["expected"]
    places = case["decimal_places"]
    if returns.ndim == 2:  # a data frame: empyrical works per column
        got = [_call(case, returns[:, j], ts) for j in range(returns.shape[1])]
    else:
        got = _call(case, returns, ts)
    if isinstance(want, list):
        got_list = np.asarray(got, dtype=float).ravel().tolist()
        assert len(got_list) == len(want)
        for g, w in zip(got_list, want, strict=True):
            assert _close(g, _num(w), places), (got_list, want)
    else:
        assert _close(float(got), _num(want), places), (got, want)


def test_every_vector_function_is_either_implemented_or_listed_as_skipped() -> None:
    names = {c["function"] for c in DATA["cases"]}
    implemented = names - NOT_IMPLEMENTED
    assert all(hasattr(m, n) for n in implemented), implemented
    assert len(DATA["cases"]) == 132
    assert len(_cases()) == 90  # the cases of the functions we implement all run
