"""Timeframe strings ("5m", "1h", "1d") to fixed steps in milliseconds, and back."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

from dexagent.core.errors import ConfigError

_UNIT_MS = {
    "s": 1_000,
    "m": 60_000,
    "h": 3_600_000,
    "d": 86_400_000,
    "w": 604_800_000,
}
_PATTERN = re.compile(r"^([1-9][0-9]*)([smhdw])$")
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def parse_timeframe(timeframe: str) -> int:
    """The step of ``timeframe`` in ms: ``parse_timeframe("15m") == 900_000``."""
    match = _PATTERN.match(timeframe.strip())
    if match is None:
        hint = (
            " Calendar months have no fixed length; use '30d' or daily bars."
            if timeframe.strip().endswith("M")
            else ""
        )
        raise ConfigError(
            f"timeframe {timeframe!r} is not understood.{hint} "
            "Use a count and a unit s, m, h, d or w, e.g. '5m', '15m', '1h', '4h', '1d'."
        )
    return int(match.group(1)) * _UNIT_MS[match.group(2)]


def format_timeframe(step_ms: int) -> str:
    """The shortest timeframe string for a step: ``format_timeframe(3_600_000) == "1h"``."""
    if step_ms <= 0:
        return "unknown"
    for unit in ("w", "d", "h", "m", "s"):
        size = _UNIT_MS[unit]
        if step_ms % size == 0:
            return f"{step_ms // size}{unit}"
    return f"{step_ms}ms"


def format_ms(timestamp_ms: int) -> str:
    """A UTC timestamp in ms as ``2023-03-24 12:40 UTC`` (seconds shown only when non-zero)."""
    moment = datetime.fromtimestamp(timestamp_ms / 1000, tz=UTC)
    if timestamp_ms % 60_000 == 0:
        return moment.strftime("%Y-%m-%d %H:%M UTC")
    return moment.strftime("%Y-%m-%d %H:%M:%S.%f")[:-3] + " UTC"


def parse_time(text: str) -> int:
    """``2024-01-01``, ``2024-01-01T12:00`` (UTC unless an offset is given) or epoch ms -> ms."""
    value = text.strip()
    if value.isdigit():
        return int(value)
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise ConfigError(
            f"time {text!r} is not understood; use an ISO date such as 2024-01-01 or "
            "2024-01-01T12:00 (UTC), or epoch milliseconds such as 1704067200000"
        ) from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return (moment - _EPOCH) // timedelta(milliseconds=1)
