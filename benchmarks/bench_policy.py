"""Policy evaluation cost per intent with every rule on (target: median under 20 microseconds).

Each sample evaluates a batch of distinct orders (every one approved, so every rule runs and the
budgets are reserved) and reports the median per-intent time. References measured in the same
run: ``AllowAll.evaluate`` (the gate used without a policy) and building the ``Order`` and
``PolicyContext`` the kernel builds for each intent anyway.

    .venv/bin/python benchmarks/bench_policy.py
    .venv/bin/python benchmarks/bench_policy.py --batch 2000 --samples 30
"""

from __future__ import annotations

import argparse
import gc
import statistics
import time
from collections.abc import Callable
from decimal import Decimal

from dexagent.core.intents import Intent, Order, Side
from dexagent.core.policy_gate import AllowAll, PolicyContext
from dexagent.core.tokens import Pair, Token
from dexagent.core.venue import Quote
from dexagent.policy import PolicyEngine, policy_from_dict

PAIR = Pair(Token("WETH", 18), Token("USDT", 6))
PRICE = Decimal("2000.5")
T0 = 1_672_617_600_000  # a Monday
POLICY = {
    "schema_version": 1,
    "allow": {
        "tokens": ["WETH", "USDT"],
        "venues": ["uniswap_v2"],
        "chains": [1],
        "pools": ["uniswap_v2:WETH/USDT"],
    },
    "strategies": {"sma_cross": {"fast": {"min": 5, "max": 50}}},
    "limits": {
        "max_notional": 1000,
        "max_daily_notional": 10**12,
        "max_position": {"WETH": 10**9},
        "max_gross_exposure": "0.9",
    },
    "market": {"max_slippage_bps": 50, "max_price_impact_bps": 50},
    "gas": {"max_gas_price_gwei": 100, "max_gas_fraction": "0.05"},
    "pacing": {
        "max_per_minute": 10**9,
        "max_per_hour": 10**9,
        "max_per_day": 10**9,
        "cooldown_after_loss_s": 60,
    },
    "risk": {
        "daily_loss_reduce": "0.05",
        "daily_loss_halt": "0.1",
        "drawdown_reduce": "0.1",
        "drawdown_halt": "0.2",
    },
    "windows": {"start_hour_utc": 0, "end_hour_utc": 24},
    "approval": {"above": 900},
}


def make(i: int) -> tuple[Order, PolicyContext]:
    raw = 100 * 10**6 + i
    intent = Intent.buy_quote(PAIR, raw, "sma_cross")
    order = Order(f"o-{i}", intent, Side.BUY, raw, PRICE, raw, T0 + i, i)
    out = PAIR.base_raw_for(raw - raw * 3 // 1000, PRICE) * 9995 // 10000
    quote = Quote(raw, out, raw * 3 // 1000, PAIR.price_of(out, raw), PRICE, 10**14)
    bal = {"USDT": 10_000 * 10**6, "WETH": 10**18}
    ctx = PolicyContext(
        T0 + i, bal, 10_000 * 10**6 + 2000 * 10**6, "uniswap_v2", 1, quote, 20 * 10**9, PRICE
    )
    return order, ctx


def per_intent_ns(fn: Callable[[int], object], batch: int, samples: int) -> float:
    times = []
    i = 0
    for _ in range(samples):
        t = time.perf_counter_ns()
        for _ in range(batch):
            fn(i)
            i += 1
        times.append((time.perf_counter_ns() - t) / batch)
    return statistics.median(times)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--batch", type=int, default=1000)
    ap.add_argument("--samples", type=int, default=25)
    args = ap.parse_args()
    n = args.batch * args.samples + 1
    cases = [make(i) for i in range(n)]
    engine = PolicyEngine(policy_from_dict(POLICY))
    allow = AllowAll()
    o, c = cases[0]
    d = engine.evaluate(o, c)
    assert d.approved, [v for v in d.verdicts if not v.allowed]
    engine = PolicyEngine(policy_from_dict(POLICY))  # fresh budgets
    rules = len(engine.rule_names)

    def policy(i: int) -> object:
        o, c = cases[i]
        return engine.evaluate(o, c)

    def allow_all(i: int) -> object:
        o, c = cases[i]
        return allow.evaluate(o, c)

    def build(i: int) -> object:
        o, c = cases[i]
        return (
            Order(
                o.client_order_id,
                o.intent,
                o.side,
                o.amount_in,
                o.ref_price,
                o.notional_quote,
                o.decided_at_ms,
                o.decided_bar,
            ),
            PolicyContext(c.now_ms, c.balances, c.equity_quote, c.venue, c.chain_id),
        )

    gc.disable()
    ref_allow = per_intent_ns(allow_all, args.batch, args.samples)
    ref_build = per_intent_ns(build, args.batch, args.samples)
    med = per_intent_ns(policy, args.batch, args.samples)
    gc.enable()
    assert engine.approved == args.batch * args.samples, engine.denials_by_rule
    print(f"rules on:                       {rules}")
    print(
        f"policy evaluate, median:        {med / 1000:8.2f} us/intent "
        f"({'meets' if med < 20_000 else 'MISSES'} the 20 us target)"
    )
    print(f"  per rule:                     {med / rules / 1000:8.2f} us")
    print(f"reference AllowAll.evaluate:    {ref_allow / 1000:8.2f} us  (x{med / ref_allow:.1f})")
    print(f"reference build Order+Context:  {ref_build / 1000:8.2f} us  (x{med / ref_build:.1f})")


if __name__ == "__main__":
    main()
