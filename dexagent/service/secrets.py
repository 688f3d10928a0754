"""Wallet keys and the API token: read from the environment or an encrypted keystore, never shown.

A ``Secret`` prints as ``Secret(<redacted>)`` in reprs, f-strings, logs and tracebacks; only
``reveal()`` returns the value, and only the code that signs or compares calls it.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from dexagent.core.errors import ConfigError
from dexagent.service.config import WalletSection


class Secret:
    __slots__ = ("_value",)

    def __init__(self, value: str) -> None:
        self._value = value

    def reveal(self) -> str:
        return self._value

    def __repr__(self) -> str:
        return "Secret(<redacted>)"

    __str__ = __repr__

    def __format__(self, spec: str) -> str:
        return repr(self)

    def __reduce__(self) -> tuple[Any, ...]:
        raise TypeError("a Secret cannot be pickled")


def _env(name: str, what: str) -> str:
    value = os.environ.get(name)
    if not value:
        raise ConfigError(f"{what}: environment variable {name} is not set or empty")
    return value


def load_wallet_key(wallet: WalletSection, *, agent_id: str) -> Secret:
    """The agent's private key (0x-hex) from ``key_env`` or a decrypted keystore."""
    where = f"agent {agent_id!r} wallet"
    if wallet.key_env is not None:
        key = _env(wallet.key_env, where)
    else:
        assert wallet.keystore is not None and wallet.password_env is not None
        key = _decrypt(Path(wallet.keystore), _env(wallet.password_env, where), where)
    key = key.strip()
    if not key.startswith("0x"):
        key = "0x" + key
    if len(key) != 66:
        raise ConfigError(f"{where}: the key is not 32 bytes of hex (the value is not shown)")
    try:
        int(key, 16)
    except ValueError:
        raise ConfigError(f"{where}: the key is not hex (the value is not shown)") from None
    return Secret(key)


def _decrypt(path: Path, password: str, where: str) -> str:
    from eth_account import Account

    if not path.is_file():
        raise ConfigError(f"{where}: keystore {path} not found")
    try:
        data = json.loads(path.read_text())
    except (OSError, ValueError) as exc:
        raise ConfigError(f"{where}: keystore {path} is not JSON ({type(exc).__name__})") from None
    try:
        raw = Account.decrypt(data, password)
    except (ValueError, KeyError, TypeError):
        raise ConfigError(
            f"{where}: keystore {path} could not be decrypted (wrong password or corrupt file)"
        ) from None
    return "0x" + bytes(raw).hex()


def load_api_token(env_name: str) -> Secret | None:
    value = os.environ.get(env_name, "")
    return Secret(value) if value else None
