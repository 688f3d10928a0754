"""RFC 6962 / RFC 9162 Merkle hashing and proof verification (SHA-256), as pure functions.

Every verifier raises ``InvalidProof`` naming what is wrong; it returns None when the proof holds.
The subtree variants follow transparency-dev/merkle (subtrees ``[start, end)`` of a log).
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence

from dexagent.core.errors import DexAgentError

HASH_SIZE = 32
EMPTY_ROOT = hashlib.sha256(b"").digest()


class InvalidProof(DexAgentError):
    """A Merkle proof or root that does not check out."""


def hash_leaf(data: bytes) -> bytes:
    return hashlib.sha256(b"\x00" + data).digest()


def hash_children(left: bytes, right: bytes) -> bytes:
    return hashlib.sha256(b"\x01" + left + right).digest()


def _check_hash(name: str, h: bytes) -> None:
    if len(h) != HASH_SIZE:
        raise InvalidProof(f"{name} has {len(h)} bytes, want {HASH_SIZE}")


def _match(calculated: bytes, expected: bytes) -> None:
    if calculated != expected:
        raise InvalidProof(f"calculated root {calculated.hex()} does not match {expected.hex()}")


def _inner_size(index: int, size: int) -> int:
    return (index ^ (size - 1)).bit_length()


def _decomp_inclusion(index: int, size: int) -> tuple[int, int]:
    inner = _inner_size(index, size)
    return inner, (index >> inner).bit_count()


def _chain_inner(seed: bytes, proof: Sequence[bytes], index: int) -> bytes:
    for i, h in enumerate(proof):
        seed = hash_children(seed, h) if (index >> i) & 1 == 0 else hash_children(h, seed)
    return seed


def _chain_inner_right(seed: bytes, proof: Sequence[bytes], index: int) -> bytes:
    for i, h in enumerate(proof):
        if (index >> i) & 1 == 1:
            seed = hash_children(h, seed)
    return seed


def _chain_border_right(seed: bytes, proof: Sequence[bytes]) -> bytes:
    for h in proof:
        seed = hash_children(h, seed)
    return seed


def root_from_inclusion_proof(
    *, leaf_hash: bytes, index: int, tree_size: int, proof: Sequence[bytes]
) -> bytes:
    if not 0 <= index < tree_size:
        raise InvalidProof(f"index {index} is beyond tree size {tree_size}")
    _check_hash("leaf hash", leaf_hash)
    for h in proof:
        _check_hash("proof hash", h)
    inner, border = _decomp_inclusion(index, tree_size)
    if len(proof) != inner + border:
        raise InvalidProof(f"wrong proof size {len(proof)}, want {inner + border}")
    res = _chain_inner(leaf_hash, proof[:inner], index)
    return _chain_border_right(res, proof[inner:])


def verify_inclusion(
    *, leaf_hash: bytes, index: int, tree_size: int, proof: Sequence[bytes], root: bytes
) -> None:
    """Check that ``leaf_hash`` is leaf ``index`` of the tree of ``tree_size`` with ``root``."""
    calc = root_from_inclusion_proof(
        leaf_hash=leaf_hash, index=index, tree_size=tree_size, proof=proof
    )
    _match(calc, root)


def _check_subtree(start: int, end: int) -> None:
    if not 0 <= start < end:
        raise InvalidProof(f"subtree [{start}, {end}) is empty or negative")
    width = 1 << (end - start - 1).bit_length()  # smallest power of two >= end - start
    if start % width:
        raise InvalidProof(f"subtree [{start}, {end}): start is not a multiple of {width}")


def verify_subtree_inclusion(
    *, leaf_hash: bytes, index: int, start: int, end: int, proof: Sequence[bytes], root: bytes
) -> None:
    """Check that ``leaf_hash`` at ``index`` is in the subtree ``[start, end)`` with ``root``."""
    _check_subtree(start, end)
    if not start <= index < end:
        raise InvalidProof(f"index {index} out of subtree [{start}, {end})")
    calc = root_from_inclusion_proof(
        leaf_hash=leaf_hash, index=index - start, tree_size=end - start, proof=proof
    )
    _match(calc, root)


def root_from_consistency_proof(
    *, size1: int, size2: int, root1: bytes, proof: Sequence[bytes]
) -> bytes:
    if size2 < size1:
        raise InvalidProof(f"size2 ({size2}) < size1 ({size1})")
    if size1 == 0:
        raise InvalidProof("a consistency proof from the empty tree is meaningless")
    if size1 == size2:
        if proof:
            raise InvalidProof("size1 = size2, but the proof is not empty")
        return root1
    if not proof:
        raise InvalidProof("empty proof")
    return _root_from_subtree_consistency(0, size1, size2, proof, root1)


def verify_consistency(
    *, size1: int, size2: int, root1: bytes, root2: bytes, proof: Sequence[bytes]
) -> None:
    """Check that the tree of ``size2`` with ``root2`` extends the one of ``size1``/``root1``."""
    _match(root_from_consistency_proof(size1=size1, size2=size2, root1=root1, proof=proof), root2)


def verify_subtree_consistency(
    *, start: int, end: int, size: int, sub_root: bytes, root: bytes, proof: Sequence[bytes]
) -> None:
    """Check that subtree ``[start, end)`` with ``sub_root`` is part of the tree ``size``/``root``.

    An empty subtree (start = end) with the empty-tree hash and no proof is part of any tree.
    """
    if start == end >= 0:
        if proof:
            raise InvalidProof("an empty subtree takes an empty proof")
        if sub_root != EMPTY_ROOT:
            raise InvalidProof("an empty subtree's root must be the hash of the empty string")
        return
    _check_subtree(start, end)
    if size < end:
        raise InvalidProof(f"size ({size}) < end ({end})")
    if start == 0 and size == end:
        if proof:
            raise InvalidProof("start = 0 and end = size, but the proof is not empty")
        _match(sub_root, root)
        return
    if not proof:
        raise InvalidProof("empty proof")
    _match(_root_from_subtree_consistency(start, end, size, proof, sub_root), root)


def _root_from_subtree_consistency(
    start: int, end: int, size: int, proof: Sequence[bytes], sub_root: bytes
) -> bytes:
    _check_hash("subtree root", sub_root)
    for h in proof:
        _check_hash("proof hash", h)
    if end == size:
        level = ((end - 1) ^ start).bit_length()
        want = (start >> level).bit_count()
        if len(proof) != want:
            raise InvalidProof(f"wrong proof size {len(proof)}, want {want}")
        return _chain_border_right(sub_root, proof)

    fork_level, border = _decomp_inclusion(end - 1, size)
    shift = ((end - start) & -(end - start)).bit_length() - 1  # trailing zeros
    inner = fork_level - shift
    seed, p_start = proof[0], 1
    if end - start == 1 << shift:
        seed, p_start = sub_root, 0
    if len(proof) != p_start + inner + border:
        raise InvalidProof(f"wrong proof size {len(proof)}, want {p_start + inner + border}")
    rest = proof[p_start:]
    mask = (end - 1) >> shift
    if p_start == 1:
        height = ((end - 1) ^ start).bit_length()
        sub_inner = min(height, fork_level) - shift
        sub_border = max(0, border - ((end - 1) >> height).bit_count())
        hash1 = _chain_inner_right(seed, rest[:sub_inner], mask)
        hash1 = _chain_border_right(hash1, rest[inner : inner + sub_border])
        _match(hash1, sub_root)
    hash2 = _chain_inner(seed, rest[:inner], mask)
    return _chain_border_right(hash2, rest[inner:])
