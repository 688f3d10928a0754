"""V2PoolVenue: a V2 pool anchored to the historical price at a depth; exact impact, fee, gas."""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal

import pytest

from dexagent.connectors.evm.errors import SlippageExceeded
from dexagent.connectors.simulated.gas import GasModel
from dexagent.connectors.simulated.v2_pool import V2PoolVenue
from dexagent.core.audit import MemoryAuditSink
from dexagent.core.errors import ConfigError, InsufficientBalance, RejectedError
from dexagent.core.intents import Intent, Order, Side, SizeKind
from dexagent.core.kernel import Kernel
from dexagent.core.policy_gate import AllowAll
from dexagent.core.portfolio import Portfolio
from dexagent.core.tokens import Pair
from tests.support import ETH, PAIR, USDT, WETH

USD = 10**6  # one USDT in base units
DEPTH = 1_000_000 * USD  # quote reserve: 1M USDT
PRICE = Decimal(2000)
RB = 500 * 10**18  # base reserve worth DEPTH at PRICE: 500 WETH
GAS = GasModel.constant(25, units=120_000)  # 0.003 ETH per swap
GAS_WEI = 120_000 * 25 * 10**9


def order(
    side: Side,
    amount_in: int,
    *,
    key: str = "o-1",
    ref: Decimal = PRICE,
    slippage_bps: int | None = None,
    pair: Pair = PAIR,
) -> Order:
    kind = SizeKind.QUOTE if side is Side.BUY else SizeKind.BASE
    intent = Intent(pair, side, kind, amount_in, max_slippage_bps=slippage_bps)
    return Order(key, intent, side, amount_in, ref, 0, 0, 0)


def pool(
    balances: Mapping[str, int] | None = None,
    *,
    fee_bps: int = 30,
    gas: GasModel | None = None,
    price: Decimal = PRICE,
    pair: Pair = PAIR,
) -> V2PoolVenue:
    bal = balances if balances is not None else {"USDT": 10**7 * USD, "WETH": 10**4 * 10**18}
    v = V2PoolVenue(
        bal, pair, depth_quote=DEPTH, fee_bps=fee_bps, gas=gas, native=ETH if gas else None
    )
    v.set_market(price=price, t_ms=1_000, bar=7, native_price=Decimal(2000))
    return v


def cp_out(amount_in: int, r_in: int, r_out: int, fee_bps: int) -> int:
    """The constant-product output, written out here independently of v2_math."""
    net = amount_in * (10_000 - fee_bps)
    return net * r_out // (r_in * 10_000 + net)


def test_set_market_anchors_reserves_at_depth_and_price() -> None:
    v = pool()
    assert v.reserves == (RB, DEPTH)
    assert v.mid_price == PRICE
    v.set_market(price=Decimal("2500"), t_ms=2_000, bar=8, native_price=Decimal(0))
    assert v.reserves == (400 * 10**18, DEPTH)


async def test_buy_output_is_exactly_constant_product_and_impact_grows_with_size() -> None:
    impacts = []
    for usd in (1_000, 10_000, 100_000):
        v = pool()
        fill = await v.execute(order(Side.BUY, usd * USD), key="k")
        assert fill.amount_out == cp_out(usd * USD, DEPTH, RB, 30)
        assert fill.ref_price == PRICE
        assert fill.fee_in == usd * USD * 30 // 10_000
        assert fill.price == PAIR.price_of(fill.amount_out, usd * USD)
        impacts.append(fill.impact_bps)
    assert 30 < impacts[0] < impacts[1] < impacts[2]


async def test_without_fee_impact_is_size_over_depth() -> None:
    # constant product: paying q into reserve Q moves the average price by exactly q/Q
    v = pool(fee_bps=0)
    fill = await v.execute(order(Side.BUY, 50_000 * USD), key="k")
    assert abs(fill.impact_bps - Decimal(50_000 * USD * 10_000) / DEPTH) < Decimal("1e-12")


async def test_sell_output_is_exactly_constant_product() -> None:
    v = pool()
    fill = await v.execute(order(Side.SELL, 10 * 10**18), key="k")
    assert fill.amount_out == cp_out(10 * 10**18, RB, DEPTH, 30)
    assert fill.price < PRICE


