"""Build one ``AgentRunner`` from its ``[[agents]]`` table: wallet, RPC, venue, policy, audit.

State files of agent ``<id>`` live in ``<state_dir>/<id>/``: ``tx.sqlite`` (the TxManager's
store), ``policy.sqlite`` (pending approvals and trading state, shared with ``dexagent policy``),
``journal.sqlite`` (bars, order journal, kill switch) and, by default, ``audit.sqlite``.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path
from typing import cast

from dexagent.audit_log.anchor import Anchorer
from dexagent.audit_log.anchor_config import AnchorConfig
from dexagent.audit_log.signing import Signer
from dexagent.connectors.evm.aio_rpc import AsyncRpc
from dexagent.connectors.evm.manifest import Deployment
from dexagent.connectors.evm.swap_venue import OnChainSwapVenue
from dexagent.connectors.evm.txmanager import TxManager
from dexagent.connectors.simulated.taker import TakerVenue
from dexagent.connectors.uniswap_v2.venue import UniswapV2Venue
from dexagent.connectors.uniswap_v3.venue import UniswapV3Venue
from dexagent.core.audit import AuditEvent
from dexagent.core.errors import ConfigError
from dexagent.core.policy_gate import AllowAll, PolicyGate
from dexagent.core.portfolio import Portfolio
from dexagent.core.tokens import Pair
from dexagent.policy import PolicyEngine, SqliteStore, load_policy
from dexagent.service.agent import AgentParts, AgentRunner
from dexagent.service.audit_clock import ClockedSink
from dexagent.service.config import AgentSection, ServiceSection
from dexagent.service.feed import ChainFeed, pool_price, swap_volume
from dexagent.service.journal import Journal
from dexagent.service.reference import ReferencePrice
from dexagent.service.secrets import Secret, load_wallet_key
from dexagent.strategies.base import Strategy
from dexagent.strategies.registry import build_strategy


def agent_dir(service: ServiceSection, agent_id: str) -> Path:
    return Path(service.state_dir) / agent_id


def halt_files(service: ServiceSection, agent_id: str) -> tuple[Path, ...]:
    """The kill-switch files: ``<state_dir>/HALT`` (every agent) and ``<state_dir>/HALT.<id>``."""
    root = Path(service.state_dir)
    return (root / "HALT", root / f"HALT.{agent_id}")


def config_hash(cfg: AgentSection) -> str:
    text = json.dumps(cfg.model_dump(mode="json"), sort_keys=True, separators=(",", ":"))
    return "sha256:" + hashlib.sha256(text.encode()).hexdigest()


async def build_agent(cfg: AgentSection, service: ServiceSection) -> AgentRunner:
    d = agent_dir(service, cfg.id)
    d.mkdir(parents=True, exist_ok=True)
    dep = Deployment.load(Path(cfg.deployment))
    pair = Pair(dep.token(cfg.base_symbol), dep.token(cfg.quote_symbol))
    rpc = AsyncRpc(cfg.rpc_url, timeout_s=cfg.rpc.timeout_s)
    key: Secret | None = None
    if cfg.wallet is not None:
        key = load_wallet_key(cfg.wallet, agent_id=cfg.id)
    signer_key = _signer_key(cfg, key)
    journal = Journal(d / "journal.sqlite")
    sink = ClockedSink.open(
        cfg.audit.url or f"sqlite:///{d / 'audit.sqlite'}",
        agent_id=cfg.id,
        signer_key=signer_key.reveal() if signer_key is not None else None,
        batch_size=cfg.audit.batch_size,
        checkpoint_every=cfg.audit.checkpoint_every,
    )
    policy, closer = _policy(cfg, d)
    txm: TxManager | None = None
    venue: OnChainSwapVenue | TakerVenue
    paper_book: Portfolio | None = None
    if cfg.venue == "paper":
        pool = dep.pool(cfg.price_source, cfg.fee if cfg.price_source == "uniswap_v3" else 3000)
        saved = journal.paper_book()
        paper_book = Portfolio(saved if saved is not None else _paper_balances(cfg, pair))
        venue = TakerVenue(
            paper_book.view,
            fee_bps=Decimal(cfg.paper.fee_bps),
            half_spread_bps=Decimal(cfg.paper.half_spread_bps),
            name="paper",
        )
        chain_id = dep.chain_id
    else:
        assert key is not None
        txm = await TxManager.open(
            cfg.rpc_url,
            key.reveal(),
            store_path=d / "tx.sqlite",
            receipt_timeout_s=cfg.rpc.receipt_timeout_s,
            poll_s=0.02,
        )
        chain_id = txm.chain_id
        if chain_id != dep.chain_id:
            raise ConfigError(
                f"agent {cfg.id!r}: {cfg.rpc_url} is chain {chain_id} but the deployment "
                f"{cfg.deployment} is for chain {dep.chain_id}"
            )
        # the minimum output of every swap follows the policy's price collar (else 50 bps)
        slippage = _policy_slippage_bps(cfg.policy)
        if cfg.venue == "uniswap_v2":
            venue = UniswapV2Venue.from_deployment(
                dep,
                txm,
                txm.rpc,
                base=pair.base.symbol,
                quote=pair.quote.symbol,
                default_slippage_bps=slippage,
            )
            pool = dep.pool("uniswap_v2")
        else:
            venue = UniswapV3Venue.from_deployment(
                dep,
                txm,
                txm.rpc,
                fee=cfg.fee,
                base=pair.base.symbol,
                quote=pair.quote.symbol,
                default_slippage_bps=slippage,
            )
            pool = dep.pool("uniswap_v3", cfg.fee)
    anchorer: Anchorer | None = None
    if cfg.audit.anchor_contract is not None:
        if txm is None or signer_key is None or signer_key.reveal() != (key and key.reveal()):
            raise ConfigError(
                f"agent {cfg.id!r}: anchoring sends from the checkpoint signer's account; use "
                "an on-chain venue and leave audit.signer_key_env unset (the wallet signs)"
            )
        anchorer = Anchorer(
            sink.log,
            txm,
            cfg.audit.anchor_contract,
            AnchorConfig(
                every_records=cfg.audit.anchor_every_records,
                every_seconds=cfg.audit.anchor_every_seconds,
                confirmations=cfg.audit.anchor_confirmations,
            ),
        )
    strategy = _strategy(cfg, pair, sink, policy)
    signer = Signer(signer_key.reveal()).address if signer_key is not None else ""
    parts = AgentParts(
        agent_id=cfg.id,
        pair=pair,
        strategy=strategy,
        venue=venue,
        policy=policy,
        sink=sink,
        journal=journal,
        feed=ChainFeed(rpc, pool_price(rpc, pool, pair), swap_volume(rpc, pool, pair)),
        timeframe_ms=cfg.timeframe_ms,
        poll_s=cfg.poll_s,
        history_bars=cfg.history_bars,
        signer=signer,
        txm=txm,
        paper_book=paper_book,
        anchorer=anchorer,
        chain_id=chain_id,
        retry_initial_s=cfg.rpc.retry_initial_s,
        retry_max_s=cfg.rpc.retry_max_s,
        receipt_timeout_s=cfg.rpc.receipt_timeout_s,
        halt_files=halt_files(service, cfg.id),
        config_hash=config_hash(cfg),
        reference=ReferencePrice.build(cfg.reference, pair) if cfg.reference else None,
        extra_closers=[closer] if closer is not None else [],
    )
    runner = AgentRunner(parts)
    await sink.append(AuditEvent("config_loaded", {"config_hash": parts.config_hash}, 0))
    if isinstance(policy, PolicyEngine):
        await sink.append(AuditEvent("policy_loaded", {"policy_hash": policy.policy_hash}, 0))
    return runner


def _signer_key(cfg: AgentSection, wallet: Secret | None) -> Secret | None:
    if cfg.audit.signer_key_env is not None:
        from dexagent.service.config import WalletSection

        return load_wallet_key(WalletSection(key_env=cfg.audit.signer_key_env), agent_id=cfg.id)
    return wallet


def _policy(cfg: AgentSection, d: Path) -> tuple[PolicyGate, Callable[[], None] | None]:
    if cfg.policy is None:
        return AllowAll(), None
    store = SqliteStore(d / "policy.sqlite")
    engine = PolicyEngine(
        load_policy(cfg.policy), agent_id=cfg.id, pending=store, state_store=store
    )
    return engine, store.close


def _paper_balances(cfg: AgentSection, pair: Pair) -> dict[str, int]:
    tokens = {pair.base.symbol: pair.base, pair.quote.symbol: pair.quote}
    out: dict[str, int] = {}
    for sym, amount in cfg.paper.balances.items():
        if sym not in tokens:
            raise ConfigError(
                f"agent {cfg.id!r} [paper.balances]: {sym!r} is not a token of {pair.symbol}"
            )
        out[sym] = tokens[sym].to_raw(Decimal(amount))
    return out


def _strategy(cfg: AgentSection, pair: Pair, sink: ClockedSink, policy: PolicyGate) -> Strategy:
    if cfg.agent is None:
        return build_strategy(cfg.strategy.name, pair, cfg.strategy.params)
    from dexagent.agents.factory import build_agent_strategy

    engine = policy if isinstance(policy, PolicyEngine) else None
    # AgentStrategy implements Strategy + Deliberating; its params model is AgentParams
    agent = build_agent_strategy(
        cfg.agent.kind,
        pair,
        audit=sink,
        choice_check=engine.check_strategy_choice if engine is not None else None,
        allowlist=engine.policy.strategies if engine is not None else None,
        model=cfg.agent.model,
        cassette=cfg.agent.cassette,
        params=cfg.agent.params,
    )
    return cast(Strategy, agent)


def _policy_slippage_bps(policy_file: str | None) -> int:
    if policy_file is None:
        return 50
    bound = load_policy(policy_file).market.max_slippage_bps
    return 50 if bound is None else int(bound)
