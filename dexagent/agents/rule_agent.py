"""The default decision maker: picks a strategy by market regime, deterministically, offline.

trend, calm      -> sma_cross            (full capital)
trend, volatile  -> donchian_breakout    (3/4 capital)
range, calm      -> rsi_reversion 30/70  (full capital)
range, volatile  -> rsi_reversion 25/75  (3/4 capital)
storm            -> donchian_breakout, or rsi_reversion 20/80, at 1/4 capital
warm-up, or nothing allowed for the regime -> hold

Parameters are clamped into the allowlist's bounds; a strategy not on the allowlist is skipped
for the next one that fits the regime.
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal

from dexagent.agents.decision import Decision, ParamValue
from dexagent.agents.observation import Observation
from dexagent.agents.regime import (
    CALM,
    DEFAULT_THRESHOLDS,
    HIGH,
    STORM,
    Regime,
    Thresholds,
    current_regime,
)

Choice = tuple[str, dict[str, ParamValue]]

_TREND: dict[int, list[Choice]] = {
    CALM: [
        ("sma_cross", {"fast": 24, "slow": 96}),
        ("donchian_breakout", {"entry": 96, "exit": 48}),
    ],
    HIGH: [
        ("donchian_breakout", {"entry": 96, "exit": 48}),
        ("sma_cross", {"fast": 36, "slow": 144}),
    ],
    STORM: [
        ("donchian_breakout", {"entry": 96, "exit": 48}),
        ("sma_cross", {"fast": 48, "slow": 192}),
    ],
}
_RANGE: dict[int, list[Choice]] = {
    CALM: [("rsi_reversion", {"period": 14, "lower": 30.0, "upper": 70.0})],
    HIGH: [("rsi_reversion", {"period": 14, "lower": 25.0, "upper": 75.0})],
    STORM: [("rsi_reversion", {"period": 21, "lower": 20.0, "upper": 80.0})],
}
_CAPITAL = {CALM: Decimal(1), HIGH: Decimal("0.75"), STORM: Decimal("0.25")}


class RuleAgent:
    """``lookback``: bars over which trend strength and volatility are measured."""

    def __init__(self, lookback: int = 288, thresholds: Thresholds = DEFAULT_THRESHOLDS) -> None:
        self.lookback = lookback
        self.thresholds = thresholds

    async def decide(self, obs: Observation) -> Decision:
        return self.decide_now(obs)

    def decide_now(self, obs: Observation) -> Decision:
        r = current_regime(obs.bars, self.lookback, self.thresholds)
        if r.code < 0:
            return Decision.hold(f"warm-up: {len(obs.bars)} bars, need {self.lookback + 1}")
        table = _TREND if r.trending else _RANGE
        for name, params in table[r.vol_level]:
            bounds = obs.allowlist.get(name)
            if bounds is not None:
                return Decision(
                    "run",
                    name,
                    _clamp(params, bounds),
                    _CAPITAL[r.vol_level],
                    _why(r),
                )
        return Decision.hold(f"{_why(r)}; no allowed strategy for this regime")


def _why(r: Regime) -> str:
    return (
        f"regime {r.label}: trend strength {r.trend_strength:.3f}, "
        f"volatility {r.volatility:.2f}/year"
    )


def _clamp(
    params: dict[str, ParamValue], bounds: Mapping[str, Mapping[str, ParamValue]]
) -> dict[str, ParamValue]:
    out: dict[str, ParamValue] = {}
    for k, v in params.items():
        b = bounds.get(k, {})
        lo, hi = b.get("minimum"), b.get("maximum")
        if isinstance(v, int | float) and not isinstance(v, bool):
            if isinstance(lo, int | float) and v < lo:
                v = type(v)(lo)
            if isinstance(hi, int | float) and v > hi:
                v = type(v)(hi)
        out[k] = v
    return out
