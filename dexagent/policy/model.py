"""The policy file as a frozen, typed model. Absent sections and keys switch their rule off.

Money limits are ``Decimal`` in human units of the order's quote token (``max_notional = 1000``
on WETH/USDT means 1,000 USDT); positions are in human units of the token named; fractions are
``Decimal`` (0.2 = 20%). An empty allowlist allows nothing; an absent one allows everything.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

SCHEMA_VERSION = 1
Weekday = Literal["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
WEEKDAYS: tuple[Weekday, ...] = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


class _Section(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class AllowSection(_Section):
    tokens: tuple[str, ...] | None = None  # symbols or addresses (addresses: any case)
    pools: tuple[str, ...] | None = None  # pool ids: address, or "<venue>:<BASE>/<QUOTE>"
    venues: tuple[str, ...] | None = None
    chains: tuple[int, ...] | None = None
    no_chain: bool = False  # venues without a chain id (simulator, CEX) pass the chain rule


class ParamBound(_Section):
    min: Decimal | None = None
    max: Decimal | None = None
    values: tuple[str, ...] | None = None  # allowed values for a non-numeric parameter

    @model_validator(mode="after")
    def _consistent(self) -> ParamBound:
        if self.min is None and self.max is None and self.values is None:
            raise ValueError("a parameter bound needs min, max or values")
        if self.values is not None and (self.min is not None or self.max is not None):
            raise ValueError("use either values or min/max, not both")
        if self.min is not None and self.max is not None and self.min > self.max:
            raise ValueError(f"min {self.min} is above max {self.max}")
        return self


class LimitsSection(_Section):
    max_notional: Decimal | None = Field(None, gt=0)  # per trade, quote units
    max_daily_notional: Decimal | None = Field(None, gt=0)  # per UTC day, reserved on approval
    max_position: dict[str, Decimal] | None = None  # symbol (or "*") -> human units, >= 0
    max_gross_exposure: Decimal | None = Field(None, gt=0, le=100)  # base value / equity

    @model_validator(mode="after")
    def _positions_non_negative(self) -> LimitsSection:
        for sym, v in (self.max_position or {}).items():
            if v < 0:
                raise ValueError(f"max_position.{sym} = {v}: must be >= 0")
        return self


class MarketSection(_Section):
    max_slippage_bps: Decimal | None = Field(None, ge=0, le=10_000)  # quote vs reference price
    max_price_impact_bps: Decimal | None = Field(None, ge=0, le=10_000)  # quote vs pool mid


class GasSection(_Section):
    max_gas_price_gwei: Decimal | None = Field(None, gt=0)
    max_gas_fraction: Decimal | None = Field(None, gt=0, le=1)  # gas cost / notional
    native_decimals: int = Field(18, ge=0, le=36)


class PacingSection(_Section):
    max_per_minute: int | None = Field(None, ge=0)
    max_per_hour: int | None = Field(None, ge=0)
    max_per_day: int | None = Field(None, ge=0)
    cooldown_after_loss_s: int | None = Field(None, gt=0)


class RiskSection(_Section):
    daily_loss_reduce: Decimal | None = Field(None, gt=0, lt=1)  # fraction of day-start equity
    daily_loss_halt: Decimal | None = Field(None, gt=0, lt=1)
    drawdown_reduce: Decimal | None = Field(None, gt=0, lt=1)  # fraction of peak equity
    drawdown_halt: Decimal | None = Field(None, gt=0, lt=1)
    halt_allows_reducing: bool = True  # a halted agent may still get flat

    @model_validator(mode="after")
    def _reduce_before_halt(self) -> RiskSection:
        for kind in ("daily_loss", "drawdown"):
            r, h = getattr(self, f"{kind}_reduce"), getattr(self, f"{kind}_halt")
            if r is not None and h is not None and r >= h:
                raise ValueError(f"{kind}_reduce ({r}) must be below {kind}_halt ({h})")
        return self

    @property
    def configured(self) -> bool:
        return any(
            v is not None
            for v in (
                self.daily_loss_reduce,
                self.daily_loss_halt,
                self.drawdown_reduce,
                self.drawdown_halt,
            )
        )


class WindowsSection(_Section):
    start_hour_utc: int = Field(0, ge=0, le=23)
    end_hour_utc: int = Field(24, ge=1, le=24)  # exclusive; below start means across midnight
    weekdays: tuple[Weekday, ...] = WEEKDAYS


class ApprovalSection(_Section):
    above: Decimal = Field(gt=0)  # notional (quote units) above which a human must approve
    ttl_s: int = Field(3600, gt=0, le=30 * 86_400)


class Policy(_Section):
    """A whole policy file. ``strategies`` maps allowed names to bounds on their parameters."""

    schema_version: Literal[1]
    name: str = Field("", max_length=200)
    description: str = Field("", max_length=2000)
    allow: AllowSection = AllowSection()
    strategies: dict[str, dict[str, ParamBound]] | None = None
    limits: LimitsSection = LimitsSection()
    market: MarketSection = MarketSection()
    gas: GasSection = GasSection()
    pacing: PacingSection = PacingSection()
    risk: RiskSection = RiskSection()
    windows: WindowsSection | None = None
    approval: ApprovalSection | None = None
