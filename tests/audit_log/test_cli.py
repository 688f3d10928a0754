"""``dexagent audit`` commands on a real SQLite log."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from dexagent.audit_log.proof import verify_inclusion_json
from dexagent.cli import main
from tests.audit_log import tamper
from tests.audit_log.helpers import sqlite_url, write_log


def test_verify_prints_counts_on_success(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    url = sqlite_url(tmp_path)
    write_log(url, n=20).close()
    assert main(["audit", "verify", "--db", url]) == 0
    assert "OK: verified 24 records and 2 checkpoints" in capsys.readouterr().out


def test_verify_names_first_bad_record(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    url = sqlite_url(tmp_path)
    log = write_log(url, n=20)
    tamper.drop_triggers(log.store)
    tamper.sql(log.store, "DELETE FROM audit_record WHERE seq = 5")
    assert main(["audit", "verify", "--db", url]) == 1
    assert "FAILED: record 5: missing" in capsys.readouterr().out


def test_prove_prints_a_proof_the_standalone_function_accepts(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    url = sqlite_url(tmp_path)
    write_log(url, n=20).close()
    assert main(["audit", "prove", "4", "--db", url]) == 0
    verify_inclusion_json(json.loads(capsys.readouterr().out))


@pytest.mark.parametrize("fmt", ["jsonl", "csv", "html"])
def test_export_lists_each_decision(tmp_path: Path, fmt: str) -> None:
    url = sqlite_url(tmp_path)
    write_log(url, n=9).close()
    out = tmp_path / f"x.{fmt}"
    assert main(["audit", "export", "--db", url, "--format", fmt, "--out", str(out)]) == 0
    text = out.read_text()
    assert text.count("agent-1-") >= 3 and "ab" * 32 in text
