"""UniswapV2Venue on anvil against the npm Router02: quotes, fills, refusals, idempotency."""

from __future__ import annotations

from collections.abc import AsyncIterator
from decimal import Decimal
from pathlib import Path

import pytest

from dexagent.connectors.evm.aio_rpc import AsyncRpc
from dexagent.connectors.evm.anvil import DEV_ACCOUNTS, AnvilNode
from dexagent.connectors.evm.contracts import load_artifact
from dexagent.connectors.evm.errors import SimulationReverted, SlippageExceeded
from dexagent.connectors.evm.manifest import Deployment
from dexagent.connectors.evm.rawtx import decode_output, encode_call
from dexagent.connectors.evm.txmanager import TxManager
from dexagent.connectors.uniswap_v2 import UniswapV2Venue, get_amount_out
from dexagent.core.errors import InsufficientBalance
from dexagent.core.intents import Intent, Order, Side, SizeKind

ADDR, KEY = DEV_ACCOUNTS[4]


def make_order(
    venue: UniswapV2Venue,
    side: Side,
    amount_in: int,
    ref: Decimal,
    slippage_bps: int | None = None,
    coid: str = "o-1",
) -> Order:
    intent = Intent(
        venue.pair,
        side,
        SizeKind.BASE if side is Side.SELL else SizeKind.QUOTE,
        amount_in,
        max_slippage_bps=slippage_bps,
    )
    return Order(coid, intent, side, amount_in, ref, 0, 0, 0)


@pytest.fixture
async def venue(
    chain: AnvilNode, deployment: Deployment, tmp_path: Path
) -> AsyncIterator[UniswapV2Venue]:
    txm = await TxManager.open(chain.url, KEY, store_path=tmp_path / "txs.sqlite")
    v = UniswapV2Venue.from_deployment(deployment, txm, AsyncRpc(chain.url))
    yield v
    await v.rpc.close()
    await txm.close()


def _nonce(node: AnvilNode) -> int:
    return int(node.rpc("eth_getTransactionCount", [ADDR, "latest"]), 16)


async def test_local_v2_math_equals_router_get_amounts_out(
    chain: AnvilNode, venue: UniswapV2Venue, deployment: Deployment
) -> None:
    weth, usdc = venue.pair.base.address, venue.pair.quote.address
    rb, rq = await venue.reserves()
    abi = load_artifact("UniswapV2Router02").abi
    for amount, path, r_in, r_out in [
        (1, [weth, usdc], rb, rq),
        (10**18, [weth, usdc], rb, rq),
        (777 * 10**18, [weth, usdc], rb, rq),
        (1, [usdc, weth], rq, rb),
        (2_000 * 10**6, [usdc, weth], rq, rb),
        (3_333_333 * 10**6, [usdc, weth], rq, rb),
    ]:
        data = encode_call(abi, "getAmountsOut", [amount, path])
        out = chain.rpc("eth_call", [{"to": venue.router, "data": data}, "latest"])
        (amounts,) = decode_output(["uint256[]"], out)
        assert get_amount_out(amount, r_in, r_out) == amounts[1]


async def test_sell_fill_equals_quote_and_balance_changes(venue: UniswapV2Venue) -> None:
    order = make_order(venue, Side.SELL, 3 * 10**18, Decimal(2000))
    q = await venue.quote(order)
    before = await venue.balances()
    fill = await venue.execute(order, key="k-sell")
    after = await venue.balances()
    assert fill.amount_in == 3 * 10**18
    assert before["WETH"] - after["WETH"] == fill.amount_in
    assert after["USDC"] - before["USDC"] == fill.amount_out
    # the approval's gas is not part of this fill; the swap's is exactly gas_native
    assert fill.gas_native > 0 and before["native"] - after["native"] > fill.gas_native
    assert fill.amount_out == q.amount_out  # nothing moved the pool in between
    assert fill.ref_price == Decimal(2000) and fill.price < fill.ref_price
    assert fill.fee_in == 9 * 10**15 and fill.tx_hash is not None


async def test_buy_fill_matches_the_quote_exactly(venue: UniswapV2Venue) -> None:
    order = make_order(venue, Side.BUY, 50_000 * 10**6, Decimal(2000), slippage_bps=200)
    q = await venue.quote(order)
    before = await venue.balances()
    fill = await venue.execute(order, key="k-buy")
    after = await venue.balances()
    assert fill.amount_out == q.amount_out == after["WETH"] - before["WETH"]
    assert before["USDC"] - after["USDC"] == fill.amount_in == 50_000 * 10**6


async def test_same_key_returns_the_same_fill_and_sends_one_swap(
    chain: AnvilNode, venue: UniswapV2Venue
) -> None:
    order = make_order(venue, Side.SELL, 10**18, Decimal(2000))
    n0 = _nonce(chain)
    first = await venue.execute(order, key="k-idem")
    n1 = _nonce(chain)
    second = await venue.execute(order, key="k-idem")
    assert second == first
    assert n1 - n0 == 2  # exact approval + swap
    assert _nonce(chain) == n1


async def test_slippage_beyond_the_bound_is_refused_before_sending(
    chain: AnvilNode, venue: UniswapV2Venue
) -> None:
    order = make_order(venue, Side.SELL, 10**18, Decimal(2100), slippage_bps=100)
    n0 = _nonce(chain)
    with pytest.raises(SlippageExceeded, match="below"):
        await venue.execute(order, key="k-slip")
    assert _nonce(chain) == n0 and venue.txm.store.get("k-slip") is None


async def test_insufficient_balance_is_a_typed_error_and_sends_nothing(
    chain: AnvilNode, venue: UniswapV2Venue
) -> None:
    order = make_order(venue, Side.SELL, 10**6 * 10**18, Decimal(2000), slippage_bps=9999)
    n0 = _nonce(chain)
    with pytest.raises(InsufficientBalance, match="needs"):
        await venue.execute(order, key="k-poor")
    assert _nonce(chain) == n0


async def test_a_reverting_simulation_sends_no_swap(
    chain: AnvilNode, deployment: Deployment, venue: UniswapV2Venue
) -> None:
    expired = UniswapV2Venue.from_deployment(deployment, venue.txm, venue.rpc, deadline_s=-60)
    order = make_order(expired, Side.SELL, 10**18, Decimal(2000))
    n0 = _nonce(chain)
    with pytest.raises(SimulationReverted, match="EXPIRED"):
        await expired.execute(order, key="k-sim")
    assert _nonce(chain) == n0 + 1  # only the approval
    assert venue.txm.store.get("k-sim") is None
