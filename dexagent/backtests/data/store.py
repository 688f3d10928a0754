"""Write bars to Parquet atomically (temp file + rename), with symbol and timeframe metadata."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from dexagent.backtests.data.load import COLUMNS, META_SYMBOL, META_TIMEFRAME
from dexagent.backtests.data.timeframes import format_timeframe
from dexagent.core.bars import Bars


def bars_table(bars: Bars, extra_metadata: dict[str, str] | None = None) -> pa.Table:
    metadata = {
        META_SYMBOL: bars.symbol.encode(),
        META_TIMEFRAME: format_timeframe(bars.timeframe_ms).encode(),
    }
    for key, value in (extra_metadata or {}).items():
        metadata[f"dexagent.{key}".encode()] = value.encode()
    arrays = [pa.array(bars.timestamp_ms, type=pa.int64())]
    arrays += [pa.array(getattr(bars, c), type=pa.float64()) for c in COLUMNS[1:]]
    return pa.Table.from_arrays(arrays, names=list(COLUMNS), metadata=metadata)


def write_parquet_atomic(table: pa.Table, path: Path) -> None:
    """Write ``table`` so that ``path`` holds either the old or the new file, never a torn one."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    os.close(fd)
    try:
        pq.write_table(table, tmp)
        with open(tmp, "rb") as handle:
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def write_bars_parquet(bars: Bars, path: str | Path, **metadata: str) -> Path:
    target = Path(path)
    write_parquet_atomic(bars_table(bars, metadata), target)
    return target
