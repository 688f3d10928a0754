"""`dexagent run` as a real process against a real anvil: start, trade, API, SIGTERM, restart."""

from __future__ import annotations

import json
from pathlib import Path

from dexagent.audit_log.store import Store
from dexagent.audit_log.verify import verify_store
from tests.service.helpers import AGENT_ADDR, AGENT_KEY, TOKEN, Chain, ServiceProc, write_config


def _audit(tmp: Path, agent: str = "alpha") -> Store:
    return Store.open(f"sqlite:///{tmp / 'state' / agent / 'audit.sqlite'}")


def _records(store: Store) -> list[tuple[str, dict[str, object]]]:
    return [(r.type, json.loads(r.payload)) for r in store.iter_records(0, 10**9)]


def test_service_trades_on_bar_close_and_stops_with_a_final_checkpoint(
    chain: Chain, tmp_path: Path
) -> None:
    cfg = write_config(tmp_path, chain.node.url, chain.manifest)
    svc = ServiceProc(cfg, tmp_path)
    try:
        svc.wait_for("first block", lambda: svc.agent()["status"] == "running")
        chain.close_bar()
        svc.wait_for("a fill", lambda: svc.agent()["fills"] == 1)
        assert chain.swaps_to(AGENT_ADDR) == 1
        status, metrics = svc.http("GET", "/metrics")
        assert status == 200
        assert 'dexagent_fills_total{agent="alpha"} 1' in metrics
        assert 'dexagent_agent_up{agent="alpha",status="running"} 1' in metrics
        status, body = svc.http("GET", "/agents/alpha/decisions?limit=5")
        assert status == 200 and body["decisions"][0]["outcome"] == "filled"
        assert svc.terminate() == 0
    finally:
        svc.close()
    summary = json.loads((tmp_path / "state" / "shutdown.json").read_text())
    (agent,) = summary["agents"]
    assert agent["status"] == "stopped" and agent["checkpoint"]["tree_size"] > 0
    store = _audit(tmp_path)
    report = verify_store(store, expected_signer=AGENT_ADDR)
    assert report.ok, report.summary()
    types = [t for t, _ in _records(store)]
    assert types[-1] == "checkpoint" and types[-2] == "agent_stopped"
    assert types.count("fill") == 1
    # the key never leaves the process: not in logs, stdout, audit records or the journal
    key_hex = AGENT_KEY.removeprefix("0x")
    for path in (svc.out, svc.err, *(tmp_path / "state").rglob("*.sqlite*")):
        data = path.read_bytes()
        assert key_hex.encode() not in data, path
        assert TOKEN.encode() not in data, path
    for line in svc.err.read_text().splitlines():
        json.loads(line)  # structured logs: one JSON object per line


def test_api_refuses_requests_without_the_token(chain: Chain, tmp_path: Path) -> None:
    cfg = write_config(tmp_path, chain.node.url, chain.manifest)
    svc = ServiceProc(cfg, tmp_path)
    try:
        assert svc.http("GET", "/healthz", token=None)[0] == 200
        for method, path in (
            ("GET", "/agents"),
            ("GET", "/metrics"),
            ("GET", "/readyz"),
            ("POST", "/agents/alpha/halt"),
            ("POST", "/halt-all"),
            ("GET", "/approvals"),
        ):
            assert svc.http(method, path, token=None)[0] == 401, path
            assert svc.http(method, path, token="wrong")[0] == 401, path
        assert svc.agent()["status"] != "halted"  # the refused halt did nothing
        status, body = svc.http("GET", "/agents")
        assert status == 200 and TOKEN not in json.dumps(body)
    finally:
        svc.close()


def test_halt_stops_deciding_until_resumed(chain: Chain, tmp_path: Path) -> None:
    cfg = write_config(tmp_path, chain.node.url, chain.manifest)
    svc = ServiceProc(cfg, tmp_path)
    try:
        svc.wait_for("first block", lambda: svc.agent()["status"] == "running")
        assert svc.http("POST", "/agents/alpha/halt")[0] == 200
        chain.close_bar()
        svc.wait_for("the bar", lambda: svc.agent()["bars"] == 1)
        assert svc.agent()["status"] == "halted" and svc.agent()["decisions"] == 0
        halt_file = tmp_path / "state" / "HALT"
        halt_file.write_text("")
        assert svc.http("POST", "/agents/alpha/resume")[0] == 409  # the file still holds it
        halt_file.unlink()
        assert svc.http("POST", "/agents/alpha/resume")[0] == 200
        chain.close_bar()
        svc.wait_for("a fill after resume", lambda: svc.agent()["fills"] == 1)
        assert svc.terminate() == 0
    finally:
        svc.close()
    assert chain.swaps_to(AGENT_ADDR) == 1


def test_paper_agent_trades_on_live_prices_without_touching_the_chain(
    chain: Chain, tmp_path: Path
) -> None:
    cfg = tmp_path / "paper.toml"
    cfg.write_text(
        f"""
[service]
api_port = 0
token_env = "DEXAGENT_TEST_TOKEN"
state_dir = "{tmp_path / "state"}"

[[agents]]
id = "alpha"
rpc_url = "{chain.node.url}"
deployment = "{chain.manifest}"
venue = "paper"
timeframe = "1h"
poll_s = 0.1
strategy = {{ name = "dca", params = {{ every = 1, amount = "100" }} }}
paper = {{ balances = {{ USDC = "1000" }} }}
"""
    )
    nonce = chain.rpc("eth_getTransactionCount", [AGENT_ADDR, "latest"])
    svc = ServiceProc(cfg, tmp_path)
    try:
        svc.wait_for("first block", lambda: svc.agent()["status"] == "running")
        chain.close_bar()
        svc.wait_for("a paper fill", lambda: svc.agent()["fills"] == 1)
        assert svc.agent()["venue"] == "paper"
        assert svc.terminate() == 0
    finally:
        svc.close()
    assert chain.swaps_to(AGENT_ADDR) == 0
    assert chain.rpc("eth_getTransactionCount", [AGENT_ADDR, "latest"]) == nonce
    types = [t for t, _ in _records(_audit(tmp_path))]
    assert types.count("fill") == 1
