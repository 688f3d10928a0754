"""agent.toml validation, wallet keys from env and keystore, and secrets that never show."""

from __future__ import annotations

import json
import logging
from pathlib import Path

import pytest
from eth_account import Account

from dexagent.core.errors import ConfigError
from dexagent.service.api import check_bind
from dexagent.service.config import WalletSection, parse_service_config
from dexagent.service.jsonlog import JsonFormatter
from dexagent.service.secrets import Secret, load_api_token, load_wallet_key

KEY = "0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d"
AGENT = {"id": "a", "rpc_url": "http://127.0.0.1:1", "deployment": "d.json"}


def test_unknown_key_names_the_section_and_the_closest_key() -> None:
    raw = {"agents": [{**AGENT, "wallet": {"key_env": "K"}, "timefrane": "1m"}]}
    with pytest.raises(ConfigError, match=r"'timefrane'.*Did you mean 'timeframe'"):
        parse_service_config(raw)
    with pytest.raises(ConfigError, match=r"Did you mean 'api_port'"):
        parse_service_config({"service": {"api_prt": 1}, "agents": [AGENT]})


def test_on_chain_agent_needs_a_wallet_and_ids_are_unique() -> None:
    with pytest.raises(ConfigError, match="wallet"):
        parse_service_config({"agents": [AGENT]})
    paper = {**AGENT, "venue": "paper"}
    assert parse_service_config({"agents": [paper]}).agents[0].venue == "paper"
    with pytest.raises(ConfigError, match="unique"):
        parse_service_config({"agents": [paper, paper]})
    with pytest.raises(ConfigError, match="timeframe"):
        parse_service_config({"agents": [{**paper, "timeframe": "1 minute"}]})


def test_wallet_key_from_env_and_from_an_encrypted_keystore(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("AGENT_KEY", KEY)
    assert load_wallet_key(WalletSection(key_env="AGENT_KEY"), agent_id="a").reveal() == KEY
    ks = tmp_path / "ks.json"
    ks.write_text(json.dumps(Account.encrypt(KEY, "hunter2", iterations=2)))
    monkeypatch.setenv("KS_PASS", "hunter2")
    w = WalletSection(keystore=str(ks), password_env="KS_PASS")
    assert load_wallet_key(w, agent_id="a").reveal() == KEY
    monkeypatch.setenv("KS_PASS", "pw-Zq81x")
    with pytest.raises(ConfigError, match="could not be decrypted") as err:
        load_wallet_key(w, agent_id="a")
    assert "pw-Zq81x" not in str(err.value) and KEY[2:] not in str(err.value)


def test_secrets_are_redacted_in_repr_format_and_logs(caplog: pytest.LogCaptureFixture) -> None:
    s = Secret(KEY)
    for shown in (repr(s), str(s), f"{s}", f"{s!r}", repr([s])):
        assert KEY[2:] not in shown
    record = logging.makeLogRecord({"msg": "using %s", "args": (s,), "secret": s})
    assert KEY[2:] not in JsonFormatter().format(record)
    with pytest.raises(TypeError):
        import pickle

        pickle.dumps(s)


def test_bad_key_error_does_not_echo_the_value(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AGENT_KEY", "0xnothex" + "0" * 58)
    with pytest.raises(ConfigError) as err:
        load_wallet_key(WalletSection(key_env="AGENT_KEY"), agent_id="a")
    assert "nothex" not in str(err.value)


def test_api_refuses_to_bind_beyond_loopback_without_a_token(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    for host in ("0.0.0.0", "::", "192.168.1.5"):
        with pytest.raises(ConfigError, match="without a token"):
            check_bind(host, None)
    check_bind("127.0.0.1", None)
    check_bind("::1", None)
    monkeypatch.setenv("TOK", "abc")
    check_bind("0.0.0.0", load_api_token("TOK"))
    monkeypatch.delenv("TOK")
    assert load_api_token("TOK") is None
