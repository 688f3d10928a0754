"""Masks things that look like credentials before text reaches a record, a log or an error."""

from __future__ import annotations

import re

_PATTERNS = (
    re.compile(r"\b(sk|pk|rk)-[A-Za-z0-9_\-]{8,}"),  # OpenAI / Anthropic style keys
    re.compile(r"\bAIza[0-9A-Za-z_\-]{20,}"),  # Google API keys
    re.compile(r"(?i)\b(bearer)\s+[A-Za-z0-9._\-]{8,}"),
    re.compile(
        r"(?i)\b(api[_-]?key|x-api-key|authorization|secret|token)\b(\s*[:=]\s*)"
        r"['\"]?[A-Za-z0-9._\-]{8,}"
    ),
)


def redact(text: str) -> str:
    for p in _PATTERNS:
        text = p.sub(_mask, text)
    return text


def _mask(m: re.Match[str]) -> str:
    if m.re.groups >= 2 and m.group(2) is not None:
        return f"{m.group(1)}{m.group(2)}[redacted]"
    if m.re.groups == 1 and m.group(1).lower() == "bearer":
        return "Bearer [redacted]"
    return "[redacted]"
