"""Signing EIP-1559 transactions locally and small ABI/address helpers (no provider needed).

Private keys are taken as arguments and never stored, logged or put in an error message.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, cast

from eth_abi.abi import decode as abi_decode
from eth_abi.abi import encode as abi_encode
from eth_account import Account
from eth_utils.address import to_checksum_address
from eth_utils.crypto import keccak
from web3 import Web3

from dexagent.core.errors import ConfigError

_W3 = Web3()


@dataclass(frozen=True, slots=True)
class SignedTx:
    raw: str  # 0x-prefixed signed envelope
    tx_hash: str  # 0x-prefixed
    nonce: int
    sender: str


def address_of(private_key: str) -> str:
    try:
        return str(Account.from_key(private_key).address)
    except (ValueError, TypeError):
        raise ConfigError("private key is not a valid 32-byte hex secp256k1 key") from None


def sign_1559(
    private_key: str,
    *,
    chain_id: int,
    nonce: int,
    to: str | None,
    data: str = "0x",
    value: int = 0,
    gas: int,
    max_fee_per_gas: int,
    max_priority_fee_per_gas: int,
) -> SignedTx:
    tx: dict[str, Any] = {
        "type": 2,
        "chainId": chain_id,
        "nonce": nonce,
        "gas": gas,
        "maxFeePerGas": max_fee_per_gas,
        "maxPriorityFeePerGas": max_priority_fee_per_gas,
        "value": value,
        "data": data,
    }
    if to is not None:
        tx["to"] = to_checksum_address(to)
    acct = Account.from_key(private_key)
    signed = acct.sign_transaction(tx)
    return SignedTx(
        raw=signed.raw_transaction.to_0x_hex(),
        tx_hash=signed.hash.to_0x_hex(),
        nonce=nonce,
        sender=str(acct.address),
    )


def _rlp_bytes(b: bytes) -> bytes:
    if len(b) == 1 and b[0] < 0x80:
        return b
    if len(b) < 56:
        return bytes([0x80 + len(b)]) + b
    n = len(b).to_bytes((len(b).bit_length() + 7) // 8, "big")
    return bytes([0xB7 + len(n)]) + n + b


def create_address(sender: str, nonce: int) -> str:
    """The address CREATE gives a contract deployed by ``sender`` at ``nonce``."""
    nb = nonce.to_bytes((nonce.bit_length() + 7) // 8, "big") if nonce else b""
    payload = _rlp_bytes(bytes.fromhex(sender[2:])) + _rlp_bytes(nb)
    if len(payload) >= 56:  # pragma: no cover - 21 + 9 bytes at most
        raise AssertionError("payload too long")
    body = bytes([0xC0 + len(payload)]) + payload
    return str(to_checksum_address(keccak(body)[12:]))


def encode_call(abi: list[dict[str, Any]], fn: str, args: list[Any]) -> str:
    contract = _W3.eth.contract(abi=cast(Any, abi))
    return str(contract.encode_abi(fn, args=args))


def encode_deploy(bytecode: str, types: list[str], args: list[Any]) -> str:
    return bytecode + abi_encode(types, args).hex()


def decode_output(types: list[str], data: str) -> tuple[Any, ...]:
    return tuple(abi_decode(types, bytes.fromhex(data[2:])))
