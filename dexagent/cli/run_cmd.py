"""``dexagent run --config agent.toml``: run the configured agents as one long-lived service."""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from pathlib import Path
from typing import Any


def register(subparsers: Any) -> None:
    p = subparsers.add_parser(
        "run", help="run agents as a service (live or paper) with an HTTP API on localhost"
    )
    p.add_argument("--config", type=Path, required=True, help="the service TOML (agent.toml)")
    p.set_defaults(func=cmd_run)


def cmd_run(args: argparse.Namespace) -> int:
    from dexagent.service.config import load_service_config
    from dexagent.service.jsonlog import configure_logging

    cfg = load_service_config(args.config)
    configure_logging(cfg.service.log_format, cfg.service.log_level)
    summary = asyncio.run(_run(cfg))
    print(json.dumps(summary, sort_keys=True), file=sys.stdout)
    return 1 if any(a["status"] == "failed" for a in summary["agents"]) else 0


async def _run(cfg: Any) -> dict[str, Any]:
    from dexagent.service.assemble import build_agent
    from dexagent.service.secrets import load_api_token
    from dexagent.service.service import Service

    token = load_api_token(cfg.service.token_env)
    from dexagent.service.api import check_bind

    check_bind(cfg.service.api_host, token)  # before anything is opened
    runners = [await build_agent(a, cfg.service) for a in cfg.agents]
    return await Service(cfg.service, runners, token).run()
