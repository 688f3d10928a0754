"""Market data for backtests: load and validate OHLCV files, resample, bundled data, download."""

from dexagent.backtests.data.bundled import bundled_dataset
from dexagent.backtests.data.fetch import FetchProgress, Pacer, fetch_ohlcv
from dexagent.backtests.data.load import load_bars
from dexagent.backtests.data.resample import resample
from dexagent.backtests.data.store import write_bars_parquet
from dexagent.backtests.data.timeframes import parse_timeframe
from dexagent.backtests.data.validate import DataReport, Gap, Problem, validate_bars

__all__ = [
    "DataReport",
    "FetchProgress",
    "Gap",
    "Pacer",
    "Problem",
    "bundled_dataset",
    "fetch_ohlcv",
    "load_bars",
    "parse_timeframe",
    "resample",
    "validate_bars",
    "write_bars_parquet",
]
