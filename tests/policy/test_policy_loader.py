from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from dexagent.core.errors import ConfigError
from dexagent.policy import load_policy, parse_policy, policy_hash
from dexagent.policy.model import Policy

EXAMPLES = Path(__file__).resolve().parents[2] / "examples" / "policies"


@pytest.mark.parametrize("name", ["cautious", "aggressive"])
def test_example_policies_load_into_frozen_model(name: str) -> None:
    p = load_policy(EXAMPLES / f"{name}.toml")
    assert isinstance(p, Policy) and p.name == name
    with pytest.raises(Exception):  # noqa: B017 - pydantic raises ValidationError on frozen
        p.limits.__setattr__("max_notional", Decimal(1))


def test_toml_floats_are_read_as_exact_decimals() -> None:
    p = parse_policy("schema_version = 1\n[limits]\nmax_gross_exposure = 0.1\n")
    assert p.limits.max_gross_exposure == Decimal("0.1")
    assert isinstance(p.limits.max_gross_exposure, Decimal)


def test_unknown_key_names_key_and_suggests_the_close_one() -> None:
    with pytest.raises(ConfigError) as e:
        parse_policy("schema_version = 1\n[limits]\nmax_notinal = 5\n", where="p.toml")
    msg = str(e.value)
    assert "p.toml" in msg and "'max_notinal'" in msg and "Did you mean 'max_notional'" in msg


def test_unknown_section_is_an_error() -> None:
    with pytest.raises(ConfigError, match="Did you mean 'limits'"):
        parse_policy("schema_version = 1\n[limit]\nmax_notional = 5\n")


def test_unknown_key_inside_a_parameter_bound_is_an_error() -> None:
    with pytest.raises(ConfigError, match="Did you mean 'max'"):
        parse_policy("schema_version = 1\n[strategies.sma_cross]\nfast = { mx = 5 }\n")


def test_bad_value_names_key_value_and_what_is_allowed() -> None:
    with pytest.raises(ConfigError) as e:
        parse_policy("schema_version = 1\n[limits]\nmax_notional = -5\n")
    msg = str(e.value)
    assert "[limits.max_notional]" in msg and "= -5:" in msg and "allowed: a number > 0" in msg


def test_bad_weekday_lists_the_allowed_days() -> None:
    with pytest.raises(ConfigError) as e:
        parse_policy('schema_version = 1\n[windows]\nweekdays = ["mon", "funday"]\n')
    assert "'funday'" in str(e.value) and "mon, tue" in str(e.value)


def test_missing_or_wrong_schema_version_is_an_error() -> None:
    with pytest.raises(ConfigError, match="missing key 'schema_version'"):
        parse_policy("[limits]\nmax_notional = 5\n")
    with pytest.raises(ConfigError, match=r"\[schema_version\] = 2.*allowed: 1"):
        parse_policy("schema_version = 2\n")


def test_reduce_limit_must_be_below_halt_limit() -> None:
    with pytest.raises(ConfigError, match=r"drawdown_reduce .* must be below drawdown_halt"):
        parse_policy("schema_version = 1\n[risk]\ndrawdown_reduce = 0.3\ndrawdown_halt = 0.2\n")


def test_invalid_toml_is_a_config_error() -> None:
    with pytest.raises(ConfigError, match="not valid TOML"):
        parse_policy("schema_version = = 1")


def test_missing_file_is_a_config_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="not found"):
        load_policy(tmp_path / "nope.toml")


def test_hash_ignores_formatting_but_not_meaning() -> None:
    a = parse_policy(
        "schema_version = 1\n[limits]\nmax_notional = 1000\nmax_gross_exposure = 0.10\n"
    )
    b = parse_policy(
        '# comment\nschema_version = 1\n[limits]\nmax_gross_exposure = 0.1\nmax_notional = "1E+3"\n'
    )
    c = parse_policy(
        "schema_version = 1\n[limits]\nmax_notional = 1001\nmax_gross_exposure = 0.1\n"
    )
    assert policy_hash(a) == policy_hash(b)
    assert policy_hash(a) != policy_hash(c)
    assert policy_hash(a).startswith("sha256:") and len(policy_hash(a)) == 7 + 64
