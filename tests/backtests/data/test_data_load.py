"""CSV, CSV.gz and Parquet load to the same columnar bars; metadata and file errors."""

from __future__ import annotations

import gzip
import shutil
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from dexagent.backtests.data import bundled_dataset, load_bars, write_bars_parquet
from dexagent.core.bars import Bars
from dexagent.core.errors import ConfigError, DataError

FIELDS = ("timestamp_ms", "open", "high", "low", "close", "volume")


def assert_same(a: Bars, b: Bars) -> None:
    assert len(a) == len(b) and a.timeframe_ms == b.timeframe_ms
    for name in FIELDS:
        assert np.array_equal(getattr(a, name), getattr(b, name)), name


def test_csv_gz_csv_and_parquet_load_identical_bars(tmp_path: Path) -> None:
    gz = bundled_dataset("ETH/USDT")
    plain = tmp_path / "eth.csv"
    with gzip.open(gz, "rb") as src, plain.open("wb") as dst:
        shutil.copyfileobj(src, dst)
    from_gz = load_bars(gz)
    parquet = write_bars_parquet(from_gz, tmp_path / "eth.parquet")
    from_csv = load_bars(plain)
    from_parquet = load_bars(parquet)
    assert_same(from_gz, from_csv)
    assert_same(from_gz, from_parquet)
    assert from_gz.timestamp_ms.dtype == np.int64 and from_gz.close.dtype == np.float64
    assert len(from_gz) == 104_816
    assert (from_gz.timestamp_ms[0], from_gz.close[0]) == (1_672_531_200_000, 1196.32)


def test_parquet_metadata_supplies_symbol_and_timeframe(tmp_path: Path) -> None:
    bars = load_bars(bundled_dataset("BTC/USDT"), symbol="BTC/USDT").head(3)
    path = write_bars_parquet(bars, tmp_path / "btc.parquet")
    again = load_bars(path)
    assert (again.symbol, again.timeframe_ms) == ("BTC/USDT", 300_000)
    assert load_bars(path, symbol="X", timeframe="5m").symbol == "X"


def test_parquet_with_datetime_and_float32_columns_is_converted(tmp_path: Path) -> None:
    ts = np.array([0, 60_000, 120_000], dtype="datetime64[ms]")
    table = pa.table(
        {
            "timestamp_ms": pa.array(ts),
            **{c: pa.array(np.array([1, 2, 3], dtype=np.float32)) for c in FIELDS[1:]},
        }
    )
    pq.write_table(table, tmp_path / "x.parquet")
    bars = load_bars(tmp_path / "x.parquet")
    assert bars.timestamp_ms.tolist() == [0, 60_000, 120_000]
    assert bars.close.dtype == np.float64 and bars.timeframe_ms == 60_000


def test_explicit_timeframe_overrides_inference(tmp_path: Path) -> None:
    path = tmp_path / "b.csv"
    path.write_text("timestamp_ms,open,high,low,close,volume\n0,1,1,1,1,0\n3600000,1,1,1,1,0\n")
    assert load_bars(path).timeframe_ms == 3_600_000
    with pytest.raises(DataError, match="less than one timeframe \\(1d\\)"):
        load_bars(path, timeframe="1d")


def test_missing_file_and_unknown_suffix_are_data_errors(tmp_path: Path) -> None:
    with pytest.raises(DataError, match="no such file"):
        load_bars(tmp_path / "absent.csv")
    odd = tmp_path / "bars.json"
    odd.write_text("{}")
    with pytest.raises(DataError, match=r"use one of \.csv, \.csv\.gz, \.parquet"):
        load_bars(odd)


def test_bad_timeframe_string_is_config_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="Calendar months"):
        load_bars(bundled_dataset("ETH/USDT"), timeframe="1M")


def test_bundled_dataset_lists_available_symbols() -> None:
    assert bundled_dataset("eth-usdt").name == "binance_spot_ETHUSDT_5m_2023.csv.gz"
    assert bundled_dataset("BTC/USDT").is_file()
    with pytest.raises(ConfigError, match="available: ETH/USDT, BTC/USDT"):
        bundled_dataset("SOL/USDT")


def test_loaded_arrays_are_writable_whatever_the_format(tmp_path: Path) -> None:
    bars = load_bars(bundled_dataset("ETH/USDT")).head(10)
    for path in (write_bars_parquet(bars, tmp_path / "a.parquet"), bundled_dataset("ETH/USDT")):
        loaded = load_bars(path)
        assert all(getattr(loaded, f).flags.writeable for f in FIELDS)
