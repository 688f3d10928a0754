"""FullMath and UnsafeMath of Uniswap V3 on Python ints, with the contracts' overflow reverts.

Python ints never overflow, so each function checks the range the EVM result would have and
raises :class:`V3Revert` where the contract reverts.
"""

from __future__ import annotations

from dexagent.connectors.simulated.uniswap_v3.errors import V3Revert

Q96 = 1 << 96
Q128 = 1 << 128
MAX_UINT128 = (1 << 128) - 1
MAX_UINT160 = (1 << 160) - 1
MAX_UINT256 = (1 << 256) - 1
MAX_INT128 = (1 << 127) - 1
MIN_INT128 = -(1 << 127)
MAX_INT256 = (1 << 255) - 1
MIN_INT256 = -(1 << 255)


def mul_div(a: int, b: int, denominator: int) -> int:
    """floor(a * b / denominator); reverts if denominator is 0 or the result exceeds uint256."""
    if denominator == 0:
        raise V3Revert("", "mulDiv by zero")
    result = a * b // denominator
    if result > MAX_UINT256:
        raise V3Revert("", "mulDiv result overflows uint256")
    return result


def mul_div_rounding_up(a: int, b: int, denominator: int) -> int:
    """ceil(a * b / denominator); reverts like :func:`mul_div`, or if rounding up overflows."""
    if denominator == 0:
        raise V3Revert("", "mulDivRoundingUp by zero")
    result = -(-(a * b) // denominator)
    if result > MAX_UINT256:
        raise V3Revert("", "mulDivRoundingUp result overflows uint256")
    return result


def div_rounding_up(x: int, y: int) -> int:
    """UnsafeMath.divRoundingUp: ceil(x / y); division by zero yields 0 as in the EVM."""
    if y == 0:
        return 0
    return -(-x // y)
