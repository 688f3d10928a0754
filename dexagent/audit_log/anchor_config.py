"""When and how carefully checkpoints are anchored: triggers, confirmations, stuck-tx bumps."""

from __future__ import annotations

from dataclasses import dataclass

from dexagent.core.errors import ConfigError


@dataclass(frozen=True, slots=True)
class AnchorConfig:
    """Anchor every ``every_records`` new records or ``every_seconds``, whichever comes first.

    ``confirmations`` counts the inclusion block (1: included; 3: two blocks on top). A tx with no
    receipt after ``stuck_after_s`` is re-signed with fees raised by ``bump_pct``. Confirmed
    anchors are re-checked for ``watch_blocks`` more blocks in case a deep reorg drops them.
    """

    every_records: int | None = 1024
    every_seconds: float | None = 300.0
    confirmations: int = 3
    stuck_after_s: float = 60.0
    bump_pct: int = 15
    watch_blocks: int = 64
    gas_headroom_pct: int = 25

    def __post_init__(self) -> None:
        if self.every_records is None and self.every_seconds is None:
            raise ConfigError("set every_records, every_seconds or both: nothing would anchor")
        if self.every_records is not None and self.every_records < 1:
            raise ConfigError(f"every_records must be at least 1, got {self.every_records}")
        if self.every_seconds is not None and self.every_seconds <= 0:
            raise ConfigError(f"every_seconds must be positive, got {self.every_seconds}")
        if self.confirmations < 1:
            raise ConfigError(f"confirmations must be at least 1, got {self.confirmations}")
        if self.stuck_after_s <= 0 or self.watch_blocks < 0 or self.gas_headroom_pct < 0:
            raise ConfigError("stuck_after_s must be positive; watch_blocks, headroom >= 0")
