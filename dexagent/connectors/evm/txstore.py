"""The persisted table of transactions by client order id (SQLite, stdlib, WAL).

A row is written *before* its transaction is broadcast, so a crash at any point leaves either
nothing sent or a row that ``TxManager.reconcile`` can finish. Every signed attempt (original,
fee bump, cancel) is kept, since any one of them may be the one that gets mined.
Big integers (wei) are stored as decimal TEXT: SQLite integers stop at 2**63.
"""

from __future__ import annotations

import sqlite3
import time
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

_SCHEMA = """
CREATE TABLE IF NOT EXISTS txs (
    key TEXT PRIMARY KEY,
    chain_id INTEGER NOT NULL,
    sender TEXT NOT NULL,
    nonce INTEGER NOT NULL,
    to_addr TEXT NOT NULL,
    data TEXT NOT NULL,
    value TEXT NOT NULL,
    gas INTEGER NOT NULL,
    status TEXT NOT NULL,
    mined_hash TEXT,
    block_number INTEGER,
    created_ms INTEGER NOT NULL,
    updated_ms INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS txs_sender_nonce ON txs (chain_id, sender, nonce);
CREATE TABLE IF NOT EXISTS attempts (
    tx_hash TEXT PRIMARY KEY,
    key TEXT NOT NULL REFERENCES txs (key),
    kind TEXT NOT NULL,
    raw_tx TEXT NOT NULL,
    max_fee TEXT NOT NULL,
    tip TEXT NOT NULL,
    created_ms INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS attempts_key ON attempts (key, created_ms);
"""


class TxStatus(StrEnum):
    PENDING = "pending"  # persisted, maybe broadcast, no receipt yet
    MINED = "mined"  # a receipt with status 1
    REVERTED = "reverted"  # a receipt with status 0
    CANCELLED = "cancelled"  # the 0-value self-send at the same nonce was mined
    DROPPED = "dropped"  # nonce consumed by a transaction we do not know


FINAL = frozenset({TxStatus.MINED, TxStatus.REVERTED, TxStatus.CANCELLED, TxStatus.DROPPED})


class AttemptKind(StrEnum):
    ORIGINAL = "original"
    SPEEDUP = "speedup"
    CANCEL = "cancel"


@dataclass(frozen=True, slots=True)
class Attempt:
    tx_hash: str
    kind: AttemptKind
    raw_tx: str
    max_fee: int
    tip: int


@dataclass(frozen=True, slots=True)
class TxRecord:
    key: str
    chain_id: int
    sender: str
    nonce: int
    to: str
    data: str
    value: int
    gas: int
    status: TxStatus
    mined_hash: str | None
    block_number: int | None
    attempts: tuple[Attempt, ...]

    @property
    def latest(self) -> Attempt:
        return self.attempts[-1]


def _now_ms() -> int:
    return int(time.time() * 1000)


class TxStore:
    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self.path = path
        self._db = sqlite3.connect(path, isolation_level=None)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=FULL")
        self._db.executescript(_SCHEMA)

    def close(self) -> None:
        self._db.close()

    def insert(
        self,
        *,
        key: str,
        chain_id: int,
        sender: str,
        nonce: int,
        to: str,
        data: str,
        value: int,
        gas: int,
        attempt: Attempt,
    ) -> None:
        now = _now_ms()
        with self._db:
            self._db.execute("BEGIN IMMEDIATE")
            self._db.execute(
                "INSERT INTO txs VALUES (?,?,?,?,?,?,?,?,?,NULL,NULL,?,?)",
                (key, chain_id, sender, nonce, to, data, str(value), gas, "pending", now, now),
            )
            self._insert_attempt(key, attempt, now)

    def add_attempt(self, key: str, attempt: Attempt) -> None:
        with self._db:
            self._db.execute("BEGIN IMMEDIATE")
            self._insert_attempt(key, attempt, _now_ms())

    def _insert_attempt(self, key: str, a: Attempt, now: int) -> None:
        self._db.execute(
            "INSERT INTO attempts VALUES (?,?,?,?,?,?,?)",
            (a.tx_hash, key, a.kind.value, a.raw_tx, str(a.max_fee), str(a.tip), now),
        )

    def set_status(
        self,
        key: str,
        status: TxStatus,
        *,
        mined_hash: str | None = None,
        block_number: int | None = None,
    ) -> None:
        with self._db:
            self._db.execute(
                "UPDATE txs SET status=?, mined_hash=?, block_number=?, updated_ms=? WHERE key=?",
                (status.value, mined_hash, block_number, _now_ms(), key),
            )

    def get(self, key: str) -> TxRecord | None:
        row = self._db.execute("SELECT * FROM txs WHERE key=?", (key,)).fetchone()
        return None if row is None else self._record(row)

    def pending(self, chain_id: int, sender: str) -> list[TxRecord]:
        rows = self._db.execute(
            "SELECT * FROM txs WHERE chain_id=? AND sender=? AND status='pending' ORDER BY nonce",
            (chain_id, sender),
        ).fetchall()
        return [self._record(r) for r in rows]

    def max_nonce(self, chain_id: int, sender: str) -> int | None:
        row = self._db.execute(
            "SELECT MAX(nonce) FROM txs WHERE chain_id=? AND sender=? AND status='pending'",
            (chain_id, sender),
        ).fetchone()
        return None if row[0] is None else int(row[0])

    def _record(self, row: tuple[object, ...]) -> TxRecord:
        key = str(row[0])
        atts = self._db.execute(
            "SELECT tx_hash, kind, raw_tx, max_fee, tip FROM attempts WHERE key=? "
            "ORDER BY created_ms, rowid",
            (key,),
        ).fetchall()
        return TxRecord(
            key=key,
            chain_id=int(str(row[1])),
            sender=str(row[2]),
            nonce=int(str(row[3])),
            to=str(row[4]),
            data=str(row[5]),
            value=int(str(row[6])),
            gas=int(str(row[7])),
            status=TxStatus(str(row[8])),
            mined_hash=None if row[9] is None else str(row[9]),
            block_number=None if row[10] is None else int(str(row[10])),
            attempts=tuple(
                Attempt(str(h), AttemptKind(str(k)), str(r), int(str(m)), int(str(t)))
                for h, k, r, m, t in atts
            ),
        )
