"""A ccxt reference price at each bar close: observed, audited, a deviation bound, fetch failures.

A real anvil, `dexagent run` as a process, and the local Binance replay server (ccxt's
``fetch_ticker`` reads ``/api/v3/ticker/24hr`` after ``/api/v3/exchangeInfo``).
"""

from __future__ import annotations

import hashlib
import json
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from dexagent.audit_log.canonical import canonical_text
from dexagent.audit_log.store import Store
from dexagent.core.errors import ConfigError
from dexagent.service.config import parse_service_config
from tests.connectors.ccxt.binance_fake import BinanceSpot
from tests.connectors.ccxt.replay import ReplayServer, Request
from tests.service.helpers import Chain, ServiceProc

TICKER = "/api/v3/ticker/24hr"


class Ticker:
    """The Binance fake with a settable ``lastPrice`` (the fixture's is 1999.75)."""

    def __init__(self) -> None:
        self.inner = BinanceSpot()
        self.last: str | None = None

    def __call__(self, req: Request) -> tuple[int, Any]:
        status, body = self.inner(req)
        if req.path == TICKER and self.last is not None:
            body = {**body, "lastPrice": self.last}
        return status, body


def _config(tmp: Path, chain: Chain, api_url: str) -> Path:
    cfg = tmp / "agent.toml"
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
strategy = {{ name = "dca", params = {{ every = 1, amount = "100" }} }}

[agents.reference]
exchange = "binance"
symbol = "ETH/USDT"
api_url = "{api_url}"
max_deviation_bps = 50
timeout_s = 3
"""
    )
    return cfg


def _observations(tmp: Path) -> list[dict[str, Any]]:
    store = Store.open(f"sqlite:///{tmp / 'state' / 'alpha' / 'audit.sqlite'}")
    return [json.loads(r.payload) for r in store.iter_records(0, 10**9) if r.type == "observation"]


def test_reference_price_is_observed_bounds_deviation_and_survives_failures(
    chain: Chain, tmp_path: Path
) -> None:
    answer = Ticker()
    with ReplayServer(answer) as server:
        svc = ServiceProc(_config(tmp_path, chain, server.url), tmp_path)
        try:
            svc.wait_for("first block", lambda: svc.agent()["status"] == "running")
            # bar 1: the pool (seeded at 2000) is within 50 bps of 1999.75: decided, filled
            chain.close_bar()
            svc.wait_for("a fill", lambda: svc.agent()["fills"] == 1)
            ref = svc.agent()["reference"]
            assert ref["price"] == "1999.75" and ref["error"] is None and ref["skipped"] is None
            assert abs(Decimal(ref["deviation_bps"])) < 50
            status, metrics = svc.http("GET", "/metrics")
            assert status == 200
            assert 'dexagent_reference_price{agent="alpha"} 1999.75' in metrics
            assert 'dexagent_reference_deviation_bps{agent="alpha"} ' in metrics
            # bar 2: the reference moves to 1800 (~1100 bps away): the bar is not decided
            answer.last = "1800"
            chain.close_bar()
            svc.wait_for("the skipped bar", lambda: svc.agent()["reference"]["skipped"] is not None)
            a = svc.agent()
            assert a["bars"] == 2 and a["fills"] == 1 and a["decisions"] == 1
            assert "bar not decided" in a["reference"]["skipped"]
            status, metrics = svc.http("GET", "/metrics")
            assert 'dexagent_reference_skips_total{agent="alpha"} 1' in metrics
            # bar 3: the exchange fails: recorded, and the bar is decided without a reference
            answer.last = None
            server.fail_next(TICKER, 503)
            chain.close_bar()
            svc.wait_for("a fill without the reference", lambda: svc.agent()["fills"] == 2)
            a = svc.agent()
            assert a["status"] == "running" and a["reference"]["error"]
            assert a["reference"]["price"] is None
            status, metrics = svc.http("GET", "/metrics")
            assert 'dexagent_reference_errors_total{agent="alpha"} 1' in metrics
            # bar 4: the exchange is back
            chain.close_bar()
            svc.wait_for("a fill with the reference", lambda: svc.agent()["fills"] == 3)
            assert svc.agent()["reference"]["price"] == "1999.75"
            assert svc.terminate() == 0
        finally:
            svc.close()
    obs = _observations(tmp_path)
    assert len(obs) == 4
    for o in obs:
        fields = {k: v for k, v in o.items() if k != "digest"}
        digest = hashlib.sha256(canonical_text(fields).encode()).hexdigest()
        assert o["digest"] == "sha256:" + digest
        assert o["exchange"] == "binance" and o["symbol"] == "ETH/USDT"
    assert obs[0]["reference_price"] == "1999.75" and "skipped" not in obs[0]
    assert Decimal(obs[1]["reference_price"]) == 1800 and "bar not decided" in obs[1]["skipped"]
    assert "reference_error" in obs[2] and "reference_price" not in obs[2]
    assert obs[3]["reference_price"] == "1999.75"
    assert [o["bar_ts"] for o in obs] == sorted(o["bar_ts"] for o in obs)


def test_reference_config_is_checked() -> None:
    base = {"id": "a", "rpc_url": "http://x", "deployment": "d.json", "venue": "paper"}
    ok = parse_service_config(
        {"agents": [{**base, "reference": {"exchange": "binance", "symbol": "ETH/USDT"}}]}
    )
    ref = ok.agents[0].reference
    assert ref is not None and ref.max_deviation_bps is None and ref.api_url is None
    with pytest.raises(ConfigError, match="symbl"):
        parse_service_config(
            {"agents": [{**base, "reference": {"exchange": "binance", "symbl": "ETH/USDT"}}]}
        )
