"""EIP-191 (personal_sign) signing and recovery with secp256k1; the key never leaves ``Signer``."""

from __future__ import annotations

from coincurve import PrivateKey, PublicKey
from eth_utils.address import to_checksum_address
from eth_utils.crypto import keccak

from dexagent.core.errors import ConfigError


class SignatureError(ConfigError):
    """A signature that is malformed or cannot be recovered."""


def eip191_hash(message: bytes) -> bytes:
    """keccak256("\\x19Ethereum Signed Message:\\n" + len + message)."""
    digest: bytes = keccak(b"\x19Ethereum Signed Message:\n" + str(len(message)).encode() + message)
    return digest


def address_of(public_key: PublicKey) -> str:
    raw: bytes = keccak(public_key.format(compressed=False)[1:])[-20:]
    address: str = to_checksum_address(raw)
    return address


def recover_address(message: bytes, signature: bytes) -> str:
    """The checksummed address whose key made ``signature`` (r || s || v, v in 27/28 or 0/1)."""
    if len(signature) != 65:
        raise SignatureError(f"a signature has 65 bytes, got {len(signature)}")
    v = signature[64]
    recid = v - 27 if v >= 27 else v
    if recid not in (0, 1):
        raise SignatureError(f"bad recovery byte v={v}")
    try:
        pub = PublicKey.from_signature_and_message(
            signature[:64] + bytes([recid]), eip191_hash(message), hasher=None
        )
    except Exception as exc:  # coincurve raises plain Exception for bad points
        raise SignatureError(f"signature does not recover to a key: {exc}") from None
    return address_of(pub)


class Signer:
    """Holds one private key; signs EIP-191 messages. Its repr shows only the address."""

    __slots__ = ("__key", "address")

    def __init__(self, private_key: str | bytes) -> None:
        try:
            raw = (
                bytes.fromhex(private_key.removeprefix("0x"))
                if isinstance(private_key, str)
                else bytes(private_key)
            )
        except ValueError:
            raise ConfigError("a signer key is 64 hex digits") from None
        if len(raw) != 32:
            raise ConfigError("a signer key is 32 bytes (64 hex digits)")
        try:
            self.__key = PrivateKey(raw)
        except Exception:
            raise ConfigError("the signer key is not a valid secp256k1 private key") from None
        self.address: str = address_of(self.__key.public_key)

    def sign(self, message: bytes) -> bytes:
        """65-byte r || s || v signature (v = 27 or 28) over the EIP-191 hash of ``message``."""
        sig = self.__key.sign_recoverable(eip191_hash(message), hasher=None)
        return sig[:64] + bytes([sig[64] + 27])

    def __repr__(self) -> str:
        return f"Signer(address={self.address})"

    def __reduce__(self) -> tuple[object, ...]:
        raise TypeError("a Signer cannot be pickled (it holds a private key)")
