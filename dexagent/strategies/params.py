"""Strategy parameters: typed, frozen, bounded. An agent may only choose within the bounds."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, ValidationError

from dexagent.core.errors import ConfigError

_BOUND_KEYS = ("type", "default", "minimum", "maximum", "exclusiveMinimum", "description")


class StrategyParams(BaseModel):
    """Base for every strategy's parameters. Declare bounds with ``Field(ge=..., le=...)``."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    @classmethod
    def bounds(cls) -> dict[str, dict[str, Any]]:
        """Per field: type, default, and inclusive bounds — what an agent is allowed to pick."""
        schema = cls.model_json_schema()
        out: dict[str, dict[str, Any]] = {}
        for name, prop in schema.get("properties", {}).items():
            out[name] = {
                k: prop[k]
                for k in (
                    "type",
                    "default",
                    "minimum",
                    "maximum",
                    "exclusiveMinimum",
                    "description",
                )
                if k in prop
            }
        return out

    @classmethod
    def parse(cls, values: dict[str, Any], *, where: str = "strategy.params") -> StrategyParams:
        """Validate ``values``; an unknown or out-of-bounds key is a ConfigError naming it."""
        from dexagent.core.suggest import unknown_key_message

        known = set(cls.model_fields)
        for key in values:
            if key not in known:
                raise ConfigError(unknown_key_message(where, key, known))
        try:
            return cls.model_validate(values)
        except ValidationError as exc:
            err = exc.errors()[0]
            loc = ".".join(str(p) for p in err["loc"])
            raise ConfigError(
                f"{where}.{loc} = {err.get('input')!r}: {err['msg']} "
                f"(allowed: {cls.bounds().get(loc, {})})"
            ) from None
