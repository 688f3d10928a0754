"""Append-only SQL storage of records, checkpoints and anchors (SQLite WAL or PostgreSQL).

The code has no UPDATE or DELETE path, and database triggers refuse both on every table.
"""

from __future__ import annotations

from collections.abc import Generator, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import (
    BigInteger,
    Column,
    Engine,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    Text,
    create_engine,
    event,
    func,
    select,
    text,
)

from dexagent.audit_log.checkpoint import Checkpoint
from dexagent.audit_log.merkle import HASH_SIZE
from dexagent.core.errors import ConfigError

metadata = MetaData()

records = Table(
    "audit_record",
    metadata,
    Column("seq", BigInteger, primary_key=True, autoincrement=False),
    Column("agent_id", String(200), nullable=False),
    Column("ts_ns", BigInteger, nullable=False),
    Column("type", String(40), nullable=False),
    Column("payload", Text, nullable=False),  # canonical JSON text
    Column("leaf_hash", LargeBinary(32), nullable=False),
)

checkpoints = Table(
    "audit_checkpoint",
    metadata,
    Column("idx", Integer, primary_key=True, autoincrement=False),
    Column("agent_id", String(200), nullable=False),
    Column("tree_size", BigInteger, nullable=False),
    Column("root", LargeBinary(32), nullable=False),
    Column("ts_ns", BigInteger, nullable=False),
    Column("signer", String(42), nullable=False),
    Column("signature", LargeBinary(65), nullable=False),
    Column("prev_size", BigInteger, nullable=False),
    Column("consistency", LargeBinary, nullable=False),  # concatenated 32-byte hashes
)

anchors = Table(
    "audit_anchor",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("checkpoint_idx", Integer, nullable=False),
    Column("tree_size", BigInteger, nullable=False),
    Column("root", LargeBinary(32), nullable=False),
    Column("chain_id", BigInteger, nullable=False),
    Column("contract", String(42), nullable=False),
    Column("tx_hash", String(66), nullable=False),
    Column("block_number", BigInteger, nullable=True),
    Column("block_hash", String(66), nullable=True),
    Column("status", String(16), nullable=False),  # sent | confirmed | reorged
    Column("ts_ns", BigInteger, nullable=False),
)

TABLES = ("audit_record", "audit_checkpoint", "audit_anchor")


@dataclass(frozen=True, slots=True)
class StoredRecord:
    seq: int
    agent_id: str
    ts_ns: int
    type: str
    payload: str
    leaf_hash: bytes


@dataclass(frozen=True, slots=True)
class StoredAnchor:
    checkpoint_idx: int
    tree_size: int
    root: bytes
    chain_id: int
    contract: str
    tx_hash: str
    block_number: int | None
    block_hash: str | None
    status: str
    ts_ns: int


def _sqlite_triggers() -> list[str]:
    out = []
    for t in TABLES:
        for op in ("UPDATE", "DELETE"):
            out.append(
                f"CREATE TRIGGER IF NOT EXISTS {t}_no_{op.lower()} BEFORE {op} ON {t} "
                f"BEGIN SELECT RAISE(ABORT, '{t} is append-only: {op} refused'); END"
            )
    return out


def _postgres_triggers() -> list[str]:
    out = [
        "CREATE OR REPLACE FUNCTION audit_append_only() RETURNS trigger AS $$ BEGIN "
        "RAISE EXCEPTION '% is append-only: % refused', TG_TABLE_NAME, TG_OP; END $$ "
        "LANGUAGE plpgsql"
    ]
    for t in TABLES:
        out.append(
            f"CREATE OR REPLACE TRIGGER {t}_append_only BEFORE UPDATE OR DELETE ON {t} "
            "FOR EACH ROW EXECUTE FUNCTION audit_append_only()"
        )
        out.append(
            f"CREATE OR REPLACE TRIGGER {t}_no_truncate BEFORE TRUNCATE ON {t} "
            "FOR EACH STATEMENT EXECUTE FUNCTION audit_append_only()"
        )
    return out


