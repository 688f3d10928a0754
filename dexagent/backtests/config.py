"""The backtest configuration: one TOML file per backtest, typed and frozen after load.

Unknown keys are errors with a did-you-mean; CLI flags override file values.
"""

from __future__ import annotations

import tomllib
from decimal import Decimal
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from dexagent.core.errors import ConfigError
from dexagent.core.suggest import unknown_key_message
from dexagent.core.tokens import Token


class _Section(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class TokenConfig(_Section):
    symbol: str = Field(min_length=1, max_length=32)
    decimals: int = Field(ge=0, le=36)

    def token(self) -> Token:
        return Token(self.symbol, self.decimals)


class DataConfig(_Section):
    path: str = "bundled:ETH/USDT"  # a CSV/CSV.gz/Parquet file, or bundled:<SYMBOL>
    timeframe: str | None = "1h"  # resample to this; "" or none keeps the file's own
    start: str | None = None  # ISO date/time, UTC, inclusive
    end: str | None = None  # ISO date/time, UTC, exclusive


class MarketConfig(_Section):
    base: TokenConfig = TokenConfig(symbol="WETH", decimals=18)
    quote: TokenConfig = TokenConfig(symbol="USDT", decimals=6)


class StrategyConfig(_Section):
    name: str = "sma_cross"
    params: dict[str, Any] | None = None  # None: the main job's defaults below, else the class's

    def effective_params(self) -> dict[str, Any]:
        if self.params is not None:
            return self.params
        return dict(MAIN_JOB_PARAMS.get(self.name, {}))


#: The main job trades a one-day / four-day crossover on hourly bars unless told otherwise.
MAIN_JOB_PARAMS: dict[str, dict[str, Any]] = {"sma_cross": {"fast": 24, "slow": 96}}


class V3PositionConfig(_Section):
    """One liquidity position of the simulated Uniswap V3 pool (``kind = "uniswap_v3"``).

    ``range_pct``: liquidity on [p*(1-range_pct/100), p*(1+range_pct/100)] around the first
    bar's close ``p``, ticks rounded outward to the fee tier's spacing; ``"full"`` or >= 100:
    the full tick range. ``depth_quote``: the position's value in quote at ``p`` (human units);
    its liquidity is the largest integer L whose amounts at ``p`` are worth at most that.
    """

    range_pct: Annotated[Decimal, Field(gt=0)] | Literal["full"]
    depth_quote: Decimal = Field(gt=0)

    @field_validator("range_pct", mode="before")
    @classmethod
    def _range(cls, v: Any) -> Any:
        if isinstance(v, str) and v != "full":
            try:
                Decimal(v)
            except ArithmeticError:
                raise ValueError('use a percentage > 0 or "full"') from None
        return v

    @model_validator(mode="before")
    @classmethod
    def _known_keys(cls, data: Any) -> Any:
        if isinstance(data, dict):
            for key in data:
                if key not in cls.model_fields:
                    raise ValueError(
                        unknown_key_message("venue.v3_positions", str(key), cls.model_fields)
                    )
        return data


#: Liquidity providers of the simulated V3 pool when ``venue.v3_positions`` is not given: a
#: full-range base plus a position concentrated within 10% of the starting price.
DEFAULT_V3_POSITIONS: tuple[V3PositionConfig, ...] = (
    V3PositionConfig(range_pct="full", depth_quote=Decimal(20_000_000)),
    V3PositionConfig(range_pct=Decimal(10), depth_quote=Decimal(10_000_000)),
)


class VenueConfig(_Section):
    kind: Literal["uniswap_v2", "uniswap_v3", "taker"] = "uniswap_v2"
    fee_bps: Decimal = Field(Decimal(30), ge=0, le=1000)  # uniswap_v2 and taker
    depth_quote: Decimal = Field(Decimal(15_000_000), gt=0)  # v2 quote-side reserve, human units
    half_spread_bps: Decimal = Field(Decimal(0), ge=0, le=1000)  # taker venue only
    # uniswap_v3 only: the fee tier in hundredths of a bip (tick spacing 1/10/60/200), and the
    # pool's liquidity positions (see V3PositionConfig)
    v3_fee: Literal[100, 500, 3000, 10000] = 3000
    v3_positions: tuple[V3PositionConfig, ...] = Field(DEFAULT_V3_POSITIONS, min_length=1)


class GasConfig(_Section):
    enabled: bool = True
    units: int = Field(120_000, ge=0, le=30_000_000)  # gas per swap
    price_gwei: Decimal = Field(Decimal(25), ge=0)
    series: str | None = None  # CSV timestamp_ms,gas_price_gwei (point-in-time per bar)
    native: TokenConfig = TokenConfig(symbol="ETH", decimals=18)
    native_price: str = "pair"  # "pair": priced like the pair's base; or a constant in quote


class PortfolioConfig(_Section):
    balances: dict[str, Decimal] = Field(
        default_factory=lambda: {"USDT": Decimal(10_000), "ETH": Decimal("0.5")}
    )


class PolicyConfig(_Section):
    file: str | None = None  # a policy TOML (see examples/policies/); None: no limits
    store: str | None = None  # SQLite file for pending approvals and the trading state


class AgentConfig(_Section):
    kind: Literal["rule", "llm", "committee"] | None = None  # None: run [strategy] directly
    model: str | None = None  # "provider:model" for llm/committee, e.g. "openai:gpt-4o-mini"
    reviewer: str | None = None  # the committee's risk reviewer (default: the same model)
    cassette: str | None = None  # JSONL of recorded model calls
    cassette_mode: Literal["record", "replay"] = "replay"
    on_missing: Literal["error", "hold"] = "error"  # a call missing from the cassette
    timeout_s: float = Field(60.0, gt=0)
    params: dict[str, Any] = Field(default_factory=dict)  # cadence: every_n_bars, window, ...


class AuditConfig(_Section):
    db: str | None = None  # SQLAlchemy URL, e.g. sqlite:///runs/latest/audit.sqlite; None: memory
    key_env: str = "DEXAGENT_AUDIT_KEY"  # env var holding the signer key; unset: a fresh key
    checkpoint_every: int = Field(1000, ge=1)  # records between signed checkpoints


class RunConfig(_Section):
    fill_at: Literal["next_open", "close"] = "next_open"
    agent_id: str = "backtest"
    out_dir: str = "runs/latest"


class BacktestConfig(_Section):
    data: DataConfig = DataConfig()
    market: MarketConfig = MarketConfig()
    strategy: StrategyConfig = StrategyConfig()
    venue: VenueConfig = VenueConfig()
    gas: GasConfig = GasConfig()
    portfolio: PortfolioConfig = PortfolioConfig()
    policy: PolicyConfig = PolicyConfig()
    agent: AgentConfig = AgentConfig()
    audit: AuditConfig = AuditConfig()
    run: RunConfig = RunConfig()


_FREE_FORM = {"strategy.params", "portfolio.balances", "agent.params"}


def check_keys(raw: dict[str, Any], model: type[BaseModel], where: str = "") -> None:
    """Reject unknown keys anywhere in ``raw``, naming the section and the closest known key."""
    fields = model.model_fields
    for key, value in raw.items():
        path = f"{where}.{key}" if where else key
        if key not in fields:
            raise ConfigError(unknown_key_message(where or "top level", key, fields))
        ann = fields[key].annotation
        is_section = isinstance(ann, type) and issubclass(ann, BaseModel)
        if isinstance(value, dict) and path not in _FREE_FORM and is_section:
            assert isinstance(ann, type)
            check_keys(value, ann, path)


def set_dotted(raw: dict[str, Any], dotted: str, value: Any) -> None:
    """Apply a CLI override ``section.key=value`` to the raw TOML dict."""
    parts = dotted.split(".")
    node = raw
    for p in parts[:-1]:
        node = node.setdefault(p, {})
        if not isinstance(node, dict):
            raise ConfigError(f"cannot set {dotted!r}: {p!r} is not a section")
    node[parts[-1]] = value


def load_config(
    path: str | Path | None = None, overrides: dict[str, Any] | None = None
) -> BacktestConfig:
    """Read ``path`` (or the defaults), apply ``overrides`` (dotted keys), validate."""
    where = str(path) if path is not None else "<defaults>"
    raw: dict[str, Any] = {}
    if path is not None:
        p = Path(path)
        if not p.is_file():
            raise ConfigError(f"config file {where} not found")
        try:
            raw = tomllib.loads(p.read_text())
        except tomllib.TOMLDecodeError as exc:
            raise ConfigError(f"{where}: not valid TOML: {exc}") from None
    for key, value in (overrides or {}).items():
        set_dotted(raw, key, value)
    try:
        check_keys(raw, BacktestConfig)
    except ConfigError as exc:
        raise ConfigError(f"{where}: {exc}") from None
    try:
        return BacktestConfig.model_validate(raw)
    except ValidationError as exc:
        err = exc.errors()[0]
        loc = ".".join(str(x) for x in err["loc"])
        raise ConfigError(f"{where}: [{loc}] = {err.get('input')!r}: {err['msg']}") from None
