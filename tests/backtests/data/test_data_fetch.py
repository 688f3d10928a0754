"""ccxt download against a local server replaying Binance's REST API from real candles."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from dexagent.backtests.data import FetchProgress, Pacer, bundled_dataset, fetch_ohlcv, load_bars
from dexagent.backtests.data.exchange import make_exchange
from dexagent.backtests.data.fetch import cache_path
from dexagent.backtests.data.store import write_bars_parquet
from dexagent.core.bars import Bars
from dexagent.core.errors import ConfigError, TemporaryError
from tests.backtests.data.binance_replay import ReplayServer

STEP = 300_000
SINCE = 1_679_616_000_000  # 2023-03-24 00:00 UTC; the range holds the real 16-bar halt gap
UNTIL = SINCE + 350 * STEP


class FakeClock:
    """Time moves only when the code under test sleeps; every sleep is recorded."""

    def __init__(self) -> None:
        self.t = 1000.0
        self.sleeps: list[float] = []

    def now(self) -> float:
        return self.t

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.t += seconds


def fake_pacer(clock: FakeClock, max_retries: int = 2) -> Pacer:
    return Pacer(max_retries=max_retries, clock=clock.now, sleep=clock.sleep)


def source(since: int, until: int) -> Bars:
    bars = load_bars(bundled_dataset("ETH/USDT"), symbol="ETH/USDT")
    ts = bars.timestamp_ms
    return bars.slice(int(np.searchsorted(ts, since)), int(np.searchsorted(ts, until)))


def assert_same_rows(got: Bars, want: Bars) -> None:
    assert len(got) == len(want)
    for name in ("timestamp_ms", "open", "high", "low", "close", "volume"):
        assert np.array_equal(getattr(got, name), getattr(want, name)), name


def test_fetch_of_four_pages_stores_exactly_the_source_rows(
    binance: ReplayServer, tmp_path: Path
) -> None:
    seen: list[FetchProgress] = []
    path = fetch_ohlcv(
        "binance",
        "ETH/USDT",
        "5m",
        SINCE,
        UNTIL,
        tmp_path,
        api_url=binance.url,
        page_limit=100,
        progress=seen.append,
        pacer=fake_pacer(FakeClock()),
    )
    assert path == tmp_path / "binance" / "ETH-USDT_5m.parquet"
    got = load_bars(path)
    assert_same_rows(got, source(SINCE, UNTIL))
    assert len(got) == 350 - 16
    assert (got.symbol, got.timeframe_ms) == ("ETH/USDT", STEP)
    assert [p.pages for p in seen] == [1, 2, 3, 4] and seen[-1].rows == 334
    starts = [int(q["startTime"]) for q in binance.replay.klines_requests()]
    assert len(starts) == 4 and starts[0] == SINCE
    assert all(q["limit"] == "100" for q in binance.replay.klines_requests())


def test_interrupted_fetch_keeps_its_pages_and_resumes_without_duplicates(
    binance: ReplayServer, tmp_path: Path
) -> None:
    binance.replay.fail_klines_after = 2
    clock = FakeClock()
    with pytest.raises(TemporaryError, match="200 bars are saved") as info:
        fetch_ohlcv(
            "binance",
            "ETH/USDT",
            "5m",
            SINCE,
            UNTIL,
            tmp_path,
            api_url=binance.url,
            page_limit=100,
            pacer=fake_pacer(clock, max_retries=2),
        )
    assert "ExchangeNotAvailable" in str(info.value) and "3 attempts" in str(info.value)
    path = cache_path(tmp_path, "binance", "ETH/USDT", "5m")
    partial = load_bars(path)
    want = source(SINCE, UNTIL)
    assert_same_rows(partial, want.head(200))

    binance.replay.fail_klines_after = None
    before = len(binance.replay.klines_requests())
    fetch_ohlcv(
        "binance",
        "ETH/USDT",
        "5m",
        SINCE,
        UNTIL,
        tmp_path,
        api_url=binance.url,
        page_limit=100,
        pacer=fake_pacer(clock),
    )
    resumed = binance.replay.klines_requests()[before:]
    assert int(resumed[0]["startTime"]) == int(partial.timestamp_ms[-1]) + STEP
    final = load_bars(path)
    assert_same_rows(final, want)
    assert np.unique(final.timestamp_ms).size == len(final)
    assert not path.with_name(path.name + ".parts").exists()


def test_requests_are_spaced_by_the_exchange_rate_limit(
    binance: ReplayServer, tmp_path: Path
) -> None:
    clock = FakeClock()
    exchange = make_exchange("binance", api_url=binance.url)
    assert exchange.enableRateLimit is True
    fetch_ohlcv(
        "binance",
        "ETH/USDT",
        "5m",
        SINCE,
        UNTIL,
        tmp_path,
        exchange=exchange,
        page_limit=100,
        pacer=fake_pacer(clock),
    )
    requests = len(binance.replay.requests)
    assert requests == 5  # exchangeInfo + 4 pages
    assert clock.sleeps == pytest.approx([exchange.rateLimit / 1000] * (requests - 1))


def test_a_larger_configured_spacing_wins_over_the_exchange_rate_limit(
    binance: ReplayServer, tmp_path: Path
) -> None:
    clock = FakeClock()
    pacer = Pacer(min_interval_s=2.0, clock=clock.now, sleep=clock.sleep)
    fetch_ohlcv(
        "binance",
        "ETH/USDT",
        "5m",
        SINCE,
        UNTIL,
        tmp_path,
        api_url=binance.url,
        page_limit=100,
        pacer=pacer,
    )
    assert clock.sleeps == [2.0] * (len(binance.replay.requests) - 1)


def test_transient_network_errors_are_retried_with_backoff(
    binance: ReplayServer, tmp_path: Path
) -> None:
    binance.replay.transient_failures = 2
    clock = FakeClock()
    path = fetch_ohlcv(
        "binance",
        "ETH/USDT",
        "5m",
        SINCE,
        SINCE + 50 * STEP,
        tmp_path,
        api_url=binance.url,
        page_limit=100,
        pacer=fake_pacer(clock, 3),
    )
    assert len(load_bars(path)) == 50
    assert len(binance.replay.klines_requests()) == 3
    assert [s for s in clock.sleeps if s >= 1.0] == [1.0, 2.0]  # backoff 1 s, then 2 s


def test_bad_symbol_is_a_config_error_listing_markets(
    binance: ReplayServer, tmp_path: Path
) -> None:
    with pytest.raises(
        ConfigError,
        match=r"binance has no market 'ETH/USD'\. Did you mean "
        r"ETH/USDT\? binance lists 1 markets: ETH/USDT",
    ):
        fetch_ohlcv(
            "binance",
            "ETH/USD",
            "5m",
            SINCE,
            UNTIL,
            tmp_path,
            api_url=binance.url,
            pacer=fake_pacer(FakeClock()),
        )
    assert binance.replay.klines_requests() == []


def test_unknown_exchange_and_timeframe_are_config_errors(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"unknown exchange 'binanse'\. Did you mean binance"):
        fetch_ohlcv("binanse", "ETH/USDT", "5m", SINCE, UNTIL, tmp_path)
    with pytest.raises(ConfigError, match="binance has no '7m' candles; it offers 1s, 1m"):
        fetch_ohlcv("binance", "ETH/USDT", "7m", SINCE, UNTIL, tmp_path)


def test_parts_left_by_a_killed_run_are_folded_in_and_skipped(
    binance: ReplayServer, tmp_path: Path
) -> None:
    want = source(SINCE, SINCE + 200 * STEP)
    path = cache_path(tmp_path, "binance", "ETH/USDT", "5m")
    write_bars_parquet(want.head(100), path)
    parts = path.with_name(path.name + ".parts")
    write_bars_parquet(want.slice(90, 150), parts / "000000_x.parquet")  # overlaps the file
    fetch_ohlcv(
        "binance",
        "ETH/USDT",
        "5m",
        SINCE,
        SINCE + 200 * STEP,
        tmp_path,
        api_url=binance.url,
        page_limit=100,
        pacer=fake_pacer(FakeClock()),
    )
    starts = [int(q["startTime"]) for q in binance.replay.klines_requests()]
    assert starts[0] == int(want.timestamp_ms[149]) + STEP
    assert_same_rows(load_bars(path), want)


def test_fetch_starting_before_the_cache_fills_the_head(
    binance: ReplayServer, tmp_path: Path
) -> None:
    want = source(SINCE, SINCE + 120 * STEP)
    path = cache_path(tmp_path, "binance", "ETH/USDT", "5m")
    write_bars_parquet(want.slice(40, 120), path)
    fetch_ohlcv(
        "binance",
        "ETH/USDT",
        "5m",
        SINCE,
        SINCE + 120 * STEP,
        tmp_path,
        api_url=binance.url,
        page_limit=100,
        pacer=fake_pacer(FakeClock()),
    )
    assert_same_rows(load_bars(path), want)
    assert [int(q["startTime"]) for q in binance.replay.klines_requests()] == [SINCE]
