"""Uniswap V2 on chain: exact constant-product math and a Venue over Router02."""

from dexagent.connectors.simulated.v2_math import get_amount_in, get_amount_out
from dexagent.connectors.uniswap_v2.venue import UniswapV2Venue

__all__ = ["UniswapV2Venue", "get_amount_in", "get_amount_out"]
