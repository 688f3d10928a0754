"""Model calls, tokens and an estimated cost, for the backtest report.

Prices are list prices per million tokens in USD as published by providers in 2025; they
change, so costs here are estimates. A model not in the table has no estimate (None).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

PRICES_PER_MTOK: dict[str, tuple[str, str]] = {  # model id fragment -> (input, output) USD
    "gpt-4o-mini": ("0.15", "0.60"),
    "gpt-4o": ("2.50", "10.00"),
    "gpt-4.1-mini": ("0.40", "1.60"),
    "gpt-4.1": ("2.00", "8.00"),
    "claude-3-5-haiku": ("0.80", "4.00"),
    "claude-haiku-4-5": ("1.00", "5.00"),
    "claude-sonnet-4": ("3.00", "15.00"),
    "ollama": ("0", "0"),
}


@dataclass(frozen=True, slots=True)
class Usage:
    model_id: str
    tokens_in: int
    tokens_out: int
    replayed: bool
    latency_s: float


@dataclass(frozen=True, slots=True)
class UsageReport:
    calls: int
    replayed: int
    tokens_in: int
    tokens_out: int
    estimated_cost_usd: Decimal | None  # None: some model has no known price
    by_model: dict[str, tuple[int, int, int]]  # model -> (calls, tokens in, tokens out)

    def lines(self) -> list[str]:
        cost = (
            f"~${self.estimated_cost_usd:.4f} (estimate from list prices)"
            if self.estimated_cost_usd is not None
            else "unknown (no price for some model)"
        )
        out = [
            f"model calls: {self.calls} ({self.replayed} replayed from the cassette)",
            f"tokens: {self.tokens_in} in, {self.tokens_out} out",
            f"estimated cost: {cost}",
        ]
        out += [
            f"  {m}: {c} calls, {i} in, {o} out" for m, (c, i, o) in sorted(self.by_model.items())
        ]
        return out


def price_for(model_id: str, prices: dict[str, tuple[str, str]]) -> tuple[Decimal, Decimal] | None:
    mid = model_id.split(":", 1)[-1]
    if model_id.startswith("ollama:"):
        mid = "ollama"
    for frag in sorted(prices, key=len, reverse=True):  # the most specific name first
        if frag in mid:
            i, o = prices[frag]
            return Decimal(i), Decimal(o)
    return None


def usage_report(
    usage: Sequence[Usage], prices: dict[str, tuple[str, str]] | None = None
) -> UsageReport:
    table = PRICES_PER_MTOK if prices is None else prices
    by: dict[str, tuple[int, int, int]] = {}
    cost: Decimal | None = Decimal(0)
    for u in usage:
        c, i, o = by.get(u.model_id, (0, 0, 0))
        by[u.model_id] = (c + 1, i + u.tokens_in, o + u.tokens_out)
    for m, (_, i, o) in by.items():
        p = price_for(m, table)
        if p is None or cost is None:
            cost = None
            continue
        cost += (p[0] * i + p[1] * o) / 1_000_000
    return UsageReport(
        calls=len(usage),
        replayed=sum(u.replayed for u in usage),
        tokens_in=sum(u.tokens_in for u in usage),
        tokens_out=sum(u.tokens_out for u in usage),
        estimated_cost_usd=cost,
        by_model=by,
    )
