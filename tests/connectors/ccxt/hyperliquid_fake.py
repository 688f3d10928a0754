"""Hyperliquid's REST API, answered from the constructed responses in ``fixtures/hyperliquid/``.

Hyperliquid has two endpoints, both POST with a JSON body:

- ``POST /info`` by ``type``:
  ``spotMetaAndAssetCtxs``: ``info_spotMetaAndAssetCtxs.json`` (trimmed to PURR/USDC, index 0);
  ``spotMeta``: its first element;
  ``l2Book``: ``info_l2Book_PURR.json``;
  ``orderStatus``: ``info_orderStatus_filled.json`` (with the cloid) for a cloid placed
  before, else ``info_orderStatus_unknown.json``;
  ``userFills`` and ``userFillsByTime``: ``info_userFills.json`` (the placed order's two
  fills and one older fill of another order);
  ``spotClearinghouseState``: ``info_spotClearinghouseState.json``;
  ``userAbstraction``: the JSON string ``"default"``.
- ``POST /exchange`` by ``action.type``: ``order`` (``exchange_order_filled.json``, or
  ``exchange_order_insufficient.json`` when the account is set to be short of funds) and any
  other signed action (``exchange_default_ok.json``; ccxt approves a builder fee once).

Every ``order`` action's EIP-712 signature is recovered with eth_account and must come
from ``WALLET``; the signed hash is ccxt's own ``action_hash`` of the action as sent.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from eth_account import Account
from eth_account.messages import encode_typed_data

from tests.connectors.ccxt.replay import Request

FIXTURES = Path(__file__).parent / "fixtures" / "hyperliquid"
# A throwaway key (anvil's well-known dev account #1): never holds anything real.
PRIVATE_KEY = "0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d"
WALLET = Account.from_key(PRIVATE_KEY).address


def load(name: str) -> Any:
    return json.loads((FIXTURES / name).read_text())


def signer_of(exchange: Any, body: dict[str, Any]) -> str:
    """The address that signed an L1 action (Hyperliquid's phantom-agent EIP-712 scheme)."""
    connection_id: bytes = exchange.action_hash(
        body["action"], body.get("vaultAddress"), body["nonce"]
    )
    typed = {
        "types": {
            "EIP712Domain": [
                {"name": "name", "type": "string"},
                {"name": "version", "type": "string"},
                {"name": "chainId", "type": "uint256"},
                {"name": "verifyingContract", "type": "address"},
            ],
            "Agent": [
                {"name": "source", "type": "string"},
                {"name": "connectionId", "type": "bytes32"},
            ],
        },
        "primaryType": "Agent",
        "domain": {
            "name": "Exchange",
            "version": "1",
            "chainId": 1337,
            "verifyingContract": "0x0000000000000000000000000000000000000000",
        },
        "message": {"source": "a", "connectionId": connection_id},
    }
    sig = body["signature"]
    vrs = (int(sig["v"]), int(sig["r"], 16), int(sig["s"], 16))
    return str(Account.recover_message(encode_typed_data(full_message=typed), vrs=vrs))


@dataclass
class Hyperliquid:
    exchange: Any = None  # the ccxt client, to hash actions for signature checks
    insufficient_funds: bool = False
    placed: set[str] = field(default_factory=set)  # cloids
    signers: list[str] = field(default_factory=list)

    def order_actions(self, requests: list[Request]) -> list[dict[str, Any]]:
        return [
            r.body["action"]
            for r in requests
            if r.path == "/exchange" and r.body["action"]["type"] == "order"
        ]

    def __call__(self, req: Request) -> tuple[int, Any]:
        if (req.method, req.path) == ("POST", "/info"):
            return self._info(req.body)
        if (req.method, req.path) == ("POST", "/exchange"):
            action = req.body["action"]
            if action["type"] != "order":  # user-signed actions use another scheme
                return 200, load("exchange_default_ok.json")
            if self.exchange is not None:
                self.signers.append(signer_of(self.exchange, req.body))
            if self.insufficient_funds:
                return 200, load("exchange_order_insufficient.json")
            for order in action["orders"]:
                self.placed.add(order["c"])
            return 200, load("exchange_order_filled.json")
        return 404, {"status": "err", "response": f"no route {req.method} {req.path}"}

    def _info(self, body: dict[str, Any]) -> tuple[int, Any]:
        kind = body["type"]
        if kind == "spotMetaAndAssetCtxs":
            return 200, load("info_spotMetaAndAssetCtxs.json")
        if kind == "spotMeta":  # the same tokens and universe, without the asset contexts
            return 200, load("info_spotMetaAndAssetCtxs.json")[0]
        if kind == "l2Book":
            return 200, load("info_l2Book_PURR.json")
        if kind == "orderStatus":
            if body["oid"] not in self.placed:
                return 200, load("info_orderStatus_unknown.json")
            status = load("info_orderStatus_filled.json")
            status["order"]["order"]["cloid"] = body["oid"]
            return 200, status
        if kind in ("userFills", "userFillsByTime"):
            return 200, load("info_userFills.json") if self.placed else []
        if kind == "spotClearinghouseState":
            return 200, load("info_spotClearinghouseState.json")
        if kind == "userAbstraction":
            return 200, "default"
        return 400, {"status": "err", "response": f"unknown info type {kind}"}
