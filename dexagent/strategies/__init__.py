"""Strategies return intents; they never touch a venue."""
