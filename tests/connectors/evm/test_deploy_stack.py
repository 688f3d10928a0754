"""deploy_stack: npm bytecode deployed as shipped, pools seeded at the price, accounts funded."""

from __future__ import annotations

import time
from decimal import Decimal
from pathlib import Path

from dexagent.connectors.evm.anvil import DEV_ACCOUNTS, AnvilNode
from dexagent.connectors.evm.contracts import load_artifact
from dexagent.connectors.evm.deploy import TEST_TOKENS, WETH_PER_ACCOUNT, deploy_stack
from dexagent.connectors.evm.manifest import Deployment
from dexagent.connectors.evm.rawtx import decode_output, encode_call
from dexagent.connectors.evm.solc_build import ARTIFACTS_DIR, artifact_text, compile_contracts


def _call(
    node: AnvilNode, art: str, to: str, fn: str, args: list[object], out: list[str]
) -> tuple[object, ...]:
    data = encode_call(load_artifact(art).abi, fn, list(args))
    return decode_output(out, node.rpc("eth_call", [{"to": to, "data": data}, "latest"]))


def test_every_contract_has_code(chain: AnvilNode, deployment: Deployment) -> None:
    addrs = [*deployment.contracts.values(), *(p.address for p in deployment.pools)]
    codes = chain.rpc_batch([("eth_getCode", [a, "latest"]) for a in addrs])
    assert all(len(c) > 2 for c in codes)


def test_v2_pool_is_seeded_at_the_price_with_the_depth(
    chain: AnvilNode, deployment: Deployment
) -> None:
    pool = deployment.pool("uniswap_v2")
    r0, r1, _ = _call(
        chain, "UniswapV2Pair", pool.address, "getReserves", [], ["uint112"] * 2 + ["uint32"]
    )
    weth_is_0 = pool.token0 == deployment.tokens["WETH"].address
    weth, usdc = (r0, r1) if weth_is_0 else (r1, r0)
    assert weth == 2500 * 10**18 and usdc == 5_000_000 * 10**6
    assert Decimal(usdc) / 10**6 / (Decimal(weth) / 10**18) == deployment.seed_price


def test_v3_pools_trade_near_the_seed_price(chain: AnvilNode, deployment: Deployment) -> None:
    weth = deployment.tokens["WETH"].address
    for fee in (3000, 500):
        pool = deployment.pool("uniswap_v3", fee)
        sqrt_x96 = _call(
            chain,
            "UniswapV3Pool",
            pool.address,
            "slot0",
            [],
            ["uint160", "int24", "uint16", "uint16", "uint16", "uint8", "bool"],
        )[0]
        raw = Decimal(sqrt_x96) ** 2 / Decimal(2) ** 192
        price = raw * 10**12 if pool.token0 == weth else 10**12 / raw
        assert abs(price - Decimal(2000)) < Decimal("0.000001")
        (liq,) = _call(chain, "UniswapV3Pool", pool.address, "liquidity", [], ["uint128"])
        assert liq > 0


def test_dev_accounts_are_funded_with_tokens_and_weth(
    chain: AnvilNode, deployment: Deployment
) -> None:
    who = DEV_ACCOUNTS[3][0]
    for sym, (_, dec, whole) in TEST_TOKENS.items():
        (bal,) = _call(
            chain, "TestERC20", deployment.tokens[sym].address, "balanceOf", [who], ["uint256"]
        )
        assert bal == whole * 10**dec
    (w,) = _call(chain, "WETH9", deployment.tokens["WETH"].address, "balanceOf", [who], ["uint256"])
    assert w == WETH_PER_ACCOUNT


def test_deploy_on_a_fresh_node_is_fast_and_writes_a_manifest_that_round_trips(
    tmp_path: Path,
) -> None:
    with AnvilNode.start() as node:
        t0 = time.perf_counter()
        dep = deploy_stack(
            node.url, deployer_key=DEV_ACCOUNTS[0][1], manifest_path=tmp_path / "m.json"
        )
        elapsed = time.perf_counter() - t0
    assert Deployment.load(tmp_path / "m.json") == dep
    assert elapsed < 3.0, f"deployment took {elapsed:.2f} s"


def test_committed_test_token_artifact_matches_a_fresh_compile() -> None:
    fresh = compile_contracts()
    for name, art in fresh.items():
        assert (ARTIFACTS_DIR / f"{name}.json").read_text() == artifact_text(art)
