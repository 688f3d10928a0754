"""Domain types shared by every layer. Imports nothing else of dexagent."""

from dexagent.core.audit import AuditEvent, AuditSink, MemoryAuditSink
from dexagent.core.bars import Bars
from dexagent.core.errors import (
    ConfigError,
    DataError,
    DexAgentError,
    FatalError,
    InsufficientBalance,
    RejectedError,
    TemporaryError,
)
from dexagent.core.intents import Fill, Intent, Order, Side, SizeKind
from dexagent.core.kernel import Kernel
from dexagent.core.market import MarketView
from dexagent.core.policy_gate import (
    AllowAll,
    PolicyContext,
    PolicyDecision,
    PolicyGate,
    Verdict,
)
from dexagent.core.portfolio import Portfolio
from dexagent.core.tokens import Pair, Token, price_decimal
from dexagent.core.venue import Quote, Venue

__all__ = [
    "AllowAll",
    "AuditEvent",
    "AuditSink",
    "Bars",
    "ConfigError",
    "DataError",
    "DexAgentError",
    "FatalError",
    "Fill",
    "InsufficientBalance",
    "Intent",
    "Kernel",
    "MarketView",
    "MemoryAuditSink",
    "Order",
    "Pair",
    "PolicyContext",
    "PolicyDecision",
    "PolicyGate",
    "Portfolio",
    "Quote",
    "RejectedError",
    "Side",
    "SizeKind",
    "TemporaryError",
    "Token",
    "Venue",
    "Verdict",
    "price_decimal",
]
