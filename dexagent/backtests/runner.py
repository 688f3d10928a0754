"""Assemble a backtest from its config and run it: data, strategy, venue, kernel, result."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from datetime import UTC, datetime
from decimal import Decimal, localcontext
from pathlib import Path
from typing import cast

import numpy as np

from dexagent.audit_log import AuditLogSink
from dexagent.backtests.audit import open_backtest_audit, record_start, record_stop
from dexagent.backtests.config import BacktestConfig
from dexagent.backtests.engine import (
    MS_PER_YEAR,
    NativePricing,
    ProgressFn,
    balance_paths,
    run_kernel_over_bars,
)
from dexagent.backtests.result import BacktestResult
from dexagent.backtests.venues import build_venue
from dexagent.core.audit import AuditSink, MemoryAuditSink
from dexagent.core.bars import Bars
from dexagent.core.errors import ConfigError
from dexagent.core.intents import Fill, Side
from dexagent.core.kernel import Kernel
from dexagent.core.policy_gate import AllowAll, PolicyGate
from dexagent.core.portfolio import Portfolio
from dexagent.core.tokens import PRECISION, Pair, Token, price_decimal
from dexagent.policy import (
    MemoryPendingStore,
    PolicyEngine,
    SqliteStore,
    load_policy,
    policy_report,
)
from dexagent.strategies.base import Strategy
from dexagent.strategies.registry import build_strategy


def load_market(cfg: BacktestConfig) -> Bars:
    """The configured history: file or bundled set, optionally resampled and cut to a range."""
    from dexagent.backtests.data import bundled_dataset, load_bars, resample

    path = cfg.data.path
    if path.startswith("bundled:"):
        symbol = path.removeprefix("bundled:")
        bars = load_bars(bundled_dataset(symbol), symbol=symbol)
    else:
        bars = load_bars(path)
    if cfg.data.timeframe:
        bars = resample(bars, cfg.data.timeframe)
    lo = _ms(cfg.data.start, "data.start") if cfg.data.start else None
    hi = _ms(cfg.data.end, "data.end") if cfg.data.end else None
    if lo is not None or hi is not None:
        ts = bars.timestamp_ms
        i = int(np.searchsorted(ts, lo, "left")) if lo is not None else 0
        j = int(np.searchsorted(ts, hi, "left")) if hi is not None else len(bars)
        bars = bars.slice(i, j)
    if len(bars) < 2:
        raise ConfigError(f"data {path!r} has {len(bars)} bars in the chosen range; need >= 2")
    return bars


def _ms(text: str, key: str) -> int:
    try:
        dt = datetime.fromisoformat(text)
    except ValueError:
        raise ConfigError(f"[{key}] = {text!r}: not an ISO date like 2023-06-01") from None
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=UTC)
    return int(dt.timestamp() * 1000)


def starting_balances(cfg: BacktestConfig, tokens: dict[str, Token]) -> dict[str, int]:
    out: dict[str, int] = {}
    for sym, amount in cfg.portfolio.balances.items():
        if sym not in tokens:
            raise ConfigError(
                f"[portfolio.balances] {sym!r} is not a token of this backtest; "
                f"use one of {', '.join(sorted(tokens))}"
            )
        if amount < 0:
            raise ConfigError(f"[portfolio.balances] {sym} = {amount}: must be >= 0")
        out[sym] = tokens[sym].to_raw(amount)
    return out


async def run_backtest_async(
    cfg: BacktestConfig,
    *,
    bars: Bars | None = None,
    strategy: Strategy | None = None,
    policy: PolicyGate | None = None,
    audit: AuditSink | None = None,
    progress: ProgressFn | None = None,
) -> BacktestResult:
    bars = bars if bars is not None else load_market(cfg)
    pair = Pair(cfg.market.base.token(), cfg.market.quote.token())
    native = cfg.gas.native.token() if cfg.venue.kind != "taker" and cfg.gas.enabled else None
    tokens = {pair.base.symbol: pair.base, pair.quote.symbol: pair.quote}
    if native is not None:
        tokens.setdefault(native.symbol, native)
    else:
        tokens.setdefault(cfg.gas.native.symbol, cfg.gas.native.token())
    start = starting_balances(cfg, tokens)
    portfolio = Portfolio(start)
    venue = build_venue(cfg, pair, portfolio.view, bars)
    if policy is None and cfg.policy.file is not None:
        policy = build_policy(cfg)
    log_sink: AuditLogSink | None = None
    if audit is None and cfg.audit.db is not None:
        log_sink, signer = open_backtest_audit(cfg)
        audit = log_sink
        await record_start(
            log_sink, cfg, signer, getattr(policy, "policy_hash", None), int(bars.timestamp_ms[0])
        )
    sink = audit if audit is not None else MemoryAuditSink()
    if strategy is None:
        strategy = (
            build_agent(cfg, pair, sink, policy)
            if cfg.agent.kind is not None
            else build_strategy(cfg.strategy.name, pair, cfg.strategy.effective_params())
        )
    if strategy.pair != pair:
        raise ConfigError(
            f"strategy {strategy.name} trades {strategy.pair.symbol} but the config's market is "
            f"{pair.symbol}; set [market] base/quote to match"
        )
    kernel = Kernel(
        agent_id=cfg.run.agent_id,
        portfolio=portfolio,
        venue=venue,
        policy=policy if policy is not None else AllowAll(),
        audit=sink,
        native_symbol=native.symbol if native is not None else None,
    )
    pricing = _native_pricing(cfg, native)
    run = await run_kernel_over_bars(
        bars, strategy, kernel, venue, fill_at=cfg.run.fill_at, native=pricing, progress=progress
    )
    audit_records = 0
    if log_sink is not None:
        await record_stop(
            log_sink, int(bars.timestamp_ms[-1]), len(kernel.log.fills), kernel.log.decisions
        )
        audit_records = log_sink.log.size
    # equity per bar, for analytics (floats); money totals below stay exact
    all_tokens = dict(tokens)
    paths = balance_paths(run, pair, start, native)
    close = bars.close
    base_val = paths[pair.base.symbol] * close
    equity = paths[pair.quote.symbol] + base_val
    native_px = pricing.series(bars) if pricing is not None else None
    if native is not None and native.symbol not in (pair.base.symbol, pair.quote.symbol):
        assert native_px is not None
        equity = equity + paths[native.symbol] * native_px
    with np.errstate(divide="ignore", invalid="ignore"):
        exposure = np.where(equity > 0, base_val / equity, 0.0)
    fees, gas = _fee_totals(run.fills, pair)
    first_px = price_decimal(close[0])
    last_px = price_decimal(close[-1])
    npx0 = price_decimal(native_px[0]) if native_px is not None else Decimal(0)
    npx1 = price_decimal(native_px[-1]) if native_px is not None else Decimal(0)
    tf = bars.timeframe_ms or int(np.median(np.diff(bars.timestamp_ms)))
    return BacktestResult(
        pair=pair,
        timestamp_ms=bars.timestamp_ms,
        close=close,
        equity=equity,
        exposure=exposure,
        fills=run.fills,
        denials=kernel.log.denials,
        rejections=kernel.log.rejections,
        starting_equity=_value(start, all_tokens, pair, first_px, native, npx0),
        final_equity=_value(portfolio.snapshot(), all_tokens, pair, last_px, native, npx1),
        fees_quote=fees,
        gas_quote=gas,
        periods_per_year=MS_PER_YEAR / tf,
        strategy=strategy.name,
        params=strategy.params.model_dump(mode="json"),
        venue=venue.name,
        fill_at=cfg.run.fill_at,
        native=native,
        starting_balances=dict(start),
        decisions=kernel.log.decisions,
        audit_events=len(sink.events) if isinstance(sink, MemoryAuditSink) else audit_records,
        extra=_extra(kernel, portfolio, strategy),
    )


def build_policy(cfg: BacktestConfig) -> PolicyGate:
    """The policy engine for ``[policy] file`` (pending approvals and state in ``store``)."""
    assert cfg.policy.file is not None
    policy = load_policy(cfg.policy.file)
    if cfg.policy.store:
        store = SqliteStore(cfg.policy.store)
        return PolicyEngine(policy, agent_id=cfg.run.agent_id, pending=store, state_store=store)
    return PolicyEngine(policy, agent_id=cfg.run.agent_id, pending=MemoryPendingStore())


def build_agent(
    cfg: BacktestConfig, pair: Pair, audit: AuditSink, policy: PolicyGate | None
) -> Strategy:
    """The ``[agent]`` decision maker wrapped as a strategy, bounded by the policy if any."""
    from dexagent.agents import build_agent_strategy

    a = cfg.agent
    assert a.kind is not None
    engine = policy if isinstance(policy, PolicyEngine) else None
    limits = None
    if engine is not None:
        raw = engine.policy.limits.model_dump(exclude_none=True)
        limits = {k: str(v) for k, v in raw.items()}
    agent = build_agent_strategy(
        a.kind,
        pair,
        audit=audit,
        choice_check=engine.check_strategy_choice if engine is not None else None,
        allowlist=engine.policy.strategies if engine is not None else None,
        limits=limits,
        model=a.model,
        reviewer=a.reviewer,
        cassette=a.cassette,
        cassette_mode=a.cassette_mode,
        on_missing=a.on_missing,
        params=a.params,
        timeout_s=a.timeout_s,
    )
    return cast(Strategy, agent)  # AgentStrategy's params model is its cadence, not a strategy's


def _extra(kernel: Kernel, portfolio: Portfolio, strategy: Strategy) -> dict[str, object]:
    extra: dict[str, object] = {
        "final_balances": {k: str(v) for k, v in portfolio.snapshot().items()},
        "pending_approval": len(kernel.log.pending),
    }
    table = getattr(strategy, "decision_table", None)
    if callable(table):
        extra["agent_decisions"] = table()
        usage = getattr(strategy, "usage_report", None)
        extra["llm_usage"] = usage() if callable(usage) else None
    if isinstance(kernel.policy, PolicyEngine):
        extra["policy"] = policy_report(kernel.policy)
    return extra


def run_backtest(cfg: BacktestConfig, **kwargs: object) -> BacktestResult:
    """Synchronous entry point (the CLI and notebooks)."""
    return asyncio.run(run_backtest_async(cfg, **kwargs))  # type: ignore[arg-type]


def _native_pricing(cfg: BacktestConfig, native: Token | None) -> NativePricing | None:
    if native is None:
        return None
    if cfg.gas.native_price == "pair":
        return NativePricing(native)
    try:
        return NativePricing(native, Decimal(cfg.gas.native_price))
    except ArithmeticError:
        raise ConfigError(
            f"[gas.native_price] = {cfg.gas.native_price!r}: use 'pair' or a number"
        ) from None


def _fee_totals(fills: Sequence[Fill], pair: Pair) -> tuple[Decimal, Decimal]:
    fee_q = 0
    gas_q = 0
    for f in fills:
        fee_q += f.fee_in if f.side is Side.BUY else pair.quote_raw_for(f.fee_in, f.price)
        gas_q += f.gas_quote
    return pair.quote.to_decimal(fee_q), pair.quote.to_decimal(gas_q)


def _value(
    balances: dict[str, int],
    tokens: dict[str, Token],
    pair: Pair,
    price: Decimal,
    native: Token | None,
    native_price: Decimal,
) -> Decimal:
    with localcontext() as ctx:
        ctx.prec = PRECISION
        total = pair.quote.to_decimal(balances.get(pair.quote.symbol, 0))
        total += pair.base.to_decimal(balances.get(pair.base.symbol, 0)) * price
        if native is not None and native.symbol not in (pair.base.symbol, pair.quote.symbol):
            total += native.to_decimal(balances.get(native.symbol, 0)) * native_price
        return total.quantize(Decimal(1).scaleb(-pair.quote.decimals))


def default_out_dir(cfg: BacktestConfig) -> Path:
    return Path(cfg.run.out_dir)
