"""Exact Uniswap V3 simulation: the contracts' integer math, a pool, a backtest venue, replay.

Every function reproduces the v3-core contract bit for bit (Python ints, FullMath rounding,
the contracts' revert reasons as :class:`V3Revert`).
"""

from dexagent.connectors.simulated.uniswap_v3.errors import V3Revert
from dexagent.connectors.simulated.uniswap_v3.pool import PositionInfo, SwapResult, TickInfo, V3Pool
from dexagent.connectors.simulated.uniswap_v3.replay import ReplayStats, replay, replay_events
from dexagent.connectors.simulated.uniswap_v3.venue import GasCost, V3PoolVenue, V3Position

__all__ = [
    "GasCost",
    "PositionInfo",
    "ReplayStats",
    "SwapResult",
    "TickInfo",
    "V3Pool",
    "V3PoolVenue",
    "V3Position",
    "V3Revert",
    "replay",
    "replay_events",
]
