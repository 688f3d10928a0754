"""GasModel: exact wei per swap, per-bar prices aligned point in time, exact quote valuation."""

from __future__ import annotations

import gzip
from decimal import Decimal
from pathlib import Path

import numpy as np
import pytest

from dexagent.backtests.config import GasConfig
from dexagent.connectors.simulated.gas import (
    DEFAULT_SWAP_GAS_UNITS,
    GasModel,
    cost_in_quote,
    gwei_to_wei,
    load_gas_csv,
)
from dexagent.core.errors import ConfigError, DataError
from tests.support import ETH, USDT, make_bars

GWEI = 10**9


def test_constant_price_costs_units_times_gwei_in_wei_at_any_bar() -> None:
    gas = GasModel.constant(Decimal("25.5"), units=100_000)
    assert gas.cost(0) == gas.cost(12345) == 100_000 * 25_500_000_000


def test_default_units_are_the_documented_v2_swap_figure() -> None:
    assert GasModel.constant(1).units == DEFAULT_SWAP_GAS_UNITS == 120_000


def test_gwei_below_one_wei_rounds_down_and_negative_is_rejected() -> None:
    assert gwei_to_wei(Decimal("0.0000000019")) == 1
    with pytest.raises(ConfigError, match="must be a finite number >= 0"):
        gwei_to_wei(Decimal(-1))


def test_cost_in_quote_is_exact_at_the_native_price() -> None:
    wei = 120_000 * 25 * GWEI  # 0.003 ETH
    assert cost_in_quote(wei, Decimal("2000.5"), USDT, ETH) == 6_001_500  # 6.0015 USDT
    assert GasModel.cost_in_quote(wei, Decimal("2000.5"), USDT, ETH) == 6_001_500


def test_cost_in_quote_rounds_a_fraction_of_a_unit_up() -> None:
    assert cost_in_quote(1, Decimal(2000), USDT, ETH) == 1  # 2e-9 USDT is still a cost
    assert cost_in_quote(0, Decimal(2000), USDT, ETH) == 0
    assert cost_in_quote(10**12, Decimal("1.5"), USDT, ETH) == 2  # 1.5 base units -> 2


def _write(path: Path, text: str) -> Path:
    if path.name.endswith(".gz"):
        with gzip.open(path, "wt") as fh:
            fh.write(text)
    else:
        path.write_text(text)
    return path


SERIES = "timestamp_ms,gas_price_gwei\n1000,10\n3000,20.5\n3500,30\n"


@pytest.mark.parametrize("name", ["gas.csv", "gas.csv.gz"])
def test_series_gives_each_bar_the_last_price_known_at_its_time(tmp_path: Path, name: str) -> None:
    path = _write(tmp_path / name, SERIES)
    bars_ms = np.array([0, 1000, 2000, 3000, 4000], dtype=np.int64)
    gas = GasModel.from_csv(path, bars_ms, units=1, before_first_gwei=Decimal(5))
    # bar at 3000 sees 20.5, not the 30 stamped at 3500 (a future value)
    assert [gas.cost(b) for b in range(5)] == [
        5 * GWEI,
        10 * GWEI,
        10 * GWEI,
        20_500_000_000,
        30 * GWEI,
    ]


def test_series_without_a_price_for_early_bars_names_the_bar(tmp_path: Path) -> None:
    path = _write(tmp_path / "gas.csv", SERIES)
    with pytest.raises(DataError, match=r"bar 0 \(t=500\) is before the first gas price"):
        GasModel.from_csv(path, np.array([500, 1500], dtype=np.int64))


def test_series_cost_outside_its_bars_is_an_error(tmp_path: Path) -> None:
    gas = GasModel.per_bar(np.array([GWEI, 2 * GWEI], dtype=np.int64), units=2)
    assert gas.cost(1) == 4 * GWEI
    with pytest.raises(ConfigError, match="no gas price for bar 2"):
        gas.cost(2)


@pytest.mark.parametrize(
    ("text", "match"),
    [
        ("time,gwei\n1,2\n", "header must start timestamp_ms,gas_price_gwei"),
        ("timestamp_ms,gas_price_gwei\n1,2\n1,3\n", "line 3: timestamp 1 not after 1"),
        ("timestamp_ms,gas_price_gwei\n1,abc\n", "line 2: bad row"),
        ("timestamp_ms,gas_price_gwei\n1,-4\n", "line 2: bad row"),
        ("timestamp_ms,gas_price_gwei\n", "no gas prices"),
    ],
)
def test_bad_gas_csv_names_file_and_line(tmp_path: Path, text: str, match: str) -> None:
    path = _write(tmp_path / "bad.csv", text)
    with pytest.raises(DataError, match=match) as err:
        load_gas_csv(path)
    assert "bad.csv" in str(err.value)


def test_from_config_constant_and_series(tmp_path: Path) -> None:
    bars = make_bars([1.0, 1.0, 1.0], start_ms=0, step_ms=1000)  # t = 0, 1000, 2000
    const = GasModel.from_config(GasConfig(units=50_000, price_gwei=Decimal(3)), bars)
    assert const.cost(2) == 50_000 * 3 * GWEI
    path = _write(tmp_path / "gas.csv", SERIES)
    cfg = GasConfig(units=2, price_gwei=Decimal(7), series=str(path))
    series = GasModel.from_config(cfg, bars)
    assert [series.cost(b) for b in range(3)] == [14 * GWEI, 20 * GWEI, 20 * GWEI]


def test_negative_units_or_price_are_configuration_errors() -> None:
    with pytest.raises(ConfigError, match="gas units"):
        GasModel(units=-1)
    with pytest.raises(ConfigError, match="negative price at bar 1"):
        GasModel.per_bar(np.array([1, -1], dtype=np.int64))
