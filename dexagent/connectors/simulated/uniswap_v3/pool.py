"""V3Pool: the state and the state changes of a Uniswap V3 pool, as UniswapV3Pool.sol does them.

Kept: slot0 (sqrtPriceX96, tick, feeProtocol, unlocked), active liquidity, ticks (liquidityGross,
liquidityNet, feeGrowthOutside0/1X128), the tick bitmap, feeGrowthGlobal0/1X128, protocol fees,
positions (liquidity, feeGrowthInsideLast, tokensOwed) and the pool's token balances.
Not kept: the price oracle (observations, secondsPerLiquidity, tickCumulative), which moves no
token amount; flash loans.

Token transfers are implicit: the caller of ``mint`` and ``swap`` always pays what the callback
asks, so the contract's 'M0'/'M1'/'IIA' checks cannot fail here. A revert raises
:class:`V3Revert` and leaves the pool unchanged, as a reverted transaction leaves the chain.
"""

from __future__ import annotations

from dataclasses import dataclass

from dexagent.connectors.simulated.uniswap_v3.errors import V3Revert
from dexagent.connectors.simulated.uniswap_v3.full_math import (
    MAX_INT128,
    MAX_INT256,
    MAX_UINT128,
    MAX_UINT256,
    Q128,
    mul_div,
)
from dexagent.connectors.simulated.uniswap_v3.sqrt_price_math import (
    get_amount0_delta_signed,
    get_amount1_delta_signed,
)
from dexagent.connectors.simulated.uniswap_v3.swap_math import compute_swap_step
from dexagent.connectors.simulated.uniswap_v3.tick_bitmap import (
    flip_tick,
    next_initialized_tick_within_one_word,
)
from dexagent.connectors.simulated.uniswap_v3.tick_math import (
    MAX_SQRT_RATIO,
    MAX_TICK,
    MIN_SQRT_RATIO,
    MIN_TICK,
    get_tick_at_sqrt_ratio,
    sqrt_ratio_at_tick,
)

__all__ = ["PositionInfo", "SwapResult", "TickInfo", "V3Pool"]


@dataclass(slots=True)
class TickInfo:
    liquidity_gross: int = 0
    liquidity_net: int = 0
    fee_growth_outside0_x128: int = 0
    fee_growth_outside1_x128: int = 0


@dataclass(slots=True)
class PositionInfo:
    liquidity: int = 0
    fee_growth_inside0_last_x128: int = 0
    fee_growth_inside1_last_x128: int = 0
    tokens_owed0: int = 0
    tokens_owed1: int = 0


@dataclass(frozen=True, slots=True)
class SwapResult:
    """What a swap did (or would do): pool deltas (positive = paid in) and the state after it."""

    amount0: int
    amount1: int
    sqrt_price_x96: int
    tick: int
    liquidity: int
    fee_amount: int  # total fee in the input token, protocol share included
    protocol_fee: int
    steps: int
    ticks_crossed: int


