"""Walk an order book for an exact amount in, in integer base units.

Levels come from ccxt as floats; each is read as ``Decimal(str(x))`` (the shortest repr, which is
the exchange's decimal string for any price or size of up to 15 significant digits). Every level
is converted to base units on its own and rounded down (``Pair.base_raw_for`` /
``quote_raw_for``), so the walk never promises more than the book holds.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from dexagent.core.errors import RejectedError
from dexagent.core.intents import Side
from dexagent.core.tokens import CTX, Pair

Level = tuple[Decimal, Decimal]  # price (quote per base), size (base), human units


def levels(raw: Sequence[Sequence[Any]]) -> list[Level]:
    return [(Decimal(str(lvl[0])), Decimal(str(lvl[1]))) for lvl in raw]


def mid_price(bids: Sequence[Level], asks: Sequence[Level]) -> Decimal:
    if not bids or not asks:
        raise RejectedError(f"the order book has {len(bids)} bids and {len(asks)} asks: no mid")
    return CTX.divide(bids[0][0] + asks[0][0], Decimal(2))


def walk(pair: Pair, side: Side, amount_in: int, book: Sequence[Level]) -> int:
    """Base units out for ``amount_in`` quote (BUY, walking asks) or quote units out for
    ``amount_in`` base (SELL, walking bids). Raises RejectedError if the book is too thin."""
    left, out = amount_in, 0
    for price, size in book:
        if left <= 0:
            break
        if price <= 0 or size <= 0:
            continue
        size_raw = pair.base.to_raw(size)
        if side is Side.BUY:
            cost = pair.quote_raw_for(size_raw, price)
            if cost <= left:
                out, left = out + size_raw, left - cost
            else:
                out, left = out + pair.base_raw_for(left, price), 0
        else:
            take = min(left, size_raw)
            out, left = out + pair.quote_raw_for(take, price), left - take
    if left > 0:
        pay = pair.quote if side is Side.BUY else pair.base
        raise RejectedError(
            f"the {'asks' if side is Side.BUY else 'bids'} shown ({len(book)} levels) take only "
            f"{amount_in - left} of {amount_in} {pay.symbol} base units; trade less or fetch "
            f"a deeper book"
        )
    return out
