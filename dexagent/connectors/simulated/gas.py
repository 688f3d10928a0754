"""Gas for simulated swaps: gas units per swap times a gas price (constant, or one per bar).

A per-bar series comes from a CSV ``timestamp_ms,gas_price_gwei`` aligned to the bars point in
time: bar i gets the last price stamped at or before its own timestamp, never a later one.
Costs are exact ints in native base units (wei); a cost booked in quote rounds *up*, so a report
never understates what gas cost.
"""

from __future__ import annotations

import csv
import gzip
from dataclasses import dataclass
from decimal import ROUND_DOWN, Decimal, InvalidOperation
from pathlib import Path
from typing import Protocol

import numpy as np
import numpy.typing as npt

from dexagent.core.bars import Bars
from dexagent.core.errors import ConfigError, DataError
from dexagent.core.tokens import CTX, Token

I64 = npt.NDArray[np.int64]

#: Gas units of one Uniswap V2 router swap of two ERC-20 tokens. Receipts on mainnet run from
#: about 90k (warm storage) to 130k+ (cold storage, fee-on-transfer paths); 120k is a round,
#: conservative figure. Configure ``units`` from your own receipts for anything else.
DEFAULT_SWAP_GAS_UNITS = 120_000
WEI_PER_GWEI = 10**9
_MAX_WEI = int(np.iinfo(np.int64).max)


class GasSettings(Protocol):
    """What :meth:`GasModel.from_config` reads (the backtest config's ``[gas]`` section)."""

    @property
    def units(self) -> int: ...
    @property
    def price_gwei(self) -> Decimal: ...
    @property
    def series(self) -> str | None: ...


def gwei_to_wei(gwei: Decimal | int) -> int:
    """Gas price in gwei -> wei, rounded down below 1 wei (a real gas price is whole wei)."""
    d = Decimal(gwei)
    if not d.is_finite() or d < 0:
        raise ConfigError(f"gas price {gwei!r} gwei must be a finite number >= 0")
    return int(CTX.multiply(d, Decimal(WEI_PER_GWEI)).to_integral_value(rounding=ROUND_DOWN))


@dataclass(frozen=True, slots=True, eq=False)
class GasModel:
    """``units`` of gas per swap at a gas price: ``price_wei`` constant, or ``series_wei[bar]``."""

    units: int = DEFAULT_SWAP_GAS_UNITS
    price_wei: int = 0
    series_wei: I64 | None = None

    def __post_init__(self) -> None:
        if isinstance(self.units, bool) or not isinstance(self.units, int) or self.units < 0:
            raise ConfigError(f"gas units must be an int >= 0, got {self.units!r}")
        if not isinstance(self.price_wei, int) or self.price_wei < 0:
            raise ConfigError(f"gas price must be an int of wei >= 0, got {self.price_wei!r}")
        if self.series_wei is not None:
            s = self.series_wei
            if s.dtype != np.int64 or s.ndim != 1:
                raise ConfigError(
                    f"gas price series must be 1-D int64 wei, got {s.dtype} {s.shape}"
                )
            if s.size and int(s.min()) < 0:
                raise ConfigError(f"gas price series has a negative price at bar {int(s.argmin())}")

    @classmethod
    def constant(cls, price_gwei: Decimal | int, units: int = DEFAULT_SWAP_GAS_UNITS) -> GasModel:
        return cls(units, gwei_to_wei(price_gwei))

    @classmethod
    def per_bar(cls, series_wei: I64, units: int = DEFAULT_SWAP_GAS_UNITS) -> GasModel:
        """One gas price (wei) per bar; a read-only copy is kept."""
        arr = np.array(series_wei, dtype=np.int64, copy=True)
        arr.flags.writeable = False
        return cls(units, 0, arr)

    @classmethod
    def from_csv(
        cls,
        path: str | Path,
        bar_timestamps_ms: I64,
        *,
        units: int = DEFAULT_SWAP_GAS_UNITS,
        before_first_gwei: Decimal | None = None,
    ) -> GasModel:
        """Read ``path`` and align it to the bars (see :func:`align_to_bars`)."""
        ts, wei = load_gas_csv(path)
        before = None if before_first_gwei is None else gwei_to_wei(before_first_gwei)
        return cls.per_bar(align_to_bars(ts, wei, bar_timestamps_ms, before, str(path)), units)

    @classmethod
    def from_config(cls, cfg: GasSettings, bars: Bars) -> GasModel:
        """The ``[gas]`` config: constant ``price_gwei``, or ``series`` (a CSV) aligned to
        ``bars``, with ``price_gwei`` for bars older than the series' first row."""
        if cfg.series is None:
            return cls.constant(cfg.price_gwei, cfg.units)
        return cls.from_csv(
            cfg.series, bars.timestamp_ms, units=cfg.units, before_first_gwei=cfg.price_gwei
        )

    def gas_price_wei(self, bar: int) -> int:
        if self.series_wei is None:
            return self.price_wei
        n = int(self.series_wei.shape[0])
        if not 0 <= bar < n:
            raise ConfigError(f"no gas price for bar {bar}: the series covers bars 0..{n - 1}")
        return int(self.series_wei[bar])

    def cost(self, bar: int) -> int:
        """Wei one swap costs at ``bar``."""
        return self.units * self.gas_price_wei(bar)

    @staticmethod
    def cost_in_quote(wei: int, native_price: Decimal, quote: Token, native: Token) -> int:
        return cost_in_quote(wei, native_price, quote, native)


