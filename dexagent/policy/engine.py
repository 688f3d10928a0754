"""The policy engine: the ``PolicyGate`` the kernel calls, in backtests and live alike.

Every configured rule sees every order and every verdict is returned (and so audited); any deny
wins; a rule that raises is a deny (fail closed). An order whose only objection is the approval
threshold is parked in the pending store instead. An approved order reserves its period budgets
(rate limits, daily notional) at once, under a lock, so intents decided concurrently — asyncio
tasks or threads — cannot all pass; ``release`` gives a reservation back if execution fails.

``evaluate`` reads no clock and does no I/O of its own: time is ``ctx.now_ms``; the only objects
it writes to besides itself are the injected pending and state stores (in memory by default).
"""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from dexagent.core.intents import Fill, Order
from dexagent.core.policy_gate import PolicyContext, PolicyDecision, Verdict
from dexagent.policy.budgets import Budgets
from dexagent.policy.hashing import policy_hash
from dexagent.policy.model import Policy
from dexagent.policy.pending import (
    MemoryPendingStore,
    PendingEntry,
    PendingStatus,
    PendingStore,
    order_to_json,
)
from dexagent.policy.positions import LossTracker
from dexagent.policy.rules import Facts, Rule, build_rules, is_reducing, needs_quote
from dexagent.policy.rules.allowlists import TokenAllowlist
from dexagent.policy.rules.approval import NAME as APPROVAL
from dexagent.policy.rules.strategy import check_params
from dexagent.policy.state import RiskMonitor, StateChange, TradingState
from dexagent.policy.state_store import MemoryStateStore, ResumeRequest, StateStore


@dataclass(frozen=True, slots=True)
class StrategyChoice:
    """An agent's choice of strategy and parameters, and the policy's verdicts on it."""

    name: str
    params: tuple[tuple[str, str], ...]
    verdicts: tuple[Verdict, ...]

    @property
    def allowed(self) -> bool:
        return all(v.allowed for v in self.verdicts)


