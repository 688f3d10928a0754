"""Read a policy TOML file into a ``Policy``: unknown keys and bad values name the key.

TOML floats are read as ``Decimal`` (never ``float``), so ``max_gross_exposure = 0.1`` is exact.
"""

from __future__ import annotations

import tomllib
from decimal import Decimal
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError

from dexagent.core.errors import ConfigError
from dexagent.core.suggest import unknown_key_message
from dexagent.policy.model import SCHEMA_VERSION, ParamBound, Policy

# Tables whose keys are names chosen by the author (strategies, token symbols).
_FREE_KEYS = {"strategies", "limits.max_position"}


def load_policy(path: str | Path) -> Policy:
    p = Path(path)
    if not p.is_file():
        raise ConfigError(f"policy file {p} not found")
    return parse_policy(p.read_text(encoding="utf-8"), where=str(p))


def parse_policy(text: str, *, where: str = "<policy>") -> Policy:
    try:
        raw = tomllib.loads(text, parse_float=Decimal)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{where}: not valid TOML: {exc}") from None
    return policy_from_dict(raw, where=where)


def policy_from_dict(raw: dict[str, Any], *, where: str = "<policy>") -> Policy:
    if "schema_version" not in raw:
        raise ConfigError(
            f"{where}: missing key 'schema_version'; allowed: schema_version = {SCHEMA_VERSION}"
        )
    try:
        _check_keys(raw, Policy, "")
    except ConfigError as exc:
        raise ConfigError(f"{where}: {exc}") from None
    try:
        return Policy.model_validate(raw)
    except ValidationError as exc:
        err = exc.errors()[0]
        loc = ".".join(str(x) for x in err["loc"] if not str(x).startswith("function-"))
        msg = str(err["msg"]).removeprefix("Value error, ")
        raise ConfigError(
            f"{where}: [{loc}] = {_show(err.get('input'))}: {msg}{_allowed(loc)}"
        ) from None


def _check_keys(raw: dict[str, Any], model: type[BaseModel], where: str) -> None:
    fields = model.model_fields
    for key, value in raw.items():
        path = f"{where}.{key}" if where else key
        if key not in fields:
            raise ConfigError(unknown_key_message(where or "top level", key, fields))
        if not isinstance(value, dict):
            continue
        if path == "strategies":
            for strat, params in value.items():
                if not isinstance(params, dict):
                    raise ConfigError(
                        f"[strategies.{strat}] = {_show(params)}: must be a table of "
                        "parameter bounds, e.g. fast = {{ min = 5, max = 50 }}"
                    )
                for pname, bound in params.items():
                    if isinstance(bound, dict):
                        _check_keys(bound, ParamBound, f"strategies.{strat}.{pname}")
            continue
        if path in _FREE_KEYS:
            continue
        ann = fields[key].annotation
        sub = _section_type(ann)
        if sub is not None:
            _check_keys(value, sub, path)


def _section_type(ann: Any) -> type[BaseModel] | None:
    if isinstance(ann, type) and issubclass(ann, BaseModel):
        return ann
    for arg in getattr(ann, "__args__", ()):  # Optional[Section]
        if isinstance(arg, type) and issubclass(arg, BaseModel):
            return arg
    return None


_ALLOWED = {
    "schema_version": f"{SCHEMA_VERSION}",
    "max_notional": "a number > 0, in quote units",
    "max_daily_notional": "a number > 0, in quote units",
    "max_gross_exposure": "a fraction of equity in (0, 100]",
    "max_slippage_bps": "basis points in [0, 10000]",
    "max_price_impact_bps": "basis points in [0, 10000]",
    "max_gas_fraction": "a fraction of notional in (0, 1]",
    "weekdays": "mon, tue, wed, thu, fri, sat, sun",
    "start_hour_utc": "an hour 0..23",
    "end_hour_utc": "an hour 1..24 (exclusive)",
    "ttl_s": "seconds, 1..2592000",
}


def _allowed(loc: str) -> str:
    leaf = loc.split(".")[-1]
    if leaf.isdigit() and "." in loc:
        leaf = loc.split(".")[-2]
    hint = _ALLOWED.get(leaf)
    return f" (allowed: {hint})" if hint else ""


def _show(value: Any) -> str:
    return repr(str(value)) if isinstance(value, Decimal) else repr(value)
