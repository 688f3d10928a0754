"""The one guard around every decision maker: frozen input, timeout, schema, safe default.

Whatever happens inside a decision maker, the guard returns a ``Decision``: an accepted run
within the allowlist, its bounds and the policy's verdicts, or a hold with the reason
(``timeout``, ``malformed``, ``out_of_schema``, ``policy_denied``, ``cassette_miss``,
``error``). Only ``AgentSetupError`` passes through: a run that cannot decide as configured
stops. Every outcome is kept in ``records`` and appended to the audit sink, together with the
model calls made (model id, prompt hash, raw answer; credentials masked).
"""

from __future__ import annotations

import asyncio
import hashlib
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

from dexagent.agents.ask import MalformedAnswer
from dexagent.agents.canonical import canonical_json, sha256_hex
from dexagent.agents.choices import ChoiceSpace, OutOfSchema
from dexagent.agents.decision import Decision, DecisionMaker, ModelCall
from dexagent.agents.errors import AgentSetupError, CassetteMiss
from dexagent.agents.observation import Observation
from dexagent.agents.prompt import allowlist_json, observation_json, past_json
from dexagent.agents.redact import redact
from dexagent.core.audit import AuditEvent, AuditSink
from dexagent.core.policy_gate import Verdict

ChoiceCheck = Callable[[str, Mapping[str, object]], Sequence[Verdict]]
SCHEMA_RULE = "agent.schema"


@dataclass(frozen=True, slots=True)
class DecisionRecord:
    t_ms: int
    bar: int
    final: Decision  # what runs: the accepted decision, or a hold
    outcome: str  # "accepted", "hold", or "<reason>: <detail>"
    proposed: Decision | None  # what the decision maker answered (None: no valid answer)
    verdicts: tuple[Verdict, ...]
    model_calls: tuple[ModelCall, ...]
    latency_s: float  # wall time of the call (diagnostic; not in the audit log)

    @property
    def denied_by(self) -> tuple[str, ...]:
        return tuple(v.rule for v in self.verdicts if not v.allowed)


def observation_digest(obs: Observation, allowlist_sha256: str | None = None) -> str:
    """sha256 of what the decision maker saw: the observation's fields and its bars' bytes."""
    b = obs.bars
    h = hashlib.sha256()
    for a in (b.timestamp_ms, b.open, b.high, b.low, b.close, b.volume):
        h.update(a.tobytes())
    j = observation_json(obs, allowlist=False)
    j["allowlist_sha256"] = allowlist_sha256 or sha256_hex(canonical_json(allowlist_json(obs)))
    j["bars_sha256"] = h.hexdigest()
    j["recent"] = [past_json(d) for d in obs.recent[-1:]]  # earlier ones are in earlier digests
    return sha256_hex(canonical_json(j))


