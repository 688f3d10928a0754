"""A fresh anvil with Uniswap deployed per test (process tests change mining modes and time)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.service.helpers import Chain, start_chain


@pytest.fixture
def chain(tmp_path: Path) -> Iterator[Chain]:
    c = start_chain(tmp_path)
    try:
        yield c
    finally:
        c.node.stop()
