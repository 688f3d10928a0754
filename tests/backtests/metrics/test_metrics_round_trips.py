"""Round trips: flat to flat, FIFO cost for partial exits, fees and gas inside the PnL."""

from __future__ import annotations

from decimal import Decimal

from dexagent.backtests.metrics import build_round_trips
from tests.backtests.metrics.result_builders import buy, sell
from tests.support import PAIR


def test_round_trip_pnl_includes_fees_and_gas_on_both_legs() -> None:
    fills = [
        buy("1000", "1", bar=1, fee="3", gas="1"),
        sell("1", "1100", bar=2, fee="0.001", gas="1"),
    ]
    trips = build_round_trips(fills, PAIR)
    (trip,) = trips.closed
    assert trip.cost == Decimal("1001")
    assert trip.proceeds == Decimal("1099")
    assert trip.pnl == Decimal("98")
    assert (trip.open_bar, trip.close_bar, trip.fills) == (1, 2, 2)


def test_partial_exits_take_cost_from_the_oldest_buy_first() -> None:
    fills = [
        buy("1100", "1", bar=1),
        buy("1200", "1", bar=2),
        sell("1.5", "1500", bar=3),
        sell("0.5", "550", bar=4),
    ]
    (trip,) = build_round_trips(fills, PAIR).closed
    assert trip.cost == Decimal("2300")
    assert trip.proceeds == Decimal("2050")
    assert trip.pnl == Decimal("-250")
    assert trip.fills == 4


def test_position_still_open_at_the_end_is_not_a_round_trip() -> None:
    fills = [buy("1000", "1", bar=1), sell("0.5", "600", bar=2)]
    trips = build_round_trips(fills, PAIR)
    assert trips.closed == ()
    assert trips.open_fills == 2


def test_selling_base_held_from_the_start_is_counted_as_unmatched() -> None:
    fills = [sell("1", "1000", bar=1), buy("900", "1", bar=2), sell("1", "950", bar=3)]
    trips = build_round_trips(fills, PAIR)
    assert trips.unmatched_sells == 1
    (trip,) = trips.closed
    assert trip.pnl == Decimal("50")


def test_dust_left_after_the_exit_closes_the_round_trip_and_is_booked_as_cost() -> None:
    fills = [buy("1000", "1", bar=1), sell("0.9999999", "1200", bar=2)]
    (trip,) = build_round_trips(fills, PAIR).closed
    assert trip.cost == Decimal("1000")  # the 1e-7 WETH left is written off at its cost
    assert trip.pnl == Decimal("200")


def test_sell_larger_than_the_bought_position_only_books_the_matched_share() -> None:
    fills = [buy("1000", "1", bar=1), sell("2", "2400", bar=2)]
    (trip,) = build_round_trips(fills, PAIR).closed
    assert trip.proceeds == Decimal("1200")
    assert trip.pnl == Decimal("200")
