"""An LLM cassette: record each model call once, replay it bit for bit with no network.

A call is keyed by sha256 of the canonical JSON of (model id, messages, tool schemas, call
parameters) and, for a prompt asked more than once in a run, its occurrence number. Each entry
keeps the answer (text, tool calls), the latency and the token counts, one JSON line per entry
with sorted keys. ``mode="replay"`` never calls the inner model; a call it lacks raises
``AgentSetupError`` naming the key and the file, or with ``on_missing="hold"`` a
``CassetteMiss`` the guard records as a hold. ``mode="record"`` replays what the file has and
calls the inner model for the rest, appending each new answer. A call the guard's timeout
cut off while recording is kept as such, and replays as the same timeout.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections import Counter
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, Literal

from langchain_core.callbacks import AsyncCallbackManagerForLLMRun, CallbackManagerForLLMRun
from langchain_core.language_models import BaseChatModel, LanguageModelInput
from langchain_core.messages import AIMessage, BaseMessage
from langchain_core.outputs import ChatGeneration, ChatResult
from langchain_core.runnables import Runnable
from langchain_core.tools import BaseTool
from langchain_core.utils.function_calling import convert_to_openai_tool
from pydantic import ConfigDict, PrivateAttr

from dexagent.agents.ask import model_id_of
from dexagent.agents.canonical import canonical_json, message_json, sha256_hex
from dexagent.agents.errors import AgentSetupError, CassetteMiss
from dexagent.agents.usage import Usage, UsageReport, usage_report

VERSION = 1


class CassetteChatModel(BaseChatModel):
    """Wraps ``inner`` (None for replay only); see the module docstring."""

    model_config = ConfigDict(arbitrary_types_allowed=True, protected_namespaces=())

    inner: BaseChatModel | None = None
    path: Path
    mode: Literal["record", "replay"] = "replay"
    on_missing: Literal["error", "hold"] = "error"
    model_id: str = ""

    _entries: dict[tuple[str, int], dict[str, Any]] = PrivateAttr(default_factory=dict)
    _seen: Counter[str] = PrivateAttr(default_factory=Counter)
    _usage: list[Usage] = PrivateAttr(default_factory=list)

    def model_post_init(self, context: Any) -> None:
        super().model_post_init(context)
        if not self.model_id:
            if self.inner is None:
                raise AgentSetupError("a cassette without an inner model needs model_id")
            self.model_id = model_id_of(self.inner)
        if self.mode == "record" and self.inner is None:
            raise AgentSetupError(f"cassette {self.path}: record mode needs an inner model")
        self._entries = _load(self.path)

    @property
    def _llm_type(self) -> str:
        return "cassette"

    @property
    def _identifying_params(self) -> dict[str, Any]:
        return {"model_id": self.model_id}

    def bind_tools(
        self,
        tools: Sequence[dict[str, Any] | type | Callable[..., Any] | BaseTool],
        *,
        tool_choice: str | None = None,
        **kwargs: Any,
    ) -> Runnable[LanguageModelInput, AIMessage]:
        formatted = [convert_to_openai_tool(t) for t in tools]
        if tool_choice is not None:
            kwargs["tool_choice"] = tool_choice
        return self.bind(tools=formatted, **kwargs)

    # -- the two generate paths ----------------------------------------------------------------

    def _generate(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> ChatResult:
        key, request, n = self._lookup_key(messages, stop, kwargs)
        hit = self._replay(key, n, request)
        if hit is not None:
            return hit
        t0 = time.perf_counter()
        answer = self._inner_runnable(kwargs).invoke(messages, stop=stop)
        return self._store(key, n, request, answer, time.perf_counter() - t0)

    async def _agenerate(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: AsyncCallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> ChatResult:
        key, request, n = self._lookup_key(messages, stop, kwargs)
        hit = self._replay(key, n, request)
        if hit is not None:
            return hit
        t0 = time.perf_counter()
        try:
            answer = await self._inner_runnable(kwargs).ainvoke(messages, stop=stop)
        except asyncio.CancelledError:  # cut off by the guard's timeout: replay must be too
            self._append(
                {**self._entry(key, n, request, time.perf_counter() - t0), "cancelled": True}
            )
            raise
        return self._store(key, n, request, answer, time.perf_counter() - t0)

    # -- internals -----------------------------------------------------------------------------

    def _lookup_key(
        self, messages: list[BaseMessage], stop: list[str] | None, kwargs: dict[str, Any]
    ) -> tuple[str, dict[str, Any], int]:
        params = {k: v for k, v in kwargs.items() if k != "tools" and not k.startswith("ls_")}
        if stop:
            params["stop"] = list(stop)
        request = {
            "model_id": self.model_id,
            "messages": [message_json(m) for m in messages],
            "tools": kwargs.get("tools") or [],
            "params": params,
        }
        key = sha256_hex(canonical_json(request))
        n = self._seen[key]
        self._seen[key] = n + 1
        return key, request, n

    def _replay(self, key: str, n: int, request: dict[str, Any]) -> ChatResult | None:
        entry = self._entries.get((key, n))
        if entry is not None and entry.get("cancelled"):
            raise TimeoutError(f"cassette {self.path}: call {key} was cut off when recorded")
        if entry is not None:
            return self._result(entry, replayed=True)
        if self.mode == "record":
            return None
        last = request["messages"][-1]["content"] if request["messages"] else ""
        where = (
            f"cassette {self.path}: no recorded answer for call {key} (occurrence {n}) "
            f"of model {self.model_id!r}; last message starts {str(last)[:120]!r}"
        )
        if self.on_missing == "hold":
            raise CassetteMiss(where)
        raise AgentSetupError(
            f"{where}. Record it (mode='record' with a real model), or replay with "
            f"on_missing='hold' to turn misses into recorded holds."
        )

    def _inner_runnable(self, kwargs: dict[str, Any]) -> Runnable[LanguageModelInput, Any]:
        inner = self.inner
        assert inner is not None  # record mode checked in model_post_init
        rest = {k: v for k, v in kwargs.items() if k not in ("tools", "tool_choice")}
        tools = kwargs.get("tools")
        if tools:
            return inner.bind_tools(tools, tool_choice=kwargs.get("tool_choice"), **rest)
        return inner.bind(**rest) if rest else inner

    def _store(
        self, key: str, n: int, request: dict[str, Any], answer: object, latency: float
    ) -> ChatResult:
        if not isinstance(answer, AIMessage):
            raise AgentSetupError(
                f"cassette {self.path}: inner model returned {type(answer).__name__}, "
                "not an AIMessage"
            )
        entry = {
            **self._entry(key, n, request, latency),
            "answer": _answer_json(answer),
            "usage": dict(answer.usage_metadata) if answer.usage_metadata else None,
        }
        self._append(entry)
        return self._result(entry, replayed=False)

    def _entry(self, key: str, n: int, request: dict[str, Any], latency: float) -> dict[str, Any]:
        return {
            "v": VERSION,
            "key": key,
            "n": n,
            "model_id": self.model_id,
            "request": request,
            "latency_s": round(latency, 6),
        }

    def _append(self, entry: dict[str, Any]) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with self.path.open("a", encoding="utf-8") as f:
            f.write(json.dumps(entry, sort_keys=True, ensure_ascii=False) + "\n")
        self._entries[(entry["key"], entry["n"])] = entry

    def _result(self, entry: dict[str, Any], *, replayed: bool) -> ChatResult:
        a = entry["answer"]
        usage = entry.get("usage")
        msg = AIMessage(
            content=a.get("content", ""),
            tool_calls=[
                {"name": c["name"], "args": c["args"], "id": c.get("id"), "type": "tool_call"}
                for c in a.get("tool_calls", [])
            ],
            invalid_tool_calls=[
                {
                    "name": c.get("name"),
                    "args": c.get("args"),
                    "id": c.get("id"),
                    "error": c.get("error"),
                    "type": "invalid_tool_call",
                }
                for c in a.get("invalid_tool_calls", [])
            ],
            usage_metadata=usage,
        )
        self._usage.append(
            Usage(
                self.model_id,
                int(usage["input_tokens"]) if usage else 0,
                int(usage["output_tokens"]) if usage else 0,
                replayed,
                float(entry.get("latency_s", 0.0)),
            )
        )
        return ChatResult(generations=[ChatGeneration(message=msg)])

    def usage_items(self) -> list[Usage]:
        return list(self._usage)

    def usage_report(self, prices: dict[str, tuple[str, str]] | None = None) -> UsageReport:
        """Calls served in this run, tokens in/out, and an *estimated* cost."""
        return usage_report(self._usage, prices)


def _answer_json(ai: AIMessage) -> dict[str, Any]:
    j = message_json(ai)
    j.pop("type")
    if ai.invalid_tool_calls:
        j["invalid_tool_calls"] = [
            {
                "name": c.get("name"),
                "args": c.get("args"),
                "id": c.get("id"),
                "error": c.get("error"),
            }
            for c in ai.invalid_tool_calls
        ]
    return j


def _load(path: Path) -> dict[tuple[str, int], dict[str, Any]]:
    out: dict[tuple[str, int], dict[str, Any]] = {}
    if not path.exists():
        return out
    with path.open(encoding="utf-8") as f:
        for i, line in enumerate(f, 1):
            if not line.strip():
                continue
            try:
                e = json.loads(line)
                out[(str(e["key"]), int(e["n"]))] = e
            except (json.JSONDecodeError, KeyError, TypeError, ValueError) as exc:
                raise AgentSetupError(
                    f"cassette {path}, line {i}: not a cassette entry ({exc}); "
                    "re-record the file or remove the line"
                ) from None
    return out
