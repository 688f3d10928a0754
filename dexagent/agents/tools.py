"""Tools a model may call while deciding. Each reads only the frozen observation it is given,
so what it returns is point in time, and each result is fenced as data."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from decimal import Decimal
from typing import Any

import numpy as np

from dexagent.agents.observation import Observation
from dexagent.agents.prompt import fence, past_json
from dexagent.agents.regime import efficiency_ratio, periods_per_year, realized_vol
from dexagent.strategies.indicators import rsi, sma

Handler = Callable[[Observation, Mapping[str, Any]], str]


def _spec(name: str, description: str, props: dict[str, Any]) -> dict[str, Any]:
    return {
        "type": "function",
        "function": {
            "name": name,
            "description": description,
            "parameters": {"type": "object", "properties": props, "required": []},
        },
    }


TOOL_SPECS: tuple[dict[str, Any], ...] = (
    _spec(
        "market_summary",
        "Indicators over the most recent bars (up to now, never later).",
        {
            "bars": {
                "type": "integer",
                "minimum": 10,
                "maximum": 5000,
                "description": "how many recent bars to summarize (default 288)",
            }
        },
    ),
    _spec("portfolio", "Current balances, equity and base exposure.", {}),
    _spec(
        "policy_limits",
        "The allowlist of strategies with parameter bounds, and the policy's limits. Read-only.",
        {},
    ),
    _spec(
        "recent_decisions",
        "Earlier decisions with their outcomes (equity change since).",
        {"n": {"type": "integer", "minimum": 1, "maximum": 50, "description": "default 5"}},
    ),
)
TOOL_NAMES = frozenset(s["function"]["name"] for s in TOOL_SPECS)


def _int_arg(args: Mapping[str, Any], key: str, default: int, lo: int, hi: int) -> int:
    v = args.get(key, default)
    if not isinstance(v, int) or isinstance(v, bool):
        v = default
    return max(lo, min(hi, v))


def _f(x: float) -> float | None:
    return None if x != x else round(float(x), 6)


def market_summary(obs: Observation, args: Mapping[str, Any]) -> str:
    n = min(_int_arg(args, "bars", 288, 10, 5000), len(obs.bars))
    close = obs.bars.close[-n:]
    if n < 3:
        return fence("market_summary", {"bars": n, "note": "not enough history"})
    look = n - 1
    ppy = periods_per_year(obs.bars)
    summary = {
        "bars": n,
        "from": int(obs.bars.timestamp_ms[-n]),
        "to": int(obs.bars.timestamp_ms[-1]),
        "close": _f(close[-1]),
        "return_pct": _f((close[-1] / close[0] - 1) * 100),
        "high": _f(float(np.max(obs.bars.high[-n:]))),
        "low": _f(float(np.min(obs.bars.low[-n:]))),
        "trend_strength": _f(efficiency_ratio(close, look)[-1]),
        "volatility_per_year": _f(realized_vol(close, look, ppy)[-1]),
        "sma_20": _f(sma(close, 20)[-1]) if n >= 20 else None,
        "sma_50": _f(sma(close, 50)[-1]) if n >= 50 else None,
        "rsi_14": _f(rsi(close, 14)[-1]) if n > 14 else None,
    }
    return fence("market_summary", summary)


def portfolio(obs: Observation, args: Mapping[str, Any]) -> str:
    pair = obs.pair
    base = pair.base.to_decimal(obs.balances.get(pair.base.symbol, 0))
    quote = pair.quote.to_decimal(obs.balances.get(pair.quote.symbol, 0))
    eq = obs.equity_quote
    exposure = (base * obs.price / eq).quantize(Decimal("0.0001")) if eq > 0 else Decimal(0)
    return fence(
        "portfolio",
        {
            "balances": {pair.base.symbol: str(base), pair.quote.symbol: str(quote)},
            "equity_quote": str(eq),
            "base_exposure": str(exposure),
            "price": str(obs.price),
        },
    )


def policy_limits(obs: Observation, args: Mapping[str, Any]) -> str:
    allow = {s: {p: dict(b) for p, b in ps.items()} for s, ps in obs.allowlist.items()}
    return fence("policy_limits", {"allowlist": allow, "limits": dict(obs.limits)})


def recent_decisions(obs: Observation, args: Mapping[str, Any]) -> str:
    n = _int_arg(args, "n", 5, 1, 50)
    return fence("recent_decisions", [past_json(d) for d in obs.recent[-n:]])


HANDLERS: dict[str, Handler] = {
    "market_summary": market_summary,
    "portfolio": portfolio,
    "policy_limits": policy_limits,
    "recent_decisions": recent_decisions,
}


def run_tool(obs: Observation, name: str, args: object) -> str:
    handler = HANDLERS.get(name)
    if handler is None:
        return fence("error", {"error": f"unknown tool {name!r}", "tools": sorted(HANDLERS)})
    return handler(obs, args if isinstance(args, Mapping) else {})
