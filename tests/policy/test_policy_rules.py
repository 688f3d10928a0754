"""Each rule, alone: the order it denies, the reason it gives, and the order it lets pass."""

from __future__ import annotations

from decimal import Decimal

from dexagent.core.policy_gate import PolicyDecision
from dexagent.core.tokens import Pair, Token
from tests.policy.policy_helpers import (
    ETH,
    PAIR,
    PRICE,
    T0,
    USD,
    buy,
    ctx,
    engine,
    quote_for,
    sell,
)

PEPE = Token("PEPE", 18)


def verdict(d: PolicyDecision, rule: str) -> tuple[bool, str]:
    [v] = [v for v in d.verdicts if v.rule == rule]
    return v.allowed, v.reason


def test_policy_denies_token_not_on_allowlist() -> None:
    e = engine(allow={"tokens": ["WETH", "USDT"]})
    d = e.evaluate(buy(100, pair=Pair(PEPE, PAIR.quote)), ctx())
    assert not d.approved and d.denied_by == ("allow.tokens",)
    assert "PEPE" in verdict(d, "allow.tokens")[1]
    assert e.evaluate(buy(100, oid="o-2"), ctx()).approved


def test_token_allowlist_matches_addresses_in_any_case() -> None:
    weth = Token("WETH", 18, "0xC02aaA39b223FE8D0A0e5C4F27eAD9083C756Cc2")
    e = engine(allow={"tokens": ["0xc02aaa39b223fe8d0a0e5c4f27ead9083c756cc2", "USDT"]})
    assert e.evaluate(buy(100, pair=Pair(weth, PAIR.quote)), ctx()).approved


def test_policy_denies_venue_pool_and_chain_off_their_lists() -> None:
    e = engine(allow={"venues": ["uniswap_v3"], "pools": ["uniswap_v3:WETH/USDT"], "chains": [1]})
    d = e.evaluate(buy(100), ctx(venue="taker", chain_id=10))
    assert set(d.denied_by) == {"allow.venues", "allow.pools", "allow.chains"}
    assert e.evaluate(buy(100, oid="o-2"), ctx(venue="uniswap_v3", chain_id=1)).approved


def test_chain_rule_denies_missing_chain_id_unless_no_chain_allowed() -> None:
    assert not engine(allow={"chains": [1]}).evaluate(buy(100), ctx()).approved
    assert engine(allow={"chains": [1], "no_chain": True}).evaluate(buy(100), ctx()).approved


def test_pool_given_in_intent_meta_is_checked_by_address() -> None:
    e = engine(allow={"pools": ["0xabc"]})
    assert e.evaluate(buy(100, meta=(("pool", "0xABC"),)), ctx()).approved
    assert not e.evaluate(buy(100, oid="o-2", meta=(("pool", "0xdef"),)), ctx()).approved


def test_policy_denies_strategy_not_on_list_and_unnamed_strategy() -> None:
    e = engine(strategies={"sma_cross": {}})
    assert e.evaluate(buy(100), ctx()).approved
    d = e.evaluate(buy(100, strategy="martingale", oid="o-2"), ctx())
    assert d.denied_by == ("strategy",) and "martingale" in verdict(d, "strategy")[1]
    d = e.evaluate(buy(100, strategy="", oid="o-3"), ctx())
    assert "names no strategy" in verdict(d, "strategy")[1]


def test_policy_denies_intent_with_parameters_out_of_bounds() -> None:
    e = engine(strategies={"sma_cross": {"fast": {"min": 5, "max": 50}}})
    ok = buy(100, meta=(("param.fast", "20"),))
    bad = buy(100, oid="o-2", meta=(("param.fast", "500"),))
    assert e.evaluate(ok, ctx()).approved
    d = e.evaluate(bad, ctx())
    assert d.denied_by == ("strategy",) and "above policy max 50" in verdict(d, "strategy")[1]


def test_strategy_choice_checks_every_bounded_parameter_and_is_recorded() -> None:
    e = engine(
        strategies={"sma_cross": {"fast": {"min": 5, "max": 50}, "mode": {"values": ["long_only"]}}}
    )
    vs = e.check_strategy_choice("sma_cross", {"fast": 2, "slow": 9999, "mode": "short"})
    by = {v.rule: v for v in vs}
    assert by["strategy"].allowed
    assert not by["strategy.sma_cross.fast"].allowed
    assert "below policy min 5" in by["strategy.sma_cross.fast"].reason
    assert not by["strategy.sma_cross.mode"].allowed
    assert "strategy.sma_cross.slow" not in by  # not bounded by the policy
    assert all(v.allowed for v in e.check_strategy_choice("sma_cross", {"fast": 10.5}))
    assert not e.check_strategy_choice("grid", {})[0].allowed
    assert [c.allowed for c in e.strategy_choices] == [False, True, False]
    assert e.denials_by_rule["strategy.sma_cross.fast"] == 1


