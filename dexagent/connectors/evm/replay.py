"""Market replay on a local chain: move the deployed pools' prices along a historical series.

A market-maker account (an unlocked anvil dev account) trades each pool to the bar's close:
V2 by an exact-output swap computed from the reserves (integer square root), V3 by an
exact-input swap bounded by ``sqrtPriceLimitX96`` (the pool stops exactly at the target). Block
timestamps follow the series, so agents that build bars from block times see the same bars:

    bar i, history time ts_i, timeframe tf  (chain time = ts_i + offset)
    ts_i + tf - k ... ts_i + tf - 1   the market maker's swaps (one block per pool)
    ts_i + tf                          an empty block: bar i is closed, the price is close_i
    (wait tf / speed of real time)     agents react; their trades land at >= ts_i + tf

For local development chains only (it uses ``anvil_*`` calls and unlocked accounts).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction

from dexagent.connectors.evm.contracts import load_artifact
from dexagent.connectors.evm.deploy import sqrt_price_x96
from dexagent.connectors.evm.manifest import Deployment, PoolInfo
from dexagent.connectors.evm.rawtx import decode_output, encode_call
from dexagent.connectors.evm.rpc import JsonRpcClient
from dexagent.connectors.simulated.v2_math import get_amount_in
from dexagent.core.bars import Bars
from dexagent.core.errors import ConfigError, FatalError
from dexagent.core.tokens import price_decimal

_FAR = 2**40
_BIG = 10**40
_V2_FEE_BPS = 30


@dataclass(frozen=True, slots=True)
class PoolPrice:
    protocol: str
    fee: int
    address: str
    price: Decimal  # quote per base (human units) after the move


@dataclass(frozen=True, slots=True)
class ReplayStep:
    bar: int
    history_ms: int  # the bar's open time in the series
    chain_time: int  # unix seconds of the block that closes the bar on chain
    target: Decimal  # the bar's close
    pools: tuple[PoolPrice, ...]


class MarketReplayer:
    """Moves every WETH/``quote`` pool of a deployment to given prices at given block times."""

    def __init__(
        self, rpc: JsonRpcClient, dep: Deployment, *, base: str = "WETH", quote: str = "USDC"
    ) -> None:
        self.rpc = rpc
        self.dep = dep
        self.base = dep.tokens[base]
        self.quote = dep.tokens[quote]
        self.mm = dep.deployer  # an unlocked dev account that may mint the test tokens
        pair = {self.base.address.lower(), self.quote.address.lower()}
        self.pools = [p for p in dep.pools if {p.token0.lower(), p.token1.lower()} == pair]
        if not self.pools:
            raise ConfigError(f"deployment has no {base}/{quote} pool to replay on")
        self._erc20 = load_artifact("TestERC20").abi
        self._weth = load_artifact("WETH9").abi
        self._pair_abi = load_artifact("UniswapV2Pair").abi
        self._pool_abi = load_artifact("UniswapV3Pool").abi
        self._v2_router = load_artifact("UniswapV2Router02").abi
        self._v3_router = load_artifact("SwapRouter").abi

    # -- set-up ------------------------------------------------------------------------------------

    def fund(self) -> None:
        """Give the market maker ample WETH and quote tokens and approve both routers."""
        self.rpc.call("anvil_setBalance", [self.mm, hex(10**30)])
        self._send(self.base.address, encode_call(self._weth, "deposit", []), value=10**29)
        self._send(self.quote.address, encode_call(self._erc20, "mint", [self.mm, _BIG]))
        for router in ("UniswapV2Router02", "SwapRouter"):
            spender = self.dep.contracts[router]
            for tok, abi in ((self.base.address, self._weth), (self.quote.address, self._erc20)):
                self._send(tok, encode_call(abi, "approve", [spender, 2**256 - 1]))

    # -- prices ------------------------------------------------------------------------------------

    def price_of(self, pool: PoolInfo) -> Decimal:
        """The pool's mid price, quote per base, human units (exact to 28 digits)."""
        base_is_0 = pool.token0.lower() == self.base.address.lower()
        scale = Fraction(10**self.base.decimals, 10**self.quote.decimals)
        if pool.protocol == "uniswap_v2":
            r0, r1, _ = decode_output(
                ["uint112", "uint112", "uint32"],
                self._call(pool.address, encode_call(self._pair_abi, "getReserves", [])),
            )
            raw = Fraction(r1, r0) if base_is_0 else Fraction(r0, r1)
        else:
            sp = decode_output(
                ["uint160"],
                self._call(pool.address, encode_call(self._pool_abi, "slot0", []))[:66],
            )[0]
            p01 = Fraction(sp * sp, 2**192)  # token1 raw per token0 raw
            raw = p01 if base_is_0 else 1 / p01
        q = raw * scale
        return Decimal(q.numerator) / Decimal(q.denominator)

    def move_to(self, price: Decimal, *, at: int | None = None) -> tuple[PoolPrice, ...]:
        """Trade every pool to ``price``; with ``at`` the swaps land at ``at - n .. at - 1``."""
        out = []
        for k, pool in enumerate(self.pools):
            if at is not None:
                self.rpc.call("evm_setNextBlockTimestamp", [at - len(self.pools) + k])
            if pool.protocol == "uniswap_v2":
                self._move_v2(pool, price)
            else:
                self._move_v3(pool, price)
            if at is not None and self._head_time() != at - len(self.pools) + k:
                self._mine(at - len(self.pools) + k)  # nothing to trade: keep the clock exact
            out.append(PoolPrice(pool.protocol, pool.fee, pool.address, self.price_of(pool)))
        return tuple(out)

    def close_bar(self, at: int) -> None:
        """Mine the empty block at ``at`` that tells bar-builders the bar has closed."""
        self._mine(at)

    def _move_v2(self, pool: PoolInfo, price: Decimal) -> None:
        base_is_0 = pool.token0.lower() == self.base.address.lower()
        r0, r1, _ = decode_output(
            ["uint112", "uint112", "uint32"],
            self._call(pool.address, encode_call(self._pair_abi, "getReserves", [])),
        )
        rb, rq = (r0, r1) if base_is_0 else (r1, r0)
        target = Fraction(price) * Fraction(10**self.quote.decimals, 10**self.base.decimals)
        if Fraction(rq, rb) < target:  # price up: buy base out of the pool
            out = _largest_out(
                rq, rb, lambda base_after, quote_after: Fraction(quote_after, base_after) <= target
            )
            path = [self.quote.address, self.base.address]
            amount_in = get_amount_in(out, rq, rb) if out > 0 else 0
        else:  # price down: sell base into the pool, take quote out
            out = _largest_out(
                rb, rq, lambda quote_after, base_after: Fraction(quote_after, base_after) >= target
            )
            path = [self.base.address, self.quote.address]
            amount_in = get_amount_in(out, rb, rq) if out > 0 else 0
        if out <= 0:
            return
        data = encode_call(
            self._v2_router,
            "swapTokensForExactTokens",
            [out, amount_in, path, self.mm, _FAR],
        )
        self._send(self.dep.contracts["UniswapV2Router02"], data)

    def _move_v3(self, pool: PoolInfo, price: Decimal) -> None:
        base_is_0 = pool.token0.lower() == self.base.address.lower()
        dec0, dec1 = (
            (self.base.decimals, self.quote.decimals)
            if base_is_0
            else (self.quote.decimals, self.base.decimals)
        )
        target = sqrt_price_x96(price, dec0=dec0, dec1=dec1, base_is_token0=base_is_0)
        current = decode_output(
            ["uint160"], self._call(pool.address, encode_call(self._pool_abi, "slot0", []))[:66]
        )[0]
        if target == current:
            return
        # sqrtPriceX96 = sqrt(token1 per token0): paying token1 in raises it, token0 lowers it
        token_in = pool.token1 if target > current else pool.token0
        token_out = pool.token0 if target > current else pool.token1
        params = {
            "tokenIn": token_in,
            "tokenOut": token_out,
            "fee": pool.fee,
            "recipient": self.mm,
            "deadline": _FAR,
            "amountIn": _BIG // 10,
            "amountOutMinimum": 0,
            "sqrtPriceLimitX96": target,
        }
        data = encode_call(self._v3_router, "exactInputSingle", [params])
        self._send(self.dep.contracts["SwapRouter"], data)

    # -- plumbing ----------------------------------------------------------------------------------

    def _call(self, to: str, data: str) -> str:
        out: str = self.rpc.call("eth_call", [{"to": to, "data": data}, "latest"])
        return out

    def _send(self, to: str, data: str, *, value: int = 0) -> None:
        tx = {"from": self.mm, "to": to, "data": data, "value": hex(value), "gas": hex(1_500_000)}
        h = self.rpc.call("eth_sendTransaction", [tx])
        rcpt = None
        for _ in range(2000):  # automine: the receipt follows within milliseconds
            rcpt = self.rpc.call("eth_getTransactionReceipt", [h])
            if rcpt is not None:
                break
            time.sleep(0.001)
        if rcpt is None or int(rcpt["status"], 16) != 1:
            raise FatalError(f"market-maker transaction {h} to {to} failed: {rcpt}")

    def _mine(self, at: int) -> None:
        self.rpc.call("evm_mine", [at])

    def _head_time(self) -> int:
        return int(self.rpc.call("eth_getBlockByNumber", ["latest", False])["timestamp"], 16)

    def chain_time(self) -> int:
        return self._head_time()


