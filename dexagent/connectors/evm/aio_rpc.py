"""Async raw JSON-RPC over web3's ``AsyncHTTPProvider`` (keep-alive aiohttp), errors mapped.

web3's higher layers add 3-4 extra requests per transaction; the connectors need raw hex results,
so they call the provider directly. Node errors are mapped to our tree by a table of the
messages geth, anvil and reth return (nodes expose nothing more structured).
"""

from __future__ import annotations

from typing import Any

import aiohttp
from web3 import AsyncHTTPProvider
from web3.types import RPCEndpoint

from dexagent.connectors.evm.errors import NonceConflict
from dexagent.core.errors import InsufficientBalance, RejectedError, TemporaryError

#: lower-cased message fragment -> error class (first match wins)
_NODE_ERRORS: tuple[tuple[str, type[Exception]], ...] = (
    ("nonce too low", NonceConflict),
    ("insufficient funds", InsufficientBalance),
    ("rate limit", TemporaryError),
    ("too many requests", TemporaryError),
    ("header not found", TemporaryError),
)


class RpcError(RejectedError):
    """A JSON-RPC error object the table does not map; carries code, message and data."""

    def __init__(self, method: str, code: int, message: str, data: Any) -> None:
        super().__init__(f"{method} rejected by node: {message} (code {code})")
        self.code, self.message, self.data = code, message, data


class AsyncRpc:
    def __init__(self, url: str, *, timeout_s: float = 30.0) -> None:
        self.url = url
        self._provider = AsyncHTTPProvider(url, request_kwargs={"timeout": timeout_s})

    async def call(self, method: str, params: list[Any] | None = None) -> Any:
        try:
            resp = await self._provider.make_request(RPCEndpoint(method), params or [])
        except (TimeoutError, aiohttp.ClientError, OSError) as exc:
            raise TemporaryError(f"{method} to {self.url} failed: {exc!r}; retry later") from exc
        err = resp.get("error")
        if err is not None:
            raise _map_error(method, err)
        return resp.get("result")

    async def close(self) -> None:
        await self._provider.disconnect()


def _map_error(method: str, err: Any) -> Exception:
    if not isinstance(err, dict):
        return RpcError(method, -1, str(err), None)
    msg = str(err.get("message", ""))
    low = msg.lower()
    for frag, cls in _NODE_ERRORS:
        if frag in low:
            return cls(f"{method} rejected by node: {msg}")
    return RpcError(method, int(err.get("code", -1)), msg, err.get("data"))
