"""``trades.csv``: one row per fill, amounts in human units as exact ``Decimal`` strings.

Gas in native units assumes 18 decimals (the native token of every EVM chain); the raw wei are
written too. Fee is in the token paid in (quote for a buy, base for a sell).
"""

from __future__ import annotations

import csv
from collections.abc import Iterable
from decimal import Decimal
from pathlib import Path

from dexagent.backtests.report.formatting import iso_utc
from dexagent.core.intents import Fill, Side
from dexagent.core.tokens import Pair

NATIVE_DECIMALS = 18
COLUMNS = (
    "time_utc",
    "timestamp_ms",
    "bar",
    "side",
    "amount_in",
    "token_in",
    "amount_out",
    "token_out",
    "price",
    "ref_price",
    "fee",
    "fee_token",
    "gas_native",
    "gas_native_wei",
    "gas_quote",
    "impact_bps",
    "venue",
    "order_id",
    "tx_hash",
)


def exact(raw: int, decimals: int) -> str:
    """Base units -> human amount, exact, without exponent or trailing zeros."""
    d = Decimal(raw).scaleb(-decimals)
    text = f"{d:f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def fill_row(f: Fill, pair: Pair) -> list[str]:
    t_in, t_out = (pair.quote, pair.base) if f.side is Side.BUY else (pair.base, pair.quote)
    return [
        iso_utc(f.timestamp_ms),
        str(f.timestamp_ms),
        str(f.bar),
        f.side.value,
        exact(f.amount_in, t_in.decimals),
        t_in.symbol,
        exact(f.amount_out, t_out.decimals),
        t_out.symbol,
        str(f.price),
        str(f.ref_price),
        exact(f.fee_in, t_in.decimals),
        t_in.symbol,
        exact(f.gas_native, NATIVE_DECIMALS),
        str(f.gas_native),
        exact(f.gas_quote, pair.quote.decimals),
        f"{f.impact_bps.quantize(Decimal('0.0001')):f}",
        f.venue,
        f.client_order_id,
        f.tx_hash or "",
    ]


def write_trades(fills: Iterable[Fill], pair: Pair, path: Path) -> int:
    """Write the CSV; return the number of rows (fills) written."""
    n = 0
    with path.open("w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(COLUMNS)
        for f in fills:
            w.writerow(fill_row(f, pair))
            n += 1
    return n
