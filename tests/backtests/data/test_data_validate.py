"""Every validation check rejects a bad file with the row, timestamp, field, value and count."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from dexagent.backtests.data import bundled_dataset, load_bars, validate_bars
from dexagent.core.errors import DataError

HEADER = "timestamp_ms,open,high,low,close,volume"
T0 = 1_672_531_200_000  # 2023-01-01 00:00 UTC
STEP = 300_000


def good_rows(n: int = 6) -> list[list[str]]:
    return [[str(T0 + i * STEP), "100.0", "101.0", "99.0", "100.5", "10.0"] for i in range(n)]


def write(tmp_path: Path, rows: list[list[str]], name: str = "bars.csv") -> Path:
    path = tmp_path / name
    path.write_text("\n".join([HEADER, *(",".join(r) for r in rows)]) + "\n")
    return path


def error_for(tmp_path: Path, rows: list[list[str]]) -> str:
    path = write(tmp_path, rows)
    with pytest.raises(DataError) as info:
        load_bars(path)
    message = str(info.value)
    assert str(path) in message
    return message


def test_valid_file_loads_without_problems(tmp_path: Path) -> None:
    bars = load_bars(write(tmp_path, good_rows()))
    report = validate_bars(bars)
    assert report.ok and report.rows == 6 and report.gap_count == 0


def test_nan_price_names_row_timestamp_field_and_count(tmp_path: Path) -> None:
    rows = good_rows()
    rows[2][4] = "NaN"
    rows[4][4] = ""
    message = error_for(tmp_path, rows)
    assert f"data row 3 (timestamp {T0 + 2 * STEP}" in message
    assert "field 'close'" in message and "nan" in message
    assert "not a finite number" in message and "2 rows fail this check" in message


def test_non_positive_price_is_rejected(tmp_path: Path) -> None:
    rows = good_rows()
    rows[1][1] = "0"
    message = error_for(tmp_path, rows)
    assert "data row 2" in message and "field 'open'" in message and "value 0.0" in message
    assert "price is not positive" in message and "it is the only row" in message


def test_high_below_open_or_close_is_rejected(tmp_path: Path) -> None:
    rows = good_rows()
    rows[3][2] = "100.2"  # close is 100.5
    rows[5][2] = "100.1"
    message = error_for(tmp_path, rows)
    assert "data row 4" in message and "field 'high'" in message and "value 100.2" in message
    assert "high is below max(open, close)" in message and "2 rows fail" in message


def test_low_above_open_or_close_is_rejected(tmp_path: Path) -> None:
    rows = good_rows()
    rows[0][3] = "100.2"  # open is 100.0
    message = error_for(tmp_path, rows)
    assert "data row 1" in message and "field 'low'" in message and "value 100.2" in message
    assert "low is above min(open, close)" in message


def test_negative_volume_is_rejected(tmp_path: Path) -> None:
    rows = good_rows()
    rows[5][5] = "-1.5"
    message = error_for(tmp_path, rows)
    assert f"data row 6 (timestamp {T0 + 5 * STEP}" in message
    assert "field 'volume'" in message and "value -1.5" in message and "negative" in message


def test_unsorted_timestamps_are_rejected(tmp_path: Path) -> None:
    rows = good_rows()
    rows[2][0], rows[3][0] = rows[3][0], rows[2][0]
    message = error_for(tmp_path, rows)
    assert f"data row 4 (timestamp {T0 + 2 * STEP}" in message
    assert "field 'timestamp_ms'" in message and "earlier than the row before" in message
    assert "Sort the rows" in message


def test_duplicate_timestamps_are_rejected(tmp_path: Path) -> None:
    rows = good_rows()
    rows.insert(3, list(rows[2]))
    message = error_for(tmp_path, rows)
    assert f"data row 4 (timestamp {T0 + 2 * STEP}" in message
    assert "repeats the row before" in message


def test_overlapping_bars_are_rejected(tmp_path: Path) -> None:
    rows = good_rows()
    rows[4][0] = str(T0 + 3 * STEP + 60_000)
    message = error_for(tmp_path, rows)
    assert "data row 5" in message and "less than one timeframe (5m)" in message


def test_missing_columns_are_named_with_what_was_found(tmp_path: Path) -> None:
    path = tmp_path / "bars.csv"
    path.write_text("timestamp_ms,open,high,close\n1,1,1,1\n")
    with pytest.raises(DataError, match="missing column\\(s\\) low, volume; found timestamp_ms"):
        load_bars(path)


def test_non_numeric_value_is_named(tmp_path: Path) -> None:
    rows = good_rows()
    rows[4][2] = "10x1"
    message = error_for(tmp_path, rows)
    assert f"data row 5 (timestamp {T0 + 4 * STEP})" in message
    assert "field 'high', value '10x1'" in message and "not a decimal number" in message


def test_missing_timestamp_is_named(tmp_path: Path) -> None:
    rows = good_rows()
    rows[1][0] = ""
    message = error_for(tmp_path, rows)
    assert "data row 2, field 'timestamp_ms'" in message and "missing timestamp" in message


def test_several_failed_checks_are_all_reported(tmp_path: Path) -> None:
    rows = good_rows()
    rows[1][5] = "-1"
    rows[3][1] = "-5"
    bars = load_bars(write(tmp_path, rows), validate=False)
    report = validate_bars(bars, source="x.csv")
    assert [p.check for p in report.problems] == [
        "positive_price",
        "low_bounds",
        "volume_nonnegative",
    ]
    with pytest.raises(DataError, match="Other failed checks: low_bounds, volume_nonnegative"):
        report.raise_for_problems()


def test_gaps_are_reported_not_filled(tmp_path: Path) -> None:
    rows = good_rows(10)
    del rows[3:6]  # 3 bars missing after data row 3
    del rows[-1:]
    rows.append([str(T0 + 11 * STEP), "100.0", "101.0", "99.0", "100.5", "10.0"])  # 2 missing
    bars = load_bars(write(tmp_path, rows))
    report = validate_bars(bars)
    assert len(bars) == 7
    assert (report.gap_count, report.missing_bars) == (2, 5)
    assert report.longest_gap is not None
    assert report.longest_gap.start_ms == T0 + 3 * STEP
    assert report.longest_gap.end_ms == T0 + 5 * STEP
    assert report.longest_gap.missing_bars == 3 and report.longest_gap.after_row == 3


def test_real_eth_file_has_one_gap_of_16_bars_on_2023_03_24() -> None:
    bars = load_bars(bundled_dataset("ETH/USDT"))
    report = validate_bars(bars)
    assert report.ok
    assert report.rows == 104_816 and report.timeframe_ms == STEP
    assert (report.gap_count, report.missing_bars) == (1, 16)
    gap = report.longest_gap
    assert gap is not None
    assert gap.start_ms == 1_679_661_600_000  # 2023-03-24 12:40 UTC
    assert gap.end_ms == 1_679_666_100_000  # 2023-03-24 13:55 UTC
    assert bars.timestamp_ms[gap.after_row - 1] == gap.start_ms - STEP
    assert bars.timestamp_ms[gap.after_row] == gap.end_ms + STEP
    assert "2023-03-24 12:40 UTC -> 2023-03-24 13:55 UTC" in report.summary()


def test_timeframe_is_inferred_as_most_common_step(tmp_path: Path) -> None:
    rows = good_rows(8)
    del rows[2]
    del rows[4]
    bars = load_bars(write(tmp_path, rows))
    assert bars.timeframe_ms == STEP
    assert np.array_equal(np.diff(bars.timestamp_ms)[[1, 3]], [2 * STEP, 2 * STEP])
