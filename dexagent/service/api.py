"""The operator's HTTP API (aiohttp): health, readiness, metrics, agents, kill switch, approvals.

Every route except ``GET /healthz`` needs ``Authorization: Bearer <token>`` when a token is
configured; without a token the server only binds to loopback (``check_bind`` refuses otherwise).

    GET  /healthz                       liveness (no auth)
    GET  /readyz                        200 when every agent is connected and deciding or held
    GET  /metrics                       Prometheus text
    GET  /agents                        status and counters of each agent
    GET  /agents/{id}/decisions?limit=  newest decisions first (default 50, at most 500)
    POST /agents/{id}/pause | resume | halt
    POST /halt-all                      the kill switch for every agent
    GET  /approvals                     orders waiting for a human (all agents)
    POST /approvals/{id}/approve | deny
"""

from __future__ import annotations

import hmac
import logging
from collections.abc import Awaitable, Callable, Sequence
from typing import Any

from aiohttp import web

from dexagent.core.errors import ConfigError
from dexagent.policy.pending import PendingStatus
from dexagent.service.agent import AgentRunner
from dexagent.service.config import is_loopback
from dexagent.service.metrics import CONTENT_TYPE, anchor_lag, render
from dexagent.service.secrets import Secret
from dexagent.service.state import AgentStatus

log = logging.getLogger(__name__)

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]
_OPEN = frozenset({"/healthz"})
_READY = frozenset({AgentStatus.RUNNING, AgentStatus.PAUSED, AgentStatus.HALTED})
RUNNERS: web.AppKey[dict[str, AgentRunner]] = web.AppKey("runners")


def check_bind(host: str, token: Secret | None) -> None:
    if token is None and not is_loopback(host):
        raise ConfigError(
            f"the API would listen on {host!r} without a token: set the token variable named "
            "by [service] token_env, or bind to 127.0.0.1"
        )


def _auth(token: Secret | None) -> Any:
    expected = f"Bearer {token.reveal()}".encode() if token is not None else None

    @web.middleware
    async def middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
        if expected is not None and request.path not in _OPEN:
            got = request.headers.get("Authorization", "").encode()
            if not hmac.compare_digest(got, expected):
                return web.json_response(
                    {"error": "missing or wrong bearer token"},
                    status=401,
                    headers={"WWW-Authenticate": "Bearer"},
                )
        try:
            return await handler(request)
        except ConfigError as exc:
            return web.json_response({"error": str(exc)}, status=409)

    return middleware


def build_app(runners: Sequence[AgentRunner], token: Secret | None) -> web.Application:
    app = web.Application(middlewares=[_auth(token)])
    app[RUNNERS] = {r.id: r for r in runners}
    app.router.add_get("/healthz", healthz)
    app.router.add_get("/readyz", readyz)
    app.router.add_get("/metrics", metrics)
    app.router.add_get("/agents", agents)
    app.router.add_get("/agents/{id}/decisions", decisions)
    app.router.add_post("/agents/{id}/{action:pause|resume|halt}", control)
    app.router.add_post("/halt-all", halt_all)
    app.router.add_get("/approvals", approvals)
    app.router.add_post("/approvals/{id}/{action:approve|deny}", resolve)
    return app


def _runner(request: web.Request) -> AgentRunner:
    runner = request.app[RUNNERS].get(request.match_info["id"])
    if runner is None:
        raise web.HTTPNotFound(
            text=f'{{"error": "no agent {request.match_info["id"]!r}"}}',
            content_type="application/json",
        )
    return runner


async def healthz(request: web.Request) -> web.Response:
    return web.json_response({"ok": True})


async def readyz(request: web.Request) -> web.Response:
    states = {r.id: r.status.value for r in request.app[RUNNERS].values()}
    ready = all(AgentStatus(s) in _READY for s in states.values())
    return web.json_response({"ready": ready, "agents": states}, status=200 if ready else 503)


async def metrics(request: web.Request) -> web.Response:
    body = render(list(request.app[RUNNERS].values()))
    return web.Response(body=body.encode(), headers={"Content-Type": CONTENT_TYPE})