def _largest_out(reserve_in: int, reserve_out: int, ok: Callable[[int, int], bool]) -> int:
    """The largest exact-output swap whose reserves afterwards still satisfy ``ok``.

    ``ok(reserve_out_after, reserve_in_after)`` is monotone in the output, so bisection finds
    the swap that brings the pool's price as close to the target as whole units allow, with
    the 0.3% fee (which stays in the pool) taken into account.
    """
    lo, hi = 0, reserve_out - 1
    while lo < hi:
        mid = (lo + hi + 1) // 2
        after_in = reserve_in + get_amount_in(mid, reserve_in, reserve_out)
        if ok(reserve_out - mid, after_in):
            lo = mid
        else:
            hi = mid - 1
    return lo


def time_offset(head_time: int, first_open_s: int, tf_s: int) -> int:
    """Seconds to add to history so that bar 0 closes after the chain's head (0 if it does)."""
    if first_open_s + tf_s - 8 > head_time:
        return 0
    behind = head_time - first_open_s + 8
    return -(-behind // tf_s) * tf_s  # whole bars, so bar boundaries stay aligned


def replay(
    replayer: MarketReplayer,
    bars: Bars,
    *,
    speed: float | None,
    on_step: Callable[[ReplayStep], None] | None = None,
) -> Iterator[ReplayStep]:
    """Replay ``bars`` (their closes); ``speed`` = history seconds per real second (None: max)."""
    if len(bars) == 0:
        return
    tf_s = bars.timeframe_ms // 1000
    if tf_s < 8:
        raise ConfigError(f"replay needs bars of at least 8 s, got {bars.timeframe_ms} ms")
    offset = time_offset(replayer.chain_time(), int(bars.timestamp_ms[0]) // 1000, tf_s)
    start = time.monotonic()
    for i in range(len(bars)):
        open_s = int(bars.timestamp_ms[i]) // 1000 + offset
        close = price_decimal(bars.close[i])
        pools = replayer.move_to(close, at=open_s + tf_s)
        replayer.close_bar(open_s + tf_s)
        step = ReplayStep(i, int(bars.timestamp_ms[i]), open_s + tf_s, close, pools)
        if on_step is not None:
            on_step(step)
        yield step
        if speed is not None:
            due = start + (i + 1) * tf_s / speed
            pause = due - time.monotonic()
            if pause > 0:
                time.sleep(pause)
