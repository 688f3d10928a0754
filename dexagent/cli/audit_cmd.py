"""``dexagent audit``: verify, prove, show and export an audit log."""

from __future__ import annotations

import argparse
import json
import sys
from typing import TYPE_CHECKING, Any

from dexagent.audit_log.export import decision_rows, export
from dexagent.audit_log.log import AuditLog
from dexagent.audit_log.store import Store
from dexagent.audit_log.verify import verify_store
from dexagent.core.errors import ConfigError

if TYPE_CHECKING:
    from dexagent.audit_log.anchor_source import RpcAnchorSource


def register(sub: Any) -> None:
    p = sub.add_parser("audit", help="verify, prove and export the tamper-evident audit log")
    asub = p.add_subparsers(dest="audit_command", required=True)

    v = asub.add_parser("verify", help="recompute every leaf, root, proof and signature")
    v.add_argument("--db", required=True, help="SQLAlchemy URL, e.g. sqlite:///audit.db")
    v.add_argument("--signer", help="the agent's address (default: from agent_started)")
    v.add_argument("--rpc", help="JSON-RPC URL to check on-chain anchors")
    v.add_argument("--contract", help="AuditAnchor contract address (with --rpc)")
    v.add_argument(
        "--from-block", type=int, default=0, help="first block to search for anchors (default 0)"
    )
    v.add_argument(
        "--confirmations",
        type=int,
        default=1,
        help="count an anchor once its block has this many confirmations (default 1)",
    )
    v.set_defaults(func=_verify)

    pr = asub.add_parser("prove", help="print an inclusion proof for record SEQ (JSON)")
    pr.add_argument("seq", type=int)
    pr.add_argument("--db", required=True)
    pr.set_defaults(func=_prove)

    s = asub.add_parser("show", help="one line per decision: policy, verdicts, tx, anchor")
    s.add_argument("--db", required=True)
    s.set_defaults(func=_show)

    e = asub.add_parser("export", help="decisions for review as jsonl, csv or html")
    e.add_argument("--db", required=True)
    e.add_argument("--format", choices=("jsonl", "csv", "html"), default="jsonl")
    e.add_argument("--out", help="file to write (default: stdout)")
    e.set_defaults(func=_export)


def _anchor_source(args: argparse.Namespace) -> RpcAnchorSource | None:
    if not args.rpc and not args.contract:
        return None
    if not (args.rpc and args.contract):
        raise ConfigError("--rpc and --contract go together: give both to check on-chain anchors")
    from dexagent.audit_log.anchor_source import RpcAnchorSource  # web3 only when needed

    return RpcAnchorSource(
        args.rpc, args.contract, from_block=args.from_block, confirmations=args.confirmations
    )


def _verify(args: argparse.Namespace) -> int:
    source = _anchor_source(args)
    store = Store.open(args.db)
    try:
        report = verify_store(store, expected_signer=args.signer, anchors=source)
    finally:
        store.close()
        if source is not None:
            source.close()
    print(report.summary())
    return 0 if report.ok else 1


def _prove(args: argparse.Namespace) -> int:
    store = Store.open(args.db)
    first = next(store.iter_records(0, 1), None)
    if first is None:
        print("error: the log is empty", file=sys.stderr)
        return 2
    log = AuditLog(store, agent_id=first.agent_id, signer=None)
    print(json.dumps(log.inclusion_proof(args.seq).to_json(), indent=2))
    return 0


def _show(args: argparse.Namespace) -> int:
    for r in decision_rows(Store.open(args.db)):
        state = {True: "approved", False: "denied", None: "?"}[r.approved]
        print(
            f"#{r.seq} {r.order} {state} policy={r.policy_hash[:12]} verdicts=[{r.verdicts}] "
            f"tx={r.tx_hash or '-'} checkpoint={r.checkpoint} anchor={r.anchor_tx or '-'}"
        )
    return 0


def _export(args: argparse.Namespace) -> int:
    text = export(Store.open(args.db), args.format)
    if args.out:
        with open(args.out, "w", encoding="utf-8") as f:
            f.write(text)
    else:
        sys.stdout.write(text)
    return 0
