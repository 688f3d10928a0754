"""Human prices (quote per base, Decimal) <-> a V3 pool's sqrtPriceX96 and ticks, exactly."""

from __future__ import annotations

import math
from decimal import Decimal
from fractions import Fraction

from dexagent.connectors.simulated.uniswap_v3.tick_math import (
    MAX_SQRT_RATIO,
    MIN_SQRT_RATIO,
    get_tick_at_sqrt_ratio,
)
from dexagent.core.errors import ConfigError
from dexagent.core.tokens import PRICE_CTX, Pair


def raw_ratio(price: Decimal, pair: Pair, *, base_is_token0: bool) -> Fraction:
    """token1 base units per token0 base unit for a human ``price`` of ``pair``."""
    if not price.is_finite() or price <= 0:
        raise ConfigError(f"{pair}: price {price} must be a finite number > 0")
    p = Fraction(price)
    if base_is_token0:
        return p * Fraction(pair.quote.unit, pair.base.unit)
    return Fraction(pair.base.unit, pair.quote.unit) / p


def sqrt_price_x96_of(price: Decimal, pair: Pair, *, base_is_token0: bool) -> int:
    """floor(sqrt(token1 per token0) * 2^96), clamped into the pool's open price range."""
    r = raw_ratio(price, pair, base_is_token0=base_is_token0)
    s = math.isqrt(r.numerator * (1 << 192) // r.denominator)
    return min(max(s, MIN_SQRT_RATIO + 1), MAX_SQRT_RATIO - 1)


def price_of_sqrt(sqrt_price_x96: int, pair: Pair, *, base_is_token0: bool) -> Decimal:
    """Human quote-per-base price of a pool price (28 significant digits)."""
    raw = Fraction(sqrt_price_x96 * sqrt_price_x96, 1 << 192)
    if base_is_token0:
        human = raw * Fraction(pair.base.unit, pair.quote.unit)
    else:
        human = Fraction(pair.base.unit, pair.quote.unit) / raw
    return PRICE_CTX.divide(Decimal(human.numerator), Decimal(human.denominator))


def spaced_tick_of(price: Decimal, pair: Pair, *, base_is_token0: bool, tick_spacing: int) -> int:
    """The usable tick (a multiple of ``tick_spacing``) at or below ``price`` in pool terms."""
    tick = get_tick_at_sqrt_ratio(sqrt_price_x96_of(price, pair, base_is_token0=base_is_token0))
    return tick // tick_spacing * tick_spacing
