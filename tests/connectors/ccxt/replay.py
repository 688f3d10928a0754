"""A local HTTP server on 127.0.0.1:0 that answers ccxt from constructed exchange responses.

The server knows nothing about exchanges: it parses each request (method, path, query, JSON or
form body), records it, and hands it to an ``answer`` function (one per exchange, see
``binance_fake.py`` and ``hyperliquid_fake.py``) that returns a status and a JSON body.
Faults are injected per path: ``fail_next(path, status)`` answers the next request with an
HTTP error before the exchange sees it; ``stall_next(path, seconds)`` lets the exchange act on
it, then holds the answer back (a client timeout after the order reached the exchange).
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl, urlsplit


@dataclass(frozen=True)
class Request:
    method: str
    path: str
    query: dict[str, str]
    body: Any  # parsed JSON, or a dict of form fields, or None
    headers: dict[str, str]

    def param(self, name: str) -> str | None:
        if name in self.query:
            return self.query[name]
        if isinstance(self.body, dict) and name in self.body:
            value = self.body[name]
            return value if isinstance(value, str) else json.dumps(value)
        return None


Answer = Callable[[Request], tuple[int, Any]]


@dataclass
class _Fault:
    path: str
    status: int
    delay_s: float


@dataclass
class LocalExchange:
    answer: Answer
    requests: list[Request] = field(default_factory=list)
    faults: list[_Fault] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def fail_next(self, path: str, status: int = 503) -> None:
        self.faults.append(_Fault(path, status, 0.0))

    def stall_next(self, path: str, seconds: float) -> None:
        self.faults.append(_Fault(path, 200, seconds))

    def handle(self, req: Request) -> tuple[int, bytes, float]:
        with self.lock:
            self.requests.append(req)
            fault = next((f for f in self.faults if f.path == req.path), None)
            if fault is not None:
                self.faults.remove(fault)
                if not fault.delay_s:
                    return fault.status, b"<html><body>Service Unavailable</body></html>", 0.0
            status, body = self.answer(req)
        return status, json.dumps(body).encode(), fault.delay_s if fault else 0.0


class ReplayServer:
    """``with ReplayServer(answer) as srv:`` serves on ``srv.url`` and records ``srv.requests``."""

    def __init__(self, answer: Answer) -> None:
        self.exchange = LocalExchange(answer)
        exchange = self.exchange

        class Handler(BaseHTTPRequestHandler):
            def _serve(self) -> None:
                parts = urlsplit(self.path)
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length).decode() if length else ""
                body: Any = None
                if raw.startswith(("{", "[")):
                    body = json.loads(raw)
                elif raw:
                    body = dict(parse_qsl(raw))
                req = Request(
                    self.command,
                    parts.path,
                    dict(parse_qsl(parts.query)),
                    body,
                    {k.lower(): v for k, v in self.headers.items()},
                )
                status, payload, delay = exchange.handle(req)
                if delay:
                    time.sleep(delay)
                try:
                    self.send_response(status)
                    self.send_header("Content-Type", "application/json;charset=UTF-8")
                    self.send_header("Content-Length", str(len(payload)))
                    self.end_headers()
                    self.wfile.write(payload)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the client gave up (a timeout test)

            do_GET = do_POST = do_DELETE = do_PUT = _serve

            def log_message(self, format: str, *args: object) -> None:
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        self.thread = threading.Thread(
            target=self.httpd.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True
        )

    @property
    def requests(self) -> list[Request]:
        return self.exchange.requests

    def fail_next(self, path: str, status: int = 503) -> None:
        self.exchange.fail_next(path, status)

    def stall_next(self, path: str, seconds: float) -> None:
        self.exchange.stall_next(path, seconds)

    def __enter__(self) -> ReplayServer:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()
        self.thread.join(5)
