"""Agents as services: ``dexagent run`` — live and paper agents, HTTP API, kill switch, recovery.

The pieces: ``config`` (agent.toml), ``assemble`` (one agent from its table), ``agent`` (the live
loop over the one Kernel), ``service`` (supervision, signals, shutdown), ``api`` and ``metrics``.
"""

from dexagent.service.agent import AgentParts, AgentRunner
from dexagent.service.config import ServiceConfig, load_service_config, parse_service_config
from dexagent.service.service import Service
from dexagent.service.state import AgentStatus

__all__ = [
    "AgentParts",
    "AgentRunner",
    "AgentStatus",
    "Service",
    "ServiceConfig",
    "load_service_config",
    "parse_service_config",
]
