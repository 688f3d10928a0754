"""Simulated venues for backtests: exact AMM math, CEX-style taker fills, gas."""
