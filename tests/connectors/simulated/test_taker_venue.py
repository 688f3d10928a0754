"""TakerVenue: fee and half-spread exact on hand-computed fills, idempotency, balance checks."""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal

import pytest

from dexagent.connectors.simulated.taker import TakerVenue
from dexagent.core.errors import ConfigError, InsufficientBalance, RejectedError
from dexagent.core.intents import Intent, Order, Side, SizeKind
from tests.support import PAIR

USD = 10**6
WEI = 10**18


def order(side: Side, amount_in: int) -> Order:
    kind = SizeKind.QUOTE if side is Side.BUY else SizeKind.BASE
    return Order(
        "o-1", Intent(PAIR, side, kind, amount_in), side, amount_in, Decimal(2000), 0, 0, 0
    )


def taker(balances: Mapping[str, int] | None = None) -> TakerVenue:
    bal = balances if balances is not None else {"USDT": 10**6 * USD, "WETH": 100 * WEI}
    v = TakerVenue(bal, fee_bps=Decimal(10), half_spread_bps=Decimal(5))
    v.set_market(price=Decimal(2000), t_ms=5_000, bar=3, native_price=Decimal(0))
    return v


async def test_buy_pays_fee_then_fills_net_at_mid_plus_half_spread() -> None:
    # 1,000 USDT: fee 10 bps = 1 USDT; 999 USDT at 2000 * 1.0005 = 2001 -> 999/2001 WETH
    fill = await taker().execute(order(Side.BUY, 1_000 * USD), key="k")
    assert fill.fee_in == 1 * USD
    assert fill.amount_out == 499_250_374_812_593_703  # floor(999e18 / 2001)
    assert fill.ref_price == 2000
    assert (fill.timestamp_ms, fill.bar, fill.venue) == (5_000, 3, "taker")


async def test_sell_pays_fee_then_fills_net_at_mid_minus_half_spread() -> None:
    # 1 WETH: fee 0.001 WETH; 0.999 WETH at 2000 * 0.9995 = 1999 -> 1,997.001 USDT
    fill = await taker().execute(order(Side.SELL, WEI), key="k")
    assert fill.fee_in == WEI // 1_000
    assert fill.amount_out == 1_997_001_000
    assert fill.price == Decimal("1997.001")


async def test_same_key_twice_returns_the_first_fill() -> None:
    v = taker()
    first = await v.execute(order(Side.BUY, 1_000 * USD), key="k")
    v.set_market(price=Decimal(3000), t_ms=6_000, bar=4, native_price=Decimal(0))
    assert await v.execute(order(Side.BUY, 1_000 * USD), key="k") is first


async def test_order_over_balance_is_refused_naming_token_and_amounts() -> None:
    v = taker({"USDT": 5, "WETH": 0})
    with pytest.raises(InsufficientBalance, match="pays 6 USDT base units, balance is 5"):
        await v.execute(order(Side.BUY, 6), key="k")


async def test_unpriced_market_and_bad_bps_are_refused() -> None:
    v = TakerVenue({"USDT": 10}, fee_bps=Decimal(0), half_spread_bps=Decimal(0))
    with pytest.raises(RejectedError, match="no market price set"):
        await v.quote(order(Side.BUY, 1))
    with pytest.raises(ConfigError, match="fee_bps -1 not in"):
        TakerVenue({}, fee_bps=Decimal(-1), half_spread_bps=Decimal(0))
    with pytest.raises(ConfigError, match="half_spread_bps 10000 not in"):
        TakerVenue({}, fee_bps=Decimal(0), half_spread_bps=Decimal(10_000))
