"""The deployment manifest: chain id, contract addresses, tokens with decimals, pools, block.

Written as JSON by ``deploy_stack`` and ``dexagent chain up``; read back by connectors and tests.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

from dexagent.core.errors import ConfigError
from dexagent.core.tokens import Token

MANIFEST_VERSION = 1


@dataclass(frozen=True, slots=True)
class TokenInfo:
    symbol: str
    address: str
    decimals: int

    def token(self, chain_id: int) -> Token:
        return Token(self.symbol, self.decimals, self.address, chain_id)


@dataclass(frozen=True, slots=True)
class PoolInfo:
    protocol: str  # "uniswap_v2" | "uniswap_v3"
    address: str
    token0: str
    token1: str
    fee: int  # in hundredths of a basis point (3000 = 0.3 %)


@dataclass(frozen=True, slots=True)
class Deployment:
    chain_id: int
    block: int
    deployer: str
    contracts: dict[str, str]
    tokens: dict[str, TokenInfo]
    pools: tuple[PoolInfo, ...]
    seed_price: Decimal

    def token(self, symbol: str) -> Token:
        try:
            return self.tokens[symbol].token(self.chain_id)
        except KeyError:
            raise ConfigError(
                f"token {symbol!r} not in deployment; known: {', '.join(self.tokens)}"
            ) from None

    def pool(self, protocol: str, fee: int = 3000) -> PoolInfo:
        for p in self.pools:
            if p.protocol == protocol and p.fee == fee:
                return p
        have = [(p.protocol, p.fee) for p in self.pools]
        raise ConfigError(f"no {protocol} pool with fee {fee} in deployment; have {have}")

    def to_json(self) -> dict[str, Any]:
        return {
            "version": MANIFEST_VERSION,
            "chain_id": self.chain_id,
            "block": self.block,
            "deployer": self.deployer,
            "seed_price": str(self.seed_price),
            "contracts": dict(self.contracts),
            "tokens": {
                s: {"address": t.address, "decimals": t.decimals} for s, t in self.tokens.items()
            },
            "pools": [
                {
                    "protocol": p.protocol,
                    "address": p.address,
                    "token0": p.token0,
                    "token1": p.token1,
                    "fee": p.fee,
                }
                for p in self.pools
            ],
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Deployment:
        if data.get("version") != MANIFEST_VERSION:
            raise ConfigError(
                f"deployment manifest version {data.get('version')!r}, expected "
                f"{MANIFEST_VERSION}; redeploy with `dexagent chain up`"
            )
        try:
            return cls(
                chain_id=int(data["chain_id"]),
                block=int(data["block"]),
                deployer=str(data["deployer"]),
                seed_price=Decimal(data["seed_price"]),
                contracts={str(k): str(v) for k, v in data["contracts"].items()},
                tokens={
                    str(s): TokenInfo(str(s), str(t["address"]), int(t["decimals"]))
                    for s, t in data["tokens"].items()
                },
                pools=tuple(
                    PoolInfo(
                        str(p["protocol"]),
                        str(p["address"]),
                        str(p["token0"]),
                        str(p["token1"]),
                        int(p["fee"]),
                    )
                    for p in data["pools"]
                ),
            )
        except (KeyError, TypeError, ValueError) as exc:
            raise ConfigError(f"deployment manifest is malformed: {exc!r}") from None

    def write(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(path.suffix + ".tmp")
        tmp.write_text(json.dumps(self.to_json(), indent=2) + "\n")
        tmp.replace(path)

    @classmethod
    def load(cls, path: Path) -> Deployment:
        try:
            data = json.loads(path.read_text())
        except FileNotFoundError:
            raise ConfigError(
                f"no deployment manifest at {path}; run `dexagent chain up`"
            ) from None
        except json.JSONDecodeError as exc:
            raise ConfigError(f"deployment manifest {path} is not JSON: {exc}") from None
        return cls.from_json(data)
