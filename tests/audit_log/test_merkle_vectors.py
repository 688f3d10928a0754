"""RFC 6962 tree and proofs against transparency-dev/merkle's reference tree and probes."""

from __future__ import annotations

import base64
import json
from typing import Any

import pytest

from dexagent.audit_log import merkle
from dexagent.audit_log.tree import MerkleTree
from tests.audit_log.vectors import MERKLE

REF = json.loads((MERKLE / "rfc6962_reference_tree.json").read_text())


def _probes(kind: str) -> list[dict[str, Any]]:
    data = json.loads((MERKLE / f"transparency-dev_{kind}_probes.json").read_text())
    return list(data["probes"])


def _b(v: str | None) -> bytes:
    return base64.b64decode(v) if v else b""


def _bs(v: list[str] | None) -> list[bytes]:
    return [base64.b64decode(x) for x in v or []]


def _tree() -> MerkleTree:
    return MerkleTree(merkle.hash_leaf(bytes.fromhex(x)) for x in REF["leaf_inputs_hex"])


def test_leaf_hashes_match_reference() -> None:
    got = [merkle.hash_leaf(bytes.fromhex(x)).hex() for x in REF["leaf_inputs_hex"]]
    assert got == REF["leaf_hashes"]


def test_roots_for_every_size_match_reference() -> None:
    tree = _tree()
    for size, root in REF["roots_by_tree_size"].items():
        assert tree.root(int(size)).hex() == root


def test_every_node_hash_by_level_matches_reference() -> None:
    tree = _tree()
    for level, hashes in REF["node_hashes_by_level"].items():
        width = 1 << int(level)
        got = [tree.subtree_hash(i * width, (i + 1) * width).hex() for i in range(len(hashes))]
        assert got == hashes


@pytest.mark.parametrize("case", REF["inclusion_proofs"], ids=str)
def test_reference_inclusion_proof_is_generated_and_verifies(case: dict[str, Any]) -> None:
    tree = _tree()
    proof = tree.inclusion_proof(case["leaf_index"], case["tree_size"])
    assert [p.hex() for p in proof] == case["proof"]
    merkle.verify_inclusion(
        leaf_hash=bytes.fromhex(case["leaf_hash"]),
        index=case["leaf_index"],
        tree_size=case["tree_size"],
        proof=proof,
        root=bytes.fromhex(case["root"]),
    )


@pytest.mark.parametrize("case", REF["consistency_proofs"], ids=str)
def test_reference_consistency_proof_is_generated_and_verifies(case: dict[str, Any]) -> None:
    tree = _tree()
    proof = tree.consistency_proof(case["size1"], case["size2"])
    assert [p.hex() for p in proof] == case["proof"]
    merkle.verify_consistency(
        size1=case["size1"],
        size2=case["size2"],
        root1=bytes.fromhex(case["root1"]),
        root2=bytes.fromhex(case["root2"]),
        proof=proof,
    )


def test_all_generated_proofs_verify_up_to_size_40() -> None:
    tree = MerkleTree(merkle.hash_leaf(bytes([i])) for i in range(40))
    for size in range(1, 41):
        root = tree.root(size)
        for i in range(size):
            merkle.verify_inclusion(
                leaf_hash=tree.leaf(i),
                index=i,
                tree_size=size,
                proof=tree.inclusion_proof(i, size),
                root=root,
            )
        for s1 in range(1, size + 1):
            merkle.verify_consistency(
                size1=s1,
                size2=size,
                root1=tree.root(s1),
                root2=root,
                proof=tree.consistency_proof(s1, size),
            )


def _outcome(fn: Any) -> bool:
    try:
        fn()
    except merkle.InvalidProof:
        return True
    return False


@pytest.mark.parametrize("p", _probes("inclusion"), ids=lambda p: p["_file"])
def test_inclusion_probe(p: dict[str, Any]) -> None:
    failed = _outcome(
        lambda: merkle.verify_inclusion(
            leaf_hash=_b(p["leafHash"]),
            index=p["leafIdx"],
            tree_size=p["treeSize"],
            proof=_bs(p["proof"]),
            root=_b(p["root"]),
        )
    )
    assert failed == p["wantErr"]


@pytest.mark.parametrize("p", _probes("consistency"), ids=lambda p: p["_file"])
def test_consistency_probe(p: dict[str, Any]) -> None:
    failed = _outcome(
        lambda: merkle.verify_consistency(
            size1=p["size1"],
            size2=p["size2"],
            root1=_b(p["root1"]),
            root2=_b(p["root2"]),
            proof=_bs(p["proof"]),
        )
    )
    assert failed == p["wantErr"]


@pytest.mark.parametrize("p", _probes("subtreeinclusion"), ids=lambda p: p["_file"])
def test_subtree_inclusion_probe(p: dict[str, Any]) -> None:
    failed = _outcome(
        lambda: merkle.verify_subtree_inclusion(
            leaf_hash=_b(p["leafHash"]),
            index=p["leafIdx"],
            start=p["start"],
            end=p["end"],
            proof=_bs(p["proof"]),
            root=_b(p["root"]),
        )
    )
    assert failed == p["wantErr"]


@pytest.mark.parametrize("p", _probes("subtreeconsistency"), ids=lambda p: p["_file"])
def test_subtree_consistency_probe(p: dict[str, Any]) -> None:
    failed = _outcome(
        lambda: merkle.verify_subtree_consistency(
            start=p["start"],
            end=p["end"],
            size=p["size"],
            sub_root=_b(p["root1"]),
            root=_b(p["root2"]),
            proof=_bs(p["proof"]),
        )
    )
    assert failed == p["wantErr"]


def test_probe_counts_cover_all_files() -> None:
    counts = [
        len(_probes(k))
        for k in ("inclusion", "consistency", "subtreeinclusion", "subtreeconsistency")
    ]
    assert counts == [98, 98, 204, 118]
