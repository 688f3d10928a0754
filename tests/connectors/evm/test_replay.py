"""Market replay moves the real Uniswap pools to each bar's close at the bar's block time."""

from __future__ import annotations

from decimal import Decimal

import numpy as np

from dexagent.connectors.evm.anvil import AnvilNode
from dexagent.connectors.evm.manifest import Deployment
from dexagent.connectors.evm.replay import MarketReplayer, replay, time_offset
from dexagent.connectors.evm.rpc import JsonRpcClient
from dexagent.core.bars import Bars


def _bars(closes: list[float], start_s: int, tf_s: int = 300) -> Bars:
    c = np.asarray(closes)
    ts = (start_s + tf_s * np.arange(len(c))) * 1000
    return Bars(ts.astype(np.int64), c, c, c, c, np.ones_like(c), "ETH/USDT", tf_s * 1000)


def test_pools_follow_the_series_and_blocks_follow_its_clock(
    chain: AnvilNode, deployment: Deployment
) -> None:
    rpc = JsonRpcClient(chain.url)
    mm = MarketReplayer(rpc, deployment)
    mm.fund()
    closes = [2000.0, 2031.5, 1987.25, 1900.0, 1900.0, 2150.75]
    head = mm.chain_time()
    bars = _bars(closes, start_s=head + 600 - (head % 300))
    heads: list[int] = []

    def head(_step: object) -> None:
        block = rpc.call("eth_getBlockByNumber", ["latest", False])
        heads.append(int(block["timestamp"], 16))

    steps = list(replay(mm, bars, speed=None, on_step=head))
    assert [s.bar for s in steps] == list(range(len(closes)))
    for step in steps:
        assert len(step.pools) == 3  # V2 and the V3 0.3% and 0.05% pools
        for p in step.pools:
            err_bps = abs(p.price - step.target) / step.target * 10_000
            # V3 stops exactly at the sqrt-price limit; V2 bisects to the last whole unit
            limit = Decimal("0.001")
            assert err_bps < limit, (step.bar, p)
        assert heads[step.bar] == step.chain_time  # the bar-closing block
    assert steps[-1].chain_time - steps[0].chain_time == 300 * (len(closes) - 1)


def test_history_older_than_the_chain_is_shifted_by_whole_bars() -> None:
    assert time_offset(head_time=1_000, first_open_s=5_000, tf_s=300) == 0
    off = time_offset(head_time=1_700_000_000, first_open_s=1_672_531_200, tf_s=300)
    assert off % 300 == 0 and 1_672_531_200 + off + 300 - 8 > 1_700_000_000
