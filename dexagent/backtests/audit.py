"""A backtest's own audit log: the same records a live agent writes, in a file of the run's.

Anchoring is optional for backtests and not done here; ``dexagent audit verify`` checks the file.
The signer key comes from the environment variable the config names, or is made fresh for the
run (its address is recorded in ``agent_started``; the key itself is never written anywhere).
"""

from __future__ import annotations

import hashlib
import json
import os
import time
from pathlib import Path

from dexagent.audit_log import AuditLogSink
from dexagent.backtests.config import BacktestConfig
from dexagent.core.audit import AuditEvent


def config_hash(cfg: BacktestConfig) -> str:
    body = json.dumps(cfg.model_dump(mode="json"), sort_keys=True, separators=(",", ":"))
    return "sha256:" + hashlib.sha256(body.encode()).hexdigest()


def open_backtest_audit(cfg: BacktestConfig) -> tuple[AuditLogSink, str]:
    """Open the run's audit log; an older file at the same path is kept aside, never deleted."""
    from eth_account import Account

    assert cfg.audit.db is not None
    url = cfg.audit.db
    if url.startswith("sqlite:///"):
        path = Path(url.removeprefix("sqlite:///"))
        path.parent.mkdir(parents=True, exist_ok=True)
        if path.exists():
            path.rename(path.with_name(f"{path.name}.{int(path.stat().st_mtime)}.previous"))
    key = os.environ.get(cfg.audit.key_env) or Account.create().key.hex()
    sink = AuditLogSink.open(
        url,
        agent_id=cfg.run.agent_id,
        signer_key=key,
        checkpoint_every=cfg.audit.checkpoint_every,
    )
    signer = sink.log.signer.address if sink.log.signer is not None else ""
    return sink, signer


async def record_start(
    sink: AuditLogSink, cfg: BacktestConfig, signer: str, policy_hash: str | None, t_ms: int
) -> None:
    await sink.append(
        AuditEvent(
            "agent_started",
            {
                "signer": signer,
                "mode": "backtest",
                "wall_time_ns": str(time.time_ns()),
            },
            t_ms,
        )
    )
    await sink.append(AuditEvent("config_loaded", {"config_hash": config_hash(cfg)}, t_ms))
    if policy_hash:
        await sink.append(AuditEvent("policy_loaded", {"policy_hash": policy_hash}, t_ms))


async def record_stop(sink: AuditLogSink, t_ms: int, fills: int, decisions: int) -> None:
    await sink.append(AuditEvent("agent_stopped", {"fills": fills, "decisions": decisions}, t_ms))
    await sink.checkpoint()
    await sink.close()
