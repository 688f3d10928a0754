"""RFC 8785 (JCS) canonical JSON bytes.

Fast path: payloads without floats, non-BMP keys or big integers go through the C JSON encoder,
whose output for those values is already canonical (sorted keys, no spaces, JCS escaping).
Anything else takes the full path (UTF-16 key order, ECMAScript number text).
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from decimal import Decimal
from json.encoder import c_make_encoder, encode_basestring  # type: ignore[attr-defined]
from typing import Any

from dexagent.core.errors import ConfigError

MAX_SAFE_INT = 2**53 - 1


class CanonicalError(ConfigError):
    """A value that has no RFC 8785 form (NaN, a lone surrogate, an unsupported type)."""


_encoder = json.JSONEncoder(
    ensure_ascii=False, sort_keys=True, separators=(",", ":"), allow_nan=False
)
_fast_dumps = _encoder.encode
# The C encoder built once (JSONEncoder.encode builds one per call): what _fast_dumps does for
# the simple values, minus the circular-reference markers (_is_simple recurses first anyway).
_c_encoder: Any = (
    None
    if c_make_encoder is None
    else c_make_encoder(
        None, _encoder.default, encode_basestring, None, ":", ",", True, False, False
    )
)


def _simple_dumps(value: Any) -> str:
    if _c_encoder is None:
        return _fast_dumps(value)
    return "".join(_c_encoder(value, 0))


def canonicalize(value: Any) -> bytes:
    """RFC 8785 canonical UTF-8 bytes of ``value`` (dict, list, str, int, float, bool, None)."""
    try:
        if _is_simple(value):
            return _fast_dumps(value).encode("utf-8")
        return _full(value).encode("utf-8")
    except UnicodeEncodeError as exc:
        raise CanonicalError(f"string with a lone surrogate has no RFC 8785 form: {exc}") from None
    except TypeError as exc:
        raise CanonicalError(f"{exc}; use str for Decimal and other non-JSON values") from None


def canonical_text(value: Any) -> str:
    """``canonicalize(value)`` as text, for callers that build a larger canonical document.

    The text may hold a lone surrogate: encoding it to UTF-8 (which RFC 8785 output is) then
    fails, so the caller must encode with ``errors="strict"`` and treat UnicodeEncodeError as
    ``CanonicalError``.
    """
    try:
        if _is_simple(value):
            return _simple_dumps(value)
        return _full(value)
    except TypeError as exc:
        raise CanonicalError(f"{exc}; use str for Decimal and other non-JSON values") from None


def _is_simple(value: Any) -> bool:
    """True when the C encoder's output for ``value`` is already RFC 8785 canonical."""
    t = type(value)
    if t is dict:
        return _simple_dict(value)
    if t is list or t is tuple:
        return _simple_list(value)
    if t is str or t is bool or value is None:
        return True
    if t is int:
        return bool(-MAX_SAFE_INT <= value <= MAX_SAFE_INT)
    return False  # floats, subclasses, other types: the full path decides


# _simple_dict and _simple_list inline the scalar cases of _is_simple (the hot path of append)


def _simple_dict(d: dict[Any, Any]) -> bool:
    for k, v in d.items():
        if type(k) is not str or not (k.isascii() or _bmp_only(k)):
            return False
        t = type(v)
        if t is str or t is bool or v is None:
            continue
        if t is int:
            if not -MAX_SAFE_INT <= v <= MAX_SAFE_INT:
                return False
        elif t is dict:
            if not _simple_dict(v):
                return False
        elif t is list or t is tuple:
            if not _simple_list(v):
                return False
        else:
            return False
    return True


def _simple_list(items: list[Any] | tuple[Any, ...]) -> bool:
    for v in items:
        t = type(v)
        if t is str or t is bool or v is None:
            continue
        if t is int:
            if not -MAX_SAFE_INT <= v <= MAX_SAFE_INT:
                return False
        elif t is dict:
            if not _simple_dict(v):
                return False
        elif t is list or t is tuple:
            if not _simple_list(v):
                return False
        else:
            return False
    return True


def _bmp_only(s: str) -> bool:
    return all(ord(c) < 0xD800 for c in s)


def _full(value: Any) -> str:
    if value is None:
        return "null"
    if value is True:
        return "true"
    if value is False:
        return "false"
    if isinstance(value, str):
        return _fast_dumps(value)
    if isinstance(value, int):
        if not -MAX_SAFE_INT <= value <= MAX_SAFE_INT:
            raise CanonicalError(
                f"integer {value} is outside the I-JSON range ±(2**53-1); write it as a string"
            )
        return str(int(value))
    if isinstance(value, float):
        return es6_number(value)
    if isinstance(value, Mapping):
        items = []
        for k in value:
            if not isinstance(k, str):
                raise CanonicalError(f"object key {k!r} is not a string")
            items.append((k.encode("utf-16-be"), k))
        items.sort()
        return "{" + ",".join(_fast_dumps(k) + ":" + _full(value[k]) for _, k in items) + "}"
    if isinstance(value, list | tuple):
        return "[" + ",".join(_full(v) for v in value) + "]"
    raise CanonicalError(
        f"value of type {type(value).__name__} has no JSON form; use str for Decimal and others"
    )


def es6_number(x: float) -> str:
    """ECMAScript ``Number.prototype.toString`` of a finite double, as RFC 8785 requires."""
    if not math.isfinite(x):
        raise CanonicalError(f"{x} is not a JSON number (RFC 8785 rejects NaN and Infinity)")
    if x == 0:
        return "0"
    sign = "-" if x < 0 else ""
    _, digit_tuple, exponent = Decimal(repr(abs(x))).as_tuple()  # shortest round-trip digits
    digits = "".join(map(str, digit_tuple)).rstrip("0")
    n = len(digit_tuple) + int(exponent)  # value = 0.digits * 10**n
    k = len(digits)
    if k <= n <= 21:
        out = digits + "0" * (n - k)
    elif 0 < n <= 21:
        out = digits[:n] + "." + digits[n:]
    elif -6 < n <= 0:
        out = "0." + "0" * (-n) + digits
    else:
        e = n - 1
        out = digits[0] + ("." + digits[1:] if k > 1 else "") + "e" + ("+" if e >= 0 else "-")
        out += str(abs(e))
    return sign + out
