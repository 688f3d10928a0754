"""``dexagent policy``: check a policy file; approve or deny pending orders; resume an agent.

The pending queue and the trading states live in one SQLite file (``--store``) that the running
agent shares. A resume is a request the agent applies between decisions (``poll_operator``).
"""

from __future__ import annotations

import argparse
import getpass
import json

from dexagent.core.clock import WallClock
from dexagent.policy.engine import PolicyEngine
from dexagent.policy.loader import load_policy
from dexagent.policy.pending import PendingStatus
from dexagent.policy.sqlite_store import SqliteStore
from dexagent.policy.state_store import ResumeRequest


def register(sub: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    p = sub.add_parser("policy", help="check policies, approve pending orders, resume agents")
    ps = p.add_subparsers(dest="policy_command", required=True)

    c = ps.add_parser("check", help="validate a policy file and print its canonical hash")
    c.add_argument("file")
    c.add_argument("--json", action="store_true", help="print the canonical summary as JSON")
    c.set_defaults(func=cmd_check)

    pe = ps.add_parser("pending", help="list orders waiting for a human approval")
    pe.add_argument("--store", required=True, help="policy SQLite file of the agent")
    pe.add_argument("--all", action="store_true", help="also approved, denied and expired")
    pe.set_defaults(func=cmd_pending)

    for name, helptext in (("approve", "approve a pending order"), ("deny", "deny one")):
        a = ps.add_parser(name, help=helptext)
        a.add_argument("id", help="the order id shown by `dexagent policy pending`")
        a.add_argument("--store", required=True)
        a.add_argument("--by", default=None, help="who decides (default: the OS user)")
        a.set_defaults(func=cmd_resolve, verdict=name)

    r = ps.add_parser("resume", help="ask a halted (or reducing) agent to resume trading")
    r.add_argument("--store", required=True)
    r.add_argument("--agent", required=True, help="agent id")
    r.add_argument("--by", default=None, help="operator name (default: the OS user)")
    r.add_argument("--reason", default="", help="why it is safe to resume")
    r.set_defaults(func=cmd_resume)

    s = ps.add_parser("state", help="show each agent's trading state")
    s.add_argument("--store", required=True)
    s.set_defaults(func=cmd_state)


def cmd_check(args: argparse.Namespace) -> int:
    policy = load_policy(args.file)
    engine = PolicyEngine(policy)
    summary = {
        "file": args.file,
        "name": policy.name,
        "schema_version": policy.schema_version,
        "policy_hash": engine.policy_hash,
        "rules": list(engine.rule_names),
        "needs_quote": engine.needs_quote,
    }
    if args.json:
        print(json.dumps(summary, indent=2))
    else:
        print(f"{args.file}: ok")
        print(f"  name:        {policy.name or '-'}")
        print(f"  policy_hash: {engine.policy_hash}")
        print(f"  rules:       {', '.join(engine.rule_names) or '(none)'}")
        print(f"  needs_quote: {str(engine.needs_quote).lower()}")
    return 0


def cmd_pending(args: argparse.Namespace) -> int:
    store = SqliteStore(args.store, create=False)
    now = WallClock().now_ms()
    entries = store.entries(None if args.all else PendingStatus.PENDING)
    if not entries:
        print("no pending orders")
        return 0
    for e in entries:
        o = e.order()
        status = e.status.value
        if e.status is PendingStatus.PENDING and now >= e.expires_ms:
            status = "expired (ttl passed)"
        print(
            f"{e.id}  {status}  {o.side.value} {o.pair.symbol} amount_in={o.amount_in} "
            f"notional={o.notional_quote} ref={o.ref_price} strategy={o.intent.strategy!r}  "
            f"expires_ms={e.expires_ms}  {e.reason}"
        )
    return 0


def cmd_resolve(args: argparse.Namespace) -> int:
    store = SqliteStore(args.store, create=False)
    status = PendingStatus.APPROVED if args.verdict == "approve" else PendingStatus.DENIED
    entry = store.resolve(args.id, status, WallClock().now_ms(), args.by or getpass.getuser())
    print(f"{entry.id}: {entry.status.value} by {entry.resolved_by}")
    return 0


def cmd_resume(args: argparse.Namespace) -> int:
    store = SqliteStore(args.store, create=False)
    by = args.by or getpass.getuser()
    store.request_resume(args.agent, ResumeRequest(by, args.reason, WallClock().now_ms()))
    saved = store.load_state(args.agent)
    now_state = saved.state.value if saved is not None else "unknown"
    print(
        f"resume of agent {args.agent!r} requested by {by} (state now: {now_state}); "
        "the agent applies it before its next decision"
    )
    return 0


def cmd_state(args: argparse.Namespace) -> int:
    store = SqliteStore(args.store, create=False)
    rows = store.agents()
    if not rows:
        print("no agent state recorded")
    for agent, s in rows:
        print(f"{agent}  {s.state.value}  at_ms={s.at_ms}  {s.reason}")
    return 0
