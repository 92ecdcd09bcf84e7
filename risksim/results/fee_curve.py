"""Fees of one party priced at every point of a sweep, on common random numbers: the result
of :func:`risksim.price` with ``sweep=``."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from risksim.results.base import ResultBase
from risksim.util.files import write_csv

POINT_COLUMNS = ("point", "varied")
"""The columns before the swept paths' own."""
FEE_COLUMNS = ("tier", "loans", "expected_claims", "fee_base", "break_even", "break_even_se",
               "capital", "capital_se", "risk_adjusted", "risk_adjusted_se", "target",
               "target_se", "target_lower", "target_upper", "no_fee_needed", "fee_ceiling",
               "above_ceiling", "party", "currency")
"""The columns after the swept paths' (a point's fees and the party priced)."""


@dataclass(frozen=True, eq=False)
class FeeCurve(ResultBase):
    """Every point of a sweep priced: break-even, risk-adjusted and target fees with errors.

    Attributes
    ----------
    table : pandas.DataFrame
        One row per point and tier (``all`` for the book): ``point``, ``varied`` (the path
        varied, ``base`` for the base point of a one-at-a-time sweep, ``grid`` otherwise),
        one column per swept path (its value), then the columns of
        :attr:`~risksim.results.pricing.Pricing.table` (``tier``, ``loans``,
        ``expected_claims``, ``fee_base``, ``break_even``, ``capital``, ``risk_adjusted``
        with their ``_se``, ``above_ceiling``), the book's target fee (``target``,
        ``target_se``, ``target_lower``, ``target_upper``; empty on tier rows and without a
        target), ``no_fee_needed`` (the solvency target is met with no fee), ``fee_ceiling``
        (the ``max_rate`` applied, empty when none), ``party`` and ``currency``. Rates are
        annual fractions of the fee base; amounts money.
    metadata : dict
        The party, terms, target, design, paths, simulations, seed, currency.
    """

    table: pd.DataFrame
    metadata: dict[str, Any] = field(default_factory=dict)

    @property
    def paths(self) -> list[str]:
        """The dotted paths swept (one column of :attr:`table` each)."""
        return [c for c in self.table.columns if c not in (*POINT_COLUMNS, *FEE_COLUMNS)]

    @property
    def party(self) -> str:
        """The party priced."""
        return str(self.table["party"].iloc[0])

    @property
    def currency(self) -> str:
        """Currency of every amount."""
        return str(self.table["currency"].iloc[0])

    def book(self) -> pd.DataFrame:
        """The rows of the whole book (tier ``all``), one per point."""
        return self.table[self.table["tier"] == "all"].reset_index(drop=True)

    def summary(self) -> pd.DataFrame:
        """:attr:`table`."""
        return self.table

    def save(self, path: str | Path) -> list[Path]:
        """Write :attr:`table` as CSV to ``path`` (atomically)."""
        return [write_csv(self.table, Path(path), index=False)]

    @classmethod
    def load(cls, path: str | Path) -> FeeCurve:
        """The fee curve a :meth:`save` wrote."""
        table = pd.read_csv(path, keep_default_na=False, na_values=[""])
        table["above_ceiling"] = table["above_ceiling"].fillna("")
        return cls(table=table, metadata={"currency": str(table["currency"].iloc[0])})

    @staticmethod
    def is_fee_curve_table(table: pd.DataFrame) -> bool:
        """Whether ``table`` has a fee curve's columns."""
        return {"point", "tier", "break_even", "risk_adjusted", "party"} <= set(table.columns)
