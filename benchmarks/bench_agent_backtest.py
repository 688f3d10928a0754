"""Rule-agent backtest vs the same strategy without an agent, over the bundled ETH/USDT year.

Prints the time of each run (best of --repeat) and the ratios against the plain strategy,
all measured in this run. Target: the rule agent within 2x of the plain strategy.

    .venv/bin/python benchmarks/bench_agent_backtest.py [--repeat 3]
"""

from __future__ import annotations

import argparse
import asyncio
import time
from collections.abc import Callable
from decimal import Decimal

from dexagent.agents import AgentStrategy, Decision, Observation, build_agent_strategy
from dexagent.backtests.config import load_config
from dexagent.backtests.data import bundled_dataset, load_bars
from dexagent.backtests.runner import run_backtest_async
from dexagent.core.audit import MemoryAuditSink
from dexagent.core.tokens import Pair
from dexagent.strategies.base import Strategy

CFG = load_config(None, {"venue.kind": "taker"})
PAIR = Pair(CFG.market.base.token(), CFG.market.quote.token())


class AlwaysSmaCross:
    """A decision maker that always picks the plain run's strategy: isolates agent overhead."""

    async def decide(self, obs: Observation) -> Decision:
        return Decision("run", "sma_cross", CFG.strategy.effective_params(), Decimal(1), "fixed")


def best_of(repeat: int, make: Callable[[], Strategy | None], bars: object) -> tuple[float, int]:
    best, fills = float("inf"), 0
    for _ in range(repeat):
        strategy = make()
        sink = MemoryAuditSink()
        t0 = time.perf_counter()
        r = asyncio.run(
            run_backtest_async(CFG, bars=bars, strategy=strategy, audit=sink)  # type: ignore[arg-type]
        )
        best = min(best, time.perf_counter() - t0)
        fills = len(r.fills)
    return best, fills


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    bars = load_bars(bundled_dataset("ETH/USDT"), symbol="ETH/USDT")
    plain = f"{CFG.strategy.name} {CFG.strategy.effective_params()}"
    print(f"bars: {len(bars):,}  strategy without agent: {plain}")

    agents: list[AgentStrategy] = []

    def rule() -> AgentStrategy:
        agents.append(build_agent_strategy("rule", PAIR, audit=None))
        return agents[-1]

    def fixed() -> AgentStrategy:
        agents.append(AgentStrategy(PAIR, AlwaysSmaCross()))
        return agents[-1]

    t_plain, f_plain = best_of(args.repeat, lambda: None, bars)
    t_rule, f_rule = best_of(args.repeat, rule, bars)
    n_rule = len(agents[-1].records)
    t_fixed, f_fixed = best_of(args.repeat, fixed, bars)
    n_fixed = len(agents[-1].records)
    print(f"{'run':44s} {'time s':>8s} {'ratio':>7s} {'fills':>6s} {'decisions':>9s}")
    print(f"{'plain strategy (reference)':44s} {t_plain:8.3f} {1.0:7.2f} {f_plain:6d} {'-':>9s}")
    print(
        f"{'rule agent (regime, 3 strategies)':44s} {t_rule:8.3f} {t_rule / t_plain:7.2f} "
        f"{f_rule:6d} {n_rule:9d}"
    )
    print(
        f"{'agent always choosing the same strategy':44s} {t_fixed:8.3f} "
        f"{t_fixed / t_plain:7.2f} {f_fixed:6d} {n_fixed:9d}"
    )
    verdict = "within" if t_rule <= 2 * t_plain else "NOT within"
    print(f"rule agent is {verdict} 2x of the plain strategy ({t_rule / t_plain:.2f}x)")


if __name__ == "__main__":
    main()
