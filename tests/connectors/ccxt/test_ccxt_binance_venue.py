"""CcxtVenue on Binance spot ETH/USDT, against the local replay of Binance's REST API."""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction
from typing import Any

import ccxt.async_support as ccxt_async
import pytest

from dexagent.connectors.ccxt import CcxtVenue, MarketData
from dexagent.core.errors import ConfigError, InsufficientBalance, RejectedError, TemporaryError
from dexagent.core.intents import Intent, Order, Side, SizeKind
from tests.connectors.ccxt.binance_fake import API_KEY, SECRET, BinanceSpot, load
from tests.connectors.ccxt.pairs import ETH_USDT
from tests.connectors.ccxt.replay import ReplayServer

USDT, ETH = ETH_USDT.quote, ETH_USDT.base


def order(side: Side, amount_in: int, key: str = "ord-1", ref: str = "2000") -> Order:
    kind = SizeKind.QUOTE if side is Side.BUY else SizeKind.BASE
    intent = Intent(ETH_USDT, side, kind, amount_in)
    return Order(key, intent, side, amount_in, Decimal(ref), 0, 0, 0)


def venue(ex: ccxt_async.Exchange, **kw: Any) -> CcxtVenue:
    return CcxtVenue(ex, ETH_USDT, market_symbol="ETH/USDT", poll_s=0.01, timeout_s=2, **kw)


def posts(server: ReplayServer) -> int:
    return sum(1 for r in server.requests if (r.method, r.path) == ("POST", "/api/v3/order"))


async def test_quote_walks_the_asks_exactly_after_the_taker_fee(binance: Any) -> None:
    q = await venue(binance).quote(order(Side.BUY, 1_500 * 10**6))
    fee = 1_500_000  # 0.1 % of 1,500 USDT, in USDT base units
    left = Fraction(1_500 * 10**6 - fee)
    out = 5 * 10**17  # the whole first ask: 0.5 ETH for 1,000 USDT
    left -= 1_000 * 10**6
    out += int(left * 10**12 / Fraction("2000.5"))  # the rest at the second ask
    assert (q.amount_in, q.fee_in, q.amount_out) == (1_500 * 10**6, fee, out)
    assert q.mid_price == Decimal("1999.75")
    assert type(q.amount_out) is int


async def test_quote_sell_walks_the_bids_level_by_level(binance: Any) -> None:
    q = await venue(binance).quote(order(Side.SELL, 10**18))  # 1 ETH
    fee = 10**15
    net = 10**18 - fee
    first = 8 * 10**17 * 19995 // 10 // 10**12  # 0.8 ETH at 1999.5
    second = (net - 8 * 10**17) * 1999 // 10**12
    assert (q.fee_in, q.amount_out) == (fee, first + second)


async def test_quote_deeper_than_the_book_is_rejected(binance: Any) -> None:
    with pytest.raises(RejectedError, match="take only"):
        await venue(binance).quote(order(Side.BUY, 100_000 * 10**6))


async def test_market_buy_fill_equals_the_trades_sums_in_base_units(
    binance: Any, binance_server: ReplayServer
) -> None:
    fill = await venue(binance).execute(order(Side.BUY, 1_500 * 10**6), key="ord-1")
    trades = load("myTrades_order.json")
    qty = sum(Decimal(t["qty"]) for t in trades)
    cost = sum(Decimal(t["quoteQty"]) for t in trades)
    fee_eth = sum(Decimal(t["commission"]) for t in trades)
    assert {t["commissionAsset"] for t in trades} == {"ETH"}
    assert fill.amount_in == int(cost * 10**6) == 1_499_924_950
    assert fill.amount_out == int((qty - fee_eth) * 10**18) == 749_150_100_000_000_000
    assert fill.fee_in == int(fee_eth * 10**18 * cost * 10**6 / (qty * 10**18))
    assert fill.price == ETH_USDT.price_of(fill.amount_out, fill.amount_in)
    assert fill.ref_price == Decimal("1999.75")  # the book mid just before placing
    assert (fill.side, fill.client_order_id, fill.timestamp_ms) == (
        Side.BUY,
        "ord-1",
        1704067500123,
    )
    placed = [r for r in binance_server.requests if r.method == "POST"]
    assert len(placed) == 1
    assert placed[0].param("newClientOrderId") == "ord-1"
    assert placed[0].param("type") == "MARKET"
    assert Decimal(placed[0].param("quoteOrderQty") or "0") == Decimal(1500)


