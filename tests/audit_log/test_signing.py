"""EIP-191 signing and recovery against eth-account's vectors; keys stay out of reprs."""

from __future__ import annotations

import json
import pickle
from typing import Any

import pytest
from eth_utils import keccak

from dexagent.audit_log.signing import Signer, eip191_hash, recover_address
from tests.audit_log.vectors import ETH

V = json.loads((ETH / "eth_signing.json").read_text())


@pytest.mark.parametrize("case", V["eip191_hash_message_text"], ids=lambda c: c["id"])
def test_eip191_hash_of_text_matches_vector(case: dict[str, Any]) -> None:
    assert "0x" + eip191_hash(case["message"].encode()).hex() == case["expected"]


@pytest.mark.parametrize("case", V["eip191_hash_message_hexstr"], ids=lambda c: c["id"])
def test_eip191_hash_of_bytes_matches_vector(case: dict[str, Any]) -> None:
    assert "0x" + eip191_hash(bytes.fromhex(case["message"][2:])).hex() == case["expected"]


@pytest.mark.parametrize("case", V["eip191_sign_message"], ids=lambda c: c["id"])
def test_sign_matches_vector_signature(case: dict[str, Any]) -> None:
    signer = Signer(case["key"])
    msg = case["message"].encode()
    assert "0x" + eip191_hash(msg).hex() == case["expected_hash"]
    sig = signer.sign(msg)
    assert "0x" + sig.hex() == case["signature"]
    assert sig[64] == case["v"]
    assert int.from_bytes(sig[:32], "big") == case["r"]
    assert int.from_bytes(sig[32:64], "big") == case["s"]
    assert recover_address(msg, sig) == signer.address


@pytest.mark.parametrize("case", V["eip191_recover_message"], ids=lambda c: c["address"])
def test_recover_matches_vector_address(case: dict[str, Any]) -> None:
    def b32(x: int | str) -> bytes:
        return x.to_bytes(32, "big") if isinstance(x, int) else bytes.fromhex(x[2:])

    sig = b32(case["r"]) + b32(case["s"]) + bytes([case["v"]])
    assert recover_address(case["message_text"].encode(), sig) == case["address"]


@pytest.mark.parametrize("case", V["keccak256"]["cases"], ids=lambda c: c["input_hex"] or "empty")
def test_keccak_matches_vector(case: dict[str, str]) -> None:
    assert keccak(bytes.fromhex(case["input_hex"])).hex() == case["keccak256"]


def test_signer_repr_and_pickle_never_show_the_key() -> None:
    key = "0x4c0883a69102937d6231471b5dbb6204fe5129617082792ae468d01a3f362318"
    signer = Signer(key)
    assert key[2:] not in repr(signer) and key[2:] not in str(signer)
    with pytest.raises(TypeError):
        pickle.dumps(signer)
