"""The Merkle log core against Certificate Transparency's reference vectors and by properties."""

import hashlib

import pytest
from hypothesis import given
from hypothesis import strategies as st

from gongfen.trust import merkle

# Certificate Transparency's reference tree (certificate-transparency merkle_tree_test, RFC 6962/9162 hashing):
# the leaf inputs, and the tree head over the first n of them.
LEAVES = [
    bytes.fromhex(x)
    for x in ["", "00", "10", "2021", "3031", "40414243", "5051525354555657", "606162636465666768696a6b6c6d6e6f"]
]
ROOTS = [
    "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
    "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
    "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
    "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
    "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
    "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
    "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
    "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
]
# (leaf index 0-based, tree size, audit path)
INCLUSION = [
    (0, 1, []),
    (0, 8, ["96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
            "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
            "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4"]),
    (5, 8, ["bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
            "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
            "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7"]),
    (2, 3, ["fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125"]),
    (1, 5, ["6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
            "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
            "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b"]),
]  # fmt: skip
# (old size, new size, consistency proof)
CONSISTENCY = [
    (1, 8, ["96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
            "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
            "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4"]),
    (6, 8, ["0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
            "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
            "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7"]),
    (2, 5, ["5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
            "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b"]),
    (3, 8, ["0298d122906dcfc10892cb53a73992fc5b9f493ea4c9badb27b791b4127a7fe7",
            "07506a85fd9dd2f120eb694f86011e5bb4662e5c415a62917033d4a9624487e7",
            "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
            "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4"]),
]  # fmt: skip

HASHES = [merkle.leaf_hash(leaf) for leaf in LEAVES]


def test_empty_tree_head_is_the_hash_of_nothing():
    assert merkle.root([]) == hashlib.sha256(b"").digest()


@pytest.mark.parametrize("n", range(1, 9))
def test_tree_heads_match_the_reference(n):
    assert merkle.root(HASHES[:n]).hex() == ROOTS[n - 1]


@pytest.mark.parametrize(("index", "size", "path"), INCLUSION)
def test_inclusion_proofs_match_the_reference_and_verify(index, size, path):
    proof = merkle.inclusion_proof(index, HASHES[:size])
    assert [p.hex() for p in proof] == path
    head = bytes.fromhex(ROOTS[size - 1])
    assert merkle.verify_inclusion(index, size, HASHES[index], proof, head)
    assert not merkle.verify_inclusion(index, size, merkle.leaf_hash(b"tampered"), proof, head)
    if size > 1:
        assert not merkle.verify_inclusion((index + 1) % size, size, HASHES[index], proof, head)


@pytest.mark.parametrize(("old", "new", "path"), CONSISTENCY)
def test_consistency_proofs_match_the_reference_and_verify(old, new, path):
    proof = merkle.consistency_proof(old, HASHES[:new])
    assert [p.hex() for p in proof] == path
    old_root, new_root = bytes.fromhex(ROOTS[old - 1]), bytes.fromhex(ROOTS[new - 1])
    assert merkle.verify_consistency(old, new, old_root, new_root, proof)
    assert not merkle.verify_consistency(old, new, new_root, new_root, proof)
    assert not merkle.verify_consistency(old, new, old_root, old_root, proof)
    assert not merkle.verify_consistency(old, new, old_root, new_root, proof[:-1])


def test_same_size_needs_an_empty_proof_and_equal_heads():
    head = merkle.root(HASHES)
    assert merkle.consistency_proof(8, HASHES) == []
    assert merkle.verify_consistency(8, 8, head, head, [])
    assert not merkle.verify_consistency(8, 8, head, merkle.root(HASHES[:7]), [])


def test_bad_sizes_are_refused():
    with pytest.raises(ValueError):
        merkle.inclusion_proof(8, HASHES)
    with pytest.raises(ValueError):
        merkle.consistency_proof(0, HASHES)
    assert not merkle.verify_inclusion(3, 3, HASHES[0], [], HASHES[0])
    assert not merkle.verify_consistency(5, 4, HASHES[0], HASHES[0], [HASHES[1]])


leaves = st.lists(st.binary(max_size=8), min_size=1, max_size=70)


@given(leaves, st.data())
def test_every_leaf_is_provably_included(data_leaves, data):
    hashes = [merkle.leaf_hash(d) for d in data_leaves]
    head = merkle.root(hashes)
    index = data.draw(st.integers(0, len(hashes) - 1))
    proof = merkle.inclusion_proof(index, hashes)
    assert merkle.verify_inclusion(index, len(hashes), hashes[index], proof, head)
    if proof:  # any single flipped byte in the path breaks it
        k = data.draw(st.integers(0, len(proof) - 1))
        bad = [*proof[:k], bytes([proof[k][0] ^ 1]) + proof[k][1:], *proof[k + 1 :]]
        assert not merkle.verify_inclusion(index, len(hashes), hashes[index], bad, head)


@given(leaves, st.data())
def test_every_prefix_is_provably_consistent(data_leaves, data):
    hashes = [merkle.leaf_hash(d) for d in data_leaves]
    old = data.draw(st.integers(1, len(hashes)))
    proof = merkle.consistency_proof(old, hashes)
    old_root, new_root = merkle.root(hashes[:old]), merkle.root(hashes)
    assert merkle.verify_consistency(old, len(hashes), old_root, new_root, proof)
    if old < len(hashes):  # a log that rewrote history (a changed old leaf) cannot prove consistency
        forged = [merkle.leaf_hash(b"forged"), *hashes[1:old]]
        assert not merkle.verify_consistency(old, len(hashes), merkle.root(forged), new_root, proof)


def _hashes(n: int) -> list[bytes]:
    return [merkle.leaf_hash(str(i).encode()) for i in range(n)]


def test_frontier_gives_the_root_of_every_size():
    frontier: list[bytes] = []
    hashes = _hashes(70)
    assert merkle.frontier_root(frontier) == merkle.EMPTY_ROOT
    for size, leaf in enumerate(hashes):
        merkle.frontier_append(frontier, size, leaf)
        assert merkle.frontier_root(frontier) == merkle.root(hashes[: size + 1]), size + 1
        assert len(frontier) == bin(size + 1).count("1")


def test_levels_give_the_rfc_root_and_paths():
    for n in range(1, 40):
        hashes = _hashes(n)
        tree = merkle.levels(hashes)
        assert tree[-1][0] == merkle.root(hashes)
        for m in range(n):
            assert merkle.inclusion_proof_from_levels(m, tree) == merkle.inclusion_proof(m, hashes), (m, n)
    with pytest.raises(ValueError):
        merkle.inclusion_proof_from_levels(3, merkle.levels(_hashes(3)))
