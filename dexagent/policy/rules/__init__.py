"""The policy rules, and ``build_rules`` which turns a policy into the list that applies."""

from __future__ import annotations

from dexagent.policy.model import Policy
from dexagent.policy.rules.allowlists import (
    ChainAllowlist,
    PoolAllowlist,
    TokenAllowlist,
    VenueAllowlist,
)
from dexagent.policy.rules.approval import ApprovalThreshold
from dexagent.policy.rules.base import Facts, Rule, is_reducing
from dexagent.policy.rules.gas import MaxGasFraction, MaxGasPrice
from dexagent.policy.rules.market import PriceImpact, SlippageCollar
from dexagent.policy.rules.pacing import DailyNotional, LossCooldown, RateLimit
from dexagent.policy.rules.risk import TradingStateRule
from dexagent.policy.rules.size import MaxGrossExposure, MaxNotional, MaxPosition
from dexagent.policy.rules.strategy import StrategyAllowlist
from dexagent.policy.rules.windows import TradingWindow

__all__ = ["Facts", "Rule", "build_rules", "is_reducing", "needs_quote"]


def build_rules(p: Policy) -> list[Rule]:
    """The configured rules, cheapest first (all of them always run)."""
    rules: list[Rule] = []
    a = p.allow
    if a.chains is not None:
        rules.append(ChainAllowlist(a.chains, a.no_chain))
    if a.venues is not None:
        rules.append(VenueAllowlist(a.venues))
    if a.tokens is not None:
        rules.append(TokenAllowlist(a.tokens))
    if a.pools is not None:
        rules.append(PoolAllowlist(a.pools))
    if p.strategies is not None:
        rules.append(StrategyAllowlist(p.strategies))
    if p.windows is not None:
        w = p.windows
        rules.append(TradingWindow(w.start_hour_utc, w.end_hour_utc, w.weekdays))
    if p.risk.configured:
        rules.append(TradingStateRule(p.risk.halt_allows_reducing))
    pc = p.pacing
    if pc.cooldown_after_loss_s is not None:
        rules.append(LossCooldown(pc.cooldown_after_loss_s))
    if any(x is not None for x in (pc.max_per_minute, pc.max_per_hour, pc.max_per_day)):
        rules.append(RateLimit(pc.max_per_minute, pc.max_per_hour, pc.max_per_day))
    lim = p.limits
    if lim.max_notional is not None:
        rules.append(MaxNotional(lim.max_notional))
    if lim.max_daily_notional is not None:
        rules.append(DailyNotional(lim.max_daily_notional))
    if lim.max_position is not None:
        rules.append(MaxPosition(lim.max_position))
    if lim.max_gross_exposure is not None:
        rules.append(MaxGrossExposure(lim.max_gross_exposure))
    if p.gas.max_gas_price_gwei is not None:
        rules.append(MaxGasPrice(p.gas.max_gas_price_gwei))
    if p.gas.max_gas_fraction is not None:
        rules.append(MaxGasFraction(p.gas.max_gas_fraction, p.gas.native_decimals))
    if p.market.max_slippage_bps is not None:
        rules.append(SlippageCollar(p.market.max_slippage_bps))
    if p.market.max_price_impact_bps is not None:
        rules.append(PriceImpact(p.market.max_price_impact_bps))
    if p.approval is not None:
        rules.append(ApprovalThreshold(p.approval.above))
    return rules


def needs_quote(p: Policy) -> bool:
    """Whether any configured rule reads the venue's quote."""
    return (
        p.market.max_slippage_bps is not None
        or p.market.max_price_impact_bps is not None
        or p.gas.max_gas_fraction is not None
    )
