"""The attacker: edits the database behind the log's back (dropping the triggers first)."""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import text

from dexagent.audit_log.checkpoint import sign_checkpoint
from dexagent.audit_log.records import leaf_hash, record_bytes
from dexagent.audit_log.signing import Signer
from dexagent.audit_log.store import TABLES, Store


def drop_triggers(store: Store) -> None:
    with store.engine.begin() as conn:
        if store.dialect == "postgresql":
            for t in TABLES:
                conn.execute(text(f"DROP TRIGGER IF EXISTS {t}_append_only ON {t}"))
                conn.execute(text(f"DROP TRIGGER IF EXISTS {t}_no_truncate ON {t}"))
        else:
            for t in TABLES:
                for op in ("update", "delete"):
                    conn.execute(text(f"DROP TRIGGER IF EXISTS {t}_no_{op}"))


def sql(store: Store, stmt: str, **params: Any) -> None:
    with store.engine.begin() as conn:
        conn.execute(text(stmt), params)


def row(store: Store, seq: int) -> dict[str, Any]:
    with store.engine.connect() as conn:
        r = conn.execute(text("SELECT * FROM audit_record WHERE seq = :s"), {"s": seq}).one()
    return dict(r._mapping)


def rehash(store: Store, seq: int) -> None:
    """Recompute the stored leaf hash of ``seq`` from its (edited) columns."""
    r = row(store, seq)
    h = leaf_hash(
        record_bytes(r["seq"], r["ts_ns"], r["agent_id"], r["type"], json.loads(r["payload"]))
    )
    sql(store, "UPDATE audit_record SET leaf_hash = :h WHERE seq = :s", h=h, s=seq)


def resign_checkpoint(store: Store, idx: int, key: str, **changes: Any) -> None:
    """Replace checkpoint ``idx`` by one signed with ``key`` (fields changed as given)."""
    cp = store.checkpoints()[idx]
    fields = {
        "index": cp.index,
        "agent_id": cp.agent_id,
        "tree_size": cp.tree_size,
        "root": cp.root,
        "ts_ns": cp.ts_ns,
        "prev_size": cp.prev_size,
        "consistency": cp.consistency,
    } | changes
    new = sign_checkpoint(Signer(key), **fields)
    sql(
        store,
        "UPDATE audit_checkpoint SET tree_size = :n, root = :r, signer = :a, signature = :s "
        "WHERE idx = :i",
        n=new.tree_size,
        r=new.root,
        a=new.signer,
        s=new.signature,
        i=idx,
    )
