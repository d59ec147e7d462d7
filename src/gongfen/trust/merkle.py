"""The Merkle tree of RFC 9162 (Certificate Transparency 2.0, section 2.1), in pure Python, no Django.

- leaf hash  ``SHA-256(0x00 || data)``; node hash ``SHA-256(0x01 || left || right)``;
- the tree head of n leaves ``MTH(D[n])`` splits at k, the largest power of two below n;
- ``inclusion_proof(m, leaves)`` is PATH(m, D[n]); ``verify_inclusion`` follows 2.1.3.2;
- ``consistency_proof(m, leaves)`` is PROOF(m, D[n]); ``verify_consistency`` follows 2.1.4.2.

Functions take leaf *hashes* (bytes of 32), so a log kept in a database can
hand over its stored leaf hashes without the data behind them.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence

EMPTY_ROOT = hashlib.sha256(b"").digest()


def leaf_hash(data: bytes) -> bytes:
    return hashlib.sha256(b"\x00" + data).digest()


def node_hash(left: bytes, right: bytes) -> bytes:
    return hashlib.sha256(b"\x01" + left + right).digest()


def _split(n: int) -> int:
    """The largest power of two smaller than n (n > 1)."""
    return 1 << ((n - 1).bit_length() - 1)


def root(hashes: Sequence[bytes]) -> bytes:
    """MTH over leaf hashes; the empty tree's head is SHA-256 of nothing."""
    n = len(hashes)
    if n == 0:
        return EMPTY_ROOT
    if n == 1:
        return hashes[0]
    k = _split(n)
    return node_hash(root(hashes[:k]), root(hashes[k:]))


def inclusion_proof(index: int, hashes: Sequence[bytes]) -> list[bytes]:
    """PATH(m, D[n]): the audit path of leaf ``index`` (0-based) in the tree of ``hashes``."""
    n = len(hashes)
    if not 0 <= index < n:
        raise ValueError(f"leaf {index} is not in a tree of {n} leaves")
    if n == 1:
        return []
    k = _split(n)
    if index < k:
        return [*inclusion_proof(index, hashes[:k]), root(hashes[k:])]
    return [*inclusion_proof(index - k, hashes[k:]), root(hashes[:k])]


def verify_inclusion(index: int, size: int, leaf: bytes, proof: Sequence[bytes], expected_root: bytes) -> bool:
    """RFC 9162 2.1.3.2: whether ``leaf`` (a leaf hash) is leaf ``index`` of the tree of ``size`` with that root."""
    if not 0 <= index < size:
        return False
    fn, sn, r = index, size - 1, leaf
    for p in proof:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            r = node_hash(p, r)
            if not fn & 1:
                while fn and not fn & 1:
                    fn, sn = fn >> 1, sn >> 1
        else:
            r = node_hash(r, p)
        fn, sn = fn >> 1, sn >> 1
    return sn == 0 and r == expected_root


def _subproof(m: int, hashes: Sequence[bytes], complete: bool) -> list[bytes]:
    n = len(hashes)
    if m == n:
        return [] if complete else [root(hashes)]
    k = _split(n)
    if m <= k:
        return [*_subproof(m, hashes[:k], complete), root(hashes[k:])]
    return [*_subproof(m - k, hashes[k:], False), root(hashes[:k])]


def consistency_proof(old_size: int, hashes: Sequence[bytes]) -> list[bytes]:
    """PROOF(m, D[n]): that the tree of the first ``old_size`` leaves is a prefix of the tree of ``hashes``."""
    if not 0 < old_size <= len(hashes):
        raise ValueError(f"no consistency proof from {old_size} to {len(hashes)} leaves")
    return _subproof(old_size, hashes, True)


def verify_consistency(old_size: int, new_size: int, old_root: bytes, new_root: bytes, proof: Sequence[bytes]) -> bool:
    """RFC 9162 2.1.4.2: whether the tree (new_size, new_root) extends the tree (old_size, old_root)."""
    if old_size < 1 or old_size > new_size:
        return False
    if old_size == new_size:
        return not proof and old_root == new_root
    if not proof:
        return False
    path = list(proof)
    if old_size & (old_size - 1) == 0:  # a power of two: the old root is the first node of the path
        path.insert(0, old_root)
    fn, sn = old_size - 1, new_size - 1
    while fn & 1:
        fn, sn = fn >> 1, sn >> 1
    fr = sr = path[0]
    for c in path[1:]:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            fr, sr = node_hash(c, fr), node_hash(c, sr)
            if not fn & 1:
                while fn and not fn & 1:
                    fn, sn = fn >> 1, sn >> 1
        else:
            sr = node_hash(sr, c)
        fn, sn = fn >> 1, sn >> 1
    return sn == 0 and fr == old_root and sr == new_root


# --- a log kept in a database: appending one leaf at a time, proofs from all levels at once ----------


def frontier_append(frontier: list[bytes], size: int, leaf: bytes) -> None:
    """Append ``leaf`` to a tree of ``size`` leaves whose frontier is ``frontier`` (changed in place).

    The frontier holds the roots of the perfect subtrees that make up the tree, left to right, one per
    set bit of ``size`` (at most log2 n hashes), so appending costs O(log n) and never rereads the leaves.
    """
    node = leaf
    while size & 1:
        node = node_hash(frontier.pop(), node)
        size >>= 1
    frontier.append(node)


def frontier_root(frontier: Sequence[bytes]) -> bytes:
    """MTH of the tree whose frontier is given (RFC 9162 folds the perfect subtrees from the right)."""
    if not frontier:
        return EMPTY_ROOT
    node = frontier[-1]
    for left in reversed(frontier[:-1]):
        node = node_hash(left, node)
    return node


def levels(hashes: Sequence[bytes]) -> list[list[bytes]]:
    """Every level of the tree, leaves first; a last node without a sibling moves up unchanged.

    That is the same tree as RFC 9162's split at the largest power of two, so ``levels(h)[-1][0]`` is
    ``root(h)`` and :func:`inclusion_proof_from_levels` gives PATH(m, D[n]), each proof in O(log n).
    """
    out = [list(hashes)]
    while len(out[-1]) > 1:
        below = out[-1]
        above = [node_hash(below[i], below[i + 1]) for i in range(0, len(below) - 1, 2)]
        if len(below) % 2:
            above.append(below[-1])
        out.append(above)
    return out


def inclusion_proof_from_levels(index: int, tree: list[list[bytes]]) -> list[bytes]:
    """PATH(index, D[n]) read from :func:`levels` (equal to :func:`inclusion_proof`)."""
    n = len(tree[0])
    if not 0 <= index < n:
        raise ValueError(f"leaf {index} is not in a tree of {n} leaves")
    proof = []
    for level in tree[:-1]:
        sibling = index ^ 1
        if sibling < len(level):
            proof.append(level[sibling])
        index >>= 1
    return proof
