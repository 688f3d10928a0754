"""Both simulated venues pass the Venue conformance check every implementation runs."""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal

from dexagent.connectors.simulated.gas import GasModel
from dexagent.connectors.simulated.taker import TakerVenue
from dexagent.connectors.simulated.v2_pool import V2PoolVenue
from dexagent.core.venue import Venue
from tests.connectors.venue_conformance import check_venue_conformance
from tests.support import ETH, PAIR

PRICE = Decimal("2000.25")


async def test_taker_venue_conforms() -> None:
    def make(balances: Mapping[str, int]) -> Venue:
        v = TakerVenue(balances, fee_bps=Decimal(10), half_spread_bps=Decimal(2))
        v.set_market(price=PRICE, t_ms=0, bar=0, native_price=Decimal(0))
        return v

    await check_venue_conformance(make, pair=PAIR, price=PRICE)


async def test_v2_pool_venue_conforms() -> None:
    def make(balances: Mapping[str, int]) -> Venue:
        v = V2PoolVenue(balances, PAIR, depth_quote=PAIR.quote.to_raw(5_000_000))
        v.set_market(price=PRICE, t_ms=0, bar=0, native_price=Decimal(0))
        return v

    await check_venue_conformance(make, pair=PAIR, price=PRICE)


async def test_v2_pool_venue_with_gas_conforms() -> None:
    def make(balances: Mapping[str, int]) -> Venue:
        v = V2PoolVenue(
            balances,
            PAIR,
            depth_quote=PAIR.quote.to_raw(5_000_000),
            gas=GasModel.constant(30),
            native=ETH,
        )
        v.set_market(price=PRICE, t_ms=0, bar=0, native_price=PRICE)
        return v

    await check_venue_conformance(make, pair=PAIR, price=PRICE, extra_balances={"ETH": 10**18})
