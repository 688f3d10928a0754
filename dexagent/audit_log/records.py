"""Audit records: one type per event, each with its canonical bytes and RFC 6962 leaf hash."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from dexagent.audit_log.canonical import MAX_SAFE_INT, CanonicalError, canonical_text, canonicalize
from dexagent.core.errors import ConfigError

LEAF_PREFIX = b"\x00"


class RecordType(StrEnum):
    AGENT_STARTED = "agent_started"
    AGENT_STOPPED = "agent_stopped"
    CONFIG_LOADED = "config_loaded"
    POLICY_LOADED = "policy_loaded"
    OBSERVATION = "observation"
    MODEL_CALL = "model_call"
    DECISION = "decision"
    AGENT_DECISION = "agent_decision"  # an agent chose a strategy, parameters, capital, or hold
    VERDICT = "verdict"
    INTENT = "intent"
    TX_SUBMITTED = "tx_submitted"
    TX_MINED = "tx_mined"
    TX_REVERTED = "tx_reverted"
    FILL = "fill"
    REJECTED = "rejected"
    CHECKPOINT = "checkpoint"
    ANCHOR = "anchor"


# Payload keys each type must carry (more keys are allowed).
REQUIRED_KEYS: Mapping[RecordType, tuple[str, ...]] = {
    RecordType.AGENT_STARTED: ("signer",),
    RecordType.CONFIG_LOADED: ("config_hash",),
    RecordType.POLICY_LOADED: ("policy_hash",),
    RecordType.OBSERVATION: ("digest",),
    RecordType.MODEL_CALL: ("model", "prompt_hash", "answer"),
    RecordType.AGENT_DECISION: ("outcome",),
    RecordType.VERDICT: ("rule", "allowed"),
    RecordType.TX_SUBMITTED: ("tx_hash",),
    RecordType.TX_MINED: ("tx_hash", "block"),
    RecordType.TX_REVERTED: ("tx_hash",),
    RecordType.CHECKPOINT: ("tree_size", "root", "signature"),
    RecordType.ANCHOR: ("tree_size", "root", "tx_hash", "block"),
}


@dataclass(frozen=True, slots=True)
class Record:
    """One audit record. ``seq`` is its 0-based position in the log (= Merkle leaf index)."""

    seq: int
    ts_ns: int
    agent_id: str
    type: str
    payload: Mapping[str, Any]

    def canonical(self) -> bytes:
        return record_bytes(self.seq, self.ts_ns, self.agent_id, self.type, self.payload)

    def leaf_hash(self) -> bytes:
        return leaf_hash(self.canonical())


def record_bytes(seq: int, ts_ns: int, agent_id: str, type_: str, payload: Any) -> bytes:
    """RFC 8785 bytes of ``{"agent","payload","seq","ts_ns","type"}`` (ts_ns as a string:
    nanosecond times exceed the I-JSON integer range)."""
    if not 0 <= seq <= MAX_SAFE_INT:
        raise ConfigError(f"sequence number {seq} out of range")
    agent, type_t = canonical_text(agent_id), canonical_text(type_)
    text = (
        f'{{"agent":{agent},"payload":{canonical_text(payload)},"seq":{int(seq)},'
        f'"ts_ns":"{int(ts_ns)}","type":{type_t}}}'
    )
    try:
        return text.encode("utf-8")
    except UnicodeEncodeError as exc:
        raise CanonicalError(f"string with a lone surrogate has no RFC 8785 form: {exc}") from None


def leaf_hash(canonical: bytes) -> bytes:
    return hashlib.sha256(LEAF_PREFIX + canonical).digest()


def check_payload(type_: str, payload: Mapping[str, Any]) -> None:
    """Raise ConfigError if a known record type lacks a required payload key."""
    try:
        rt = RecordType(type_)
    except ValueError:
        raise ConfigError(
            f"unknown audit record type {type_!r}; known: {', '.join(t.value for t in RecordType)}"
        ) from None
    missing = [k for k in REQUIRED_KEYS.get(rt, ()) if k not in payload]
    if missing:
        raise ConfigError(f"{type_} record needs payload keys {missing}")


def payload_json(payload: Mapping[str, Any]) -> str:
    """The payload as stored: its canonical text."""
    return canonicalize(payload).decode("utf-8")


def parse_payload(text: str) -> Any:
    return json.loads(text)
