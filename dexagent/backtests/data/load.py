"""Read OHLCV files (CSV, CSV.gz, Parquet) into columnar ``Bars`` with pyarrow, then validate.

The expected columns are ``timestamp_ms,open,high,low,close,volume`` (``timestamp_ms`` is the
bar open time in UTC epoch milliseconds). Extra columns are ignored.
"""

from __future__ import annotations

import gzip
from pathlib import Path
from typing import TypeVar

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from dexagent.backtests.data.timeframes import parse_timeframe
from dexagent.backtests.data.validate import infer_timeframe_ms, validate_bars
from dexagent.core.bars import F64, I64, Bars
from dexagent.core.errors import DataError

_A = TypeVar("_A", F64, I64)
COLUMNS = ("timestamp_ms", "open", "high", "low", "close", "volume")
FLOAT_COLUMNS = COLUMNS[1:]
META_SYMBOL = b"dexagent.symbol"
META_TIMEFRAME = b"dexagent.timeframe"
_SUFFIXES = ".csv, .csv.gz, .parquet"


def load_bars(
    path: str | Path, *, symbol: str = "", timeframe: str | None = None, validate: bool = True
) -> Bars:
    """Load and (by default) validate one OHLCV file; ``DataError`` names file, row and field.

    ``timeframe`` defaults to the file's own metadata (Parquet written by dexagent) or else the
    most common step between bars. ``symbol`` defaults to the Parquet metadata, if any.
    """
    file = Path(path)
    if not file.is_file():
        raise DataError(f"{file}: no such file; expected an OHLCV file ({_SUFFIXES})")
    name = file.name.lower()
    if name.endswith((".parquet", ".pq")):
        table = _read_parquet(file)
    elif name.endswith((".csv", ".csv.gz")):
        table = _read_csv(file)
    else:
        raise DataError(f"{file}: unknown file type; use one of {_SUFFIXES}")

    meta = table.schema.metadata or {}
    ts_col = table.column("timestamp_ms")
    if ts_col.null_count:
        row = int(np.argmax(pc.is_null(ts_col).to_numpy(zero_copy_only=False))) + 1
        raise DataError(
            f"{file}: data row {row}, field 'timestamp_ms', value empty: missing timestamp "
            f"({ts_col.null_count} rows have none). Every row needs epoch milliseconds."
        )
    ts = _writable(np.asarray(ts_col.to_numpy(), dtype=np.int64))
    o, h, lo, c, v = (
        _writable(np.asarray(table.column(name).to_numpy(zero_copy_only=False), dtype=np.float64))
        for name in FLOAT_COLUMNS
    )
    if timeframe is not None:
        tf = parse_timeframe(timeframe)
    elif META_TIMEFRAME in meta:
        tf = parse_timeframe(meta[META_TIMEFRAME].decode())
    else:
        tf = infer_timeframe_ms(ts)
    if not symbol and META_SYMBOL in meta:
        symbol = meta[META_SYMBOL].decode()
    bars = Bars(ts, o, h, lo, c, v, symbol=symbol, timeframe_ms=tf)
    if validate:
        validate_bars(bars, source=str(file)).raise_for_problems()
    return bars


def _writable(a: _A) -> _A:
    """Arrow may hand out read-only zero-copy views; ``Bars`` owns ordinary arrays."""
    return a if a.flags.writeable else a.copy()


def _missing(file: Path, found: list[str]) -> None:
    absent = [c for c in COLUMNS if c not in found]
    if absent:
        raise DataError(
            f"{file}: missing column(s) {', '.join(absent)}; found {', '.join(found) or 'none'}. "
            f"The header must name {','.join(COLUMNS)}."
        )


def _read_csv(file: Path) -> pa.Table:
    opener = gzip.open if file.name.lower().endswith(".gz") else open
    try:
        with opener(file, "rt", encoding="utf-8", newline="") as handle:
            header = handle.readline().strip()
    except (OSError, UnicodeDecodeError, EOFError) as exc:
        raise DataError(f"{file}: cannot read it as CSV text: {exc}") from exc
    _missing(file, [h.strip() for h in header.split(",")] if header else [])
    types = {"timestamp_ms": pa.int64(), **{c: pa.float64() for c in FLOAT_COLUMNS}}
    convert = pacsv.ConvertOptions(column_types=types, include_columns=list(COLUMNS))
    try:
        return pacsv.read_csv(file, convert_options=convert)
    except pa.ArrowInvalid as exc:
        _explain_bad_value(file)
        raise DataError(f"{file}: not a readable OHLCV CSV: {exc}") from exc


def _explain_bad_value(file: Path) -> None:
    """Find the first value that is not a number and raise ``DataError`` naming it."""
    convert = pacsv.ConvertOptions(
        column_types={c: pa.string() for c in COLUMNS}, include_columns=list(COLUMNS)
    )
    try:
        table = pacsv.read_csv(file, convert_options=convert)
    except pa.ArrowInvalid as exc:
        raise DataError(f"{file}: not a readable CSV: {exc}") from exc
    raw_ts = table.column("timestamp_ms").to_numpy(zero_copy_only=False)
    ts_num = pd.to_numeric(pd.Series(raw_ts), errors="coerce").to_numpy(dtype=np.float64)
    for column in COLUMNS:
        raw = table.column(column).to_numpy(zero_copy_only=False)
        parsed = pd.to_numeric(pd.Series(raw), errors="coerce").to_numpy(dtype=np.float64)
        present = pd.notna(pd.Series(raw)).to_numpy()
        bad = present & np.isnan(parsed)
        if column == "timestamp_ms":
            bad |= present & ~np.isnan(parsed) & (np.mod(parsed, 1.0) != 0)
        count = int(np.count_nonzero(bad))
        if count:
            i = int(np.argmax(bad))
            when = f"timestamp {int(ts_num[i])}" if np.isfinite(ts_num[i]) else "no timestamp"
            need = "an integer (epoch ms)" if column == "timestamp_ms" else "a decimal number"
            raise DataError(
                f"{file}: data row {i + 1} ({when}), field {column!r}, value {raw[i]!r}: "
                f"not {need} ({count} rows in this column fail to parse)."
            )


def _read_parquet(file: Path) -> pa.Table:
    try:
        schema = pq.read_schema(file)
    except (pa.ArrowInvalid, OSError) as exc:
        raise DataError(f"{file}: not a readable Parquet file: {exc}") from exc
    _missing(file, list(schema.names))
    table = pq.read_table(file, columns=list(COLUMNS))
    columns: list[pa.ChunkedArray] = []
    for name in COLUMNS:
        col = table.column(name)
        target = pa.int64() if name == "timestamp_ms" else pa.float64()
        try:
            if name == "timestamp_ms" and pa.types.is_timestamp(col.type):
                col = col.cast(pa.timestamp("ms", tz=col.type.tz))
            columns.append(col.cast(target))
        except (pa.ArrowInvalid, pa.ArrowNotImplementedError) as exc:
            raise DataError(
                f"{file}: field {name!r} has type {col.type}, which cannot become {target}: {exc}"
            ) from exc
    return pa.Table.from_arrays(columns, names=list(COLUMNS), metadata=schema.metadata)
