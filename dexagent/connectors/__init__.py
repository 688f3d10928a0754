"""Venues: simulated, EVM (Uniswap V2/V3), ccxt. They import only core."""