def test_strategy_choice_rejects_non_numbers_for_numeric_bounds() -> None:
    e = engine(strategies={"dca": {"amount": {"max": "0.05"}}})
    for bad in ("NaN", "lots", True, "Infinity"):
        vs = e.check_strategy_choice("dca", {"amount": bad})
        assert not vs[1].allowed, bad


def test_policy_denies_trade_over_max_notional() -> None:
    e = engine(limits={"max_notional": 1000})
    assert e.evaluate(buy(1000), ctx()).approved
    d = e.evaluate(buy(Decimal("1000.000001"), oid="o-2"), ctx())
    assert d.denied_by == ("limits.max_notional",)
    assert "1000.000001 USDT > max 1000 USDT" in verdict(d, "limits.max_notional")[1]


def test_max_notional_is_exact_for_any_quote_decimals() -> None:
    dai = Token("DAI", 18)
    e = engine(limits={"max_notional": "0.1"})
    pair = Pair(PAIR.base, dai)
    assert e.evaluate(buy(Decimal("0.1"), pair=pair), ctx()).approved
    assert not e.evaluate(
        buy(Decimal("0.100000000000000001"), pair=pair, oid="o-2"), ctx()
    ).approved


def test_wrong_decimals_factor_is_caught_by_notional_and_position() -> None:
    e = engine(limits={"max_notional": 5000, "max_position": {"WETH": 2}})
    intended = buy(100)  # 100 USDT
    wrong = buy(100 * 10**12, oid="o-2")  # the agent used 18 decimals for USDT
    assert e.evaluate(intended, ctx()).approved
    d = e.evaluate(wrong, ctx())
    assert set(d.denied_by) == {"limits.max_notional", "limits.max_position"}


def test_policy_denies_buy_that_would_exceed_max_position() -> None:
    e = engine(limits={"max_position": {"WETH": 2}})
    assert e.evaluate(buy(2000), ctx(weth=1)).approved  # 1 + 1 WETH = 2
    d = e.evaluate(buy(2001, oid="o-2"), ctx(weth=1))
    assert d.denied_by == ("limits.max_position",)


def test_star_position_limit_applies_to_unlisted_tokens() -> None:
    e = engine(limits={"max_position": {"*": 0}})
    assert not e.evaluate(buy(1), ctx()).approved


def test_gross_exposure_caps_buys_but_lets_sells_reduce() -> None:
    e = engine(limits={"max_gross_exposure": "0.5"})
    # equity 10,000 USDT; buying 5,000 gives 50%
    assert e.evaluate(buy(5000), ctx(usdt=10_000)).approved
    d = e.evaluate(buy(5001, oid="o-2"), ctx(usdt=10_000))
    assert d.denied_by == ("limits.max_gross_exposure",)
    assert e.evaluate(sell(1), ctx(usdt=0, weth=5)).approved  # 100% exposed, selling is fine


def test_slippage_collar_denies_quote_far_from_reference() -> None:
    e = engine(market={"max_slippage_bps": 50})
    o = buy(1000)
    assert e.evaluate(o, ctx(quote=quote_for(o, Decimal(2010)))).approved  # 50 bps
    o2 = buy(1000, oid="o-2")
    d = e.evaluate(o2, ctx(quote=quote_for(o2, Decimal("2010.2"))))
    assert d.denied_by == ("market.max_slippage_bps",)
    assert "51.00 bps" in verdict(d, "market.max_slippage_bps")[1]


def test_slippage_collar_uses_the_intents_own_tighter_limit() -> None:
    from dataclasses import replace

    e = engine(market={"max_slippage_bps": 50})
    o = buy(1000)
    o = replace(o, intent=replace(o.intent, max_slippage_bps=10))
    assert not e.evaluate(o, ctx(quote=quote_for(o, Decimal(2004)))).approved


