"""Helpers for the service tests: a chain per test, agent.toml, the service as a subprocess."""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from dexagent.connectors.evm.anvil import DEV_ACCOUNTS, AnvilNode
from dexagent.connectors.evm.contracts import load_artifact
from dexagent.connectors.evm.deploy import deploy_stack
from dexagent.connectors.evm.manifest import Deployment
from dexagent.connectors.evm.rawtx import encode_call, sign_1559

REPO = Path(__file__).resolve().parents[2]
AGENT_ADDR, AGENT_KEY = DEV_ACCOUNTS[3]
TOKEN = "test-token-7f3a9c"  # the API bearer token used by the tests
SWAP_TOPIC_V2 = "0xd78ad95fa46c994b6551d0da85fc275fe613ce37657fb8d5e3d130840159d822"


@dataclass
class Chain:
    node: AnvilNode
    dep: Deployment
    manifest: Path

    def rpc(self, method: str, params: list[Any] | None = None) -> Any:
        return self.node.rpc(method, params or [])

    def close_bar(self, seconds: int = 3600) -> None:
        """Move the chain's clock past the bar and mine a block (closes the open bar)."""
        self.rpc("evm_increaseTime", [seconds])
        self.rpc("evm_mine")

    def pending_from(self, addr: str) -> int:
        pending = int(self.rpc("eth_getTransactionCount", [addr, "pending"]), 16)
        latest = int(self.rpc("eth_getTransactionCount", [addr, "latest"]), 16)
        return pending - latest

    def swaps_to(self, addr: str) -> int:
        pool = self.dep.pool("uniswap_v2").address
        logs = self.rpc("eth_getLogs", [{"fromBlock": "0x0", "toBlock": "latest", "address": pool}])
        topic = "0x" + addr.lower().removeprefix("0x").rjust(64, "0")
        return sum(
            1 for lg in logs if lg["topics"][0] == SWAP_TOPIC_V2 and lg["topics"][2] == topic
        )


def start_chain(tmp: Path) -> Chain:
    node = AnvilNode.start()
    try:
        manifest = tmp / "deployment.json"
        dep = deploy_stack(
            node.url, deployer_key=DEV_ACCOUNTS[0][1], fund_keys=[AGENT_KEY], manifest_path=manifest
        )
        chain = Chain(node, dep, manifest)
        approve_router(chain, AGENT_KEY)
        return chain
    except BaseException:
        node.stop()
        raise


def approve_router(chain: Chain, key: str) -> None:
    """Max allowance for the V2 router, so each trade is exactly one transaction."""
    addr = next(a for a, k in DEV_ACCOUNTS if k == key)
    nonce = int(chain.rpc("eth_getTransactionCount", [addr, "pending"]), 16)
    router = chain.dep.contracts["UniswapV2Router02"]
    abi = load_artifact("TestERC20").abi
    hashes = []
    for i, sym in enumerate(("USDC", "WETH")):
        token = chain.dep.tokens[sym].address
        tx = sign_1559(
            key,
            chain_id=chain.dep.chain_id,
            nonce=nonce + i,
            to=token,
            data=encode_call(abi, "approve", [router, 2**255]),
            value=0,
            gas=100_000,
            max_fee_per_gas=10**11,
            max_priority_fee_per_gas=10**9,
        )
        hashes.append(chain.rpc("eth_sendRawTransaction", [tx.raw]))
    deadline = time.monotonic() + 30  # mined before the test reads the account's nonce
    while any(chain.rpc("eth_getTransactionReceipt", [h]) is None for h in hashes):
        if time.monotonic() > deadline:
            raise AssertionError(f"approvals {hashes} not mined within 30 s")
        time.sleep(0.005)


