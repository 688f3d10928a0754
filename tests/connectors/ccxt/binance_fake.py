"""Binance spot REST, answered from the constructed responses in ``fixtures/binance/``.

Endpoints (Binance spot API v3, paths as ccxt calls them):

- ``GET /api/v3/exchangeInfo``: the ETHUSDT exchangeInfo of the market-data tests
  (``tests/backtests/data/fixtures/binance_exchangeInfo_ETHUSDT.json``).
- ``GET /api/v3/depth``: ``depth_ETHUSDT.json``.
- ``GET /api/v3/ticker/24hr``: ``ticker_24hr_ETHUSDT.json``.
- ``POST /api/v3/order``: ``order_post_market_buy_full.json`` (newOrderRespType FULL) with
  ``clientOrderId`` set to the request's ``newClientOrderId``; or, when the account is set to
  be short of funds, HTTP 400 ``error_insufficient_balance.json``.
- ``GET /api/v3/order``: ``order_get_filled.json`` for an ``origClientOrderId`` placed before,
  else HTTP 400 ``error_order_does_not_exist.json``.
- ``GET /api/v3/myTrades``: ``myTrades_order.json`` for the placed ``orderId``, else ``[]``.
- ``GET /api/v3/account``: ``account.json``.

Private requests are checked for the ``X-MBX-APIKEY`` header and a ``signature`` parameter.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tests.backtests.data.binance_replay import FIXTURES as MARKET_DATA_FIXTURES
from tests.connectors.ccxt.replay import Request

FIXTURES = Path(__file__).parent / "fixtures" / "binance"
API_KEY = "test-binance-api-key-7f3a"
SECRET = "test-binance-secret-91cd"
PRIVATE = {"/api/v3/order", "/api/v3/myTrades", "/api/v3/account"}


def load(name: str) -> Any:
    return json.loads((FIXTURES / name).read_text())


@dataclass
class BinanceSpot:
    insufficient_funds: bool = False
    placed: dict[str, int] = field(default_factory=dict)  # clientOrderId -> orderId

    def order_posts(self, requests: list[Request]) -> list[Request]:
        return [r for r in requests if r.method == "POST" and r.path == "/api/v3/order"]

    def __call__(self, req: Request) -> tuple[int, Any]:
        signed = req.headers.get("x-mbx-apikey") == API_KEY and req.param("signature")
        if req.path in PRIVATE and not signed:
            return 401, {"code": -2015, "msg": "Invalid API-key, IP, or permissions."}
        route = (req.method, req.path)
        if route == ("GET", "/api/v3/exchangeInfo"):
            info = MARKET_DATA_FIXTURES / "binance_exchangeInfo_ETHUSDT.json"
            return 200, json.loads(info.read_text())
        if route == ("GET", "/api/v3/depth"):
            return 200, load("depth_ETHUSDT.json")
        if route == ("GET", "/api/v3/ticker/24hr"):
            return 200, load("ticker_24hr_ETHUSDT.json")
        if route == ("GET", "/api/v3/account"):
            return 200, load("account.json")
        if route == ("POST", "/api/v3/order"):
            if self.insufficient_funds:
                return 400, load("error_insufficient_balance.json")
            body = load("order_post_market_buy_full.json")
            cid = req.param("newClientOrderId")
            assert cid is not None, "the order carries no newClientOrderId"
            body["clientOrderId"] = cid
            self.placed[cid] = body["orderId"]
            return 200, body
        if route == ("GET", "/api/v3/order"):
            cid = req.param("origClientOrderId")
            if cid is None or cid not in self.placed:
                return 400, load("error_order_does_not_exist.json")
            body = load("order_get_filled.json")
            body["clientOrderId"] = cid
            return 200, body
        if route == ("GET", "/api/v3/myTrades"):
            if req.param("orderId") in {str(i) for i in self.placed.values()}:
                return 200, load("myTrades_order.json")
            return 200, []
        return 404, {"code": -1, "msg": f"no route {req.method} {req.path}"}
