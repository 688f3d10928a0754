"""The account book: integer balances in base units that can never go negative."""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from types import MappingProxyType

from dexagent.core.errors import FatalError
from dexagent.core.intents import Fill, Side
from dexagent.core.tokens import Pair


class Portfolio:
    """Balances by token symbol. The kernel is the only writer; everyone else reads ``view``."""

    __slots__ = ("_bal", "view")

    def __init__(self, balances: Mapping[str, int]) -> None:
        for sym, raw in balances.items():
            if not isinstance(raw, int) or raw < 0:
                raise FatalError(
                    f"starting balance of {sym} must be a non-negative int, got {raw!r}"
                )
        self._bal: dict[str, int] = dict(balances)
        self.view: Mapping[str, int] = MappingProxyType(self._bal)

    def balance(self, symbol: str) -> int:
        return self._bal.get(symbol, 0)

    def apply(self, fill: Fill, native_symbol: str | None = None) -> None:
        """Book a fill: token in out, token out in, gas out of the native balance."""
        pair = fill.pair
        tin, tout = (pair.quote, pair.base) if fill.side is Side.BUY else (pair.base, pair.quote)
        self._debit(tin.symbol, fill.amount_in)
        self._bal[tout.symbol] = self._bal.get(tout.symbol, 0) + fill.amount_out
        if fill.gas_native:
            if native_symbol is None:
                raise FatalError("a fill paid gas but no native token is configured")
            self._debit(native_symbol, fill.gas_native)

    def _debit(self, symbol: str, raw: int) -> None:
        have = self._bal.get(symbol, 0)
        if raw > have:
            raise FatalError(f"booking would make {symbol} negative: have {have}, debit {raw}")
        self._bal[symbol] = have - raw

    def pair_equity_quote(self, pair: Pair, price: Decimal) -> int:
        """Quote balance plus base balance valued at ``price``, in quote base units."""
        return self.balance(pair.quote.symbol) + pair.quote_raw_for(
            self.balance(pair.base.symbol), price
        )

    def snapshot(self) -> dict[str, int]:
        return dict(self._bal)
