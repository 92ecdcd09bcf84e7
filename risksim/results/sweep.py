"""A scenario simulated at every point of a sweep, on common random numbers: the result of
:func:`risksim.sweep`."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from risksim.errors import InputError
from risksim.results.base import ResultBase
from risksim.util.files import write_csv
from risksim.util.suggest import unknown_name_message

SWEEP_COLUMNS = ("point", "varied", "party", "measure", "value", "se", "currency")
"""The columns of a sweep's table besides one per swept path."""


@dataclass(frozen=True, eq=False)
class Sweep(ResultBase):
    """Every point of a sweep, each party's measures with their errors.

    Attributes
    ----------
    table : pandas.DataFrame
        Tidy: one row per point, party (``gross`` included) and measure (``EL``, ``SD``,
        ``VaR_<a>``, ``ES_<a>``), columns ``point``, one per path (its value), ``varied``
        (one-at-a-time: the path varied, ``base`` for the base point), ``party``,
        ``measure``, ``value`` and ``se`` (money), ``currency``.
    metadata : dict
        The design, the paths swept, simulations, seed, levels, currency.
    """

    table: pd.DataFrame
    metadata: dict[str, Any] = field(default_factory=dict)

    @property
    def paths(self) -> list[str]:
        """The dotted paths swept (one column of :attr:`table` each)."""
        return [c for c in self.table.columns if c not in SWEEP_COLUMNS]

    @property
    def parties(self) -> list[str]:
        """The parties (``gross`` first) in the table."""
        return list(dict.fromkeys(self.table["party"]))

    @property
    def measures(self) -> list[str]:
        """The measures in the table (``EL``, ``SD``, then VaR and ES per level)."""
        return list(dict.fromkeys(self.table["measure"]))

    def summary(self) -> pd.DataFrame:
        """:attr:`table`."""
        return self.table

    def save(self, path: str | Path) -> list[Path]:
        """Write :attr:`table` as CSV to ``path`` (atomically)."""
        return [write_csv(self.table, Path(path), index=False)]

    @classmethod
    def load(cls, path: str | Path) -> Sweep:
        """The sweep a :meth:`save` wrote."""
        table = pd.read_csv(path)
        currencies = set(table["currency"]) if "currency" in table.columns else set()
        return cls(table=table, metadata={"currency": currencies.pop()} if len(
            currencies) == 1 else {})

    def tornado(self, party: str, measure: str) -> pd.DataFrame:
        """Tornado-chart data from a one-at-a-time sweep: each path's swing of ``measure``.

        Returns
        -------
        pandas.DataFrame
            One row per path, largest swing first: ``low`` and ``high`` (the path's values
            giving the lowest and highest measure), ``at_low``, ``at_high``, ``base`` (the
            measure there and at the base point) and ``swing`` = at_high − at_low (money);
            with the sweep's standard errors, ``se_low``, ``se_high`` and ``base_se``.
        """
        frame = self.table
        if "varied" not in frame or not (frame["varied"] == "base").any():
            raise InputError("a tornado needs a one-at-a-time sweep", path="design")
        chosen = frame[(frame["party"] == party) & (frame["measure"] == measure)]
        if chosen.empty:
            raise InputError(unknown_name_message("party or measure", f"{party}/{measure}",
                                                  {f"{p}/{m}" for p, m in zip(
                                                      frame["party"], frame["measure"],
                                                      strict=True)}), path="party")
        at_base = chosen[chosen["varied"] == "base"]
        base = float(at_base["value"].iloc[0])
        errors = "se" in chosen.columns
        rows = {}
        for path, group in chosen[chosen["varied"] != "base"].groupby("varied", sort=False):
            values, settings = group["value"].to_numpy(), group[path].to_numpy()
            low, high = int(values.argmin()), int(values.argmax())
            rows[path] = {"low": settings[low], "high": settings[high], "at_low": values[low],
                          "at_high": values[high], "base": base}
            if errors:
                se = group["se"].to_numpy()
                rows[path] |= {"se_low": se[low], "se_high": se[high],
                               "base_se": float(at_base["se"].iloc[0])}
        table = pd.DataFrame.from_dict(rows, orient="index").rename_axis("path")
        table["swing"] = table["at_high"] - table["at_low"]
        return table.sort_values("swing", ascending=False)

    @staticmethod
    def is_sweep_table(table: pd.DataFrame) -> bool:
        """Whether ``table`` has a sweep's columns."""
        return {"varied", "party", "measure", "value"} <= set(table.columns)
