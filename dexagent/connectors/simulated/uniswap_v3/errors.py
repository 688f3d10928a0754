"""The revert of a Uniswap V3 contract call, as a typed error carrying the contract's reason.

``reason`` is the string the contract passes to ``require`` ('SPL', 'AS', 'LOK', 'T', 'R', 'LS',
...), or '' where the contract reverts without one (bare ``require``, a checked overflow).
"""

from __future__ import annotations

from dexagent.core.errors import RejectedError


class V3Revert(RejectedError):
    """The simulated contract reverted: the chain would reject the same call the same way."""

    def __init__(self, reason: str, detail: str = "") -> None:
        self.reason = reason
        self.detail = detail
        msg = f"uniswap v3 reverts with {reason!r}" if reason else "uniswap v3 reverts"
        super().__init__(f"{msg}: {detail}" if detail else msg)