def test_sell_below_reference_is_adverse_slippage() -> None:
    e = engine(market={"max_slippage_bps": 10})
    o = sell(1)
    assert not e.evaluate(o, ctx(weth=1, quote=quote_for(o, Decimal(1990)))).approved


def test_price_impact_excludes_the_fee_and_compares_to_mid() -> None:
    e = engine(market={"max_price_impact_bps": 30})
    o = buy(1000)
    # effective 2010 with a 30 bps fee: ex-fee price ~2004 -> ~20 bps impact
    q = quote_for(o, Decimal(2010), fee_bps=30)
    q = type(q)(
        q.amount_in,
        PAIR.base_raw_for(o.amount_in - q.fee_in, Decimal(2004)),
        q.fee_in,
        Decimal(2010),
        PRICE,
    )
    assert e.evaluate(o, ctx(quote=q)).approved
    o2 = buy(1000, oid="o-2")
    d = e.evaluate(o2, ctx(quote=quote_for(o2, Decimal(2010), mid=Decimal(2000))))
    assert d.denied_by == ("market.max_price_impact_bps",)


def test_market_rules_fail_closed_without_a_quote() -> None:
    e = engine(market={"max_slippage_bps": 50, "max_price_impact_bps": 50})
    assert e.needs_quote
    d = e.evaluate(buy(100), ctx())
    assert set(d.denied_by) == {"market.max_slippage_bps", "market.max_price_impact_bps"}


def test_needs_quote_is_false_without_quote_rules() -> None:
    assert not engine(limits={"max_notional": 5}, gas={"max_gas_price_gwei": 50}).needs_quote


def test_policy_denies_gas_price_above_max_and_when_unknown() -> None:
    e = engine(gas={"max_gas_price_gwei": 30})
    assert e.evaluate(buy(100), ctx(gas_price_wei=30 * 10**9)).approved
    assert not e.evaluate(buy(100, oid="o-2"), ctx(gas_price_wei=30 * 10**9 + 1)).approved
    d = e.evaluate(buy(100, oid="o-3"), ctx())
    assert "no gas price" in verdict(d, "gas.max_gas_price_gwei")[1]


def test_policy_denies_gas_cost_above_fraction_of_notional() -> None:
    e = engine(gas={"max_gas_fraction": "0.01"})
    o = buy(100)  # 1% is 1 USDT; at 2000 USDT/ETH that is 0.0005 ETH
    ok = quote_for(o, PRICE, gas_native=5 * 10**14)
    assert e.evaluate(o, ctx(quote=ok, native_price=PRICE)).approved
    o2 = buy(100, oid="o-2")
    bad = quote_for(o2, PRICE, gas_native=5 * 10**14 + 10**9)
    assert not e.evaluate(o2, ctx(quote=bad, native_price=PRICE)).approved
    o3 = buy(100, oid="o-3")
    d = e.evaluate(o3, ctx(quote=bad))
    assert "no native token price" in verdict(d, "gas.max_gas_fraction")[1]


def test_rate_limits_per_minute_hour_and_day() -> None:
    e = engine(pacing={"max_per_minute": 2, "max_per_hour": 3, "max_per_day": 4})
    results = []
    for i, dt in enumerate([0, 1, 2, 61_000, 3_600_000, 3_700_000, 86_400_000]):
        d = e.evaluate(buy(10, oid=f"o-{i}"), ctx(now_ms=T0 + dt))
        results.append(d.approved)
    # t=2: third in a minute; t=3.7M: fifth in a day; t=1 day: the one at t=0 left the window
    assert results == [True, True, False, True, True, False, True]
    assert e.denials_by_rule["pacing.rate_limit"] == 2


def test_rate_limit_per_day_denies_the_fifth_intent() -> None:
    e = engine(pacing={"max_per_day": 4})
    got = [
        e.evaluate(buy(10, oid=f"o-{i}"), ctx(now_ms=T0 + i * 3_600_000)).approved for i in range(6)
    ]
    assert got == [True, True, True, True, False, False]


def test_daily_notional_resets_at_midnight_utc() -> None:
    e = engine(limits={"max_daily_notional": 1000})
    assert e.evaluate(buy(600), ctx(now_ms=T0 + 1000)).approved
    assert not e.evaluate(buy(600, oid="o-2"), ctx(now_ms=T0 + 2000)).approved
    assert e.evaluate(buy(400, oid="o-3"), ctx(now_ms=T0 + 3000)).approved
    assert e.evaluate(buy(1000, oid="o-4"), ctx(now_ms=T0 + 86_400_000)).approved


