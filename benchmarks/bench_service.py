"""Service benchmarks on a real anvil.

1. Decision-to-transaction-sent latency (no model call): from the moment a strategy's intents are
   handed to the service (``AgentRunner.decide_and_execute``: policy, audit flush, journal,
   venue checks and simulation, signing, TxStore) until ``eth_sendRawTransaction`` returns; the
   reference is a bare signed ``eth_sendRawTransaction`` round trip measured in the same run.
2. Soak: N paper agents (live chain prices from the V2 pool, simulated fills) in one process, a
   new block every second and a bar every ``--bar-s`` seconds, for ``--seconds``. Prints records
   written versus records durable after shutdown (lost = difference), audit verification, RSS at
   start and end, and CPU seconds per agent.

    .venv/bin/python benchmarks/bench_service.py --latency-n 200 --agents 50 --seconds 60
    (the issue's soak: --seconds 600)
"""

from __future__ import annotations

import argparse
import asyncio
import resource
import shutil
import statistics
import tempfile
import time
from decimal import Decimal
from pathlib import Path
from typing import Any

from dexagent.audit_log.store import Store
from dexagent.audit_log.verify import verify_store
from dexagent.connectors.evm.aio_rpc import AsyncRpc
from dexagent.connectors.evm.anvil import DEV_ACCOUNTS, AnvilNode
from dexagent.connectors.evm.deploy import deploy_stack
from dexagent.connectors.evm.rawtx import sign_1559
from dexagent.core.intents import Intent
from dexagent.service.agent import AgentRunner
from dexagent.service.assemble import build_agent
from dexagent.service.config import parse_service_config
from dexagent.service.feed import Sample
from dexagent.service.service import Service

ADDR, KEY = DEV_ACCOUNTS[3]


def _rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def _pct(xs: list[float], p: float) -> float:
    s = sorted(xs)
    return s[min(len(s) - 1, round(p / 100 * (len(s) - 1)))]


async def _raw_send_latency(url: str, n: int) -> list[float]:
    rpc = AsyncRpc(url)
    me, key = DEV_ACCOUNTS[5]
    nonce = int(await rpc.call("eth_getTransactionCount", [me, "pending"]), 16)
    out = []
    for i in range(n):
        t0 = time.perf_counter()
        tx = sign_1559(
            key,
            chain_id=31337,
            nonce=nonce + i,
            to=me,
            value=0,
            gas=21_000,
            max_fee_per_gas=10**11,
            max_priority_fee_per_gas=10**9,
        )
        await rpc.call("eth_sendRawTransaction", [tx.raw])
        out.append(time.perf_counter() - t0)
    await rpc.close()
    return out


async def bench_latency(node: AnvilNode, manifest: Path, tmp: Path, n: int) -> dict[str, float]:
    cfg = parse_service_config(
        {
            "service": {"state_dir": str(tmp / "lat")},
            "agents": [
                {
                    "id": "lat",
                    "rpc_url": node.url,
                    "deployment": str(manifest),
                    "wallet": {"key_env": "BENCH_KEY"},
                    "audit": {"batch_size": 64},
                }
            ],
        }
    )
    import os

    os.environ["BENCH_KEY"] = KEY
    runner = await build_agent(cfg.agents[0], cfg.service)
    txm = runner.p.txm
    assert txm is not None
    sent_at: list[float] = []
    original = txm._broadcast

    async def timed(attempt: Any) -> None:
        await original(attempt)
        sent_at.append(time.perf_counter())

    txm._broadcast = timed  # type: ignore[method-assign]
    pair = runner.p.pair
    intent = Intent.buy_quote(pair, pair.quote.to_raw(Decimal(10)), "bench", "latency")
    # warm up: the first order also sends the token approval
    lat: list[float] = []
    for i in range(n + 1):
        book = await runner._book()
        blk = await runner.p.feed.latest() or Sample(0, (1 + i) * 1000, Decimal(2000))
        sample = Sample(blk.block, blk.ts_ms + i, blk.price)
        before = len(sent_at)
        t0 = time.perf_counter()
        await runner.decide_and_execute((intent,), book, 1_000_000 + i, sample, i)
        if i > 0 and len(sent_at) > before:
            lat.append(sent_at[-1] - t0)
    await runner.finalize(reason="bench", anchor_timeout_s=5)
    raw = await _raw_send_latency(node.url, n)
    return {
        "p50_ms": statistics.median(lat) * 1000,
        "p99_ms": _pct(lat, 99) * 1000,
        "raw_p50_ms": statistics.median(raw) * 1000,
        "raw_p99_ms": _pct(raw, 99) * 1000,
        "n": len(lat),
    }


