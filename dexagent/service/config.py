"""The service configuration (``agent.toml``): a ``[service]`` table, one ``[[agents]]`` each.

Typed and frozen after load; unknown keys are errors with a did-you-mean (as in backtests).
Secrets never appear here: a wallet names an environment variable or a keystore file plus the
variable holding its password, and the API token is read from the variable ``token_env`` names.
"""

from __future__ import annotations

import ipaddress
import tomllib
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from dexagent.backtests.data.timeframes import parse_timeframe
from dexagent.core.errors import ConfigError
from dexagent.core.suggest import unknown_key_message

VenueKind = Literal["uniswap_v2", "uniswap_v3", "paper"]


class _Section(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class ServiceSection(_Section):
    api_host: str = "127.0.0.1"
    api_port: int = Field(8787, ge=0, le=65535)  # 0: any free port (written to state_dir/api.json)
    token_env: str = "DEXAGENT_API_TOKEN"  # the bearer token is read from this variable
    state_dir: str = ".dexagent/service"
    log_format: Literal["json", "text"] = "json"
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"
    shutdown_timeout_s: float = Field(30.0, gt=0, le=3600)


class WalletSection(_Section):
    key_env: str | None = None  # a variable holding the hex private key
    keystore: str | None = None  # an encrypted JSON keystore (web3 secret storage)
    password_env: str | None = None  # the variable holding the keystore's password

    @model_validator(mode="after")
    def _one_source(self) -> WalletSection:
        if (self.key_env is None) == (self.keystore is None):
            raise ValueError("set exactly one of key_env or keystore (+ password_env)")
        if self.keystore is not None and self.password_env is None:
            raise ValueError("a keystore needs password_env (the variable holding its password)")
        return self


class StrategySection(_Section):
    name: str = "dca"
    params: dict[str, Any] | None = None


class AgentKindSection(_Section):
    """An agent choosing strategies (``dexagent.agents``) instead of one fixed strategy."""

    kind: Literal["rule", "llm", "committee"] = "rule"
    model: str | None = None
    cassette: str | None = None
    params: dict[str, Any] | None = None


class AuditSection(_Section):
    url: str | None = None  # SQLAlchemy URL; default sqlite:///<state_dir>/<id>/audit.sqlite
    batch_size: int = Field(64, ge=1, le=100_000)
    checkpoint_every: int | None = Field(None, ge=1)
    signer_key_env: str | None = None  # default: the wallet's key signs checkpoints
    anchor_contract: str | None = None  # an AuditAnchor address: checkpoints are anchored there
    anchor_every_records: int | None = Field(1024, ge=1)
    anchor_every_seconds: float | None = Field(300.0, gt=0)
    anchor_confirmations: int = Field(3, ge=1)


class PaperSection(_Section):
    balances: dict[str, str] = Field(default_factory=lambda: {"USDC": "10000"})
    fee_bps: str = "30"
    half_spread_bps: str = "0"


class RpcSection(_Section):
    retry_initial_s: float = Field(0.5, gt=0)
    retry_max_s: float = Field(10.0, gt=0)
    timeout_s: float = Field(10.0, gt=0)
    receipt_timeout_s: float = Field(120.0, gt=0)


class ReferenceSection(_Section):
    """A ccxt reference price fetched at each bar close; public market data, no credentials."""

    exchange: str = Field(min_length=1)  # a ccxt exchange id, e.g. "binance"
    symbol: str = Field(min_length=3)  # the exchange's market, e.g. "ETH/USDT"
    api_url: str | None = None  # point ccxt's API at another host (a local server in tests)
    max_deviation_bps: float | None = Field(None, gt=0)  # skip deciding beyond this deviation
    timeout_s: float = Field(10.0, gt=0, le=120)


class AgentSection(_Section):
    id: str = Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_.-]+$")
    rpc_url: str
    deployment: str  # the manifest written by `dexagent chain up` (deployment.json)
    venue: VenueKind = "uniswap_v2"
    pair: str = "WETH/USDC"
    fee: int = 3000  # uniswap_v3 pool fee tier
    price_source: Literal["uniswap_v2", "uniswap_v3"] = "uniswap_v2"  # paper: whose pool prices
    timeframe: str = "60s"  # bars built from chain blocks; block timestamps are the clock
    poll_s: float = Field(1.0, gt=0, le=3600)
    policy: str | None = None  # a policy TOML; none: approve everything (and record that)
    wallet: WalletSection | None = None  # required unless venue = "paper"
    strategy: StrategySection = StrategySection()
    agent: AgentKindSection | None = None  # when set, an agent picks strategies
    audit: AuditSection = AuditSection()
    paper: PaperSection = PaperSection()
    rpc: RpcSection = RpcSection()
    history_bars: int = Field(5000, ge=10, le=1_000_000)  # bars kept for the strategy
    reference: ReferenceSection | None = None  # optional ccxt reference price

    @model_validator(mode="after")
    def _checks(self) -> AgentSection:
        parse_timeframe(self.timeframe)
        if self.venue != "paper" and self.wallet is None:
            raise ValueError(f"venue {self.venue!r} sends transactions: add [agents.wallet]")
        if "/" not in self.pair:
            raise ValueError(f"pair {self.pair!r}: write it BASE/QUOTE, e.g. 'WETH/USDC'")
        return self

    @property
    def timeframe_ms(self) -> int:
        return parse_timeframe(self.timeframe)

    @property
    def base_symbol(self) -> str:
        return self.pair.split("/", 1)[0]

    @property
    def quote_symbol(self) -> str:
        return self.pair.split("/", 1)[1]


