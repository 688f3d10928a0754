"""Intents: what a strategy or agent wants done, as data. Nothing here touches a venue."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from enum import StrEnum

from dexagent.core.errors import ConfigError
from dexagent.core.tokens import Pair


class Side(StrEnum):
    BUY = "buy"  # pay quote, receive base
    SELL = "sell"  # pay base, receive quote


class SizeKind(StrEnum):
    BASE = "base"  # exact base units to sell (or to buy, quoted by the sizer)
    QUOTE = "quote"  # exact quote units to spend (buy) or receive (sell, quoted by the sizer)
    FRACTION = "fraction"  # fraction of the balance of the token paid in
    TARGET = "target"  # target exposure: base value as a fraction of equity (no side)


@dataclass(frozen=True, slots=True)
class Intent:
    """A wish to trade ``pair``; the kernel sizes it, the policy bounds it, a venue fills it."""

    pair: Pair
    side: Side | None
    kind: SizeKind
    amount: int | Decimal
    strategy: str = ""
    reason: str = ""
    max_slippage_bps: int | None = None
    meta: tuple[tuple[str, str], ...] = field(default=())

    def __post_init__(self) -> None:
        if self.kind is SizeKind.TARGET:
            if self.side is not None:
                raise ConfigError("a TARGET intent has no side")
        elif self.side is None:
            raise ConfigError(f"a {self.kind.value} intent needs a side")
        if self.kind in (SizeKind.BASE, SizeKind.QUOTE):
            if not isinstance(self.amount, int) or self.amount <= 0:
                raise ConfigError(f"{self.kind.value} amount must be a positive int of base units")
        else:
            if not isinstance(self.amount, Decimal) or not Decimal(0) <= self.amount <= 1:
                raise ConfigError(f"{self.kind.value} amount must be a Decimal in [0, 1]")

    @classmethod
    def target(cls, pair: Pair, exposure: Decimal, strategy: str = "", reason: str = "") -> Intent:
        return cls(pair, None, SizeKind.TARGET, exposure, strategy, reason)

    @classmethod
    def buy_quote(cls, pair: Pair, quote_raw: int, strategy: str = "", reason: str = "") -> Intent:
        return cls(pair, Side.BUY, SizeKind.QUOTE, quote_raw, strategy, reason)

    @classmethod
    def sell_base(cls, pair: Pair, base_raw: int, strategy: str = "", reason: str = "") -> Intent:
        return cls(pair, Side.SELL, SizeKind.BASE, base_raw, strategy, reason)

    @classmethod
    def fraction(
        cls, pair: Pair, side: Side, frac: Decimal, strategy: str = "", reason: str = ""
    ) -> Intent:
        return cls(pair, side, SizeKind.FRACTION, frac, strategy, reason)


@dataclass(frozen=True, slots=True)
class Order:
    """A sized intent: exact amount in, priced against a reference at decision time."""

    client_order_id: str
    intent: Intent
    side: Side
    amount_in: int  # base units of the token paid in (quote for BUY, base for SELL)
    ref_price: Decimal  # quote per base at decision time
    notional_quote: int  # quote base units at ref_price
    decided_at_ms: int
    decided_bar: int

    @property
    def pair(self) -> Pair:
        return self.intent.pair


@dataclass(frozen=True, slots=True)
class Fill:
    """What a venue actually did: exact amounts, fees and gas."""

    client_order_id: str
    pair: Pair
    side: Side
    amount_in: int  # paid, in token-in base units (fee included)
    amount_out: int  # received, in token-out base units
    fee_in: int  # part of amount_in kept by the venue as fee
    price: Decimal  # effective quote per base
    ref_price: Decimal  # venue mid price before the trade
    gas_native: int = 0  # native-token base units (wei) paid for gas
    gas_quote: int = 0  # the same gas booked in quote base units at the native price
    timestamp_ms: int = 0
    bar: int = -1
    venue: str = ""
    tx_hash: str | None = None

    @property
    def base_amount(self) -> int:
        return self.amount_out if self.side is Side.BUY else self.amount_in

    @property
    def quote_amount(self) -> int:
        return self.amount_in if self.side is Side.BUY else self.amount_out

    @property
    def impact_bps(self) -> Decimal:
        """Price impact + fee against the pre-trade mid, in basis points (positive = cost)."""
        if self.ref_price == 0:
            return Decimal(0)
        diff = self.price - self.ref_price if self.side is Side.BUY else self.ref_price - self.price
        return diff / self.ref_price * 10_000
