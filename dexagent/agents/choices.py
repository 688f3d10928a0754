"""What an agent may choose: allowed strategies and the bounds on each of their parameters.

The bounds are the strategy's own (``StrategyParams.bounds()``), tightened by the policy's
``[strategies]`` section when one is given. Only strategies defined by a target-exposure series
(``SignalStrategy``) can be switched mid-run, so only those are offered.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from decimal import Decimal
from typing import Any

from dexagent.agents.decision import ParamValue
from dexagent.agents.observation import Bounds, freeze_bounds
from dexagent.core.errors import ConfigError
from dexagent.strategies.base import SignalStrategy
from dexagent.strategies.params import StrategyParams
from dexagent.strategies.registry import BUILTINS, strategy_class

SWITCHABLE: tuple[str, ...] = tuple(
    sorted(n for n, c in BUILTINS.items() if issubclass(c, SignalStrategy))
)


class OutOfSchema(ValueError):
    """A choice outside the allowlist or its bounds."""


class ChoiceSpace:
    def __init__(self, bounds: Mapping[str, Mapping[str, Mapping[str, ParamValue]]]) -> None:
        self.bounds: Bounds = freeze_bounds(bounds)
        self.names: tuple[str, ...] = tuple(sorted(bounds))

    @classmethod
    def builtin(cls, names: Iterable[str] | None = None) -> ChoiceSpace:
        chosen = SWITCHABLE if names is None else tuple(names)
        for n in chosen:
            if n not in SWITCHABLE:
                raise ConfigError(
                    f"strategy {n!r} cannot be chosen by an agent; use one of {list(SWITCHABLE)}"
                )
        return cls({n: _own_bounds(n) for n in chosen})

    @classmethod
    def from_policy(cls, strategies: Mapping[str, Mapping[str, Any]] | None) -> ChoiceSpace:
        """From a policy's ``strategies`` (name -> param -> bound with min/max/values).

        ``None`` (no allowlist in the policy) offers every switchable built-in; names the agent
        cannot switch to are left out.
        """
        if strategies is None:
            return cls.builtin()
        out: dict[str, dict[str, dict[str, ParamValue]]] = {}
        for name, pbounds in strategies.items():
            if name not in SWITCHABLE:
                continue
            own = _own_bounds(name)
            for pname, bound in pbounds.items():
                if pname not in own:
                    raise ConfigError(
                        f"policy bounds strategy {name!r} parameter {pname!r}, which it lacks; "
                        f"its parameters: {sorted(own)}"
                    )
                own[pname] = _tighten(own[pname], bound)
            out[name] = own
        return cls(out)

    def validate(self, strategy: str, params: Mapping[str, object]) -> StrategyParams:
        """The parsed parameters, or ``OutOfSchema`` saying what is wrong."""
        bounds = self.bounds.get(strategy)
        if bounds is None:
            raise OutOfSchema(f"strategy {strategy!r} is not on the allowlist {list(self.names)}")
        if not isinstance(params, Mapping) or not all(isinstance(k, str) for k in params):
            raise OutOfSchema(f"params must be an object of named values, got {params!r}")
        try:
            parsed = strategy_class(strategy).Params.parse(
                dict(params), where=f"params ({strategy})"
            )
        except ConfigError as exc:
            raise OutOfSchema(str(exc)) from None
        for pname, b in bounds.items():
            _check(strategy, pname, getattr(parsed, pname), b)
        return parsed


def _own_bounds(name: str) -> dict[str, dict[str, ParamValue]]:
    raw = strategy_class(name).Params.bounds()
    return {
        p: {k: v for k, v in b.items() if isinstance(v, int | float | str | bool)}
        for p, b in raw.items()
    }


def _num(d: Decimal) -> ParamValue:
    return int(d) if d == d.to_integral_value() else float(d)


def _get(bound: Any, key: str) -> Any:
    return bound.get(key) if isinstance(bound, Mapping) else getattr(bound, key, None)


def _tighten(own: dict[str, ParamValue], bound: Any) -> dict[str, ParamValue]:
    out = dict(own)
    lo, hi, values = _get(bound, "min"), _get(bound, "max"), _get(bound, "values")
    if lo is not None:
        d = Decimal(str(lo))
        cur = out.get("minimum")
        if cur is None or isinstance(cur, str | bool) or d > Decimal(str(cur)):
            out["minimum"] = _num(d)
    if hi is not None:
        d = Decimal(str(hi))
        cur = out.get("maximum")
        if cur is None or isinstance(cur, str | bool) or d < Decimal(str(cur)):
            out["maximum"] = _num(d)
    if values is not None:
        out["values"] = ",".join(str(v) for v in values)
    return out


def _check(strategy: str, pname: str, value: object, b: Mapping[str, ParamValue]) -> None:
    where = f"{strategy}.{pname} = {value!r}"
    values = b.get("values")
    if isinstance(values, str) and str(value) not in values.split(","):
        raise OutOfSchema(f"{where} not in allowed values [{values}]")
    if not isinstance(value, int | float | Decimal) or isinstance(value, bool):
        return
    v = Decimal(repr(value)) if isinstance(value, float) else Decimal(value)
    lo, hi = b.get("minimum"), b.get("maximum")
    if isinstance(lo, int | float) and v < Decimal(repr(lo)):
        raise OutOfSchema(f"{where} below the allowed minimum {lo}")
    if isinstance(hi, int | float) and v > Decimal(repr(hi)):
        raise OutOfSchema(f"{where} above the allowed maximum {hi}")
