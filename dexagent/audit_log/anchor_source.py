"""On-chain anchors read over JSON-RPC: the AuditAnchor contract's ``Anchored`` events by agent.

Implements the verifier's ``AnchorSource``. Logs are fetched with ``eth_getLogs`` in block ranges
(public RPCs cap the range), filtered by the agent's address topic, and only counted once they
have ``confirmations`` blocks (the head block counts as one).
"""

from __future__ import annotations

from collections.abc import Sequence

from eth_utils.address import is_address, to_checksum_address

from dexagent.audit_log.anchor_contract import ANCHORED_TOPIC, agent_topic, decode_anchored
from dexagent.audit_log.verify import OnChainAnchor
from dexagent.connectors.evm.rpc import JsonRpcClient
from dexagent.core.errors import ConfigError


class RpcAnchorSource:
    """``anchors_of(agent)``: every confirmed ``Anchored`` event of ``agent``, oldest first."""

    def __init__(
        self,
        url: str,
        contract: str,
        *,
        from_block: int = 0,
        confirmations: int = 1,
        max_range: int = 10_000,
    ) -> None:
        if not is_address(contract):
            raise ConfigError(f"--contract {contract!r} is not an address (0x + 40 hex digits)")
        if confirmations < 1 or max_range < 1:
            raise ConfigError("confirmations and max_range must be at least 1")
        self.rpc = JsonRpcClient(url)
        self.contract = str(to_checksum_address(contract))
        self.from_block = from_block
        self.confirmations = confirmations
        self.max_range = max_range
        self.head: int | None = None

    def __repr__(self) -> str:
        return f"RpcAnchorSource({self.rpc.url!r}, {self.contract})"

    def anchors_of(self, agent_address: str) -> Sequence[OnChainAnchor]:
        code = self.rpc.call("eth_getCode", [self.contract, "latest"])
        if code in (None, "0x", ""):
            raise ConfigError(f"no contract at {self.contract} on {self.rpc.url}")
        self.head = int(self.rpc.call("eth_blockNumber"), 16)
        last = self.head - self.confirmations + 1
        out: list[OnChainAnchor] = []
        lo = self.from_block
        while lo <= last:
            hi = min(last, lo + self.max_range - 1)
            logs = self.rpc.call(
                "eth_getLogs",
                [
                    {
                        "address": self.contract,
                        "fromBlock": hex(lo),
                        "toBlock": hex(hi),
                        "topics": [ANCHORED_TOPIC, agent_topic(agent_address)],
                    }
                ],
            )
            for raw in logs:
                if raw.get("removed"):
                    continue
                ev = decode_anchored(raw)
                out.append(OnChainAnchor(ev.tree_size, ev.root, ev.block_number, ev.tx_hash))
            lo = hi + 1
        return out

    def close(self) -> None:
        self.rpc.close()
