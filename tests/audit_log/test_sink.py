"""The kernel's AuditSink over a SQLite log: core events in order, flushed, checkpointed."""

from __future__ import annotations

from pathlib import Path

from dexagent.audit_log.records import RecordType
from dexagent.audit_log.sink import AuditLogSink
from dexagent.audit_log.store import Store
from dexagent.audit_log.verify import verify_store
from dexagent.core.audit import AuditEvent
from tests.audit_log.helpers import AGENT_KEY, sqlite_url


async def test_sink_maps_core_events_to_records_and_checkpoints(tmp_path: Path) -> None:
    url = sqlite_url(tmp_path)
    sink = AuditLogSink.open(url, agent_id="bt-1", signer_key=AGENT_KEY, batch_size=4)
    seqs = [
        await sink.append(AuditEvent("decision", {"order": f"o{i}", "approved": True}, 1000 + i))
        for i in range(10)
    ]
    assert seqs == list(range(10))
    await sink.append(AuditEvent("fill", {"order": "o1", "tx_hash": None}, 2000))
    cp = await sink.checkpoint()
    assert cp.tree_size == 11
    await sink.close()
    store = Store.open(url)
    recs = list(store.iter_records())
    assert [r.type for r in recs[:2]] == [RecordType.DECISION, RecordType.DECISION]
    assert recs[0].ts_ns == 1000 * 1_000_000 and recs[-1].type == RecordType.CHECKPOINT
    assert verify_store(store).ok


async def test_sink_checkpoints_every_n_events(tmp_path: Path) -> None:
    sink = AuditLogSink.open(
        sqlite_url(tmp_path), agent_id="bt-1", signer_key=AGENT_KEY, checkpoint_every=5
    )
    for i in range(12):
        await sink.append(AuditEvent("rejected", {"order": f"o{i}", "error": "x"}, i))
    assert sink.log.last_checkpoint is not None and sink.log.last_checkpoint.index == 1
    await sink.close()
