"""V3PoolVenue: a concentrated-liquidity pool as a backtest venue."""

from __future__ import annotations

from decimal import Decimal

import pytest

from dexagent.connectors.simulated.gas import GasModel
from dexagent.connectors.simulated.uniswap_v3.pool import V3Pool
from dexagent.connectors.simulated.uniswap_v3.prices import spaced_tick_of, sqrt_price_x96_of
from dexagent.connectors.simulated.uniswap_v3.tick_math import MAX_SQRT_RATIO, MIN_SQRT_RATIO
from dexagent.connectors.simulated.uniswap_v3.venue import V3PoolVenue, V3Position
from dexagent.core.errors import ConfigError, InsufficientBalance
from dexagent.core.intents import Intent, Order, Side
from dexagent.core.tokens import Pair, Token

WETH, USDC = Token("WETH", 18), Token("USDC", 6)
PAIR = Pair(WETH, USDC)
PX = Decimal("2000")


def _ticks(lo: str, hi: str, base0: bool) -> tuple[int, int]:
    a = spaced_tick_of(Decimal(lo), PAIR, base_is_token0=base0, tick_spacing=10)
    b = spaced_tick_of(Decimal(hi), PAIR, base_is_token0=base0, tick_spacing=10)
    return min(a, b), max(a, b)


def _venue(base0: bool = True, gas: GasModel | None = None, **bal: int) -> V3PoolVenue:
    full = (-887270, 887270)
    narrow = _ticks("1900", "2100", base0)
    upper = _ticks("2100", "2300", base0)
    positions = [
        V3Position(*full, 10**15),
        V3Position(*narrow, 10**17),
        V3Position(*upper, 5 * 10**16),
    ]
    balances = bal or {"WETH": 10**21, "USDC": 10**13, "ETH": 10**18}
    return V3PoolVenue(
        PAIR, balances, fee=500, tick_spacing=10, positions=positions, initial_price=PX,
        base_is_token0=base0, gas=gas,
    )  # fmt: skip


def _order(side: Side, amount: int, key: str = "o1") -> Order:
    intent = Intent.buy_quote(PAIR, amount) if side is Side.BUY else Intent.sell_base(PAIR, amount)
    return Order(key, intent, side, amount, PX, 0, 0, 0)


@pytest.mark.parametrize("base0", [True, False])
def test_set_market_arbitrages_the_pool_to_the_bar_price(base0: bool) -> None:
    v = _venue(base0)
    for px in ("2000", "2150.5", "1950", "2500", "2000"):
        v.set_market(price=Decimal(px), t_ms=0, bar=0, native_price=PX)
        assert v.pool.sqrt_price_x96 == sqrt_price_x96_of(Decimal(px), PAIR, base_is_token0=base0)
        assert abs(v.mid_price / Decimal(px) - 1) < Decimal("1e-20")
    # back at 2000 the active liquidity is again the full range plus the narrow position
    assert v.pool.liquidity == 10**15 + 10**17


@pytest.mark.parametrize("base0", [True, False])
@pytest.mark.parametrize("side", [Side.BUY, Side.SELL])
async def test_fill_has_the_exact_amounts_of_the_pool_swap(base0: bool, side: Side) -> None:
    v = _venue(base0)
    v.set_market(price=PX, t_ms=5, bar=3, native_price=PX)
    amount = 5_000 * 10**6 if side is Side.BUY else 3 * 10**18
    twin: V3Pool = v.pool.copy()
    zfo = (side is Side.SELL) == base0
    r = twin.swap_result(zfo, amount, MIN_SQRT_RATIO + 1 if zfo else MAX_SQRT_RATIO - 1)
    q = await v.quote(_order(side, amount))
    fill = await v.execute(_order(side, amount), key="k1")
    out = -(r.amount1 if zfo else r.amount0)
    assert (fill.amount_in, fill.amount_out, fill.fee_in) == (amount, out, r.fee_amount)
    assert (q.amount_in, q.amount_out, q.fee_in) == (amount, out, r.fee_amount)
    assert v.pool.sqrt_price_x96 == twin.sqrt_price_x96
    assert abs(fill.fee_in - amount * 500 // 1_000_000) <= 1  # 0.05 % of the input
    assert fill.impact_bps > Decimal("4.9")  # fee plus price impact, never better than mid
    assert (fill.bar, fill.timestamp_ms, fill.venue) == (3, 5, "uniswap_v3_sim")


async def test_quote_has_no_side_effects_and_execute_is_idempotent_by_key() -> None:
    v = _venue()
    v.set_market(price=PX, t_ms=0, bar=0, native_price=PX)
    before = v.pool.sqrt_price_x96
    await v.quote(_order(Side.BUY, 10**9))
    assert v.pool.sqrt_price_x96 == before
    first = await v.execute(_order(Side.BUY, 10**9), key="same")
    moved = v.pool.sqrt_price_x96
    assert moved > before  # buying WETH (token0) with USDC raises the price
    again = await v.execute(_order(Side.BUY, 10**9), key="same")
    assert again is first and v.pool.sqrt_price_x96 == moved


async def test_a_large_order_crosses_ticks_and_pays_more_per_unit() -> None:
    v = _venue()
    v.set_market(price=PX, t_ms=0, bar=0, native_price=PX)
    small = await v.quote(_order(Side.BUY, 1_000 * 10**6))
    big = v.pool.quote_swap(False, 2_000_000 * 10**6, MAX_SQRT_RATIO - 1)  # USDC in
    assert big.ticks_crossed >= 1  # through the narrow range's upper edge into the next
    q_big = await v.quote(_order(Side.BUY, 2_000_000 * 10**6))
    assert q_big.price > small.price > PX


async def test_order_larger_than_balance_is_refused() -> None:
    v = _venue(WETH=10**18, USDC=10**6)
    v.set_market(price=PX, t_ms=0, bar=0, native_price=PX)
    with pytest.raises(InsufficientBalance):
        await v.execute(_order(Side.SELL, 2 * 10**18), key="k")
    assert v.pool.sqrt_price_x96 == sqrt_price_x96_of(PX, PAIR, base_is_token0=True)


async def test_gas_is_charged_in_native_and_booked_in_quote_rounded_up() -> None:
    gas = GasModel.constant(Decimal("20"), units=150_000)
    v = _venue(gas=gas)
    v.set_market(price=PX, t_ms=0, bar=0, native_price=Decimal("2000.5"))
    fill = await v.execute(_order(Side.BUY, 10**9), key="g")
    assert fill.gas_native == 150_000 * 20 * 10**9
    # 0.003 ETH at 2000.5 USDC = 6.0015 USDC exactly
    assert fill.gas_quote == 6_001_500


def test_a_position_the_contract_refuses_is_a_config_error() -> None:
    with pytest.raises(ConfigError, match="TLU"):
        V3PoolVenue(
            PAIR, {}, fee=500, tick_spacing=10, positions=[V3Position(10, 10, 1)],
            initial_price=PX,
        )  # fmt: skip
