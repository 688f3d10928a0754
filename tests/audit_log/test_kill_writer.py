"""SIGKILL the writer mid-batch: every acknowledged record survives and the log verifies."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from dexagent.audit_log.log import AuditLog
from dexagent.audit_log.verify import verify_store
from tests.audit_log.helpers import AGENT_KEY, sqlite_url

ROOT = Path(__file__).resolve().parents[2]


def _kill_after_acks(url: str, acks: int) -> int:
    proc = subprocess.Popen(
        [sys.executable, "-m", "tests.audit_log.writer_proc", url],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    last = 0
    try:
        assert proc.stdout is not None
        for _ in range(acks):
            line = proc.stdout.readline()
            assert line.startswith("ACK "), (line, proc.stderr.read() if proc.stderr else "")
            last = int(line.split()[1])
    finally:
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(10)
    assert proc.returncode == -signal.SIGKILL
    return last


def _check_survivors(url: str, acknowledged: int) -> None:
    log = AuditLog.open(url, agent_id="agent-1", signer_key=AGENT_KEY)
    assert log.size >= acknowledged  # nothing acknowledged is lost
    report = verify_store(log.store)
    assert report.ok, report.summary()
    assert report.checkpoints >= 1
    log.append("decision", {"after": "restart"})  # and the log goes on
    log.checkpoint()
    assert verify_store(log.store).ok


def test_killed_sqlite_writer_loses_nothing_acknowledged(tmp_path: Path) -> None:
    url = sqlite_url(tmp_path)
    _check_survivors(url, _kill_after_acks(url, 23))


@pytest.mark.postgres
def test_killed_postgres_writer_loses_nothing_acknowledged(pg_url: str) -> None:
    _check_survivors(pg_url, _kill_after_acks(pg_url, 23))
