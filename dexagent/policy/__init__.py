"""Policy-bounded trading: the policy file, its rules, and the engine the kernel consults.

policy = load_policy("examples/policies/cautious.toml")
engine = PolicyEngine(policy, agent_id="eth-bot", pending=SqliteStore("policy.db"))
kernel = Kernel(..., policy=engine, ...)
"""

from dexagent.policy.engine import PolicyEngine, StrategyChoice, denial_counts
from dexagent.policy.hashing import canonical_json, policy_hash
from dexagent.policy.loader import load_policy, parse_policy, policy_from_dict
from dexagent.policy.model import SCHEMA_VERSION, Policy
from dexagent.policy.pending import (
    MemoryPendingStore,
    PendingEntry,
    PendingStatus,
    PendingStore,
)
from dexagent.policy.report import policy_report
from dexagent.policy.sqlite_store import SqliteStore
from dexagent.policy.state import StateChange, TradingState
from dexagent.policy.state_store import MemoryStateStore, ResumeRequest, StateStore

__all__ = [
    "SCHEMA_VERSION",
    "MemoryPendingStore",
    "MemoryStateStore",
    "PendingEntry",
    "PendingStatus",
    "PendingStore",
    "Policy",
    "PolicyEngine",
    "ResumeRequest",
    "SqliteStore",
    "StateChange",
    "StateStore",
    "StrategyChoice",
    "TradingState",
    "canonical_json",
    "denial_counts",
    "load_policy",
    "parse_policy",
    "policy_from_dict",
    "policy_hash",
    "policy_report",
]
