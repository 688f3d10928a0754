"""The error tree: branches are named for what the caller must do.

- ``ConfigError``: the input is wrong; stop and fix it (file, key, value named in the message).
- ``TemporaryError``: try again later (RPC down, rate limited).
- ``RejectedError``: the venue or a check refused this order; do not retry it as is.
- ``FatalError``: the process cannot go on safely.
"""

from __future__ import annotations


class DexAgentError(Exception):
    """Root of every error dexagent raises on purpose."""


class ConfigError(DexAgentError):
    """Bad configuration or input: stop, fix what the message names, run again."""


class DataError(ConfigError):
    """Market data that fails validation; the message names the file, row and problem."""


class TemporaryError(DexAgentError):
    """A transient fault (network, RPC, rate limit): retrying later may succeed."""


class RejectedError(DexAgentError):
    """The venue or a pre-trade check refused the order: do not retry it unchanged."""


class SlippageExceeded(RejectedError):
    """The trade would receive less than the minimum allowed by the slippage bound."""


class InsufficientBalance(RejectedError):
    """The account does not hold enough of a token (or of the native token for gas)."""


class FatalError(DexAgentError):
    """An invariant is broken; the process must stop."""
