"""Build the simulated venue a backtest config asks for."""

from __future__ import annotations

from collections.abc import Mapping

from dexagent.backtests.config import BacktestConfig
from dexagent.connectors.simulated.base import SimulatedVenue
from dexagent.connectors.simulated.taker import TakerVenue
from dexagent.core.bars import Bars
from dexagent.core.tokens import Pair


def build_venue(
    cfg: BacktestConfig, pair: Pair, balances: Mapping[str, int], bars: Bars
) -> SimulatedVenue:
    v = cfg.venue
    if v.kind == "taker":
        return TakerVenue(balances, fee_bps=v.fee_bps, half_spread_bps=v.half_spread_bps)
    from dexagent.connectors.simulated.gas import GasModel
    from dexagent.connectors.simulated.v2_pool import V2PoolVenue

    gas = None
    native = None
    if cfg.gas.enabled:
        native = cfg.gas.native.token()
        gas = GasModel.from_config(cfg.gas, bars)
    return V2PoolVenue(
        balances, pair, depth_quote=pair.quote.to_raw(v.depth_quote), fee_bps=int(v.fee_bps),
        gas=gas, native=native,
    )