def make_engine(url: str, *, synchronous: str = "FULL") -> Engine:
    """An engine for ``url``; SQLite gets WAL and ``synchronous`` (FULL: fsync every commit)."""
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"check_same_thread": False})

        @event.listens_for(engine, "connect")
        def _pragmas(dbapi_conn: Any, _record: Any) -> None:
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute(f"PRAGMA synchronous={synchronous}")
            cur.execute("PRAGMA busy_timeout=5000")
            cur.close()

        return engine
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url.removeprefix("postgresql://")
    return create_engine(url)


class Store:
    """Reads and appends; nothing here can change or remove a row."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.dialect = engine.dialect.name
        mark = "?" if engine.dialect.paramstyle == "qmark" else "%s"
        self._mark = mark
        self._insert_sql = (
            "INSERT INTO audit_record (seq, agent_id, ts_ns, type, payload, leaf_hash) VALUES ("
            + ", ".join([mark] * 6)
            + ")"
        )
        self.create_schema()

    @classmethod
    def open(cls, url: str, *, synchronous: str = "FULL") -> Store:
        try:
            return cls(make_engine(url, synchronous=synchronous))
        except Exception as exc:
            raise ConfigError(f"cannot open audit database {_redact(url)}: {exc}") from exc

    def create_schema(self) -> None:
        metadata.create_all(self.engine)
        triggers = _postgres_triggers() if self.dialect == "postgresql" else _sqlite_triggers()
        with self.engine.begin() as conn:
            for stmt in triggers:
                conn.execute(text(stmt))

    def append_records(self, rows: Sequence[tuple[int, str, int, str, str, bytes]]) -> None:
        """Insert (seq, agent_id, ts_ns, type, payload, leaf_hash) rows in one transaction."""
        if not rows:
            return
        with self.engine.begin() as conn:
            conn.exec_driver_sql(self._insert_sql, list(rows))  # DBAPI executemany

    def append_checkpoint(
        self, cp: Checkpoint, rows: Sequence[tuple[int, str, int, str, str, bytes]] = ()
    ) -> None:
        """Insert a checkpoint and ``rows`` (its checkpoint record) in one transaction."""
        with self.engine.begin() as conn:
            if rows:
                conn.exec_driver_sql(self._insert_sql, list(rows))
            conn.execute(
                checkpoints.insert(),
                {
                    "idx": cp.index,
                    "agent_id": cp.agent_id,
                    "tree_size": cp.tree_size,
                    "root": cp.root,
                    "ts_ns": cp.ts_ns,
                    "signer": cp.signer,
                    "signature": cp.signature,
                    "prev_size": cp.prev_size,
                    "consistency": b"".join(cp.consistency),
                },
            )

    def append_anchor(self, a: StoredAnchor) -> None:
        with self.engine.begin() as conn:
            conn.execute(
                anchors.insert(),
                {k: getattr(a, k) for k in StoredAnchor.__slots__},
            )

    def count(self) -> int:
        with self.engine.connect() as conn:
            return int(conn.execute(select(func.count()).select_from(records)).scalar_one())

    def max_seq(self) -> int | None:
        with self.engine.connect() as conn:
            v = conn.execute(select(func.max(records.c.seq))).scalar_one()
        return None if v is None else int(v)

    def iter_records(
        self, start: int = 0, end: int | None = None, *, chunk: int = 20_000
    ) -> Iterator[StoredRecord]:
        """Records ordered by seq, ``start <= seq < end``, read in chunks."""
        lo = start
        while True:
            q = select(records).where(records.c.seq >= lo).order_by(records.c.seq).limit(chunk)
            if end is not None:
                q = q.where(records.c.seq < end)
            with self.engine.connect() as conn:
                rows = conn.execute(q).all()
            for r in rows:
                yield StoredRecord(
                    int(r.seq), r.agent_id, int(r.ts_ns), r.type, r.payload, bytes(r.leaf_hash)
                )
            if len(rows) < chunk:
                return
            lo = int(rows[-1].seq) + 1

    def record_rows(
        self, start: int = 0, *, chunk: int = 65_536
    ) -> Generator[Sequence[Any], None, None]:
        """Raw DBAPI rows ``(seq, agent_id, ts_ns, type, payload, leaf_hash)``, ``seq >= start``,
        ordered by seq, in lists of up to ``chunk`` (keyset pages on one connection).

        For the verifier's fast path: no Row or record objects. Values are what the driver returns
        (the caller checks their types; ``leaf_hash`` may be a memoryview on some drivers).
        """
        return self._raw_pages("seq, agent_id, ts_ns, type, payload, leaf_hash", start, chunk)

    def leaf_hash_rows(self, *, chunk: int = 65_536) -> Generator[Sequence[Any], None, None]:
        """Raw ``(seq, leaf_hash)`` rows ordered by seq, in lists of up to ``chunk``."""
        return self._raw_pages("seq, leaf_hash", 0, chunk)

    def _raw_pages(
        self, columns: str, start: int, chunk: int
    ) -> Generator[Sequence[Any], None, None]:
        """Keyset pages of raw DBAPI rows (``seq`` first) on one connection, ordered by seq."""
        q = (
            f"SELECT {columns} FROM audit_record WHERE seq >= {self._mark} "
            f"ORDER BY seq LIMIT {int(chunk)}"
        )
        lo = start
        with self.engine.connect() as conn:
            cur = conn.connection.cursor()
            try:
                while True:
                    cur.execute(q, (lo,))
                    rows = cur.fetchall()
                    if rows:
                        yield rows
                    if len(rows) < chunk:
                        return
                    lo = int(rows[-1][0]) + 1
            finally:
                cur.close()

    def leaf_hashes(self) -> Iterator[tuple[int, bytes]]:
        lo, chunk = 0, 100_000
        while True:
            q = (
                select(records.c.seq, records.c.leaf_hash)
                .where(records.c.seq >= lo)
                .order_by(records.c.seq)
                .limit(chunk)
            )
            with self.engine.connect() as conn:
                rows = conn.execute(q).all()
            for seq, h in rows:
                yield int(seq), bytes(h)
            if len(rows) < chunk:
                return
            lo = int(rows[-1][0]) + 1

    def checkpoints(self) -> list[Checkpoint]:
        with self.engine.connect() as conn:
            rows = conn.execute(select(checkpoints).order_by(checkpoints.c.idx)).all()
        return [
            Checkpoint(
                int(r.idx),
                r.agent_id,
                int(r.tree_size),
                bytes(r.root),
                int(r.ts_ns),
                r.signer,
                bytes(r.signature),
                int(r.prev_size),
                _split(bytes(r.consistency)),
            )
            for r in rows
        ]

    def anchors(self) -> list[StoredAnchor]:
        with self.engine.connect() as conn:
            rows = conn.execute(select(anchors).order_by(anchors.c.id)).all()
        return [
            StoredAnchor(
                int(r.checkpoint_idx),
                int(r.tree_size),
                bytes(r.root),
                int(r.chain_id),
                r.contract,
                r.tx_hash,
                None if r.block_number is None else int(r.block_number),
                r.block_hash,
                r.status,
                int(r.ts_ns),
            )
            for r in rows
        ]

    def close(self) -> None:
        self.engine.dispose()


def _split(blob: bytes) -> tuple[bytes, ...]:
    return tuple(blob[i : i + HASH_SIZE] for i in range(0, len(blob), HASH_SIZE))


def _redact(url: str) -> str:
    if "@" in url and "://" in url:
        scheme, rest = url.split("://", 1)
        return f"{scheme}://***@{rest.split('@', 1)[1]}"
    return url
