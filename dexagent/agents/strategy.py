"""``AgentStrategy``: what the backtest engine (and a live runner) runs for an agent.

A ``Strategy`` that also deliberates: every ``every_n_bars`` bars, or when the market regime
changes (at most once per ``min_bars_between``), it builds a point-in-time observation, asks
the guarded decision maker, and switches to the chosen strategy; between decisions that
strategy runs on its own. Targets are scaled by the decision's capital fraction and carry the
strategy's name and parameters, so the policy checks the choice again on every order. A hold
keeps the current position and emits nothing.

Per bar, ``due`` and ``on_bar`` are a few list lookups: the regime series and each chosen
strategy's targets are computed once, vectorized, on the bars given to ``prepare`` (they are
causal, so the value at t never uses later bars).
"""

from __future__ import annotations

from bisect import bisect_right
from collections import OrderedDict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import ClassVar

import numpy as np
import numpy.typing as npt
from pydantic import Field, model_validator

from dexagent.agents.canonical import canonical_json
from dexagent.agents.cassette import CassetteChatModel
from dexagent.agents.choices import ChoiceSpace
from dexagent.agents.decision import Decision, DecisionMaker
from dexagent.agents.guard import ChoiceCheck, DecisionRecord, Guard
from dexagent.agents.observation import PastDecision, build_observation, pair_equity
from dexagent.agents.regime import DEFAULT_THRESHOLDS, Thresholds, regime_codes
from dexagent.agents.table import decision_rows
from dexagent.agents.usage import Usage, UsageReport, usage_report
from dexagent.core.audit import AuditSink
from dexagent.core.bars import Bars
from dexagent.core.errors import ConfigError
from dexagent.core.intents import Intent, SizeKind
from dexagent.core.market import MarketView
from dexagent.core.tokens import Pair
from dexagent.strategies.base import NO_INTENTS, SignalStrategy
from dexagent.strategies.indicators import ffill
from dexagent.strategies.params import StrategyParams
from dexagent.strategies.registry import build_strategy

_CACHE = 16  # prepared inner strategies kept (by name and parameters)
_NEVER = 1 << 62


@dataclass(frozen=True, slots=True)
class _Prepared:
    """A chosen strategy's targets over the whole run: where they change, and their level."""

    changes: dict[int, float]
    bars: list[int]  # sorted keys of ``changes``
    level: npt.NDArray[np.float64]  # the target in force at each bar (NaN: none yet)


class AgentParams(StrategyParams):
    every_n_bars: int = Field(288, ge=1, le=10_000_000, description="re-decide every N bars")
    on_regime_change: bool = Field(True, description="also re-decide when the regime changes")
    min_bars_between: int = Field(
        48, ge=1, le=10_000_000, description="fewest bars between two decisions"
    )
    window: int = Field(576, ge=20, le=100_000, description="bars an observation holds")
    regime_lookback: int = Field(
        288, ge=10, le=50_000, description="bars for trend strength and volatility"
    )
    recent: int = Field(10, ge=0, le=200, description="earlier decisions shown to the agent")

    @model_validator(mode="after")
    def _window_covers_lookback(self) -> AgentParams:
        if self.window <= self.regime_lookback:
            raise ValueError(
                f"window ({self.window}) must exceed regime_lookback ({self.regime_lookback})"
            )
        return self


