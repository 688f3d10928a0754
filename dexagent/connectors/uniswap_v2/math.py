"""Uniswap V2 constant-product math in exact integers, as UniswapV2Library computes it."""

from __future__ import annotations

from dexagent.core.errors import ConfigError

FEE_NUM, FEE_DEN = 997, 1000  # 0.3 % fee kept in the pool


def get_amount_out(amount_in: int, reserve_in: int, reserve_out: int) -> int:
    if amount_in <= 0:
        raise ConfigError(f"V2 amount_in must be > 0, got {amount_in}")
    if reserve_in <= 0 or reserve_out <= 0:
        raise ConfigError(f"V2 pool has no liquidity (reserves {reserve_in}, {reserve_out})")
    with_fee = amount_in * FEE_NUM
    return with_fee * reserve_out // (reserve_in * FEE_DEN + with_fee)


def get_amount_in(amount_out: int, reserve_in: int, reserve_out: int) -> int:
    if amount_out <= 0:
        raise ConfigError(f"V2 amount_out must be > 0, got {amount_out}")
    if reserve_in <= 0 or amount_out >= reserve_out:
        raise ConfigError(f"V2 pool cannot pay {amount_out} from reserve {reserve_out}")
    return reserve_in * amount_out * FEE_DEN // ((reserve_out - amount_out) * FEE_NUM) + 1


def fee_of(amount_in: int) -> int:
    """The part of ``amount_in`` the pool keeps as fee (0.3 %, rounded down)."""
    return amount_in * (FEE_DEN - FEE_NUM) // FEE_DEN
