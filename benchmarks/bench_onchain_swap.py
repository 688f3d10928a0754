"""On-chain swap round trip on anvil: approved Order -> quote, checks, approve, simulate, send,
receipt -> parsed Fill, for Uniswap V2 and V3; compared with a raw eth_blockNumber round trip
measured in the same run.

Run: .venv/bin/python benchmarks/bench_onchain_swap.py [N]   (default N=200 swaps per venue)
"""

from __future__ import annotations

import asyncio
import statistics
import sys
import tempfile
import time
from decimal import Decimal
from pathlib import Path

from dexagent.connectors.evm.aio_rpc import AsyncRpc
from dexagent.connectors.evm.anvil import DEV_ACCOUNTS, AnvilNode
from dexagent.connectors.evm.deploy import deploy_stack
from dexagent.connectors.evm.swap_venue import OnChainSwapVenue
from dexagent.connectors.evm.txmanager import TxManager
from dexagent.connectors.uniswap_v2 import UniswapV2Venue
from dexagent.connectors.uniswap_v3 import UniswapV3Venue
from dexagent.core.intents import Intent, Order, Side, SizeKind


def _pct(xs: list[float], q: float) -> float:
    s = sorted(xs)
    return s[min(len(s) - 1, int(q * len(s)))]


async def _swaps(venue: OnChainSwapVenue, n: int, tag: str) -> list[float]:
    out: list[float] = []
    for i in range(n):
        side = Side.SELL if i % 2 == 0 else Side.BUY
        amount = 10**18 if side is Side.SELL else 2_000 * 10**6
        kind = SizeKind.BASE if side is Side.SELL else SizeKind.QUOTE
        intent = Intent(venue.pair, side, kind, amount, max_slippage_bps=100)
        order = Order(f"{tag}-{i}", intent, side, amount, Decimal(2000), 0, 0, i)
        t = time.perf_counter()
        fill = await venue.execute(order, key=order.client_order_id)
        out.append(time.perf_counter() - t)
        assert fill.amount_out > 0
    return out


async def _block_number(rpc: AsyncRpc, n: int) -> list[float]:
    out = []
    for _ in range(n):
        t = time.perf_counter()
        await rpc.call("eth_blockNumber")
        out.append(time.perf_counter() - t)
    return out


async def main(n: int) -> None:
    with AnvilNode.start() as node, tempfile.TemporaryDirectory() as tmp:
        t = time.perf_counter()
        dep = deploy_stack(node.url, deployer_key=DEV_ACCOUNTS[0][1])
        print(f"deploy_stack: {time.perf_counter() - t:.3f} s")
        rpc = AsyncRpc(node.url)
        txm = await TxManager.open(node.url, DEV_ACCOUNTS[7][1], store_path=Path(tmp) / "tx.db")
        v2 = UniswapV2Venue.from_deployment(dep, txm, rpc)
        v3 = UniswapV3Venue.from_deployment(dep, txm, rpc, fee=500)
        await _block_number(rpc, 50)  # warm the connection
        ref = await _block_number(rpc, 2 * n)
        rows = [("eth_blockNumber", ref)]
        rows.append(("V2 order->fill", await _swaps(v2, n, "v2")))
        rows.append(("V3 order->fill", await _swaps(v3, n, "v3")))
        ref2 = await _block_number(rpc, 2 * n)
        rows.append(("eth_blockNumber (after)", ref2))
        base = statistics.median(ref + ref2)
        print(f"N={n} swaps per venue (each: approve tx + swap tx, both mined by automine)")
        print(f"{'what':26} {'p50 ms':>8} {'p99 ms':>8} {'p50/rpc':>8}")
        for name, xs in rows:
            p50, p99 = statistics.median(xs), _pct(xs, 0.99)
            print(f"{name:26} {p50 * 1e3:8.2f} {p99 * 1e3:8.2f} {p50 / base:8.1f}")
        await txm.close()
        await rpc.close()


if __name__ == "__main__":
    asyncio.run(main(int(sys.argv[1]) if len(sys.argv) > 1 else 200))
