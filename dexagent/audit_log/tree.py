"""An append-only RFC 6962 Merkle tree kept in memory: roots and proofs for any past size.

Every complete, aligned subtree hash is kept (two hashes per leaf, packed in bytearrays), so a
root or proof at any size costs O(log n) hashes.
"""

from __future__ import annotations

from collections.abc import Iterable
from hashlib import sha256

from dexagent.audit_log.merkle import EMPTY_ROOT, HASH_SIZE, hash_children

H = HASH_SIZE


class MerkleTree:
    def __init__(self, leaf_hashes: Iterable[bytes] = ()) -> None:
        self._levels: list[bytearray] = [bytearray()]
        self.extend(leaf_hashes)

    @property
    def size(self) -> int:
        return len(self._levels[0]) // H

    def append(self, leaf_hash: bytes) -> int:
        """Add a leaf hash; return its index."""
        levels = self._levels
        levels[0] += leaf_hash
        index = len(levels[0]) // H - 1
        j, n = 0, index + 1
        while n % 2 == 0:
            row = levels[j]
            node = hash_children(bytes(row[-2 * H : -H]), bytes(row[-H:]))
            if len(levels) == j + 1:
                levels.append(bytearray())
            levels[j + 1] += node
            j, n = j + 1, n // 2
        return index

    def extend(self, leaf_hashes: Iterable[bytes]) -> None:
        """Add many leaf hashes at once: the same nodes as ``append`` one by one, computed level
        by level over packed bytes (each level's new nodes hash pairs of the level below)."""
        hashes = leaf_hashes if isinstance(leaf_hashes, list | tuple) else list(leaf_hashes)
        if not hashes:
            return
        packed = b"".join(hashes)
        if len(packed) != H * len(hashes):
            raise ValueError(f"leaf hashes must have {H} bytes each")
        levels = self._levels
        levels[0] += packed
        j = 0
        while True:
            n = len(levels[j]) // H
            if len(levels) == j + 1:
                if n < 2:
                    return
                levels.append(bytearray())
            have, want = len(levels[j + 1]) // H, n // 2
            if have == want:  # nothing new here, so nothing new above
                return
            below = memoryview(bytes(levels[j][2 * have * H : 2 * want * H]))
            prefix = sha256(b"\x01")
            out = []
            for i in range(0, len(below), 2 * H):
                node = prefix.copy()
                node.update(below[i : i + 2 * H])
                out.append(node.digest())
            levels[j + 1] += b"".join(out)
            j += 1

    def leaf(self, index: int) -> bytes:
        return bytes(self._levels[0][index * H : (index + 1) * H])

    def _node(self, level: int, index: int) -> bytes:
        return bytes(self._levels[level][index * H : (index + 1) * H])

    def subtree_hash(self, lo: int, hi: int) -> bytes:
        """MTH of leaves ``[lo, hi)``; ``lo`` must be where RFC 6962's recursion puts it."""
        n = hi - lo
        if n == 0:
            return EMPTY_ROOT
        if n & (n - 1) == 0 and lo % n == 0:
            return self._node(n.bit_length() - 1, lo // n)
        k = 1 << ((n - 1).bit_length() - 1)
        return hash_children(self.subtree_hash(lo, lo + k), self.subtree_hash(lo + k, hi))

    def root(self, size: int | None = None) -> bytes:
        size = self.size if size is None else size
        self._check_size(size)
        return self.subtree_hash(0, size)

    def inclusion_proof(self, index: int, size: int | None = None) -> list[bytes]:
        size = self.size if size is None else size
        self._check_size(size)
        if not 0 <= index < size:
            raise ValueError(f"index {index} is not in a tree of size {size}")
        return self._path(index, 0, size)

    def _path(self, m: int, lo: int, hi: int) -> list[bytes]:
        n = hi - lo
        if n == 1:
            return []
        k = 1 << ((n - 1).bit_length() - 1)
        if m - lo < k:
            return [*self._path(m, lo, lo + k), self.subtree_hash(lo + k, hi)]
        return [*self._path(m, lo + k, hi), self.subtree_hash(lo, lo + k)]

    def consistency_proof(self, size1: int, size2: int | None = None) -> list[bytes]:
        size2 = self.size if size2 is None else size2
        self._check_size(size2)
        if not 0 < size1 <= size2:
            raise ValueError(f"no consistency proof from size {size1} to {size2}")
        return self._subproof(size1, 0, size2, True)

    def _subproof(self, m: int, lo: int, hi: int, whole: bool) -> list[bytes]:
        n = hi - lo
        if m == n:
            return [] if whole else [self.subtree_hash(lo, hi)]
        k = 1 << ((n - 1).bit_length() - 1)
        if m <= k:
            return [*self._subproof(m, lo, lo + k, whole), self.subtree_hash(lo + k, hi)]
        return [*self._subproof(m - k, lo + k, hi, False), self.subtree_hash(lo, lo + k)]

    def _check_size(self, size: int) -> None:
        if not 0 <= size <= self.size:
            raise ValueError(f"tree size {size} is beyond the {self.size} leaves held")
