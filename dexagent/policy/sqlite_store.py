"""One SQLite file holding the pending-approval queue and the agents' trading states.

The running agent and the ``dexagent policy`` CLI open the same file (WAL mode, each change in
its own transaction), so a human can approve, deny or resume from another process.
"""

from __future__ import annotations

import sqlite3
import threading
from pathlib import Path

from dexagent.core.errors import ConfigError
from dexagent.policy.pending import PendingEntry, PendingStatus, check_resolvable
from dexagent.policy.state import StateChange, TradingState
from dexagent.policy.state_store import ResumeRequest, SavedState

_SCHEMA = """
CREATE TABLE IF NOT EXISTS policy_pending (
    id TEXT PRIMARY KEY,
    created_ms INTEGER NOT NULL,
    expires_ms INTEGER NOT NULL,
    status TEXT NOT NULL,
    policy_hash TEXT NOT NULL,
    order_json TEXT NOT NULL,
    reason TEXT NOT NULL,
    resolved_ms INTEGER,
    resolved_by TEXT NOT NULL DEFAULT ''
);
CREATE TABLE IF NOT EXISTS policy_agent_state (
    agent_id TEXT PRIMARY KEY,
    state TEXT NOT NULL,
    reason TEXT NOT NULL,
    at_ms INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS policy_resume_request (
    agent_id TEXT PRIMARY KEY,
    operator TEXT NOT NULL,
    reason TEXT NOT NULL,
    at_ms INTEGER NOT NULL
);
"""
_COLS = (
    "id, created_ms, expires_ms, status, policy_hash, order_json, reason, resolved_ms, resolved_by"
)


class SqliteStore:
    """``PendingStore`` and ``StateStore`` over one SQLite file."""

    def __init__(self, path: str | Path, *, create: bool = True) -> None:
        p = Path(path)
        if not create and not p.is_file():
            raise ConfigError(f"policy store {p} not found")
        self.path = p
        self._lock = threading.Lock()
        self._db = sqlite3.connect(p, isolation_level=None, check_same_thread=False, timeout=10)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.executescript(_SCHEMA)

    def close(self) -> None:
        with self._lock:
            self._db.close()

    # -- pending queue ---------------------------------------------------------------------------

    def put(self, entry: PendingEntry) -> None:
        with self._lock:
            self._db.execute(
                f"INSERT OR IGNORE INTO policy_pending ({_COLS}) VALUES (?,?,?,?,?,?,?,?,?)",
                _row(entry),
            )

    def get(self, entry_id: str) -> PendingEntry | None:
        with self._lock:
            cur = self._db.execute(f"SELECT {_COLS} FROM policy_pending WHERE id = ?", (entry_id,))
            row = cur.fetchone()
        return _entry(row) if row is not None else None

    def entries(self, status: PendingStatus | None = None) -> list[PendingEntry]:
        with self._lock:
            if status is None:
                cur = self._db.execute(f"SELECT {_COLS} FROM policy_pending ORDER BY created_ms")
            else:
                cur = self._db.execute(
                    f"SELECT {_COLS} FROM policy_pending WHERE status = ? ORDER BY created_ms",
                    (status.value,),
                )
            rows = cur.fetchall()
        return [_entry(r) for r in rows]

    def resolve(self, entry_id: str, status: PendingStatus, at_ms: int, by: str) -> PendingEntry:
        with self._lock:
            self._db.execute("BEGIN IMMEDIATE")
            try:
                cur = self._db.execute(
                    f"SELECT {_COLS} FROM policy_pending WHERE id = ?", (entry_id,)
                )
                row = cur.fetchone()
                entry = _entry(row) if row is not None else None
                if status is not PendingStatus.EXPIRED:
                    entry = check_resolvable(entry, entry_id, at_ms)
                elif entry is None:
                    raise ConfigError(f"no pending order with id {entry_id!r}")
                self._db.execute(
                    "UPDATE policy_pending SET status = ?, resolved_ms = ?, resolved_by = ? "
                    "WHERE id = ?",
                    (status.value, at_ms, by, entry_id),
                )
                self._db.execute("COMMIT")
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
        return self.get(entry_id) or entry

    def expire(self, now_ms: int) -> list[PendingEntry]:
        due = [e.id for e in self.entries(PendingStatus.PENDING) if now_ms >= e.expires_ms]
        return [self.resolve(i, PendingStatus.EXPIRED, now_ms, "ttl") for i in due]

    # -- trading state ---------------------------------------------------------------------------

    def load_state(self, agent_id: str) -> SavedState | None:
        with self._lock:
            row = self._db.execute(
                "SELECT state, reason, at_ms FROM policy_agent_state WHERE agent_id = ?",
                (agent_id,),
            ).fetchone()
        return SavedState(TradingState(row[0]), row[1], row[2]) if row else None

    def save_state(self, agent_id: str, change: StateChange) -> None:
        with self._lock:
            self._db.execute(
                "INSERT OR REPLACE INTO policy_agent_state VALUES (?,?,?,?)",
                (agent_id, change.to_state.value, change.reason, change.at_ms),
            )

    def agents(self) -> list[tuple[str, SavedState]]:
        with self._lock:
            rows = self._db.execute(
                "SELECT agent_id, state, reason, at_ms FROM policy_agent_state ORDER BY agent_id"
            ).fetchall()
        return [(r[0], SavedState(TradingState(r[1]), r[2], r[3])) for r in rows]

    def request_resume(self, agent_id: str, request: ResumeRequest) -> None:
        with self._lock:
            self._db.execute(
                "INSERT OR REPLACE INTO policy_resume_request VALUES (?,?,?,?)",
                (agent_id, request.operator, request.reason, request.at_ms),
            )

    def take_resume_request(self, agent_id: str) -> ResumeRequest | None:
        with self._lock:
            self._db.execute("BEGIN IMMEDIATE")
            try:
                row = self._db.execute(
                    "SELECT operator, reason, at_ms FROM policy_resume_request WHERE agent_id = ?",
                    (agent_id,),
                ).fetchone()
                if row is not None:
                    self._db.execute(
                        "DELETE FROM policy_resume_request WHERE agent_id = ?", (agent_id,)
                    )
                self._db.execute("COMMIT")
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
        return ResumeRequest(row[0], row[1], row[2]) if row is not None else None


def _row(e: PendingEntry) -> tuple[object, ...]:
    return (
        e.id,
        e.created_ms,
        e.expires_ms,
        e.status.value,
        e.policy_hash,
        e.order_json,
        e.reason,
        e.resolved_ms,
        e.resolved_by,
    )


def _entry(r: tuple[object, ...]) -> PendingEntry:
    rid, created, expires, status, ph, oj, reason, rms, rby = r
    assert isinstance(rid, str) and isinstance(created, int) and isinstance(expires, int)
    assert isinstance(status, str) and isinstance(ph, str) and isinstance(oj, str)
    assert isinstance(reason, str) and (rms is None or isinstance(rms, int))
    return PendingEntry(
        rid, created, expires, PendingStatus(status), ph, oj, reason, rms, str(rby or "")
    )