async def test_trade_moves_pool_within_bar_and_next_market_restores_it() -> None:
    v = pool()
    first = await v.execute(order(Side.BUY, 100_000 * USD), key="a")
    assert v.reserves == (RB - first.amount_out, DEPTH + 100_000 * USD)
    second = await v.execute(order(Side.BUY, 100_000 * USD, key="b"), key="b")
    assert second.ref_price > PRICE  # the second order saw the moved pool
    assert second.amount_out == cp_out(
        100_000 * USD, DEPTH + 100_000 * USD, RB - first.amount_out, 30
    )
    assert second.amount_out < first.amount_out
    v.set_market(price=PRICE, t_ms=2_000, bar=8, native_price=Decimal(2000))
    assert v.reserves == (RB, DEPTH)


async def test_round_trip_across_bars_loses_exactly_fee_and_impact() -> None:
    spent = 200_000 * USD
    losses = {}
    for fee in (0, 30):
        book = Portfolio({"USDT": spent, "WETH": 0})
        v = pool(book.view, fee_bps=fee)
        buy = await v.execute(order(Side.BUY, spent), key="buy")
        book.apply(buy)
        v.set_market(price=PRICE, t_ms=2_000, bar=8, native_price=Decimal(2000))
        sell = await v.execute(order(Side.SELL, buy.amount_out, key="sell"), key="sell")
        book.apply(sell)
        bought = cp_out(spent, DEPTH, RB, fee)
        assert buy.amount_out == bought
        assert book.balance("USDT") == cp_out(bought, RB, DEPTH, fee)
        assert book.balance("WETH") == 0
        losses[fee] = spent - book.balance("USDT")
    # without a fee the loss is the price impact of both legs; the fee costs more on top
    assert 0 < losses[0] < losses[30]


async def test_round_trip_within_one_bar_without_fee_gives_back_the_impact() -> None:
    v = pool(fee_bps=0)
    buy = await v.execute(order(Side.BUY, 200_000 * USD), key="buy")
    sell = await v.execute(order(Side.SELL, buy.amount_out, key="sell"), key="sell")
    assert 200_000 * USD - sell.amount_out in (0, 1)  # only integer rounding is lost


async def test_gas_is_booked_in_native_and_in_quote_at_native_price() -> None:
    book = Portfolio({"USDT": 10_000 * USD, "WETH": 0, "ETH": 10**18})
    v = pool(book.view, gas=GAS)
    q = await v.quote(order(Side.BUY, 1_000 * USD))
    assert (q.gas_native, q.gas_price_wei, q.native_price) == (GAS_WEI, 25 * 10**9, Decimal(2000))
    fill = await v.execute(order(Side.BUY, 1_000 * USD), key="k")
    assert fill.gas_native == GAS_WEI == 3 * 10**15
    assert fill.gas_quote == 6 * USD  # 0.003 ETH at 2,000 USDT
    book.apply(fill, native_symbol="ETH")
    assert book.balance("ETH") == 10**18 - GAS_WEI


async def test_order_paying_more_than_held_is_refused_naming_token_need_and_balance() -> None:
    v = pool({"USDT": 999, "WETH": 0})
    with pytest.raises(InsufficientBalance, match=r"needs 1000 USDT base units .* balance is 999"):
        await v.execute(order(Side.BUY, 1000), key="k")
    assert v.reserves == (RB, DEPTH)


async def test_order_without_gas_money_is_refused_naming_the_native_token() -> None:
    v = pool({"USDT": 10_000 * USD, "ETH": GAS_WEI - 1}, gas=GAS)
    msg = rf"needs {GAS_WEI} ETH base units \(gas\), balance is {GAS_WEI - 1}"
    with pytest.raises(InsufficientBalance, match=msg):
        await v.execute(order(Side.BUY, 1_000 * USD), key="k")
    assert v.reserves == (RB, DEPTH)


async def test_selling_the_native_token_needs_the_amount_plus_gas() -> None:
    eth_pair = Pair(ETH, USDT)
    amount = 10**18
    v = pool({"ETH": amount + GAS_WEI - 1}, gas=GAS, pair=eth_pair)
    with pytest.raises(InsufficientBalance, match=rf"amount in {amount} \+ gas {GAS_WEI}"):
        await v.execute(order(Side.SELL, amount, pair=eth_pair), key="k")
    v2 = pool({"ETH": amount + GAS_WEI}, gas=GAS, pair=eth_pair)
    assert (await v2.execute(order(Side.SELL, amount, pair=eth_pair), key="k")).amount_out > 0


async def test_same_key_twice_returns_the_same_fill_and_trades_once() -> None:
    v = pool()
    o = order(Side.BUY, 10_000 * USD)
    first = await v.execute(o, key="k")
    moved = v.reserves
    again = await v.execute(o, key="k")
    assert again is first
    assert v.reserves == moved == (RB - first.amount_out, DEPTH + 10_000 * USD)


