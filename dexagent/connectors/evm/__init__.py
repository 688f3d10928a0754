"""EVM plumbing: a local anvil node, JSON-RPC, deployment, transactions, chain registry."""
