"""Round-trip trades built from fills, with exact PnL in quote.

The rule:

* A round trip opens with a BUY while no bought base is held (flat), and closes with the SELL that
  brings the held base back to flat. Buys and sells in between (scaling in and out, partial fills)
  belong to the same round trip; sells are matched to earlier buys first-in first-out.
* Cost of a buy = quote paid (venue fee included) + its gas in quote. Proceeds of a sell = quote
  received (net of the venue fee) - its gas in quote. PnL = proceeds - cost of the base sold, so
  fees and gas are inside every PnL.
* "Flat" allows dust: when what is left of a round trip's bought base is at most ``DUST`` of the
  most it held, the round trip closes and the leftover's cost is booked to it as a loss.
* Base held before the first buy (a starting balance) has no cost: sells of it are not round
  trips and are counted as ``unmatched_sells``. A round trip still open at the end is not counted.

All arithmetic is exact integers of quote base units and 60-digit ``Decimal`` for FIFO cost shares.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal, localcontext

from dexagent.core.intents import Fill, Side
from dexagent.core.tokens import PRECISION, Pair

#: Leftover base, as a fraction of a round trip's largest position, that still counts as flat.
DUST = Decimal("1e-6")


@dataclass(frozen=True, slots=True)
class RoundTrip:
    """One closed position, flat to flat. Money in quote human units (exact ``Decimal``)."""

    open_ms: int
    close_ms: int
    open_bar: int
    close_bar: int
    fills: int
    cost: Decimal  # quote spent on the base that was sold, fees and gas included
    proceeds: Decimal  # quote received for it, net of fees and gas

    @property
    def pnl(self) -> Decimal:
        return self.proceeds - self.cost


@dataclass(frozen=True, slots=True)
class RoundTrips:
    closed: tuple[RoundTrip, ...]
    open_fills: int  # fills of a round trip still open at the end
    unmatched_sells: int  # sells of base that no recorded buy had paid for


@dataclass(slots=True)
class _Open:
    open_ms: int
    open_bar: int
    fills: int = 0
    cost: Decimal = Decimal(0)  # quote base units
    proceeds: Decimal = Decimal(0)
    largest: int = 0  # base units


def build_round_trips(fills: Iterable[Fill], pair: Pair) -> RoundTrips:
    """Group ``fills`` (in execution order) into round trips by the rule in the module docstring."""
    lots: deque[list[Decimal]] = deque()  # [base units left, cost of what is left (quote units)]
    held = 0
    trip: _Open | None = None
    closed: list[RoundTrip] = []
    unmatched = 0
    with localcontext() as ctx:
        ctx.prec = PRECISION
        for f in fills:
            if f.side is Side.BUY:
                if trip is None:
                    trip = _Open(f.timestamp_ms, f.bar)
                trip.fills += 1
                lots.append([Decimal(f.amount_out), Decimal(f.amount_in + f.gas_quote)])
                held += f.amount_out
                trip.largest = max(trip.largest, held)
                continue
            if trip is None:
                unmatched += 1
                continue
            trip.fills += 1
            sold = Decimal(f.amount_in)
            matched = min(sold, Decimal(held))
            trip.proceeds += Decimal(f.amount_out - f.gas_quote) * matched / sold
            trip.cost += _take_fifo(lots, matched)
            held -= int(matched)
            if held <= DUST * trip.largest:
                trip.cost += sum((lot[1] for lot in lots), Decimal(0))
                lots.clear()
                held = 0
                scale = Decimal(pair.quote.unit)
                closed.append(
                    RoundTrip(
                        trip.open_ms,
                        f.timestamp_ms,
                        trip.open_bar,
                        f.bar,
                        trip.fills,
                        trip.cost / scale,
                        trip.proceeds / scale,
                    )
                )
                trip = None
    return RoundTrips(tuple(closed), trip.fills if trip is not None else 0, unmatched)


def _take_fifo(lots: deque[list[Decimal]], amount: Decimal) -> Decimal:
    """Remove ``amount`` base units from the oldest lots; return the cost they carried."""
    cost = Decimal(0)
    while amount > 0 and lots:
        lot = lots[0]
        if lot[0] <= amount:
            amount -= lot[0]
            cost += lot[1]
            lots.popleft()
        else:
            share = lot[1] * amount / lot[0]
            lot[0] -= amount
            lot[1] -= share
            cost += share
            amount = Decimal(0)
    return cost
