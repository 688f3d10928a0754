"""An adversarial agent against the cautious-style policy over a full year of real ETH/USDT.

Every hour the agent proposes one intent from a cycle of attacks (token off the allowlist, 100x
the max notional, a wrong decimals factor, a strategy off the list, parameters out of bounds,
all-in exposure, a foreign pool, a burst, too tight a collar, a trade needing approval) mixed
with legitimate trades, through the real kernel and simulated venue. Result: no fill outside
the policy (checked independently of the engine), every attack denied by the rule meant to stop
it, and every denial recorded with its rule.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import ClassVar

import pytest

from dexagent.backtests.data import bundled_dataset, load_bars
from dexagent.backtests.engine import run_kernel_over_bars
from dexagent.connectors.simulated.taker import TakerVenue
from dexagent.core.audit import MemoryAuditSink
from dexagent.core.bars import Bars
from dexagent.core.intents import Fill, Intent, Order, Side, SizeKind
from dexagent.core.kernel import Kernel
from dexagent.core.market import MarketView
from dexagent.core.policy_gate import PolicyContext, PolicyDecision
from dexagent.core.portfolio import Portfolio
from dexagent.core.tokens import Pair, Token
from dexagent.core.venue import Quote
from dexagent.policy import PolicyEngine, policy_from_dict, policy_report
from dexagent.strategies.params import StrategyParams

WETH, USDT, PEPE = Token("WETH", 18), Token("USDT", 6), Token("PEPE", 18)
PAIR, BAD_PAIR = Pair(WETH, USDT), Pair(PEPE, USDT)
MAX_NOTIONAL = 500
USD = 10**6
WEEKDAYS = (0, 1, 2, 3, 4)

POLICY = {
    "schema_version": 1,
    "name": "adversarial-test",
    "allow": {
        "tokens": ["WETH", "USDT"],
        "venues": ["taker"],
        "no_chain": True,
        "chains": [1],
        "pools": ["taker:WETH/USDT"],
    },
    "strategies": {"agent": {"fast": {"min": 5, "max": 50}}},
    "limits": {
        "max_notional": MAX_NOTIONAL,
        "max_daily_notional": 3000,
        "max_position": {"WETH": 3},
        "max_gross_exposure": "0.5",
    },
    "market": {"max_slippage_bps": 60},
    "pacing": {"max_per_minute": 2, "max_per_hour": 6},
    "risk": {"drawdown_reduce": "0.1", "drawdown_halt": "0.2"},
    "windows": {"weekdays": ["mon", "tue", "wed", "thu", "fri"]},
    "approval": {"above": 400, "ttl_s": 3600},
}

# attack name -> the rule that must deny it
ATTACKS = {
    "token_off_allowlist": "allow.tokens",
    "100x_max_notional": "limits.max_notional",
    "wrong_decimals": "limits.max_notional",
    "strategy_off_list": "strategy",
    "params_out_of_bounds": "strategy",
    "all_in": "limits.max_notional",
    "foreign_pool": "allow.pools",
    "tight_collar": "market.max_slippage_bps",
}


class AgentParams(StrategyParams):
    pass


class AdversarialAgent:
    """Proposes one intent per hour; on the 3rd hour of every 7 it sends a burst of five."""

    name: ClassVar[str] = "agent"

    def __init__(self, engine: PolicyEngine) -> None:
        self.pair = PAIR
        self.params = AgentParams()
        self.engine = engine
        self.n = 0

    def prepare(self, bars: Bars) -> None:
        # the agent also tries to pick parameters out of bounds before trading
        self.engine.check_strategy_choice("agent", {"fast": 1000})
        self.engine.check_strategy_choice("martingale", {})

    def on_bar(self, view: MarketView) -> Sequence[Intent]:
        if view.t % 12:
            return ()
        self.n += 1
        usd = lambda x: x * USD  # noqa: E731
        plan: list[tuple[str, Intent]] = [
            ("legit_buy", Intent.buy_quote(PAIR, usd(150), "agent")),
            ("token_off_allowlist", Intent.buy_quote(BAD_PAIR, usd(100), "agent")),
            ("100x_max_notional", Intent.buy_quote(PAIR, usd(100 * MAX_NOTIONAL), "agent")),
            ("legit_sell", Intent.fraction(PAIR, Side.SELL, Decimal("0.3"), "agent")),
            ("wrong_decimals", Intent.buy_quote(PAIR, usd(150) * 10**12, "agent")),
            ("strategy_off_list", Intent.buy_quote(PAIR, usd(100), "martingale")),
            (
                "params_out_of_bounds",
                Intent(
                    PAIR,
                    Side.BUY,
                    SizeKind.QUOTE,
                    usd(100),
                    "agent",
                    meta=(("param.fast", "1000"),),
                ),
            ),
            ("all_in", Intent.target(PAIR, Decimal(1), "agent")),
            (
                "foreign_pool",
                Intent(
                    PAIR,
                    Side.BUY,
                    SizeKind.QUOTE,
                    usd(100),
                    "agent",
                    meta=(("pool", "0xdeadbeef"),),
                ),
            ),
            (
                "tight_collar",
                Intent(PAIR, Side.BUY, SizeKind.QUOTE, usd(100), "agent", max_slippage_bps=5),
            ),
            ("needs_approval", Intent.buy_quote(PAIR, usd(450), "agent")),
        ]
        kind, intent = plan[self.n % len(plan)]
        intent = Intent(
            intent.pair,
            intent.side,
            intent.kind,
            intent.amount,
            intent.strategy,
            kind,
            intent.max_slippage_bps,
            intent.meta,
        )
        if self.n % 7 == 3:
            return [Intent.buy_quote(PAIR, usd(20), "agent", "burst") for _ in range(5)]
        return (intent,)


class QuoteAtReference(TakerVenue):
    """The taker venue quoting at the decision's reference price (the backtest's quote)."""

    async def quote(self, order: Order) -> Quote:
        self.set_market(
            price=order.ref_price,
            t_ms=order.decided_at_ms,
            bar=order.decided_bar,
            native_price=Decimal(0),
        )
        return self._quote(order)


@dataclass
class Recording:
    """Delegates to the engine and keeps each order with its decision (for the audit below)."""

    engine: PolicyEngine

    def __post_init__(self) -> None:
        self.needs_quote = self.engine.needs_quote
        self.seen: list[tuple[Order, PolicyContext, PolicyDecision]] = []

    def evaluate(self, order: Order, ctx: PolicyContext) -> PolicyDecision:
        d = self.engine.evaluate(order, ctx)
        self.seen.append((order, ctx, d))
        return d

    def on_fill(self, fill: Fill, ctx: PolicyContext) -> None:
        self.engine.on_fill(fill, ctx)


@pytest.fixture(scope="module")
def year() -> Bars:
    bars = load_bars(bundled_dataset("ETH/USDT"), symbol="ETH/USDT")
    assert len(bars) > 100_000  # all of 2023 in 5-minute bars
    return bars


@pytest.fixture(scope="module")
def run(year: Bars) -> tuple[PolicyEngine, Recording, Kernel, MemoryAuditSink]:
    import asyncio

    engine = PolicyEngine(policy_from_dict(POLICY), agent_id="adversary")
    gate = Recording(engine)
    portfolio = Portfolio({"USDT": 10_000 * USD, "WETH": 0})
    venue = QuoteAtReference(portfolio.view, fee_bps=Decimal(30), half_spread_bps=Decimal(5))
    audit = MemoryAuditSink()
    kernel = Kernel(agent_id="adv", portfolio=portfolio, venue=venue, policy=gate, audit=audit)
    asyncio.run(run_kernel_over_bars(year, AdversarialAgent(engine), kernel, venue))
    return engine, gate, kernel, audit


def test_adversary_gets_no_fill_outside_the_policy(run: tuple) -> None:  # type: ignore[type-arg]
    _, gate, kernel, _ = run
    orders = {o.client_order_id: (o, c, d) for o, c, d in gate.seen}
    assert len(kernel.log.fills) > 100
    spent_per_day: Counter[int] = Counter()
    weth = 0
    for f in kernel.log.fills:
        order, ctx, d = orders[f.client_order_id]
        assert d.approved and all(v.allowed for v in d.verdicts)
        # checked again here, independently of the engine's rules
        assert {f.pair.base.symbol, f.pair.quote.symbol} <= {"WETH", "USDT"}
        assert order.intent.strategy == "agent" and order.intent.reason not in ATTACKS
        assert dict(order.intent.meta).get("param.fast") in (None,)
        assert order.notional_quote <= 400 * USD  # below the approval threshold
        assert (ctx.now_ms // 86_400_000 + 3) % 7 in WEEKDAYS
        spent_per_day[ctx.now_ms // 86_400_000] += order.notional_quote
        weth += f.amount_out if f.side is Side.BUY else -f.amount_in
        assert weth <= 3 * 10**18
    assert max(spent_per_day.values()) <= 3000 * USD


def test_every_attack_is_denied_by_its_rule(run: tuple) -> None:  # type: ignore[type-arg]
    _, gate, _, _ = run
    seen_attacks: Counter[str] = Counter()
    for order, _, d in gate.seen:
        kind = order.intent.reason
        if kind in ATTACKS:
            seen_attacks[kind] += 1
            assert not d.approved, (kind, d)
            assert ATTACKS[kind] in d.denied_by, (kind, d.denied_by)
        if kind == "needs_approval":
            assert not d.approved
    assert set(seen_attacks) == set(ATTACKS)
    assert min(seen_attacks.values()) >= 100  # each attack tried on hundreds of weekday hours


def test_every_denial_is_recorded_with_its_rule(run: tuple) -> None:  # type: ignore[type-arg]
    engine, gate, kernel, audit = run
    denied = [d for _, _, d in gate.seen if not d.approved and not d.pending_approval]
    assert len(kernel.log.denials) == len(denied) > 1000
    for den in kernel.log.denials:
        assert den.decision.denied_by, den
        assert all(v.reason for v in den.decision.verdicts if not v.allowed)
    decisions = [e for e in audit.events if e.kind == "decision"]
    assert len(decisions) == len(gate.seen)
    for e in decisions:
        assert e.payload["policy_hash"] == engine.policy_hash
        assert len(e.payload["verdicts"]) == len(engine.rule_names)
    rep = policy_report(engine)
    total = Counter[str]()
    for den in kernel.log.denials:
        total.update(den.decision.denied_by)
    for rule, n in total.items():
        assert rep["denials_by_rule"][rule] >= n
    assert rep["denials_by_rule"]["pacing.rate_limit"] > 0  # the bursts
    assert rep["denials_by_rule"]["windows"] > 0  # weekends
    assert rep["denials_by_rule"]["strategy.agent.fast"] == 1  # the choice before trading
    assert rep["pending_approval"] == len(kernel.log.pending) > 0
    assert rep["strategy_choices_denied"] == 2
