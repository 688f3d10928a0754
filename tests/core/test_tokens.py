from decimal import Decimal

from dexagent.core.tokens import Pair, Token, price_decimal

USDC = Token("USDC", 6)
WBTC = Token("WBTC", 8)


def test_to_raw_rounds_down_and_round_trips() -> None:
    assert USDC.to_raw("1.2345679") == 1_234_567
    assert USDC.to_decimal(1_234_567) == Decimal("1.234567")


def test_pair_conversions_across_decimals_are_exact() -> None:
    pair = Pair(WBTC, USDC)
    # 0.5 BTC at 30,000.5 USDC = 15,000.25 USDC
    assert pair.quote_raw_for(50_000_000, Decimal("30000.5")) == 15_000_250_000
    assert pair.base_raw_for(15_000_250_000, Decimal("30000.5")) == 50_000_000
    assert pair.price_of(50_000_000, 15_000_250_000) == Decimal("30000.5")


def test_float_prices_become_their_shortest_decimal() -> None:
    assert price_decimal(1196.12) == Decimal("1196.12")
