"""One structured question to a chat model, with bounded rounds of tool calls.

The model gets the read-only tools plus one final tool (``submit_decision``, ``submit_review``)
whose arguments must validate against a pydantic schema. A model that answers in plain JSON
text instead is accepted when the text validates. Anything else is a ``MalformedAnswer``.
Every call made is appended to ``calls`` as it happens, so a caller cut off by a timeout
still has the calls that completed.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any, TypeVar

from langchain_core.language_models import BaseChatModel
from langchain_core.messages import AIMessage, BaseMessage, ToolMessage
from pydantic import BaseModel, ValidationError

from dexagent.agents.canonical import answer_text, messages_hash
from dexagent.agents.decision import ModelCall
from dexagent.agents.observation import Observation
from dexagent.agents.tools import TOOL_SPECS, run_tool

S = TypeVar("S", bound=BaseModel)


class MalformedAnswer(ValueError):
    """The model's answer is not a valid instance of the schema asked for."""


def final_tool(name: str, description: str, schema: type[BaseModel]) -> dict[str, Any]:
    return {
        "type": "function",
        "function": {
            "name": name,
            "description": description,
            "parameters": schema.model_json_schema(),
        },
    }


def model_id_of(model: BaseChatModel) -> str:
    for attr in ("model_id", "model_name", "model"):
        v = getattr(model, attr, None)
        if isinstance(v, str) and v:
            return v
    return model._llm_type


async def ask(
    model: BaseChatModel,
    messages: Sequence[BaseMessage],
    *,
    obs: Observation,
    final_name: str,
    final_description: str,
    schema: type[S],
    calls: list[ModelCall],
    max_rounds: int = 4,
) -> S:
    model_id = model_id_of(model)
    bound = model.bind_tools([*TOOL_SPECS, final_tool(final_name, final_description, schema)])
    msgs = list(messages)
    for _ in range(max_rounds):
        ai = await bound.ainvoke(msgs)
        raw = answer_text(ai)
        usage = ai.usage_metadata
        calls.append(
            ModelCall(
                model_id,
                messages_hash(msgs),
                raw,
                usage["input_tokens"] if usage else None,
                usage["output_tokens"] if usage else None,
            )
        )
        if ai.invalid_tool_calls:
            raise MalformedAnswer(f"unparseable tool call: {raw[:500]}")
        finals = [c for c in ai.tool_calls if c["name"] == final_name]
        if finals:
            return _validate(schema, finals[0]["args"], raw)
        if not ai.tool_calls:
            return _validate(schema, _json_text(ai, raw), raw)
        msgs.append(ai)
        for c in ai.tool_calls:
            msgs.append(
                ToolMessage(run_tool(obs, c["name"], c["args"]), tool_call_id=c["id"] or "")
            )
    raise MalformedAnswer(f"no {final_name} call after {max_rounds} rounds")


def _json_text(ai: AIMessage, raw: str) -> object:
    text = ai.content if isinstance(ai.content, str) else ""
    text = text.strip().removeprefix("```json").removeprefix("```").removesuffix("```").strip()
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise MalformedAnswer(f"answer is not JSON ({exc.msg}): {raw[:500]}") from None


def _validate(schema: type[S], args: object, raw: str) -> S:
    try:
        return schema.model_validate(args)
    except ValidationError as exc:
        err = exc.errors()[0]
        loc = ".".join(str(p) for p in err["loc"])
        raise MalformedAnswer(f"{schema.__name__}.{loc}: {err['msg']}: {raw[:500]}") from None
