"""Euler contributions of units of the book to each party's tail: the result of
:func:`risksim.contributions`."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from risksim.results.base import ResultBase
from risksim.util.files import write_csv


@dataclass(frozen=True, eq=False)
class Contributions(ResultBase):
    """Each unit's EL, ES and VaR contribution to each party's loss.

    Attributes
    ----------
    table : pandas.DataFrame
        One row per (party, unit): ``party``, ``unit``, ``EL``, ``ES`` with ``ES_se``,
        ``ES_share`` (of the party's ES) and ``VaR`` (money). The ES (and VaR) column of a
        party adds up to its ES (and VaR): :attr:`totals`.
    totals : dict
        Per party, its ``ES`` and ``VaR`` at :attr:`level`.
    tail_simulations : dict
        Per party, how many simulations its tail holds.
    metadata : dict
        ``by`` (the unit), ``level``, simulations, seed, currency.
    """

    table: pd.DataFrame
    totals: dict[str, dict[str, float]] = field(default_factory=dict)
    tail_simulations: dict[str, int] = field(default_factory=dict)
    metadata: dict[str, Any] = field(default_factory=dict)

    @property
    def by(self) -> str:
        """What a unit is: ``loan``, ``segment`` or a text column of the book."""
        return str(self.metadata.get("by", "loan"))

    @property
    def level(self) -> float:
        """The level of the ES and VaR contributed to."""
        return float(self.metadata.get("level", 0.99))

    def summary(self) -> pd.DataFrame:
        """Per party: its ES and VaR at :attr:`level` (what the contributions add up to)."""
        return pd.DataFrame.from_dict(self.totals, orient="index")

    def to_frame(self) -> pd.DataFrame:
        """:attr:`table`: one row per (party, unit)."""
        return self.table

    def save(self, path: str | Path) -> list[Path]:
        """Write :attr:`table` as CSV to ``path`` (atomically)."""
        return [write_csv(self.table, Path(path), index=False)]
