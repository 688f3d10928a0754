"""One live agent: chain samples → bars → strategy → the one Kernel → venue, under supervision.

Per poll: read the latest block and the pool price in it; when a bar closes, the strategy sees
the history through a ``MarketView`` (``prepare`` on the whole history, then ``on_bar``), and
``Kernel.decide`` then ``Kernel.execute`` run at once — the backtester's kernel, with the chain's
clock and an on-chain (or paper) venue.

Client order ids are ``<agent>-<bar open ms>-<n>``: deterministic, so a restarted agent hands the
same id to the TxManager and gets the stored transaction, never a second trade. Approved orders
are journaled before they are sent (see ``journal``); decisions are flushed to the audit log
before any transaction leaves.

Failure handling: a ``TemporaryError`` (RPC down, timeouts) stops deciding, records the gap as an
``agent_stopped`` / ``agent_started`` pair with ``event = "rpc_gap"`` and its bounds, retries with
backoff and, on recovery, settles whatever was in flight. Any other exception propagates: the
service marks the agent failed.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

from dexagent.audit_log.anchor import Anchorer
from dexagent.backtests.engine import Deliberating
from dexagent.connectors.evm.contracts import load_artifact
from dexagent.connectors.evm.erc20 import eth_call
from dexagent.connectors.evm.rawtx import decode_output, encode_call
from dexagent.connectors.evm.swap_venue import OnChainSwapVenue
from dexagent.connectors.evm.txmanager import TxManager
from dexagent.connectors.simulated.taker import TakerVenue
from dexagent.core.audit import AuditEvent
from dexagent.core.errors import TemporaryError
from dexagent.core.intents import Fill, Order
from dexagent.core.kernel import Kernel
from dexagent.core.market import MarketView
from dexagent.core.policy_gate import PolicyContext, PolicyGate
from dexagent.core.portfolio import Portfolio
from dexagent.core.tokens import Pair
from dexagent.policy import PolicyEngine
from dexagent.policy.pending import PendingStatus, order_from_json, order_to_json
from dexagent.service.audit_clock import ClockedSink
from dexagent.service.bars_live import BarBuilder, LiveHistory
from dexagent.service.feed import ChainFeed, Sample
from dexagent.service.journal import ABANDONED, FILLED, REJECTED, BarRow, Journal
from dexagent.service.reference import ReferencePrice, deviation_bps, observation_payload
from dexagent.service.state import AgentMetrics, AgentStatus, RecentDecisions
from dexagent.strategies.base import Strategy

log = logging.getLogger(__name__)

NATIVE = "native"  # the venue's balance key for the chain's gas token


@dataclass(slots=True)
class AgentParts:
    """Everything one agent runs with; built by ``assemble`` (or by a test)."""

    agent_id: str
    pair: Pair
    strategy: Strategy
    venue: OnChainSwapVenue | TakerVenue
    policy: PolicyGate
    sink: ClockedSink
    journal: Journal
    feed: ChainFeed
    timeframe_ms: int
    poll_s: float
    history_bars: int
    signer: str  # checkpoint signer (or wallet) address, "" when none
    txm: TxManager | None = None  # None: paper
    paper_book: Portfolio | None = None  # paper mode's simulated balances
    anchorer: Anchorer | None = None
    chain_id: int | None = None
    retry_initial_s: float = 0.5
    retry_max_s: float = 10.0
    receipt_timeout_s: float = 120.0
    halt_files: tuple[Path, ...] = ()
    config_hash: str = ""
    reference: ReferencePrice | None = None  # optional ccxt reference price, checked per bar
    extra_closers: list[Callable[[], None]] = field(default_factory=list)


class AgentRunner:
    def __init__(self, parts: AgentParts) -> None:
        self.p = parts
        self.id = parts.agent_id
        self.metrics = AgentMetrics()
        self.decisions = RecentDecisions()
        self.error: str | None = None
        self.paused = False
        self.stopped = False
        self.rpc_down_since: float | None = None
        self._history = LiveHistory(parts.pair.symbol, parts.timeframe_ms, parts.history_bars)
        for row in parts.journal.bars(parts.history_bars):
            self._history.append(row)
        self._builder = BarBuilder(parts.timeframe_ms, after_ms=self._history.last_ts)
        self.engine = parts.policy if isinstance(parts.policy, PolicyEngine) else None
        self.in_flight = 0
        self._wake = asyncio.Event()

    # -- status and the kill switch ----------------------------------------------------------------

    @property
    def halted(self) -> str | None:
        return self.p.journal.get("halted")

    @property
    def status(self) -> AgentStatus:
        if self.error is not None:
            return AgentStatus.FAILED
        if self.stopped:
            return AgentStatus.STOPPED
        if self.rpc_down_since is not None:
            return AgentStatus.RPC_DOWN
        if self.halted is not None:
            return AgentStatus.HALTED
        if self.paused:
            return AgentStatus.PAUSED
        if self.metrics.last_block < 0:
            return AgentStatus.STARTING
        return AgentStatus.RUNNING

    async def halt(self, reason: str) -> None:
        if self.halted is not None:
            return
        self.p.journal.put("halted", reason)
        log.warning("agent halted", extra={"agent": self.id, "reason": reason})
        await self._record("agent_stopped", {"event": "halt", "reason": reason})

    async def resume(self, by: str) -> bool:
        """Clear pause and halt; refused (False) while a halt file is present."""
        if any(f.exists() for f in self.p.halt_files):
            return False
        was = self.halted
        self.paused = False
        if was is not None:
            self.p.journal.put("halted", None)
            await self._record(
                "agent_started", {"signer": self.p.signer, "event": "resume", "by": by}
            )
        self._wake.set()
        return True

    # -- the loop ----------------------------------------------------------------------------------

    async def run(self, stop: asyncio.Event) -> None:
        await self._record(
            "agent_started",
            {"signer": self.p.signer, "event": "start", "config_hash": self.p.config_hash},
        )
        await self._guarded(self._recover, stop)
        await self._book_metrics()
        while not stop.is_set():
            await self._guarded(self._step, stop)
            if stop.is_set():
                break
            self._wake.clear()
            sleeper = asyncio.ensure_future(self._wake.wait())
            stopper = asyncio.ensure_future(stop.wait())
            await asyncio.wait(
                (sleeper, stopper), timeout=self.p.poll_s, return_when=asyncio.FIRST_COMPLETED
            )
            sleeper.cancel()
            stopper.cancel()

    async def _guarded(self, step: Any, stop: asyncio.Event) -> None:
        """Run ``step``; on a TemporaryError ride out the gap (then settle in-flight orders)."""
        try:
            await step()
        except TemporaryError as exc:
            if await self._ride_out_gap(exc, stop):
                await self._guarded(self._recover, stop)

    async def _ride_out_gap(self, first: TemporaryError, stop: asyncio.Event) -> bool:
        """Back off until the RPC answers; record the gap. False if stopped meanwhile."""
        start_wall = time.time()
        self.rpc_down_since = start_wall
        self.metrics.rpc_errors += 1
        errors, last = 1, str(first)
        log.warning("rpc down, trading stopped", extra={"agent": self.id, "error": last})
        await self._record(
            "agent_stopped",
            {"event": "rpc_gap_start", "start_ms": int(start_wall * 1000), "error": last},
        )
        await self.p.sink.flush()
        delay = self.p.retry_initial_s
        recovered = False
        while not stop.is_set():
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), timeout=delay)
            if stop.is_set():
                break
            try:
                await self.p.feed.chain_time_ms()
            except TemporaryError as exc:
                errors += 1
                self.metrics.rpc_errors += 1
                last = str(exc)
                delay = min(delay * 2, self.p.retry_max_s)
                continue
            recovered = True
            break
        end_wall = time.time()
        self.rpc_down_since = None
        self.metrics.rpc_gaps += 1
        self.metrics.rpc_gap_seconds += end_wall - start_wall
        start_ms, end_ms = int(start_wall * 1000), int(end_wall * 1000)
        self.p.journal.add_gap(start_ms, end_ms, errors, last)
        await self._record(
            "agent_started",
            {
                "signer": self.p.signer,
                "event": "rpc_gap",
                "start_ms": start_ms,
                "end_ms": end_ms,
                "errors": errors,
                "recovered": recovered,
                "last_error": last,
            },
        )
        await self.p.sink.flush()
        log.warning(
            "rpc gap ended",
            extra={"agent": self.id, "seconds": round(end_wall - start_wall, 3), "ok": recovered},
        )
        return recovered

    async def _step(self) -> None:
        for f in self.p.halt_files:
            if f.exists():
                await self.halt(f"halt file {f}")
        sample = await self.p.feed.latest()
        if sample is not None:
            self.metrics.last_block = sample.block
            self.metrics.last_chain_ms = sample.ts_ms
            bar = self._builder.add(sample.ts_ms, float(sample.price), sample.block)
            if bar is not None:
                first, last_seen = self._builder.closed_blocks
                bar, last = await self._exact_close(bar, sample, last_seen)
                await self._on_bar(await self._with_volume(bar, first, last), sample)
        if self.status is AgentStatus.RUNNING and self.engine is not None:
            await self._approved_by_humans()
        if self.p.anchorer is not None:
            await self.p.anchorer.tick()
        await self.p.sink.flush()

    async def _exact_close(
        self, bar: BarRow, first_after: Sample, last_seen: int
    ) -> tuple[BarRow, int]:
        """A bar's close is the pool state at the bar's last block, not the last poll.

        Polling can miss blocks; the block just before the first one of the next bar is the
        last block of the closed bar when its timestamp falls inside it. Returns the bar and
        its last block (``last_seen``, the last sampled one, when that rule does not apply).
        """
        if first_after.block <= 0:
            return bar, last_seen
        last = await self.p.feed.at(first_after.block - 1)
        if not bar.ts_ms <= last.ts_ms < bar.ts_ms + self.p.timeframe_ms:
            return bar, last_seen
        close = float(last.price)
        exact = BarRow(
            bar.ts_ms, bar.open, max(bar.high, close), min(bar.low, close), close, bar.volume
        )
        return exact, last.block

    async def _with_volume(self, bar: BarRow, first: int, last: int) -> BarRow:
        """The bar with its volume: the base token swapped in the pool over its blocks.

        Summed as exact integers from the ``Swap`` logs of blocks ``[first, last]`` (the first
        block sampled in the bar up to its last block); human units only for the Bars column.
        """
        raw = await self.p.feed.volume(first, last)
        if raw is None:
            return bar
        self.metrics.last_bar_volume_raw = raw
        self.metrics.last_bar_blocks = (first, last)
        volume = float(self.p.pair.base.to_decimal(raw))
        return BarRow(bar.ts_ms, bar.open, bar.high, bar.low, bar.close, volume)

    async def _on_bar(self, bar: BarRow, sample: Sample) -> None:
        try:
            await self._handle_bar(bar, sample)
        finally:
            self.metrics.last_bar_ms = bar.ts_ms

    async def _handle_bar(self, bar: BarRow, sample: Sample) -> None:
        self.p.journal.add_bar(bar)
        self._history.append(bar)
        self.metrics.bars += 1
        book = await self._book()
        self._mark(book, sample)
        skip = await self._observe(bar, sample)
        if self.status is not AgentStatus.RUNNING or skip:
            return
        bars = self._history.bars()
        t = len(bars) - 1
        if isinstance(self.p.venue, TakerVenue):
            self.p.venue.set_market(
                price=sample.price, t_ms=sample.ts_ms, bar=t, native_price=Decimal(0)
            )
        strategy = self.p.strategy
        strategy.prepare(bars.readonly())
        view = MarketView(bars, self.p.pair, book.view)
        view.t = t
        if isinstance(strategy, Deliberating) and strategy.due(view):
            await strategy.deliberate(view)
        intents = strategy.on_bar(view)
        if intents:
            await self.decide_and_execute(intents, book, bar.ts_ms, sample, t)

    async def _observe(self, bar: BarRow, sample: Sample) -> bool:
        """Check the pool against the reference price; record an ``observation``.

        True when the deviation exceeds ``max_deviation_bps``: this bar is not decided. A failed
        fetch is recorded and the bar is decided without a reference.
        """
        ref = self.p.reference
        if ref is None:
            return False
        st = ref.state
        fields: dict[str, Any] = {
            "source": "reference",
            "bar_ts": bar.ts_ms,
            "block": sample.block,
            "pool_price": str(sample.price),
            "volume_raw": str(self.metrics.last_bar_volume_raw),
            "exchange": ref.cfg.exchange,
            "symbol": ref.cfg.symbol,
        }
        try:
            price = await ref.fetch()
        except TemporaryError as exc:
            st.errors += 1
            st.price = st.deviation_bps = st.skipped = None
            st.error = str(exc)
            fields["reference_error"] = st.error
            log.warning(
                "reference price unavailable; deciding without it",
                extra={"agent": self.id, "error": st.error},
            )
            await self.p.sink.append(
                AuditEvent("observation", observation_payload(fields), sample.ts_ms)
            )
            return False
        dev = deviation_bps(sample.price, price)
        st.fetches += 1
        st.price, st.deviation_bps, st.error, st.skipped = price, dev, None, None
        fields["reference_price"] = str(price)
        fields["deviation_bps"] = str(dev.quantize(Decimal("0.0001")))
        bound = ref.cfg.max_deviation_bps
        if bound is not None and abs(dev) > Decimal(str(bound)):
            st.skips += 1
            st.skipped = (
                f"pool price {sample.price:.6g} deviates {dev:.2f} bps from {ref.cfg.exchange} "
                f"{ref.cfg.symbol} {price} (max {bound} bps): bar not decided"
            )
            fields["max_deviation_bps"] = str(bound)
            fields["skipped"] = st.skipped
            log.warning("bar skipped", extra={"agent": self.id, "reason": st.skipped})
        await self.p.sink.append(
            AuditEvent("observation", observation_payload(fields), sample.ts_ms)
        )
        return st.skipped is not None

    async def decide_and_execute(
        self,
        intents: Sequence[Any],
        book: Portfolio,
        bar_ts: int,
        sample: Sample,
        bar_index: int,
    ) -> list[Fill | None]:
        """The one loop's trading half for one bar: decide, flush the audit, journal, execute."""
        kernel = self._kernel(book, bar_ts)
        orders = await kernel.decide(intents, price=sample.price, t_ms=sample.ts_ms, bar=bar_index)
        self._count_decisions(kernel, orders, sample.ts_ms)
        await self.p.sink.flush()  # every decision is durable before anything is sent
        out: list[Fill | None] = []
        for order in orders:
            out.append(await self._execute(kernel, order, bar_ts, sample.ts_ms))
        return out

    async def _execute(self, kernel: Kernel, order: Order, bar_ts: int, t_ms: int) -> Fill | None:
        j = self.p.journal
        j.record_order(order.client_order_id, bar_ts, order_to_json(order), t_ms)
        self.in_flight += 1
        try:
            fill = await kernel.execute(order, t_ms=t_ms)
        finally:
            self.in_flight -= 1
        self._finish(kernel, order, fill, t_ms)
        return fill

    def _finish(self, kernel: Kernel, order: Order, fill: Fill | None, t_ms: int) -> None:
        oid = order.client_order_id
        if fill is None:
            err = kernel.log.rejections[-1].error if kernel.log.rejections else "rejected"
            self.p.journal.finish_order(oid, REJECTED, t_ms, err)
            self.metrics.rejections += 1
            if self.engine is not None:
                self.engine.release(order)
            self._note(oid, outcome="rejected", error=err)
            return
        self.p.journal.finish_order(oid, FILLED, t_ms, fill.tx_hash or "")
        self.metrics.fills += 1
        self.metrics.gas_wei += fill.gas_native
        if self.p.paper_book is not None:
            self.p.journal.save_paper_book(self.p.paper_book.snapshot())
        self._note(oid, outcome="filled", tx_hash=fill.tx_hash, amount_out=str(fill.amount_out))

    # -- restart and post-gap recovery -------------------------------------------------------------

    async def _recover(self) -> None:
        """Settle every journaled order that may have reached the chain; abandon the others."""
        txm = self.p.txm
        if txm is not None:
            await txm.reconcile()
        for j in self.p.journal.unfinished():
            order = order_from_json(j.order_json)
            now = await self.p.feed.chain_time_ms()
            if txm is None or txm.store.get(order.client_order_id) is None:
                reason = "abandoned: the agent stopped before this order was sent"
                self.p.journal.finish_order(order.client_order_id, ABANDONED, now, reason)
                await self.p.sink.append(
                    AuditEvent("rejected", {"order": order.client_order_id, "error": reason}, now)
                )
                if self.engine is not None:
                    self.engine.release(order)
                self.metrics.abandoned += 1
                continue
            rcpt = await txm.wait(order.client_order_id, timeout_s=self.p.receipt_timeout_s)
            book = await self._chain_book(hex(rcpt.block_number - 1))  # the book it traded from
            kernel = self._kernel(book, j.bar_ts)
            self.in_flight += 1
            try:
                fill = await kernel.execute(order, t_ms=now)
            finally:
                self.in_flight -= 1
            self._finish(kernel, order, fill, now)
            if fill is not None:
                self.metrics.recovered_fills += 1
            log.info(
                "order settled after restart or gap",
                extra={"agent": self.id, "order": order.client_order_id, "filled": bool(fill)},
            )
        await self.p.sink.flush()

    # -- human approvals ---------------------------------------------------------------------------

    async def _approved_by_humans(self) -> None:
        engine = self.engine
        assert engine is not None
        now = self.metrics.last_chain_ms
        engine.expire_pending(now)
        for entry in engine.pending.entries(PendingStatus.APPROVED):
            if self.p.journal.known_order(entry.id):
                continue
            order = entry.order()
            book = await self._book()
            ctx = PolicyContext(
                now,
                book.view,
                book.pair_equity_quote(order.pair, order.ref_price),
                self.p.venue.name,
                self.p.chain_id,
            )
            decision = engine.admit_approved(order, ctx)
            await self.p.sink.append(
                AuditEvent(
                    "decision",
                    {
                        "order": order.client_order_id,
                        "approved": decision.approved,
                        "approved_by": entry.resolved_by,
                        "policy_hash": decision.policy_hash,
                        "verdicts": [[v.rule, v.allowed, v.reason] for v in decision.verdicts],
                    },
                    now,
                )
            )
            await self.p.sink.flush()
            bar_ts = int(order.client_order_id.rsplit("-", 2)[-2])
            if not decision.approved:
                self.p.journal.record_order(entry.id, bar_ts, entry.order_json, now)
                self.p.journal.finish_order(entry.id, REJECTED, now, "denied on re-check")
                continue
            await self._execute(self._kernel(book, bar_ts), order, bar_ts, now)

    # -- helpers -----------------------------------------------------------------------------------

    def _kernel(self, book: Portfolio, bar_ts: int) -> Kernel:
        # the kernel numbers orders "<agent_id>-<n>": with the bar in the id they are stable
        return Kernel(
            agent_id=f"{self.id}-{bar_ts}",
            portfolio=book,
            venue=self.p.venue,
            policy=self.p.policy,
            audit=self.p.sink,
            native_symbol=NATIVE if self.p.txm is not None else None,
            chain_id=self.p.chain_id,
        )

    async def _book(self) -> Portfolio:
        if self.p.paper_book is not None:
            return self.p.paper_book
        return await self._chain_book("latest")

    async def _chain_book(self, block: str) -> Portfolio:
        """The wallet's balances at ``block``: the chain is the book of a live agent."""
        txm = self.p.txm
        if txm is None:
            assert self.p.paper_book is not None
            return self.p.paper_book
        me = txm.address
        abi = load_artifact("TestERC20").abi
        out: dict[str, int] = {}
        for tok in (self.p.pair.base, self.p.pair.quote):
            assert tok.address is not None
            raw = await eth_call(
                txm.rpc, tok.address, encode_call(abi, "balanceOf", [me]), block=block
            )
            out[tok.symbol] = int(decode_output(["uint256"], raw)[0])
        out[NATIVE] = int(await txm.rpc.call("eth_getBalance", [me, block]), 16)
        return Portfolio(out)

    def _mark(self, book: Portfolio, sample: Sample) -> None:
        eq = book.pair_equity_quote(self.p.pair, sample.price)
        if self.metrics.start_equity_quote is None:
            self.metrics.start_equity_quote = eq
        self.metrics.equity_quote = eq
        if self.engine is not None:
            self.engine.mark(sample.ts_ms, eq, self.p.pair.symbol)

    async def _book_metrics(self) -> None:
        try:
            book = await self._book()
            px_sample = await self.p.feed.latest()
        except TemporaryError:
            return
        if px_sample is not None:
            self.metrics.last_block = px_sample.block
            self.metrics.last_chain_ms = px_sample.ts_ms
            self._builder.add(px_sample.ts_ms, float(px_sample.price), px_sample.block)
            self._mark(book, px_sample)

    def _count_decisions(self, kernel: Kernel, orders: list[Order], t_ms: int) -> None:
        m = self.metrics
        m.decisions = m.decisions + kernel.log.decisions
        m.approved += len(orders)
        m.pending += len(kernel.log.pending)
        for o in orders:
            self._note(o.client_order_id, outcome="approved", t_ms=t_ms, **_order_fields(o))
        for o in kernel.log.pending:
            self._note(o.client_order_id, outcome="pending_approval", t_ms=t_ms, **_order_fields(o))
        for d in kernel.log.denials:
            for rule in d.decision.denied_by:
                m.denials[rule] += 1
            self._note(
                d.order.client_order_id,
                outcome="denied",
                t_ms=t_ms,
                denied_by=list(d.decision.denied_by),
                **_order_fields(d.order),
            )

    def _note(self, order_id: str, **fields: Any) -> None:
        self.decisions.add({"agent": self.id, "order": order_id, **fields})

    async def _record(self, kind: str, payload: Mapping[str, Any]) -> None:
        await self.p.sink.append(AuditEvent(kind, payload, int(time.time() * 1000)))

    # -- shutdown ----------------------------------------------------------------------------------

    async def finalize(self, *, reason: str, anchor_timeout_s: float) -> dict[str, Any]:
        """Write the stop record and a final checkpoint (anchored when configured); close."""
        out: dict[str, Any] = {"agent": self.id}
        self.stopped = True
        await self._record("agent_stopped", {"event": "shutdown", "reason": reason})
        sink = self.p.sink
        try:
            if sink.log.signer is not None:
                if self.p.anchorer is not None:  # checkpoints, then anchors that checkpoint
                    cp = await self.p.anchorer.anchor_now()
                    out["checkpoint"] = {"tree_size": cp.tree_size, "root": cp.root.hex()}
                    await self.p.anchorer.wait_confirmed(timeout_s=anchor_timeout_s)
                    out["anchored"] = True
                else:
                    cp = await sink.checkpoint()
                    out["checkpoint"] = {"tree_size": cp.tree_size, "root": cp.root.hex()}
            else:
                await sink.flush()
        except TemporaryError as exc:
            out["anchored"] = False
            out["anchor_error"] = str(exc)
            log.error("final anchor not confirmed", extra={"agent": self.id, "error": str(exc)})
        finally:
            await sink.close()
            self.p.journal.close()
            if self.p.txm is not None:
                await self.p.txm.close()
            await self.p.feed.rpc.close()
            if self.p.reference is not None:
                await self.p.reference.close()
            for closer in self.p.extra_closers:
                closer()
        return out


def _order_fields(o: Order) -> dict[str, Any]:
    return {
        "side": o.side.value,
        "amount_in": str(o.amount_in),
        "ref_price": str(o.ref_price),
        "strategy": o.intent.strategy,
        "reason": o.intent.reason,
    }
