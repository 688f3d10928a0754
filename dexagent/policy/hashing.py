"""The policy's identity: SHA-256 over its RFC 8785 canonical JSON.

Every default is filled in and every ``Decimal`` is written in one normal form ("0.10" and "0.1"
are the same limit), so two files that mean the same policy have the same hash.
"""

from __future__ import annotations

import hashlib
from decimal import Decimal
from typing import Any

import rfc8785

from dexagent.policy.model import Policy


def canonical_json(policy: Policy) -> bytes:
    return bytes(rfc8785.dumps(_plain(policy.model_dump(mode="python"))))


def policy_hash(policy: Policy) -> str:
    """``sha256:<hex>`` of the canonical JSON."""
    return "sha256:" + hashlib.sha256(canonical_json(policy)).hexdigest()


def decimal_text(d: Decimal) -> str:
    """The normal form of a decimal: no exponent, no trailing zeros ("1E+2" -> "100")."""
    n = d.normalize()
    text = format(n, "f")
    return "0" if text in ("-0", "0") else text


def _plain(value: Any) -> Any:
    if isinstance(value, Decimal):
        return decimal_text(value)
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    return value
