"""The one loop's trading half, shared by backtest, paper and live.

decide:  intent -> sized order -> policy verdicts -> (approved orders) ; everything audited
execute: approved order -> venue fill -> book -> audit

Only the caller differs: the backtester calls ``execute`` at the next bar's open (or the same
bar's close); live trading calls it right after ``decide``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from decimal import Decimal

from dexagent.core.audit import AuditEvent, AuditSink
from dexagent.core.errors import RejectedError
from dexagent.core.intents import Fill, Intent, Order
from dexagent.core.policy_gate import PolicyContext, PolicyDecision, PolicyGate
from dexagent.core.portfolio import Portfolio
from dexagent.core.sizing import size_intent
from dexagent.core.venue import Venue


@dataclass(slots=True)
class Denial:
    order: Order
    decision: PolicyDecision


@dataclass(slots=True)
class Rejection:
    order: Order
    error: str


@dataclass(slots=True)
class KernelLog:
    """What happened, kept for reports (the audit sink holds the tamper-evident copy)."""

    fills: list[Fill] = field(default_factory=list)
    denials: list[Denial] = field(default_factory=list)
    rejections: list[Rejection] = field(default_factory=list)
    pending: list[Order] = field(default_factory=list)  # waiting for a human approval
    decisions: int = 0


class Kernel:
    """Sizes, checks and executes intents; the only writer of the portfolio."""

    def __init__(
        self,
        *,
        agent_id: str,
        portfolio: Portfolio,
        venue: Venue,
        policy: PolicyGate,
        audit: AuditSink,
        native_symbol: str | None = None,
        chain_id: int | None = None,
    ) -> None:
        self.agent_id = agent_id
        self.portfolio = portfolio
        self.venue = venue
        self.policy = policy
        self.audit = audit
        self.native_symbol = native_symbol
        self.chain_id = chain_id
        self.log = KernelLog()
        self._seq = 0

    async def decide(
        self, intents: Sequence[Intent], *, price: Decimal, t_ms: int, bar: int
    ) -> list[Order]:
        """Size and check ``intents`` at reference ``price``; return the approved orders."""
        approved: list[Order] = []
        balances = self.portfolio.view
        for intent in intents:
            sized = size_intent(intent, balances, price)
            if sized is None:
                continue
            side, amount_in = sized
            self._seq += 1
            notional = (
                amount_in if side.value == "buy" else intent.pair.quote_raw_for(amount_in, price)
            )
            order = Order(
                f"{self.agent_id}-{self._seq}", intent, side, amount_in, price, notional, t_ms, bar
            )
            ctx = PolicyContext(
                t_ms,
                balances,
                self.portfolio.pair_equity_quote(intent.pair, price),
                self.venue.name,
                self.chain_id,
            )
            if self.policy.needs_quote:
                q = await self.venue.quote(order)
                ctx = replace(
                    ctx, quote=q, gas_price_wei=q.gas_price_wei, native_price=q.native_price
                )
            decision = self.policy.evaluate(order, ctx)
            self.log.decisions += 1
            await self.audit.append(AuditEvent("decision", _order_payload(order, decision), t_ms))
            if decision.approved:
                approved.append(order)
            elif decision.pending_approval:
                self.log.pending.append(order)
            else:
                self.log.denials.append(Denial(order, decision))
        return approved

    async def execute(self, order: Order, *, t_ms: int) -> Fill | None:
        """Fill ``order`` on the venue and book it; a venue rejection is recorded, not raised."""
        try:
            fill = await self.venue.execute(order, key=order.client_order_id)
        except RejectedError as exc:
            self.log.rejections.append(Rejection(order, str(exc)))
            await self.audit.append(
                AuditEvent("rejected", {"order": order.client_order_id, "error": str(exc)}, t_ms)
            )
            return None
        self.portfolio.apply(fill, self.native_symbol)
        self.log.fills.append(fill)
        self.policy.on_fill(
            fill,
            PolicyContext(
                t_ms,
                self.portfolio.view,
                self.portfolio.pair_equity_quote(fill.pair, fill.ref_price),
                self.venue.name,
                self.chain_id,
            ),
        )
        await self.audit.append(AuditEvent("fill", _fill_payload(fill), t_ms))
        return fill


def _order_payload(order: Order, decision: PolicyDecision) -> dict[str, object]:
    it = order.intent
    return {
        "order": order.client_order_id,
        "pair": order.pair.symbol,
        "side": order.side.value,
        "amount_in": str(order.amount_in),
        "ref_price": str(order.ref_price),
        "strategy": it.strategy,
        "reason": it.reason,
        "approved": decision.approved,
        "policy_hash": decision.policy_hash,
        "verdicts": [[v.rule, v.allowed, v.reason] for v in decision.verdicts],
    }


def _fill_payload(fill: Fill) -> dict[str, object]:
    return {
        "order": fill.client_order_id,
        "side": fill.side.value,
        "amount_in": str(fill.amount_in),
        "amount_out": str(fill.amount_out),
        "fee_in": str(fill.fee_in),
        "price": str(fill.price),
        "gas_native": str(fill.gas_native),
        "venue": fill.venue,
        "tx_hash": fill.tx_hash,
    }
