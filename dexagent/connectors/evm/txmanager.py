"""Sending transactions exactly once per client order id: nonces, EIP-1559 fees, bump, cancel.

``submit(key, ...)`` signs, persists (TxStore) and only then broadcasts; a second ``submit`` with
the same key returns the stored record and sends nothing. ``reconcile()`` finishes what a crash
left pending: a receipt for any attempt settles it; otherwise a consumed nonce means dropped, and
a free nonce means the same signed bytes are broadcast again.
"""

from __future__ import annotations

import asyncio
import logging
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from eth_utils.address import to_checksum_address

from dexagent.connectors.evm.aio_rpc import AsyncRpc, RpcError
from dexagent.connectors.evm.errors import NonceConflict, TxTimeout
from dexagent.connectors.evm.rawtx import address_of, sign_1559
from dexagent.connectors.evm.txstore import (
    FINAL,
    Attempt,
    AttemptKind,
    TxRecord,
    TxStatus,
    TxStore,
)
from dexagent.core.errors import ConfigError

__all__ = ["Receipt", "ReconcileOutcome", "TxManager"]

log = logging.getLogger(__name__)

MIN_BUMP_PCT = 10


@dataclass(frozen=True, slots=True)
class Receipt:
    tx_hash: str
    status: bool
    block_number: int
    gas_used: int
    effective_gas_price: int
    logs: tuple[dict[str, Any], ...]

    @property
    def fee_wei(self) -> int:
        return self.gas_used * self.effective_gas_price

    @classmethod
    def from_rpc(cls, r: dict[str, Any]) -> Receipt:
        return cls(
            tx_hash=str(r["transactionHash"]),
            status=int(r["status"], 16) == 1,
            block_number=int(r["blockNumber"], 16),
            gas_used=int(r["gasUsed"], 16),
            effective_gas_price=int(r["effectiveGasPrice"], 16),
            logs=tuple(r.get("logs", ())),
        )


@dataclass(frozen=True, slots=True)
class ReconcileOutcome:
    key: str
    action: str  # "mined" | "reverted" | "cancelled" | "dropped" | "rebroadcast" | "waiting"
    record: TxRecord


class _Signer:
    """Holds the key; never shows it (repr, str, pickling of this object are all redacted)."""

    __slots__ = ("_key", "address")

    def __init__(self, key: str) -> None:
        self.address = address_of(key)
        self._key = key

    def __repr__(self) -> str:
        return f"_Signer({self.address})"

    def __reduce__(self) -> tuple[Any, ...]:
        raise TypeError("a signer cannot be pickled")

    def sign(self, **kw: Any) -> tuple[str, str]:
        tx = sign_1559(self._key, **kw)
        return tx.raw, tx.tx_hash


