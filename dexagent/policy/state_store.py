"""Where the trading state outlives the process, and where an operator's resume is requested.

The engine saves every state change and loads the last one at start (a halted agent stays
halted after a restart). ``dexagent policy resume`` writes a resume request; the runner calls
``PolicyEngine.poll_operator`` between decisions to apply it (never inside ``evaluate``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from dexagent.policy.state import StateChange, TradingState


@dataclass(frozen=True, slots=True)
class SavedState:
    state: TradingState
    reason: str
    at_ms: int


@dataclass(frozen=True, slots=True)
class ResumeRequest:
    operator: str
    reason: str
    at_ms: int


class StateStore(Protocol):
    def load_state(self, agent_id: str) -> SavedState | None: ...

    def save_state(self, agent_id: str, change: StateChange) -> None: ...

    def request_resume(self, agent_id: str, request: ResumeRequest) -> None: ...

    def take_resume_request(self, agent_id: str) -> ResumeRequest | None: ...


class MemoryStateStore:
    def __init__(self) -> None:
        self._states: dict[str, SavedState] = {}
        self._requests: dict[str, ResumeRequest] = {}

    def load_state(self, agent_id: str) -> SavedState | None:
        return self._states.get(agent_id)

    def save_state(self, agent_id: str, change: StateChange) -> None:
        self._states[agent_id] = SavedState(change.to_state, change.reason, change.at_ms)

    def request_resume(self, agent_id: str, request: ResumeRequest) -> None:
        self._requests[agent_id] = request

    def take_resume_request(self, agent_id: str) -> ResumeRequest | None:
        return self._requests.pop(agent_id, None)
