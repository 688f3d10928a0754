"""Daily loss and drawdown move ACTIVE -> REDUCING -> HALTED; only an operator resumes."""

from __future__ import annotations

from pathlib import Path

from dexagent.policy import PolicyEngine, SqliteStore, TradingState
from dexagent.policy.state_store import ResumeRequest
from tests.policy.policy_helpers import T0, USD, buy, ctx, policy, sell

DAY = 86_400_000
P = "WETH/USDT"
RISK = {"drawdown_reduce": "0.1", "drawdown_halt": "0.2"}


def test_drawdown_moves_to_reducing_then_halted_and_records_each_change() -> None:
    e = PolicyEngine(policy(risk=RISK))
    e.mark(T0, 10_000 * USD, P)
    assert e.mark(T0 + 1, 9_001 * USD, P) is None
    ch = e.mark(T0 + 2, 9_000 * USD, P)
    assert ch is not None and ch.to_state is TradingState.REDUCING
    assert "drawdown 10.00% >= 10.00%" in ch.reason
    e.mark(T0 + 3, 8_000 * USD, P)
    assert e.state is TradingState.HALTED
    assert [(c.from_state, c.to_state) for c in e.state_changes] == [
        (TradingState.ACTIVE, TradingState.REDUCING),
        (TradingState.REDUCING, TradingState.HALTED),
    ]


def test_reducing_state_passes_only_risk_reducing_intents() -> None:
    e = PolicyEngine(policy(risk=RISK))
    e.mark(T0, 10_000 * USD, P)
    e.mark(T0 + 1, 8_500 * USD, P)
    assert e.state is TradingState.REDUCING
    d = e.evaluate(buy(10), ctx(usdt=4_500, weth=2, equity=8_500 * USD))
    assert d.denied_by == ("risk.trading_state",)
    assert "only risk-reducing" in d.verdicts[0].reason
    assert e.evaluate(sell(1), ctx(usdt=4_500, weth=2, equity=8_500 * USD)).approved


def test_reducing_is_left_when_drawdown_recovers_but_halted_is_sticky() -> None:
    e = PolicyEngine(policy(risk=RISK))
    e.mark(T0, 10_000 * USD, P)
    e.mark(T0 + 1, 8_500 * USD, P)
    e.mark(T0 + 2, 9_500 * USD, P)
    assert e.state is TradingState.ACTIVE
    e.mark(T0 + 3, 7_000 * USD, P)
    e.mark(T0 + 4, 12_000 * USD, P)
    assert e.state is TradingState.HALTED


def test_halt_after_drawdown_only_reducing_passes_until_operator_resumes() -> None:
    e = PolicyEngine(policy(risk=RISK))
    e.mark(T0, 10_000 * USD, P)
    c = ctx(usdt=3_000, weth=2, equity=7_000 * USD)
    assert not e.evaluate(buy(10), c).approved
    assert e.state is TradingState.HALTED
    assert e.evaluate(sell(1), c).approved
    assert not e.evaluate(buy(10, oid="o-2"), ctx(now_ms=T0 + 5 * DAY, equity=7_000 * USD)).approved
    ch = e.resume(T0 + 5 * DAY, operator="alice", reason="reviewed")
    assert ch is not None and ch.to_state is TradingState.ACTIVE and "alice" in ch.reason
    assert e.evaluate(buy(10, oid="o-3"), ctx(now_ms=T0 + 5 * DAY, equity=7_000 * USD)).approved


def test_halt_can_forbid_even_reducing_intents() -> None:
    e = PolicyEngine(policy(risk={**RISK, "halt_allows_reducing": False}))
    e.mark(T0, 10_000 * USD, P)
    e.mark(T0 + 1, 7_000 * USD, P)
    assert not e.evaluate(sell(1), ctx(weth=2, equity=7_000 * USD)).approved


def test_daily_loss_resets_at_midnight_utc() -> None:
    e = PolicyEngine(policy(risk={"daily_loss_reduce": "0.05"}))
    e.mark(T0 + 1000, 10_000 * USD, P)
    e.mark(T0 + 2000, 9_400 * USD, P)
    assert e.state is TradingState.REDUCING
    e.mark(T0 + DAY, 9_400 * USD, P)  # new day: 9,400 is the day's start
    assert e.state is TradingState.ACTIVE
    e.mark(T0 + DAY + 1, 8_930 * USD, P)  # 5% of 9,400 = 470
    assert e.state is TradingState.REDUCING


def test_daily_loss_halt() -> None:
    e = PolicyEngine(policy(risk={"daily_loss_reduce": "0.02", "daily_loss_halt": "0.04"}))
    e.mark(T0, 10_000 * USD, P)
    e.mark(T0 + 1, 9_600 * USD, P)
    assert e.state is TradingState.HALTED
    e.mark(T0 + DAY, 9_600 * USD, P)
    assert e.state is TradingState.HALTED


def test_halted_state_survives_restart_and_cli_resume_applies(tmp_path: Path) -> None:
    db = tmp_path / "policy.db"
    p = policy(risk=RISK)
    e = PolicyEngine(p, agent_id="bot", state_store=SqliteStore(db))
    e.mark(T0, 10_000 * USD, P)
    e.mark(T0 + 1, 7_000 * USD, P)
    again = PolicyEngine(p, agent_id="bot", state_store=SqliteStore(db))
    assert again.state is TradingState.HALTED
    assert again.poll_operator(T0 + 2) is None
    SqliteStore(db).request_resume("bot", ResumeRequest("alice", "checked", T0 + 3))
    ch = again.poll_operator(T0 + 4)
    assert ch is not None and again.state is TradingState.ACTIVE
    saved = SqliteStore(db).load_state("bot")
    assert saved is not None and saved.state is TradingState.ACTIVE


def test_equity_of_another_pair_is_not_a_drawdown_of_this_one() -> None:
    e = PolicyEngine(policy(risk=RISK))
    e.mark(T0, 10_000 * USD, P)
    e.mark(T0 + 1, 2_000 * USD, "PEPE/USDT")  # USDT only: no PEPE held
    e.mark(T0 + 2, 9_500 * USD, P)
    assert e.state is TradingState.ACTIVE
    e.mark(T0 + 3, 1_000 * USD, "PEPE/USDT")  # that pair's own series drops 50%
    assert e.state is TradingState.HALTED
    assert e.state_changes[-1].reason.startswith("PEPE/USDT: drawdown 50.00%")
