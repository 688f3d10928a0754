"""``dexagent chain up|down|status``: a detached local anvil with Uniswap V2/V3 deployed.

State lives in ``--state-dir`` (default ``.dexagent/chain/``): ``anvil.pid``, ``node.json``
(url, port, pid, cache dir), ``deployment.json`` (the manifest) and ``anvil.log``.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import shutil
import signal
import time
from pathlib import Path
from typing import Any

from dexagent.connectors.evm.anvil import DEV_ACCOUNTS, AnvilNode
from dexagent.connectors.evm.deploy import deploy_stack
from dexagent.connectors.evm.rpc import JsonRpcClient
from dexagent.core.errors import ConfigError, TemporaryError

DEFAULT_STATE_DIR = Path(".dexagent/chain")


def register(subparsers: Any) -> None:
    chain = subparsers.add_parser("chain", help="a local anvil chain with Uniswap deployed")
    sub = chain.add_subparsers(dest="chain_command", required=True)
    up = sub.add_parser("up", help="start anvil detached, deploy, write the manifest")
    up.add_argument("--port", type=int, default=None, help="port (default: a free one)")
    _state_arg(up)
    up.set_defaults(func=cmd_up)
    down = sub.add_parser("down", help="stop the anvil started by `chain up`")
    _state_arg(down)
    down.set_defaults(func=cmd_down)
    status = sub.add_parser("status", help="is the chain up; url, block, manifest")
    _state_arg(status)
    status.set_defaults(func=cmd_status)
    rp = sub.add_parser(
        "replay", help="move the chain's pools along a historical price series (market maker)"
    )
    rp.add_argument("--data", default="bundled:ETH/USDT", help="OHLCV file or bundled:SYMBOL")
    rp.add_argument("--timeframe", default=None, help="resample first, e.g. 1h (default: as is)")
    rp.add_argument("--start", help="first bar, ISO date (UTC)")
    rp.add_argument("--end", help="end (exclusive), ISO date (UTC)")
    rp.add_argument("--bars", type=int, default=None, help="replay at most this many bars")
    rp.add_argument(
        "--speed", default="600x", help="history time per real time, e.g. 600x, or 'max'"
    )
    rp.add_argument("--log", type=Path, default=None, help="write each step as JSON lines here")
    _state_arg(rp)
    rp.set_defaults(func=cmd_replay)


def _state_arg(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--state-dir", type=Path, default=DEFAULT_STATE_DIR, help=f"default {DEFAULT_STATE_DIR}"
    )


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    cmdline = Path(f"/proc/{pid}/cmdline")
    if cmdline.exists():  # the PID may have been reused by another program
        return b"anvil" in cmdline.read_bytes()
    return True


def _read_node(state: Path) -> dict[str, Any] | None:
    try:
        data: dict[str, Any] = json.loads((state / "node.json").read_text())
    except FileNotFoundError:
        return None
    return data


def cmd_up(args: argparse.Namespace) -> int:
    state: Path = args.state_dir
    node_info = _read_node(state)
    if node_info is not None and _pid_alive(int(node_info["pid"])):
        raise ConfigError(
            f"a chain is already up (pid {node_info['pid']}, {node_info['url']}); "
            f"run `dexagent chain down --state-dir {state}` first"
        )
    state.mkdir(parents=True, exist_ok=True)
    node = AnvilNode.start(
        port=args.port,
        log_path=state / "anvil.log",
        cache_dir=state / "cache",
        new_session=True,
    )
    try:
        manifest = state / "deployment.json"
        deploy_stack(node.url, deployer_key=DEV_ACCOUNTS[0][1], manifest_path=manifest)
    except BaseException:
        node.stop()
        raise
    info = {
        "pid": node.pid,
        "url": node.url,
        "port": node.port,
        "chain_id": node.chain_id,
        "cache_dir": str(state / "cache"),
        "log": str(state / "anvil.log"),
    }
    (state / "node.json").write_text(json.dumps(info, indent=2) + "\n")
    (state / "anvil.pid").write_text(f"{node.pid}\n")
    node.detach()
    print(f"url: {node.url}")
    print(f"manifest: {manifest}")
    print(f"pid: {node.pid}")
    return 0


def cmd_down(args: argparse.Namespace) -> int:
    state: Path = args.state_dir
    pid_file = state / "anvil.pid"
    if not pid_file.exists():
        print(f"no chain recorded in {state}")
        return 0
    pid = int(pid_file.read_text().strip())
    if _pid_alive(pid):
        os.kill(pid, signal.SIGTERM)
        deadline = time.monotonic() + 5
        while _pid_alive(pid) and time.monotonic() < deadline:
            time.sleep(0.02)
        if _pid_alive(pid):
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
    node_info = _read_node(state)
    if node_info is not None:
        shutil.rmtree(node_info["cache_dir"], ignore_errors=True)
    for name in ("anvil.pid", "node.json"):
        (state / name).unlink(missing_ok=True)
    print(f"stopped pid {pid}")
    return 0


def cmd_status(args: argparse.Namespace) -> int:
    state: Path = args.state_dir
    node_info = _read_node(state)
    if node_info is None or not _pid_alive(int(node_info["pid"])):
        print("down")
        return 1
    try:
        block = int(JsonRpcClient(node_info["url"]).call("eth_blockNumber"), 16)
    except TemporaryError:
        print(f"pid {node_info['pid']} alive but {node_info['url']} does not answer")
        return 1
    print(f"up: {node_info['url']} pid {node_info['pid']} block {block}")
    print(f"manifest: {state / 'deployment.json'}")
    return 0


def parse_speed(text: str) -> float | None:
    """``600x`` -> 600.0; ``max`` -> None (no waiting)."""
    if text.strip().lower() == "max":
        return None
    try:
        value = float(text.strip().lower().removesuffix("x"))
    except ValueError:
        raise ConfigError(f"--speed {text!r}: use a factor like 600x, or 'max'") from None
    if value <= 0:
        raise ConfigError(f"--speed {text!r}: must be positive")
    return value


def cmd_replay(args: argparse.Namespace) -> int:
    from dexagent.backtests.config import load_config
    from dexagent.backtests.runner import load_market
    from dexagent.connectors.evm.manifest import Deployment
    from dexagent.connectors.evm.replay import MarketReplayer, replay

    state: Path = args.state_dir
    node_info = _read_node(state)
    if node_info is None or not _pid_alive(int(node_info["pid"])):
        raise ConfigError(f"no chain is up in {state}; run `dexagent chain up` first")
    speed = parse_speed(args.speed)
    overrides: dict[str, Any] = {"data.path": args.data, "data.timeframe": args.timeframe}
    if args.start:
        overrides["data.start"] = args.start
    if args.end:
        overrides["data.end"] = args.end
    bars = load_market(load_config(None, overrides))
    if args.bars is not None:
        bars = bars.head(args.bars)
    mm = MarketReplayer(JsonRpcClient(node_info["url"]), Deployment.load(state / "deployment.json"))
    mm.fund()
    log = args.log.open("w") if args.log is not None else None
    n = 0
    try:
        for step in replay(mm, bars, speed=speed):
            n += 1
            line = {
                "bar": step.bar,
                "history_ms": step.history_ms,
                "chain_time": step.chain_time,
                "target": str(step.target),
                "pools": {f"{p.protocol}:{p.fee}": str(p.price) for p in step.pools},
            }
            if log is not None:
                log.write(json.dumps(line) + "\n")
                log.flush()
            if n % 100 == 0 or n == len(bars):
                print(f"bar {n}/{len(bars)} price {step.target} chain time {step.chain_time}")
    finally:
        if log is not None:
            log.close()
    print(f"replayed {n} bars on {node_info['url']}")
    return 0