class ServiceConfig(_Section):
    service: ServiceSection = ServiceSection()
    agents: tuple[AgentSection, ...] = Field(min_length=1)

    @model_validator(mode="after")
    def _unique_ids(self) -> ServiceConfig:
        ids = [a.id for a in self.agents]
        dup = sorted({i for i in ids if ids.count(i) > 1})
        if dup:
            raise ValueError(f"agent ids must be unique; repeated: {', '.join(dup)}")
        return self


_FREE_FORM = {"strategy.params", "agent.params", "paper.balances"}


def _check_keys(raw: dict[str, Any], model: type[BaseModel], where: str) -> None:
    fields = model.model_fields
    for key, value in raw.items():
        if key not in fields:
            raise ConfigError(unknown_key_message(where or "top level", key, fields))
        sub = f"{where}.{key}" if where else key
        bare = sub.removeprefix("agents.")
        if bare in _FREE_FORM or any(bare.endswith("." + f) for f in _FREE_FORM):
            continue
        ann = fields[key].annotation
        target = _section_type(ann)
        if target is None:
            continue
        if isinstance(value, dict):
            _check_keys(value, target, sub)
        elif isinstance(value, list):
            for item in value:
                if isinstance(item, dict):
                    _check_keys(item, target, sub)


def _section_type(ann: Any) -> type[BaseModel] | None:
    if isinstance(ann, type) and issubclass(ann, BaseModel):
        return ann
    for arg in getattr(ann, "__args__", ()):
        if isinstance(arg, type) and issubclass(arg, BaseModel):
            return arg
    return None


def parse_service_config(raw: dict[str, Any], where: str = "<dict>") -> ServiceConfig:
    try:
        _check_keys(raw, ServiceConfig, "")
    except ConfigError as exc:
        raise ConfigError(f"{where}: {exc}") from None
    try:
        return ServiceConfig.model_validate(raw)
    except ValidationError as exc:
        err = exc.errors()[0]
        loc = ".".join(str(x) for x in err["loc"])
        raise ConfigError(f"{where}: [{loc}]: {err['msg']}") from None


def load_service_config(path: str | Path) -> ServiceConfig:
    p = Path(path)
    if not p.is_file():
        raise ConfigError(f"config file {p} not found")
    try:
        raw = tomllib.loads(p.read_text())
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{p}: not valid TOML: {exc}") from None
    return parse_service_config(raw, str(p))


def is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False
