"""The supervisor: every agent an asyncio task, the API beside them, signals, graceful shutdown.

Signals: SIGTERM / SIGINT stop the service gracefully; SIGUSR1 halts every agent (the kill
switch; resume through the API). Shutdown: stop deciding, let in-flight orders settle for up to
``shutdown_timeout_s``, then per agent an ``agent_stopped`` record and a final signed checkpoint
(anchored and confirmed when the agent anchors), and close. An agent whose loop raises anything
but a handled ``TemporaryError`` is marked failed (status, metrics, an audit record); the others
go on.
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
import signal
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from aiohttp import web

from dexagent.service.agent import AgentRunner
from dexagent.service.api import build_app, check_bind
from dexagent.service.config import ServiceSection
from dexagent.service.secrets import Secret

log = logging.getLogger(__name__)


class Service:
    def __init__(
        self, cfg: ServiceSection, runners: Sequence[AgentRunner], token: Secret | None
    ) -> None:
        check_bind(cfg.api_host, token)
        self.cfg = cfg
        self.runners = list(runners)
        self.token = token
        self.stop = asyncio.Event()
        self.stop_reason = "SIGTERM"
        self.port: int | None = None

    def request_stop(self, reason: str) -> None:
        self.stop_reason = reason
        self.stop.set()

    async def halt_all(self, reason: str) -> None:
        for r in self.runners:
            await r.halt(reason)

    async def run(self) -> dict[str, Any]:
        loop = asyncio.get_running_loop()
        loop.add_signal_handler(signal.SIGTERM, self.request_stop, "SIGTERM")
        loop.add_signal_handler(signal.SIGINT, self.request_stop, "SIGINT")
        loop.add_signal_handler(
            signal.SIGUSR1, lambda: asyncio.ensure_future(self.halt_all("SIGUSR1"))
        )
        app_runner = web.AppRunner(build_app(self.runners, self.token), access_log=None)
        await app_runner.setup()
        site = web.TCPSite(app_runner, self.cfg.api_host, self.cfg.api_port)
        await site.start()
        self.port = _bound_port(app_runner, self.cfg.api_port)
        state = Path(self.cfg.state_dir)
        state.mkdir(parents=True, exist_ok=True)
        _write_json(
            state / "api.json", {"host": self.cfg.api_host, "port": self.port, "pid": os.getpid()}
        )
        log.info(
            "service started",
            extra={"agents": len(self.runners), "api": f"{self.cfg.api_host}:{self.port}"},
        )
        tasks = [asyncio.create_task(self._supervise(r), name=r.id) for r in self.runners]
        try:
            await self.stop.wait()
        finally:
            summary = await self._shutdown(tasks)
            await app_runner.cleanup()
            for sig in (signal.SIGTERM, signal.SIGINT, signal.SIGUSR1):
                loop.remove_signal_handler(sig)
        _write_json(state / "shutdown.json", summary)
        log.info("service stopped", extra={"reason": self.stop_reason})
        return summary

    async def _supervise(self, r: AgentRunner) -> None:
        try:
            await r.run(self.stop)
        except asyncio.CancelledError:
            raise
        except Exception as exc:  # the supervisor's decision: this agent stops, marked failed
            r.error = f"{type(exc).__name__}: {exc}"
            log.error("agent failed", extra={"agent": r.id, "error": r.error}, exc_info=exc)
            await r.p.sink.append(_failed_event(r.error))
            await r.p.sink.flush()

    async def _shutdown(self, tasks: list[asyncio.Task[None]]) -> dict[str, Any]:
        t0 = time.monotonic()
        timeout = self.cfg.shutdown_timeout_s
        log.info("stopping: no new decisions", extra={"reason": self.stop_reason})
        self.stop.set()
        _, late = await asyncio.wait(tasks, timeout=timeout) if tasks else (set(), set())
        for t in late:
            log.error("agent did not stop in time; cancelled", extra={"agent": t.get_name()})
            t.cancel()
        await asyncio.gather(*late, return_exceptions=True)
        left = max(1.0, timeout - (time.monotonic() - t0))
        agents = []
        for r in self.runners:
            out = await r.finalize(reason=self.stop_reason, anchor_timeout_s=left)
            out["cancelled"] = any(t.get_name() == r.id for t in late)
            out["status"] = "failed" if r.error is not None else "stopped"
            agents.append(out)
        return {"reason": self.stop_reason, "agents": agents}


def _failed_event(error: str) -> Any:
    from dexagent.core.audit import AuditEvent

    return AuditEvent("agent_stopped", {"event": "failed", "error": error}, int(time.time() * 1000))


def _bound_port(runner: web.AppRunner, configured: int) -> int:
    for addr in runner.addresses:
        if isinstance(addr, tuple) and len(addr) >= 2:
            return int(addr[1])
    return configured


def _write_json(path: Path, data: dict[str, Any]) -> None:
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(data, indent=2, sort_keys=True))
    tmp.replace(path)
