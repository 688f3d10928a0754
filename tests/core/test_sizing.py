from decimal import Decimal

import pytest

from dexagent.core.errors import ConfigError
from dexagent.core.intents import Intent, Side
from dexagent.core.sizing import size_intent
from tests.support import PAIR


def test_target_one_spends_the_whole_quote_balance() -> None:
    sized = size_intent(Intent.target(PAIR, Decimal(1)), {"USDT": 5_000_000, "WETH": 0}, Decimal(2))
    assert sized == (Side.BUY, 5_000_000)


def test_target_zero_sells_every_base_unit() -> None:
    sized = size_intent(Intent.target(PAIR, Decimal(0)), {"USDT": 0, "WETH": 123}, Decimal(2))
    assert sized == (Side.SELL, 123)


def test_target_half_rebalances_exactly_in_base_units() -> None:
    # 1 WETH at 2000 USDT + 0 USDT -> target 0.5 -> sell 1000 USDT worth = 0.5 WETH
    sized = size_intent(
        Intent.target(PAIR, Decimal("0.5")), {"USDT": 0, "WETH": 10**18}, Decimal(2000)
    )
    assert sized == (Side.SELL, 5 * 10**17)


def test_nothing_to_do_returns_none() -> None:
    assert size_intent(Intent.target(PAIR, Decimal(1)), {"USDT": 0, "WETH": 9}, Decimal(2)) is None


def test_exact_amount_is_capped_at_the_balance() -> None:
    sized = size_intent(Intent.buy_quote(PAIR, 10_000_000), {"USDT": 7_000_000}, Decimal(2))
    assert sized == (Side.BUY, 7_000_000)


def test_fraction_of_balance_rounds_down() -> None:
    sized = size_intent(
        Intent.fraction(PAIR, Side.SELL, Decimal("0.333")), {"WETH": 1000}, Decimal(2)
    )
    assert sized == (Side.SELL, 333)


@pytest.mark.parametrize("amount", [0, -5])
def test_exact_amount_must_be_positive(amount: int) -> None:
    with pytest.raises(ConfigError, match="positive int"):
        Intent.buy_quote(PAIR, amount)


def test_fraction_above_one_is_refused() -> None:
    with pytest.raises(ConfigError, match=r"\[0, 1\]"):
        Intent.target(PAIR, Decimal("1.5"))
