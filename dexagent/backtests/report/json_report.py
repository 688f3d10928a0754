"""``report.json``: metrics, the run's configuration and why orders did not trade.

Everything is plain JSON: ``Decimal`` money as exact strings, undefined numbers as ``null``,
times as epoch milliseconds with an ISO-8601 UTC twin.
"""

from __future__ import annotations

import dataclasses
import json
import math
import re
from collections import Counter
from collections.abc import Iterable, Mapping
from decimal import Decimal
from enum import Enum
from pathlib import Path
from typing import Any

import numpy as np

from dexagent.backtests.metrics import Metrics
from dexagent.backtests.report.formatting import iso_utc
from dexagent.backtests.result import BacktestResult
from dexagent.core.kernel import Denial, Rejection
from dexagent.core.tokens import Token

SCHEMA = "dexagent.backtest-report/1"
_NUMBER = re.compile(r"\d+(?:\.\d+)?(?:[eE][-+]?\d+)?")


def jsonable(value: Any) -> Any:
    """A JSON-safe copy: Decimals to strings, non-finite floats to None, unknown objects to str."""
    if value is None or isinstance(value, bool | int | str):
        return value
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, float | np.floating):
        x = float(value)
        return x if math.isfinite(x) else None
    if isinstance(value, np.integer):
        return int(value)
    if isinstance(value, Enum):
        return jsonable(value.value)
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: jsonable(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, Mapping):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset | np.ndarray):
        return [jsonable(v) for v in value]
    return str(value)


def metrics_json(m: Metrics) -> dict[str, Any]:
    out: dict[str, Any] = jsonable(m)
    out["start"] = iso_utc(m.start_ms)
    out["end"] = iso_utc(m.end_ms)
    dd = m.drawdown
    if dd is not None:
        out["drawdown"].update(
            peak=iso_utc(dd.peak_ms),
            trough=iso_utc(dd.trough_ms),
            recovery=iso_utc(dd.recovery_ms) if dd.recovered else None,
            recovered=dd.recovered,
        )
    return out


def _token(t: Token) -> dict[str, Any]:
    return {
        "symbol": t.symbol,
        "decimals": t.decimals,
        "address": t.address,
        "chain_id": t.chain_id,
    }


def config_json(result: BacktestResult) -> dict[str, Any]:
    return {
        "strategy": result.strategy,
        "params": jsonable(result.params),
        "venue": result.venue,
        "fill_at": result.fill_at,
        "pair": {
            "symbol": result.pair.symbol,
            "base": _token(result.pair.base),
            "quote": _token(result.pair.quote),
        },
        "periods_per_year": jsonable(result.periods_per_year),
        "decisions": result.decisions,
        "audit_events": result.audit_events,
        "extra": jsonable(result.extra),
    }


def denial_counts(denials: Iterable[Denial]) -> dict[str, Any]:
    """Count per denying rule (an order denied by two rules counts once for each)."""
    by_rule: Counter[str] = Counter()
    total = 0
    for d in denials:
        total += 1
        by_rule.update(d.decision.denied_by or ("(no rule named)",))
    return {"count": total, "by_rule": dict(by_rule.most_common())}


def rejection_counts(rejections: Iterable[Rejection]) -> dict[str, Any]:
    """Count per venue error, with numbers masked as ``#`` so one kind of error is one key."""
    by_reason: Counter[str] = Counter()
    total = 0
    for r in rejections:
        total += 1
        by_reason[_NUMBER.sub("#", r.error)[:200]] += 1
    return {"count": total, "by_reason": dict(by_reason.most_common())}


def build_report(result: BacktestResult, metrics: Metrics) -> dict[str, Any]:
    return {
        "schema": SCHEMA,
        "metrics": metrics_json(metrics),
        "config": config_json(result),
        "denials": denial_counts(result.denials),
        "rejections": rejection_counts(result.rejections),
    }


def write_json(result: BacktestResult, metrics: Metrics, path: Path) -> None:
    text = json.dumps(build_report(result, metrics), indent=2, allow_nan=False)
    path.write_text(text + "\n", encoding="utf-8")
