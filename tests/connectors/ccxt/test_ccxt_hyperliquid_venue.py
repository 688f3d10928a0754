"""CcxtVenue on Hyperliquid spot PURR/USDC (signed orders), against a local replay of its API."""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction
from typing import Any

import pytest

from dexagent.connectors.ccxt import CcxtVenue, client_id_style
from dexagent.core.errors import ConfigError, InsufficientBalance, TemporaryError
from dexagent.core.intents import Intent, Order, Side, SizeKind
from tests.connectors.ccxt.hyperliquid_fake import PRIVATE_KEY, WALLET, Hyperliquid, load
from tests.connectors.ccxt.pairs import PURR_USDC
from tests.connectors.ccxt.replay import ReplayServer

PURR, USDC = PURR_USDC.base, PURR_USDC.quote


def order(side: Side, amount_in: int, key: str = "hl-1", ref: str = "0.1886") -> Order:
    kind = SizeKind.QUOTE if side is Side.BUY else SizeKind.BASE
    intent = Intent(PURR_USDC, side, kind, amount_in, max_slippage_bps=50)
    return Order(key, intent, side, amount_in, Decimal(ref), 0, 0, 0)


def venue(ex: Any) -> CcxtVenue:
    return CcxtVenue(
        ex, PURR_USDC, market_symbol="PURR/USDC", order_type="ioc", poll_s=0.01, timeout_s=2
    )


async def test_quote_walks_the_l2_book_after_the_spot_taker_fee(hyperliquid: Any) -> None:
    q = await venue(hyperliquid).quote(order(Side.BUY, 2_000 * 10**8))
    fee = -(-2_000 * 10**8 * 7 // 10_000)  # spot taker 0.07 %, rounded up
    left = Fraction(2_000 * 10**8 - fee)
    out = 5_000 * 10**5  # all 5,000 PURR at 0.1886
    left -= int(5_000 * Fraction("0.1886") * 10**8)
    out += int(left * Fraction(10**5, 10**8) / Fraction("0.1887"))
    assert (q.fee_in, q.amount_out) == (fee, out)
    assert q.mid_price == Decimal("0.18855")


async def test_ioc_buy_fills_and_the_fill_equals_the_order_fills_in_base_units(
    hyperliquid: Any, hl_state: Hyperliquid, hl_server: ReplayServer
) -> None:
    fill = await venue(hyperliquid).execute(order(Side.BUY, 2_000 * 10**8), key="hl-1")
    fills = [f for f in load("info_userFills.json") if f["oid"] == 91490942]
    size = sum(Decimal(f["sz"]) for f in fills)
    cost = sum(Decimal(f["sz"]) * Decimal(f["px"]) for f in fills)
    fee = sum(Decimal(f["fee"]) for f in fills)
    assert {f["feeToken"] for f in fills} == {"PURR"}
    assert fill.amount_in == int(cost * 10**8) == 199_047_370_000
    assert fill.amount_out == int((size - fee) * 10**5) == 1_054_361_430
    assert fill.amount_in <= 2_000 * 10**8  # sized at the collar: never spends more
    assert fill.ref_price == Decimal("0.18855")
    (action,) = hl_state.order_actions(hl_server.requests)
    (sent,) = action["orders"]
    cid = client_id_style("hyperliquid").client_id("hl-1")
    assert sent["c"] == cid and len(cid) == 34
    assert sent["t"] == {"limit": {"tif": "Ioc"}} and sent["b"] is True
    assert sent["p"] == "0.18954"  # 0.1886 + 50 bps, at 5 significant digits
    assert sent["s"] == "10551"  # 2,000 USDC / 0.18954, whole PURR (szDecimals 0)
    assert hl_state.signers == [WALLET]


async def test_retried_execute_with_the_same_key_places_no_second_order(
    hyperliquid: Any, hl_state: Hyperliquid, hl_server: ReplayServer
) -> None:
    first = await venue(hyperliquid).execute(order(Side.BUY, 2_000 * 10**8), key="hl-1")
    again = await venue(hyperliquid).execute(order(Side.BUY, 2_000 * 10**8), key="hl-1")
    assert len(hl_state.order_actions(hl_server.requests)) == 1
    assert (again.amount_in, again.amount_out, again.fee_in) == (
        first.amount_in,
        first.amount_out,
        first.fee_in,
    )


async def test_insufficient_spot_balance_is_insufficient_balance(
    hyperliquid: Any, hl_state: Hyperliquid
) -> None:
    hl_state.insufficient_funds = True
    with pytest.raises(InsufficientBalance) as err:
        await venue(hyperliquid).execute(order(Side.BUY, 2_000 * 10**8), key="hl-1")
    assert "USDC" in str(err.value)
    assert PRIVATE_KEY[2:] not in str(err.value)


async def test_info_5xx_is_a_temporary_error(hyperliquid: Any, hl_server: ReplayServer) -> None:
    await venue(hyperliquid).market()
    hl_server.fail_next("/info", 502)
    with pytest.raises(TemporaryError):
        await venue(hyperliquid).balances()


async def test_balances_are_spot_free_amounts_in_base_units(hyperliquid: Any) -> None:
    assert await venue(hyperliquid).balances() == {
        "PURR": 14_500_50_000,  # 15,000.5 total less 500 on hold
        "USDC": 2_500_123_456_78,
    }


async def test_market_order_type_is_refused_without_buy_by_cost(hyperliquid: Any) -> None:
    with pytest.raises(ConfigError, match=r"createMarketBuyOrderWithCost.*order_type='ioc'"):
        CcxtVenue(hyperliquid, PURR_USDC, market_symbol="PURR/USDC")