def write_config(
    tmp: Path,
    rpc_url: str,
    manifest: Path,
    *,
    timeframe: str = "1h",
    amount: str = "100",
    extra_agent: str = "",
    agent_id: str = "alpha",
) -> Path:
    cfg = tmp / "agent.toml"
    cfg.write_text(
        f"""
[service]
api_host = "127.0.0.1"
api_port = 0
token_env = "DEXAGENT_TEST_TOKEN"
state_dir = "{tmp / "state"}"
log_format = "json"
shutdown_timeout_s = 20

[[agents]]
id = "{agent_id}"
rpc_url = "{rpc_url}"
deployment = "{manifest}"
venue = "uniswap_v2"
pair = "WETH/USDC"
timeframe = "{timeframe}"
poll_s = 0.1
{extra_agent}
[agents.wallet]
key_env = "DEXAGENT_TEST_KEY"

[agents.strategy]
name = "dca"
params = {{ every = 1, amount = "{amount}" }}

[agents.audit]
batch_size = 8

[agents.rpc]
retry_initial_s = 0.2
retry_max_s = 1.0
timeout_s = 2.0
"""
    )
    return cfg


class ServiceProc:
    """``dexagent run`` as a child process; always stopped by PID in ``close``."""

    def __init__(self, cfg: Path, tmp: Path, tag: str = "run") -> None:
        self.state = tmp / "state"
        api = self.state / "api.json"
        api.unlink(missing_ok=True)
        env = {
            **os.environ,
            "DEXAGENT_TEST_KEY": AGENT_KEY,
            "DEXAGENT_TEST_TOKEN": TOKEN,
            "PYTHONUNBUFFERED": "1",
        }
        self.out = tmp / f"{tag}.stdout"
        self.err = tmp / f"{tag}.stderr"
        with open(self.out, "wb") as o, open(self.err, "wb") as e:
            self.proc = subprocess.Popen(
                [sys.executable, "-m", "dexagent", "run", "--config", str(cfg)],
                stdout=o,
                stderr=e,
                stdin=subprocess.DEVNULL,
                cwd=REPO,
                env=env,
            )
        deadline = time.monotonic() + 30
        while not api.exists():
            if self.proc.poll() is not None or time.monotonic() > deadline:
                self.close()
                raise AssertionError(f"service did not start: {self.err.read_text()[-2000:]}")
            time.sleep(0.05)
        self.port = int(json.loads(api.read_text())["port"])

    def http(self, method: str, path: str, *, token: str | None = TOKEN) -> tuple[int, Any]:
        req = urllib.request.Request(f"http://127.0.0.1:{self.port}{path}", method=method)
        if token is not None:
            req.add_header("Authorization", f"Bearer {token}")
        try:
            with urllib.request.urlopen(req, timeout=5) as resp:
                body = resp.read()
                status = resp.status
        except urllib.error.HTTPError as exc:
            body, status = exc.read(), exc.code
        try:
            return status, json.loads(body)
        except ValueError:
            return status, body.decode()

    def agent(self, agent_id: str = "alpha") -> dict[str, Any]:
        status, body = self.http("GET", "/agents")
        assert status == 200, body
        return next(a for a in body["agents"] if a["id"] == agent_id)

    def wait_for(self, what: str, pred: Callable[[], bool], timeout: float = 30) -> None:
        deadline = time.monotonic() + timeout
        while not pred():
            if self.proc.poll() is not None:
                raise AssertionError(f"service exited while waiting for {what}: {self.logs()}")
            if time.monotonic() > deadline:
                raise AssertionError(f"timed out waiting for {what}; logs: {self.logs()}")
            time.sleep(0.05)

    def logs(self) -> str:
        return self.err.read_text()[-3000:]

    def terminate(self, timeout: float = 30) -> int:
        os.kill(self.proc.pid, signal.SIGTERM)
        return self.proc.wait(timeout)

    def kill9(self) -> None:
        os.kill(self.proc.pid, signal.SIGKILL)
        self.proc.wait(10)

    def close(self) -> None:
        if self.proc.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.kill(self.proc.pid, signal.SIGKILL)
            self.proc.wait(10)
