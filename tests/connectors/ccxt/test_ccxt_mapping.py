"""The data tables of the ccxt connector: error mapping, capabilities, client ids, fills."""

from __future__ import annotations

import logging
from decimal import Decimal
from typing import Any

import ccxt
import pytest

from dexagent.connectors.ccxt import (
    ERROR_MAP,
    CcxtVenue,
    check_capabilities,
    client_id_style,
    map_ccxt_error,
)
from dexagent.connectors.ccxt.errors import redact
from dexagent.connectors.ccxt.fills import fill_from_trades
from dexagent.connectors.ccxt.market_data import ticker_price
from dexagent.core.errors import (
    ConfigError,
    FatalError,
    InsufficientBalance,
    RejectedError,
    TemporaryError,
)
from dexagent.core.intents import Side
from tests.connectors.ccxt.pairs import ETH_USDT


@pytest.mark.parametrize(
    ("ccxt_error", "ours"),
    [
        (ccxt.NetworkError, TemporaryError),
        (ccxt.RequestTimeout, TemporaryError),
        (ccxt.RateLimitExceeded, TemporaryError),
        (ccxt.ExchangeNotAvailable, TemporaryError),
        (ccxt.OnMaintenance, TemporaryError),
        (ccxt.InsufficientFunds, InsufficientBalance),
        (ccxt.InvalidOrder, RejectedError),
        (ccxt.OrderNotFound, RejectedError),
        (ccxt.DuplicateOrderId, RejectedError),
        (ccxt.AuthenticationError, ConfigError),
        (ccxt.PermissionDenied, ConfigError),
        (ccxt.BadSymbol, ConfigError),
        (ccxt.NotSupported, ConfigError),
        (ccxt.BadRequest, RejectedError),
        (ccxt.ExchangeError, RejectedError),
        (ccxt.BaseError, FatalError),
    ],
)
def test_ccxt_errors_map_by_type(ccxt_error: type[Exception], ours: type[Exception]) -> None:
    mapped = map_ccxt_error(ccxt_error("boom"), "ctx")
    assert type(mapped) is ours
    assert mapped.args[0].startswith(f"ctx: {ccxt_error.__name__}: boom (")


def test_error_map_lists_each_subclass_before_its_base() -> None:
    types = [t for t, _, _ in ERROR_MAP]
    for i, t in enumerate(types):
        for later in types[i + 1 :]:
            assert not issubclass(later, t), f"{later.__name__} is shadowed by {t.__name__}"


def test_redact_removes_credentials_and_signed_query_strings() -> None:
    class Ex:
        apiKey, secret, privateKey = "KEY-abc123", "SECRET-xyz789", "0xdeadbeefcafe"

    text = (
        "binance POST http://h/api/v3/order?symbol=ETHUSDT&signature=ff00 KEY-abc123 "
        "SECRET-xyz789 0xdeadbeefcafe"
    )
    out = redact(text, Ex())
    assert "KEY-abc123" not in out and "SECRET-xyz789" not in out and "deadbeef" not in out
    assert "signature" not in out and "http://h/api/v3/order" in out


def test_binance_keys_that_fit_are_used_as_client_ids_and_others_are_digested() -> None:
    style = client_id_style("binance")
    assert style.client_id("run7:bar12:ETH-USDT:0") == "run7:bar12:ETH-USDT:0"
    long_key = "x" * 40
    cid = style.client_id(long_key)
    assert len(cid) == 36 and cid.startswith("dx") and cid == style.client_id(long_key)
    assert style.client_id("has space") != style.client_id("has_space")


def test_hyperliquid_client_ids_are_128_bit_hex_and_stable() -> None:
    cid = client_id_style("hyperliquid").client_id("hl-1")
    assert len(cid) == 34 and int(cid, 16) >= 0 and cid == cid.lower()
    assert client_id_style("hyperliquid").client_id("hl-2") != cid


class _NoBook:
    id = "nobook"

    def __init__(self) -> None:
        self.has = {"createOrder": 1, "fetchOrder": 1, "fetchBalance": 1, "fetchMyTrades": 1}


def test_missing_capabilities_are_named_in_the_config_error() -> None:
    with pytest.raises(ConfigError, match="lacks fetchOrderBook") as err:
        check_capabilities(_NoBook(), "ioc", name="v")
    assert "createOrder" not in str(err.value)
    with pytest.raises(ConfigError, match="fetchOrderTrades or fetchMyTrades"):
        check_capabilities(type("X", (), {"id": "x", "has": {}})(), "ioc", name="v")
    with pytest.raises(ConfigError, match="order_type 'limit'"):
        CcxtVenue(_NoBook(), ETH_USDT, market_symbol="ETH/USDT", order_type="limit")  # type: ignore[arg-type]


def _trade(amount: str, price: str, fee: str, currency: str) -> dict[str, Any]:
    return {
        "amount": float(amount),
        "price": float(price),
        "cost": float(Decimal(amount) * Decimal(price)),
        "fee": {"cost": float(fee), "currency": currency},
        "timestamp": 1_700_000_000_000,
    }


def _fill(side: Side, trades: list[dict[str, Any]]) -> Any:
    return fill_from_trades(
        client_order_id="k",
        pair=ETH_USDT,
        side=side,
        trades=trades,
        base_codes=frozenset({"ETH"}),
        quote_codes=frozenset({"USDT"}),
        ref_price=Decimal(2000),
        venue="v",
    )


def test_sell_fee_in_quote_comes_out_of_amount_out_and_is_reported_in_base() -> None:
    fill = _fill(
        Side.SELL, [_trade("0.3", "2000", "0.6", "USDT"), _trade("0.2", "1999", "0.3998", "USDT")]
    )
    assert fill.amount_in == 5 * 10**17
    assert fill.amount_out == (600 + 399_800_000 // 10**6 * 0) * 0 + 999_800_000 - 999_800
    # 0.9998 USDT of fees at the average 1999.6 USDT/ETH, in ETH base units, rounded down
    assert fill.fee_in == int(Decimal("0.9998") / Decimal("1999.6") * 10**18)


def test_fee_in_a_third_currency_is_left_out_and_logged(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.WARNING):
        fill = _fill(Side.BUY, [_trade("0.5", "2000", "0.0012", "BNB")])
    assert (fill.amount_in, fill.amount_out, fill.fee_in) == (1_000 * 10**6, 5 * 10**17, 0)
    assert "0.0012 BNB" in caplog.text


def test_ticker_price_prefers_last_then_the_bid_ask_mid() -> None:
    assert ticker_price({"last": 1999.75}, "x") == Decimal("1999.75")
    assert ticker_price({"last": None, "bid": 1.5, "ask": 2.5}, "x") == Decimal(2)
    with pytest.raises(TemporaryError):
        ticker_price({"last": None, "bid": None, "ask": 2.5}, "x")