async def test_quote_predicts_the_fill_and_moves_nothing() -> None:
    v = pool(gas=GAS, balances={"USDT": 10**6 * USD, "ETH": 10**18})
    o = order(Side.BUY, 50_000 * USD)
    q = await v.quote(o)
    assert v.reserves == (RB, DEPTH)
    fill = await v.execute(o, key="k")
    assert (q.amount_in, q.amount_out, q.fee_in, q.price, q.mid_price, q.gas_native) == (
        fill.amount_in,
        fill.amount_out,
        fill.fee_in,
        fill.price,
        fill.ref_price,
        fill.gas_native,
    )
    assert (fill.timestamp_ms, fill.bar, fill.venue) == (1_000, 7, "uniswap_v2_sim")


async def test_slippage_guard_refuses_a_fill_worse_than_the_bound() -> None:
    amount = 100_000 * USD  # into 1M depth: ~9% impact + 0.3% fee
    out = cp_out(amount, DEPTH, RB, 30)
    at_ref = 50 * 10**18  # what 100k USDT buys at the decision price 2,000
    # the tightest bound this fill meets, like the router's amountOutMin
    tightest = next(b for b in range(10_000) if at_ref * (10_000 - b) // 10_000 <= out)
    v = pool()
    with pytest.raises(SlippageExceeded, match="widen max_slippage_bps") as err:
        await v.execute(order(Side.BUY, amount, slippage_bps=tightest - 1), key="k")
    assert isinstance(err.value, RejectedError)
    assert v.reserves == (RB, DEPTH)
    ok = await v.execute(order(Side.BUY, amount, slippage_bps=tightest), key="k")
    assert ok.amount_out == out
    assert 900 < tightest < 1_000


async def test_slippage_is_measured_from_the_decision_price() -> None:
    v = pool(price=Decimal(2030))  # the market moved 1.5% up since the decision at 2,000
    small = order(Side.BUY, 100 * USD, slippage_bps=100, ref=PRICE)
    with pytest.raises(SlippageExceeded):
        await v.execute(small, key="k")
    assert (await v.execute(order(Side.BUY, 100 * USD, slippage_bps=200), key="k2")).amount_out


async def test_kernel_books_a_pool_fill_with_gas() -> None:
    book = Portfolio({"USDT": 10_000 * USD, "WETH": 0, "ETH": 10**17})
    v = pool(book.view, gas=GAS)
    kernel = Kernel(
        agent_id="t",
        portfolio=book,
        venue=v,
        policy=AllowAll(),
        audit=MemoryAuditSink(),
        native_symbol="ETH",
    )
    [o] = await kernel.decide([Intent.buy_quote(PAIR, 5_000 * USD)], price=PRICE, t_ms=0, bar=6)
    fill = await kernel.execute(o, t_ms=1_000)
    assert fill is not None
    assert book.snapshot() == {
        "USDT": 5_000 * USD,
        "WETH": cp_out(5_000 * USD, DEPTH, RB, 30),
        "ETH": 10**17 - GAS_WEI,
    }


async def test_unset_market_and_bad_configuration_are_refused() -> None:
    v = V2PoolVenue({"USDT": 10**9}, PAIR, depth_quote=DEPTH)
    with pytest.raises(RejectedError, match="no market set"):
        await v.quote(order(Side.BUY, 1_000))
    with pytest.raises(ConfigError, match="depth_quote must be a positive int"):
        V2PoolVenue({}, PAIR, depth_quote=0)
    with pytest.raises(ConfigError, match="needs the native token"):
        V2PoolVenue({}, PAIR, depth_quote=DEPTH, gas=GAS)
    with pytest.raises(RejectedError, match="trades WETH/USDT, not ETH/USDT"):
        await pool().quote(order(Side.BUY, 1_000, pair=Pair(ETH, USDT)))
    tiny = V2PoolVenue({}, Pair(WETH, USDT), depth_quote=1)
    with pytest.raises(ConfigError, match="raise the venue's depth"):
        tiny.set_market(price=Decimal(10) ** 13, t_ms=0, bar=0, native_price=Decimal(0))


async def test_order_too_small_to_receive_anything_is_refused() -> None:
    v = pool()
    with pytest.raises(RejectedError, match="too small to receive anything"):
        await v.execute(order(Side.SELL, 1), key="k")  # 1 wei of WETH is worth < 1e-6 USDT
