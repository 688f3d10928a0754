from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from dexagent.core.errors import ConfigError
from dexagent.core.intents import Order
from dexagent.core.policy_gate import PolicyContext, Verdict
from dexagent.policy import (
    MemoryPendingStore,
    PendingStatus,
    PolicyEngine,
    SqliteStore,
    load_policy,
    policy_hash,
)
from dexagent.policy.rules import Facts
from tests.policy.policy_helpers import T0, buy, ctx, engine, policy, quote_for

EVERYTHING = {
    "allow": {
        "tokens": ["WETH", "USDT"],
        "venues": ["taker"],
        "chains": [1],
        "no_chain": True,
        "pools": ["taker:WETH/USDT"],
    },
    "strategies": {"sma_cross": {"fast": {"min": 5, "max": 50}}},
    "limits": {
        "max_notional": 1000,
        "max_daily_notional": 5000,
        "max_position": {"WETH": 10},
        "max_gross_exposure": "0.9",
    },
    "market": {"max_slippage_bps": 50, "max_price_impact_bps": 50},
    "gas": {"max_gas_price_gwei": 100, "max_gas_fraction": "0.05"},
    "pacing": {
        "max_per_minute": 100,
        "max_per_hour": 1000,
        "max_per_day": 10000,
        "cooldown_after_loss_s": 60,
    },
    "risk": {
        "daily_loss_reduce": "0.05",
        "daily_loss_halt": "0.1",
        "drawdown_reduce": "0.1",
        "drawdown_halt": "0.2",
    },
    "windows": {"start_hour_utc": 0, "end_hour_utc": 24},
    "approval": {"above": 800, "ttl_s": 60},
}


def full_ctx(order: Order, **kw: object) -> PolicyContext:
    return ctx(
        quote=quote_for(order, Decimal(2001)), gas_price_wei=10**9, native_price=Decimal(2000), **kw
    )  # type: ignore[arg-type]


def test_every_rule_gives_a_verdict_on_every_order() -> None:
    e = PolicyEngine(policy(**EVERYTHING))
    o = buy(100)
    d = e.evaluate(o, full_ctx(o))
    assert d.approved, d.verdicts
    assert tuple(v.rule for v in d.verdicts) == e.rule_names
    assert len(e.rule_names) == 18  # every kind of rule there is
    assert d.policy_hash == e.policy_hash == policy_hash(e.policy)


def test_any_deny_wins_and_all_denials_are_listed() -> None:
    e = PolicyEngine(policy(**EVERYTHING))
    o = buy(1500, strategy="yolo")
    d = e.evaluate(o, full_ctx(o))
    assert not d.approved and not d.pending_approval
    assert set(d.denied_by) == {"strategy", "limits.max_notional", "approval"}
    assert len(d.verdicts) == len(e.rule_names)
    assert e.denials_by_rule["strategy"] == 1


class Exploding:
    name = "exploding"

    def check(self, order: Order, ctx: PolicyContext, facts: Facts) -> Verdict:
        raise ZeroDivisionError("boom")


def test_a_rule_that_raises_denies_fail_closed() -> None:
    e = PolicyEngine(policy(), extra_rules=[Exploding()])
    d = e.evaluate(buy(10), ctx())
    assert not d.approved and d.denied_by == ("exploding",)
    assert "ZeroDivisionError: boom" in d.verdicts[0].reason


def test_a_rule_that_raises_on_bad_context_denies() -> None:
    e = engine(limits={"max_position": {"WETH": 1}})
    bad = PolicyContext(T0, None, 0, "taker")  # type: ignore[arg-type]
    d = e.evaluate(buy(10), bad)
    assert not d.approved and "rule failed" in d.verdicts[0].reason


def test_order_above_approval_threshold_waits_in_pending_store() -> None:
    store = MemoryPendingStore()
    e = PolicyEngine(policy(approval={"above": 500, "ttl_s": 60}), pending=store)
    d = e.evaluate(buy(600), ctx())
    assert not d.approved and d.pending_approval and d.denied_by == ("approval",)
    [entry] = store.entries(PendingStatus.PENDING)
    assert entry.id == "o-1" and entry.expires_ms == T0 + 60_000
    assert entry.order() == buy(600)
    assert entry.policy_hash == e.policy_hash
    assert e.evaluate(buy(500, oid="o-2"), ctx()).approved


def test_a_denied_order_does_not_wait_for_approval() -> None:
    store = MemoryPendingStore()
    e = PolicyEngine(policy(approval={"above": 500}, limits={"max_notional": 550}), pending=store)
    d = e.evaluate(buy(600), ctx())
    assert not d.pending_approval and store.entries() == []


def test_pending_order_expires_after_ttl_and_is_denied() -> None:
    e = PolicyEngine(policy(approval={"above": 500, "ttl_s": 60}))
    e.evaluate(buy(600), ctx())
    assert e.expire_pending(T0 + 59_999) == []
    [expired] = e.expire_pending(T0 + 60_000)
    assert expired.status is PendingStatus.EXPIRED
    with pytest.raises(ConfigError, match="already expired"):
        e.pending.resolve("o-1", PendingStatus.APPROVED, T0 + 60_001, "alice")
    assert e.denials_by_rule["approval.expired"] == 1


def test_human_approved_order_is_rechecked_and_reserves_budget() -> None:
    e = PolicyEngine(policy(approval={"above": 500}, limits={"max_daily_notional": 1000}))
    o = buy(600)
    assert e.evaluate(o, ctx()).pending_approval
    assert not e.admit_approved(o, ctx()).approved  # not yet approved by anyone
    e.pending.resolve("o-1", PendingStatus.APPROVED, T0 + 1, "alice")
    d = e.admit_approved(o, ctx(now_ms=T0 + 2))
    assert d.approved
    assert [v.reason for v in d.verdicts if v.rule == "approval"] == ["approved by alice"]
    assert not e.evaluate(buy(500, oid="o-2"), ctx(now_ms=T0 + 3)).approved  # 600 reserved


def test_denied_by_human_cannot_be_admitted(tmp_path: Path) -> None:
    store = SqliteStore(tmp_path / "p.db")
    e = PolicyEngine(policy(approval={"above": 500}), pending=store)
    o = buy(600)
    e.evaluate(o, ctx())
    store.resolve("o-1", PendingStatus.DENIED, T0 + 1, "bob")
    d = e.admit_approved(o, ctx())
    assert not d.approved and "is denied" in d.verdicts[0].reason


def test_engine_satisfies_the_kernel_policy_gate_protocol() -> None:
    from dexagent.core.policy_gate import PolicyGate

    gate: PolicyGate = engine()
    assert gate.needs_quote is False


def test_cautious_example_approves_a_small_buy_on_a_weekday() -> None:
    root = Path(__file__).resolve().parents[2]
    e = PolicyEngine(load_policy(root / "examples/policies/cautious.toml"))
    o = buy(100)
    d = e.evaluate(o, ctx(quote=quote_for(o, Decimal(2001)), native_price=Decimal(2000)))
    assert d.approved, [v for v in d.verdicts if not v.allowed]