def max_liquidity_per_tick(tick_spacing: int) -> int:
    min_tick = -(-MIN_TICK // tick_spacing) * tick_spacing  # Solidity division truncates
    max_tick = (MAX_TICK // tick_spacing) * tick_spacing
    return MAX_UINT128 // ((max_tick - min_tick) // tick_spacing + 1)


def _add_delta(x: int, y: int) -> int:
    z = x + y
    if y < 0:
        if z < 0:
            raise V3Revert("LS", f"liquidity {x} minus {-y} underflows")
    elif z > MAX_UINT128:
        raise V3Revert("LA", f"liquidity {x} plus {y} overflows uint128")
    return z


class V3Pool:
    """One pool. ``fee`` in hundredths of a bip (500, 3000, 10000); ``tick_spacing`` as the
    factory sets it (10, 60, 200)."""

    __slots__ = (
        "balance0",
        "balance1",
        "bitmap",
        "fee",
        "fee_growth_global0_x128",
        "fee_growth_global1_x128",
        "fee_protocol",
        "liquidity",
        "max_liquidity_per_tick",
        "positions",
        "protocol_fees0",
        "protocol_fees1",
        "sqrt_price_x96",
        "tick",
        "tick_spacing",
        "ticks",
        "unlocked",
    )

    def __init__(self, fee: int, tick_spacing: int) -> None:
        if not 0 <= fee < 1_000_000 or not 0 < tick_spacing < 16384:
            raise V3Revert("", f"fee {fee} or tick spacing {tick_spacing} out of range")
        self.fee = fee
        self.tick_spacing = tick_spacing
        self.max_liquidity_per_tick = max_liquidity_per_tick(tick_spacing)
        self.sqrt_price_x96 = 0
        self.tick = 0
        self.fee_protocol = 0
        self.unlocked = False
        self.liquidity = 0
        self.fee_growth_global0_x128 = 0
        self.fee_growth_global1_x128 = 0
        self.protocol_fees0 = 0
        self.protocol_fees1 = 0
        self.balance0 = 0
        self.balance1 = 0
        self.ticks: dict[int, TickInfo] = {}
        self.bitmap: dict[int, int] = {}
        self.positions: dict[tuple[str, int, int], PositionInfo] = {}

    # -- setup ----------------------------------------------------------------------------------

    def initialize(self, sqrt_price_x96: int) -> None:
        if self.sqrt_price_x96 != 0:
            raise V3Revert("AI", "pool already initialized")
        self.tick = get_tick_at_sqrt_ratio(sqrt_price_x96)
        self.sqrt_price_x96 = sqrt_price_x96
        self.unlocked = True

    def set_fee_protocol(self, fee_protocol0: int, fee_protocol1: int) -> None:
        """The protocol takes 1/feeProtocol of swap fees (0 = off, else 4..10)."""
        for fp in (fee_protocol0, fee_protocol1):
            if not (fp == 0 or 4 <= fp <= 10):
                raise V3Revert("", f"fee protocol {fp} is not 0 or in 4..10")
        if not self.unlocked:
            raise V3Revert("LOK", "pool locked or not initialized")
        self.fee_protocol = fee_protocol0 + (fee_protocol1 << 4)

    def force_state(self, sqrt_price_x96: int, tick: int, liquidity: int) -> None:
        """Set slot0 and the active liquidity to observed values, touching no tick.

        Only for rebuilding a pool from recorded events whose earlier history is unknown
        (:mod:`replay`): the contract itself never does this.
        """
        if not (
            MIN_SQRT_RATIO <= sqrt_price_x96 < MAX_SQRT_RATIO and 0 <= liquidity <= MAX_UINT128
        ):
            raise V3Revert("", f"forced state {sqrt_price_x96}, {liquidity} out of range")
        if tick != get_tick_at_sqrt_ratio(sqrt_price_x96):
            raise V3Revert("", f"forced tick {tick} disagrees with sqrtPriceX96 {sqrt_price_x96}")
        self.sqrt_price_x96 = sqrt_price_x96
        self.tick = tick
        self.liquidity = liquidity
        self.unlocked = True

    def copy(self) -> V3Pool:
        """An independent snapshot: quote or try swaps on it without touching this pool."""
        new = V3Pool.__new__(V3Pool)
        for name in V3Pool.__slots__:
            setattr(new, name, getattr(self, name))
        new.ticks = {
            t: TickInfo(
                i.liquidity_gross,
                i.liquidity_net,
                i.fee_growth_outside0_x128,
                i.fee_growth_outside1_x128,
            )
            for t, i in self.ticks.items()
        }
        new.bitmap = dict(self.bitmap)
        new.positions = {
            k: PositionInfo(
                p.liquidity,
                p.fee_growth_inside0_last_x128,
                p.fee_growth_inside1_last_x128,
                p.tokens_owed0,
                p.tokens_owed1,
            )
            for k, p in self.positions.items()
        }
        return new

    # -- liquidity ------------------------------------------------------------------------------

    def mint(
        self, tick_lower: int, tick_upper: int, amount: int, owner: str = ""
    ) -> tuple[int, int]:
        """Add ``amount`` liquidity to [tick_lower, tick_upper); returns the tokens paid in."""
        if not self.unlocked:
            raise V3Revert("LOK", "pool locked or not initialized")
        if amount <= 0:
            raise V3Revert("", "mint amount must be > 0")
        if amount > MAX_INT128:
            raise V3Revert("", f"mint amount {amount} does not fit int128")
        a0, a1 = self._modify_position(owner, tick_lower, tick_upper, amount)
        self.balance0 += a0
        self.balance1 += a1
        return a0, a1

    def burn(
        self, tick_lower: int, tick_upper: int, amount: int, owner: str = ""
    ) -> tuple[int, int]:
        """Remove ``amount`` liquidity; the tokens become owed to the position (:meth:`collect`)."""
        if not self.unlocked:
            raise V3Revert("LOK", "pool locked or not initialized")
        if not 0 <= amount <= MAX_INT128:
            raise V3Revert("", f"burn amount {amount} does not fit int128")
        a0, a1 = self._modify_position(owner, tick_lower, tick_upper, -amount)
        a0, a1 = -a0, -a1
        if a0 > 0 or a1 > 0:
            pos = self.positions[(owner, tick_lower, tick_upper)]
            pos.tokens_owed0 = (pos.tokens_owed0 + a0) & MAX_UINT128
            pos.tokens_owed1 = (pos.tokens_owed1 + a1) & MAX_UINT128
        return a0, a1

    def collect(
        self,
        tick_lower: int,
        tick_upper: int,
        amount0_requested: int = MAX_UINT128,
        amount1_requested: int = MAX_UINT128,
        owner: str = "",
    ) -> tuple[int, int]:
        """Pay out up to the requested owed tokens of a position; returns what was paid."""
        if not self.unlocked:
            raise V3Revert("LOK", "pool locked or not initialized")
        pos = self.positions.get((owner, tick_lower, tick_upper))
        if pos is None:
            return 0, 0
        a0 = min(amount0_requested, pos.tokens_owed0)
        a1 = min(amount1_requested, pos.tokens_owed1)
        pos.tokens_owed0 -= a0
        pos.tokens_owed1 -= a1
        self.balance0 -= a0
        self.balance1 -= a1
        return a0, a1

    def _modify_position(
        self, owner: str, tick_lower: int, tick_upper: int, delta: int
    ) -> tuple[int, int]:
        if tick_lower >= tick_upper:
            raise V3Revert("TLU", f"tickLower {tick_lower} >= tickUpper {tick_upper}")
        if tick_lower < MIN_TICK:
            raise V3Revert("TLM", f"tickLower {tick_lower} < MIN_TICK")
        if tick_upper > MAX_TICK:
            raise V3Revert("TUM", f"tickUpper {tick_upper} > MAX_TICK")
        self._update_position(owner, tick_lower, tick_upper, delta)
        if delta == 0:
            return 0, 0
        sqrt_lower = sqrt_ratio_at_tick(tick_lower)
        sqrt_upper = sqrt_ratio_at_tick(tick_upper)
        if self.tick < tick_lower:
            return get_amount0_delta_signed(sqrt_lower, sqrt_upper, delta), 0
        if self.tick < tick_upper:
            a0 = get_amount0_delta_signed(self.sqrt_price_x96, sqrt_upper, delta)
            a1 = get_amount1_delta_signed(sqrt_lower, self.sqrt_price_x96, delta)
            self.liquidity = _add_delta(self.liquidity, delta)
            return a0, a1
        return 0, get_amount1_delta_signed(sqrt_lower, sqrt_upper, delta)

    def _update_position(self, owner: str, tick_lower: int, tick_upper: int, delta: int) -> None:
        # every check first, so that a revert leaves the pool as it was
        key = (owner, tick_lower, tick_upper)
        pos = self.positions.get(key) or PositionInfo()
        if delta == 0:
            if pos.liquidity <= 0:
                raise V3Revert("NP", f"position {key} has no liquidity to poke")
            liquidity_next = pos.liquidity
        else:
            liquidity_next = _add_delta(pos.liquidity, delta)
        in_range = tick_lower <= self.tick < tick_upper
        if delta != 0 and in_range:
            _add_delta(self.liquidity, delta)
        fg0, fg1 = self.fee_growth_global0_x128, self.fee_growth_global1_x128
        flipped: list[int] = []
        updates: list[tuple[int, int, int]] = []
        if delta != 0:
            for t, upper in ((tick_lower, False), (tick_upper, True)):
                info = self.ticks.get(t)
                gross_before = info.liquidity_gross if info else 0
                net_before = info.liquidity_net if info else 0
                gross_after = _add_delta(gross_before, delta)
                if gross_after > self.max_liquidity_per_tick:
                    raise V3Revert("LO", f"liquidity at tick {t} exceeds the per-tick maximum")
                net_after = net_before - delta if upper else net_before + delta
                if not -(1 << 127) <= net_after <= MAX_INT128:
                    raise V3Revert("", f"liquidityNet at tick {t} overflows int128")
                if (gross_after == 0) != (gross_before == 0):
                    if t % self.tick_spacing:
                        raise V3Revert("", f"tick {t} is not a multiple of {self.tick_spacing}")
                    flipped.append(t)
                updates.append((t, gross_after, net_after))
        # apply
        for t, gross_after, net_after in updates:
            info = self.ticks.get(t)
            if info is None:
                info = self.ticks[t] = TickInfo()
                if t <= self.tick:
                    info.fee_growth_outside0_x128 = fg0
                    info.fee_growth_outside1_x128 = fg1
            info.liquidity_gross = gross_after
            info.liquidity_net = net_after
        for t in flipped:
            flip_tick(self.bitmap, t, self.tick_spacing)
        fgi0, fgi1 = self._fee_growth_inside(tick_lower, tick_upper)
        owed0 = mul_div(
            (fgi0 - pos.fee_growth_inside0_last_x128) & MAX_UINT256, pos.liquidity, Q128
        )
        owed1 = mul_div(
            (fgi1 - pos.fee_growth_inside1_last_x128) & MAX_UINT256, pos.liquidity, Q128
        )
        pos.liquidity = liquidity_next
        pos.fee_growth_inside0_last_x128 = fgi0
        pos.fee_growth_inside1_last_x128 = fgi1
        pos.tokens_owed0 = (pos.tokens_owed0 + (owed0 & MAX_UINT128)) & MAX_UINT128
        pos.tokens_owed1 = (pos.tokens_owed1 + (owed1 & MAX_UINT128)) & MAX_UINT128
        self.positions[key] = pos
        if delta < 0:
            for t in flipped:
                del self.ticks[t]

    def _fee_growth_inside(self, tick_lower: int, tick_upper: int) -> tuple[int, int]:
        lower = self.ticks.get(tick_lower) or TickInfo()
        upper = self.ticks.get(tick_upper) or TickInfo()
        g0, g1 = self.fee_growth_global0_x128, self.fee_growth_global1_x128
        if self.tick >= tick_lower:
            b0, b1 = lower.fee_growth_outside0_x128, lower.fee_growth_outside1_x128
        else:
            b0, b1 = g0 - lower.fee_growth_outside0_x128, g1 - lower.fee_growth_outside1_x128
        if self.tick < tick_upper:
            a0, a1 = upper.fee_growth_outside0_x128, upper.fee_growth_outside1_x128
        else:
            a0, a1 = g0 - upper.fee_growth_outside0_x128, g1 - upper.fee_growth_outside1_x128
        return (g0 - b0 - a0) & MAX_UINT256, (g1 - b1 - a1) & MAX_UINT256

    # -- swaps ----------------------------------------------------------------------------------

    def swap(
        self, zero_for_one: bool, amount_specified: int, sqrt_price_limit_x96: int
    ) -> tuple[int, int]:
        """Swap as ``IUniswapV3Pool.swap``: ``amount_specified`` > 0 exact input, < 0 exact
        output; returns the pool's (amount0, amount1) deltas (positive = paid into the pool)."""
        r = self._swap(zero_for_one, amount_specified, sqrt_price_limit_x96, True)
        return r[0], r[1]

    def quote_swap(
        self, zero_for_one: bool, amount_specified: int, sqrt_price_limit_x96: int
    ) -> SwapResult:
        """What :meth:`swap` would do, without changing the pool."""
        return SwapResult(*self._swap(zero_for_one, amount_specified, sqrt_price_limit_x96, False))

    def swap_result(
        self, zero_for_one: bool, amount_specified: int, sqrt_price_limit_x96: int
    ) -> SwapResult:
        """:meth:`swap`, returning the full :class:`SwapResult`."""
        return SwapResult(*self._swap(zero_for_one, amount_specified, sqrt_price_limit_x96, True))

    def _swap(
        self, zero_for_one: bool, amount_specified: int, limit: int, commit: bool
    ) -> tuple[int, int, int, int, int, int, int, int, int]:
        if amount_specified == 0:
            raise V3Revert("AS", "amountSpecified is zero")
        if not self.unlocked:
            raise V3Revert("LOK", "pool locked or not initialized")
        sqrt_p = self.sqrt_price_x96
        if zero_for_one:
            if not MIN_SQRT_RATIO < limit < sqrt_p:
                raise V3Revert("SPL", f"limit {limit} not in (MIN_SQRT_RATIO, price {sqrt_p})")
            fee_protocol = self.fee_protocol & 15
            fg = self.fee_growth_global0_x128
        else:
            if not sqrt_p < limit < MAX_SQRT_RATIO:
                raise V3Revert("SPL", f"limit {limit} not in (price {sqrt_p}, MAX_SQRT_RATIO)")
            fee_protocol = self.fee_protocol >> 4
            fg = self.fee_growth_global1_x128
        if not -(1 << 255) <= amount_specified <= MAX_INT256:
            raise V3Revert("", f"amountSpecified {amount_specified} does not fit int256")
        exact_input = amount_specified > 0
        remaining = amount_specified
        calculated = 0
        tick = self.tick
        liquidity = self.liquidity
        protocol_fee = fee_total = steps = 0
        crossed: list[tuple[int, int]] | None = None
        ticks = self.ticks
        bitmap = self.bitmap
        spacing = self.tick_spacing
        fee = self.fee

        while remaining != 0 and sqrt_p != limit:
            steps += 1
            start = sqrt_p
            tick_next, initialized = next_initialized_tick_within_one_word(
                bitmap, tick, spacing, zero_for_one
            )
            if tick_next < MIN_TICK:
                tick_next = MIN_TICK
            elif tick_next > MAX_TICK:
                tick_next = MAX_TICK
            sqrt_next = sqrt_ratio_at_tick(tick_next)
            if zero_for_one:
                target = limit if sqrt_next < limit else sqrt_next
            else:
                target = limit if sqrt_next > limit else sqrt_next
            sqrt_p, amount_in, amount_out, fee_amount = compute_swap_step(
                sqrt_p, target, liquidity, remaining, fee
            )
            paid = amount_in + fee_amount
            if paid > MAX_INT256 or amount_out > MAX_INT256:
                raise V3Revert("", "swap step amount does not fit int256")
            if exact_input:
                remaining -= paid
                calculated -= amount_out
            else:
                remaining += amount_out
                calculated += paid
            fee_total += fee_amount
            if fee_protocol:
                delta = fee_amount // fee_protocol
                fee_amount -= delta
                protocol_fee += delta
            if liquidity:
                fg = (fg + fee_amount * Q128 // liquidity) & MAX_UINT256
            if sqrt_p == sqrt_next:
                if initialized:
                    net = ticks[tick_next].liquidity_net
                    if crossed is None:
                        crossed = []
                    crossed.append((tick_next, fg))
                    liquidity = _add_delta(liquidity, -net if zero_for_one else net)
                tick = tick_next - 1 if zero_for_one else tick_next
            elif sqrt_p != start:
                tick = get_tick_at_sqrt_ratio(sqrt_p)

        if zero_for_one == exact_input:
            amount0, amount1 = amount_specified - remaining, calculated
        else:
            amount0, amount1 = calculated, amount_specified - remaining
        if (amount0 < 0 and -amount0 > self.balance0) or (amount1 < 0 and -amount1 > self.balance1):
            raise V3Revert("TF", "the pool holds less than the swap pays out")
        if commit:
            self._commit_swap(zero_for_one, sqrt_p, tick, liquidity, fg, protocol_fee, crossed)
            self.balance0 += amount0
            self.balance1 += amount1
        n_crossed = len(crossed) if crossed else 0
        return (
            amount0,
            amount1,
            sqrt_p,
            tick,
            liquidity,
            fee_total,
            protocol_fee,
            steps,
            n_crossed,
        )

    def _commit_swap(
        self,
        zero_for_one: bool,
        sqrt_p: int,
        tick: int,
        liquidity: int,
        fg: int,
        protocol_fee: int,
        crossed: list[tuple[int, int]] | None,
    ) -> None:
        if crossed:
            other = self.fee_growth_global1_x128 if zero_for_one else self.fee_growth_global0_x128
            for t, fg_at in crossed:
                info = self.ticks[t]
                g0, g1 = (fg_at, other) if zero_for_one else (other, fg_at)
                info.fee_growth_outside0_x128 = (g0 - info.fee_growth_outside0_x128) & MAX_UINT256
                info.fee_growth_outside1_x128 = (g1 - info.fee_growth_outside1_x128) & MAX_UINT256
        self.sqrt_price_x96 = sqrt_p
        self.tick = tick
        self.liquidity = liquidity
        if zero_for_one:
            self.fee_growth_global0_x128 = fg
            self.protocol_fees0 = (self.protocol_fees0 + protocol_fee) & MAX_UINT128
        else:
            self.fee_growth_global1_x128 = fg
            self.protocol_fees1 = (self.protocol_fees1 + protocol_fee) & MAX_UINT128