class AgentStrategy:
    name: ClassVar[str] = "agent"
    Params: ClassVar[type[StrategyParams]] = AgentParams

    def __init__(
        self,
        pair: Pair,
        maker: DecisionMaker,
        *,
        params: AgentParams | None = None,
        space: ChoiceSpace | None = None,
        audit: AuditSink | None = None,
        choice_check: ChoiceCheck | None = None,
        timeout_s: float = 60.0,
        notes: Sequence[str] = (),
        limits: Mapping[str, str] | None = None,
        thresholds: Thresholds = DEFAULT_THRESHOLDS,
        cassettes: Sequence[CassetteChatModel] = (),
    ) -> None:
        self.pair = pair
        self.params: AgentParams = params if params is not None else AgentParams()
        self.space = space if space is not None else ChoiceSpace.builtin()
        self.guard = Guard(
            maker, self.space, timeout_s=timeout_s, audit=audit, choice_check=choice_check
        )
        self.notes = tuple(notes)
        self.limits = dict(limits or {})
        self.thresholds = thresholds
        self.cassettes = tuple(cassettes)
        self._bars: Bars | None = None
        self._n = 0
        self._changes: dict[int, float] = {}  # bar -> new target of the running strategy
        self._change_bars: list[int] = []
        self._regime: list[int] = []
        self._regime_next: list[int] = []  # first later bar with another regime (or n)
        self._prepared: OrderedDict[str, _Prepared] = OrderedDict()
        self._reset()

    def _reset(self) -> None:
        p = self.params
        self._first = p.regime_lookback
        self._next_due = self._first  # the next scheduled decision
        self._next_check = _NEVER  # from here on a regime change triggers a decision
        self._last_regime = -2
        self._current: tuple[str, Decimal] | None = None
        self._fraction = Decimal(0)
        self._name = ""
        self._meta: tuple[tuple[str, str], ...] = ()
        self._intents: dict[float, Intent] = {}
        self._pending: Sequence[Intent] | None = None
        self._history: list[tuple[DecisionRecord, Decimal]] = []  # with equity at the time
        self._past_cache: dict[int, PastDecision] = {}
        self._changes, self._change_bars = {}, []

    # -- the Strategy protocol -------------------------------------------------------------

    def prepare(self, bars: Bars) -> None:
        self._bars = bars.readonly()
        self._n = len(bars)
        codes = regime_codes(self._bars, self.params.regime_lookback, self.thresholds)
        self._regime = codes.tolist()
        starts = np.flatnonzero(np.diff(codes) != 0) + 1
        after = np.searchsorted(starts, np.arange(self._n), side="right")
        self._regime_next = np.append(starts, self._n)[after].tolist()
        self._prepared.clear()
        self.guard.records.clear()
        self._reset()

    def on_bar(self, view: MarketView) -> Sequence[Intent]:
        pending = self._pending
        if pending is not None:
            self._pending = None
            return pending
        x = self._changes.get(view.t)
        if x is None:  # the running strategy's target does not change here
            return NO_INTENTS
        return (self._intent(x),)

    # -- the engine's Deliberating protocol ----------------------------------------------------

    def due(self, view: MarketView) -> bool:
        t = view.t
        if t >= self._next_due:
            return True
        return t >= self._next_check and self._regime[t] != self._last_regime

    def next_event(self, t: int) -> int:
        """The first bar after ``t`` at which ``due`` or ``on_bar`` can act, given the state
        after bar t (``len(bars)`` if none): an engine may skip the bars in between."""
        nxt = max(self._next_due, t + 1)
        c = max(self._next_check, t + 1)
        if c < nxt and c < self._n:
            nxt = min(nxt, c if self._regime[c] != self._last_regime else self._regime_next[c])
        cb = self._change_bars
        i = bisect_right(cb, t)
        if i < len(cb) and cb[i] < nxt:
            nxt = cb[i]
        return min(nxt, self._n)

    async def deliberate(self, view: MarketView) -> None:
        obs = build_observation(
            view,
            window=self.params.window,
            allowlist=self.space.bounds,
            limits=self.limits,
            recent=self._recent(view),
            notes=self.notes,
        )
        rec = await self.guard.check(obs)
        p = self.params
        self._next_due = view.t + p.every_n_bars
        self._next_check = view.t + p.min_bars_between if p.on_regime_change else _NEVER
        self._last_regime = self._regime[view.t] if self._regime else -2
        self._history.append((rec, obs.equity_quote))
        self._switch(rec.final, view.t)

    # -- reports ---------------------------------------------------------------------------

    @property
    def records(self) -> list[DecisionRecord]:
        return self.guard.records

    def decision_table(self) -> list[dict[str, str]]:
        """One row per decision: time, strategy, params, allocation, rationale, verdicts."""
        return decision_rows(self.guard.records)

    def usage_report(self) -> UsageReport | None:
        """Model calls, tokens and estimated cost over this run's cassettes (None: no LLM)."""
        if not self.cassettes:
            return None
        calls: list[Usage] = []
        for c in self.cassettes:
            calls.extend(c.usage_items())
        return usage_report(calls)

    # -- internals -------------------------------------------------------------------------

    def _switch(self, d: Decision, t: int) -> None:
        if d.action == "hold":
            self._current = None
            self._changes, self._change_bars = {}, []
            return
        key = canonical_json([d.strategy, dict(d.params)])
        if self._current == (key, d.capital_fraction):
            return  # same strategy, same parameters, same capital: keep running it
        prep = self._prepare_inner(key, d)
        self._current = (key, d.capital_fraction)
        self._changes, self._change_bars = prep.changes, prep.bars
        self._fraction = d.capital_fraction
        self._name = d.strategy
        self._meta = tuple((f"param.{k}", str(v)) for k, v in sorted(d.params.items()))
        self._intents = {}
        now = float(prep.level[t])
        self._pending = (self._intent(now),) if now == now else None

    def _prepare_inner(self, key: str, d: Decision) -> _Prepared:
        hit = self._prepared.get(key)
        if hit is not None:
            self._prepared.move_to_end(key)
            return hit
        if self._bars is None:
            raise ConfigError("AgentStrategy.prepare(bars) must run before it deliberates")
        inner = build_strategy(d.strategy, self.pair, dict(d.params))
        if not isinstance(inner, SignalStrategy):
            raise ConfigError(f"strategy {d.strategy!r} cannot be switched to by an agent")
        inner.prepare(self._bars)
        x = np.asarray(inner.prepared_targets, dtype=np.float64)
        at = np.flatnonzero(~np.isnan(x))
        bars = at.tolist()
        entry = _Prepared(dict(zip(bars, x[at].tolist(), strict=True)), bars, ffill(x))
        self._prepared[key] = entry
        if len(self._prepared) > _CACHE:
            self._prepared.popitem(last=False)
        return entry

    def _intent(self, x: float) -> Intent:
        it = self._intents.get(x)
        if it is None:
            amount = Decimal(repr(x)) * self._fraction
            it = self._intents[x] = Intent(
                self.pair,
                None,
                SizeKind.TARGET,
                amount,
                self._name,
                f"agent: {self._name} target {x:g} x capital {self._fraction}",
                None,
                self._meta,
            )
        return it

    def _recent(self, view: MarketView) -> list[PastDecision]:
        n = self.params.recent
        h = self._history
        if n == 0 or not h:
            return []
        now_eq = pair_equity(self.pair, view.balances, view.price)
        start = max(0, len(h) - n)
        out = [self._past(i, h[i + 1][1]) for i in range(start, len(h) - 1)]
        out.append(self._past(len(h) - 1, now_eq))
        return out

    def _past(self, i: int, after: Decimal) -> PastDecision:
        """Decision i with the equity change until ``after`` (final once a later one exists)."""
        hit = self._past_cache.get(i)
        if hit is not None:
            return hit
        r, then = self._history[i]
        d = r.final
        pct = ((after / then - 1) * 100).quantize(Decimal("0.01")) if then > 0 else None
        p = PastDecision(
            r.t_ms,
            d.action,
            d.strategy,
            d.params,
            d.capital_fraction,
            d.rationale,
            r.outcome,
            pct,
        )
        if i + 1 < len(self._history):
            self._past_cache[i] = p
        return p
