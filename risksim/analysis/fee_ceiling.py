"""The scheme's own fee ceiling for a party priced, and the required fees above it.

A fee paid to the party (``payee``) may state a regulatory ceiling, ``max_rate`` (China: 1%
a year of the guaranteed amount). A fee priced on the same base (``loan``: per unit of the
covered loans; ``guaranteed``: of their guaranteed part) is compared with it: the tightest
ceiling of the party's fees on that base applies. A required fee above it is flagged, never
cut: the scheme cannot charge what covering its claims costs.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from risksim.compile.scenario import Scenario

CEILING_TOLERANCE = 1e-15
"""A rate counts as above the ceiling when it exceeds it by more than this (the same slack
the scenario check of ``max_rate`` allows)."""
FEE_NAMES = {"break_even": "break-even", "risk_adjusted": "risk-adjusted", "target": "target"}
"""The required fees compared with the ceiling, as the flag names them."""


@dataclass(frozen=True)
class FeeCeiling:
    """The fee ceiling of a party priced.

    Attributes
    ----------
    rate : float
        The ceiling, an annual rate (fraction of the fee base).
    fee : str
        The name of the scenario's fee whose ``max_rate`` it is.
    """

    rate: float
    fee: str


def fee_ceiling(scenario: Scenario, party: str, base: str) -> FeeCeiling | None:
    """The tightest ``max_rate`` of the fees paid to ``party`` on ``base`` (``"loan"`` or
    ``"guaranteed"``), or None when none states one."""
    stated = [fee for fee in scenario.spec.arrangement.fees
              if fee.payee == party and fee.max_rate is not None and fee.base == base]
    if not stated:
        return None
    tightest = min(stated, key=lambda fee: float(fee.max_rate or 0.0))
    return FeeCeiling(float(tightest.max_rate or 0.0), tightest.name)


def other_base_ceiling(scenario: Scenario, party: str, base: str) -> str | None:
    """The warning that ``party``'s fee ceiling is stated only on the other base (so the fees
    priced on ``base`` are not compared with it), or None."""
    if fee_ceiling(scenario, party, base) is not None:
        return None
    other = "guaranteed" if base == "loan" else "loan"
    found = fee_ceiling(scenario, party, other)
    if found is None:
        return None
    what = {"loan": "covered loans", "guaranteed": "guaranteed part"}
    return (f"the fee ceiling of {party} (max_rate {found.rate:.4%} of fee '{found.fee}') is "
            f"on the {what[other]}; the fees priced on the {what[base]} are not checked "
            f"against it (price with base {other} to check them)")


def above_ceiling(fees: Mapping[str, float], ceiling: FeeCeiling | None) -> str:
    """The names (:data:`FEE_NAMES`) of the ``fees`` (annual rates by column name) above
    ``ceiling``, comma-separated; empty when none is (or there is no ceiling)."""
    if ceiling is None:
        return ""
    return ", ".join(FEE_NAMES[name] for name, rate in fees.items()
                     if rate > ceiling.rate + CEILING_TOLERANCE)


def ceiling_warning(party: str, ceiling: FeeCeiling, where: list[str]) -> str:
    """The one warning line for required fees of ``party`` above ``ceiling``; ``where``
    lists what is above it (e.g. ``"all: risk-adjusted 1.2000%"``)."""
    return (f"the required fee of {party} is above its fee ceiling, {ceiling.rate:.4%} a "
            f"year (max_rate of fee '{ceiling.fee}'): {'; '.join(where)}")
