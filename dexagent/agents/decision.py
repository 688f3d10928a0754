"""Decisions: which allowed strategy to run, with which parameters and capital — or hold.

Required of a ``DecisionMaker``: ``async decide(obs) -> Decision``; it returns data and never
touches a venue. Whatever it returns is checked by the ``Guard`` before anything trades.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from types import MappingProxyType
from typing import TYPE_CHECKING, Literal, Protocol

if TYPE_CHECKING:
    from dexagent.agents.observation import Observation

Action = Literal["run", "hold"]
ParamValue = int | float | str | bool
_EMPTY: Mapping[str, ParamValue] = MappingProxyType({})


@dataclass(frozen=True, slots=True)
class ModelRef:
    """Which model answered, and a hash of exactly what it was asked."""

    model_id: str
    prompt_hash: str


@dataclass(frozen=True, slots=True)
class Decision:
    action: Action
    strategy: str = ""
    params: Mapping[str, ParamValue] = field(default_factory=lambda: _EMPTY)
    capital_fraction: Decimal = Decimal(0)
    rationale: str = ""
    model: ModelRef | None = None
    objections: tuple[str, ...] = ()  # a committee reviewer's, kept with the decision

    def __post_init__(self) -> None:
        if self.action not in ("run", "hold"):
            raise ValueError(f"action must be 'run' or 'hold', got {self.action!r}")
        if not isinstance(self.capital_fraction, Decimal) or not (
            Decimal(0) <= self.capital_fraction <= 1
        ):
            raise ValueError(
                f"capital_fraction must be a Decimal in [0, 1], got {self.capital_fraction!r}"
            )
        if self.action == "run" and not self.strategy:
            raise ValueError("a 'run' decision names a strategy")
        object.__setattr__(self, "params", MappingProxyType(dict(self.params)))

    @classmethod
    def hold(
        cls, rationale: str, *, model: ModelRef | None = None, objections: tuple[str, ...] = ()
    ) -> Decision:
        return cls("hold", rationale=rationale, model=model, objections=objections)


class DecisionMaker(Protocol):
    async def decide(self, obs: Observation) -> Decision: ...


@dataclass(frozen=True, slots=True)
class ModelCall:
    """One model call made while deciding (what the audit log's ``model_call`` event holds)."""

    model_id: str
    prompt_hash: str
    raw: str  # the answer as text: content and tool calls, canonical JSON
    tokens_in: int | None = None
    tokens_out: int | None = None
    role: str = ""  # in a committee: "proposer" or "reviewer"


class ReportsModelCalls(Protocol):
    """Optional for a decision maker: hands over the model calls made since the last drain."""

    def drain_calls(self) -> list[ModelCall]: ...
