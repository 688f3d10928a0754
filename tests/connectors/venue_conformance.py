"""The Venue contract, as one check any implementation can run (simulated, EVM, ccxt).

``await check_venue_conformance(factory, pair=..., price=...)`` where ``factory(balances)``
returns a fresh venue, ready to trade ``pair`` near ``price`` (market set, pool funded), that
reads the account from ``balances``. It checks:

- ``quote`` has no side effects: quoting twice gives the same quote, and the first fill equals it;
- amounts in quotes and fills are ``int`` (never float or Decimal), prices are ``Decimal``;
- ``execute`` is idempotent by key: the same key returns the first fill and trades nothing more;
- an order paying more than the balance is refused with ``InsufficientBalance`` (a
  ``RejectedError``), and the refusal trades nothing;
- ``balances`` reports the mapping the venue trades from.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from decimal import Decimal

import pytest

from dexagent.core.errors import InsufficientBalance, RejectedError
from dexagent.core.intents import Fill, Intent, Order, Side, SizeKind
from dexagent.core.tokens import Pair
from dexagent.core.venue import Quote, Venue

VenueFactory = Callable[[Mapping[str, int]], Venue]


def conformance_order(
    pair: Pair, side: Side, amount_in: int, price: Decimal, key: str = "conf-1"
) -> Order:
    kind = SizeKind.QUOTE if side is Side.BUY else SizeKind.BASE
    notional = amount_in if side is Side.BUY else pair.quote_raw_for(amount_in, price)
    return Order(key, Intent(pair, side, kind, amount_in), side, amount_in, price, notional, 0, 0)


def _assert_typed(q: Quote | Fill) -> None:
    for name in ("amount_in", "amount_out", "fee_in", "gas_native"):
        v = getattr(q, name)
        assert type(v) is int, f"{type(q).__name__}.{name} is {type(v).__name__}, not int"
    assert isinstance(q.price, Decimal)


async def check_venue_conformance(
    factory: VenueFactory,
    *,
    pair: Pair,
    price: Decimal,
    extra_balances: Mapping[str, int] | None = None,
) -> None:
    """Run every check on fresh venues; ``extra_balances`` adds e.g. the gas token."""
    quote_in = pair.quote.to_raw(1_000)  # 1,000 quote tokens
    base_in = pair.base_raw_for(quote_in, price)
    funded = {pair.quote.symbol: 10 * quote_in, pair.base.symbol: 10 * base_in}
    funded.update(extra_balances or {})

    for side, amount in ((Side.BUY, quote_in), (Side.SELL, base_in)):
        # quote: no side effects, exact types, equal to the fill it predicts
        venue = factory(dict(funded))
        order = conformance_order(pair, side, amount, price, key=f"conf-{side.value}")
        q1 = await venue.quote(order)
        q2 = await venue.quote(order)
        assert q1 == q2, f"{venue.name}: quoting twice gave different quotes"
        _assert_typed(q1)
        assert q1.amount_in == amount and q1.amount_out > 0
        fill = await venue.execute(order, key=order.client_order_id)
        _assert_typed(fill)
        assert (fill.amount_in, fill.amount_out, fill.fee_in) == (
            q1.amount_in,
            q1.amount_out,
            q1.fee_in,
        ), f"{venue.name}: the fill differs from the quote just before it"
        assert fill.client_order_id == order.client_order_id and fill.side is side

        # idempotent by key: the same fill, and the market did not move again
        after_first = await venue.quote(order)
        held_first = dict(await venue.balances())
        again = await venue.execute(order, key=order.client_order_id)
        assert again == fill, f"{venue.name}: a repeated key gave a different fill"
        assert await venue.quote(order) == after_first, f"{venue.name}: a repeated key traded"
        assert dict(await venue.balances()) == held_first, f"{venue.name}: a repeated key paid"

    # more than the balance: refused, typed, nothing traded
    balances = dict(funded)
    venue = factory(balances)
    too_much = conformance_order(pair, Side.BUY, balances[pair.quote.symbol] + 1, price, "big")
    small = conformance_order(pair, Side.BUY, quote_in, price, "small")
    before = await venue.quote(small)
    with pytest.raises(InsufficientBalance) as err:
        await venue.execute(too_much, key="big")
    assert isinstance(err.value, RejectedError)
    assert pair.quote.symbol in str(err.value), f"{venue.name}: message names no token"
    assert await venue.quote(small) == before, f"{venue.name}: a refused order moved the market"
    held = await venue.balances()
    assert dict(held) == balances, f"{venue.name}: balances() is not the account it trades"
