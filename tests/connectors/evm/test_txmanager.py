"""TxManager on anvil: one tx per key across a crash, fee-bump replacement, cancel, reconcile."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from dexagent.connectors.evm.anvil import DEV_ACCOUNTS, AnvilNode
from dexagent.connectors.evm.contracts import load_artifact
from dexagent.connectors.evm.errors import TxTimeout
from dexagent.connectors.evm.manifest import Deployment
from dexagent.connectors.evm.rawtx import encode_call, sign_1559
from dexagent.connectors.evm.txmanager import TxManager
from dexagent.connectors.evm.txstore import TxStatus
from dexagent.core.errors import ConfigError

ADDR, KEY = DEV_ACCOUNTS[5]
SWAP_TOPIC = "0xd78ad95fa46c994b6551d0da85fc275fe613ce37657fb8d5e3d130840159d822"


def _swap_call(dep: Deployment, amount_in: int) -> tuple[str, str]:
    router = dep.contracts["UniswapV2Router02"]
    path = [dep.tokens["WETH"].address, dep.tokens["USDC"].address]
    data = encode_call(
        load_artifact("UniswapV2Router02").abi,
        "swapExactTokensForTokens",
        [amount_in, 0, path, ADDR, 2**40],
    )
    return router, data


def _nonce(node: AnvilNode) -> int:
    return int(node.rpc("eth_getTransactionCount", [ADDR, "latest"]), 16)


async def _approved_manager(node: AnvilNode, dep: Deployment, store: Path) -> TxManager:
    tm = await TxManager.open(node.url, KEY, store_path=store)
    weth = dep.tokens["WETH"].address
    data = encode_call(
        load_artifact("WETH9").abi, "approve", [dep.contracts["UniswapV2Router02"], 10**18]
    )
    await tm.submit("approve-1", to=weth, data=data, gas=100_000)
    await tm.wait("approve-1")
    return tm


def _swap_logs(node: AnvilNode, dep: Deployment) -> list[object]:
    pair = dep.pool("uniswap_v2").address
    sender_topic = "0x" + "0" * 24 + dep.contracts["UniswapV2Router02"][2:].lower()
    return list(
        node.rpc(
            "eth_getLogs",
            [{"address": pair, "fromBlock": "0x0", "topics": [SWAP_TOPIC, sender_topic]}],
        )
    )


_CRASHER = """
import asyncio, os, sys
from pathlib import Path
from dexagent.connectors.evm.txmanager import TxManager
url, key, store, to, data = sys.argv[1:6]
async def main():
    tm = await TxManager.open(url, key, store_path=Path(store))
    await tm.submit("swap-1", to=to, data=data, gas=300_000)
    os._exit(0)  # crash between sending and the receipt
