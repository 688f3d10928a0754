"""``dexagent data fetch`` and ``dexagent data info`` through the real CLI entry point."""

from __future__ import annotations

from pathlib import Path

import pytest

from dexagent.backtests.data import bundled_dataset, load_bars
from dexagent.cli import main
from tests.backtests.data.binance_replay import ReplayServer


def test_cli_fetch_downloads_into_the_cache_and_prints_a_report(
    binance: ReplayServer, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    argv = [
        "data",
        "fetch",
        "--exchange",
        "binance",
        "--symbol",
        "ETH/USDT",
        "--timeframe",
        "5m",
        "--since",
        "2023-03-24",
        "--until",
        "2023-03-24T15:00",
        "--cache-dir",
        str(tmp_path),
        "--page-limit",
        "60",
        "--api-url",
        binance.url,
    ]
    assert main(argv) == 0
    out = capsys.readouterr().out
    path = tmp_path / "binance" / "ETH-USDT_5m.parquet"
    assert len(load_bars(path)) == 180 - 16
    assert f"file:       {path}" in out and "rows:       164" in out
    assert "range:      2023-03-24 00:00 UTC -> 2023-03-24 14:55 UTC" in out
    assert "gaps:       1 (16 missing bars)" in out and "validation: ok" in out
    assert len(binance.replay.klines_requests()) == 3


def test_cli_fetch_reports_a_bad_symbol_with_exit_code_2(
    binance: ReplayServer, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    argv = [
        "data",
        "fetch",
        "--exchange",
        "binance",
        "--symbol",
        "PEPE/USDT",
        "--timeframe",
        "1h",
        "--since",
        "2023-01-01",
        "--cache-dir",
        str(tmp_path),
        "--api-url",
        binance.url,
    ]
    assert main(argv) == 2
    assert "error: binance has no market 'PEPE/USDT'" in capsys.readouterr().err


def test_cli_api_url_can_come_from_the_environment(
    binance: ReplayServer, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DEXAGENT_EXCHANGE_API_URL", binance.url)
    argv = [
        "data",
        "fetch",
        "--exchange",
        "binance",
        "--symbol",
        "ETH/USDT",
        "--timeframe",
        "5m",
        "--since",
        "1672531200000",
        "--until",
        "1672534800000",
        "--cache-dir",
        str(tmp_path),
    ]
    assert main(argv) == 0
    assert len(binance.replay.klines_requests()) == 1


def test_cli_info_describes_the_bundled_file(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["data", "info", str(bundled_dataset("BTC/USDT"))]) == 0
    out = capsys.readouterr().out
    assert "rows:       104816" in out and "timeframe:  5m" in out
    assert "2023-03-24 12:40 UTC -> 2023-03-24 13:55 UTC" in out and "validation: ok" in out


def test_cli_info_lists_failed_checks_with_exit_code_1(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = tmp_path / "bad.csv"
    bad.write_text("timestamp_ms,open,high,low,close,volume\n0,1,2,0.5,1,1\n60000,1,0.9,0.5,1,1\n")
    assert main(["data", "info", str(bad)]) == 1
    out = capsys.readouterr().out
    assert "validation: 1 failed check(s)" in out
    assert "data row 2 (timestamp 60000" in out and "high is below max(open, close)" in out
