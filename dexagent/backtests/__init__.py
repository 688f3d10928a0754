"""Backtesting: data, engine, metrics, reports."""
