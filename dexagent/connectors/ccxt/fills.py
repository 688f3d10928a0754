"""A core Fill from the trades an exchange reports for one order, in exact base units.

Trades are summed as Decimals (``Decimal(str(x))`` of ccxt's floats), then converted once.
Rounding, so that a fill never credits more than was received: amounts paid (and fees) round
up to the next base unit, amounts received round down.

Fees: a fee in the token received is taken out of ``amount_out``; a fee in the token paid is
added to ``amount_in``. ``fee_in`` reports both in token-in units (a fee in the received token
converted at the order's average price, rounded down). A fee in any third currency (BNB, say)
cannot be expressed in this pair: it is left out of the amounts and logged as a warning.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import ROUND_CEILING, Decimal, localcontext
from typing import Any

from dexagent.core.errors import FatalError
from dexagent.core.intents import Fill, Side
from dexagent.core.tokens import PRECISION, Pair, Token

log = logging.getLogger(__name__)


def dec(value: Any) -> Decimal:
    return Decimal(str(value))


def raw_up(token: Token, amount: Decimal) -> int:
    """Human amount -> base units, rounded up (for amounts paid)."""
    with localcontext() as ctx:
        ctx.prec = PRECISION
        return int((amount * token.unit).to_integral_value(rounding=ROUND_CEILING))


@dataclass(frozen=True, slots=True)
class TradeTotals:
    base: Decimal
    quote: Decimal
    fees: Mapping[str, Decimal]  # currency code -> total fee
    last_ms: int


def _fees_of(trade: Mapping[str, Any]) -> Iterable[Mapping[str, Any]]:
    fees = trade.get("fees") or []
    if not fees and trade.get("fee"):
        fees = [trade["fee"]]
    return [f for f in fees if f and f.get("cost") is not None and f.get("currency")]


def sum_trades(trades: Sequence[Mapping[str, Any]]) -> TradeTotals:
    base = quote = Decimal(0)
    fees: dict[str, Decimal] = {}
    last = 0
    for t in trades:
        amount = dec(t["amount"])
        cost = dec(t["cost"]) if t.get("cost") is not None else dec(t["price"]) * amount
        base, quote = base + amount, quote + cost
        for f in _fees_of(t):
            code = str(f["currency"])
            fees[code] = fees.get(code, Decimal(0)) + dec(f["cost"])
        last = max(last, int(t.get("timestamp") or 0))
    return TradeTotals(base, quote, fees, last)


def fill_from_trades(
    *,
    client_order_id: str,
    pair: Pair,
    side: Side,
    trades: Sequence[Mapping[str, Any]],
    base_codes: frozenset[str],
    quote_codes: frozenset[str],
    ref_price: Decimal,
    venue: str,
) -> Fill:
    tot = sum_trades(trades)
    if tot.base <= 0 or tot.quote <= 0:
        raise FatalError(f"{venue}: order {client_order_id} has trades summing to nothing")
    fee_base = sum((v for k, v in tot.fees.items() if k in base_codes), Decimal(0))
    fee_quote = sum((v for k, v in tot.fees.items() if k in quote_codes), Decimal(0))
    other = {k: v for k, v in tot.fees.items() if k not in base_codes | quote_codes}
    if other:
        log.warning(
            "%s: order %s paid fees in %s, outside %s; they are not in the fill's amounts",
            venue,
            client_order_id,
            ", ".join(f"{v} {k}" for k, v in sorted(other.items())),
            pair,
        )
    avg = pair.price_of(pair.base.to_raw(tot.base), pair.quote.to_raw(tot.quote))
    fee_base_raw, fee_quote_raw = raw_up(pair.base, fee_base), raw_up(pair.quote, fee_quote)
    if side is Side.BUY:
        amount_in = raw_up(pair.quote, tot.quote) + fee_quote_raw
        amount_out = pair.base.to_raw(tot.base - fee_base)
        fee_in = fee_quote_raw + pair.quote_raw_for(fee_base_raw, avg)
        price = pair.price_of(amount_out, amount_in)
    else:
        amount_in = raw_up(pair.base, tot.base) + fee_base_raw
        amount_out = pair.quote.to_raw(tot.quote - fee_quote)
        fee_in = fee_base_raw + pair.base_raw_for(fee_quote_raw, avg)
        price = pair.price_of(amount_in, amount_out)
    return Fill(
        client_order_id=client_order_id,
        pair=pair,
        side=side,
        amount_in=amount_in,
        amount_out=amount_out,
        fee_in=fee_in,
        price=price,
        ref_price=ref_price,
        timestamp_ms=tot.last_ms,
        venue=venue,
    )
