"""A decision maker on any LangChain chat model: fenced prompt, tools, a validated answer.

The answer must validate against ``DecisionSchema``; the guard then checks it against the
allowlist, its bounds and the policy. Model calls are kept for the audit log (``drain_calls``).
"""

from __future__ import annotations

from decimal import Decimal
from typing import Literal

from langchain_core.language_models import BaseChatModel
from langchain_core.messages import BaseMessage, HumanMessage, SystemMessage
from pydantic import BaseModel, ConfigDict, Field

from dexagent.agents.ask import ask, model_id_of
from dexagent.agents.canonical import messages_hash
from dexagent.agents.decision import Decision, ModelCall, ModelRef
from dexagent.agents.observation import Observation
from dexagent.agents.prompt import SYSTEM_RULES, user_prompt

SUBMIT = "submit_decision"


class DecisionSchema(BaseModel):
    """Run one allowed strategy with parameters and a capital fraction, or hold."""

    model_config = ConfigDict(extra="forbid")

    action: Literal["run", "hold"]
    strategy: str = Field("", max_length=64, description="a strategy name from the allowlist")
    params: dict[str, int | float | str | bool] = Field(
        default_factory=dict, description="parameters, each within its bounds"
    )
    capital_fraction: float = Field(0.0, ge=0.0, le=1.0, description="share of equity, 0..1")
    rationale: str = Field("", max_length=2000, description="why, in a few sentences")

    def to_decision(self, model: ModelRef | None = None) -> Decision:
        if self.action == "hold":
            return Decision.hold(self.rationale, model=model)
        return Decision(
            "run",
            self.strategy,
            dict(self.params),
            Decimal(repr(self.capital_fraction)),
            self.rationale,
            model,
        )


def decision_messages(obs: Observation, extra: str = "") -> list[BaseMessage]:
    return [SystemMessage(SYSTEM_RULES), HumanMessage(user_prompt(obs, extra))]


class LlmAgent:
    def __init__(self, model: BaseChatModel, *, max_rounds: int = 4) -> None:
        self.model = model
        self.model_id = model_id_of(model)
        self.max_rounds = max_rounds
        self._calls: list[ModelCall] = []

    async def decide(self, obs: Observation) -> Decision:
        return await self.propose(obs)

    async def propose(self, obs: Observation, extra: str = "") -> Decision:
        msgs = decision_messages(obs, extra)
        ref = ModelRef(self.model_id, messages_hash(msgs))
        answer = await ask(
            self.model,
            msgs,
            obs=obs,
            final_name=SUBMIT,
            final_description=DecisionSchema.__doc__ or "",
            schema=DecisionSchema,
            calls=self._calls,
            max_rounds=self.max_rounds,
        )
        return answer.to_decision(ref)

    def drain_calls(self) -> list[ModelCall]:
        out, self._calls = self._calls, []
        return out