class Guard:
    def __init__(
        self,
        maker: DecisionMaker,
        space: ChoiceSpace,
        *,
        timeout_s: float = 60.0,
        audit: AuditSink | None = None,
        choice_check: ChoiceCheck | None = None,
    ) -> None:
        self.maker = maker
        self.space = space
        self.timeout_s = timeout_s
        self.audit = audit
        self.choice_check = choice_check
        self.records: list[DecisionRecord] = []
        self._allowlist: tuple[object, str] | None = None  # (mapping, its digest), by identity

    async def decide(self, obs: Observation) -> Decision:
        return (await self.check(obs)).final

    async def check(self, obs: Observation) -> DecisionRecord:
        frozen = obs.frozen_copy()
        t0 = time.perf_counter()
        proposed: Decision | None = None
        verdicts: tuple[Verdict, ...] = ()
        try:
            async with asyncio.timeout(self.timeout_s):
                answer = await self.maker.decide(frozen)
        except AgentSetupError:
            raise
        except TimeoutError:
            final, outcome = self._hold(f"timeout: no answer within {self.timeout_s:g}s")
        except MalformedAnswer as exc:
            final, outcome = self._hold(f"malformed: {exc}")
        except CassetteMiss as exc:
            final, outcome = self._hold(f"cassette_miss: {exc}")
        except Exception as exc:
            final, outcome = self._hold(f"error: {type(exc).__name__}: {exc}")
        else:
            if isinstance(answer, Decision):
                proposed = answer
                final, outcome, verdicts = self._vet(answer)
            else:
                final, outcome = self._hold(f"malformed: not a Decision: {answer!r:.200}")
        calls = self._drain()
        rec = DecisionRecord(
            obs.t_ms,
            obs.bar,
            final,
            outcome,
            proposed,
            verdicts,
            calls,
            time.perf_counter() - t0,
        )
        self.records.append(rec)
        await self._audit(obs, rec)
        return rec

    @staticmethod
    def _hold(reason: str) -> tuple[Decision, str]:
        reason = redact(reason)
        return Decision.hold(reason), reason

    def _vet(self, d: Decision) -> tuple[Decision, str, tuple[Verdict, ...]]:
        if d.action == "hold":
            return d, "hold", ()
        verdicts: list[Verdict] = []
        if self.choice_check is not None:
            try:
                verdicts.extend(self.choice_check(d.strategy, dict(d.params)))
            except Exception as exc:  # a policy that cannot answer denies (fail closed)
                verdicts.append(Verdict("policy.error", False, f"{type(exc).__name__}: {exc}"))
        try:
            parsed = self.space.validate(d.strategy, d.params)
        except OutOfSchema as exc:
            verdicts.append(Verdict(SCHEMA_RULE, False, redact(str(exc))))
            parsed = None
        denied = [v for v in verdicts if not v.allowed]
        if denied or parsed is None:
            policy = [v for v in denied if v.rule != SCHEMA_RULE]
            if policy:
                why = "; ".join(f"{v.rule}: {v.reason}" for v in policy)
                reason = f"policy_denied: {why}"
            else:
                reason = f"out_of_schema: {denied[0].reason}"
            reason = redact(reason)
            return (
                Decision.hold(reason, model=d.model, objections=d.objections),
                reason,
                tuple(verdicts),
            )
        accepted = Decision(
            "run",
            d.strategy,
            parsed.model_dump(mode="json"),
            d.capital_fraction,
            d.rationale,
            d.model,
            d.objections,
        )
        return accepted, "accepted", tuple(verdicts)

    def _drain(self) -> tuple[ModelCall, ...]:
        drain = getattr(self.maker, "drain_calls", None)
        if drain is None:
            return ()
        calls = drain()
        return tuple(c for c in calls if isinstance(c, ModelCall))

    async def _audit(self, obs: Observation, rec: DecisionRecord) -> None:
        if self.audit is None:
            return
        for c in rec.model_calls:
            await self.audit.append(
                AuditEvent(
                    "model_call",
                    {
                        "bar": rec.bar,
                        "model_id": c.model_id,
                        "role": c.role,
                        "prompt_hash": c.prompt_hash,
                        "raw": redact(c.raw),
                        "tokens_in": c.tokens_in,
                        "tokens_out": c.tokens_out,
                    },
                    obs.t_ms,
                )
            )
        digest = observation_digest(obs, self._allowlist_digest(obs))
        await self.audit.append(AuditEvent("agent_decision", record_payload(rec, digest), obs.t_ms))

    def _allowlist_digest(self, obs: Observation) -> str:
        cached = self._allowlist
        if cached is None or cached[0] is not obs.allowlist:
            cached = (obs.allowlist, sha256_hex(canonical_json(allowlist_json(obs))))
            self._allowlist = cached
        return cached[1]


def decision_json(d: Decision) -> dict[str, object]:
    return {
        "action": d.action,
        "strategy": d.strategy,
        "params": dict(d.params),
        "capital_fraction": str(d.capital_fraction),
        "rationale": redact(d.rationale),
        "model_id": d.model.model_id if d.model else None,
        "prompt_hash": d.model.prompt_hash if d.model else None,
        "objections": [redact(o) for o in d.objections],
    }


def record_payload(rec: DecisionRecord, observation_sha256: str) -> dict[str, object]:
    return {
        "bar": rec.bar,
        "observation_digest": observation_sha256,
        "outcome": rec.outcome,
        "decision": decision_json(rec.final),
        "proposed": decision_json(rec.proposed) if rec.proposed is not None else None,
        "verdicts": [
            {"rule": v.rule, "allowed": v.allowed, "reason": v.reason} for v in rec.verdicts
        ],
    }
