"""The pending-approval queue: orders above the approval threshold wait here for a human.

``PendingStore`` is the interface the engine is given (injectable: ``MemoryPendingStore`` for
backtests and tests, ``SqliteStore`` for a file the CLI shares with a running agent). An entry is
``pending`` until approved, denied, or expired (past its TTL it counts as denied).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, replace
from decimal import Decimal
from enum import StrEnum
from typing import Any, Protocol

from dexagent.core.errors import ConfigError
from dexagent.core.intents import Intent, Order, Side, SizeKind
from dexagent.core.tokens import Pair, Token


class PendingStatus(StrEnum):
    PENDING = "pending"
    APPROVED = "approved"
    DENIED = "denied"
    EXPIRED = "expired"


@dataclass(frozen=True, slots=True)
class PendingEntry:
    id: str  # the order's client order id
    created_ms: int
    expires_ms: int
    status: PendingStatus
    policy_hash: str
    order_json: str  # the order, see ``order_to_json``
    reason: str  # why it waits (the approval verdict)
    resolved_ms: int | None = None
    resolved_by: str = ""

    def order(self) -> Order:
        return order_from_json(self.order_json)


class PendingStore(Protocol):
    """Required: ``put`` is idempotent by id; ``resolve`` only moves a ``pending`` entry."""

    def put(self, entry: PendingEntry) -> None: ...

    def get(self, entry_id: str) -> PendingEntry | None: ...

    def entries(self, status: PendingStatus | None = None) -> list[PendingEntry]: ...

    def resolve(
        self, entry_id: str, status: PendingStatus, at_ms: int, by: str
    ) -> PendingEntry: ...

    def expire(self, now_ms: int) -> list[PendingEntry]: ...


def check_resolvable(entry: PendingEntry | None, entry_id: str, now_ms: int) -> PendingEntry:
    """The entry if a human may still approve or deny it; a ConfigError saying why not."""
    if entry is None:
        raise ConfigError(f"no pending order with id {entry_id!r}")
    if entry.status is not PendingStatus.PENDING:
        raise ConfigError(f"order {entry_id!r} is already {entry.status.value}")
    if now_ms >= entry.expires_ms:
        raise ConfigError(f"order {entry_id!r} expired at {entry.expires_ms} ms: it is denied")
    return entry


class MemoryPendingStore:
    def __init__(self) -> None:
        self._entries: dict[str, PendingEntry] = {}

    def put(self, entry: PendingEntry) -> None:
        self._entries.setdefault(entry.id, entry)

    def get(self, entry_id: str) -> PendingEntry | None:
        return self._entries.get(entry_id)

    def entries(self, status: PendingStatus | None = None) -> list[PendingEntry]:
        return [e for e in self._entries.values() if status is None or e.status is status]

    def resolve(self, entry_id: str, status: PendingStatus, at_ms: int, by: str) -> PendingEntry:
        if status is PendingStatus.EXPIRED:
            entry = self._entries.get(entry_id)
            if entry is None:
                raise ConfigError(f"no pending order with id {entry_id!r}")
        else:
            entry = check_resolvable(self._entries.get(entry_id), entry_id, at_ms)
        done = replace(entry, status=status, resolved_ms=at_ms, resolved_by=by)
        self._entries[entry_id] = done
        return done

    def expire(self, now_ms: int) -> list[PendingEntry]:
        due = [
            e.id
            for e in self._entries.values()
            if e.status is PendingStatus.PENDING and now_ms >= e.expires_ms
        ]
        return [self.resolve(i, PendingStatus.EXPIRED, now_ms, "ttl") for i in due]


def _token_json(t: Token) -> dict[str, Any]:
    return {
        "symbol": t.symbol,
        "decimals": t.decimals,
        "address": t.address,
        "chain_id": t.chain_id,
    }


def _token(d: dict[str, Any]) -> Token:
    return Token(d["symbol"], int(d["decimals"]), d.get("address"), d.get("chain_id"))


def order_to_json(order: Order) -> str:
    it = order.intent
    return json.dumps(
        {
            "id": order.client_order_id,
            "base": _token_json(it.pair.base),
            "quote": _token_json(it.pair.quote),
            "intent_side": it.side.value if it.side is not None else None,
            "kind": it.kind.value,
            "amount": str(it.amount),
            "strategy": it.strategy,
            "reason": it.reason,
            "max_slippage_bps": it.max_slippage_bps,
            "meta": [list(kv) for kv in it.meta],
            "side": order.side.value,
            "amount_in": str(order.amount_in),
            "ref_price": str(order.ref_price),
            "notional_quote": str(order.notional_quote),
            "decided_at_ms": order.decided_at_ms,
            "decided_bar": order.decided_bar,
        },
        sort_keys=True,
    )


def order_from_json(text: str) -> Order:
    d = json.loads(text)
    kind = SizeKind(d["kind"])
    amount: int | Decimal = (
        int(d["amount"]) if kind in (SizeKind.BASE, SizeKind.QUOTE) else Decimal(d["amount"])
    )
    intent = Intent(
        Pair(_token(d["base"]), _token(d["quote"])),
        Side(d["intent_side"]) if d["intent_side"] is not None else None,
        kind,
        amount,
        d["strategy"],
        d["reason"],
        d["max_slippage_bps"],
        tuple((str(k), str(v)) for k, v in d["meta"]),
    )
    return Order(
        d["id"],
        intent,
        Side(d["side"]),
        int(d["amount_in"]),
        Decimal(d["ref_price"]),
        int(d["notional_quote"]),
        int(d["decided_at_ms"]),
        int(d["decided_bar"]),
    )