async def test_retried_execute_with_the_same_key_places_no_second_order(
    binance: Any, binance_server: ReplayServer
) -> None:
    first = await venue(binance).execute(order(Side.BUY, 1_500 * 10**6), key="ord-1")
    # a fresh venue (a restarted process) finds the order by its client id on the exchange
    again = await venue(binance).execute(order(Side.BUY, 1_500 * 10**6), key="ord-1")
    assert posts(binance_server) == 1
    assert (again.amount_in, again.amount_out, again.fee_in) == (
        first.amount_in,
        first.amount_out,
        first.fee_in,
    )
    lookups = [r for r in binance_server.requests if (r.method, r.path) == ("GET", "/api/v3/order")]
    assert {r.param("origClientOrderId") for r in lookups} == {"ord-1"}


async def test_same_venue_returns_the_first_fill_without_asking_again(
    binance: Any, binance_server: ReplayServer
) -> None:
    v = venue(binance)
    first = await v.execute(order(Side.BUY, 1_500 * 10**6), key="ord-1")
    seen = len(binance_server.requests)
    assert await v.execute(order(Side.BUY, 1_500 * 10**6), key="ord-1") == first
    assert len(binance_server.requests) == seen


async def test_timeout_while_placing_is_temporary_and_the_retry_finds_the_order(
    binance: Any, binance_server: ReplayServer
) -> None:
    binance.timeout = 300  # ms
    binance_server.stall_next("/api/v3/order", 1.0)  # the order is placed, the answer is late
    v = venue(binance)
    with pytest.raises(TemporaryError, match="RequestTimeout"):
        await v.execute(order(Side.BUY, 1_500 * 10**6), key="ord-1")
    fill = await v.execute(order(Side.BUY, 1_500 * 10**6), key="ord-1")
    assert posts(binance_server) == 1
    assert fill.amount_in == 1_499_924_950


async def test_exchange_5xx_is_a_temporary_error(
    binance: Any, binance_server: ReplayServer
) -> None:
    binance_server.fail_next("/api/v3/depth", 503)
    with pytest.raises(TemporaryError, match="ExchangeNotAvailable"):
        await venue(binance).quote(order(Side.BUY, 1_500 * 10**6))


async def test_insufficient_funds_is_insufficient_balance_naming_the_token(
    binance: Any, binance_state: BinanceSpot, binance_server: ReplayServer
) -> None:
    binance_state.insufficient_funds = True
    with pytest.raises(InsufficientBalance) as err:
        await venue(binance).execute(order(Side.BUY, 1_500 * 10**6), key="ord-1")
    text = str(err.value)
    assert "USDT" in text and "insufficient balance" in text
    assert API_KEY not in text and SECRET not in text and "signature" not in text
    assert err.value.__cause__ is None and err.value.__suppress_context__


async def test_balances_are_free_amounts_in_base_units(binance: Any) -> None:
    assert await venue(binance).balances() == {"ETH": 125 * 10**16, "USDT": 5_000_123_456}


async def test_unknown_market_symbol_is_a_config_error_with_a_hint(binance: Any) -> None:
    v = CcxtVenue(binance, ETH_USDT, market_symbol="ETH/USDC")
    with pytest.raises(ConfigError, match="Did you mean ETH/USDT"):
        await v.quote(order(Side.BUY, 10**6))


async def test_exchange_without_create_order_is_refused_at_construction(binance: Any) -> None:
    binance.has = {**binance.has, "createOrder": False}
    with pytest.raises(ConfigError, match="lacks createOrder"):
        venue(binance)


async def test_repr_holds_no_credentials(binance: Any) -> None:
    text = repr(venue(binance))
    assert API_KEY not in text and SECRET not in text


async def test_ticker_price_is_the_last_price_as_an_exact_decimal(binance: Any) -> None:
    md = MarketData(binance, {ETH_USDT: "ETH/USDT"})
    assert await md.fetch_ticker_price(ETH_USDT) == Decimal("1999.75")
