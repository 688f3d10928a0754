"""The main job: the whole product in one run, on this machine, with real parts.

1. a backtest of the default strategy on the bundled real ETH/USDT data, with its report;
2. a local anvil chain with Uniswap V2/V3 and an AuditAnchor contract deployed;
3. ``dexagent run`` as a separate process: one agent trading WETH/USDC on the real Uniswap V2
   pool while a market maker replays real hourly ETH prices into it (lockstep, bar by bar);
4. SIGTERM: the agent stops, writes and anchors its final checkpoint;
5. ``audit verify`` of the agent's log against the chain;
6. backtest/live parity: the backtester over the same bars, decision by decision.
"""

from __future__ import annotations

import json
import os
import secrets
import signal
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

from dexagent.connectors.evm.anvil import DEV_ACCOUNTS, AnvilNode
from dexagent.connectors.evm.deploy import deploy_stack
from dexagent.connectors.evm.replay import MarketReplayer, time_offset
from dexagent.connectors.evm.rpc import JsonRpcClient
from dexagent.core.bars import Bars
from dexagent.core.errors import FatalError
from dexagent.core.tokens import price_decimal

Say = Callable[[str], None]

STRATEGY = {"name": "sma_cross", "params": {"fast": 5, "slow": 20}}
AGENT_ID = "demo-eth"
START_USDC = 10_000
START_ETH = Decimal(1)

POLICY = """\
# The demo agent's policy: what it may trade, how much, at what price.
schema_version = 1
name = "demo"

[allow]
tokens = ["WETH", "USDC"]
venues = ["uniswap_v2", "uniswap_v2_sim"]  # the live pool, and its simulation for parity
chains = [31337]
no_chain = true                             # the backtest simulator has no chain id

[strategies.sma_cross]
fast = { min = 2, max = 50 }
slow = { min = 5, max = 200 }

[limits]
max_notional = 25000
max_position = { WETH = 20 }

[market]
max_slippage_bps = 100
max_price_impact_bps = 100
"""


@dataclass(frozen=True, slots=True)
class DemoOptions:
    out: Path
    bars: int = 240  # hourly bars replayed on chain
    start: str = "2023-10-01"
    bar_seconds: float = 0.15  # real time per replayed bar (at least; lockstep with the agent)


