"""RFC 8785 canonical JSON against the cyberphone and ES6 number vectors."""

from __future__ import annotations

import json
import struct

import pytest

from dexagent.audit_log.canonical import CanonicalError, canonicalize, es6_number
from tests.audit_log.vectors import JCS

CASES = sorted(p.stem for p in (JCS / "input").glob("*.json"))
SAMPLES = json.loads((JCS / "es6_number_samples.json").read_text())["cases"]


def _parse(text: str) -> object:
    # JCS reads every number as an IEEE double
    return json.loads(text, parse_int=float)


@pytest.mark.parametrize("name", CASES)
def test_canonical_bytes_match_jcs_vector(name: str) -> None:
    value = _parse((JCS / "input" / f"{name}.json").read_text(encoding="utf-8"))
    expected = (JCS / "output" / f"{name}.json").read_bytes()
    assert canonicalize(value) == expected
    hex_text = (JCS / "outhex" / f"{name}.txt").read_text()
    assert canonicalize(value) == bytes.fromhex("".join(hex_text.split()))


def test_all_six_jcs_cases_are_present() -> None:
    assert len(CASES) == 6


@pytest.mark.parametrize("case", SAMPLES, ids=lambda c: c["hex_ieee"])
def test_es6_number_text_matches_sample(case: dict[str, str | None]) -> None:
    x = struct.unpack(">d", bytes.fromhex(str(case["hex_ieee"]).rjust(16, "0")))[0]
    if case["expected"] is None:
        with pytest.raises(CanonicalError):
            es6_number(x)
        with pytest.raises(CanonicalError):
            canonicalize([x])
    else:
        assert es6_number(x) == case["expected"]
        assert canonicalize(x) == str(case["expected"]).encode()


def test_fast_path_equals_full_path_on_payload_shapes() -> None:
    payload = {"b": [1, "x\n\u2028", None, True], "a": {"é": "\x7f\x01"}, "": -(2**53 - 1)}
    fast = canonicalize(payload)
    assert fast == (
        b'{"":-9007199254740991,"a":{"\xc3\xa9":"\x7f\\u0001"},'
        b'"b":[1,"x\\n\xe2\x80\xa8",null,true]}'
    )


def test_keys_sort_by_utf16_code_units_not_code_points() -> None:
    # U+1F600 is D83D DE00 in UTF-16, which sorts before U+FB01
    assert canonicalize({"\ufb01": 1, "\U0001f600": 2}) == '{"\U0001f600":2,"\ufb01":1}'.encode()


def test_big_integer_is_refused_with_advice() -> None:
    with pytest.raises(CanonicalError, match="write it as a string"):
        canonicalize({"amount": 2**64})


def test_lone_surrogate_and_decimal_are_refused() -> None:
    with pytest.raises(CanonicalError):
        canonicalize("\ud800")
    from decimal import Decimal

    with pytest.raises(CanonicalError, match="str"):
        canonicalize({"p": Decimal("1.5")})
