"""Turn an intent into an exact order (amount in, in base units) against the current balances."""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal

from dexagent.core.intents import Intent, Side, SizeKind
from dexagent.core.tokens import CTX


def size_intent(
    intent: Intent, balances: Mapping[str, int], price: Decimal
) -> tuple[Side, int] | None:
    """``(side, amount_in)`` for ``intent`` at ``price``, or ``None`` if there is nothing to do.

    Sizing never asks for more than the balance of the token paid in; the venue checks again.
    """
    pair = intent.pair
    base_bal = balances.get(pair.base.symbol, 0)
    quote_bal = balances.get(pair.quote.symbol, 0)
    kind = intent.kind
    if kind is SizeKind.TARGET:
        assert isinstance(intent.amount, Decimal)
        if intent.amount == 1:
            return (Side.BUY, quote_bal) if quote_bal > 0 else None
        if intent.amount == 0:
            return (Side.SELL, base_bal) if base_bal > 0 else None
        base_val = pair.quote_raw_for(base_bal, price)
        desired = int(CTX.multiply(Decimal(quote_bal + base_val), intent.amount))
        if desired > base_val:
            amt = min(quote_bal, desired - base_val)
            return (Side.BUY, amt) if amt > 0 else None
        amt = min(base_bal, pair.base_raw_for(base_val - desired, price))
        return (Side.SELL, amt) if amt > 0 else None
    side = intent.side
    assert side is not None
    if kind is SizeKind.FRACTION:
        assert isinstance(intent.amount, Decimal)
        bal = quote_bal if side is Side.BUY else base_bal
        amt = int(CTX.multiply(Decimal(bal), intent.amount))
        return (side, amt) if amt > 0 else None
    assert isinstance(intent.amount, int)
    if kind is SizeKind.QUOTE:
        amt = intent.amount if side is Side.BUY else pair.base_raw_for(intent.amount, price)
    else:  # BASE
        amt = intent.amount if side is Side.SELL else pair.quote_raw_for(intent.amount, price)
    amt = min(amt, quote_bal if side is Side.BUY else base_bal)
    return (side, amt) if amt > 0 else None
