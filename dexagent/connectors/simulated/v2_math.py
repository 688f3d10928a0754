"""Exact integer Uniswap V2 math: the router library (quote, getAmountOut/In over a path), the
pair's swap invariant check, and the pair's mint/burn/protocol-fee liquidity arithmetic.

Every function reproduces the Solidity contracts bit for bit (uint256 floor division), with the
swap fee in basis points: ``fee_bps=30`` multiplies numerator and denominator of the contracts'
997/1000 by 10, which changes no result. Refusals raise :class:`V2Revert` subclasses whose
``reason`` is the contracts' own revert string (``"UniswapV2Library: INSUFFICIENT_LIQUIDITY"``).
"""

from __future__ import annotations

from collections.abc import Sequence
from math import isqrt

from dexagent.core.errors import ConfigError, RejectedError

FEE_DENOMINATOR = 10_000  # fees are in basis points
DEFAULT_FEE_BPS = 30  # Uniswap V2: 0.3%
MINIMUM_LIQUIDITY = 1_000  # LP units locked forever by the first mint

Reserves = tuple[int, int]  # (reserve_in, reserve_out) of one hop


class V2Revert(RejectedError):
    """The contract would revert: ``reason`` is its revert string, ``detail`` the inputs."""

    def __init__(self, reason: str, detail: str = "") -> None:
        self.reason = reason
        self.detail = detail
        super().__init__(f"{reason} ({detail})" if detail else reason)


class InsufficientAmount(V2Revert):
    """``quote`` of a zero amount."""


class InsufficientInputAmount(V2Revert):
    """Nothing paid in (router: ``amountIn == 0``; pair: no token balance grew)."""


class InsufficientOutputAmount(V2Revert):
    """Nothing asked out (router: ``amountOut == 0``; pair: both outs zero)."""


class InsufficientLiquidity(V2Revert):
    """A reserve is zero, or the output asked for is not below the reserve."""


class InsufficientLiquidityMinted(V2Revert):
    """A mint that would create no LP units."""


class InsufficientLiquidityBurned(V2Revert):
    """A burn that would return nothing of one token."""


class KInvariant(V2Revert):
    """The pair's constant-product check (after fees) failed: ``UniswapV2: K``."""


_LIB = "UniswapV2Library: "
_PAIR = "UniswapV2: "


def check_fee_bps(fee_bps: int) -> int:
    """``fee_bps`` if it is an int in [0, 10000), else a ConfigError."""
    if isinstance(fee_bps, bool) or not isinstance(fee_bps, int):
        raise ConfigError(f"fee_bps must be an int of basis points, got {fee_bps!r}")
    if not 0 <= fee_bps < FEE_DENOMINATOR:
        raise ConfigError(f"fee_bps {fee_bps} not in [0, {FEE_DENOMINATOR})")
    return fee_bps


def quote(amount_a: int, reserve_a: int, reserve_b: int) -> int:
    """``amountB`` worth ``amount_a`` at the reserves' ratio, no fee (``Library.quote``)."""
    if amount_a <= 0:
        raise InsufficientAmount(_LIB + "INSUFFICIENT_AMOUNT", f"amount_a={amount_a}")
    if reserve_a <= 0 or reserve_b <= 0:
        raise InsufficientLiquidity(
            _LIB + "INSUFFICIENT_LIQUIDITY", f"reserve_a={reserve_a}, reserve_b={reserve_b}"
        )
    return amount_a * reserve_b // reserve_a


def get_amount_out(
    amount_in: int, reserve_in: int, reserve_out: int, fee_bps: int = DEFAULT_FEE_BPS
) -> int:
    """Most ``amount_in`` can buy, fee paid from the input (``UniswapV2Library.getAmountOut``)."""
    if amount_in <= 0:
        raise InsufficientInputAmount(_LIB + "INSUFFICIENT_INPUT_AMOUNT", f"amount_in={amount_in}")
    _check_reserves(reserve_in, reserve_out)
    with_fee = amount_in * (FEE_DENOMINATOR - fee_bps)
    return with_fee * reserve_out // (reserve_in * FEE_DENOMINATOR + with_fee)


def get_amount_in(
    amount_out: int, reserve_in: int, reserve_out: int, fee_bps: int = DEFAULT_FEE_BPS
) -> int:
    """Least input that buys ``amount_out`` (``UniswapV2Library.getAmountIn``, rounded up by +1)."""
    if amount_out <= 0:
        raise InsufficientOutputAmount(
            _LIB + "INSUFFICIENT_OUTPUT_AMOUNT", f"amount_out={amount_out}"
        )
    _check_reserves(reserve_in, reserve_out)
    if amount_out >= reserve_out:  # the contract fails on arithmetic here; we name the cause
        raise InsufficientLiquidity(
            _LIB + "INSUFFICIENT_LIQUIDITY",
            f"amount_out={amount_out} >= reserve_out={reserve_out}",
        )
    numerator = reserve_in * amount_out * FEE_DENOMINATOR
    denominator = (reserve_out - amount_out) * (FEE_DENOMINATOR - fee_bps)
    return numerator // denominator + 1


