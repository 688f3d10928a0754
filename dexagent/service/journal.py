"""One agent's durable service state (SQLite): bars built from the chain, the order journal,
the kill switch, the paper book and the RPC gaps.

The journal is the write-ahead record of execution: an approved order is written here *before*
it goes to the venue and marked finished after, so a restart knows exactly which orders may have
reached the chain and settles them through the TxManager (by the same client order id) instead of
deciding again.
"""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass
from pathlib import Path

_SCHEMA = """
CREATE TABLE IF NOT EXISTS bars (
    ts_ms INTEGER PRIMARY KEY, open REAL, high REAL, low REAL, close REAL, volume REAL
);
CREATE TABLE IF NOT EXISTS orders (
    id TEXT PRIMARY KEY, bar_ts INTEGER NOT NULL, order_json TEXT NOT NULL,
    status TEXT NOT NULL, updated_ms INTEGER NOT NULL, detail TEXT NOT NULL DEFAULT ''
);
CREATE TABLE IF NOT EXISTS control (
    k TEXT PRIMARY KEY, v TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS gaps (
    start_ms INTEGER NOT NULL, end_ms INTEGER NOT NULL, errors INTEGER NOT NULL, last_error TEXT
);
"""

APPROVED, FILLED, REJECTED, ABANDONED = "approved", "filled", "rejected", "abandoned"


@dataclass(frozen=True, slots=True)
class JournaledOrder:
    id: str
    bar_ts: int
    order_json: str
    status: str


@dataclass(frozen=True, slots=True)
class BarRow:
    ts_ms: int
    open: float
    high: float
    low: float
    close: float
    volume: float


class Journal:
    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self.path = path
        self._db = sqlite3.connect(path, isolation_level=None, check_same_thread=False, timeout=10)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=FULL")
        self._db.executescript(_SCHEMA)

    def close(self) -> None:
        self._db.close()

    # -- bars --------------------------------------------------------------------------------------

    def add_bar(self, bar: BarRow) -> None:
        self._db.execute(
            "INSERT OR REPLACE INTO bars VALUES (?,?,?,?,?,?)",
            (bar.ts_ms, bar.open, bar.high, bar.low, bar.close, bar.volume),
        )

    def bars(self, limit: int) -> list[BarRow]:
        rows = self._db.execute(
            "SELECT * FROM (SELECT * FROM bars ORDER BY ts_ms DESC LIMIT ?) ORDER BY ts_ms",
            (limit,),
        ).fetchall()
        return [BarRow(*r) for r in rows]

    # -- the order journal -------------------------------------------------------------------------

    def record_order(self, order_id: str, bar_ts: int, order_json: str, now_ms: int) -> None:
        """Write-ahead: called before the order goes to the venue (idempotent by id)."""
        self._db.execute(
            "INSERT OR IGNORE INTO orders VALUES (?,?,?,?,?,'')",
            (order_id, bar_ts, order_json, APPROVED, now_ms),
        )

    def finish_order(self, order_id: str, status: str, now_ms: int, detail: str = "") -> None:
        self._db.execute(
            "UPDATE orders SET status=?, updated_ms=?, detail=? WHERE id=?",
            (status, now_ms, detail, order_id),
        )

    def known_order(self, order_id: str) -> bool:
        got = self._db.execute("SELECT 1 FROM orders WHERE id=?", (order_id,)).fetchone()
        return got is not None

    def unfinished(self) -> list[JournaledOrder]:
        rows = self._db.execute(
            "SELECT id, bar_ts, order_json, status FROM orders WHERE status=? ORDER BY bar_ts, id",
            (APPROVED,),
        ).fetchall()
        return [JournaledOrder(*r) for r in rows]

    def order_counts(self) -> dict[str, int]:
        rows = self._db.execute("SELECT status, COUNT(*) FROM orders GROUP BY status").fetchall()
        return {str(s): int(n) for s, n in rows}

    # -- control (kill switch) and the paper book --------------------------------------------------

    def get(self, key: str) -> str | None:
        row = self._db.execute("SELECT v FROM control WHERE k=?", (key,)).fetchone()
        return None if row is None else str(row[0])

    def put(self, key: str, value: str | None) -> None:
        if value is None:
            self._db.execute("DELETE FROM control WHERE k=?", (key,))
        else:
            self._db.execute("INSERT OR REPLACE INTO control VALUES (?,?)", (key, value))

    def paper_book(self) -> dict[str, int] | None:
        text = self.get("paper_book")
        return None if text is None else {k: int(v) for k, v in json.loads(text).items()}

    def save_paper_book(self, balances: dict[str, int]) -> None:
        self.put("paper_book", json.dumps({k: str(v) for k, v in balances.items()}))

    # -- RPC gaps ----------------------------------------------------------------------------------

    def add_gap(self, start_ms: int, end_ms: int, errors: int, last_error: str) -> None:
        self._db.execute(
            "INSERT INTO gaps VALUES (?,?,?,?)", (start_ms, end_ms, errors, last_error)
        )

    def gaps(self) -> list[tuple[int, int, int, str]]:
        rows = self._db.execute("SELECT * FROM gaps ORDER BY start_ms").fetchall()
        return [(int(a), int(b), int(c), str(d)) for a, b, c, d in rows]
