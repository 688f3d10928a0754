"""Gas per anchored record on anvil: AuditAnchor at batch sizes 1, 64 and 1,024 records.

References measured in the same run, on the same node, compiled the same way (solc-js 0.8.37,
optimizer 200 runs, evmVersion cancun):
- ``one event per decision``: a minimal contract emitting one ``Recorded(agent, leaf)`` event per
  record, one transaction per record (the design this replaces; ~23k gas per record);
- ``self-transfer``: a plain 21,000-gas ETH transfer (the floor of any transaction).
Storage variants, to justify keeping the root only in the event:
- ``+latest root in storage`` (one more slot written per anchor; enables ``eth_call`` lookups of
  the latest root), ``+every root in storage`` (a new slot per anchor; historical lookups),
  ``event only`` (no growth check: the floor for an anchor, but refuses nothing).

Gas does not depend on the records, only on the 32-byte root and the size in the calldata, so the
roots are SHA-256 digests (as real roots are). ``steady`` excludes an agent's first anchor, which
pays 20,000 more to create its storage slot; ``run`` spreads it over the run.
Usage: .venv/bin/python benchmarks/bench_anchor_gas.py [RECORDS_PER_SIZE]
"""

from __future__ import annotations

import hashlib
import sys
import time

from eth_utils.crypto import keccak

from dexagent.audit_log.anchor_build import compile_sources
from dexagent.audit_log.anchor_contract import deploy_anchor, encode_anchor
from dexagent.connectors.evm.anvil import DEV_ACCOUNTS, AnvilNode
from dexagent.connectors.evm.rawtx import address_of, create_address, sign_1559
from dexagent.connectors.evm.rpc import JsonRpcClient

VARIANTS = """// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;
contract OneEventPerDecision {
    event Recorded(address indexed agent, bytes32 leaf);
    function record(bytes32 leaf) external { emit Recorded(msg.sender, leaf); }
}
contract AnchorEventOnly {
    event Anchored(address indexed agent, uint64 treeSize, bytes32 root);
    function anchor(bytes32 root, uint64 treeSize) external {
        emit Anchored(msg.sender, treeSize, root);
    }
}
contract AnchorLatestRootStored {
    struct Head { bytes32 root; uint64 treeSize; }
    event Anchored(address indexed agent, uint64 treeSize, bytes32 root);
    error TreeSizeNotGrowing(uint64 lastTreeSize, uint64 treeSize);
    mapping(address => Head) public heads;
    function anchor(bytes32 root, uint64 treeSize) external {
        Head storage h = heads[msg.sender];
        if (treeSize <= h.treeSize) revert TreeSizeNotGrowing(h.treeSize, treeSize);
        h.treeSize = treeSize; h.root = root;
        emit Anchored(msg.sender, treeSize, root);
    }
}
contract AnchorEveryRootStored {
    event Anchored(address indexed agent, uint64 treeSize, bytes32 root);
    error TreeSizeNotGrowing(uint64 lastTreeSize, uint64 treeSize);
    mapping(address => uint64) public lastTreeSize;
    mapping(address => mapping(uint64 => bytes32)) public roots;
    function anchor(bytes32 root, uint64 treeSize) external {
        uint64 last = lastTreeSize[msg.sender];
        if (treeSize <= last) revert TreeSizeNotGrowing(last, treeSize);
        lastTreeSize[msg.sender] = treeSize; roots[msg.sender][treeSize] = root;
        emit Anchored(msg.sender, treeSize, root);
    }
}
"""
RECORD_SELECTOR = keccak(text="record(bytes32)")[:4].hex()
BATCH = 256  # transactions per JSON-RPC batch


class Sender:
    """Signs with consecutive nonces; sends and checks receipts in JSON-RPC batches."""

    def __init__(self, rpc: JsonRpcClient, key: str) -> None:
        self.rpc, self.key = rpc, key
        self.address = address_of(key)
        self.nonce = int(rpc.call("eth_getTransactionCount", [self.address, "pending"]), 16)

    def run(self, to: str | None, datas: list[str], gas: int = 200_000) -> list[int]:
        """Send one tx per call data; returns each gasUsed (all must succeed)."""
        used: list[int] = []
        for lo in range(0, len(datas), BATCH):
            txs = []
            for data in datas[lo : lo + BATCH]:
                txs.append(
                    sign_1559(
                        self.key,
                        chain_id=31337,
                        nonce=self.nonce,
                        to=to,
                        data=data,
                        gas=gas,
                        max_fee_per_gas=10**11,
                        max_priority_fee_per_gas=10**9,
                    )
                )
                self.nonce += 1
            for t in txs:  # in nonce order, one request each (see connectors/evm/deploy.py)
                self.rpc.call("eth_sendRawTransaction", [t.raw])
            rcpts = self.rpc.batch([("eth_getTransactionReceipt", [t.tx_hash]) for t in txs])
            for _ in range(500):  # automine may lag a batch by a few ms
                if all(r is not None for r in rcpts):
                    break
                time.sleep(0.01)
                rcpts = self.rpc.batch([("eth_getTransactionReceipt", [t.tx_hash]) for t in txs])
            for r in rcpts:
                if r is None or r["status"] != "0x1":
                    raise SystemExit(f"a benchmark transaction failed: {r}")
                used.append(int(r["gasUsed"], 16))
        return used

    def deploy(self, bytecode: str) -> str:
        addr = create_address(self.address, self.nonce)
        self.run(None, [bytecode], gas=2_000_000)
        return addr


