"""Config errors name the file, the key and what would work; flags override the file."""

from __future__ import annotations

from pathlib import Path

import pytest

from dexagent.backtests.config import load_config
from dexagent.backtests.runner import starting_balances
from dexagent.core.errors import ConfigError
from dexagent.core.tokens import Token
from dexagent.strategies.registry import build_strategy
from tests.support import PAIR


def _write(tmp_path: Path, text: str) -> Path:
    p = tmp_path / "bt.toml"
    p.write_text(text)
    return p


def test_defaults_load_without_a_file() -> None:
    cfg = load_config()
    assert cfg.strategy.name == "sma_cross" and cfg.run.fill_at == "next_open"


def test_unknown_section_key_suggests_the_closest(tmp_path: Path) -> None:
    p = _write(tmp_path, "[venue]\nfee_bsp = 30\n")
    with pytest.raises(ConfigError) as e:
        load_config(p)
    msg = str(e.value)
    assert str(p) in msg and "'fee_bsp'" in msg and "Did you mean 'fee_bps'" in msg


def test_unknown_top_level_section(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="Did you mean 'strategy'"):
        load_config(_write(tmp_path, "[stratgy]\nname = 'dca'\n"))


def test_bad_value_names_key_and_value(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"\[run.fill_at\] = 'tomorrow'"):
        load_config(_write(tmp_path, "[run]\nfill_at = 'tomorrow'\n"))


def test_invalid_toml_is_a_config_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="not valid TOML"):
        load_config(_write(tmp_path, "[run\n"))


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="not found"):
        load_config(tmp_path / "nope.toml")


def test_flags_override_the_file(tmp_path: Path) -> None:
    p = _write(tmp_path, "[strategy]\nname = 'dca'\n[run]\nfill_at = 'close'\n")
    cfg = load_config(p, {"run.fill_at": "next_open", "strategy.params.every": 5})
    assert cfg.run.fill_at == "next_open" and cfg.strategy.params == {"every": 5}
    assert cfg.strategy.name == "dca"


def test_unknown_strategy_param_suggests() -> None:
    with pytest.raises(ConfigError, match="Did you mean 'slow'"):
        build_strategy("sma_cross", PAIR, {"slwo": 50})


def test_out_of_bounds_param_shows_the_bounds() -> None:
    with pytest.raises(ConfigError, match=r"fast = 1.*minimum"):
        build_strategy("sma_cross", PAIR, {"fast": 1})


def test_param_cross_check() -> None:
    with pytest.raises(ConfigError, match="must be shorter than slow"):
        build_strategy("sma_cross", PAIR, {"fast": 60, "slow": 50})


def test_unknown_strategy_suggests() -> None:
    with pytest.raises(ConfigError, match="Did you mean 'grid'"):
        build_strategy("gird", PAIR)


def test_balance_of_an_unknown_token() -> None:
    cfg = load_config(None, {"portfolio.balances": {"USDC": "5"}})
    with pytest.raises(ConfigError, match=r"'USDC' is not a token.*USDT"):
        starting_balances(cfg, {"USDT": Token("USDT", 6)})
