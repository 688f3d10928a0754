"""A local HTTP server that answers like Binance's public spot REST API, from real candles.

GET /api/v3/exchangeInfo returns a real-format exchangeInfo trimmed to ETHUSDT
(fixtures/binance_exchangeInfo_ETHUSDT.json). GET /api/v3/klines answers symbol, interval,
startTime, endTime and limit from the rows of the bundled real ETH/USDT 5m file, in Binance's
kline array format. The source has no quote volume, trade count or taker volumes; those fields
are sent as zeros (ccxt reads only the first six). Errors use Binance's codes and shapes.
"""

from __future__ import annotations

import csv
import gzip
import json
import threading
from bisect import bisect_left, bisect_right
from dataclasses import dataclass, field
from decimal import Decimal
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qsl, urlsplit

from dexagent.backtests.data import bundled_dataset

FIXTURES = Path(__file__).parent / "fixtures"
STEP_MS = 300_000


def _eight(text: str) -> str:
    return f"{Decimal(text):.8f}"


def read_source_rows() -> list[list[str]]:
    with gzip.open(bundled_dataset("ETH/USDT"), "rt", newline="") as handle:
        reader = csv.reader(handle)
        next(reader)
        return list(reader)


@dataclass
class BinanceReplay:
    rows: list[list[str]]
    exchange_info: bytes
    requests: list[tuple[str, dict[str, str]]] = field(default_factory=list)
    fail_klines_after: int | None = None  # answer 503 once this many klines calls succeeded
    transient_failures: int = 0  # answer the next klines calls with 503, then recover
    klines_served: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)

    def __post_init__(self) -> None:
        self.times = [int(r[0]) for r in self.rows]

    def klines_requests(self) -> list[dict[str, str]]:
        return [q for p, q in self.requests if p.endswith("/klines")]

    def answer(self, path: str, query: dict[str, str]) -> tuple[int, bytes]:
        with self.lock:
            self.requests.append((path, query))
            if path == "/api/v3/exchangeInfo":
                return 200, self.exchange_info
            if path == "/api/v3/klines":
                broken = self.fail_klines_after is not None and (
                    self.klines_served >= self.fail_klines_after
                )
                if broken or self.transient_failures > 0:
                    self.transient_failures = max(0, self.transient_failures - 1)
                    return 503, b"<html><body>503 Service Unavailable</body></html>"
                status, body = self._klines(query)
                if status == 200:
                    self.klines_served += 1
                return status, body
        return 404, json.dumps({"code": -1, "msg": f"unknown path {path}"}).encode()

    def _klines(self, q: dict[str, str]) -> tuple[int, bytes]:
        if q.get("symbol") != "ETHUSDT":
            return 400, json.dumps({"code": -1121, "msg": "Invalid symbol."}).encode()
        if q.get("interval") != "5m":
            return 400, json.dumps({"code": -1120, "msg": "Invalid interval."}).encode()
        limit = int(q.get("limit", "500"))
        if not 1 <= limit <= 1000:
            msg = "Data sent for parameter 'limit' is not valid."
            return 400, json.dumps({"code": -1130, "msg": msg}).encode()
        lo = bisect_left(self.times, int(q["startTime"])) if "startTime" in q else None
        hi = bisect_right(self.times, int(q["endTime"])) if "endTime" in q else len(self.times)
        if lo is None:
            lo = max(0, hi - limit)
        picked = self.rows[lo:hi][:limit]
        body = [
            [
                int(r[0]),
                _eight(r[1]),
                _eight(r[2]),
                _eight(r[3]),
                _eight(r[4]),
                _eight(r[5]),
                int(r[0]) + STEP_MS - 1,
                "0.00000000",
                0,
                "0.00000000",
                "0.00000000",
                "0",
            ]
            for r in picked
        ]
        return 200, json.dumps(body, separators=(",", ":")).encode()


class ReplayServer:
    def __init__(self, replay: BinanceReplay) -> None:
        self.replay = replay

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                parts = urlsplit(self.path)
                status, body = replay.answer(parts.path, dict(parse_qsl(parts.query)))
                self.send_response(status)
                self.send_header("Content-Type", "application/json;charset=UTF-8")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, format: str, *args: object) -> None:
                pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def __enter__(self) -> ReplayServer:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()
        self.thread.join(5)