def get_amounts_out(
    amount_in: int, hops: Sequence[Reserves], fee_bps: int = DEFAULT_FEE_BPS
) -> list[int]:
    """``[amount_in, out_1, ..., out_n]`` along ``hops`` (``getAmountsOut``; one hop per pair)."""
    if not hops:
        raise ConfigError(_LIB + "INVALID_PATH (a path needs at least one hop)")
    amounts = [amount_in]
    for reserve_in, reserve_out in hops:
        amounts.append(get_amount_out(amounts[-1], reserve_in, reserve_out, fee_bps))
    return amounts


def get_amounts_in(
    amount_out: int, hops: Sequence[Reserves], fee_bps: int = DEFAULT_FEE_BPS
) -> list[int]:
    """``[in_0, ..., amount_out]`` along ``hops`` (``getAmountsIn``, computed from the end)."""
    if not hops:
        raise ConfigError(_LIB + "INVALID_PATH (a path needs at least one hop)")
    amounts = [amount_out]
    for reserve_in, reserve_out in reversed(hops):
        amounts.append(get_amount_in(amounts[-1], reserve_in, reserve_out, fee_bps))
    amounts.reverse()
    return amounts


def pair_swap(
    reserves: tuple[int, int],
    amounts_in: tuple[int, int],
    amounts_out: tuple[int, int],
    fee_bps: int = DEFAULT_FEE_BPS,
) -> tuple[int, int]:
    """The pair's ``swap`` checks: tokens were sent in (``amounts_in``) and ``amounts_out`` are
    taken out; returns the reserves after (the ``Sync``), or raises the pair's revert."""
    r0, r1 = reserves
    out0, out1 = amounts_out
    if out0 <= 0 and out1 <= 0:
        raise InsufficientOutputAmount(_PAIR + "INSUFFICIENT_OUTPUT_AMOUNT", "both outs are 0")
    if out0 >= r0 or out1 >= r1:
        raise InsufficientLiquidity(
            _PAIR + "INSUFFICIENT_LIQUIDITY", f"outs ({out0}, {out1}) vs reserves ({r0}, {r1})"
        )
    b0 = r0 + amounts_in[0] - out0
    b1 = r1 + amounts_in[1] - out1
    in0 = b0 - (r0 - out0) if b0 > r0 - out0 else 0
    in1 = b1 - (r1 - out1) if b1 > r1 - out1 else 0
    if in0 <= 0 and in1 <= 0:
        raise InsufficientInputAmount(_PAIR + "INSUFFICIENT_INPUT_AMOUNT", "nothing was sent in")
    adj0 = b0 * FEE_DENOMINATOR - in0 * fee_bps
    adj1 = b1 * FEE_DENOMINATOR - in1 * fee_bps
    if adj0 * adj1 < r0 * r1 * FEE_DENOMINATOR**2:
        raise KInvariant(_PAIR + "K", f"balances ({b0}, {b1}) after fee break x*y >= k")
    return b0, b1


def mint_liquidity(
    amount0: int, amount1: int, reserve0: int = 0, reserve1: int = 0, total_supply: int = 0
) -> int:
    """LP units minted for depositing ``amount0``/``amount1`` (the pair's ``mint``).

    First mint (``total_supply == 0``): ``isqrt(amount0*amount1) - MINIMUM_LIQUIDITY`` to the
    minter (MINIMUM_LIQUIDITY more is minted to address 0); later mints: the smaller share.
    """
    if total_supply == 0:
        liquidity = isqrt(amount0 * amount1) - MINIMUM_LIQUIDITY
    else:
        liquidity = min(amount0 * total_supply // reserve0, amount1 * total_supply // reserve1)
    if liquidity <= 0:
        raise InsufficientLiquidityMinted(
            _PAIR + "INSUFFICIENT_LIQUIDITY_MINTED", f"amounts ({amount0}, {amount1})"
        )
    return liquidity


def burn_amounts(
    liquidity: int, balance0: int, balance1: int, total_supply: int
) -> tuple[int, int]:
    """Tokens returned for burning ``liquidity`` LP units (pro rata, rounded down)."""
    amount0 = liquidity * balance0 // total_supply
    amount1 = liquidity * balance1 // total_supply
    if amount0 <= 0 or amount1 <= 0:
        raise InsufficientLiquidityBurned(
            _PAIR + "INSUFFICIENT_LIQUIDITY_BURNED", f"liquidity={liquidity}"
        )
    return amount0, amount1


def protocol_fee_liquidity(reserve0: int, reserve1: int, k_last: int, total_supply: int) -> int:
    """LP units ``_mintFee`` mints to ``feeTo``: 1/6 of the growth of sqrt(k) since ``k_last``."""
    if k_last == 0:
        return 0
    root_k = isqrt(reserve0 * reserve1)
    root_k_last = isqrt(k_last)
    if root_k <= root_k_last:
        return 0
    return total_supply * (root_k - root_k_last) // (root_k * 5 + root_k_last)


def _check_reserves(reserve_in: int, reserve_out: int) -> None:
    if reserve_in <= 0 or reserve_out <= 0:
        raise InsufficientLiquidity(
            _LIB + "INSUFFICIENT_LIQUIDITY",
            f"reserve_in={reserve_in}, reserve_out={reserve_out}",
        )
