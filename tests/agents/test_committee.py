"""The committee: a proposer and a risk reviewer must agree; objections are recorded."""

from __future__ import annotations

from dexagent.agents import ChoiceSpace, Committee, Guard
from dexagent.core.audit import MemoryAuditSink
from tests.agents.fakes import always, review, sequence, submit
from tests.agents.support import observation


async def test_the_committee_runs_a_proposal_the_reviewer_approves() -> None:
    c = Committee(always(submit("sma_cross", {"fast": 10, "slow": 40}, 0.5)), always(review(True)))
    sink = MemoryAuditSink()
    rec = await Guard(c, ChoiceSpace.builtin(), audit=sink).check(observation())
    assert rec.outcome == "accepted" and rec.final.strategy == "sma_cross"
    assert rec.final.objections == ()
    roles = [e.payload["role"] for e in sink.events if e.kind == "model_call"]
    assert roles == ["proposer", "reviewer"]


async def test_the_committee_holds_when_the_reviewer_keeps_objecting() -> None:
    proposer = always(submit("donchian_breakout", {"entry": 20, "exit": 10}, 1.0))
    reviewer = always(review(False, ["full capital in a storm is imprudent"]))
    sink = MemoryAuditSink()
    rec = await Guard(Committee(proposer, reviewer), ChoiceSpace.builtin(), audit=sink).check(
        observation()
    )
    assert rec.final.action == "hold"
    assert rec.final.objections == ("full capital in a storm is imprudent",) * 2
    assert proposer.calls == 2 and reviewer.calls == 2  # one revision round, then hold
    decision = sink.events[-1].payload["decision"]
    assert decision["objections"] == ["full capital in a storm is imprudent"] * 2
    # the objections went back to the proposer, fenced as data
    assert '<data name="reviewer_objections">' in str(proposer.seen[1][1].content)


async def test_a_revised_proposal_can_be_approved_and_keeps_the_objection() -> None:
    proposer = sequence(
        submit("sma_cross", {"fast": 10, "slow": 40}, 1.0),
        submit("sma_cross", {"fast": 10, "slow": 40}, 0.3),
    )
    reviewer = sequence(review(False, ["too much capital"]), review(True))
    rec = await Guard(Committee(proposer, reviewer), ChoiceSpace.builtin()).check(observation())
    assert rec.outcome == "accepted" and str(rec.final.capital_fraction) == "0.3"
    assert rec.final.objections == ("too much capital",)


async def test_a_proposer_that_holds_needs_no_review() -> None:
    reviewer = always(review(True))
    c = Committee(always(submit(action="hold", rationale="flat market")), reviewer)
    rec = await Guard(c, ChoiceSpace.builtin()).check(observation())
    assert rec.final.action == "hold" and rec.outcome == "hold" and reviewer.calls == 0
