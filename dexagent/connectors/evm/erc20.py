"""ERC-20 reads (balance, allowance) and exact-approval calldata, over raw async JSON-RPC."""

from __future__ import annotations

from dexagent.connectors.evm.aio_rpc import AsyncRpc
from dexagent.connectors.evm.contracts import load_artifact
from dexagent.connectors.evm.rawtx import decode_output, encode_call


def _abi() -> list[dict[str, object]]:
    return load_artifact("TestERC20").abi


async def eth_call(
    rpc: AsyncRpc, to: str, data: str, *, sender: str | None = None, block: str = "latest"
) -> str:
    tx: dict[str, str] = {"to": to, "data": data}
    if sender is not None:
        tx["from"] = sender
    return str(await rpc.call("eth_call", [tx, block]))


async def balance_of(rpc: AsyncRpc, token: str, owner: str) -> int:
    out = await eth_call(rpc, token, encode_call(_abi(), "balanceOf", [owner]))
    return int(decode_output(["uint256"], out)[0])


async def allowance(rpc: AsyncRpc, token: str, owner: str, spender: str) -> int:
    out = await eth_call(rpc, token, encode_call(_abi(), "allowance", [owner, spender]))
    return int(decode_output(["uint256"], out)[0])


def approve_data(spender: str, amount: int) -> str:
    return encode_call(_abi(), "approve", [spender, amount])
