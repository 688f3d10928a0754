"""The managed anvil node: starts on a free port, answers JSON-RPC, snapshots, stops by PID."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from eth_account import Account

from dexagent.connectors.evm.anvil import DEV_ACCOUNTS, AnvilNode, find_anvil_binary
from dexagent.core.errors import ConfigError, RejectedError, TemporaryError


def test_find_anvil_binary_returns_an_executable() -> None:
    p = find_anvil_binary()
    assert p.is_file() and os.access(p, os.X_OK)


def test_find_anvil_binary_rejects_a_bad_env_path(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DEXAGENT_ANVIL_BIN", "/nonexistent/anvil")
    with pytest.raises(ConfigError, match="npm ci"):
        find_anvil_binary()


def test_dev_accounts_match_their_keys_and_the_node(anvil: AnvilNode) -> None:
    for addr, key in DEV_ACCOUNTS:
        assert Account.from_key(key).address == addr
    assert [a.lower() for a, _ in DEV_ACCOUNTS] == [a.lower() for a in anvil.rpc("eth_accounts")]


def test_chain_fixture_reverts_state_between_tests_part1(chain: AnvilNode) -> None:
    chain.rpc("anvil_setBalance", [DEV_ACCOUNTS[9][0], hex(1)])
    assert int(chain.rpc("eth_getBalance", [DEV_ACCOUNTS[9][0], "latest"]), 16) == 1


def test_chain_fixture_reverts_state_between_tests_part2(chain: AnvilNode) -> None:
    assert int(chain.rpc("eth_getBalance", [DEV_ACCOUNTS[9][0], "latest"]), 16) == 10_000 * 10**18


def test_rpc_error_raises_rejected_with_the_node_message(anvil: AnvilNode) -> None:
    with pytest.raises(RejectedError, match="eth_noSuchMethod"):
        anvil.rpc("eth_noSuchMethod")


def test_started_node_answers_and_stop_kills_pid_and_removes_cache(tmp_path: Path) -> None:
    log_path = tmp_path / "anvil.log"
    node = AnvilNode.start(chain_id=1337, log_path=log_path)
    with node:
        assert int(node.rpc("eth_chainId"), 16) == 1337
        assert node.rpc_batch([("eth_blockNumber", []), ("eth_chainId", [])]) == ["0x0", "0x539"]
        snap = node.snapshot()
        node.rpc("evm_mine")
        assert node.rpc("eth_blockNumber") == "0x1"
        assert node.revert(snap) is True
        assert node.rpc("eth_blockNumber") == "0x0"
        cache = node._cache_dir
        assert cache is not None and cache.exists()
    assert not node.running
    with pytest.raises(ProcessLookupError):
        os.kill(node.pid, 0)
    assert not cache.exists()
    assert log_path.exists()
    with pytest.raises(TemporaryError):
        node.rpc("eth_chainId")
