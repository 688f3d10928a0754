"""Gas checks: the gas price now, and the quoted gas cost as a fraction of the notional.

Both need data the context may lack (``gas_price_wei``, ``native_price``, a quote): then the
rule denies (fail closed) and says what is missing.
"""

from __future__ import annotations

from decimal import Decimal

from dexagent.core.intents import Order
from dexagent.core.policy_gate import PolicyContext, Verdict
from dexagent.policy.hashing import decimal_text
from dexagent.policy.rules.base import Facts


class MaxGasPrice:
    name = "gas.max_gas_price_gwei"

    def __init__(self, gwei: Decimal) -> None:
        self._wei = int(gwei * 10**9)
        self._text = decimal_text(gwei)
        self._ok = Verdict(self.name, True, "gas price within limit")

    def check(self, order: Order, ctx: PolicyContext, facts: Facts) -> Verdict:
        wei = ctx.gas_price_wei
        if wei is None:
            return Verdict(self.name, False, "no gas price in context")
        if wei <= self._wei:
            return self._ok
        gwei = decimal_text(Decimal(wei) / 10**9)
        return Verdict(self.name, False, f"gas price {gwei} gwei > max {self._text}")


class MaxGasFraction:
    name = "gas.max_gas_fraction"

    def __init__(self, fraction: Decimal, native_decimals: int) -> None:
        self._frac = fraction
        self._native_unit = Decimal(10) ** native_decimals
        self._ok = Verdict(self.name, True, "gas cost within limit")

    def check(self, order: Order, ctx: PolicyContext, facts: Facts) -> Verdict:
        q = ctx.quote
        if q is None:
            return Verdict(self.name, False, "no venue quote in context")
        if q.gas_native == 0:
            return self._ok
        if ctx.native_price is None:
            return Verdict(self.name, False, "no native token price in context")
        if order.notional_quote <= 0:
            return Verdict(self.name, False, "notional is zero")
        qt = order.pair.quote
        # gas in quote base units: wei / 10**native_decimals * price * 10**quote_decimals
        gas_quote = Decimal(q.gas_native) / self._native_unit * ctx.native_price * qt.unit
        if gas_quote <= self._frac * order.notional_quote:
            return self._ok
        frac = (gas_quote / order.notional_quote).quantize(Decimal("0.0001"))
        return Verdict(
            self.name, False, f"gas cost {frac} of notional > max {decimal_text(self._frac)}"
        )
