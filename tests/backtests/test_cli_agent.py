"""``dexagent backtest --agent``: the rule agent by default, an LLM replayed from a cassette."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import pytest

from dexagent.agents import build_agent_strategy
from dexagent.backtests.config import load_config
from dexagent.backtests.runner import load_market, run_backtest_async
from dexagent.cli import main
from dexagent.core.audit import MemoryAuditSink
from dexagent.core.tokens import Pair
from tests.agents.fakes import ScriptedModel
from tests.agents.test_cassette import script

WINDOW = ["--start", "2023-02-01", "--end", "2023-05-01"]
CADENCE = {"every_n_bars": 120, "on_regime_change": False}


def test_rule_agent_backtest_reports_every_decision_within_the_policy(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "run"
    code = main(
        [
            "backtest",
            "--agent",
            "rule",
            *WINDOW,
            "--policy",
            "examples/policies/aggressive.toml",
            "--out",
            str(out),
        ]
    )
    assert code == 0
    printed = capsys.readouterr().out
    assert "Agent decisions" in printed
    report = json.loads((out / "report.json").read_text())
    rows = report["config"]["extra"]["agent_decisions"]
    assert rows and {"time", "strategy", "params", "allocation", "rationale", "verdicts"} <= set(
        rows[0]
    )
    assert "Agent decisions" in (out / "report.html").read_text()


def test_llm_agent_replays_a_cassette_recorded_on_the_same_run(tmp_path: Path) -> None:
    cassette = tmp_path / "calls.jsonl"
    overrides = {"data.start": "2023-02-01", "data.end": "2023-05-01", "agent.params": CADENCE}
    cfg = load_config(None, overrides)
    pair = Pair(cfg.market.base.token(), cfg.market.quote.token())
    sink = MemoryAuditSink()
    recorder = build_agent_strategy(
        "llm",
        pair,
        audit=sink,
        model=ScriptedModel(script=script),
        cassette=cassette,
        cassette_mode="record",
        params=CADENCE,
    )
    recorded = asyncio.run(
        run_backtest_async(cfg, bars=load_market(cfg), strategy=recorder, audit=sink)
    )
    assert recorded.fills, "the scripted model must make the agent trade"

    out = tmp_path / "replay"
    code = main(
        [
            "backtest",
            "--agent",
            "llm",
            "--model",
            "fake:scripted-1",
            "--cassette",
            str(cassette),
            *WINDOW,
            "--set",
            'agent.params={"every_n_bars": 120, "on_regime_change": false}',
            "--audit-db",
            "none",
            "--out",
            str(out),
        ]
    )
    assert code == 0
    report = json.loads((out / "report.json").read_text())
    assert report["metrics"]["fills"] == len(recorded.fills)
    assert report["metrics"]["final_equity"] == str(recorded.final_equity)
    usage = report["config"]["extra"]["llm_usage"]
    assert usage is not None


def test_llm_agent_without_a_cassette_entry_fails_clearly(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    empty = tmp_path / "empty.jsonl"
    empty.write_text("")
    code = main(
        [
            "backtest",
            "--agent",
            "llm",
            "--model",
            "fake:none",
            "--cassette",
            str(empty),
            *WINDOW,
            "--no-report",
        ]
    )
    assert code != 0
    assert "cassette" in capsys.readouterr().err.lower()
