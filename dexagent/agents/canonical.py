"""Canonical JSON of chat messages and requests: the bytes prompt hashes and cassette keys use."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from langchain_core.messages import AIMessage, BaseMessage, ToolMessage


def canonical_json(obj: object) -> str:
    return json.dumps(
        obj, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=_default
    )


def _default(o: object) -> Any:
    if isinstance(o, Decimal):
        return str(o)
    if hasattr(o, "model_dump"):
        return o.model_dump(mode="json")
    raise TypeError(f"not canonical JSON: {type(o).__name__}")


def sha256_hex(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def message_json(m: BaseMessage) -> dict[str, Any]:
    out: dict[str, Any] = {"type": m.type, "content": m.content}
    if isinstance(m, AIMessage) and m.tool_calls:
        out["tool_calls"] = [
            {"name": c["name"], "args": c["args"], "id": c.get("id")} for c in m.tool_calls
        ]
    if isinstance(m, ToolMessage):
        out["tool_call_id"] = m.tool_call_id
    return out


def messages_hash(messages: Sequence[BaseMessage]) -> str:
    return sha256_hex(canonical_json([message_json(m) for m in messages]))


def answer_text(m: BaseMessage) -> str:
    """A model's answer as one string: its text and tool calls (what the audit log keeps)."""
    j = message_json(m)
    j.pop("type")
    return canonical_json(j)
