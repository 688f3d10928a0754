"""The RPC endpoint goes away and comes back: trading stops, the gap is recorded, trading resumes.

The outage lasts 30 seconds, as the issue asks (the retry backoff is capped at 1 s in the test
config, so the agent keeps knocking for the whole outage).
"""

from __future__ import annotations

import json
import time
from pathlib import Path

from dexagent.audit_log.store import Store
from tests.service.helpers import AGENT_ADDR, Chain, ServiceProc, write_config
from tests.service.proxy import Proxy

OUTAGE_S = 30.0


def test_rpc_outage_pauses_trading_records_the_gap_and_recovers(
    chain: Chain, tmp_path: Path
) -> None:
    proxy = Proxy(chain.node.port)
    cfg = write_config(tmp_path, proxy.url, chain.manifest)
    svc = ServiceProc(cfg, tmp_path)
    try:
        svc.wait_for("first block", lambda: svc.agent()["status"] == "running")
        proxy.down()
        svc.wait_for("rpc_down", lambda: svc.agent()["status"] == "rpc_down")
        chain.close_bar()  # the market moves on while the agent cannot see it
        time.sleep(OUTAGE_S)
        assert svc.agent()["fills"] == 0 and svc.agent()["status"] == "rpc_down"
        assert svc.http("GET", "/readyz")[0] == 503
        proxy.up()
        svc.wait_for("recovery", lambda: svc.agent()["status"] == "running")
        chain.close_bar()
        svc.wait_for("a fill after recovery", lambda: svc.agent()["fills"] == 1)
        _, metrics = svc.http("GET", "/metrics")
        assert 'dexagent_rpc_gaps_total{agent="alpha"} 1' in metrics
        assert svc.terminate() == 0
    finally:
        svc.close()
        proxy.close()
    assert chain.swaps_to(AGENT_ADDR) == 1
    store = Store.open(f"sqlite:///{tmp_path / 'state' / 'alpha' / 'audit.sqlite'}")
    try:
        gaps = [
            json.loads(r.payload)
            for r in store.iter_records(0, 10**9)
            if r.type == "agent_started" and json.loads(r.payload).get("event") == "rpc_gap"
        ]
    finally:
        store.close()
    (gap,) = gaps
    assert gap["recovered"] is True
    assert gap["end_ms"] - gap["start_ms"] >= OUTAGE_S * 1000
