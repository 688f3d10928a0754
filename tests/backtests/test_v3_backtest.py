"""Backtests on the exact Uniswap V3 pool: config, position conversion, fills, impact."""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction
from typing import Any

import pytest

from dexagent.backtests.config import load_config
from dexagent.backtests.data import bundled_dataset, load_bars, resample
from dexagent.backtests.runner import run_backtest_async
from dexagent.backtests.venues import build_venue
from dexagent.connectors.simulated.uniswap_v3.prices import sqrt_price_x96_of
from dexagent.connectors.simulated.uniswap_v3.tick_math import get_sqrt_ratio_at_tick
from dexagent.connectors.simulated.uniswap_v3.venue import V3PoolVenue
from dexagent.core.bars import Bars
from dexagent.core.errors import ConfigError
from dexagent.core.intents import Intent, Order, Side
from dexagent.core.tokens import Pair, Token, price_decimal

PAIR = Pair(Token("WETH", 18), Token("USDT", 6))
Q96 = 1 << 96


@pytest.fixture(scope="module")
def eth_bars() -> Bars:
    """600 hourly bars of the bundled real ETH/USDT history."""
    bars = resample(load_bars(bundled_dataset("ETH/USDT"), symbol="ETH/USDT"), "1h")
    return bars.slice(0, 600)


def _cfg(**venue: Any) -> Any:
    overrides: dict[str, Any] = {"venue.kind": "uniswap_v3"}
    overrides.update({f"venue.{k}": v for k, v in venue.items()})
    overrides["strategy.params"] = {"fast": 5, "slow": 20}
    return load_config(None, overrides)


def _venue(bars: Bars, positions: list[dict[str, Any]], fee: int = 3000) -> V3PoolVenue:
    cfg = _cfg(v3_fee=fee, v3_positions=positions)
    balances = {"USDT": 10**13, "WETH": 10**22, "ETH": 10**18}
    venue = build_venue(cfg, PAIR, balances, bars)
    assert isinstance(venue, V3PoolVenue)
    return venue


def _buy(amount: int, px: Decimal) -> Order:
    return Order("o1", Intent.buy_quote(PAIR, amount), Side.BUY, amount, px, amount, 0, 0)


async def test_v3_backtest_on_real_eth_trades_exactly(eth_bars: Bars) -> None:
    cfg = _cfg()
    r = await run_backtest_async(cfg, bars=eth_bars)
    assert r.venue == "uniswap_v3_sim"
    assert len(r.fills) >= 10 and {f.side for f in r.fills} == {Side.BUY, Side.SELL}
    # replay every fill in exact integers: no balance ever goes negative
    bal = dict(r.starting_balances)
    for f in r.fills:
        paid, got = ("USDT", "WETH") if f.side is Side.BUY else ("WETH", "USDT")
        bal[paid] -= f.amount_in
        bal[got] = bal.get(got, 0) + f.amount_out
        bal["ETH"] -= f.gas_native
        assert min(bal.values()) >= 0, (f, bal)
        # the 0.3 % tier: the contract's fee, rounded up per step (no tick crossed here)
        assert 0 <= f.fee_in - f.amount_in * 3000 // 1_000_000 <= 1
        assert f.gas_native > 0 and f.venue == "uniswap_v3_sim"
    assert r.extra["final_balances"] == {k: str(v) for k, v in bal.items()}
    assert (r.equity > 0).all()
    # fees booked are exactly the fills' fee_in (sells' base fee priced at the fill price)
    fee_raw = sum(
        f.fee_in if f.side is Side.BUY else PAIR.quote_raw_for(f.fee_in, f.price) for f in r.fills
    )
    assert r.fees_quote == PAIR.quote.to_decimal(fee_raw)
    assert r.gas_quote == PAIR.quote.to_decimal(sum(f.gas_quote for f in r.fills))


def test_default_positions_and_fee(eth_bars: Bars) -> None:
    cfg = _cfg()
    assert cfg.venue.v3_fee == 3000 and len(cfg.venue.v3_positions) == 2
    v = _venue(eth_bars, [p.model_dump() for p in cfg.venue.v3_positions])
    assert v.pool.tick_spacing == 60 and len(v.pool.positions) == 2