def agent_json(r: AgentRunner) -> dict[str, Any]:
    m = r.metrics
    return {
        "id": r.id,
        "status": r.status.value,
        "halted": r.halted,
        "error": r.error,
        "pair": r.p.pair.symbol,
        "venue": r.p.venue.name,
        "address": r.p.txm.address if r.p.txm is not None else None,
        "last_block": m.last_block,
        "bars": m.bars,
        "last_bar_ms": m.last_bar_ms,
        "last_bar_volume_raw": str(m.last_bar_volume_raw),
        "last_bar_blocks": list(m.last_bar_blocks),
        "decisions": m.decisions,
        "fills": m.fills,
        "rejections": m.rejections,
        "denials": dict(m.denials),
        "pnl_quote": str(m.pnl_quote),
        "rpc_gaps": m.rpc_gaps,
        "audit_records": r.p.sink.log.size,
        "anchor_lag_records": anchor_lag(r),
        "in_flight": r.in_flight,
        "reference": _reference_json(r),
    }


def _reference_json(r: AgentRunner) -> dict[str, Any] | None:
    ref = r.p.reference
    if ref is None:
        return None
    st = ref.state
    return {
        "exchange": ref.cfg.exchange,
        "symbol": ref.cfg.symbol,
        "price": None if st.price is None else str(st.price),
        "deviation_bps": None if st.deviation_bps is None else f"{st.deviation_bps:.4f}",
        "max_deviation_bps": ref.cfg.max_deviation_bps,
        "error": st.error,
        "skipped": st.skipped,
        "errors": st.errors,
        "skips": st.skips,
    }


async def agents(request: web.Request) -> web.Response:
    return web.json_response({"agents": [agent_json(r) for r in request.app[RUNNERS].values()]})


async def decisions(request: web.Request) -> web.Response:
    runner = _runner(request)
    try:
        limit = min(int(request.query.get("limit", "50")), 500)
    except ValueError:
        return web.json_response({"error": "limit must be an integer"}, status=400)
    return web.json_response({"agent": runner.id, "decisions": runner.decisions.latest(limit)})


async def control(request: web.Request) -> web.Response:
    runner = _runner(request)
    action = request.match_info["action"]
    if action == "pause":
        runner.paused = True
    elif action == "halt":
        await runner.halt("halted through the API")
    elif not await runner.resume(by="api"):
        return web.json_response(
            {"error": "a halt file is present; remove it before resuming"}, status=409
        )
    log.warning("operator action", extra={"agent": runner.id, "action": action})
    return web.json_response(agent_json(runner))


async def halt_all(request: web.Request) -> web.Response:
    for r in request.app[RUNNERS].values():
        await r.halt("halt-all through the API")
    log.warning("operator action", extra={"action": "halt-all"})
    runners = request.app[RUNNERS]
    return web.json_response({"halted": sorted(runners.keys())})


async def approvals(request: web.Request) -> web.Response:
    out: list[dict[str, Any]] = []
    for r in request.app[RUNNERS].values():
        if r.engine is None:
            continue
        for e in r.engine.pending.entries(PendingStatus.PENDING):
            out.append(
                {
                    "id": e.id,
                    "agent": r.id,
                    "created_ms": e.created_ms,
                    "expires_ms": e.expires_ms,
                    "reason": e.reason,
                    "policy_hash": e.policy_hash,
                    "order": e.order_json,
                }
            )
    return web.json_response({"approvals": out})


async def resolve(request: web.Request) -> web.Response:
    entry_id = request.match_info["id"]
    action = request.match_info["action"]
    for r in request.app[RUNNERS].values():
        if r.engine is None or r.engine.pending.get(entry_id) is None:
            continue
        status = PendingStatus.APPROVED if action == "approve" else PendingStatus.DENIED
        entry = r.engine.pending.resolve(entry_id, status, r.metrics.last_chain_ms, "api")
        log.warning("approval resolved", extra={"agent": r.id, "order": entry_id, "to": action})
        return web.json_response({"id": entry.id, "agent": r.id, "status": entry.status.value})
    return web.json_response({"error": f"no pending order {entry_id!r}"}, status=404)