class TxManager:
    """One account on one chain; use one manager per account (it allocates nonces locally)."""

    def __init__(
        self,
        rpc: AsyncRpc,
        private_key: str,
        *,
        chain_id: int,
        store_path: Path,
        receipt_timeout_s: float = 60.0,
        poll_s: float = 0.005,
        fee_multiplier: int = 2,
    ) -> None:
        self.rpc = rpc
        self.chain_id = chain_id
        self._signer = _Signer(private_key)
        self.address = self._signer.address
        self.store = TxStore(store_path)
        self.receipt_timeout_s = receipt_timeout_s
        self.poll_s = poll_s
        self.fee_multiplier = fee_multiplier
        self._lock = asyncio.Lock()
        self._next_nonce: int | None = None

    def __repr__(self) -> str:
        return f"TxManager({self.address} on chain {self.chain_id}, store={self.store.path})"

    @classmethod
    async def open(cls, url: str, private_key: str, *, store_path: Path, **kw: Any) -> TxManager:
        rpc = AsyncRpc(url)
        chain_id = int(await rpc.call("eth_chainId"), 16)
        return cls(rpc, private_key, chain_id=chain_id, store_path=store_path, **kw)

    async def close(self) -> None:
        self.store.close()
        await self.rpc.close()

    # -- nonces and fees ---------------------------------------------------------------------

    async def _allocate_nonce(self) -> int:
        chain_next = int(
            await self.rpc.call("eth_getTransactionCount", [self.address, "pending"]), 16
        )
        stored = self.store.max_nonce(self.chain_id, self.address)
        local = self._next_nonce or 0
        nonce = max(chain_next, local, -1 if stored is None else stored + 1)
        self._next_nonce = nonce + 1
        return nonce

    async def fees(self) -> tuple[int, int]:
        """(maxFeePerGas, maxPriorityFeePerGas) from the latest base fee and the node's tip."""
        block, tip_hex = await asyncio.gather(
            self.rpc.call("eth_getBlockByNumber", ["latest", False]),
            self.rpc.call("eth_maxPriorityFeePerGas"),
        )
        base = int(block["baseFeePerGas"], 16)
        tip = int(tip_hex, 16)
        return self.fee_multiplier * base + tip, tip

    # -- submit --------------------------------------------------------------------------------

    async def prepare(
        self, key: str, *, to: str, data: str = "0x", value: int = 0, gas: int
    ) -> TxRecord:
        """Sign and persist (not broadcast); returns the existing record if ``key`` is known."""
        if not key:
            raise ConfigError("a transaction key (client order id) must be a non-empty string")
        async with self._lock:
            existing = self.store.get(key)
            if existing is not None:
                self._check_same(existing, to, data, value)
                return existing
            nonce = await self._allocate_nonce()
            max_fee, tip = await self.fees()
            to_cs = str(to_checksum_address(to))
            raw, tx_hash = self._signer.sign(
                chain_id=self.chain_id,
                nonce=nonce,
                to=to_cs,
                data=data,
                value=value,
                gas=gas,
                max_fee_per_gas=max_fee,
                max_priority_fee_per_gas=tip,
            )
            self.store.insert(
                key=key,
                chain_id=self.chain_id,
                sender=self.address,
                nonce=nonce,
                to=to_cs,
                data=data,
                value=value,
                gas=gas,
                attempt=Attempt(tx_hash, AttemptKind.ORIGINAL, raw, max_fee, tip),
            )
            rec = self.store.get(key)
            assert rec is not None
            return rec

    def _check_same(self, rec: TxRecord, to: str, data: str, value: int) -> None:
        if rec.to.lower() != to.lower() or rec.data != data or rec.value != value:
            raise ConfigError(
                f"key {rec.key!r} was already used for a different transaction "
                f"(nonce {rec.nonce}, to {rec.to}); use a new client order id"
            )

    async def submit(
        self, key: str, *, to: str, data: str = "0x", value: int = 0, gas: int
    ) -> TxRecord:
        """Idempotent by ``key``: a known key is never signed or sent again as a new tx."""
        existing = self.store.get(key)
        if existing is not None:
            self._check_same(existing, to, data, value)
            return existing
        rec = await self.prepare(key, to=to, data=data, value=value, gas=gas)
        await self._broadcast(rec.latest)
        return rec

    async def _broadcast(self, attempt: Attempt) -> None:
        try:
            await self.rpc.call("eth_sendRawTransaction", [attempt.raw_tx])
        except RpcError as exc:
            if "already known" in exc.message.lower() or "already imported" in exc.message.lower():
                return
            raise

    # -- receipts ------------------------------------------------------------------------------

    async def receipt_of(self, rec: TxRecord) -> Receipt | None:
        for att in reversed(rec.attempts):
            r = await self.rpc.call("eth_getTransactionReceipt", [att.tx_hash])
            if r is not None:
                return Receipt.from_rpc(r)
        return None

    def _settle(self, rec: TxRecord, rcpt: Receipt) -> TxRecord:
        kind = next((a.kind for a in rec.attempts if a.tx_hash == rcpt.tx_hash), None)
        if kind is AttemptKind.CANCEL:
            status = TxStatus.CANCELLED
        else:
            status = TxStatus.MINED if rcpt.status else TxStatus.REVERTED
        self.store.set_status(
            rec.key, status, mined_hash=rcpt.tx_hash, block_number=rcpt.block_number
        )
        got = self.store.get(rec.key)
        assert got is not None
        return got

    async def wait(self, key: str, *, timeout_s: float | None = None) -> Receipt:
        """The receipt of whichever attempt for ``key`` was mined; TxTimeout if none in time."""
        rec = self._get(key)
        deadline = time.monotonic() + (self.receipt_timeout_s if timeout_s is None else timeout_s)
        while True:
            rcpt = await self.receipt_of(rec)
            if rcpt is not None:
                if rec.status not in FINAL:
                    self._settle(rec, rcpt)
                return rcpt
            if time.monotonic() >= deadline:
                raise TxTimeout(
                    f"no receipt for key {key!r} (nonce {rec.nonce}, latest {rec.latest.tx_hash}) "
                    f"after {timeout_s or self.receipt_timeout_s:.1f} s; speed it up or cancel it"
                )
            await asyncio.sleep(self.poll_s)
            rec = self._get(key)

    def _get(self, key: str) -> TxRecord:
        rec = self.store.get(key)
        if rec is None:
            raise ConfigError(f"no transaction with key {key!r} in {self.store.path}")
        return rec

    # -- replacement ---------------------------------------------------------------------------

    async def speed_up(self, key: str, *, bump_pct: int = 15) -> TxRecord:
        """Re-sign the same tx at the same nonce with fees raised by ``bump_pct`` (≥ 10)."""
        return await self._replace(key, bump_pct, AttemptKind.SPEEDUP)

    async def cancel(self, key: str, *, bump_pct: int = 15) -> TxRecord:
        """Replace the pending tx by a 0-value self-send at the same nonce with bumped fees."""
        return await self._replace(key, bump_pct, AttemptKind.CANCEL)

    async def _replace(self, key: str, bump_pct: int, kind: AttemptKind) -> TxRecord:
        if bump_pct < MIN_BUMP_PCT:
            raise ConfigError(f"fee bump {bump_pct}% is below the {MIN_BUMP_PCT}% nodes require")
        async with self._lock:
            rec = self._get(key)
            if rec.status in FINAL:
                raise NonceConflict(
                    f"key {key!r} is already {rec.status.value} (nonce {rec.nonce}); "
                    "nothing to replace"
                )
            last = rec.latest
            market_fee, market_tip = await self.fees()
            tip = max(-(-last.tip * (100 + bump_pct) // 100), last.tip + 1, market_tip)
            max_fee = max(-(-last.max_fee * (100 + bump_pct) // 100), last.max_fee + 1, market_fee)
            max_fee = max(max_fee, tip)
            cancel = kind is AttemptKind.CANCEL
            raw, tx_hash = self._signer.sign(
                chain_id=self.chain_id,
                nonce=rec.nonce,
                to=self.address if cancel else rec.to,
                data="0x" if cancel else rec.data,
                value=0 if cancel else rec.value,
                gas=21_000 if cancel else rec.gas,
                max_fee_per_gas=max_fee,
                max_priority_fee_per_gas=tip,
            )
            att = Attempt(tx_hash, kind, raw, max_fee, tip)
            self.store.add_attempt(key, att)
        await self._broadcast(att)
        return self._get(key)

    # -- restart -------------------------------------------------------------------------------

    async def reconcile(self) -> list[ReconcileOutcome]:
        """Settle every pending row of this account (run at start-up, before new submits)."""
        out: list[ReconcileOutcome] = []
        latest_nonce = int(
            await self.rpc.call("eth_getTransactionCount", [self.address, "latest"]), 16
        )
        for rec in self.store.pending(self.chain_id, self.address):
            rcpt = await self.receipt_of(rec)
            if rcpt is not None:
                settled = self._settle(rec, rcpt)
                out.append(ReconcileOutcome(rec.key, settled.status.value, settled))
            elif latest_nonce > rec.nonce:
                self.store.set_status(rec.key, TxStatus.DROPPED)
                log.warning("key %s: nonce %d consumed by an unknown tx", rec.key, rec.nonce)
                out.append(ReconcileOutcome(rec.key, "dropped", self._get(rec.key)))
            else:
                pool = await self._in_pool(rec)
                if not pool:
                    await self._broadcast(rec.latest)
                out.append(ReconcileOutcome(rec.key, "waiting" if pool else "rebroadcast", rec))
        return out

    async def _in_pool(self, rec: TxRecord) -> bool:
        for att in rec.attempts:
            if await self.rpc.call("eth_getTransactionByHash", [att.tx_hash]) is not None:
                return True
        return False
