"""Tamper-evident audit log: RFC 8785 records, RFC 6962 Merkle tree, signed checkpoints."""

from dexagent.audit_log.checkpoint import Checkpoint
from dexagent.audit_log.log import AuditLog, InclusionProof
from dexagent.audit_log.merkle import InvalidProof, verify_consistency, verify_inclusion
from dexagent.audit_log.proof import verify_inclusion_json
from dexagent.audit_log.records import RecordType
from dexagent.audit_log.sink import AuditLogSink
from dexagent.audit_log.verify import VerifyReport, verify_store

__all__ = [
    "AuditLog",
    "AuditLogSink",
    "Checkpoint",
    "InclusionProof",
    "InvalidProof",
    "RecordType",
    "VerifyReport",
    "verify_consistency",
    "verify_inclusion",
    "verify_inclusion_json",
    "verify_store",
]
