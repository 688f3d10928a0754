"""Allowlists: tokens, pools, venues and chains. An order outside any list is denied."""

from __future__ import annotations

from dexagent.core.intents import Order
from dexagent.core.policy_gate import PolicyContext, Verdict
from dexagent.policy.rules.base import Facts


def _norm(item: str) -> str:
    return item.lower() if item.startswith("0x") else item


class TokenAllowlist:
    name = "allow.tokens"

    def __init__(self, tokens: tuple[str, ...]) -> None:
        self._allowed = frozenset(_norm(t) for t in tokens)
        self._ok = Verdict(self.name, True, "tokens allowed")

    def _has(self, symbol: str, address: str | None) -> bool:
        return symbol in self._allowed or (address is not None and address.lower() in self._allowed)

    def check(self, order: Order, ctx: PolicyContext, facts: Facts) -> Verdict:
        pair = order.pair
        bad = [t.symbol for t in (pair.base, pair.quote) if not self._has(t.symbol, t.address)]
        if not bad:
            return self._ok
        return Verdict(self.name, False, f"token {', '.join(bad)} not on the allowlist")


def pool_id(order: Order, ctx: PolicyContext) -> str:
    """The order's pool: ``meta`` ``pool`` (an address) if given, else ``venue:BASE/QUOTE``."""
    for k, v in order.intent.meta:
        if k == "pool":
            return _norm(v)
    return f"{ctx.venue}:{order.pair.symbol}"


class PoolAllowlist:
    name = "allow.pools"

    def __init__(self, pools: tuple[str, ...]) -> None:
        self._allowed = frozenset(_norm(p) for p in pools)
        self._ok = Verdict(self.name, True, "pool allowed")

    def check(self, order: Order, ctx: PolicyContext, facts: Facts) -> Verdict:
        pid = pool_id(order, ctx)
        if pid in self._allowed:
            return self._ok
        return Verdict(self.name, False, f"pool {pid!r} not on the allowlist")


class VenueAllowlist:
    name = "allow.venues"

    def __init__(self, venues: tuple[str, ...]) -> None:
        self._allowed = frozenset(venues)
        self._ok = Verdict(self.name, True, "venue allowed")

    def check(self, order: Order, ctx: PolicyContext, facts: Facts) -> Verdict:
        if ctx.venue in self._allowed:
            return self._ok
        return Verdict(self.name, False, f"venue {ctx.venue!r} not on the allowlist")


class ChainAllowlist:
    name = "allow.chains"

    def __init__(self, chains: tuple[int, ...], no_chain: bool) -> None:
        self._allowed = frozenset(chains)
        self._no_chain = no_chain
        self._ok = Verdict(self.name, True, "chain allowed")

    def check(self, order: Order, ctx: PolicyContext, facts: Facts) -> Verdict:
        cid = ctx.chain_id
        if cid is None:
            if self._no_chain:
                return self._ok
            return Verdict(self.name, False, "venue has no chain id and allow.no_chain is false")
        if cid in self._allowed:
            return self._ok
        return Verdict(self.name, False, f"chain {cid} not on the allowlist")
