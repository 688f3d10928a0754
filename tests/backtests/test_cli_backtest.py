"""``dexagent backtest`` end to end on the bundled real data: summary printed, report written."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest

from dexagent.cli import main


def test_default_backtest_on_bundled_data_writes_the_report(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "run"
    code = main(["backtest", "--start", "2023-03-01", "--end", "2023-04-01", "--out", str(out)])
    assert code == 0
    printed = capsys.readouterr().out
    assert "bars/s" in printed
    report = json.loads((out / "report.json").read_text())
    with (out / "trades.csv").open() as f:
        rows = list(csv.DictReader(f))
    assert rows, "the default strategy trades in March 2023"
    html = (out / "report.html").read_text()
    assert "<svg" in html and "https://" not in html
    assert json.dumps(report)  # serializable


def test_backtest_with_a_policy_lists_denials_by_rule(tmp_path: Path) -> None:
    policy = tmp_path / "p.toml"
    policy.write_text('schema_version = 1\nname = "tiny"\n[limits]\nmax_notional = 100\n')
    out = tmp_path / "run"
    code = main(
        [
            "backtest",
            "--start",
            "2023-03-01",
            "--end",
            "2023-03-15",
            "--venue",
            "taker",
            "--policy",
            str(policy),
            "--out",
            str(out),
        ]
    )
    assert code == 0
    report = json.loads((out / "report.json").read_text())
    text = json.dumps(report)
    assert "limits.max_notional" in text


def test_unknown_flag_value_is_a_clear_error(capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["backtest", "--strategy", "sma_crs", "--no-report"])
    assert code == 2
    assert "Did you mean 'sma_cross'" in capsys.readouterr().err