def test_release_gives_back_a_reserved_budget() -> None:
    e = engine(limits={"max_daily_notional": 1000}, pacing={"max_per_minute": 1})
    o = buy(1000)
    assert e.evaluate(o, ctx()).approved
    assert not e.evaluate(buy(1, oid="o-2"), ctx()).approved
    assert e.release(o) and not e.release(o)
    assert e.evaluate(buy(1000, oid="o-3"), ctx()).approved


def test_cooldown_after_losing_trade_blocks_new_risk_but_not_reducing() -> None:
    from dexagent.core.intents import Fill, Side

    e = engine(pacing={"cooldown_after_loss_s": 600})
    buy_fill = Fill("b", PAIR, Side.BUY, 2000 * USD, ETH, 0, PRICE, PRICE)
    sell_fill = Fill("s", PAIR, Side.SELL, ETH // 2, 900 * USD, 0, Decimal(1800), Decimal(1800))
    e.on_fill(buy_fill, ctx(now_ms=T0))
    assert e.evaluate(buy(10), ctx(now_ms=T0 + 1)).approved
    e.on_fill(sell_fill, ctx(now_ms=T0 + 10_000))  # sold half at 1800: a loss of 100 USDT
    d = e.evaluate(buy(10, oid="o-2"), ctx(now_ms=T0 + 20_000, weth=Decimal("0.5")))
    assert d.denied_by == ("pacing.cooldown_after_loss",)
    assert "590 s left" in verdict(d, "pacing.cooldown_after_loss")[1]
    assert e.evaluate(sell(Decimal("0.1")), ctx(now_ms=T0 + 20_000, weth=Decimal("0.5"))).approved
    assert e.evaluate(buy(10, oid="o-3"), ctx(now_ms=T0 + 610_000)).approved


def test_winning_trade_starts_no_cooldown() -> None:
    from dexagent.core.intents import Fill, Side

    e = engine(pacing={"cooldown_after_loss_s": 600})
    e.on_fill(Fill("b", PAIR, Side.BUY, 2000 * USD, ETH, 0, PRICE, PRICE), ctx(now_ms=T0))
    e.on_fill(
        Fill("s", PAIR, Side.SELL, ETH, 2100 * USD, 0, Decimal(2100), Decimal(2100)),
        ctx(now_ms=T0 + 1),
    )
    assert e.evaluate(buy(10), ctx(now_ms=T0 + 2)).approved


def test_trading_window_hours_and_weekdays_in_utc() -> None:
    e = engine(
        windows={
            "start_hour_utc": 8,
            "end_hour_utc": 20,
            "weekdays": ["mon", "tue", "wed", "thu", "fri"],
        }
    )
    h = 3_600_000
    assert e.evaluate(buy(10), ctx(now_ms=T0 + 8 * h)).approved  # Monday 08:00
    d = e.evaluate(buy(10, oid="o-2"), ctx(now_ms=T0 + 20 * h))  # Monday 20:00
    assert "hour 20 UTC" in verdict(d, "windows")[1]
    d = e.evaluate(buy(10, oid="o-3"), ctx(now_ms=T0 + 5 * 24 * h + 9 * h))  # Saturday
    assert "sat is not a trading day" in verdict(d, "windows")[1]


def test_trading_window_across_midnight() -> None:
    e = engine(windows={"start_hour_utc": 22, "end_hour_utc": 2})
    h = 3_600_000
    assert e.evaluate(buy(10), ctx(now_ms=T0 + 23 * h)).approved
    assert e.evaluate(buy(10, oid="o-2"), ctx(now_ms=T0 + 1 * h)).approved
    assert not e.evaluate(buy(10, oid="o-3"), ctx(now_ms=T0 + 12 * h)).approved


def test_budgets_forget_old_days_but_keep_counting_correctly() -> None:
    from dexagent.policy.budgets import Budgets

    b = Budgets()
    for i in range(5000):
        b.reserve(f"k{i}", T0 + i * 60_000, "USDT", 1)  # one a minute for ~3.5 days
    now = T0 + 4999 * 60_000
    assert b.count_within(now, 86_400_000) == 1440
    assert b.spent_today(now, "USDT") == (now - (now // 86_400_000) * 86_400_000) // 60_000 + 1
    assert len(b._reserved) < 3000  # older than two days forgotten
    assert b.release("k4999") and b.count_within(now, 86_400_000) == 1439
