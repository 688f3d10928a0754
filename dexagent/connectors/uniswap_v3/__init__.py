"""Uniswap V3 on chain: a Venue quoting through QuoterV2 and swapping through SwapRouter."""

from dexagent.connectors.uniswap_v3.venue import UniswapV3Venue

__all__ = ["UniswapV3Venue"]
