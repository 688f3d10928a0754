"""The AuditAnchor contract from Python: its committed artifact, call data, events, deployment.

Only raw ABI encoding (eth_abi) is used, so the anchorer and the verifier need no web3 contract
objects. The artifact is read from ``contracts/build/AuditAnchor.json`` (see ``anchor_build``).
"""

from __future__ import annotations

import json
import os
import time
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from eth_abi.abi import decode as abi_decode
from eth_abi.abi import encode as abi_encode
from eth_utils.address import to_checksum_address
from eth_utils.crypto import keccak

from dexagent.connectors.evm.rawtx import address_of, create_address, sign_1559
from dexagent.connectors.evm.rpc import JsonRpcClient
from dexagent.core.errors import ConfigError, FatalError, TemporaryError

ARTIFACT_PATH = Path("contracts/build/AuditAnchor.json")
ANCHORED_TOPIC = "0x" + keccak(text="Anchored(address,uint64,bytes32)").hex()
ANCHOR_SELECTOR = keccak(text="anchor(bytes32,uint64)")[:4]
LAST_SIZE_SELECTOR = keccak(text="lastTreeSize(address)")[:4]
NOT_GROWING_SELECTOR = keccak(text="TreeSizeNotGrowing(uint64,uint64)")[:4]
DEPLOY_GAS = 400_000


@dataclass(frozen=True, slots=True)
class AnchorArtifact:
    abi: list[dict[str, Any]]
    bytecode: str
    compiler: str
    source_sha256: str


def artifact_path() -> Path:
    """$DEXAGENT_AUDIT_ANCHOR_ARTIFACT, else contracts/build/... above the cwd or this package."""
    env = os.environ.get("DEXAGENT_AUDIT_ANCHOR_ARTIFACT")
    if env:
        return Path(env)
    for start in (Path.cwd().resolve(), Path(__file__).resolve().parent):
        for d in (start, *start.parents):
            if (d / ARTIFACT_PATH).is_file():
                return d / ARTIFACT_PATH
    raise ConfigError(
        f"{ARTIFACT_PATH} not found above the working directory; run from the repository root "
        "or set DEXAGENT_AUDIT_ANCHOR_ARTIFACT to the file"
    )


@cache
def load_anchor_artifact() -> AnchorArtifact:
    path = artifact_path()
    try:
        raw = json.loads(path.read_text())
    except (OSError, ValueError) as exc:
        raise ConfigError(f"cannot read the AuditAnchor artifact {path}: {exc}") from None
    return AnchorArtifact(
        raw["abi"], raw["bytecode"], raw["compiler"]["version"], raw["sourceSha256"]
    )


@dataclass(frozen=True, slots=True)
class AnchoredEvent:
    agent: str
    tree_size: int
    root: bytes
    block_number: int
    block_hash: str
    tx_hash: str


def encode_anchor(root: bytes, tree_size: int) -> str:
    if len(root) != 32:
        raise ConfigError("a Merkle root has 32 bytes")
    return "0x" + (ANCHOR_SELECTOR + abi_encode(["bytes32", "uint64"], [root, tree_size])).hex()


def encode_last_tree_size(agent: str) -> str:
    return "0x" + (LAST_SIZE_SELECTOR + abi_encode(["address"], [agent])).hex()


def agent_topic(agent: str) -> str:
    return "0x" + "0" * 24 + agent.lower().removeprefix("0x")


def decode_anchored(log: dict[str, Any]) -> AnchoredEvent:
    """An ``Anchored`` log from eth_getLogs or a receipt (raw hex fields)."""
    topics = log["topics"]
    if len(topics) != 2 or topics[0].lower() != ANCHORED_TOPIC:
        raise ConfigError(f"log {log.get('transactionHash')} is not an Anchored event")
    size, root = abi_decode(["uint64", "bytes32"], bytes.fromhex(log["data"][2:]))
    return AnchoredEvent(
        agent=str(to_checksum_address("0x" + topics[1][-40:])),
        tree_size=int(size),
        root=bytes(root),
        block_number=int(log["blockNumber"], 16),
        block_hash=str(log["blockHash"]),
        tx_hash=str(log["transactionHash"]),
    )


def decode_not_growing(data: str | None) -> tuple[int, int] | None:
    """(last, given) if ``data`` is the TreeSizeNotGrowing revert, else None."""
    if not data or not isinstance(data, str):
        return None
    raw = bytes.fromhex(data.removeprefix("0x"))
    if raw[:4] != NOT_GROWING_SELECTOR:
        return None
    last, given = abi_decode(["uint64", "uint64"], raw[4:])
    return int(last), int(given)


def last_tree_size(rpc: JsonRpcClient, contract: str, agent: str) -> int:
    out = rpc.call("eth_call", [{"to": contract, "data": encode_last_tree_size(agent)}, "latest"])
    return int(out, 16) if out not in (None, "0x") else 0


def deploy_anchor(url: str, private_key: str, *, timeout_s: float = 30.0) -> str:
    """Deploy AuditAnchor from ``private_key``'s account; returns the contract address."""
    art = load_anchor_artifact()
    rpc = JsonRpcClient(url)
    try:
        sender = address_of(private_key)
        chain_id = int(rpc.call("eth_chainId"), 16)
        nonce = int(rpc.call("eth_getTransactionCount", [sender, "pending"]), 16)
        base = int(rpc.call("eth_getBlockByNumber", ["latest", False])["baseFeePerGas"], 16)
        tip = int(rpc.call("eth_maxPriorityFeePerGas"), 16)
        tx = sign_1559(
            private_key,
            chain_id=chain_id,
            nonce=nonce,
            to=None,
            data=art.bytecode,
            gas=DEPLOY_GAS,
            max_fee_per_gas=2 * base + tip,
            max_priority_fee_per_gas=tip,
        )
        rpc.call("eth_sendRawTransaction", [tx.raw])
        deadline = time.monotonic() + timeout_s
        while (rcpt := rpc.call("eth_getTransactionReceipt", [tx.tx_hash])) is None:
            if time.monotonic() > deadline:
                raise TemporaryError(f"AuditAnchor deployment {tx.tx_hash} not mined in time")
            time.sleep(0.01)
        if int(rcpt["status"], 16) != 1:
            raise FatalError(f"AuditAnchor deployment {tx.tx_hash} reverted")
        return create_address(sender, nonce)
    finally:
        rpc.close()