@pytest.mark.parametrize(("fee", "spacing"), [(100, 1), (500, 10), (3000, 60), (10000, 200)])
@pytest.mark.parametrize("range_pct", [5, "2.5", 50])
def test_position_ticks_round_outward_and_hold_the_depth(
    eth_bars: Bars, fee: int, spacing: int, range_pct: int | str
) -> None:
    depth = 7_000_000
    v = _venue(eth_bars, [{"range_pct": range_pct, "depth_quote": depth}], fee=fee)
    ((_, lo, hi), info) = next(iter(v.pool.positions.items()))
    assert lo % spacing == 0 and hi % spacing == 0 and v.pool.tick_spacing == spacing
    p = price_decimal(eth_bars.close[0])
    r = Fraction(Decimal(str(range_pct))) / 100
    raw = Fraction(p) * Fraction(10**6, 10**18)  # USDT base units per WETH base unit

    def ratio(tick: int) -> Fraction:
        return Fraction(get_sqrt_ratio_at_tick(tick) ** 2, 1 << 192)

    # outward, and by less than one spacing
    assert ratio(lo) <= raw * (1 - r) < ratio(lo + spacing) * Fraction(1000001, 1000000)
    assert ratio(hi) * Fraction(1000001, 1000000) >= raw * (1 + r) > ratio(hi - spacing)
    # the minted tokens are worth depth_quote at the initial pool price, to a couple base units
    s = v.pool.sqrt_price_x96
    value = Fraction(v.pool.balance0 * s * s, 1 << 192) + v.pool.balance1
    assert abs(value - depth * 10**6) <= 2
    assert info.liquidity == v.pool.liquidity > 0


def test_full_range(eth_bars: Bars) -> None:
    for rp in ("full", 100, 250):
        v = _venue(eth_bars, [{"range_pct": rp, "depth_quote": 1_000_000}])
        ((_, lo, hi), _info) = next(iter(v.pool.positions.items()))
        assert (lo, hi) == (-887220, 887220)


async def test_narrow_position_gives_less_impact_exactly_as_the_pool_math(
    eth_bars: Bars,
) -> None:
    p = price_decimal(eth_bars.close[0])
    amount = 100_000 * 10**6  # buy with 100k USDT
    outs: dict[int, int] = {}
    for rp in (50, 5):
        v = _venue(eth_bars, [{"range_pct": rp, "depth_quote": 10_000_000}])
        v.set_market(price=p, t_ms=0, bar=0, native_price=p)
        s, liq = v.pool.sqrt_price_x96, v.pool.liquidity
        assert s == sqrt_price_x96_of(p, PAIR, base_is_token0=True)
        fill = await v.execute(_buy(amount, p), key=f"k{rp}")
        outs[rp] = fill.amount_out
        # by hand: one swap step inside the position (token1 in, token0 out, 0.3 % fee)
        less_fee = amount * 997_000 // 1_000_000
        sn = s + (less_fee << 96) // liq
        ((_, _lo, hi), _info) = next(iter(v.pool.positions.items()))
        assert sn < get_sqrt_ratio_at_tick(hi)  # no tick crossed
        used = -(-liq * (sn - s) // Q96)  # amount1 in, rounded up
        out = (liq << 96) * (sn - s) // sn // s  # amount0 out, rounded down
        assert (fill.amount_in, fill.amount_out, fill.fee_in) == (amount, out, amount - used)
        assert v.pool.sqrt_price_x96 == sn
    assert outs[5] > outs[50]  # same depth, 10x narrower: more WETH for the same USDT
    mid_out = PAIR.base_raw_for(amount * 997 // 1000, p)
    assert mid_out - outs[5] < mid_out - outs[50]


def test_bad_fee_is_a_config_error() -> None:
    with pytest.raises(ConfigError, match=r"\[venue.v3_fee\] = 250.*100, 500, 3000 or 10000"):
        load_config(None, {"venue.kind": "uniswap_v3", "venue.v3_fee": 250})


def test_unknown_position_key_suggests_the_closest() -> None:
    bad = [{"range_pct": 5, "depth_quote": 1000}, {"rnage_pct": 5, "depth_quote": 1000}]
    with pytest.raises(ConfigError) as e:
        load_config(None, {"venue.kind": "uniswap_v3", "venue.v3_positions": bad})
    msg = str(e.value)
    assert "venue.v3_positions.1" in msg and "'rnage_pct'" in msg
    assert "Did you mean 'range_pct'" in msg


@pytest.mark.parametrize(
    ("pos", "needle"),
    [
        ({"range_pct": "half", "depth_quote": 1}, 'use a percentage > 0 or "full"'),
        ({"range_pct": 0, "depth_quote": 1}, "greater than 0"),
        ({"range_pct": 5, "depth_quote": -1}, "greater than 0"),
        ({"range_pct": 5}, "depth_quote"),
    ],
)
def test_bad_position_values(pos: dict[str, Any], needle: str) -> None:
    with pytest.raises(ConfigError, match=needle):
        load_config(None, {"venue.kind": "uniswap_v3", "venue.v3_positions": [pos]})


def test_v3_config_from_toml(tmp_path: Any) -> None:
    p = tmp_path / "bt.toml"
    p.write_text(
        '[venue]\nkind = "uniswap_v3"\nv3_fee = 500\n'
        "v3_positions = [{ range_pct = 50, depth_quote = 10000000 }, "
        '{ range_pct = "full", depth_quote = 5000000 }]\n'
    )
    v = load_config(p).venue
    assert v.v3_fee == 500 and [x.range_pct for x in v.v3_positions] == [Decimal(50), "full"]
    with pytest.raises(Exception):  # noqa: B017 - frozen
        v.v3_fee = 100  # type: ignore[misc]