def roots(n: int) -> list[bytes]:
    return [hashlib.sha256(i.to_bytes(8, "big")).digest() for i in range(n)]


def anchor_gas(sender: Sender, contract: str, batch: int, records: int) -> tuple[int, list[int]]:
    sizes = range(batch, records + 1, batch)
    datas = [encode_anchor(r, s) for r, s in zip(roots(len(sizes)), sizes, strict=True)]
    used = sender.run(contract, datas)
    return records, used


def row(name: str, records: int, used: list[int], ref: float) -> float:
    run = sum(used) / records
    per_tx_steady = sum(used[1:]) / max(1, len(used) - 1) if len(used) > 1 else used[0]
    batch = records // len(used)
    steady = per_tx_steady / batch
    print(
        f"{name:<38} {batch:>6} {len(used):>6} {used[0]:>9,} {per_tx_steady:>10,.0f} "
        f"{steady:>10.1f} {run:>10.1f} {ref / steady:>9.0f}x"
    )
    return per_tx_steady


def main(records: int) -> None:
    node = AnvilNode.start()
    try:
        rpc = JsonRpcClient(node.url)
        out = compile_sources({"Variants.sol": VARIANTS})["contracts"]["Variants.sol"]
        anchor = deploy_anchor(node.url, DEV_ACCOUNTS[0][1])
        deployer = Sender(rpc, DEV_ACCOUNTS[0][1])
        others = {n: deployer.deploy("0x" + c["evm"]["bytecode"]["object"]) for n, c in out.items()}
        agents = iter(DEV_ACCOUNTS[1:])

        def fresh() -> Sender:
            return Sender(rpc, next(agents)[1])

        # references: one tx per record
        n_ref = min(records, 1024)
        calls = ["0x" + RECORD_SELECTOR + r.hex() for r in roots(n_ref)]
        ev = fresh().run(others["OneEventPerDecision"], calls)
        ref = sum(ev) / len(ev)
        s = fresh()
        xfer = s.run(s.address, ["0x"] * 64)
        print(f"anvil {rpc.call('web3_clientVersion')}, AuditAnchor {anchor}")
        print(f"reference one event per decision: {ref:,.0f} gas/record ({n_ref} txs)")
        print(f"reference plain self-transfer:    {sum(xfer) / len(xfer):,.0f} gas/tx")
        print()
        hdr = (
            "contract",
            "batch",
            "txs",
            "first tx",
            "steady tx",
            "steady/rec",
            "run/rec",
            "vs ref",
        )
        print(
            f"{hdr[0]:<38} {hdr[1]:>6} {hdr[2]:>6} {hdr[3]:>9} {hdr[4]:>10} {hdr[5]:>10} "
            f"{hdr[6]:>10} {hdr[7]:>10}"
        )
        for batch in (1, 64, 1024):
            total = max(records, 4 * batch) if batch > 1 else min(records, 1024)
            n, used = anchor_gas(fresh(), anchor, batch, total)
            steady_tx = row("AuditAnchor (root in event, size slot)", n, used, ref)
        n, used = anchor_gas(fresh(), others["AnchorEventOnly"], 1024, max(records, 4096))
        row("event only, no growth check", n, used, ref)
        n, used = anchor_gas(fresh(), others["AnchorLatestRootStored"], 1024, max(records, 4096))
        row("+ latest root in storage", n, used, ref)
        n, used = anchor_gas(fresh(), others["AnchorEveryRootStored"], 1024, max(records, 4096))
        row("+ every root in storage", n, used, ref)
        print()
        print(
            f"AuditAnchor reaches 25 gas/record (steady) from a batch of "
            f"{-(-int(steady_tx) // 25):,} records"
        )
        print("floor at batch 1,024: 21,000 base gas / 1,024 = 20.5 gas/record before calldata,")
        print("the event and the growth check's storage slot.")
    finally:
        node.stop()


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 4096)
