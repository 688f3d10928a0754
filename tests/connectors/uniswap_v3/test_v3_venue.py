"""UniswapV3Venue on anvil against npm QuoterV2 and SwapRouter: quote == executed, fills exact."""

from __future__ import annotations

from collections.abc import AsyncIterator
from decimal import Decimal
from pathlib import Path

import pytest

from dexagent.connectors.evm.aio_rpc import AsyncRpc
from dexagent.connectors.evm.anvil import DEV_ACCOUNTS, AnvilNode
from dexagent.connectors.evm.errors import SlippageExceeded
from dexagent.connectors.evm.manifest import Deployment
from dexagent.connectors.evm.txmanager import TxManager
from dexagent.connectors.uniswap_v3 import UniswapV3Venue
from dexagent.core.errors import InsufficientBalance
from dexagent.core.intents import Intent, Order, Side, SizeKind

ADDR, KEY = DEV_ACCOUNTS[6]


def make_order(
    venue: UniswapV3Venue, side: Side, amount_in: int, ref: Decimal, slippage_bps: int | None = None
) -> Order:
    kind = SizeKind.BASE if side is Side.SELL else SizeKind.QUOTE
    intent = Intent(venue.pair, side, kind, amount_in, max_slippage_bps=slippage_bps)
    return Order("o-1", intent, side, amount_in, ref, 0, 0, 0)


@pytest.fixture(params=[3000, 500])
async def venue(
    request: pytest.FixtureRequest, chain: AnvilNode, deployment: Deployment, tmp_path: Path
) -> AsyncIterator[UniswapV3Venue]:
    txm = await TxManager.open(chain.url, KEY, store_path=tmp_path / "txs.sqlite")
    v = UniswapV3Venue.from_deployment(deployment, txm, AsyncRpc(chain.url), fee=request.param)
    yield v
    await v.rpc.close()
    await txm.close()


async def test_mid_price_is_the_seeded_price(venue: UniswapV3Venue) -> None:
    order = make_order(venue, Side.SELL, 10**18, Decimal(2000))
    q = await venue.quote(order)
    assert abs(q.mid_price - Decimal(2000)) < Decimal("1e-9")


@pytest.mark.parametrize("side,amount", [(Side.SELL, 5 * 10**18), (Side.BUY, 40_000 * 10**6)])
async def test_quoter_amount_equals_the_executed_amount_and_the_balance_change(
    venue: UniswapV3Venue, side: Side, amount: int
) -> None:
    order = make_order(venue, side, amount, Decimal(2000), slippage_bps=100)
    q = await venue.quote(order)
    before = await venue.balances()
    fill = await venue.execute(order, key=f"k-{side}")
    after = await venue.balances()
    pay, get = ("WETH", "USDC") if side is Side.SELL else ("USDC", "WETH")
    assert fill.amount_out == q.amount_out == after[get] - before[get]
    assert fill.amount_in == amount == before[pay] - after[pay]
    assert fill.fee_in == amount * venue.fee // 1_000_000
    assert fill.gas_native > 0 and fill.venue == venue.name


async def test_same_key_returns_the_same_fill_without_a_second_tx(
    chain: AnvilNode, venue: UniswapV3Venue
) -> None:
    order = make_order(venue, Side.SELL, 10**18, Decimal(2000))
    first = await venue.execute(order, key="k-idem")
    n = int(chain.rpc("eth_getTransactionCount", [ADDR, "latest"]), 16)
    assert await venue.execute(order, key="k-idem") == first
    assert int(chain.rpc("eth_getTransactionCount", [ADDR, "latest"]), 16) == n


async def test_v3_refuses_slippage_and_insufficient_balance_before_sending(
    chain: AnvilNode, venue: UniswapV3Venue
) -> None:
    n = int(chain.rpc("eth_getTransactionCount", [ADDR, "latest"]), 16)
    with pytest.raises(SlippageExceeded):
        await venue.execute(make_order(venue, Side.BUY, 10**9, Decimal(1900)), key="k-s")
    with pytest.raises(InsufficientBalance):
        await venue.execute(make_order(venue, Side.SELL, 10**24, Decimal(2000)), key="k-i")
    assert int(chain.rpc("eth_getTransactionCount", [ADDR, "latest"]), 16) == n