class PolicyEngine:
    """Implements ``dexagent.core.PolicyGate``. Safe to call from asyncio tasks and threads."""

    def __init__(
        self,
        policy: Policy,
        *,
        agent_id: str = "agent",
        pending: PendingStore | None = None,
        state_store: StateStore | None = None,
        extra_rules: Iterable[Rule] = (),
    ) -> None:
        self.policy = policy
        self.policy_hash = policy_hash(policy)
        self.agent_id = agent_id
        self.needs_quote = needs_quote(policy)
        self.pending: PendingStore = pending if pending is not None else MemoryPendingStore()
        self.state_store: StateStore = (
            state_store if state_store is not None else (MemoryStateStore())
        )
        self._rules: tuple[Rule, ...] = (*build_rules(policy), *extra_rules)
        tokens = policy.allow.tokens
        self._equity_tokens = TokenAllowlist(tokens) if tokens is not None else None
        self._ttl_ms = policy.approval.ttl_s * 1000 if policy.approval is not None else 0
        saved = self.state_store.load_state(agent_id)
        risk = RiskMonitor(policy.risk, saved.state if saved else TradingState.ACTIVE)
        self._facts = Facts(Budgets(), risk, LossTracker())
        self._lock = threading.Lock()
        self.decisions = 0
        self.approved = 0
        self.parked = 0
        self.denials_by_rule: Counter[str] = Counter()
        self.strategy_choices: list[StrategyChoice] = []

    # -- the PolicyGate protocol ----------------------------------------------------------------

    def evaluate(self, order: Order, ctx: PolicyContext) -> PolicyDecision:
        with self._lock:
            return self._evaluate(order, ctx, None)

    def on_fill(self, fill: Fill, ctx: PolicyContext) -> None:
        with self._lock:
            self._facts.losses.book(fill, ctx.now_ms)
            self._mark(ctx.now_ms, ctx.equity_quote, fill.pair.symbol)

    # -- state, budgets, operators --------------------------------------------------------------

    @property
    def rule_names(self) -> tuple[str, ...]:
        return tuple(r.name for r in self._rules)

    @property
    def state(self) -> TradingState:
        return self._facts.risk.state

    @property
    def state_changes(self) -> list[StateChange]:
        return list(self._facts.risk.changes)

    def mark(self, now_ms: int, equity_quote: int, pair: str = "") -> StateChange | None:
        """Record ``pair``'s equity (as the kernel computes it, e.g. "WETH/USDT") at ``now_ms``;
        the backtester calls this on every bar it visits."""
        with self._lock:
            return self._mark(now_ms, equity_quote, pair)

    def release(self, order: Order) -> bool:
        """Give back the budgets ``order`` reserved when approved (its execution failed)."""
        with self._lock:
            return self._facts.budgets.release(order.client_order_id)

    def resume(self, now_ms: int, *, operator: str, reason: str = "") -> StateChange | None:
        """Operator resume of a REDUCING or HALTED agent; rebases peak and day-start equity."""
        with self._lock:
            change = self._facts.risk.resume(now_ms, operator, reason)
            if change is not None:
                self.state_store.save_state(self.agent_id, change)
            return change

    def poll_operator(self, now_ms: int) -> StateChange | None:
        """Apply a resume requested through the state store (``dexagent policy resume``)."""
        req: ResumeRequest | None = self.state_store.take_resume_request(self.agent_id)
        if req is None:
            return None
        return self.resume(now_ms, operator=req.operator, reason=req.reason)

    # -- strategy choice, before any intent -----------------------------------------------------

    def check_strategy_choice(self, name: str, params: Mapping[str, object]) -> list[Verdict]:
        """Verdicts on an agent picking strategy ``name`` with ``params``; also recorded."""
        if self.policy.strategies is None:
            verdicts = [Verdict("strategy", True, "no strategy allowlist configured")]
        else:
            verdicts = check_params(self.policy.strategies, name, params)
        with self._lock:
            self.strategy_choices.append(
                StrategyChoice(name, tuple((k, str(v)) for k, v in params.items()), tuple(verdicts))
            )
            for v in verdicts:
                if not v.allowed:
                    self.denials_by_rule[v.rule] += 1
        return verdicts

    # -- the human approval queue ---------------------------------------------------------------

    def expire_pending(self, now_ms: int) -> list[PendingEntry]:
        """Deny every pending order past its TTL; returns them."""
        expired = self.pending.expire(now_ms)
        with self._lock:
            self.denials_by_rule[f"{APPROVAL}.expired"] += len(expired)
        return expired

    def admit_approved(self, order: Order, ctx: PolicyContext) -> PolicyDecision:
        """Re-check a human-approved order now (markets move); the approval rule then passes.

        A runner calls this before executing an order a human approved; every other rule runs
        again and the budgets are reserved as for any approved order.
        """
        entry = self.pending.get(order.client_order_id)
        if entry is None or entry.status is not PendingStatus.APPROVED:
            state = entry.status.value if entry is not None else "unknown"
            v = Verdict(
                APPROVAL, False, f"order {order.client_order_id!r} is {state}, not approved"
            )
            with self._lock:
                self.decisions += 1
                self.denials_by_rule[APPROVAL] += 1
            return PolicyDecision(False, (v,), self.policy_hash)
        with self._lock:
            return self._evaluate(order, ctx, entry.resolved_by or "a human")

    # -- internals -----------------------------------------------------------------------------

    def _mark(self, now_ms: int, equity: int, key: str) -> StateChange | None:
        change = self._facts.risk.mark(now_ms, equity, key)
        if change is not None:
            self.state_store.save_state(self.agent_id, change)
        return change

    def _evaluate(
        self, order: Order, ctx: PolicyContext, approved_by: str | None
    ) -> PolicyDecision:
        self.decisions += 1
        # The kernel's equity is the order's pair equity: only a pair of allowed tokens gives a
        # series worth tracking (a foreign token's "pair equity" is just the quote balance).
        facts = self._facts
        if self._equity_tokens is None or self._equity_tokens.check(order, ctx, facts).allowed:
            self._mark(ctx.now_ms, ctx.equity_quote, order.pair.symbol)
        facts.reducing = is_reducing(order, ctx)
        verdicts: list[Verdict] = []
        denied = False
        waits: Verdict | None = None
        for rule in self._rules:
            try:
                v = rule.check(order, ctx, facts)
            except Exception as exc:  # a broken rule denies: fail closed
                v = Verdict(rule.name, False, f"rule failed: {type(exc).__name__}: {exc}")
                denied = True
            else:
                if not v.allowed:
                    if v.rule != APPROVAL:
                        denied = True
                    elif approved_by is not None:
                        v = Verdict(APPROVAL, True, f"approved by {approved_by}")
                    else:
                        waits = v
            verdicts.append(v)
        vt = tuple(verdicts)
        if denied:
            for v in vt:
                if not v.allowed:
                    self.denials_by_rule[v.rule] += 1
            return PolicyDecision(False, vt, self.policy_hash)
        if waits is not None:
            self.parked += 1
            self.pending.put(
                PendingEntry(
                    order.client_order_id,
                    ctx.now_ms,
                    ctx.now_ms + self._ttl_ms,
                    PendingStatus.PENDING,
                    self.policy_hash,
                    order_to_json(order),
                    waits.reason,
                )
            )
            return PolicyDecision(False, vt, self.policy_hash, pending_approval=True)
        self.approved += 1
        facts.budgets.reserve(
            order.client_order_id, ctx.now_ms, order.pair.quote.symbol, order.notional_quote
        )
        return PolicyDecision(True, vt, self.policy_hash)


def denial_counts(decisions: Sequence[PolicyDecision]) -> Counter[str]:
    """Denials by rule over a list of decisions (e.g. the kernel log's)."""
    c: Counter[str] = Counter()
    for d in decisions:
        if not d.approved and not d.pending_approval:
            c.update(d.denied_by)
    return c
