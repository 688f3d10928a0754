"""The pairs the ccxt venue tests trade, with the token decimals their exchanges use."""

from __future__ import annotations

from dexagent.core.tokens import Pair, Token

ETH_USDT = Pair(Token("ETH", 18), Token("USDT", 6))
PURR_USDC = Pair(Token("PURR", 5), Token("USDC", 8))  # Hyperliquid spot weiDecimals
