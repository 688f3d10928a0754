"""Paths to the golden vectors copied under tests/vectors/ (see the README beside each)."""

from __future__ import annotations

from pathlib import Path

VECTORS = Path(__file__).resolve().parent.parent / "vectors"
JCS = VECTORS / "jcs"
MERKLE = VECTORS / "merkle"
ETH = VECTORS / "eth"
