"""Fixtures for market-data tests: the Binance replay server on 127.0.0.1."""

from __future__ import annotations

from collections.abc import Iterator
from functools import cache

import pytest

from tests.backtests.data.binance_replay import (
    FIXTURES,
    BinanceReplay,
    ReplayServer,
    read_source_rows,
)


@cache
def _rows() -> tuple[list[str], ...]:
    return tuple(read_source_rows())


@pytest.fixture
def binance() -> Iterator[ReplayServer]:
    info = (FIXTURES / "binance_exchangeInfo_ETHUSDT.json").read_bytes()
    with ReplayServer(BinanceReplay(list(_rows()), info)) as server:
        yield server
