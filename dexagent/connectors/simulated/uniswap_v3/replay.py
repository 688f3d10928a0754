"""Rebuild a V3 pool from its recorded MINT/BURN/SWAP events, checking every swap against the chain.

The events (columns of demeter-fetch's ``pool.tick.csv``: tx_type, block_number, log_index,
sender, amount0/amount1 as pool deltas, sqrtPriceX96, current_tick, tick_lower/upper, position
``liquidity``, ``total_liquidity`` = active liquidity after the event) cover a window whose
earlier history is unknown: which ticks hold how much liquidity outside the current range is not
in the file. So the replay starts from the first SWAP's recorded state (sqrtPriceX96, tick,
liquidity), with no initialized tick, and then for each event:

- SWAP: tries, from the simulated state, the swaps that could have produced the event: exact
  input of the amount paid in, exact output of the amount paid out (both without a price limit),
  and a swap stopped by a ``sqrtPriceLimitX96`` equal to the recorded price. The first candidate
  that reproduces amount0, amount1, sqrtPriceX96, tick and liquidity exactly is applied. When none
  does (the swap crossed ticks whose liquidity the window never showed), the pool is re-anchored to
  the recorded state (:meth:`V3Pool.force_state`) and the swap counted as *unexplained*.
- MINT: applied with :meth:`V3Pool.mint` (so later swaps cross these ticks); the amounts must
  equal the recorded ones. BURN: applied to the window position it burns (see ``_owner_of``); the
  rest (minted before the window) only lowers the active liquidity when in range. The computed
  amounts are checked against the recorded ones. COLLECT moves no liquidity and is counted.

Fee growth is exact for the swaps that were reproduced and missing for the unexplained ones; the
pool's token balances are unknown (set very large so payouts never fail).
"""

from __future__ import annotations

import csv
import gzip
from dataclasses import dataclass, field
from pathlib import Path

from dexagent.connectors.simulated.uniswap_v3.errors import V3Revert
from dexagent.connectors.simulated.uniswap_v3.full_math import MAX_INT256
from dexagent.connectors.simulated.uniswap_v3.pool import V3Pool
from dexagent.connectors.simulated.uniswap_v3.sqrt_price_math import (
    get_amount0_delta,
    get_amount1_delta,
)
from dexagent.connectors.simulated.uniswap_v3.tick_math import sqrt_ratio_at_tick
from dexagent.core.errors import DataError

_UNKNOWN_BALANCE = 1 << 200
_COLUMNS = (
    "block_number",
    "log_index",
    "tx_type",
    "sender",
    "amount0",
    "amount1",
    "total_liquidity",
    "sqrtPriceX96",
    "current_tick",
    "tick_lower",
    "tick_upper",
    "liquidity",
)


@dataclass(frozen=True, slots=True)
class Event:
    block: int
    log_index: int
    kind: str
    owner: str
    amount0: int
    amount1: int
    total_liquidity: int
    sqrt_price_x96: int
    tick: int
    tick_lower: int | None
    tick_upper: int | None
    liquidity: int | None


@dataclass(slots=True)
class ReplayStats:
    """What the replay reproduced. ``swaps`` counts the swaps after the starting one."""

    swaps: int = 0
    exact_input: int = 0
    exact_output: int = 0
    price_limit: int = 0
    unexplained: int = 0
    multi_step_reproduced: int = 0
    mints: int = 0
    mints_matched: int = 0
    burns: int = 0
    burns_matched: int = 0
    burns_before_window: int = 0
    collects: int = 0
    skipped_before_start: int = 0
    liquidity_resyncs: int = 0
    unexplained_at: list[tuple[int, int]] = field(default_factory=list)

    @property
    def reproduced(self) -> int:
        return self.exact_input + self.exact_output + self.price_limit

    @property
    def match_rate(self) -> float:
        return self.reproduced / self.swaps if self.swaps else 0.0


@dataclass(frozen=True, slots=True)
class ReplayResult:
    pool: V3Pool
    stats: ReplayStats


def read_events(path: str | Path) -> list[Event]:
    """The events of ``path`` (.csv or .csv.gz) in chain order; a bad row names its line."""
    p = Path(path)
    if not p.is_file():
        raise DataError(f"V3 events file {p} not found")
    opener = gzip.open if p.name.endswith(".gz") else open
    out: list[Event] = []
    with opener(p, "rt", newline="") as fh:
        reader = csv.DictReader(fh)
        missing = [c for c in _COLUMNS if c not in (reader.fieldnames or [])]
        if missing:
            raise DataError(f"{p}: missing columns {missing}")
        for line, row in enumerate(reader, start=2):
            try:
                out.append(
                    Event(
                        int(row["block_number"]),
                        int(row["log_index"]),
                        row["tx_type"],
                        row["sender"].lower(),
                        int(row["amount0"]),
                        int(row["amount1"]),
                        int(row["total_liquidity"]),
                        int(row["sqrtPriceX96"]),
                        int(row["current_tick"]),
                        int(row["tick_lower"]) if row["tick_lower"] else None,
                        int(row["tick_upper"]) if row["tick_upper"] else None,
                        int(row["liquidity"]) if row["liquidity"] else None,
                    )
                )
            except (ValueError, KeyError) as exc:
                raise DataError(f"{p}, line {line}: bad row: {exc}") from None
    keys = [(e.block, e.log_index) for e in out]
    if keys != sorted(keys):
        raise DataError(f"{p}: events are not in (block_number, log_index) order")
    return out


