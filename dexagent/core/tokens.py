"""Tokens, pairs and exact conversions between base units (int) and human amounts (Decimal)."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_DOWN, Context, Decimal, localcontext

from dexagent.core.errors import ConfigError

#: Precision for price and amount arithmetic: far beyond any token's 18-36 decimals.
PRECISION = 60
#: The context for money arithmetic: 60 digits, and rounding toward zero, so an ``int()`` of a
#: result never credits more than exists. Call its methods (CTX.multiply) instead of operators.
CTX = Context(prec=PRECISION, rounding=ROUND_DOWN)
#: Reported prices (of fills) need no more than 28 significant digits; amounts stay exact ints.
PRICE_CTX = Context(prec=28)


@dataclass(frozen=True, slots=True)
class Token:
    """A fungible token: amounts of it are ``int`` counts of its smallest unit."""

    symbol: str
    decimals: int
    address: str | None = None
    chain_id: int | None = None

    def __post_init__(self) -> None:
        if not 0 <= self.decimals <= 36:
            raise ConfigError(f"token {self.symbol!r}: decimals {self.decimals} not in 0..36")

    @property
    def unit(self) -> int:
        return int(10**self.decimals)

    def to_raw(self, amount: Decimal | int | str) -> int:
        """Human amount -> base units, rounded down (never credit more than exists)."""
        with localcontext() as ctx:
            ctx.prec = PRECISION
            scaled = Decimal(amount) * self.unit
            return int(scaled.to_integral_value(rounding=ROUND_DOWN))

    def to_decimal(self, raw: int) -> Decimal:
        with localcontext() as ctx:
            ctx.prec = PRECISION
            return Decimal(raw) / self.unit

    def __str__(self) -> str:
        return self.symbol


@dataclass(frozen=True, slots=True)
class Pair:
    """A market: ``base`` priced in ``quote`` (ETH/USDT: price is USDT per ETH)."""

    base: Token
    quote: Token

    @property
    def symbol(self) -> str:
        return f"{self.base.symbol}/{self.quote.symbol}"

    def quote_raw_for(self, base_raw: int, price: Decimal) -> int:
        """Quote base units worth ``base_raw`` at ``price``, rounded down (integer math)."""
        n, d = price.as_integer_ratio()
        k = self.quote.decimals - self.base.decimals
        if k >= 0:
            return int(base_raw * n * 10**k // d)
        return int(base_raw * n // (d * 10**-k))

    def base_raw_for(self, quote_raw: int, price: Decimal) -> int:
        """Base units that ``quote_raw`` buys at ``price``, rounded down (integer math)."""
        n, d = price.as_integer_ratio()
        k = self.base.decimals - self.quote.decimals
        if k >= 0:
            return int(quote_raw * d * 10**k // n)
        return int(quote_raw * d // (n * 10**-k))

    def price_of(self, base_raw: int, quote_raw: int) -> Decimal:
        """Execution price (quote per base, human units) of a base/quote exchange, 28 digits."""
        scaled = Decimal(quote_raw).scaleb(self.base.decimals - self.quote.decimals)
        return PRICE_CTX.divide(scaled, Decimal(base_raw))

    def __str__(self) -> str:
        return self.symbol


_SCALES: dict[int, Decimal] = {}


def _scale(k: int) -> Decimal:
    """10**k as a Decimal, cached (k may be negative)."""
    d = _SCALES.get(k)
    if d is None:
        d = _SCALES[k] = Decimal(1).scaleb(k)
    return d


def price_decimal(value: float) -> Decimal:
    """A float market price -> Decimal via its shortest repr (``1196.12`` stays ``1196.12``)."""
    return Decimal(repr(float(value)))
