"""Agent errors: which ones stop a run, and which ones the guard turns into a hold."""

from __future__ import annotations

from dexagent.core.errors import ConfigError, DexAgentError


class AgentSetupError(ConfigError):
    """The agent is misconfigured (missing provider package, missing cassette entry): stop.

    The guard lets this through: a run that cannot decide as configured must fail, not hold.
    """


class CassetteMiss(DexAgentError):
    """A replayed call is not in the cassette and the cassette was told to hold on a miss."""
