"""The main job end to end on a short window: live decisions equal the backtest's, bar by bar."""

from __future__ import annotations

import json
from pathlib import Path

from dexagent.service.demo import DemoOptions, run_demo


def test_live_agent_on_replayed_pool_matches_the_backtest_and_verifies(tmp_path: Path) -> None:
    lines: list[str] = []
    code = run_demo(
        DemoOptions(out=tmp_path, bars=72, start="2023-10-01", bar_seconds=0.0), lines.append
    )
    assert code == 0, "\n".join(lines)
    parity = json.loads((tmp_path / "parity.json").read_text())
    assert parity["backtest_decisions"] > 0
    assert parity["same_decisions"] == parity["backtest_decisions"] == parity["live_decisions"]
    assert parity["compared_fills"] == parity["same_decisions"]
    assert abs(parity["fill_diff_bps"]["max_abs"]) < 5  # same pool depth; only rounding/gas
    assert any(line.strip().startswith("OK: verified") for line in lines)
    assert (tmp_path / "backtest" / "report.html").exists()
