from __future__ import annotations

import argparse
from pathlib import Path

import pytest

from dexagent.cli import policy_cmd
from dexagent.core.errors import ConfigError
from dexagent.policy import PendingStatus, PolicyEngine, SqliteStore, TradingState, load_policy
from tests.policy.policy_helpers import T0, USD, buy, ctx, policy

P = "WETH/USDT"
ROOT = Path(__file__).resolve().parents[2]


def run(*argv: str) -> int:
    parser = argparse.ArgumentParser()
    policy_cmd.register(parser.add_subparsers(dest="command", required=True))
    args = parser.parse_args(list(argv))
    code: int = args.func(args)
    return code


def test_check_prints_the_canonical_hash(capsys: pytest.CaptureFixture[str]) -> None:
    f = ROOT / "examples/policies/cautious.toml"
    assert run("policy", "check", str(f)) == 0
    out = capsys.readouterr().out
    assert PolicyEngine(load_policy(f)).policy_hash in out


def test_check_of_bad_file_raises_config_error(tmp_path: Path) -> None:
    f = tmp_path / "bad.toml"
    f.write_text("schema_version = 1\n[limits]\nmax_notionl = 3\n")
    with pytest.raises(ConfigError, match="Did you mean 'max_notional'"):
        run("policy", "check", str(f))


def test_pending_approve_and_deny_from_the_cli(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = tmp_path / "policy.db"
    e = PolicyEngine(policy(approval={"above": 100, "ttl_s": 10**6}), pending=SqliteStore(db))
    e.evaluate(buy(200, oid="big-1"), ctx(now_ms=10**13))  # expires far in the future
    e.evaluate(buy(300, oid="big-2"), ctx(now_ms=10**13))
    assert run("policy", "pending", "--store", str(db)) == 0
    out = capsys.readouterr().out
    assert "big-1" in out and "big-2" in out and "notional=200000000" in out
    assert run("policy", "approve", "big-1", "--store", str(db), "--by", "alice") == 0
    assert run("policy", "deny", "big-2", "--store", str(db), "--by", "bob") == 0
    store = SqliteStore(db)
    got = {x.id: (x.status, x.resolved_by) for x in store.entries()}
    assert got == {
        "big-1": (PendingStatus.APPROVED, "alice"),
        "big-2": (PendingStatus.DENIED, "bob"),
    }
    with pytest.raises(ConfigError, match="already approved"):
        run("policy", "deny", "big-1", "--store", str(db))
    with pytest.raises(ConfigError, match="no pending order"):
        run("policy", "approve", "nope", "--store", str(db))


def test_cli_cannot_approve_an_expired_order(tmp_path: Path) -> None:
    db = tmp_path / "policy.db"
    e = PolicyEngine(policy(approval={"above": 100, "ttl_s": 60}), pending=SqliteStore(db))
    e.evaluate(buy(200, oid="old"), ctx(now_ms=T0))  # expired long ago (2023)
    with pytest.raises(ConfigError, match="expired"):
        run("policy", "approve", "old", "--store", str(db))


def test_resume_from_the_cli_reaches_the_running_engine(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = tmp_path / "policy.db"
    e = PolicyEngine(
        policy(risk={"drawdown_halt": "0.2"}), agent_id="bot", state_store=SqliteStore(db)
    )
    e.mark(T0, 100 * USD, P)
    e.mark(T0 + 1, 70 * USD, P)
    assert run("policy", "state", "--store", str(db)) == 0
    assert "bot  halted" in capsys.readouterr().out
    assert run("policy", "resume", "--store", str(db), "--agent", "bot", "--by", "ops") == 0
    e.poll_operator(T0 + 2)
    assert e.state is TradingState.ACTIVE


def test_store_commands_need_an_existing_file(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="not found"):
        run("policy", "pending", "--store", str(tmp_path / "missing.db"))
