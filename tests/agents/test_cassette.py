"""LLM cassettes: a recorded backtest replays bit for bit with no model call."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import pytest
from langchain_core.messages import BaseMessage, HumanMessage
from pydantic import BaseModel

from dexagent.agents import AgentSetupError, AgentStrategy, CassetteChatModel, build_agent_strategy
from dexagent.backtests.config import load_config
from dexagent.backtests.runner import run_backtest_async
from dexagent.core.audit import MemoryAuditSink
from dexagent.core.tokens import Pair
from tests.agents.fakes import USAGE, ExplodingModel, ScriptedModel, submit, tool_call
from tests.agents.support import real_bars

CFG = load_config(None, {"venue.kind": "taker"})
PAIR = Pair(CFG.market.base.token(), CFG.market.quote.token())
CADENCE = {"every_n_bars": 400, "on_regime_change": False}
N_BARS = 6000


def script(messages: list[BaseMessage], n: int) -> Any:
    if n % 5 == 0:
        return tool_call("market_summary", {"bars": 100}, call_id=f"t-{n}")
    plan = [
        submit("sma_cross", {"fast": 12, "slow": 48}, 0.8, call_id=f"c-{n}"),
        submit("rsi_reversion", {"period": 14, "lower": 30, "upper": 70}, 0.5, call_id=f"c-{n}"),
        submit(action="hold", rationale="unclear", call_id=f"c-{n}"),
        submit("donchian_breakout", {"entry": 40, "exit": 20}, 1.0, call_id=f"c-{n}"),
    ]
    return plan[n % 4]


def backtest(agent: AgentStrategy, sink: MemoryAuditSink) -> tuple[Any, ...]:
    r = asyncio.run(
        run_backtest_async(CFG, bars=real_bars().slice(0, N_BARS), strategy=agent, audit=sink)
    )
    return (
        r.fills,
        r.final_equity,
        agent.decision_table(),
        [(e.kind, e.payload, e.timestamp_ms) for e in sink.events],
    )


def record(path: Path) -> tuple[tuple[Any, ...], AgentStrategy]:
    sink = MemoryAuditSink()
    agent = build_agent_strategy(
        "llm",
        PAIR,
        audit=sink,
        model=ScriptedModel(script=script),
        cassette=path,
        cassette_mode="record",
        params=CADENCE,
    )
    return backtest(agent, sink), agent


def test_a_recorded_backtest_replays_bit_identically_without_calling_the_model(
    tmp_path: Path,
) -> None:
    path = tmp_path / "run.cassette.jsonl"
    recorded, rec_agent = record(path)
    sink = MemoryAuditSink()
    replay = build_agent_strategy(
        "llm", PAIR, audit=sink, model="fake:scripted-1", cassette=path, params=CADENCE
    )
    replayed = backtest(replay, sink)
    assert len(recorded[0]) > 5 and len(recorded[2]) == len(range(288, N_BARS, 400))
    assert replayed == recorded  # fills, equity, decision table, every audit event
    report = replay.usage_report()
    assert report is not None and report.calls == report.replayed > 0
    answered = sum(1 for r in replay.records for c in r.model_calls if c.tokens_in)
    assert report.tokens_in == answered * USAGE["input_tokens"]
    assert "estimate" in "\n".join(report.lines()) or report.estimated_cost_usd is None
    first = rec_agent.usage_report()
    assert first is not None and first.replayed == 0 and first.calls == report.calls


def test_replay_with_an_inner_model_never_calls_it(tmp_path: Path) -> None:
    path = tmp_path / "run.cassette.jsonl"
    recorded, _ = record(path)
    sink = MemoryAuditSink()
    cassette = CassetteChatModel(inner=ExplodingModel(), path=path, mode="replay")
    agent = build_agent_strategy("llm", PAIR, audit=sink, model=cassette, params=CADENCE)
    assert backtest(agent, sink)[0] == recorded[0]


def test_a_call_cut_off_by_the_timeout_replays_as_the_same_timeout(tmp_path: Path) -> None:
    path = tmp_path / "late.cassette.jsonl"
    late = ScriptedModel(script=script, delay_s=1.0, delay_when=lambda n: n % 7 == 3)
    sink = MemoryAuditSink()
    agent = build_agent_strategy(
        "llm",
        PAIR,
        audit=sink,
        model=late,
        cassette=path,
        cassette_mode="record",
        params=CADENCE,
        timeout_s=0.05,
    )
    recorded = backtest(agent, sink)
    assert any(r["outcome"].startswith("timeout") for r in recorded[2])
    sink = MemoryAuditSink()
    replay = build_agent_strategy(
        "llm",
        PAIR,
        audit=sink,
        model="fake:scripted-1",
        cassette=path,
        params=CADENCE,
        timeout_s=0.05,
    )
    assert backtest(replay, sink) == recorded


def test_a_call_missing_from_the_cassette_fails_clearly(tmp_path: Path) -> None:
    path = tmp_path / "run.cassette.jsonl"
    record(path)
    lines = path.read_text().splitlines()
    path.write_text("\n".join(lines[:-3]) + "\n")  # lose the last answers
    agent = build_agent_strategy(
        "llm",
        PAIR,
        audit=MemoryAuditSink(),
        model="fake:scripted-1",
        cassette=path,
        params=CADENCE,
    )
    with pytest.raises(AgentSetupError, match=r"no recorded answer for call [0-9a-f]{64}") as e:
        backtest(agent, MemoryAuditSink())
    assert str(path) in str(e.value) and "on_missing='hold'" in str(e.value)


def test_a_missing_call_can_become_a_recorded_hold(tmp_path: Path) -> None:
    path = tmp_path / "run.cassette.jsonl"
    recorded, _ = record(path)
    lines = path.read_text().splitlines()
    path.write_text("\n".join(lines[:-3]) + "\n")
    sink = MemoryAuditSink()
    agent = build_agent_strategy(
        "llm",
        PAIR,
        audit=sink,
        model="fake:scripted-1",
        cassette=path,
        params=CADENCE,
        on_missing="hold",
    )
    _, _, table, _ = backtest(agent, sink)
    assert len(table) == len(recorded[2])
    misses = [r for r in table if r["outcome"].startswith("cassette_miss")]
    assert misses and all(r["action"] == "hold" and str(path) in r["outcome"] for r in misses)


def test_cassette_works_with_structured_output(tmp_path: Path) -> None:
    class Verdict(BaseModel):
        go: bool

    from langchain_core.language_models.fake_chat_models import GenericFakeChatModel
    from langchain_core.messages import AIMessage

    class ToolFake(GenericFakeChatModel):
        def bind_tools(self, tools: Any, **kw: Any) -> Any:
            return self

    answer = AIMessage(
        content="", tool_calls=[{"name": "Verdict", "args": {"go": True}, "id": "v1"}]
    )
    path = tmp_path / "so.jsonl"
    rec = CassetteChatModel(
        inner=ToolFake(messages=iter([answer])), path=path, mode="record", model_id="fake:tools"
    )
    q = [HumanMessage("go?")]
    assert rec.with_structured_output(Verdict).invoke(q) == Verdict(go=True)
    rep = CassetteChatModel(path=path, mode="replay", model_id="fake:tools")
    assert rep.with_structured_output(Verdict).invoke(q) == Verdict(go=True)
    with pytest.raises(AgentSetupError, match="no recorded answer"):
        rep.with_structured_output(Verdict).invoke([HumanMessage("different question")])


def test_cassette_lines_have_sorted_keys_and_no_secrets(tmp_path: Path) -> None:
    import json

    path = tmp_path / "run.cassette.jsonl"
    record(path)
    for line in path.read_text().splitlines():
        e = json.loads(line)
        assert list(e) == sorted(e)
        assert {"key", "n", "model_id", "answer", "usage", "latency_s", "request"} <= set(e)
        assert "api_key" not in line.lower()