asyncio.run(main())
"""


async def test_no_duplicate_trade_after_a_crash_between_sending_and_the_receipt(
    chain: AnvilNode, deployment: Deployment, tmp_path: Path
) -> None:
    store = tmp_path / "txs.sqlite"
    tm = await _approved_manager(chain, deployment, store)
    await tm.close()
    to, data = _swap_call(deployment, 10**17)
    logs_before = len(_swap_logs(chain, deployment))
    nonce_before = _nonce(chain)
    subprocess.run(
        [sys.executable, "-c", _CRASHER, chain.url, KEY, str(store), to, data],
        check=True,
        timeout=60,
    )
    tm2 = await TxManager.open(chain.url, KEY, store_path=store)
    try:
        again = await tm2.submit("swap-1", to=to, data=data, gas=300_000)
        outcomes = await tm2.reconcile()
        assert [(o.key, o.action) for o in outcomes] == [("swap-1", "mined")]
        rcpt = await tm2.wait("swap-1")
        assert rcpt.tx_hash == again.latest.tx_hash and rcpt.status
        assert tm2.store.get("swap-1").status is TxStatus.MINED  # type: ignore[union-attr]
        await tm2.submit("swap-1", to=to, data=data, gas=300_000)
    finally:
        await tm2.close()
    assert _nonce(chain) == nonce_before + 1
    assert len(_swap_logs(chain, deployment)) == logs_before + 1


async def test_fee_bump_replaces_a_stuck_tx_and_only_the_bumped_one_is_mined(
    chain: AnvilNode, deployment: Deployment, tmp_path: Path
) -> None:
    tm = await _approved_manager(chain, deployment, tmp_path / "txs.sqlite")
    to, data = _swap_call(deployment, 10**16)
    chain.rpc("evm_setAutomine", [False])
    try:
        first = await tm.submit("swap-2", to=to, data=data, gas=300_000)
        with pytest.raises(TxTimeout):
            await tm.wait("swap-2", timeout_s=0.05)
        bumped = await tm.speed_up("swap-2", bump_pct=10)
        new, old = bumped.latest, first.latest
        assert new.tx_hash != old.tx_hash
        assert new.tip * 100 >= old.tip * 110 and new.max_fee * 100 >= old.max_fee * 110
        chain.rpc("evm_mine")
    finally:
        chain.rpc("evm_setAutomine", [True])
    rcpt = await tm.wait("swap-2", timeout_s=5)
    assert rcpt.tx_hash == new.tx_hash and rcpt.status
    assert chain.rpc("eth_getTransactionReceipt", [old.tx_hash]) is None
    await tm.close()


async def test_cancel_replaces_the_tx_with_a_self_send_and_no_trade_happens(
    chain: AnvilNode, deployment: Deployment, tmp_path: Path
) -> None:
    tm = await _approved_manager(chain, deployment, tmp_path / "txs.sqlite")
    to, data = _swap_call(deployment, 10**16)
    logs_before = len(_swap_logs(chain, deployment))
    chain.rpc("evm_setAutomine", [False])
    try:
        await tm.submit("swap-3", to=to, data=data, gas=300_000)
        await tm.cancel("swap-3")
        chain.rpc("evm_mine")
    finally:
        chain.rpc("evm_setAutomine", [True])
    await tm.wait("swap-3", timeout_s=5)
    assert tm.store.get("swap-3").status is TxStatus.CANCELLED  # type: ignore[union-attr]
    assert len(_swap_logs(chain, deployment)) == logs_before
    await tm.close()


async def test_reconcile_rebroadcasts_a_persisted_tx_that_was_never_sent(
    chain: AnvilNode, deployment: Deployment, tmp_path: Path
) -> None:
    store = tmp_path / "txs.sqlite"
    tm = await _approved_manager(chain, deployment, store)
    to, data = _swap_call(deployment, 10**16)
    rec = await tm.prepare("swap-4", to=to, data=data, gas=300_000)  # crash before broadcast
    await tm.close()
    assert chain.rpc("eth_getTransactionByHash", [rec.latest.tx_hash]) is None
    tm2 = await TxManager.open(chain.url, KEY, store_path=store)
    outcomes = await tm2.reconcile()
    assert [(o.key, o.action) for o in outcomes] == [("swap-4", "rebroadcast")]
    rcpt = await tm2.wait("swap-4", timeout_s=5)
    assert rcpt.tx_hash == rec.latest.tx_hash
    await tm2.close()


async def test_reconcile_marks_dropped_when_another_tx_took_the_nonce(
    chain: AnvilNode, deployment: Deployment, tmp_path: Path
) -> None:
    store = tmp_path / "txs.sqlite"
    tm = await _approved_manager(chain, deployment, store)
    to, data = _swap_call(deployment, 10**16)
    rec = await tm.prepare("swap-5", to=to, data=data, gas=300_000)
    await tm.close()
    other = sign_1559(
        KEY,
        chain_id=31337,
        nonce=rec.nonce,
        to=ADDR,
        gas=21_000,
        max_fee_per_gas=10**11,
        max_priority_fee_per_gas=10**9,
    )
    chain.rpc("eth_sendRawTransaction", [other.raw])
    tm2 = await TxManager.open(chain.url, KEY, store_path=store)
    outcomes = await tm2.reconcile()
    assert [(o.key, o.action) for o in outcomes] == [("swap-5", "dropped")]
    await tm2.close()


async def test_reusing_a_key_for_a_different_tx_is_refused(
    chain: AnvilNode, deployment: Deployment, tmp_path: Path
) -> None:
    tm = await _approved_manager(chain, deployment, tmp_path / "txs.sqlite")
    with pytest.raises(ConfigError, match="already used"):
        await tm.submit("approve-1", to=ADDR, data="0x", gas=21_000)
    await tm.close()


def test_manager_repr_does_not_show_the_key(tmp_path: Path) -> None:
    import asyncio

    from dexagent.connectors.evm.aio_rpc import AsyncRpc

    tm = TxManager(AsyncRpc("http://127.0.0.1:1"), KEY, chain_id=1, store_path=tmp_path / "s.db")
    assert KEY[2:] not in repr(tm) and KEY[2:] not in repr(tm.__dict__)
    asyncio.run(tm.close())
