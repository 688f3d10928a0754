"""Standalone check of an exported inclusion proof (the JSON ``dexagent audit prove`` prints).

Needs nothing but this module: hash the record bytes as a leaf, walk the path, compare roots.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from dexagent.audit_log.merkle import InvalidProof, hash_leaf, verify_inclusion


def verify_inclusion_json(proof: Mapping[str, Any]) -> None:
    """Raise ``InvalidProof`` unless ``proof["record"]`` is leaf ``seq`` under ``root``."""
    if json.loads(proof["record"]).get("seq") != proof["seq"]:
        raise InvalidProof("the record's own seq differs from the proof's index")
    verify_inclusion(
        leaf_hash=hash_leaf(str(proof["record"]).encode("utf-8")),
        index=int(proof["seq"]),
        tree_size=int(proof["tree_size"]),
        proof=[bytes.fromhex(h) for h in proof["path"]],
        root=bytes.fromhex(str(proof["root"])),
    )
