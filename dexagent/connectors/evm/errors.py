"""EVM execution errors, each under the core branch that says what the caller must do."""

from __future__ import annotations

from dexagent.core.errors import (
    InsufficientBalance,
    RejectedError,
    SlippageExceeded,
    TemporaryError,
)

__all__ = [
    "InsufficientBalance",
    "NonceConflict",
    "Reverted",
    "SimulationReverted",
    "SlippageExceeded",
    "TxTimeout",
]


class SimulationReverted(RejectedError):
    """``eth_call`` of the transaction reverted; nothing was sent."""


class Reverted(RejectedError):
    """The transaction was mined but reverted (gas was spent, the trade did not happen)."""


class NonceConflict(TemporaryError):
    """The nonce was already used by another transaction; reconcile, then resubmit."""


class TxTimeout(TemporaryError):
    """No receipt within the timeout; the transaction may still be mined (speed up or cancel)."""
