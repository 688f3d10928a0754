"""Audit log throughput: append to SQLite (canonicalize / hash / insert) and full verification.

Prints rates and ratios against a reference measured in the same run: ``json.dumps`` of the
same payloads (the cheapest possible serialization), raw sqlite3 executemany of the same rows, and
the verifier's reference path (``verify_store(reference=True)``) on the same log.
Usage: .venv/bin/python benchmarks/bench_audit.py [N]
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
import sys
import tempfile
import time
from pathlib import Path

from dexagent.audit_log.log import AuditLog
from dexagent.audit_log.records import record_bytes
from dexagent.audit_log.verify import verify_store

KEY = "0x4c0883a69102937d6231471b5dbb6204fe5129617082792ae468d01a3f362318"


def payload(i: int) -> dict[str, object]:
    return {
        "order": f"agent-1-{i}",
        "pair": "WETH/USDT",
        "side": "buy",
        "amount_in": str(1_000_000 + i),
        "ref_price": "2345.67",
        "approved": True,
        "policy_hash": "ab" * 32,
        "verdicts": [["max_notional", True, ""], ["allowlist", True, ""]],
    }


def timed(fn: object) -> float:
    t = time.perf_counter()
    fn()  # type: ignore[operator]
    return time.perf_counter() - t


def main(n: int) -> None:
    payloads = [payload(i) for i in range(n)]
    ts0 = 1_700_000_000_000_000_000
    t_json = timed(lambda: [json.dumps(p) for p in payloads])
    bodies: list[bytes] = []
    t_canon = timed(
        lambda: bodies.extend(
            record_bytes(i, ts0 + i, "agent-1", "decision", p) for i, p in enumerate(payloads)
        )
    )
    t_hash = timed(lambda: [hashlib.sha256(b"\x00" + b).digest() for b in bodies])
    with tempfile.TemporaryDirectory() as d:
        raw = sqlite3.connect(Path(d) / "raw.db")
        raw.execute("PRAGMA journal_mode=WAL")
        raw.execute("CREATE TABLE t (seq INTEGER PRIMARY KEY, a, ts, ty, p, h)")
        rows = [
            (i, "agent-1", ts0 + i, "decision", b.decode(), b[:32]) for i, b in enumerate(bodies)
        ]
        t_raw = timed(
            lambda: (raw.executemany("INSERT INTO t VALUES (?,?,?,?,?,?)", rows), raw.commit())
        )
        raw.close()

        url = f"sqlite:///{Path(d) / 'audit.db'}"
        log = AuditLog.open(url, agent_id="agent-1", signer_key=KEY, batch_size=4096)
        clock = iter(range(ts0, ts0 + 10 * n))

        def run() -> None:
            for p in payloads:
                log.append("decision", p, ts_ns=next(clock))
            log.checkpoint()

        t_total = timed(run)
        t_verify = min(timed(lambda: verify_store(log.store)) for _ in range(3))
        t_verify_ref = min(timed(lambda: verify_store(log.store, reference=True)) for _ in range(2))
        report = verify_store(log.store)
        assert report.ok, report.summary()
        assert report == verify_store(log.store, reference=True)
        log.close()

    t_tree = t_total - t_canon - t_hash  # insert + tree + bookkeeping
    print(f"records: {n:,}")
    print(f"append to SQLite (batched 4096, WAL, synchronous=FULL): {n / t_total:,.0f} rec/s")
    print(
        f"  canonicalize (RFC 8785):    {t_canon / n * 1e6:6.2f} µs/rec "
        f"({t_canon / t_json:.2f}x json.dumps of the same payloads)"
    )
    print(f"  leaf hash (SHA-256):        {t_hash / n * 1e6:6.2f} µs/rec")
    print(
        f"  insert + tree + rest:       {t_tree / n * 1e6:6.2f} µs/rec "
        f"(raw sqlite3 executemany alone: {t_raw / n * 1e6:.2f} µs/rec)"
    )
    print(
        f"full verification (no RPC):   {n / t_verify:,.0f} rec/s "
        f"({t_verify / t_total:.2f}x the append time; best of 3)"
    )
    print(
        f"  reference path (record objects, per-leaf tree): {n / t_verify_ref:,.0f} rec/s "
        f"(fast path {t_verify_ref / t_verify:.2f}x faster)"
    )


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 100_000)
