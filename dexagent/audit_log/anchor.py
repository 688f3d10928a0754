"""The anchorer: puts the latest signed checkpoint on chain every N records or T seconds.

Transactions go through the ``TxManager`` (nonces, idempotent keys, fee bumps). An anchor is
confirmed once its block has ``confirmations`` blocks (itself included) and is still canonical;
then an ``anchor`` record is appended to the log and a ``confirmed`` row to ``audit_anchor``.
An anchor whose receipt disappears (reorged out) is anchored again: the same signed transaction
is broadcast again, or, if its nonce was taken meanwhile, a new one is sent for the checkpoint.

The ``audit_anchor`` table is append-only, so each state change is a new row:
``sent`` → ``confirmed`` (or ``reorged`` → ``sent`` → ...). Call ``tick()`` from the thread that
appends to the log (it is not thread-safe), e.g. after each decision or on a timer.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from dexagent.audit_log.anchor_config import AnchorConfig
from dexagent.audit_log.anchor_contract import (
    ANCHORED_TOPIC,
    decode_anchored,
    decode_not_growing,
    encode_anchor,
)
from dexagent.audit_log.checkpoint import Checkpoint
from dexagent.audit_log.log import AuditLog
from dexagent.audit_log.records import RecordType
from dexagent.audit_log.store import StoredAnchor
from dexagent.connectors.evm.aio_rpc import RpcError
from dexagent.connectors.evm.errors import NonceConflict
from dexagent.connectors.evm.txmanager import TxManager
from dexagent.core.errors import ConfigError, RejectedError, TemporaryError

log = logging.getLogger(__name__)

SENT, CONFIRMED, REORGED, SUPERSEDED, REVERTED = (
    "sent",
    "confirmed",
    "reorged",
    "superseded",
    "reverted",
)


@dataclass(slots=True)
class _Flight:
    """One checkpoint's anchor between sending and the end of its watch window."""

    checkpoint: Checkpoint
    attempt: int  # bumps when a new transaction (new nonce) replaces a reorged one
    tx_hash: str
    sent_at: float
    block_number: int | None = None
    block_hash: str | None = None
    confirmed: bool = False


