"""One call that builds the agent a backtest or a live runner runs: rule, LLM or committee."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any, Literal

from langchain_core.language_models import BaseChatModel

from dexagent.agents.cassette import CassetteChatModel
from dexagent.agents.chat_models import make_chat_model
from dexagent.agents.choices import ChoiceSpace
from dexagent.agents.committee import Committee
from dexagent.agents.decision import DecisionMaker
from dexagent.agents.errors import AgentSetupError
from dexagent.agents.guard import ChoiceCheck
from dexagent.agents.llm_agent import LlmAgent
from dexagent.agents.rule_agent import RuleAgent
from dexagent.agents.strategy import AgentParams, AgentStrategy
from dexagent.core.audit import AuditSink
from dexagent.core.tokens import Pair

AgentKind = Literal["rule", "llm", "committee"]
CassetteMode = Literal["record", "replay"]


def build_agent_strategy(
    kind: AgentKind,
    pair: Pair,
    *,
    audit: AuditSink | None,
    choice_check: ChoiceCheck | None = None,
    allowlist: Mapping[str, Mapping[str, Any]] | None = None,
    limits: Mapping[str, str] | None = None,
    model: BaseChatModel | str | None = None,
    reviewer: BaseChatModel | str | None = None,
    cassette: Path | str | None = None,
    cassette_mode: CassetteMode = "replay",
    on_missing: Literal["error", "hold"] = "error",
    params: AgentParams | Mapping[str, Any] | None = None,
    timeout_s: float = 60.0,
    notes: Sequence[str] = (),
) -> AgentStrategy:
    """``allowlist``: a policy's ``strategies`` section (None: every switchable built-in);
    ``choice_check``: e.g. ``PolicyEngine.check_strategy_choice``; ``model``/``reviewer``:
    a chat model or "provider:model"; ``cassette``: a JSONL file to record to or replay from
    (replay needs no provider package and makes no network call)."""
    if isinstance(params, AgentParams) or params is None:
        p = params
    else:
        parsed = AgentParams.parse(dict(params), where="agent")
        assert isinstance(parsed, AgentParams)
        p = parsed
    space = ChoiceSpace.from_policy(allowlist)
    cassettes: list[CassetteChatModel] = []
    maker: DecisionMaker
    if kind == "rule":
        maker = RuleAgent(lookback=(p or AgentParams()).regime_lookback)
    elif kind in ("llm", "committee"):
        m = _model(model, "model", cassette, cassette_mode, on_missing, cassettes)
        if kind == "llm":
            maker = LlmAgent(m)
        else:
            r = _model(
                reviewer if reviewer is not None else model,
                "reviewer",
                cassette,
                cassette_mode,
                on_missing,
                cassettes,
            )
            maker = Committee(m, r)
    else:
        raise AgentSetupError(f"agent kind {kind!r}: use 'rule', 'llm' or 'committee'")
    return AgentStrategy(
        pair,
        maker,
        params=p,
        space=space,
        audit=audit,
        choice_check=choice_check,
        timeout_s=timeout_s,
        notes=notes,
        limits=limits,
        cassettes=cassettes,
    )


def _model(
    model: BaseChatModel | str | None,
    what: str,
    cassette: Path | str | None,
    mode: CassetteMode,
    on_missing: Literal["error", "hold"],
    cassettes: list[CassetteChatModel],
) -> BaseChatModel:
    if model is None:
        raise AgentSetupError(f"an LLM agent needs a {what}: a chat model or 'provider:model'")
    if cassette is None:
        return make_chat_model(model) if isinstance(model, str) else model
    if isinstance(model, str) and mode == "replay":
        c = CassetteChatModel(
            path=Path(cassette), mode="replay", on_missing=on_missing, model_id=model
        )
    else:
        inner = make_chat_model(model) if isinstance(model, str) else model
        c = CassetteChatModel(
            inner=inner,
            path=Path(cassette),
            mode=mode,
            on_missing=on_missing,
            model_id=model if isinstance(model, str) else "",
        )
    cassettes.append(c)
    return c
