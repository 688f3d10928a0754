"""SqrtPriceMath of Uniswap V3: next prices from token amounts, amounts between two prices.

Arguments are the contracts' unsigned types (uint160 prices, uint128 liquidity, uint256 amounts);
every ``require`` and overflow of the contract raises :class:`V3Revert` with its reason ('' when
the contract gives none).
"""

from __future__ import annotations

from dexagent.connectors.simulated.uniswap_v3.errors import V3Revert
from dexagent.connectors.simulated.uniswap_v3.full_math import (
    MAX_UINT160,
    MAX_UINT256,
    div_rounding_up,
    mul_div,
    mul_div_rounding_up,
)


def _next_from_amount0_rounding_up(sqrt_p: int, liquidity: int, amount: int, add: bool) -> int:
    if amount == 0:
        return sqrt_p
    numerator1 = liquidity << 96
    product = amount * sqrt_p
    if add:
        if product <= MAX_UINT256:
            denominator = numerator1 + product
            if denominator <= MAX_UINT256:
                return mul_div_rounding_up(numerator1, sqrt_p, denominator)
        plus = numerator1 // sqrt_p + amount
        if plus > MAX_UINT256:
            raise V3Revert("", "getNextSqrtPriceFromAmount0RoundingUp: amount overflows")
        return div_rounding_up(numerator1, plus) & MAX_UINT160
    if product > MAX_UINT256 or numerator1 <= product:
        raise V3Revert("", "getNextSqrtPriceFromAmount0RoundingUp: output exceeds reserves")
    result = mul_div_rounding_up(numerator1, sqrt_p, numerator1 - product)
    if result > MAX_UINT160:
        raise V3Revert("", "getNextSqrtPriceFromAmount0RoundingUp: price overflows uint160")
    return result


def _next_from_amount1_rounding_down(sqrt_p: int, liquidity: int, amount: int, add: bool) -> int:
    if add:
        quotient = (
            (amount << 96) // liquidity
            if amount <= MAX_UINT160
            else mul_div(amount, 1 << 96, liquidity)
        )
        result = sqrt_p + quotient
        if result > MAX_UINT160:
            raise V3Revert("", "getNextSqrtPriceFromAmount1RoundingDown: price overflows uint160")
        return result
    quotient = (
        div_rounding_up(amount << 96, liquidity)
        if amount <= MAX_UINT160
        else mul_div_rounding_up(amount, 1 << 96, liquidity)
    )
    if sqrt_p <= quotient:
        raise V3Revert("", "getNextSqrtPriceFromAmount1RoundingDown: output exceeds reserves")
    return sqrt_p - quotient


def get_next_sqrt_price_from_input(
    sqrt_p: int, liquidity: int, amount_in: int, zero_for_one: bool
) -> int:
    if sqrt_p <= 0:
        raise V3Revert("", "getNextSqrtPriceFromInput: price is zero")
    if liquidity <= 0:
        raise V3Revert("", "getNextSqrtPriceFromInput: liquidity is zero")
    if zero_for_one:
        return _next_from_amount0_rounding_up(sqrt_p, liquidity, amount_in, True)
    return _next_from_amount1_rounding_down(sqrt_p, liquidity, amount_in, True)


def get_next_sqrt_price_from_output(
    sqrt_p: int, liquidity: int, amount_out: int, zero_for_one: bool
) -> int:
    if sqrt_p <= 0:
        raise V3Revert("", "getNextSqrtPriceFromOutput: price is zero")
    if liquidity <= 0:
        raise V3Revert("", "getNextSqrtPriceFromOutput: liquidity is zero")
    if zero_for_one:
        return _next_from_amount1_rounding_down(sqrt_p, liquidity, amount_out, False)
    return _next_from_amount0_rounding_up(sqrt_p, liquidity, amount_out, False)


def get_amount0_delta(sqrt_a: int, sqrt_b: int, liquidity: int, round_up: bool) -> int:
    """Token0 between two prices for ``liquidity`` (unsigned), rounded as asked."""
    if sqrt_a > sqrt_b:
        sqrt_a, sqrt_b = sqrt_b, sqrt_a
    if sqrt_a <= 0:
        raise V3Revert("", "getAmount0Delta: price is zero")
    numerator1 = liquidity << 96
    numerator2 = sqrt_b - sqrt_a
    if round_up:
        return div_rounding_up(mul_div_rounding_up(numerator1, numerator2, sqrt_b), sqrt_a)
    return mul_div(numerator1, numerator2, sqrt_b) // sqrt_a


def get_amount1_delta(sqrt_a: int, sqrt_b: int, liquidity: int, round_up: bool) -> int:
    """Token1 between two prices for ``liquidity`` (unsigned), rounded as asked."""
    if sqrt_a > sqrt_b:
        sqrt_a, sqrt_b = sqrt_b, sqrt_a
    if round_up:
        return mul_div_rounding_up(liquidity, sqrt_b - sqrt_a, 1 << 96)
    return mul_div(liquidity, sqrt_b - sqrt_a, 1 << 96)


def get_amount0_delta_signed(sqrt_a: int, sqrt_b: int, liquidity_delta: int) -> int:
    """Signed variant (int128 liquidity): rounds up when adding, down when removing."""
    if liquidity_delta < 0:
        return -_to_int256(get_amount0_delta(sqrt_a, sqrt_b, -liquidity_delta, False))
    return _to_int256(get_amount0_delta(sqrt_a, sqrt_b, liquidity_delta, True))


def get_amount1_delta_signed(sqrt_a: int, sqrt_b: int, liquidity_delta: int) -> int:
    if liquidity_delta < 0:
        return -_to_int256(get_amount1_delta(sqrt_a, sqrt_b, -liquidity_delta, False))
    return _to_int256(get_amount1_delta(sqrt_a, sqrt_b, liquidity_delta, True))


def _to_int256(x: int) -> int:
    if x >= 1 << 255:
        raise V3Revert("", f"SafeCast.toInt256: {x} does not fit")
    return x