def replay(path: str | Path, *, fee: int = 500, tick_spacing: int = 10) -> ReplayResult:
    """Replay ``path`` (see the module docstring); ``fee``/``tick_spacing`` of the pool."""
    events = read_events(path)
    stats = ReplayStats()
    start = next((i for i, e in enumerate(events) if e.kind == "SWAP"), None)
    if start is None:
        raise DataError(f"{path}: no SWAP event to start the replay from")
    first = events[start]
    stats.skipped_before_start = start
    pool = V3Pool(fee, tick_spacing)
    pool.force_state(first.sqrt_price_x96, first.tick, first.total_liquidity)
    pool.balance0 = pool.balance1 = _UNKNOWN_BALANCE
    for e in events[start + 1 :]:
        if e.kind == "SWAP":
            _replay_swap(pool, e, stats)
        elif e.kind == "MINT":
            _replay_mint(pool, e, stats)
        elif e.kind == "BURN":
            _replay_burn(pool, e, stats)
        elif e.kind == "COLLECT":
            stats.collects += 1
        else:
            raise DataError(f"{path}: unknown event type {e.kind!r} at block {e.block}")
    return ReplayResult(pool, stats)


def replay_events(path: str | Path, *, fee: int = 500, tick_spacing: int = 10) -> V3Pool:
    """The pool rebuilt from ``path``; :func:`replay` also returns the match statistics."""
    return replay(path, fee=fee, tick_spacing=tick_spacing).pool


def _replay_swap(pool: V3Pool, e: Event, stats: ReplayStats) -> None:
    stats.swaps += 1
    zero_for_one = e.amount0 > 0 or (e.amount0 == 0 and e.amount1 < 0)
    paid_in = e.amount0 if zero_for_one else e.amount1
    paid_out = -(e.amount1 if zero_for_one else e.amount0)
    no_limit = 4295128740 if zero_for_one else 1461446703485210103287273052203988822378723970341
    candidates = (
        ("exact_input", paid_in, no_limit),
        ("exact_output", -paid_out, no_limit),
        ("price_limit", MAX_INT256, e.sqrt_price_x96),
    )
    want = (e.amount0, e.amount1, e.sqrt_price_x96, e.tick, e.total_liquidity)
    for kind, amount, limit in candidates:
        if amount == 0:
            continue
        try:
            r = pool.quote_swap(zero_for_one, amount, limit)
        except V3Revert:
            continue
        if (r.amount0, r.amount1, r.sqrt_price_x96, r.tick, r.liquidity) == want:
            pool.swap(zero_for_one, amount, limit)
            setattr(stats, kind, getattr(stats, kind) + 1)
            if r.steps > 1:
                stats.multi_step_reproduced += 1
            return
    stats.unexplained += 1
    stats.unexplained_at.append((e.block, e.log_index))
    pool.force_state(e.sqrt_price_x96, e.tick, e.total_liquidity)


def _replay_mint(pool: V3Pool, e: Event, stats: ReplayStats) -> None:
    assert e.tick_lower is not None and e.tick_upper is not None and e.liquidity is not None
    stats.mints += 1
    a0, a1 = pool.mint(e.tick_lower, e.tick_upper, e.liquidity, owner=e.owner)
    if (a0, a1) == (e.amount0, e.amount1):
        stats.mints_matched += 1
    _resync(pool, e, stats)


def _replay_burn(pool: V3Pool, e: Event, stats: ReplayStats) -> None:
    assert e.tick_lower is not None and e.tick_upper is not None and e.liquidity is not None
    stats.burns += 1
    tl, tu, amount = e.tick_lower, e.tick_upper, e.liquidity
    owner = _owner_of(pool, e.owner, tl, tu, amount)
    pos = pool.positions.get((owner, tl, tu))
    known = min(amount, pos.liquidity) if pos is not None else 0
    a0 = a1 = 0
    if known or (amount == 0 and pos is not None and pos.liquidity > 0):
        a0, a1 = pool.burn(tl, tu, known, owner=owner)
    rest = amount - known
    if rest:  # liquidity minted before the window: its ticks are unknown here
        stats.burns_before_window += 1
        lo, hi = sqrt_ratio_at_tick(tl), sqrt_ratio_at_tick(tu)
        if pool.tick < tl:
            a0 += get_amount0_delta(lo, hi, rest, False)
        elif pool.tick < tu:
            a0 += get_amount0_delta(pool.sqrt_price_x96, hi, rest, False)
            a1 += get_amount1_delta(lo, pool.sqrt_price_x96, rest, False)
            pool.liquidity -= min(rest, pool.liquidity)
        else:
            a1 += get_amount1_delta(lo, hi, rest, False)
    if (a0, a1) == (e.amount0, e.amount1):
        stats.burns_matched += 1
    _resync(pool, e, stats)


def _owner_of(pool: V3Pool, owner: str, tl: int, tu: int, amount: int) -> str:
    """The window position a burn takes liquidity from. The file names a Mint by its caller
    (``sender``), a Burn by the position owner; they differ for contracts that mint on behalf
    of another address, so a burn falls back to a window position on the same ticks, one with
    exactly ``amount`` first."""
    pos = pool.positions.get((owner, tl, tu))
    if pos is not None and pos.liquidity >= amount:
        return owner
    same = [(o, p.liquidity) for (o, lo, hi), p in pool.positions.items() if (lo, hi) == (tl, tu)]
    for o, liq in same:
        if liq == amount:
            return o
    for o, liq in same:
        if liq > amount:
            return o
    return owner


def _resync(pool: V3Pool, e: Event, stats: ReplayStats) -> None:
    if (pool.sqrt_price_x96, pool.tick, pool.liquidity) != (
        e.sqrt_price_x96,
        e.tick,
        e.total_liquidity,
    ):
        stats.liquidity_resyncs += 1
        pool.force_state(e.sqrt_price_x96, e.tick, e.total_liquidity)