class Anchorer:
    """Anchors one AuditLog's checkpoints from the checkpoint signer's own account."""

    def __init__(
        self,
        audit: AuditLog,
        txm: TxManager,
        contract: str,
        config: AnchorConfig | None = None,
        *,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if audit.signer is None:
            raise ConfigError("anchoring needs a log with a signer key (checkpoints are signed)")
        if audit.signer.address != txm.address:
            raise ConfigError(
                f"anchors are keyed by the sending address: send from the checkpoint signer "
                f"{audit.signer.address}, not {txm.address}"
            )
        self.audit = audit
        self.txm = txm
        self.contract = contract
        self.config = config or AnchorConfig()
        self._clock = clock
        self._flights: list[_Flight] = []
        self._anchored_size = 0  # tree size of the newest anchor sent
        self._own_records = 0  # checkpoint/anchor records we appended since then
        self._last_sent = clock()
        self._load()

    def __repr__(self) -> str:
        return f"Anchorer({self.txm.address} -> {self.contract} on chain {self.txm.chain_id})"

    @classmethod
    async def open(
        cls,
        audit: AuditLog,
        url: str,
        private_key: str,
        contract: str,
        *,
        tx_store_path: Path,
        config: AnchorConfig | None = None,
        clock: Callable[[], float] = time.monotonic,
        **txm_kw: Any,
    ) -> Anchorer:
        txm = await TxManager.open(url, private_key, store_path=tx_store_path, **txm_kw)
        try:
            code = await txm.rpc.call("eth_getCode", [contract, "latest"])
            if code in (None, "", "0x"):
                raise ConfigError(f"no contract at {contract} on {url}: deploy AuditAnchor first")
            return cls(audit, txm, contract, config, clock=clock)
        except BaseException:
            await txm.close()
            raise

    async def close(self) -> None:
        await self.txm.close()

    # -- state ---------------------------------------------------------------------------------

    def _load(self) -> None:
        """Resume from the ``audit_anchor`` rows: unfinished anchors become flights again."""
        cps = {cp.index: cp for cp in self.audit.store.checkpoints()}
        last: dict[int, StoredAnchor] = {}
        hashes: dict[int, set[str]] = {}
        for row in self.audit.store.anchors():
            if row.contract != self.contract or row.chain_id != self.txm.chain_id:
                continue
            last[row.checkpoint_idx] = row
            hashes.setdefault(row.checkpoint_idx, set()).add(row.tx_hash)
        for idx, row in sorted(last.items()):
            if row.status in (SUPERSEDED, REVERTED):
                continue
            self._anchored_size = max(self._anchored_size, row.tree_size)
            if row.status in (SENT, REORGED):
                self._flights.append(
                    _Flight(cps[idx], len(hashes[idx]) - 1, row.tx_hash, self._clock())
                )

    @property
    def in_flight(self) -> int:
        """Anchors sent but not yet confirmed."""
        return sum(1 for f in self._flights if not f.confirmed)

    def due(self) -> bool:
        """True when new records wait and either trigger (records or seconds) has fired."""
        new = self.audit.size - self._anchored_size - self._own_records
        if new <= 0:
            return False
        c = self.config
        if c.every_records is not None and new >= c.every_records:
            return True
        return c.every_seconds is not None and self._clock() - self._last_sent >= c.every_seconds

    # -- the loop step -------------------------------------------------------------------------

    async def tick(self) -> list[StoredAnchor]:
        """Advance every anchor in flight, then anchor if due; returns anchors confirmed now."""
        done: list[StoredAnchor] = []
        if self._flights:
            head = int(await self.txm.rpc.call("eth_blockNumber"), 16)
            for f in list(self._flights):
                got = await self._advance(f, head)
                if got is not None:
                    done.append(got)
        if self.due() and all(f.block_number is not None for f in self._flights):
            await self.anchor_now()
        return done

    async def anchor_now(self) -> Checkpoint:
        """Checkpoint the log and send its anchor (unless that checkpoint is anchored already)."""
        cp = self.audit.checkpoint()
        if cp.tree_size <= self._anchored_size:
            return cp
        await self._send_new(cp, attempt=0)
        return cp

    async def wait_confirmed(self, *, timeout_s: float = 30.0, poll_s: float = 0.02) -> None:
        """Tick until nothing is in flight unconfirmed; TemporaryError after ``timeout_s``."""
        deadline = time.monotonic() + timeout_s
        while self.in_flight:
            await self.tick()
            if not self.in_flight:
                return
            if time.monotonic() > deadline:
                raise TemporaryError(
                    f"{self.in_flight} anchor(s) not confirmed after {timeout_s:.0f} s "
                    f"(need {self.config.confirmations} confirmations; is the chain mining?)"
                )
            await asyncio.sleep(poll_s)

    # -- sending -------------------------------------------------------------------------------

    def _key(self, cp: Checkpoint, attempt: int) -> str:
        return f"audit-anchor:{self.txm.chain_id}:{self.contract}:{cp.index}:{attempt}"

    async def _send_new(self, cp: Checkpoint, *, attempt: int) -> None:
        data = encode_anchor(cp.root, cp.tree_size)
        gas = await self._estimate(cp, data)
        rec = await self.txm.submit(self._key(cp, attempt), to=self.contract, data=data, gas=gas)
        tx_hash = rec.latest.tx_hash
        self._row(cp, SENT, tx_hash)
        self._flights.append(_Flight(cp, attempt, tx_hash, self._clock()))
        self._anchored_size = max(self._anchored_size, cp.tree_size)
        self._own_records = 1  # the checkpoint's own record
        self._last_sent = self._clock()
        log.info("anchoring checkpoint %d (size %d): tx %s", cp.index, cp.tree_size, tx_hash)

    async def _estimate(self, cp: Checkpoint, data: str) -> int:
        call = {"from": self.txm.address, "to": self.contract, "data": data}
        try:
            est = int(await self.txm.rpc.call("eth_estimateGas", [call]), 16)
        except RpcError as exc:
            got = decode_not_growing(exc.data if isinstance(exc.data, str) else None)
            if got is not None:
                raise RejectedError(
                    f"the contract already holds tree size {got[0]} for {self.txm.address}, so "
                    f"checkpoint {cp.index} (size {cp.tree_size}) cannot be anchored: is another "
                    "log anchoring with this key?"
                ) from None
            raise
        return est * (100 + self.config.gas_headroom_pct) // 100

    def _row(
        self,
        cp: Checkpoint,
        status: str,
        tx_hash: str,
        block: int | None = None,
        bh: str | None = None,
    ) -> None:
        self.audit.store.append_anchor(
            StoredAnchor(
                cp.index,
                cp.tree_size,
                cp.root,
                self.txm.chain_id,
                self.contract,
                tx_hash,
                block,
                bh,
                status,
                time.time_ns(),
            )
        )

    # -- following one anchor ------------------------------------------------------------------

    async def _receipt(self, f: _Flight) -> dict[str, Any] | None:
        rec = self.txm.store.get(self._key(f.checkpoint, f.attempt))
        hashes = [a.tx_hash for a in reversed(rec.attempts)] if rec else [f.tx_hash]
        for h in hashes:
            r = await self.txm.rpc.call("eth_getTransactionReceipt", [h])
            if r is not None:
                return dict(r)
        return None

    async def _advance(self, f: _Flight, head: int) -> StoredAnchor | None:
        r = await self._receipt(f)
        if r is None:
            if f.block_number is not None:
                await self._reorged(f)
            elif self._clock() - f.sent_at >= self.config.stuck_after_s:
                rec = await self.txm.speed_up(
                    self._key(f.checkpoint, f.attempt), bump_pct=self.config.bump_pct
                )
                f.tx_hash, f.sent_at = rec.latest.tx_hash, self._clock()
                self._row(f.checkpoint, SENT, f.tx_hash)
                log.warning("anchor of checkpoint %d stuck; fee bumped", f.checkpoint.index)
            return None
        bn, bh, tx = int(r["blockNumber"], 16), str(r["blockHash"]), str(r["transactionHash"])
        if int(r["status"], 16) != 1:
            self._flights.remove(f)
            self._row(f.checkpoint, REVERTED, tx, bn, bh)
            raise RejectedError(
                f"anchor tx {tx} for checkpoint {f.checkpoint.index} reverted in block {bn}: "
                "another transaction from this key anchored a larger tree size?"
            )
        if f.block_hash is not None and f.block_hash != bh:
            # mined again in another block after a reorg: count confirmations afresh
            self._row(f.checkpoint, REORGED, f.tx_hash, f.block_number, f.block_hash)
            f.confirmed = False
        f.tx_hash, f.block_number, f.block_hash = tx, bn, bh
        if not self._emitted(r, f.checkpoint):
            self._flights.remove(f)
            self._row(f.checkpoint, REVERTED, tx, bn, bh)
            raise RejectedError(
                f"anchor tx {tx} for checkpoint {f.checkpoint.index} was mined in block {bn} but "
                f"emitted no matching Anchored event: is {self.contract} the AuditAnchor contract "
                "(and does it still exist on this chain)?"
            )
        depth = head - bn + 1
        if f.confirmed:
            if depth > self.config.confirmations + self.config.watch_blocks:
                self._flights.remove(f)
            return None
        if depth < self.config.confirmations:
            return None
        block = await self.txm.rpc.call("eth_getBlockByNumber", [hex(bn), False])
        if block is None or block["hash"] != bh:
            return None  # the receipt is stale: a reorg is under way; look again next tick
        return self._confirm(f, bn, bh)

    def _emitted(self, receipt: dict[str, Any], cp: Checkpoint) -> bool:
        for raw in receipt.get("logs", ()):
            if raw["address"].lower() != self.contract.lower() or not raw["topics"]:
                continue
            if raw["topics"][0].lower() != ANCHORED_TOPIC:
                continue
            ev = decode_anchored(raw)
            if (ev.agent, ev.tree_size, ev.root) == (self.txm.address, cp.tree_size, cp.root):
                return True
        return False

    def _confirm(self, f: _Flight, bn: int, bh: str) -> StoredAnchor:
        cp = f.checkpoint
        f.confirmed = True
        self.audit.append(
            RecordType.ANCHOR,
            {
                "checkpoint": cp.index,
                "tree_size": cp.tree_size,
                "root": "0x" + cp.root.hex(),
                "tx_hash": f.tx_hash,
                "block": bn,
                "block_hash": bh,
                "chain_id": self.txm.chain_id,
                "contract": self.contract,
                "confirmations": self.config.confirmations,
            },
        )
        self.audit.flush()
        if cp.tree_size == self._anchored_size:
            self._own_records += 1
        self._row(cp, CONFIRMED, f.tx_hash, bn, bh)
        log.info("checkpoint %d anchored in block %d (tx %s)", cp.index, bn, f.tx_hash)
        return self.audit.store.anchors()[-1]

    async def _reorged(self, f: _Flight) -> None:
        """The anchor's receipt is gone: broadcast the same signed tx, or send a new one."""
        cp = f.checkpoint
        self._row(cp, REORGED, f.tx_hash, f.block_number, f.block_hash)
        log.warning("anchor tx %s of checkpoint %d was reorged out", f.tx_hash, cp.index)
        f.block_number = f.block_hash = None
        f.confirmed = False
        f.sent_at = self._clock()
        rec = self.txm.store.get(self._key(cp, f.attempt))
        raw = next((a.raw_tx for a in (rec.attempts if rec else ()) if a.tx_hash == f.tx_hash), "")
        try:
            if not raw:
                raise NonceConflict("signed bytes not found")
            await self.txm.rpc.call("eth_sendRawTransaction", [raw])
        except NonceConflict:
            self._flights.remove(f)
            newer = [x for x in self._flights if x.checkpoint.tree_size > cp.tree_size]
            if newer:
                self._row(cp, SUPERSEDED, f.tx_hash)
                return
            await self._send_new(cp, attempt=f.attempt + 1)
            return
        except RpcError as exc:
            if "already" not in exc.message.lower():
                raise
        self._row(cp, SENT, f.tx_hash)