async def bench_soak(
    node: AnvilNode, manifest: Path, tmp: Path, agents: int, seconds: float, bar_s: int
) -> dict[str, Any]:
    cfg = parse_service_config(
        {
            "service": {"state_dir": str(tmp / "soak"), "api_port": 0, "log_level": "WARNING"},
            "agents": [
                {
                    "id": f"p{i:03d}",
                    "rpc_url": node.url,
                    "deployment": str(manifest),
                    "venue": "paper",
                    "timeframe": f"{bar_s}s",
                    "poll_s": 0.5,
                    "strategy": {"name": "dca", "params": {"every": 1, "amount": "1"}},
                    "paper": {"balances": {"USDC": "1000000"}},
                    "audit": {"batch_size": 64},
                }
                for i in range(agents)
            ],
        }
    )
    runners: list[AgentRunner] = [await build_agent(a, cfg.service) for a in cfg.agents]
    svc = Service(cfg.service, runners, None)
    cpu0 = time.process_time()
    rss0: list[float] = []
    sizes: dict[str, int] = {}

    async def stopper() -> None:
        await asyncio.sleep(min(10.0, seconds / 4))  # warm-up: connections, first bars
        rss0.append(_rss_mb())
        await asyncio.sleep(seconds - min(10.0, seconds / 4))
        for r in runners:
            sizes[r.id] = r.p.sink.log.size
        svc.request_stop("bench")

    task = asyncio.create_task(stopper())
    await svc.run()
    await task
    cpu = time.process_time() - cpu0
    rss1 = _rss_mb()
    written = durable = fills = 0
    ok = True
    for r in runners:
        store = Store.open(f"sqlite:///{tmp / 'soak' / r.id / 'audit.sqlite'}")
        n = store.count()
        ok = ok and verify_store(store).ok
        store.close()
        written += sizes[r.id]
        durable += n
        fills += r.metrics.fills
    return {
        "agents": agents,
        "seconds": seconds,
        "fills": fills,
        "records_at_stop": written,
        "records_durable": durable,
        "verify_ok": ok,
        "rss_start_mb": rss0[0] if rss0 else 0.0,
        "rss_end_mb": rss1,
        "cpu_s_per_agent": cpu / agents,
        "cpu_share_per_agent_pct": 100 * cpu / agents / seconds,
    }


async def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--latency-n", type=int, default=200)
    ap.add_argument("--agents", type=int, default=50)
    ap.add_argument("--seconds", type=float, default=60)
    ap.add_argument("--bar-s", type=int, default=3)
    args = ap.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="bench-service-"))
    node = AnvilNode.start()
    try:
        manifest = tmp / "deployment.json"
        deploy_stack(
            node.url,
            deployer_key=DEV_ACCOUNTS[0][1],
            fund_keys=[KEY, DEV_ACCOUNTS[5][1]],
            manifest_path=manifest,
        )
        if args.latency_n:
            lat = await bench_latency(node, manifest, tmp, args.latency_n)
            print(
                f"decision->tx sent (n={lat['n']}): p50 {lat['p50_ms']:.2f} ms, "
                f"p99 {lat['p99_ms']:.2f} ms (target p99 < 50 ms)"
            )
            print(
                f"raw eth_sendRawTransaction: p50 {lat['raw_p50_ms']:.2f} ms, "
                f"p99 {lat['raw_p99_ms']:.2f} ms; ratio p50 "
                f"{lat['p50_ms'] / lat['raw_p50_ms']:.1f}x, "
                f"p99 {lat['p99_ms'] / lat['raw_p99_ms']:.1f}x"
            )
        if args.agents:
            node.rpc("evm_setIntervalMining", [1])
            s = await bench_soak(node, manifest, tmp, args.agents, args.seconds, args.bar_s)
            lost = s["records_at_stop"] - s["records_durable"]
            print(
                f"soak: {s['agents']} agents x {s['seconds']:.0f} s: {s['fills']} paper fills, "
                f"records at stop {s['records_at_stop']} (+ stop records and checkpoints), "
                f"durable {s['records_durable']}, lost {max(lost, 0)}, verify "
                f"{'ok' if s['verify_ok'] else 'FAILED'}"
            )
            print(
                f"soak: RSS {s['rss_start_mb']:.1f} MB after warm-up -> "
                f"{s['rss_end_mb']:.1f} MB at end "
                f"(ratio {s['rss_end_mb'] / max(s['rss_start_mb'], 1e-9):.2f}); CPU "
                f"{s['cpu_s_per_agent']:.3f} s per agent ({s['cpu_share_per_agent_pct']:.2f}% of "
                "one core each)"
            )
        print(f"max RSS {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.1f} MB")
    finally:
        node.stop()
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    asyncio.run(main())
