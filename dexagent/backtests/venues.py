"""Build the simulated venue a backtest config asks for.

``kind = "uniswap_v3"``: an exact Uniswap V3 pool (:class:`V3PoolVenue`) initialised at the first
bar's close ``p``, the pair's base as token0. Each ``[[venue.v3_positions]]`` entry becomes one
minted position, converted exactly (integer and rational arithmetic, no floats):

* ticks: the lower bound ``p * (1 - range_pct/100)`` maps to the greatest tick at or below it,
  then down to a multiple of the fee tier's spacing; the upper bound ``p * (1 + range_pct/100)``
  to the least tick at or above it, then up to a multiple of the spacing (rounded outward);
  ``range_pct >= 100`` or ``"full"``: the full usable range of the spacing.
* liquidity: at the pool's initial ``sqrtPriceX96`` ``s`` a position of liquidity ``L`` on
  [sa, sb] holds ``L * 2^96 * (sb - s) / (s * sb)`` token0 and ``L * (s - sa) / 2^96`` token1
  (base units; ``s`` clamped into [sa, sb]); valued in quote base units at the pool price
  ``s^2 / 2^192`` that is ``L * k`` for a rational ``k``. ``L = floor(depth_raw / k)`` with
  ``depth_raw = depth_quote`` in quote base units: the largest liquidity worth at most
  ``depth_quote`` (the contract rounds the minted amounts up, by at most a base unit each).
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from fractions import Fraction
from math import isqrt

from dexagent.backtests.config import BacktestConfig, V3PositionConfig
from dexagent.connectors.simulated.base import SimulatedVenue
from dexagent.connectors.simulated.taker import TakerVenue
from dexagent.connectors.simulated.uniswap_v3.prices import raw_ratio, sqrt_price_x96_of
from dexagent.connectors.simulated.uniswap_v3.tick_math import (
    MAX_SQRT_RATIO,
    MAX_TICK,
    MIN_SQRT_RATIO,
    get_sqrt_ratio_at_tick,
    get_tick_at_sqrt_ratio,
)
from dexagent.connectors.simulated.uniswap_v3.venue import V3PoolVenue, V3Position
from dexagent.core.bars import Bars
from dexagent.core.errors import ConfigError
from dexagent.core.tokens import Pair, price_decimal

#: Uniswap V3 factory fee tiers (hundredths of a bip) and their tick spacings.
V3_TICK_SPACING: dict[int, int] = {100: 1, 500: 10, 3000: 60, 10000: 200}

_Q96 = 1 << 96


def build_venue(
    cfg: BacktestConfig, pair: Pair, balances: Mapping[str, int], bars: Bars
) -> SimulatedVenue:
    v = cfg.venue
    if v.kind == "taker":
        return TakerVenue(balances, fee_bps=v.fee_bps, half_spread_bps=v.half_spread_bps)
    from dexagent.connectors.simulated.gas import GasModel
    from dexagent.connectors.simulated.v2_pool import V2PoolVenue

    gas = None
    native = None
    if cfg.gas.enabled:
        native = cfg.gas.native.token()
        gas = GasModel.from_config(cfg.gas, bars)
    if v.kind == "uniswap_v3":
        price = price_decimal(bars.close[0])
        spacing = V3_TICK_SPACING[v.v3_fee]
        positions = [
            v3_position(p, pair, price, spacing, where=f"venue.v3_positions[{i}]")
            for i, p in enumerate(v.v3_positions)
        ]
        return V3PoolVenue(
            pair,
            balances,
            fee=v.v3_fee,
            tick_spacing=spacing,
            positions=positions,
            initial_price=price,
            base_is_token0=True,
            gas=gas,
            native=native if native is not None else cfg.gas.native.token(),
        )
    return V2PoolVenue(
        balances,
        pair,
        depth_quote=pair.quote.to_raw(v.depth_quote),
        fee_bps=int(v.fee_bps),
        gas=gas,
        native=native,
    )


def _sqrt_x96(ratio: Fraction) -> int:
    """floor(sqrt(ratio) * 2^96), clamped into the range ``get_tick_at_sqrt_ratio`` accepts."""
    s = isqrt(ratio.numerator * (1 << 192) // ratio.denominator)
    return min(max(s, MIN_SQRT_RATIO), MAX_SQRT_RATIO - 1)


def v3_ticks(range_pct: Decimal | str, pair: Pair, price: Decimal, spacing: int) -> tuple[int, int]:
    """[tick_lower, tick_upper) covering ``price`` +- ``range_pct`` %, rounded outward (base is
    token0, so pool price rises with the pair's price); see the module docstring."""
    max_usable = MAX_TICK // spacing * spacing
    if range_pct == "full" or Decimal(range_pct) >= 100:
        return -max_usable, max_usable
    r = Fraction(Decimal(range_pct)) / 100
    mid = raw_ratio(price, pair, base_is_token0=True)
    lo = get_tick_at_sqrt_ratio(_sqrt_x96(mid * (1 - r))) // spacing * spacing
    sqrt_hi = _sqrt_x96(mid * (1 + r))
    t = get_tick_at_sqrt_ratio(sqrt_hi)
    if get_sqrt_ratio_at_tick(t) < sqrt_hi:
        t += 1
    hi = -(-t // spacing) * spacing
    lo, hi = max(lo, -max_usable), min(hi, max_usable)
    if hi <= lo:
        hi = lo + spacing
    return lo, hi


def v3_liquidity(sqrt_price: int, sqrt_a: int, sqrt_b: int, depth_raw: int) -> int:
    """The largest liquidity on [sqrt_a, sqrt_b] whose tokens at ``sqrt_price`` are worth at
    most ``depth_raw`` quote base units (token0 = base, token1 = quote)."""
    s = min(max(sqrt_price, sqrt_a), sqrt_b)
    amount0_per_l = Fraction(_Q96 * (sqrt_b - s), s * sqrt_b)
    amount1_per_l = Fraction(s - sqrt_a, _Q96)
    value_per_l = amount0_per_l * Fraction(sqrt_price * sqrt_price, 1 << 192) + amount1_per_l
    return int(Fraction(depth_raw) / value_per_l)


def v3_position(
    pos: V3PositionConfig, pair: Pair, price: Decimal, spacing: int, *, where: str = "position"
) -> V3Position:
    """One configured position as ticks and exact liquidity at the initial ``price``."""
    lo, hi = v3_ticks(pos.range_pct, pair, price, spacing)
    sqrt_price = sqrt_price_x96_of(price, pair, base_is_token0=True)
    depth_raw = pair.quote.to_raw(pos.depth_quote)
    liquidity = v3_liquidity(
        sqrt_price, get_sqrt_ratio_at_tick(lo), get_sqrt_ratio_at_tick(hi), depth_raw
    )
    if liquidity <= 0:
        raise ConfigError(f"[{where}] depth_quote = {pos.depth_quote}: too small for any liquidity")
    return V3Position(lo, hi, liquidity)