def run_demo(opts: DemoOptions, say: Say = print) -> int:
    out = opts.out
    out.mkdir(parents=True, exist_ok=True)
    t0 = time.monotonic()
    bt_dir = _backtest(out / "backtest", say)
    say(f"[1/5] backtest done in {time.monotonic() - t0:.1f} s -> {bt_dir / 'report.html'}")

    live = out / "live"
    if live.exists():  # a previous run's chain is gone: keep its records aside, start afresh
        live.rename(out / f"live.{int(live.stat().st_mtime)}.previous")
    live.mkdir(parents=True)
    node = AnvilNode.start(log_path=live / "anvil.log")
    proc: subprocess.Popen[bytes] | None = None
    try:
        manifest = live / "deployment.json"
        dep = deploy_stack(node.url, deployer_key=DEV_ACCOUNTS[0][1], manifest_path=manifest)
        from dexagent.audit_log.anchor_contract import deploy_anchor

        anchor = deploy_anchor(node.url, DEV_ACCOUNTS[0][1])
        agent_key = "0x" + secrets.token_hex(32)
        agent_addr = _fund_agent(node, dep.tokens["USDC"].address, dep.deployer, agent_key)
        say(f"[2/5] chain {node.url}: Uniswap V2/V3 + AuditAnchor {anchor} deployed")

        bars = _hourly_bars(opts)
        rpc = JsonRpcClient(node.url)
        mm = MarketReplayer(rpc, dep)
        mm.fund()
        tf_s = bars.timeframe_ms // 1000
        offset = time_offset(mm.chain_time(), int(bars.timestamp_ms[0]) // 1000, tf_s)
        # prime: the first bar's price, before the agent starts, so its first bar is a real one
        first_close = int(bars.timestamp_ms[0]) // 1000 + offset + tf_s
        mm.move_to(price_decimal(bars.close[0]), at=first_close)

        depth = _v2_quote_reserve(node, dep.pool("uniswap_v2").address, dep.tokens["USDC"].address)
        config = _write_agent_config(live, node.url, manifest, anchor)
        token = secrets.token_hex(16)
        proc, port = _start_service(live, config, agent_key, token)
        api = _Api(port, token)
        say(f"[3/5] agent {AGENT_ID} ({agent_addr}) running; API http://127.0.0.1:{port}")

        replayed = _replay_lockstep(mm, bars, offset, api, opts.bar_seconds, say)
        status = api.agent()
        say(
            f"      replayed {replayed} hourly bars from {opts.start}: the agent made "
            f"{status['decisions']} decisions, {status['fills']} fills"
        )
        os.kill(proc.pid, signal.SIGTERM)
        code = proc.wait(120)
        proc = None
        if code != 0:
            raise FatalError(f"the agent service exited with {code}; see {live / 'service.err'}")
        say("[4/5] SIGTERM: agent stopped, final checkpoint written and anchored")

        audit_url = f"sqlite:///{live / 'state' / AGENT_ID / 'audit.sqlite'}"
        summary, ok = _verify(audit_url, node.url, anchor)
        say(f"[5/5] dexagent audit verify --db {audit_url} --rpc {node.url} --contract {anchor}")
        say(f"      {summary}")

        parity = _parity(bars, offset, live, audit_url, depth)
        (out / "parity.json").write_text(json.dumps(parity, indent=2) + "\n")
        diff = parity["fill_diff_bps"]
        say(
            f"parity: {parity['same_decisions']} of {parity['backtest_decisions']} backtest "
            f"decisions made live at the same bar and side; fill price live vs backtest: "
            f"mean {diff['mean']} bps, max |{diff['max_abs']}| bps -> {out / 'parity.json'}"
        )
        say(f"done in {time.monotonic() - t0:.0f} s. Results:")
        say(f"  backtest report   {bt_dir / 'report.html'}")
        say(f"  backtest audit    {bt_dir / 'audit.sqlite'}")
        say(f"  live agent state  {live / 'state' / AGENT_ID}")
        say(f"  live audit log    {audit_url} (anchored at {anchor})")
        say(f"  parity            {out / 'parity.json'}")
        return 0 if ok else 1
    finally:
        if proc is not None and proc.poll() is None:
            proc.kill()
            proc.wait(10)
        node.stop()


# -- steps -------------------------------------------------------------------------------------


def _backtest(out: Path, say: Say) -> Path:
    from dexagent.backtests.config import load_config
    from dexagent.backtests.metrics import compute_metrics
    from dexagent.backtests.report import format_outcomes, format_summary, write_report
    from dexagent.backtests.runner import run_backtest

    cfg = load_config(
        None, {"run.out_dir": str(out), "audit.db": f"sqlite:///{out / 'audit.sqlite'}"}
    )
    result = run_backtest(cfg)
    metrics = compute_metrics(result)
    say(format_summary(metrics))
    say(format_outcomes(result))
    write_report(result, metrics, out)
    return out


def _hourly_bars(opts: DemoOptions) -> Bars:
    from dexagent.backtests.config import load_config
    from dexagent.backtests.runner import load_market

    cfg = load_config(None, {"data.timeframe": "1h", "data.start": opts.start})
    # one bar more than replayed: bar 0 primes the pool before the agent starts
    return load_market(cfg).head(opts.bars + 1)


def _fund_agent(node: AnvilNode, usdc: str, minter: str, key: str) -> str:
    from dexagent.connectors.evm.contracts import load_artifact
    from dexagent.connectors.evm.rawtx import address_of, encode_call

    addr = address_of(key)
    node.rpc("anvil_setBalance", [addr, hex(int(START_ETH * 10**18))])
    data = encode_call(load_artifact("TestERC20").abi, "mint", [addr, START_USDC * 10**6])
    tx = node.rpc("eth_sendTransaction", [{"from": minter, "to": usdc, "data": data}])
    for _ in range(2000):
        if node.rpc("eth_getTransactionReceipt", [tx]) is not None:
            break
        time.sleep(0.002)
    return addr


def _write_agent_config(live: Path, url: str, manifest: Path, anchor: str) -> Path:
    policy = live / "policy.toml"
    policy.write_text(POLICY)
    config = live / "agent.toml"
    config.write_text(
        f"""\
# Written by `dexagent demo`: one agent trading the local chain's WETH/USDC V2 pool.
[service]
api_host = "127.0.0.1"
api_port = 0
token_env = "DEXAGENT_DEMO_TOKEN"
state_dir = "{live / "state"}"
log_format = "json"
shutdown_timeout_s = 30

[[agents]]
id = "{AGENT_ID}"
rpc_url = "{url}"
deployment = "{manifest}"
venue = "uniswap_v2"
pair = "WETH/USDC"
timeframe = "1h"
poll_s = 0.02
policy = "{policy}"
history_bars = 500

[agents.wallet]
key_env = "DEXAGENT_DEMO_KEY"

[agents.strategy]
name = "{STRATEGY["name"]}"
params = {{ fast = 5, slow = 20 }}

[agents.audit]
batch_size = 64
checkpoint_every = 64
anchor_contract = "{anchor}"
anchor_every_records = 64
anchor_confirmations = 1
"""
    )
    return config


def _start_service(
    live: Path, config: Path, key: str, token: str
) -> tuple[subprocess.Popen[bytes], int]:
    api_file = live / "state" / "api.json"
    api_file.unlink(missing_ok=True)
    env = {**os.environ, "DEXAGENT_DEMO_KEY": key, "DEXAGENT_DEMO_TOKEN": token}
    env["PYTHONUNBUFFERED"] = "1"
    with open(live / "service.log", "wb") as o, open(live / "service.err", "wb") as e:
        proc = subprocess.Popen(
            [sys.executable, "-m", "dexagent", "run", "--config", str(config)],
            stdout=o,
            stderr=e,
            stdin=subprocess.DEVNULL,
            env=env,
        )
    deadline = time.monotonic() + 60
    while not api_file.exists():
        if proc.poll() is not None or time.monotonic() > deadline:
            proc.kill()
            raise FatalError(f"the agent service did not start; see {live / 'service.err'}")
        time.sleep(0.05)
    port = int(json.loads(api_file.read_text())["port"])
    api = _Api(port, token)
    while api.agent().get("last_block", -1) < 0:
        if time.monotonic() > deadline:
            proc.kill()
            raise FatalError("the agent did not read the chain within 60 s")
        time.sleep(0.05)
    return proc, port


class _Api:
    def __init__(self, port: int, token: str) -> None:
        self.base = f"http://127.0.0.1:{port}"
        self.token = token

    def agent(self) -> dict[str, Any]:
        req = urllib.request.Request(f"{self.base}/agents")
        req.add_header("Authorization", f"Bearer {self.token}")
        with urllib.request.urlopen(req, timeout=10) as resp:
            body = json.loads(resp.read())
        found: dict[str, Any] = next(a for a in body["agents"] if a["id"] == AGENT_ID)
        return found


def _replay_lockstep(
    mm: MarketReplayer, bars: Bars, offset: int, api: _Api, bar_seconds: float, say: Say
) -> int:
    """Bar by bar: close the bar on chain, wait for the agent to handle it, move the price."""
    tf_s = bars.timeframe_ms // 1000
    n = len(bars)
    for i in range(n):
        open_s = int(bars.timestamp_ms[i]) // 1000 + offset
        started = time.monotonic()
        if i > 0:
            mm.move_to(price_decimal(bars.close[i]), at=open_s + tf_s)
        mm.close_bar(open_s + tf_s)
        deadline = started + 30
        while True:
            a = api.agent()
            if a["last_bar_ms"] >= open_s * 1000 and not a["in_flight"]:
                break
            if a["status"] == "failed" or time.monotonic() > deadline:
                raise FatalError(f"agent did not handle bar {i} (status {a['status']})")
            time.sleep(0.005)
        rest = bar_seconds - (time.monotonic() - started)
        if rest > 0:
            time.sleep(rest)
        if (i + 1) % 60 == 0:
            say(f"      bar {i + 1}/{n}")
    return n - 1


def _verify(audit_url: str, rpc_url: str, anchor: str) -> tuple[str, bool]:
    from dexagent.audit_log.anchor_source import RpcAnchorSource
    from dexagent.audit_log.store import Store
    from dexagent.audit_log.verify import verify_store

    store = Store.open(audit_url)
    try:
        report = verify_store(store, anchors=RpcAnchorSource(rpc_url, anchor))
    finally:
        store.close()
    return report.summary(), report.ok


def _parity(bars: Bars, offset: int, live: Path, audit_url: str, depth: int) -> dict[str, Any]:
    from dexagent.service.parity import compare_with_backtest

    return compare_with_backtest(
        bars=bars,
        offset_s=offset,
        audit_url=audit_url,
        policy_file=live / "policy.toml",
        strategy=STRATEGY,
        start_balances={"USDC": Decimal(START_USDC), "ETH": START_ETH},
        pool_quote_reserve=depth,
    )


def _v2_quote_reserve(node: AnvilNode, pool: str, usdc: str) -> int:
    """The V2 pool's USDC reserve now (after priming): the backtest pool's depth."""
    from dexagent.connectors.evm.contracts import load_artifact
    from dexagent.connectors.evm.rawtx import decode_output, encode_call

    abi = load_artifact("UniswapV2Pair").abi
    call = {"to": pool, "data": encode_call(abi, "getReserves", [])}
    r0, r1, _ = decode_output(
        ["uint112", "uint112", "uint32"], node.rpc("eth_call", [call, "latest"])
    )
    token0 = decode_output(
        ["address"],
        node.rpc("eth_call", [{"to": pool, "data": encode_call(abi, "token0", [])}, "latest"]),
    )[0]
    return int(r0) if str(token0).lower() == usdc.lower() else int(r1)
