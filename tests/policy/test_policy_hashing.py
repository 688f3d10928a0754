from __future__ import annotations

import hashlib
import json

from dexagent.policy import canonical_json, parse_policy, policy_hash


def test_canonical_json_is_sorted_compact_and_has_no_floats() -> None:
    p = parse_policy("schema_version = 1\n[limits]\nmax_gross_exposure = 0.50\n")
    text = canonical_json(p).decode()
    assert " " not in text.replace('"description":""', "")  # compact
    doc = json.loads(text)
    assert list(doc) == sorted(doc)
    assert doc["limits"]["max_gross_exposure"] == "0.5"
    assert doc["schema_version"] == 1


def test_policy_hash_is_sha256_of_canonical_json() -> None:
    p = parse_policy("schema_version = 1\n")
    assert policy_hash(p) == "sha256:" + hashlib.sha256(canonical_json(p)).hexdigest()


def test_defaults_spelled_out_hash_like_defaults_left_out() -> None:
    a = parse_policy("schema_version = 1\n")
    b = parse_policy("schema_version = 1\n[gas]\nnative_decimals = 18\n")
    assert policy_hash(a) == policy_hash(b)
