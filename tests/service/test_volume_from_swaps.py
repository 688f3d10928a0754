"""Bar volume from the pool's Swap logs: a real anvil, real swaps, `dexagent run` as a process."""

from __future__ import annotations

import sqlite3
import time
from decimal import Decimal
from pathlib import Path

from dexagent.connectors.evm.contracts import load_artifact
from dexagent.connectors.evm.rawtx import encode_call, sign_1559
from dexagent.service.feed import v2_base_amount, v3_base_amount
from tests.service.helpers import AGENT_ADDR, AGENT_KEY, Chain, ServiceProc

_ERC20 = load_artifact("TestERC20").abi
_ROUTER = load_artifact("UniswapV2Router02").abi


def _balance(chain: Chain, sym: str) -> int:
    token = chain.dep.tokens[sym].address
    data = encode_call(_ERC20, "balanceOf", [AGENT_ADDR])
    return int(chain.rpc("eth_call", [{"to": token, "data": data}, "latest"]), 16)


def _swap(chain: Chain, sell: str, buy: str, amount_in: int) -> int:
    """Swap on the V2 router (one mined block); returns the block number."""
    path = [chain.dep.tokens[sell].address, chain.dep.tokens[buy].address]
    data = encode_call(_ROUTER, "swapExactTokensForTokens", [amount_in, 0, path, AGENT_ADDR, 2**40])
    nonce = int(chain.rpc("eth_getTransactionCount", [AGENT_ADDR, "pending"]), 16)
    tx = sign_1559(
        AGENT_KEY,
        chain_id=chain.dep.chain_id,
        nonce=nonce,
        to=chain.dep.contracts["UniswapV2Router02"],
        data=data,
        value=0,
        gas=300_000,
        max_fee_per_gas=10**11,
        max_priority_fee_per_gas=10**9,
    )
    h = chain.rpc("eth_sendRawTransaction", [tx.raw])
    deadline = time.monotonic() + 10
    while (rcpt := chain.rpc("eth_getTransactionReceipt", [h])) is None:
        assert time.monotonic() < deadline, "swap not mined"
        time.sleep(0.02)
    assert rcpt["status"] == "0x1", rcpt
    return int(rcpt["blockNumber"], 16)


def _paper_config(tmp: Path, chain: Chain) -> Path:
    cfg = tmp / "paper.toml"
    cfg.write_text(
        f"""
[service]
api_port = 0
token_env = "DEXAGENT_TEST_TOKEN"
state_dir = "{tmp / "state"}"

[[agents]]
id = "alpha"
rpc_url = "{chain.node.url}"
deployment = "{chain.manifest}"
venue = "paper"
timeframe = "1h"
poll_s = 0.1
strategy = {{ name = "dca", params = {{ every = 1000, amount = "1" }} }}
"""
    )
    return cfg


def test_a_bar_volume_is_the_base_token_swapped_in_its_blocks(chain: Chain, tmp_path: Path) -> None:
    svc = ServiceProc(_paper_config(tmp_path, chain), tmp_path)
    try:
        svc.wait_for("first block", lambda: svc.agent()["status"] == "running")
        first = svc.agent()["last_block"]
        sold = 10**18  # 1 WETH in
        b1 = _swap(chain, "WETH", "USDC", sold)
        weth_before = _balance(chain, "WETH")
        b2 = _swap(chain, "USDC", "WETH", 1500 * 10**6)
        bought = _balance(chain, "WETH") - weth_before  # WETH out, measured by the wallet
        assert bought > 0 and first < b1 < b2
        chain.close_bar()  # the first block of the next bar closes the one with the swaps
        svc.wait_for("the bar", lambda: svc.agent()["bars"] == 1)
        a = svc.agent()
        assert int(a["last_bar_volume_raw"]) == sold + bought
        assert a["last_bar_blocks"] == [first, b2]
        chain.close_bar()  # a bar without swaps: volume 0, blocks right after the last one
        svc.wait_for("the second bar", lambda: svc.agent()["bars"] == 2)
        a = svc.agent()
        assert int(a["last_bar_volume_raw"]) == 0
        assert a["last_bar_blocks"][0] == b2 + 1
        assert svc.terminate() == 0
    finally:
        svc.close()
    db = sqlite3.connect(tmp_path / "state" / "alpha" / "journal.sqlite")
    vols = [v for (v,) in db.execute("SELECT volume FROM bars ORDER BY ts_ms")]
    db.close()
    assert vols == [float(Decimal(sold + bought) / 10**18), 0.0]


def _words(*xs: int) -> bytes:
    return b"".join(x.to_bytes(32, "big", signed=True) for x in xs)


def test_swap_log_decoding_v2_and_v3() -> None:
    v2 = _words(5, 0, 0, 7)  # 5 of token0 in, 7 of token1 out
    assert v2_base_amount(v2, base_is_0=True) == 5
    assert v2_base_amount(v2, base_is_0=False) == 7
    v3 = _words(-(10**30), 3 * 10**18, 2**96, 10**20, -5)  # pool paid token0, got token1
    assert v3_base_amount(v3, base_is_0=True) == 10**30
    assert v3_base_amount(v3, base_is_0=False) == 3 * 10**18
