// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

/// @title AuditAnchor
/// @notice Anchors the signed Merkle tree heads of dexagent audit logs. Each agent anchors from its
/// own key (msg.sender is the agent, the same key that signs the checkpoints), so no signature is
/// checked on chain. The root lives only in the event; storage holds one slot per agent: the last
/// anchored tree size, which must grow with every anchor.
contract AuditAnchor {
    /// @notice The agent's log now has `treeSize` records with Merkle root `root` (RFC 6962).
    event Anchored(address indexed agent, uint64 treeSize, bytes32 root);

    /// @notice A tree size that does not grow past the agent's last anchored size.
    error TreeSizeNotGrowing(uint64 lastTreeSize, uint64 treeSize);

    /// @notice The last tree size each agent anchored (0 if none).
    mapping(address agent => uint64 treeSize) public lastTreeSize;

    function anchor(bytes32 root, uint64 treeSize) external {
        uint64 last = lastTreeSize[msg.sender];
        if (treeSize <= last) revert TreeSizeNotGrowing(last, treeSize);
        lastTreeSize[msg.sender] = treeSize;
        emit Anchored(msg.sender, treeSize, root);
    }
}
