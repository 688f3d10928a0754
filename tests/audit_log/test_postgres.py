"""The same log on a real PostgreSQL server: round trip, triggers, tampering located."""

from __future__ import annotations

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from dexagent.audit_log.log import AuditLog
from dexagent.audit_log.verify import verify_store
from tests.audit_log import tamper
from tests.audit_log.helpers import AGENT_KEY, write_log

pytestmark = pytest.mark.postgres


def test_postgres_log_round_trips_and_verifies(pg_url: str) -> None:
    log = write_log(pg_url, n=40, checkpoint_every=10)
    root = log.tree.root()
    log.close()
    again = AuditLog.open(pg_url, agent_id="agent-1", signer_key=AGENT_KEY)
    assert again.tree.root() == root
    report = verify_store(again.store)
    assert report.ok, report.summary()
    assert report.records == 46 and report.checkpoints == 4


@pytest.mark.parametrize(
    "stmt",
    [
        "UPDATE audit_record SET type = 'fill' WHERE seq = 3",
        "DELETE FROM audit_record WHERE seq = 3",
        "TRUNCATE audit_record",
        "DELETE FROM audit_checkpoint",
    ],
)
def test_postgres_refuses_update_delete_truncate(pg_url: str, stmt: str) -> None:
    log = write_log(pg_url, n=10)
    with pytest.raises(DBAPIError, match="append-only"), log.store.engine.begin() as conn:
        conn.execute(text(stmt))


def test_postgres_changed_byte_is_located(pg_url: str) -> None:
    log = write_log(pg_url, n=30)
    tamper.drop_triggers(log.store)
    r = tamper.row(log.store, 9)
    tamper.sql(
        log.store,
        "UPDATE audit_record SET payload = :p WHERE seq = 9",
        p=r["payload"].replace("agent-1", "agent-7"),
    )
    problem = verify_store(log.store).problem
    assert problem is not None and problem.seq == 9
