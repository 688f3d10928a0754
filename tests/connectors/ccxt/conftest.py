"""Fixtures: local replay servers for Binance spot and Hyperliquid, and ccxt clients on them."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator

import ccxt.async_support as ccxt_async
import pytest

from dexagent.backtests.data.exchange import point_api_at
from tests.connectors.ccxt.binance_fake import API_KEY, SECRET, BinanceSpot
from tests.connectors.ccxt.hyperliquid_fake import PRIVATE_KEY, WALLET, Hyperliquid
from tests.connectors.ccxt.replay import ReplayServer


@pytest.fixture
def binance_state() -> BinanceSpot:
    return BinanceSpot()


@pytest.fixture
def binance_server(binance_state: BinanceSpot) -> Iterator[ReplayServer]:
    with ReplayServer(binance_state) as server:
        yield server


@pytest.fixture
async def binance(binance_server: ReplayServer) -> AsyncIterator[ccxt_async.Exchange]:
    ex = ccxt_async.binance(
        {
            "apiKey": API_KEY,
            "secret": SECRET,
            "enableRateLimit": False,
            "timeout": 3_000,
            "options": {
                "fetchMarkets": {"types": ["spot"]},  # spot exchangeInfo only
                "fetchMargins": False,  # no sapi margin/allPairs with keys set
                "fetchCurrencies": False,  # no sapi capital/config/getall
            },
        }
    )
    point_api_at(ex, binance_server.url)
    try:
        yield ex
    finally:
        await ex.close()


@pytest.fixture
def hl_state() -> Hyperliquid:
    return Hyperliquid()


@pytest.fixture
def hl_server(hl_state: Hyperliquid) -> Iterator[ReplayServer]:
    with ReplayServer(hl_state) as server:
        yield server


@pytest.fixture
async def hyperliquid(
    hl_server: ReplayServer, hl_state: Hyperliquid
) -> AsyncIterator[ccxt_async.Exchange]:
    ex = ccxt_async.hyperliquid(
        {
            "walletAddress": WALLET,
            "privateKey": PRIVATE_KEY,
            "enableRateLimit": False,
            "timeout": 3_000,
            "options": {
                "fetchMarkets": {"types": ["spot"]},  # spotMetaAndAssetCtxs only
                "builderFee": False,  # ccxt would otherwise charge its own builder fee
                "refSet": True,  # and set a referrer code on the account
            },
        }
    )
    ex.urls["api"] = {"public": hl_server.url, "private": hl_server.url}
    hl_state.exchange = ex
    try:
        yield ex
    finally:
        await ex.close()
