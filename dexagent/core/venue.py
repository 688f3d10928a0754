"""The Venue protocol: how an approved order becomes a fill (a DEX pool, a CEX, the simulator).

Required: ``name``; ``quote`` (no side effects); ``execute`` (idempotent by ``key``: a second
call with the same key returns the first fill and trades nothing); ``balances``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Protocol

from dexagent.core.intents import Fill, Order


@dataclass(frozen=True, slots=True)
class Quote:
    amount_in: int
    amount_out: int
    fee_in: int
    price: Decimal  # effective quote per base
    mid_price: Decimal  # before the trade
    gas_native: int = 0  # native base units (wei) the trade is expected to cost
    gas_price_wei: int | None = None  # the gas price that estimate used
    native_price: Decimal | None = None  # quote per native token at quote time


class Venue(Protocol):
    name: str

    async def quote(self, order: Order) -> Quote: ...

    async def execute(self, order: Order, *, key: str) -> Fill: ...

    async def balances(self) -> Mapping[str, int]: ...
