"""Did-you-mean messages for unknown keys and names."""

from __future__ import annotations

import difflib
from collections.abc import Iterable


def unknown_key_message(where: str, key: str, known: Iterable[str]) -> str:
    options = sorted(known)
    close = difflib.get_close_matches(key, options, n=1)
    hint = f" Did you mean {close[0]!r}?" if close else ""
    return f"unknown key {key!r} in [{where}].{hint} Known keys: {', '.join(options)}"
