"""Contract artifacts (ABI + creation code): Uniswap and WETH from npm, our test token committed.

npm artifacts are read as shipped from ``node_modules`` (``npm ci``); their bytecode is never
recompiled, so the V2/V3 init-code hashes baked into the routers match the factories.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from dexagent.core.errors import ConfigError

_LOCAL_DIR = Path(__file__).resolve().parent / "artifacts"
_V3C = "@uniswap/v3-core/artifacts/contracts"
_V3P = "@uniswap/v3-periphery/artifacts/contracts"
NPM_ARTIFACTS: dict[str, str] = {
    "WETH9": "@uniswap/v2-periphery/build/WETH9.json",
    "UniswapV2Factory": "@uniswap/v2-core/build/UniswapV2Factory.json",
    "UniswapV2Pair": "@uniswap/v2-core/build/UniswapV2Pair.json",
    "UniswapV2Router02": "@uniswap/v2-periphery/build/UniswapV2Router02.json",
    "UniswapV3Factory": f"{_V3C}/UniswapV3Factory.sol/UniswapV3Factory.json",
    "UniswapV3Pool": f"{_V3C}/UniswapV3Pool.sol/UniswapV3Pool.json",
    "SwapRouter": f"{_V3P}/SwapRouter.sol/SwapRouter.json",
    "QuoterV2": f"{_V3P}/lens/QuoterV2.sol/QuoterV2.json",
    "NonfungiblePositionManager": (
        f"{_V3P}/NonfungiblePositionManager.sol/NonfungiblePositionManager.json"
    ),
}
LOCAL_ARTIFACTS = ("TestERC20",)


@dataclass(frozen=True, slots=True)
class Artifact:
    name: str
    abi: list[dict[str, Any]]
    bytecode: str  # 0x-prefixed creation code

    def constructor_types(self) -> list[str]:
        for item in self.abi:
            if item.get("type") == "constructor":
                return [_abi_type(i) for i in item["inputs"]]
        return []


def _abi_type(param: dict[str, Any]) -> str:
    t = str(param["type"])
    if t.startswith("tuple"):
        inner = ",".join(_abi_type(c) for c in param["components"])
        return f"({inner}){t[5:]}"
    return t


def node_modules_dir() -> Path:
    for start in (Path.cwd().resolve(), Path(__file__).resolve().parent):
        for d in (start, *start.parents):
            if (d / "node_modules/@uniswap/v2-core/package.json").is_file():
                return d / "node_modules"
    raise ConfigError(
        "node_modules/@uniswap/* not found above the working directory or the package; "
        "run `npm ci` in the repository root"
    )


@cache
def load_artifact(name: str) -> Artifact:
    """The named artifact; ConfigError naming the known names if it is unknown or missing."""
    if name in LOCAL_ARTIFACTS:
        path = _LOCAL_DIR / f"{name}.json"
    elif name in NPM_ARTIFACTS:
        path = node_modules_dir() / NPM_ARTIFACTS[name]
    else:
        known = sorted((*NPM_ARTIFACTS, *LOCAL_ARTIFACTS))
        raise ConfigError(f"unknown contract artifact {name!r}; known: {', '.join(known)}")
    try:
        raw = json.loads(path.read_text())
    except FileNotFoundError:
        raise ConfigError(f"artifact {name} missing at {path}; run `npm ci`") from None
    bc = raw.get("bytecode") or raw["evm"]["bytecode"]["object"]
    bc = bc if bc.startswith("0x") else "0x" + bc
    return Artifact(name=name, abi=list(raw["abi"]), bytecode=bc)