def cost_in_quote(wei: int, native_price: Decimal, quote: Token, native: Token) -> int:
    """``wei`` of ``native`` in ``quote`` base units at ``native_price`` (quote per native,
    human units), rounded up: ``ceil(wei * price * 10**quote.decimals / 10**native.decimals)``."""
    if wei < 0 or native_price < 0:
        raise ConfigError(f"gas cost {wei} wei at native price {native_price} must be >= 0")
    n, d = native_price.as_integer_ratio()
    num = wei * n * quote.unit
    den = d * native.unit
    return -(-num // den)


def load_gas_csv(path: str | Path) -> tuple[I64, I64]:
    """``(timestamp_ms, price_wei)`` from a CSV (or .csv.gz) with header
    ``timestamp_ms,gas_price_gwei``, strictly increasing timestamps; prices parsed exactly."""
    p = Path(path)
    if not p.is_file():
        raise ConfigError(f"gas price series {p} not found")
    opener = gzip.open if p.name.endswith(".gz") else open
    ts: list[int] = []
    wei: list[int] = []
    with opener(p, "rt", newline="") as fh:
        rows = csv.reader(fh)
        header = next(rows, None)
        if header is None or [h.strip() for h in header[:2]] != ["timestamp_ms", "gas_price_gwei"]:
            raise DataError(f"{p}: header must start timestamp_ms,gas_price_gwei, got {header}")
        for line, row in enumerate(rows, start=2):
            if not row:
                continue
            try:
                t = int(row[0])
                w = gwei_to_wei(Decimal(row[1].strip()))
            except (ValueError, IndexError, InvalidOperation, ConfigError) as exc:
                raise DataError(f"{p}, line {line}: bad row {row!r}: {exc}") from None
            if ts and t <= ts[-1]:
                raise DataError(f"{p}, line {line}: timestamp {t} not after {ts[-1]}")
            if w > _MAX_WEI:
                raise DataError(f"{p}, line {line}: gas price {row[1]} gwei is out of range")
            ts.append(t)
            wei.append(w)
    if not ts:
        raise DataError(f"{p}: no gas prices")
    return np.asarray(ts, dtype=np.int64), np.asarray(wei, dtype=np.int64)


def align_to_bars(
    ts: I64,
    price_wei: I64,
    bar_timestamps_ms: I64,
    before_first_wei: int | None = None,
    where: str = "gas price series",
) -> I64:
    """One price per bar: the last price stamped at or before the bar's timestamp.

    Bars older than the first price get ``before_first_wei``; with ``None`` that is an error.
    """
    if ts.shape != price_wei.shape or ts.size == 0:
        raise DataError(f"{where}: needs one price per timestamp and at least one row")
    idx = np.searchsorted(ts, bar_timestamps_ms, side="right") - 1
    early = idx < 0
    if early.any() and before_first_wei is None:
        first = int(np.argmax(early))
        raise DataError(
            f"{where}: bar {first} (t={int(bar_timestamps_ms[first])}) is before the first "
            f"gas price (t={int(ts[0])}); give a price for earlier bars or start later"
        )
    out = np.where(early, np.int64(before_first_wei or 0), price_wei[np.maximum(idx, 0)])
    return out.astype(np.int64)
