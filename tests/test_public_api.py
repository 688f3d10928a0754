"""The top-level API is small and pinned; importing it pulls in no chain or LLM stack."""

from __future__ import annotations

import subprocess
import sys

import dexagent


def test_top_level_api_is_pinned() -> None:
    assert sorted(dexagent.__all__) == sorted(
        [
            "BacktestConfig",
            "BacktestResult",
            "Bars",
            "ConfigError",
            "DexAgentError",
            "Fill",
            "Intent",
            "Kernel",
            "MarketView",
            "Order",
            "Pair",
            "Side",
            "SignalStrategy",
            "Strategy",
            "StrategyParams",
            "Token",
            "__version__",
            "build_strategy",
            "load_config",
            "run_backtest",
        ]
    )
    assert all(hasattr(dexagent, name) for name in dexagent.__all__)


def test_importing_the_package_does_not_load_langchain() -> None:
    code = "import sys, dexagent; print('langchain_core' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
