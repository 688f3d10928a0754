"""Tamper-evident audit log: RFC 8785 records, RFC 6962 Merkle tree, signed checkpoints,
on-chain anchors (AuditAnchor) and the verifier.

The anchoring names load lazily: they pull in web3, which the log itself does not need.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from dexagent.audit_log.checkpoint import Checkpoint
from dexagent.audit_log.log import AuditLog, InclusionProof
from dexagent.audit_log.merkle import InvalidProof, verify_consistency, verify_inclusion
from dexagent.audit_log.proof import verify_inclusion_json
from dexagent.audit_log.records import RecordType
from dexagent.audit_log.sink import AuditLogSink
from dexagent.audit_log.verify import AnchorSource, OnChainAnchor, VerifyReport, verify_store

if TYPE_CHECKING:
    from dexagent.audit_log.anchor import Anchorer
    from dexagent.audit_log.anchor_config import AnchorConfig
    from dexagent.audit_log.anchor_contract import deploy_anchor
    from dexagent.audit_log.anchor_source import RpcAnchorSource

_LAZY = {
    "Anchorer": "dexagent.audit_log.anchor",
    "AnchorConfig": "dexagent.audit_log.anchor_config",
    "deploy_anchor": "dexagent.audit_log.anchor_contract",
    "RpcAnchorSource": "dexagent.audit_log.anchor_source",
}


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = [
    "AnchorConfig",
    "AnchorSource",
    "Anchorer",
    "AuditLog",
    "AuditLogSink",
    "Checkpoint",
    "InclusionProof",
    "InvalidProof",
    "OnChainAnchor",
    "RecordType",
    "RpcAnchorSource",
    "VerifyReport",
    "deploy_anchor",
    "verify_consistency",
    "verify_inclusion",
    "verify_inclusion_json",
    "verify_store",
]
