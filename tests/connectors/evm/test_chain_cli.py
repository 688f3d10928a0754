"""`dexagent chain up|status|down` run as real processes: anvil outlives `up`, `down` stops it."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from dexagent.connectors.evm.manifest import Deployment
from dexagent.connectors.evm.rpc import JsonRpcClient


def _cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "dexagent", "chain", *args],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_chain_up_status_down_round_trip(tmp_path: Path) -> None:
    state = tmp_path / "chain"
    up = _cli("up", "--state-dir", str(state))
    try:
        assert up.returncode == 0, up.stderr
        assert "url: http://127.0.0.1:" in up.stdout and "manifest:" in up.stdout
        info = json.loads((state / "node.json").read_text())
        dep = Deployment.load(state / "deployment.json")
        assert dep.chain_id == 31337
        code = JsonRpcClient(info["url"]).call("eth_getCode", [dep.contracts["QuoterV2"], "latest"])
        assert len(code) > 2
        st = _cli("status", "--state-dir", str(state))
        assert st.returncode == 0 and "up:" in st.stdout
        again = _cli("up", "--state-dir", str(state))
        assert again.returncode == 2 and "already up" in again.stderr
    finally:
        down = _cli("down", "--state-dir", str(state))
    assert down.returncode == 0, down.stderr
    try:
        os.kill(int(info["pid"]), 0)
        alive = b"anvil" in Path(f"/proc/{info['pid']}/cmdline").read_bytes()
    except (ProcessLookupError, FileNotFoundError):
        alive = False
    assert not alive
    assert not (state / "cache").exists() and not (state / "anvil.pid").exists()
    assert _cli("status", "--state-dir", str(state)).returncode == 1
