"""The public names of the metrics and report packages are pinned."""

from __future__ import annotations

from dexagent.backtests import metrics, report


def test_report_package_exports_exactly_its_public_api() -> None:
    assert sorted(report.__all__) == [
        "ReportPaths",
        "format_agent_decisions",
        "format_outcomes",
        "format_summary",
        "write_report",
    ]


def test_metrics_package_exports_compute_metrics_and_the_return_statistics() -> None:
    assert {
        "Metrics",
        "compute_metrics",
        "build_round_trips",
        "max_drawdown_info",
        "cum_returns",
        "cum_returns_final",
        "annual_return",
        "cagr",
        "annual_volatility",
        "sharpe_ratio",
        "sortino_ratio",
        "downside_risk",
        "max_drawdown",
        "calmar_ratio",
        "omega_ratio",
        "tail_ratio",
        "stability_of_timeseries",
        "aggregate_returns",
    } <= set(metrics.__all__)
    assert all(hasattr(metrics, name) for name in metrics.__all__)
